#[msrpc::interface(uuid = "5b0f5f02-7c7e-4b1e-8f57-6ad3f7a1c2d4", object)]
pub trait IMeter {
    async fn total(&self, n: u32, #[msrpc(size_is = count)] values: Vec<u16>) -> msrpc::Result<u64>;
}

fn main() {}
