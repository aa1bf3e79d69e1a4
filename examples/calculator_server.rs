//! A DCOM server with the calculator class.
//!
//! ```sh
//! cargo run --release -p msrpc-examples --example calculator_server -- --listen 127.0.0.1:9135
//! ```
//!
//! The object resolver and activator listen on the given address, the
//! object exporter on a port of its own; one line, `listening on ADDR`,
//! says when calls are accepted.

mod calculator;

use std::net::SocketAddr;

use msrpc::orpc::{Machine, MachineConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut listen: SocketAddr = "127.0.0.1:9135".parse()?;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--listen" => listen = args.next().ok_or("--listen needs ADDR:PORT")?.parse()?,
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }
    let machine = Machine::new(MachineConfig::new(listen.ip().to_string()));
    let resolver = machine.start_resolver(listen).await?;
    let exporter = machine
        .start_exporter(SocketAddr::new(listen.ip(), 0))
        .await?;
    exporter.register_class(calculator::CLSID_CALCULATOR, calculator::factory());
    machine.spawn_timers();
    println!("listening on {resolver}");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
