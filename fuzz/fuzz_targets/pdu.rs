//! The connection state machines on hostile byte streams: the server's
//! (with every call answered) and the client's, fed in chunks the first
//! byte sizes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msrpc::rpc::conn::{ClientConn, ClientEvent, Limits, ServerConn, ServerEvent};

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, bytes)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk).max(1);
    let limits = Limits {
        max_frag: 256,
        max_message: 4096,
        max_calls: 4,
    };
    let mut server = ServerConn::new(limits, 1, "135".into());
    let mut client = ClientConn::new(limits);
    for part in bytes.chunks(chunk) {
        server.receive(part);
        while let Some(e) = server.poll(&|_| true) {
            match e {
                ServerEvent::Call(c) => server.respond(c.call_id, c.context_id, Ok(c.stub)),
                ServerEvent::Close(_) => break,
                _ => {}
            }
        }
        let _ = server.take_output();
        client.receive(part);
        while let Some(e) = client.poll() {
            if matches!(e, ClientEvent::Close(_)) {
                break;
            }
        }
    }
});
