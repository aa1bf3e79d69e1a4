// A trait with three mistakes gets three errors in one compile: the
// missing uuid does not hide the methods' errors.
#[msrpc::interface(object)]
pub trait IGreeter {
    fn greet(&self, name: String) -> msrpc::Result<String>;
    async fn count(&self, what: std::collections::HashMap<u8, u8>) -> msrpc::Result<u32>;
    async fn fine(&self, x: u32) -> msrpc::Result<u32>;
}

fn main() {}
