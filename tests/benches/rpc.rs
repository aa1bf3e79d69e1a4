//! DCE/RPC round trips per second over loopback, against a raw TCP
//! ping-pong with the same payload sizes in the same run.
//!
//! `cargo bench -p msrpc-tests --bench rpc`

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod rpc_test {
    include!(concat!(env!("OUT_DIR"), "/rpc_test.rs"));
}

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use msrpc::ndr::WString;
use msrpc::rpc::{CallContext, Client, Fault, Server};
use rpc_test::i_test_rpc::*;
use rpc_test::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BIG: usize = 64 * 1024;
const CONNS: usize = 16;

struct Impl;

impl ITestRpcServer for Impl {
    async fn add(&self, _: &CallContext, a: i32, b: i32) -> Result<AddResponse, Fault> {
        Ok(AddResponse {
            sum: a.wrapping_add(b),
            return_value: 0,
        })
    }
    async fn greet(&self, _: &CallContext, _: WString) -> Result<GreetResponse, Fault> {
        Ok(GreetResponse::default())
    }
    async fn sum(&self, _: &CallContext, _: Vec<i32>) -> Result<SumResponse, Fault> {
        Ok(SumResponse::default())
    }
    async fn echo(&self, _: &CallContext, request: BUFFER) -> Result<EchoResponse, Fault> {
        Ok(EchoResponse {
            reply: request,
            return_value: 0,
        })
    }
    async fn find(
        &self,
        _: &CallContext,
        _: Option<Box<ITEM>>,
        _: Vec<ITEM>,
    ) -> Result<FindResponse, Fault> {
        Ok(FindResponse::default())
    }
    async fn bump(
        &self,
        _: &CallContext,
        counter: i32,
        maybe: Option<Box<i32>>,
    ) -> Result<BumpResponse, Fault> {
        Ok(BumpResponse { counter, maybe })
    }
    async fn panic(&self, _: &CallContext) -> Result<PanicResponse, Fault> {
        Ok(PanicResponse::default())
    }
}

/// A server that echoes fixed-size messages: `size` bytes in, `size` out.
async fn raw_echo(size: usize) -> std::net::SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let _ = s.set_nodelay(true);
            tokio::spawn(async move {
                let mut buf = vec![0u8; size];
                while s.read_exact(&mut buf).await.is_ok() {
                    if s.write_all(&buf).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

async fn raw_round_trips(
    addr: std::net::SocketAddr,
    size: usize,
    conns: usize,
    n: u64,
) -> Duration {
    let mut socks = Vec::new();
    for _ in 0..conns {
        let s = TcpStream::connect(addr).await.expect("connect");
        let _ = s.set_nodelay(true);
        socks.push(s);
    }
    let start = Instant::now();
    let tasks: Vec<_> = socks
        .into_iter()
        .map(|mut s| {
            tokio::spawn(async move {
                let mut buf = vec![7u8; size];
                for _ in 0..n {
                    s.write_all(&buf).await.expect("write");
                    s.read_exact(&mut buf).await.expect("read");
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    start.elapsed()
}

async fn rpc_round_trips(clients: &[ITestRpcClient<Client>], big: bool, n: u64) -> Duration {
    let start = Instant::now();
    let tasks: Vec<_> = clients
        .iter()
        .cloned()
        .map(|c| {
            tokio::spawn(async move {
                let data = BUFFER {
                    data: Some(vec![7u8; BIG]),
                };
                for i in 0..n {
                    if big {
                        c.echo(data.clone()).await.expect("echo");
                    } else {
                        c.add(i as i32, 1).await.expect("add");
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    start.elapsed()
}

fn round_trips(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let server = rt.block_on(async {
        Server::new()
            .add_interface(ITestRpcStub::new(Impl))
            .bind("127.0.0.1:0")
            .await
            .expect("bind")
    });
    let addr = server.local_addr();
    let clients: Vec<ITestRpcClient<Client>> = rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..CONNS {
            v.push(ITestRpcClient::new(
                Client::connect(addr).await.expect("connect"),
            ));
        }
        v
    });
    // Small: two longs in (8 bytes), a long and the result out (8 bytes).
    let raw_small = rt.block_on(raw_echo(8));
    let raw_big = rt.block_on(raw_echo(BIG));

    let mut g = c.benchmark_group("round_trips");
    g.measurement_time(Duration::from_secs(4));
    for conns in [1, CONNS] {
        g.throughput(Throughput::Elements(conns as u64));
        g.bench_function(format!("rpc_small/{conns}conn"), |b| {
            b.iter_custom(|n| rt.block_on(rpc_round_trips(&clients[..conns], false, n)))
        });
        g.bench_function(format!("tcp_small/{conns}conn"), |b| {
            b.iter_custom(|n| rt.block_on(raw_round_trips(raw_small, 8, conns, n)))
        });
        g.bench_function(format!("rpc_64KiB/{conns}conn"), |b| {
            b.iter_custom(|n| rt.block_on(rpc_round_trips(&clients[..conns], true, n)))
        });
        g.bench_function(format!("tcp_64KiB/{conns}conn"), |b| {
            b.iter_custom(|n| rt.block_on(raw_round_trips(raw_big, BIG, conns, n)))
        });
    }
    g.finish();
}

criterion_group!(benches, round_trips);
criterion_main!(benches);
