//! One class with an interface from IDL (build.rs) and one from a Rust
//! trait, activated and called over TCP on loopback.

use std::net::SocketAddr;
use std::sync::Arc;

use msrpc::ndr::WString;
use msrpc::orpc::{CallContext, ComPtr, DcomClient, Machine, MachineConfig, Object};
use msrpc::rpc::{Client, Fault};

#[allow(non_camel_case_types, non_snake_case, dead_code)]
mod idl {
    msrpc::include_idl!("hello");
}

use idl::i_hello::HelloResponse;
use idl::{IHelloClient, IHelloServer, IHelloStub};

#[derive(msrpc::Ndr, Debug, Clone, Default, PartialEq)]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

#[msrpc::interface(uuid = "9d2e7b14-0c5a-4f63-8e1d-2a6b4c8f0e37", object)]
pub trait IPoints {
    async fn shift(&self, p: Point, by: i32) -> msrpc::Result<Point>;
}

struct Both;

impl IHelloServer for Both {
    async fn hello(&self, _: &CallContext, name: WString) -> Result<HelloResponse, Fault> {
        let reply = format!("hello, {}", name.to_string_lossy());
        Ok(HelloResponse {
            reply: Some(WString::from(reply.as_str())),
            ..Default::default()
        })
    }
}

impl IPoints for Both {
    async fn shift(&self, p: Point, by: i32) -> msrpc::Result<Point> {
        Ok(Point {
            x: p.x + by,
            y: p.y + by,
        })
    }
}

const CLSID: msrpc::uuid::Uuid = msrpc::uuid::Uuid::from_u128(0x51e3_0a4c_2b7d_4e9f_8a61_0c3d5b7e9f20);

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let machine = Machine::new(MachineConfig::new("127.0.0.1"));
    let any: SocketAddr = "127.0.0.1:0".parse()?;
    let resolver = machine.start_resolver(any).await?;
    let exporter = machine.start_exporter(any).await?;
    exporter.register_class(
        CLSID,
        Arc::new(|| {
            Object::new()
                .with(IHelloStub::new(Both))
                .with(IPointsStub::new(Both))
        }),
    );
    let client = DcomClient::connect(resolver).await?;
    let hello: ComPtr<IHelloClient<Client>> = client.create_instance(CLSID).await?;
    let reply = hello.hello(WString::from("packaged")).await?.reply;
    assert_eq!(reply, Some(WString::from("hello, packaged")));
    let points: ComPtr<IPointsClient<Client>> = hello.query().await?;
    let moved = points.shift(Point { x: 1, y: 2 }, 10).await?;
    assert_eq!(moved, Point { x: 11, y: 12 });
    println!("round trip ok: {moved:?}");
    Ok(())
}
