//! DCE/RPC end to end over loopback TCP: tests/fixtures/rpc_test.idl's
//! interface, served through its generated trait and called through its
//! generated proxy; fragmentation, concurrency, and hostile PDUs.

#[path = "common/test_rpc.rs"]
mod test_rpc;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use msrpc::ndr::WString;
use msrpc::rpc::conn::Limits;
use msrpc::rpc::pdu::{self, Body, ContextElem, Header, PacketType, Pdu};
use msrpc::rpc::{status, CallError, Channel, Client, Server, ServerHandle};
use test_rpc::rpc_test::*;
use test_rpc::TestRpc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn serve(limits: Limits) -> (ServerHandle, Arc<TestRpc>) {
    let imp = Arc::new(TestRpc::default());
    let server = Server::new()
        .limits(limits)
        .add_interface(ITestRpcStub(imp.clone()))
        .bind("127.0.0.1:0")
        .await
        .expect("bind");
    (server, imp)
}

async fn client(server: &ServerHandle, limits: Limits) -> ITestRpcClient<Client> {
    let c = Client::connect_with(server.local_addr(), limits)
        .await
        .expect("connect");
    ITestRpcClient::new(c)
}

fn item(id: i32, name: &str) -> ITEM {
    ITEM {
        id,
        name: Some(WString::from(name)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_answers_through_the_generated_proxy() {
    let (server, _) = serve(Limits::default()).await;
    let c = client(&server, Limits::default()).await;

    let r = c.add(2, 3).await.expect("add");
    assert_eq!((r.sum, r.return_value), (5, 0));

    let r = c.greet(WString::from("msrpc")).await.expect("greet");
    assert_eq!(r.greeting, Some(WString::from("hello, msrpc")));

    let r = c.sum(vec![1, 2, 3, -10]).await.expect("sum");
    assert_eq!((r.total, r.return_value), (-4, 4));

    let r = c
        .echo(BUFFER {
            data: Some(b"abc".to_vec()),
        })
        .await
        .expect("echo");
    assert_eq!(r.reply.data.as_deref(), Some(&b"cba"[..]));

    let items = vec![item(1, "one"), item(2, "two"), item(3, "three")];
    let r = c
        .find(Some(Box::new(item(2, ""))), items.clone())
        .await
        .expect("find");
    assert_eq!(r.found, item(2, "two"));
    let r = c.find(None, items).await.expect("find with a null hint");
    assert_eq!(r.return_value, 2);

    let r = c.bump(41, Some(Box::new(5))).await.expect("bump");
    assert_eq!((r.counter, r.maybe), (42, Some(Box::new(50))));
    let r = c.bump(0, None).await.expect("bump with null");
    assert_eq!((r.counter, r.maybe), (1, None));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_method_is_a_fault_and_the_server_lives_on() {
    let (server, _) = serve(Limits::default()).await;
    let c = client(&server, Limits::default()).await;
    match c.panic().await {
        Err(CallError::Fault(f)) => assert_eq!(f.status, status::NCA_S_FAULT_UNSPEC),
        other => panic!("expected a fault, got {other:?}"),
    }
    assert_eq!(c.add(1, 1).await.expect("still serving").sum, 2);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_opnum_and_bad_stub_data_get_their_faults() {
    let (server, _) = serve(Limits::default()).await;
    let c = Client::connect(server.local_addr()).await.expect("connect");
    let fault = |r: Result<Vec<u8>, CallError>| match r {
        Err(CallError::Fault(f)) => f.status,
        other => panic!("expected a fault, got {other:?}"),
    };
    let r = c.call(ITestRpc::SYNTAX, 99, None, vec![]).await;
    assert_eq!(fault(r), status::NCA_S_OP_RNG_ERROR);
    // Add wants two longs; three bytes is not stub data for it.
    let r = c.call(ITestRpc::SYNTAX, 0, None, vec![1, 2, 3]).await;
    assert_eq!(fault(r), status::NCA_S_FAULT_NDR);
    // A count promising more than the request holds.
    let r = c
        .call(
            ITestRpc::SYNTAX,
            2,
            None,
            vec![0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f],
        )
        .await;
    assert_eq!(fault(r), status::NCA_S_FAULT_NDR);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interface_the_server_does_not_serve_is_refused_at_bind() {
    let (server, _) = serve(Limits::default()).await;
    let c = Client::connect(server.local_addr()).await.expect("connect");
    let other = msrpc::rpc::SyntaxId {
        uuid: uuid::Uuid::from_u128(7),
        major: 1,
        minor: 0,
    };
    match c.call(other, 0, None, vec![]).await {
        Err(CallError::BindRejected(why)) => assert!(why.contains("reason 1"), "{why}"),
        r => panic!("expected a rejection, got {r:?}"),
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn megabytes_cross_in_tiny_fragments_both_ways() {
    let tiny = Limits {
        max_frag: 128,
        ..Limits::default()
    };
    let (server, _) = serve(tiny).await;
    let c = client(&server, tiny).await;
    let data: Vec<u8> = (0..3 * 1024 * 1024 + 5)
        .map(|i| (i * 7 % 251) as u8)
        .collect();
    let r = c
        .echo(BUFFER {
            data: Some(data.clone()),
        })
        .await
        .expect("echo");
    let mut want = data;
    want.reverse();
    assert!(r.reply.data == Some(want), "the payload came back altered");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_the_reassembly_limit_is_refused_and_the_connection_lives() {
    let small = Limits {
        max_message: 64 * 1024,
        ..Limits::default()
    };
    let (server, _) = serve(small).await;
    let c = client(&server, Limits::default()).await;
    match c
        .echo(BUFFER {
            data: Some(vec![0; 100_000]),
        })
        .await
    {
        Err(CallError::Fault(f)) => assert_eq!(f.status, status::NCA_S_FAULT_REMOTE_NO_MEMORY),
        r => panic!("expected a fault, got {r:?}"),
    }
    assert_eq!(c.add(20, 22).await.expect("same connection").sum, 42);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_and_overlapping_calls_each_get_their_own_answer() {
    let (server, imp) = serve(Limits::default()).await;
    let mut tasks = Vec::new();
    for k in 0..16 {
        let c = client(&server, Limits::default()).await;
        tasks.push(tokio::spawn(async move {
            // Calls on one connection overlap: all are sent before any answer is awaited.
            let calls = (0..50).map(|i| {
                let c = c.clone();
                async move { (i, c.add(k * 1000, i).await) }
            });
            for (i, r) in futures_join(calls).await {
                assert_eq!(r.expect("add").sum, k * 1000 + i);
            }
        }));
    }
    for t in tasks {
        t.await.expect("client task");
    }
    assert_eq!(imp.calls.load(Ordering::Relaxed), 16 * 50);
    server.shutdown().await;
}

/// Runs futures at once on the current task's runtime, keeping their order.
async fn futures_join<F: std::future::Future + Send + 'static>(
    fs: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

// ------------------------------------------------------------ hostile PDUs

fn bind_pdu(call_id: u32, transfer: Vec<msrpc::rpc::SyntaxId>) -> Vec<u8> {
    Pdu {
        header: Header::single(PacketType::Bind, call_id),
        auth: None,
        body: Body::Bind {
            max_xmit_frag: 4280,
            max_recv_frag: 4280,
            assoc_group_id: 0,
            contexts: vec![ContextElem {
                context_id: 0,
                abstract_syntax: ITestRpc::SYNTAX,
                transfer_syntaxes: transfer,
            }],
        },
    }
    .to_bytes()
}

fn request_pdu(call_id: u32, context_id: u16, opnum: u16, stub: Vec<u8>) -> Vec<u8> {
    Pdu {
        header: Header::single(PacketType::Request, call_id),
        auth: None,
        body: Body::Request {
            alloc_hint: stub.len() as u32,
            context_id,
            opnum,
            object: None,
            stub,
        },
    }
    .to_bytes()
}

/// Reads one PDU, or `None` once the server has closed the connection.
async fn read_pdu(s: &mut TcpStream) -> Option<Pdu> {
    let mut head = [0u8; pdu::HEADER_LEN];
    s.read_exact(&mut head).await.ok()?;
    let h = pdu::parse_header(&head).expect("the server sends valid headers");
    let mut frag = head.to_vec();
    frag.resize(usize::from(h.frag_length), 0);
    s.read_exact(&mut frag[pdu::HEADER_LEN..]).await.ok()?;
    Some(Pdu::parse(h, &frag).expect("the server sends valid PDUs"))
}

async fn bound_socket(server: &ServerHandle) -> TcpStream {
    let mut s = TcpStream::connect(server.local_addr())
        .await
        .expect("connect");
    s.write_all(&bind_pdu(1, vec![msrpc::rpc::NDR20]))
        .await
        .expect("send");
    let ack = read_pdu(&mut s).await.expect("bind_ack");
    assert_eq!(ack.header.ptype, PacketType::BindAck);
    s
}

fn fault_status(p: &Pdu) -> u32 {
    match p.body {
        Body::Fault { status, .. } => status,
        _ => panic!("expected a fault, got {p:?}"),
    }
}

/// While `hostile` runs against the server, a well-behaved client keeps
/// being served.
async fn with_bystander(server: &ServerHandle, hostile: impl std::future::Future<Output = ()>) {
    let c = client(server, Limits::default()).await;
    hostile.await;
    assert_eq!(c.add(1, 2).await.expect("the bystander is served").sum, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frag_length_shorter_than_a_header_closes_the_connection() {
    let (server, _) = serve(Limits::default()).await;
    with_bystander(&server, async {
        let mut s = bound_socket(&server).await;
        let mut bad = request_pdu(2, 0, 0, vec![0; 8]);
        bad[8..10].copy_from_slice(&10u16.to_le_bytes());
        s.write_all(&bad).await.expect("send");
        assert!(read_pdu(&mut s).await.is_none(), "the server closes");
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_fragment_gets_a_protocol_fault_and_a_close() {
    let (server, _) = serve(Limits::default()).await;
    with_bystander(&server, async {
        let mut s = bound_socket(&server).await;
        let mut big = request_pdu(2, 0, 0, vec![0; 8]);
        big[8..10].copy_from_slice(&60000u16.to_le_bytes());
        s.write_all(&big).await.expect("send");
        let f = read_pdu(&mut s).await.expect("a fault");
        assert_eq!(fault_status(&f), status::NCA_S_PROTO_ERROR);
        assert!(read_pdu(&mut s).await.is_none(), "then the server closes");
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_context_id_gets_a_fault_and_the_connection_lives() {
    let (server, _) = serve(Limits::default()).await;
    with_bystander(&server, async {
        let mut s = bound_socket(&server).await;
        s.write_all(&request_pdu(2, 9, 0, vec![0; 8]))
            .await
            .expect("send");
        let f = read_pdu(&mut s).await.expect("a fault");
        assert_eq!(fault_status(&f), status::NCA_S_UNK_IF);
        assert_ne!(f.header.flags & pdu::PFC_DID_NOT_EXECUTE, 0);
        // The same connection still serves context 0.
        let mut stub = 5i32.to_le_bytes().to_vec();
        stub.extend_from_slice(&6i32.to_le_bytes());
        s.write_all(&request_pdu(3, 0, 0, stub))
            .await
            .expect("send");
        let r = read_pdu(&mut s).await.expect("a response");
        match r.body {
            Body::Response { stub, .. } => assert_eq!(stub[..4], 11i32.to_le_bytes()),
            _ => panic!("expected a response, got {r:?}"),
        }
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_header_then_hanging_up_harms_nobody() {
    let (server, _) = serve(Limits::default()).await;
    with_bystander(&server, async {
        let mut s = TcpStream::connect(server.local_addr())
            .await
            .expect("connect");
        s.write_all(&bind_pdu(1, vec![msrpc::rpc::NDR20])[..10])
            .await
            .expect("send");
        drop(s);
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bind_in_another_rpc_version_gets_bind_nak() {
    let (server, _) = serve(Limits::default()).await;
    with_bystander(&server, async {
        let mut s = TcpStream::connect(server.local_addr())
            .await
            .expect("connect");
        let mut b = bind_pdu(1, vec![msrpc::rpc::NDR20]);
        b[0] = 4;
        s.write_all(&b).await.expect("send");
        let nak = read_pdu(&mut s).await.expect("bind_nak");
        assert_eq!(
            nak.body,
            Body::BindNak {
                reason: pdu::reject::PROTOCOL_VERSION_NOT_SUPPORTED,
                versions: vec![(5, 0)],
            }
        );
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_after_a_request_header_gets_a_fault() {
    let (server, _) = serve(Limits::default()).await;
    with_bystander(&server, async {
        let mut s = bound_socket(&server).await;
        // A request header that claims 20 bytes: too short for its own fields.
        let mut r = request_pdu(2, 0, 0, vec![]);
        r.truncate(20);
        r[8..10].copy_from_slice(&20u16.to_le_bytes());
        s.write_all(&r).await.expect("send");
        let f = read_pdu(&mut s).await.expect("a fault");
        assert_eq!(fault_status(&f), status::NCA_S_PROTO_ERROR);
    })
    .await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ndr64_only_proposal_gets_a_provider_rejection() {
    let (server, _) = serve(Limits::default()).await;
    let mut s = TcpStream::connect(server.local_addr())
        .await
        .expect("connect");
    s.write_all(&bind_pdu(1, vec![msrpc::rpc::NDR64]))
        .await
        .expect("send");
    let ack = read_pdu(&mut s).await.expect("bind_ack");
    let Body::BindAck { results, .. } = ack.body else {
        panic!("expected bind_ack, got {ack:?}");
    };
    assert_eq!(results[0].result, pdu::result::PROVIDER_REJECTION);
    assert_eq!(
        results[0].reason,
        pdu::reason::PROPOSED_TRANSFER_SYNTAXES_NOT_SUPPORTED
    );
    server.shutdown().await;
}
