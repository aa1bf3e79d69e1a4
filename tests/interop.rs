//! Interop with impacket (PyPI), an independent DCE/RPC implementation
//! tested for years against Windows; `.ci/run` installs it. Its client
//! binds to our server and calls tests/fixtures/rpc_test.idl's interface,
//! declared on the Python side with its own NDR classes
//! (tests/interop/impacket_rpc.py); and our client's request stub data
//! must equal the bytes impacket builds for the same calls.

#[path = "../examples/calculator/mod.rs"]
mod calculator;

#[path = "common/test_rpc.rs"]
mod test_rpc;

use std::process::Command;

use msrpc::ndr::{to_bytes, WString};
use msrpc::rpc::Server;
use msrpc_tests::workspace;
use test_rpc::rpc_test::i_test_rpc::*;
use test_rpc::rpc_test::*;
use test_rpc::TestRpc;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impacket_binds_to_our_server_and_calls_every_method() {
    let server = Server::new()
        .add_interface(ITestRpcStub::new(TestRpc::default()))
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
#[cfg_attr(not(has_impacket), ignore = "needs impacket: pip install impacket")]
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
                name: WString::from("msrpc"),
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
        msrpc_tests::assert_same_wire(name, &bytes, &want);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn impacket_activates_calls_queries_pings_and_releases_our_calculator() {
    use msrpc::orpc::{Machine, MachineConfig};
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
