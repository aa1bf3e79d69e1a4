//! The connection state machines driven directly, bytes in and bytes out,
//! as the sans-IO design intends: one test per rule of C706 chapter 12 and
//! MS-RPCE 2.2.2 / 3.3.1.5.

use super::*;
use crate::rpc::pdu::{reason, result, ContextElem};
use crate::rpc::{status, SyntaxId, NDR20, NDR64};

const IFACE: SyntaxId = SyntaxId {
    uuid: uuid::Uuid::from_u128(0x6f5ac3c4_3a0b_4c0e_9d2d_1b8f3b1c7e01),
    major: 1,
    minor: 0,
};

fn serves(s: &SyntaxId) -> bool {
    *s == IFACE
}

/// Every PDU in `bytes`.
fn pdus(bytes: Vec<u8>) -> Vec<Pdu> {
    let mut buf = InBuf::default();
    buf.extend(&bytes);
    let mut out = Vec::new();
    while let Some(frag) = buf.next_fragment(usize::MAX) {
        let (_, pdu) = frag.expect("valid output");
        out.push(pdu.expect("valid PDU"));
    }
    assert!(buf.rest().is_empty(), "a partial PDU was left over");
    out
}

fn server() -> ServerConn {
    ServerConn::new(Limits::default(), 0x1234, "135".into())
}

/// A server and a client that completed bind for IFACE.
fn bound(limits: Limits) -> (ServerConn, ClientConn) {
    let mut s = ServerConn::new(limits, 0x1234, "135".into());
    let mut c = ClientConn::new(limits);
    c.bind(IFACE, &[NDR20]);
    s.receive(&c.take_output());
    assert_eq!(s.poll(&serves), None);
    c.receive(&s.take_output());
    assert!(matches!(
        c.poll(),
        Some(ClientEvent::Bound { accepted: true, .. })
    ));
    (s, c)
}

fn bind_bytes(transfer: Vec<SyntaxId>, abstract_syntax: SyntaxId) -> Vec<u8> {
    Pdu {
        header: Header::single(PacketType::Bind, 1),
        auth: None,
        body: Body::Bind {
            max_xmit_frag: 4280,
            max_recv_frag: 4280,
            assoc_group_id: 0,
            contexts: vec![ContextElem {
                context_id: 0,
                abstract_syntax,
                transfer_syntaxes: transfer,
            }],
        },
    }
    .to_bytes()
}

fn results(p: &Pdu) -> Vec<pdu::ContextResult> {
    match &p.body {
        Body::BindAck { results, .. } => results.clone(),
        b => panic!("expected bind_ack, got {b:?}"),
    }
}

#[test]
fn bind_accepts_ndr20_and_negotiates_the_smaller_fragment_size() {
    let mut s = server();
    s.receive(&bind_bytes(vec![NDR64, NDR20], IFACE));
    assert_eq!(s.poll(&serves), None);
    let out = pdus(s.take_output());
    let Body::BindAck {
        max_xmit_frag,
        assoc_group_id,
        sec_addr,
        ..
    } = &out[0].body
    else {
        panic!("{out:?}")
    };
    assert_eq!((*max_xmit_frag, *assoc_group_id), (4280, 0x1234));
    assert_eq!(sec_addr, "135");
    let r = results(&out[0]);
    assert_eq!(
        (r[0].result, r[0].transfer_syntax),
        (result::ACCEPTANCE, NDR20)
    );
}

#[test]
fn an_ndr64_only_proposal_is_a_provider_rejection() {
    let mut s = server();
    s.receive(&bind_bytes(vec![NDR64], IFACE));
    s.poll(&serves);
    let r = results(&pdus(s.take_output())[0]);
    assert_eq!(r[0].result, result::PROVIDER_REJECTION);
    assert_eq!(
        r[0].reason,
        reason::PROPOSED_TRANSFER_SYNTAXES_NOT_SUPPORTED
    );
}

#[test]
fn an_unknown_interface_is_rejected_as_abstract_syntax_not_supported() {
    let mut s = server();
    let other = SyntaxId { major: 2, ..IFACE };
    s.receive(&bind_bytes(vec![NDR20], other));
    s.poll(&serves);
    let r = results(&pdus(s.take_output())[0]);
    assert_eq!(
        (r[0].result, r[0].reason),
        (
            result::PROVIDER_REJECTION,
            reason::ABSTRACT_SYNTAX_NOT_SUPPORTED
        )
    );
}

#[test]
fn bind_time_feature_negotiation_is_acknowledged() {
    // MS-RPCE 3.3.1.5.3: 6cb71c2c-9812-4540-0300-..., both features asked.
    let btfn = SyntaxId {
        uuid: uuid::Uuid::from_u128(0x6cb71c2c_9812_4540_0300_000000000000),
        major: 1,
        minor: 0,
    };
    let mut s = server();
    s.receive(&bind_bytes(vec![btfn], IFACE));
    s.poll(&serves);
    let r = results(&pdus(s.take_output())[0]);
    // Only "keep the connection on orphan" is agreed to.
    assert_eq!((r[0].result, r[0].reason), (result::NEGOTIATE_ACK, 0x02));
}

