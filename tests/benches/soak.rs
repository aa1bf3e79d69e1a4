//! Soak: 64 concurrent DCOM clients make 100,000 mixed ORPC calls against
//! one server, pinging as they go; every answer is checked. Then every
//! proxy is dropped: no object may be left. A second round shows whether
//! memory stays flat.
//!
//! `cargo bench -p msrpc-tests --bench soak` (six rounds; `SOAK_ROUNDS=30`
//! for more)

#[path = "../../examples/calculator/mod.rs"]
mod calculator;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use calculator::idl::{ICalculatorClient, IStatisticsClient};
use msrpc::ndr::WString;
use msrpc::orpc::{ComPtr, DcomClient, DcomExporter, Machine, MachineConfig};
use msrpc::rpc::Client;

const CLIENTS: usize = 64;
const CALLS: usize = 100_000;

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count())
}

fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    pages * 4
}

/// One round: returns (calls made, errors, seconds).
async fn round(resolver: std::net::SocketAddr, exporter: &DcomExporter) -> (u64, u64, f64) {
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for k in 0..CLIENTS {
        let (done, errors) = (done.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let client = DcomClient::connect(resolver).await.expect("client");
            let calc: ComPtr<ICalculatorClient<Client>> = client
                .create_instance(calculator::CLSID_CALCULATOR)
                .await
                .expect("activates");
            let per = CALLS / CLIENTS;
            let mut served = 0u32;
            for i in 0..per {
                let ok = match i % 4 {
                    0 => calc
                        .add(k as i32, i as i32)
                        .await
                        .is_ok_and(|r| r.sum == (k + i) as i32),
                    1 => calc
                        .concat(WString::from("a"), WString::from("b"))
                        .await
                        .is_ok_and(|r| r.joined == Some(WString::from("ab"))),
                    2 => calc.sum(vec![1, 2, 3]).await.is_ok_and(|r| r.total == 6),
                    _ => match calc.query::<IStatisticsClient<Client>>().await {
                        Ok(s) => s.count().await.is_ok_and(|r| r.calls == served),
                        Err(_) => false,
                    },
                };
                if i % 4 != 3 {
                    served += 1;
                }
                if i % 500 == 0 && client.ping().await.is_err() {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                done.fetch_add(1, Ordering::Relaxed);
            }
            drop(calc);
            client.flush_releases().await;
        }));
    }
    for t in tasks {
        t.await.expect("client task");
    }
    let _ = exporter;
    (
        done.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        start.elapsed().as_secs_f64(),
    )
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
        // SOAK_ROUNDS=30 for a longer look at memory.
        let rounds: u32 = std::env::var("SOAK_ROUNDS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(6);
        for r in 1..=rounds {
            let (before, fds) = (rss_kib(), open_fds());
            let (calls, errors, secs) = round(resolver, &exporter).await;
            // Closed connections finish closing on the server's side.
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            println!(
                "round {r}: {calls} calls from {CLIENTS} clients in {secs:.2} s ({:.0}/s), {errors} errors, {} objects left, RSS {} -> {} KiB, open files {} -> {}",
                calls as f64 / secs,
                exporter.objects(),
                before,
                rss_kib(),
                fds,
                open_fds()
            );
            assert_eq!(errors, 0);
            assert_eq!(exporter.objects(), 0, "every object released");
        }
    });
}
