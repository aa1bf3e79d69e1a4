#[derive(msrpc::Ndr)]
struct S {
    a: u32,
    b: std::collections::HashMap<u32, u32>,
}

fn main() {}
