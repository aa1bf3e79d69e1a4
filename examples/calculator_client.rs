//! A DCOM client of the calculator server: activates the class, calls all
//! three ICalculator methods, queries IStatistics, and releases.
//!
//! ```sh
//! cargo run --release -p msrpc-examples --example calculator_client -- --server 127.0.0.1:9135
//! ```

mod calculator;

use calculator::idl::{ICalculatorClient, IStatisticsClient};
use msrpc::ndr::WString;
use msrpc::orpc::{ComPtr, DcomClient};
use msrpc::rpc::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut server = "127.0.0.1:9135".to_string();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--server" => server = args.next().ok_or("--server needs ADDR:PORT")?,
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let client = DcomClient::connect(server.as_str()).await?;
    let calc: ComPtr<ICalculatorClient<Client>> =
        client.create_instance(calculator::CLSID_CALCULATOR).await?;
    println!("Add(2, 3) = {}", calc.add(2, 3).await?.sum);
    let joined = calc
        .concat(WString::from("Hello, "), WString::from("DCOM"))
        .await?
        .joined
        .unwrap_or_default();
    println!("Concat = {}", joined.to_string_lossy());
    println!(
        "Sum(1..=10) = {}",
        calc.sum((1..=10).collect()).await?.total
    );
    let stats: ComPtr<IStatisticsClient<Client>> = calc.query().await?;
    println!("Count = {}", stats.count().await?.calls);
    drop(stats);
    drop(calc);
    client.flush_releases().await;
    println!("released");
    Ok(())
}