#[test]
fn a_second_bind_is_answered_like_the_first() {
    // impacket's DCOM client binds again on a live connection.
    let (mut s, mut c) = bound(Limits::default());
    s.receive(&bind_bytes(vec![NDR20], IFACE));
    assert_eq!(s.poll(&serves), None);
    let out = pdus(s.take_output());
    assert_eq!(out[0].header.ptype, PacketType::BindAck);
    c.request(0, 1, None, &[0; 8]);
    s.receive(&c.take_output());
    assert!(matches!(s.poll(&serves), Some(ServerEvent::Call(_))));
}

#[test]
fn a_request_before_bind_gets_a_protocol_fault_and_a_close() {
    let mut s = server();
    let mut c = ClientConn::new(Limits::default());
    c.request(0, 0, None, &[0; 8]);
    s.receive(&c.take_output());
    assert_eq!(
        s.poll(&serves),
        Some(ServerEvent::Close(ProtocolError::NotBound))
    );
    let out = pdus(s.take_output());
    assert!(
        matches!(out[0].body, Body::Fault { status, .. } if status == status::NCA_S_PROTO_ERROR)
    );
}

#[test]
fn fragments_carry_multiples_of_eight_and_reassemble() {
    let limits = Limits {
        max_frag: 100,
        ..Limits::default()
    };
    let (mut s, mut c) = bound(limits);
    let stub: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    let object = uuid::Uuid::from_u128(42);
    let call_id = c.request(0, 7, Some(object), &stub);
    let bytes = c.take_output();
    let frags = pdus(bytes.clone());
    assert!(frags.len() > 10);
    for (i, f) in frags.iter().enumerate() {
        let Body::Request {
            stub: part,
            alloc_hint,
            ..
        } = &f.body
        else {
            panic!("{f:?}")
        };
        let last = i + 1 == frags.len();
        assert!(usize::from(f.header.frag_length) <= 100);
        assert_eq!(f.header.flags & pdu::PFC_FIRST_FRAG != 0, i == 0);
        assert_eq!(f.header.flags & pdu::PFC_LAST_FRAG != 0, last);
        assert_ne!(f.header.flags & pdu::PFC_OBJECT_UUID, 0);
        assert!(last || part.len() % 8 == 0);
        assert!(*alloc_hint as usize <= stub.len());
    }
    // Byte by byte, as a slow network might deliver them.
    let mut event = None;
    for b in bytes {
        s.receive(&[b]);
        if let Some(e) = s.poll(&serves) {
            event = Some(e);
        }
    }
    let Some(ServerEvent::Call(call)) = event else {
        panic!("no call")
    };
    assert_eq!(
        (call.call_id, call.opnum, call.object),
        (call_id, 7, Some(object))
    );
    assert_eq!(call.stub, stub);

    // And the response, fragmented the other way, reassembles at the client.
    let reply: Vec<u8> = (0..777u32).map(|i| (i * 3) as u8).collect();
    s.respond(call.call_id, call.context_id, Ok(reply.clone()));
    let out = s.take_output();
    assert!(pdus(out.clone()).len() > 5);
    c.receive(&out);
    assert_eq!(
        c.poll(),
        Some(ClientEvent::Response {
            call_id,
            stub: reply
        })
    );
}

#[test]
fn a_fragment_longer_than_negotiated_closes_with_a_fault() {
    let (mut s, _) = bound(Limits {
        max_frag: 200,
        ..Limits::default()
    });
    let mut big = ClientConn::new(Limits::default());
    big.request(0, 0, None, &[0; 400]);
    s.receive(&big.take_output());
    assert!(matches!(
        s.poll(&serves),
        Some(ServerEvent::Close(ProtocolError::FragTooLong { .. }))
    ));
    let out = pdus(s.take_output());
    assert!(
        matches!(out[0].body, Body::Fault { status, .. } if status == status::NCA_S_PROTO_ERROR)
    );
}

#[test]
fn a_middle_fragment_without_a_first_is_a_protocol_error() {
    let (mut s, _) = bound(Limits::default());
    let mut frag = Pdu {
        header: Header::single(PacketType::Request, 9),
        auth: None,
        body: Body::Request {
            alloc_hint: 0,
            context_id: 0,
            opnum: 0,
            object: None,
            stub: vec![0; 8],
        },
    };
    frag.header.flags = pdu::PFC_LAST_FRAG;
    s.receive(&frag.to_bytes());
    assert_eq!(
        s.poll(&serves),
        Some(ServerEvent::Close(ProtocolError::NoFirstFragment(9)))
    );
}

