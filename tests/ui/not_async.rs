#[msrpc::interface(uuid = "5b0f5f02-7c7e-4b1e-8f57-6ad3f7a1c2d4", object)]
pub trait IGreeter {
    fn greet(&self, name: String) -> msrpc::Result<String>;
}

fn main() {}
