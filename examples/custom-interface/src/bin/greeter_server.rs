//! `cargo run -p msrpc-example-greeter --bin greeter_server -- 127.0.0.1:9136`

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or("127.0.0.1:9136".into())
        .parse()?;
    let (resolver, _exporter, _machine) = msrpc_example_greeter::serve(addr).await?;
    println!("listening on {resolver}");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
