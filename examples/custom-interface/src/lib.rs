//! The greeter: a user's own DCOM interface, compiled from
//! `idl/greeter.idl` by `build.rs`, with a server class and a client.
//!
//! `cargo run -p msrpc-example-greeter --bin greeter_server -- 127.0.0.1:9136`
//! serves it; `cargo run -p msrpc-example-greeter --bin greeter_client --
//! 127.0.0.1:9136` calls it. `tests/greeter.rs` runs both in one process.

use std::net::SocketAddr;
use std::sync::Arc;

use msrpc::ndr::WString;
use msrpc::orpc::{CallContext, ComPtr, DcomClient, DcomExporter, Machine, MachineConfig, Object};
use msrpc::rpc::{Client, Fault};

/// The code build.rs generated from idl/greeter.idl.
#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
pub mod idl {
    msrpc::include_idl!("greeter");
}

use idl::i_greeter::{GreetResponse, ScoresResponse};
use idl::{IGreeterClient, IGreeterServer, IGreeterStub, SCORE, SCORES};

pub const CLSID_GREETER: msrpc::uuid::Uuid =
    msrpc::uuid::Uuid::from_u128(0x7f9d6a51_3b2c_4d8e_a1f0_0c5e2b9d4a11);

/// The greeter class: greets, and keeps a score for every id it is asked.
pub struct Greeter;

impl IGreeterServer for Greeter {
    async fn greet(&self, _: &CallContext, name: WString) -> Result<GreetResponse, Fault> {
        let greeting = format!("Hello, {}!", name.to_string_lossy());
        Ok(GreetResponse {
            greeting: Some(WString::from(greeting.as_str())),
            ..Default::default()
        })
    }

    async fn scores(&self, _: &CallContext, ids: Vec<u32>) -> Result<ScoresResponse, Fault> {
        let items = ids
            .iter()
            .map(|&id| SCORE {
                id,
                points: i64::from(id) * 100,
                holder: Some(WString::from(format!("player {id}"))),
            })
            .collect();
        Ok(ScoresResponse {
            scores: SCORES { items: Some(items) },
            ..Default::default()
        })
    }
}

/// Starts a DCOM server with the greeter class on `addr` (the resolver and
/// activator; the exporter takes a port of its own). Returns the
/// resolver's address and the exporter.
pub async fn serve(addr: SocketAddr) -> std::io::Result<(SocketAddr, DcomExporter, Machine)> {
    let machine = Machine::new(MachineConfig::new(addr.ip().to_string()));
    let resolver = machine.start_resolver(addr).await?;
    let exporter = machine
        .start_exporter(SocketAddr::new(addr.ip(), 0))
        .await?;
    exporter.register_class(
        CLSID_GREETER,
        Arc::new(|| Object::new().with(IGreeterStub::new(Greeter))),
    );
    machine.spawn_timers();
    Ok((resolver, exporter, machine))
}

/// Activates a greeter on the server at `resolver`.
pub async fn connect(
    resolver: SocketAddr,
) -> Result<(DcomClient, ComPtr<IGreeterClient<Client>>), Box<dyn std::error::Error>> {
    let client = DcomClient::connect(resolver).await?;
    let greeter = client.create_instance(CLSID_GREETER).await?;
    Ok((client, greeter))
}