#[test]
fn faults_reach_the_call_they_answer() {
    let (mut s, mut c) = bound(Limits::default());
    let first = c.request(0, 1, None, &[1; 8]);
    let second = c.request(0, 2, None, &[2; 8]);
    s.receive(&c.take_output());
    let (Some(ServerEvent::Call(a)), Some(ServerEvent::Call(b))) =
        (s.poll(&serves), s.poll(&serves))
    else {
        panic!("two calls")
    };
    // Answered out of order.
    s.respond(b.call_id, b.context_id, Err(status::NCA_S_OP_RNG_ERROR));
    s.respond(a.call_id, a.context_id, Ok(vec![9; 4]));
    c.receive(&s.take_output());
    assert_eq!(
        c.poll(),
        Some(ClientEvent::Fault {
            call_id: second,
            status: status::NCA_S_OP_RNG_ERROR
        })
    );
    assert_eq!(
        c.poll(),
        Some(ClientEvent::Response {
            call_id: first,
            stub: vec![9; 4]
        })
    );
}

#[test]
fn alter_context_adds_a_context_on_the_same_association() {
    let (mut s, mut c) = bound(Limits::default());
    let second = SyntaxId { minor: 1, ..IFACE };
    c.bind(second, &[NDR20]);
    s.receive(&c.take_output());
    assert_eq!(s.poll(&|x| *x == IFACE || *x == second), None);
    let out = s.take_output();
    assert_eq!(
        pdus(out.clone())[0].header.ptype,
        PacketType::AlterContextResp
    );
    c.receive(&out);
    assert!(matches!(
        c.poll(),
        Some(ClientEvent::Bound { accepted: true, .. })
    ));
    assert_eq!(c.context(&second), Some(1));
}

#[test]
fn too_many_outstanding_calls_close_the_connection() {
    let limits = Limits {
        max_calls: 2,
        ..Limits::default()
    };
    let (mut s, mut c) = bound(limits);
    for _ in 0..3 {
        c.request(0, 0, None, &[0; 8]);
    }
    s.receive(&c.take_output());
    assert!(matches!(s.poll(&serves), Some(ServerEvent::Call(_))));
    assert!(matches!(s.poll(&serves), Some(ServerEvent::Call(_))));
    assert_eq!(
        s.poll(&serves),
        Some(ServerEvent::Close(ProtocolError::TooManyCalls(2)))
    );
}

#[test]
fn arbitrary_bytes_never_panic_the_server() {
    // A cheap deterministic generator: the fuzz targets go further.
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for _ in 0..2000 {
        let (mut s, _) = bound(Limits::default());
        let mut bytes = bind_bytes(vec![NDR20], IFACE);
        for b in bytes.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x % 7 == 0 {
                *b = x as u8;
            }
        }
        s.receive(&bytes);
        while let Some(e) = s.poll(&serves) {
            if matches!(e, ServerEvent::Close(_)) {
                break;
            }
        }
        let _ = s.take_output();
    }
}

#[test]
fn a_bind_that_asks_for_authentication_gets_bind_nak_until_a_provider_exists() {
    let mut bytes = bind_bytes(vec![NDR20], IFACE);
    // sec_trailer: NTLMSSP (10), level connect (2), then a 4-byte token.
    bytes.extend_from_slice(&[10, 2, 0, 0, 0, 0, 0, 0, b'N', b'T', b'L', b'M']);
    let len = bytes.len() as u16;
    bytes[8..10].copy_from_slice(&len.to_le_bytes());
    bytes[10..12].copy_from_slice(&4u16.to_le_bytes());
    let mut s = server();
    s.receive(&bytes);
    assert_eq!(
        s.poll(&serves),
        Some(ServerEvent::Close(ProtocolError::Unauthenticated))
    );
    let out = pdus(s.take_output());
    assert!(matches!(
        out[0].body,
        Body::BindNak { reason, .. } if reason == pdu::reject::AUTHENTICATION_TYPE_NOT_RECOGNIZED
    ));
}

#[test]
fn the_auth_verifier_is_parsed_for_a_provider() {
    let mut bytes = bind_bytes(vec![NDR20], IFACE);
    bytes.extend_from_slice(&[10, 6, 0, 0, 7, 0, 0, 0, 1, 2, 3]);
    let len = bytes.len() as u16;
    bytes[8..10].copy_from_slice(&len.to_le_bytes());
    bytes[10..12].copy_from_slice(&3u16.to_le_bytes());
    let p = pdus(bytes).remove(0);
    let a = p.auth.expect("a verifier");
    assert_eq!((a.auth_type, a.auth_level, a.auth_context_id), (10, 6, 7));
    assert_eq!(a.auth_value, [1, 2, 3]);
    assert!(matches!(p.body, Body::Bind { .. }));
}
