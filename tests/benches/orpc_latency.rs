//! ORPC latency percentiles and memory, as the hardening issue asks:
//! ICalculator::Add through our DCOM client and server over loopback, on 1
//! and 16 connections, against a raw TCP ping-pong of the same request and
//! response sizes; the first call's latency (activation plus one call); and
//! memory per idle object and per connection (resident set, /proc).
//!
//! `cargo bench -p msrpc-tests --bench orpc_latency`

#[path = "../../examples/calculator/mod.rs"]
mod calculator;

use std::time::{Duration, Instant};

use calculator::idl::ICalculatorClient;
use msrpc::orpc::{ComPtr, DcomClient, Machine, MachineConfig};
use msrpc::rpc::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type Calc = ComPtr<ICalculatorClient<Client>>;

/// Calls per round, spread over the connections.
const CALLS: usize = 20_000;
/// Rounds of each, ORPC and raw TCP in turn.
const ROUNDS: usize = 7;

fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q) as usize];
    (at(0.50), at(0.99))
}

/// Per-call latencies of `calls` Add calls on each of `conns` proxies at once.
async fn orpc(calcs: &[Calc], calls: usize) -> Vec<Duration> {
    let tasks: Vec<_> = calcs
        .iter()
        .map(|c| {
            let c: ICalculatorClient<Client> = (**c).clone();
            tokio::spawn(async move {
                let mut out = Vec::with_capacity(calls);
                for i in 0..calls {
                    let t = Instant::now();
                    c.add(i as i32, 1).await.expect("Add");
                    out.push(t.elapsed());
                }
                out
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    all
}

/// The same sizes as raw TCP: request `req` bytes, response `resp` bytes.
async fn raw(conns: usize, calls: usize, req: usize, resp: usize) -> Vec<Duration> {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let _ = s.set_nodelay(true);
            tokio::spawn(async move {
                let (mut a, b) = (vec![0u8; req], vec![1u8; resp]);
                while s.read_exact(&mut a).await.is_ok() {
                    if s.write_all(&b).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let _ = s.set_nodelay(true);
        tasks.push(tokio::spawn(async move {
            let (a, mut b) = (vec![2u8; req], vec![0u8; resp]);
            let mut out = Vec::with_capacity(calls);
            for _ in 0..calls {
                let t = Instant::now();
                s.write_all(&a).await.expect("write");
                s.read_exact(&mut b).await.expect("read");
                out.push(t.elapsed());
            }
            out
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    all
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let machine = Machine::new(MachineConfig::new("127.0.0.1"));
        let any = "127.0.0.1:0".parse().expect("addr");
        let resolver = machine.start_resolver(any).await.expect("resolver");
        let exporter = machine.start_exporter(any).await.expect("exporter");
        exporter.register_class(calculator::CLSID_CALCULATOR, calculator::factory());

        // First call: connect, activate, call; for the process's first
        // client, then for new clients of a warm process (the median of 20).
        let first_call = || async {
            let t = Instant::now();
            let client = DcomClient::connect(resolver).await.expect("client");
            let first: Calc = client
                .create_instance(calculator::CLSID_CALCULATOR)
                .await
                .expect("activates");
            first.add(1, 2).await.expect("Add");
            (t.elapsed(), client)
        };
        let (cold, client) = first_call().await;
        let mut warm = Vec::new();
        for _ in 0..20 {
            warm.push(first_call().await.0);
        }
        warm.sort();
        println!(
            "first call (connect, activate, call): {cold:?} for the process's first client, {:?} for a new client (median of 20)",
            warm[warm.len() / 2]
        );

        // The wire sizes of Add: the PDUs' stub data plus their headers.
        let req = 24 + 16 + msrpc::ndr::to_bytes(&calculator::idl::i_calculator::AddRequest::default()).len();
        let resp = 24 + msrpc::ndr::to_bytes(&calculator::idl::i_calculator::AddResponse::default()).len();
        for conns in [1usize, 16] {
            let mut calcs = Vec::new();
            for _ in 0..conns {
                let c = DcomClient::connect(resolver).await.expect("client");
                let calc: Calc = c
                    .create_instance(calculator::CLSID_CALCULATOR)
                    .await
                    .expect("activates");
                calcs.push(calc);
                std::mem::forget(c);
            }
            // Rounds of ORPC and raw TCP in turn: on a shared machine one
            // round of each moved the ratio by 20 points from run to run.
            let per = CALLS / conns;
            let (mut rates, mut raw_rates) = (Vec::new(), Vec::new());
            let (mut lat, mut raw_lat) = (Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                let t = Instant::now();
                let l = orpc(&calcs, per).await;
                rates.push(l.len() as f64 / t.elapsed().as_secs_f64());
                lat.extend(l);
                let t = Instant::now();
                let l = raw(conns, per, req, resp).await;
                raw_rates.push(l.len() as f64 / t.elapsed().as_secs_f64());
                raw_lat.extend(l);
            }
            let (rate, raw_rate) = (median(rates), median(raw_rates));
            let (p50, p99) = percentiles(lat);
            let (r50, r99) = percentiles(raw_lat);
            println!(
                "{conns:>2} conn: Add {rate:>8.0}/s p50 {p50:>9.1?} p99 {p99:>9.1?} | raw TCP {raw_rate:>8.0}/s p50 {r50:>9.1?} p99 {r99:>9.1?} | rate {:.0}% (medians of {ROUNDS} rounds)",
                100.0 * rate / raw_rate
            );
        }

        // Memory per idle object: 10,000 more calculators, held.
        let before = rss_kib();
        let mut held = Vec::new();
        for _ in 0..10_000 {
            let c: Calc = client
                .create_instance(calculator::CLSID_CALCULATOR)
                .await
                .expect("activates");
            held.push(c);
        }
        let per_object = (rss_kib().saturating_sub(before)) as f64 * 1024.0 / 10_000.0;
        println!("memory per idle object (server and client in one process): {per_object:.0} bytes");

        // Memory per connection: 200 more clients, each with a connection.
        let before = rss_kib();
        let mut conns = Vec::new();
        for _ in 0..200 {
            conns.push(Client::connect(resolver).await.expect("connect"));
        }
        let per_conn = (rss_kib().saturating_sub(before)) as f64 * 1024.0 / 200.0;
        println!("memory per idle connection (both ends): {per_conn:.0} bytes");
        drop(held);
    });
}
