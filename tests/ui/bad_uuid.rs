#[msrpc::interface(uuid = "not-a-uuid", object)]
pub trait IGreeter {
    async fn greet(&self, name: String) -> msrpc::Result<String>;
}

fn main() {}
