#[oxidl::interface(uuid = "not-a-uuid", object)]
pub trait IGreeter {
    async fn greet(&self, name: String) -> oxidl::Result<String>;
}

fn main() {}
