//! Interop with impacket (PyPI), an independent DCE/RPC implementation
//! tested for years against Windows; `.ci/run` installs it. Its client
//! binds to our server and calls tests/fixtures/rpc_test.idl's interface,
//! declared on the Python side with its own NDR classes
//! (tests/interop/impacket_rpc.py); and our client's request stub data
//! must equal the bytes impacket builds for the same calls.

#[path = "../examples/calculator/mod.rs"]
mod calculator;

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod rpc_test {
    include!(concat!(env!("OUT_DIR"), "/rpc_test.rs"));
}

use std::process::Command;

use oxidl::ndr::{to_bytes, WString};
use oxidl::rpc::{CallContext, Fault, Server};
use oxidl_tests::workspace;
use rpc_test::i_test_rpc::*;
use rpc_test::*;

/// `python3 tests/interop/impacket_rpc.py ARGS`, or `None` without impacket.
fn impacket(args: &[&str]) -> Option<std::process::Output> {
    python("impacket_rpc.py", args)
}

/// `python3 tests/interop/SCRIPT ARGS`, or `None` without impacket.
fn python(script: &str, args: &[&str]) -> Option<std::process::Output> {
    let have = Command::new("python3")
        .args(["-c", "import impacket"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install impacket (pip install impacket)"
        );
        eprintln!("skipped: impacket is not installed (pip install impacket)");
        return None;
    }
    let script = workspace().join("tests/interop").join(script);
    Some(
        Command::new("python3")
            .arg(script)
            .args(args)
            .output()
            .expect("python3 runs"),
    )
}

struct Impl;

impl ITestRpcServer for Impl {
    async fn add(&self, _: &CallContext, a: i32, b: i32) -> Result<AddResponse, Fault> {
        Ok(AddResponse {
            sum: a + b,
            return_value: 0,
        })
    }
    async fn greet(&self, _: &CallContext, name: WString) -> Result<GreetResponse, Fault> {
        let text = format!("hello, {}", name.to_string_lossy());
        Ok(GreetResponse {
            greeting: Some(WString::from(text.as_str())),
            return_value: 0,
        })
    }
    async fn sum(&self, _: &CallContext, values: Vec<i32>) -> Result<SumResponse, Fault> {
        Ok(SumResponse {
            total: values.iter().map(|&v| i64::from(v)).sum(),
            return_value: values.len() as i32,
        })
    }
    async fn echo(&self, _: &CallContext, request: BUFFER) -> Result<EchoResponse, Fault> {
        let data = request.data.map(|mut d| {
            d.reverse();
            d
        });
        Ok(EchoResponse {
            reply: BUFFER { data },
            return_value: 0,
        })
    }
    async fn find(
        &self,
        _: &CallContext,
        hint: Option<Box<ITEM>>,
        items: Vec<ITEM>,
    ) -> Result<FindResponse, Fault> {
        let want = hint.map_or(0, |h| h.id);
        let found = items.into_iter().find(|i| i.id == want).unwrap_or_default();
        Ok(FindResponse {
            found,
            return_value: 0,
        })
    }
    async fn bump(
        &self,
        _: &CallContext,
        counter: i32,
        maybe: Option<Box<i32>>,
    ) -> Result<BumpResponse, Fault> {
        Ok(BumpResponse {
            counter: counter + 1,
            maybe: maybe.map(|m| Box::new(*m * 10)),
        })
    }
    async fn panic(&self, _: &CallContext) -> Result<PanicResponse, Fault> {
        Err(Fault::new(oxidl::rpc::status::NCA_S_FAULT_UNSPEC))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impacket_binds_to_our_server_and_calls_every_method() {
    let server = Server::new()
        .add_interface(ITestRpcStub::new(Impl))
        .bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = server.local_addr().port().to_string();
    let out = tokio::task::spawn_blocking(move || impacket(&["call", "127.0.0.1", &port]))
        .await
        .expect("join");
    server.shutdown().await;
    let Some(out) = out else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "impacket's calls failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for method in ["Add", "Greet", "Sum", "Echo", "Find", "Bump", "opnum 99"] {
        assert!(
            stdout.contains(&format!("ok {method}\n")),
            "{method}:\n{stdout}"
        );
    }
}

fn item(id: i32, name: &str) -> ITEM {
    ITEM {
        id,
        name: Some(WString::from(name)),
    }
}

#[test]
fn our_request_stub_data_is_the_bytes_impacket_builds() {
    let Some(out) = impacket(&["stubs"]) else {
        return;
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ours = [
        ("add", to_bytes(&AddRequest { a: 2, b: 3 })),
        (
            "greet",
            to_bytes(&GreetRequest {
                name: WString::from("oxidl"),
            }),
        ),
        (
            "sum",
            to_bytes(&SumRequest {
                values: vec![1, 2, 3, -10],
            }),
        ),
        (
            "echo",
            to_bytes(&EchoRequest {
                request: BUFFER {
                    data: Some(b"abc".to_vec()),
                },
            }),
        ),
        (
            "find",
            to_bytes(&FindRequest {
                hint: Some(Box::new(item(2, ""))),
                items: vec![item(1, "one"), item(2, "two")],
            }),
        ),
        (
            "bump",
            to_bytes(&BumpRequest {
                counter: 41,
                maybe: Some(Box::new(5)),
            }),
        ),
    ];
    for (name, bytes) in ours {
        let hex = theirs[name].as_str().expect("a hex string");
        let want: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect();
        oxidl_tests::assert_same_wire(name, &bytes, &want);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impacket_activates_calls_queries_pings_and_releases_our_calculator() {
    use oxidl::orpc::{Machine, MachineConfig};
    let machine = Machine::new(MachineConfig::new("127.0.0.1"));
    let resolver = machine
        .start_resolver("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("resolver");
    let exporter = machine
        .start_exporter("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("exporter");
    exporter.register_class(calculator::CLSID_CALCULATOR, calculator::factory());
    let port = resolver.port().to_string();
    let out =
        tokio::task::spawn_blocking(move || python("impacket_dcom.py", &["127.0.0.1", &port]))
            .await
            .expect("join");
    let Some(out) = out else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "impacket's DCOM client failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "ServerAlive2",
        "CoCreateInstanceEx",
        "Add",
        "Concat",
        "Sum",
        "RemQueryInterface",
        "Count",
        "ComplexPing",
        "SimplePing",
        "RemRelease",
        "Add after RemRelease",
    ] {
        assert!(
            stdout.contains(&format!("ok {step}\n")),
            "{step}:\n{stdout}"
        );
    }
    // impacket released one reference of the five IStatistics came with,
    // and never the calculator's: the object lives on.
    assert_eq!(exporter.objects(), 1);
}
