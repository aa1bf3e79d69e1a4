//! `cargo run -p msrpc-example-greeter --bin greeter_client -- 127.0.0.1:9136`

use msrpc::ndr::WString;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or("127.0.0.1:9136".into())
        .parse()?;
    let (_client, greeter) = msrpc_example_greeter::connect(addr).await?;
    let r = greeter.greet(WString::from("world")).await?;
    println!("{}", r.greeting.unwrap_or_default().to_string_lossy());
    let r = greeter.scores(vec![1, 2, 3]).await?;
    for s in r.scores.items.unwrap_or_default() {
        println!("{} {}", s.id, s.points);
    }
    Ok(())
}
