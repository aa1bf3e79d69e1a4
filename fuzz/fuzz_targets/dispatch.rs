//! The DCOM server's whole dispatch path on hostile byte streams: PDUs
//! through a connection session to the resolver and activator, or to an
//! object exporter (IRemUnknown, IRemUnknown2 and an object's interface,
//! routed by IPID). The first byte picks the server and the chunk size;
//! the placeholders of `msrpc_fuzz` name the live object, OXID and set.
//! Whatever the stream did, the resolver and the exporter must still
//! answer a new client.
#![no_main]

use std::net::SocketAddr;

use libfuzzer_sys::fuzz_target;
use msrpc::dcom::{IObjectExporterClient, IRemUnknownClient};
use msrpc::uuid::Uuid;
use msrpc_fuzz::{block_on, drive, Harness, Loop};

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, rest)) = data.split_first() else {
        return;
    };
    let h = Harness::new();
    let bytes = h.to_live(rest);
    let server = if ctl & 1 == 0 {
        &h.resolver
    } else {
        &h.exporter_server
    };
    let peer = SocketAddr::from(([192, 0, 2, 1], 49152));
    let mut session = server.session(Some(peer), 135);
    let chunk = usize::from(ctl >> 1) * 16 + 1;
    for part in bytes.chunks(chunk) {
        session.receive(part);
        let open = drive(&mut session);
        let _ = session.take_output();
        if !open {
            break;
        }
    }
    let alive = IObjectExporterClient::new(Loop::new(&h.resolver));
    let r = block_on(alive.server_alive2()).expect("the resolver serves a new client");
    assert_eq!(r.return_value, 0);
    // The exporter answers too, on its IRemUnknown (the object the stream
    // may have released is not asked for).
    let rem = IRemUnknownClient::with_object(
        Loop::new(&h.exporter_server),
        h.exporter.ipid_rem_unknown(),
    );
    block_on(rem.rem_query_interface(Uuid::nil(), 1, 1, vec![Uuid::nil()]))
        .expect("the exporter serves a new client");
});
