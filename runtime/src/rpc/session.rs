//! One server connection with its dispatch, sans I/O: bytes go in, the
//! stub calls they carry come out as futures, and their answers go back
//! in. The tokio layer ([`super::Server`]) runs a session per socket;
//! tests and fuzzers run one over byte buffers, the whole path from a PDU
//! to a server method and back included.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::conn::{Limits, ProtocolError, ServerConn, ServerEvent};
use super::{status, BoxFuture, CallContext, Dispatch, Fault, SyntaxId};

/// Interfaces whose stubs come and go while the server runs (ORPC's, by
/// IID): asked after the fixed registry.
pub type Dynamic = Arc<dyn Fn(&SyntaxId) -> Option<Arc<dyn Dispatch>> + Send + Sync>;

/// The interfaces a server serves: stubs by syntax, then a dynamic lookup.
#[derive(Clone, Default)]
pub(crate) struct Registry {
    pub(crate) fixed: HashMap<SyntaxId, Arc<dyn Dispatch>>,
    pub(crate) dynamic: Option<Dynamic>,
}

impl Registry {
    fn get(&self, s: &SyntaxId) -> Option<Arc<dyn Dispatch>> {
        self.fixed
            .get(s)
            .cloned()
            .or_else(|| self.dynamic.as_ref().and_then(|d| d(s)))
    }
}

/// A call for the layer above to run: poll `future` to completion (or
/// drop it), then hand the outcome to [`Session::complete`].
pub struct Work {
    /// The call ID, which the answer carries back.
    pub call_id: u32,
    /// The presentation context of the call.
    pub context_id: u16,
    /// The stub's work, with a panic in it caught as `Err(())`.
    pub future: CatchPanic,
}

/// What a session asks of the layer above.
pub enum SessionEvent {
    /// Run this call.
    Call(Work),
    /// The connection cannot go on; send what [`Session::take_output`]
    /// holds (a fault or bind_nak, as the spec says), then close.
    Close(ProtocolError),
}

/// The server side of one connection, with the stubs its calls go to.
pub struct Session {
    conn: ServerConn,
    registry: Arc<Registry>,
    /// Stubs of the interfaces bound here, looked up once: a dynamic
    /// lookup may cost a scan.
    stubs: HashMap<SyntaxId, Arc<dyn Dispatch>>,
    peer: Option<SocketAddr>,
    /// Calls handed out and not yet completed (at most `max_calls`).
    running: HashSet<u32>,
    /// Running calls the client orphaned: their answers are not sent.
    orphaned: HashSet<u32>,
}

impl Session {
    pub(crate) fn new(
        registry: Arc<Registry>,
        limits: Limits,
        group: u32,
        port: String,
        peer: Option<SocketAddr>,
    ) -> Session {
        Session {
            conn: ServerConn::new(limits, group, port),
            registry,
            stubs: HashMap::new(),
            peer,
            running: HashSet::new(),
            orphaned: HashSet::new(),
        }
    }

    /// Takes bytes read from the client.
    pub fn receive(&mut self, bytes: &[u8]) {
        self.conn.receive(bytes);
    }

    /// Bytes to send to the client.
    pub fn take_output(&mut self) -> Vec<u8> {
        self.conn.take_output()
    }

    /// The next call to run, or the end of the connection; `None` once
    /// what has arrived is handled.
    pub fn poll(&mut self) -> Option<SessionEvent> {
        let registry = self.registry.clone();
        let serves = |s: &SyntaxId| registry.get(s).is_some();
        loop {
            match self.conn.poll(&serves)? {
                ServerEvent::Call(call) => {
                    let found = match self.stubs.get(&call.syntax) {
                        Some(s) => Some(s.clone()),
                        None => registry.get(&call.syntax).inspect(|s| {
                            self.stubs.insert(call.syntax, s.clone());
                        }),
                    };
                    let Some(stub) = found else {
                        self.conn
                            .respond(call.call_id, call.context_id, Err(status::NCA_S_UNK_IF));
                        continue;
                    };
                    let ctx = CallContext {
                        opnum: call.opnum,
                        object: call.object,
                        peer: self.peer,
                        ..CallContext::default()
                    };
                    tracing::debug!(
                        call_id = call.call_id,
                        opnum = call.opnum,
                        len = call.stub.len(),
                        "call"
                    );
                    self.running.insert(call.call_id);
                    return Some(SessionEvent::Call(Work {
                        call_id: call.call_id,
                        context_id: call.context_id,
                        future: CatchPanic(stub.dispatch(ctx, call.stub)),
                    }));
                }
                // Only a running call can be orphaned: the set stays as
                // small as the calls in flight, whatever a client sends.
                ServerEvent::Orphaned { call_id } if self.running.contains(&call_id) => {
                    self.orphaned.insert(call_id);
                }
                ServerEvent::Orphaned { .. } => {}
                ServerEvent::Cancel { .. } => {}
                ServerEvent::Close(e) => return Some(SessionEvent::Close(e)),
            }
        }
    }

    /// Answers a call from [`SessionEvent::Call`] with its future's
    /// outcome: the response, a fault, or (after a panic) nca_s_fault_unspec.
    /// A call the client orphaned meanwhile gets no answer.
    pub fn complete(&mut self, call_id: u32, context_id: u16, outcome: Outcome) {
        self.running.remove(&call_id);
        if self.orphaned.remove(&call_id) {
            self.conn.forget(call_id);
            return;
        }
        let answer = match outcome {
            Ok(r) => r.map_err(|f| f.status),
            Err(()) => {
                tracing::warn!(call_id, "server method panicked");
                Err(status::NCA_S_FAULT_UNSPEC)
            }
        };
        self.conn.respond(call_id, context_id, answer);
    }
}

/// A stub's result, or `Err(())` if it panicked.
pub type Outcome = Result<Result<Vec<u8>, Fault>, ()>;

/// Runs a stub's future, turning a panic in it into `Err(())`.
pub struct CatchPanic(BoxFuture<'static, Result<Vec<u8>, Fault>>);

impl Future for CatchPanic {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        // The future is dropped right after a panic, never polled again, so
        // no broken state it may hold is observed.
        let poll = std::panic::AssertUnwindSafe(|| self.0.as_mut().poll(cx));
        match std::panic::catch_unwind(poll) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(r)) => Poll::Ready(Ok(r)),
            Err(_) => Poll::Ready(Err(())),
        }
    }
}

impl CatchPanic {
    /// Polls once without a waker that matters: the outcome if the method
    /// finished without waiting, as most do.
    pub fn poll_now(&mut self) -> Option<Outcome> {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match Pin::new(self).poll(&mut cx) {
            Poll::Ready(o) => Some(o),
            Poll::Pending => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::conn::{ClientConn, ClientEvent};
    use crate::rpc::{Server, NDR20};

    const ECHO: SyntaxId = SyntaxId {
        uuid: uuid::Uuid::from_u128(0xec40),
        major: 1,
        minor: 0,
    };

    struct Echo;
    impl Dispatch for Echo {
        fn syntax(&self) -> SyntaxId {
            ECHO
        }
        fn dispatch(
            &self,
            _: CallContext,
            stub: Vec<u8>,
        ) -> BoxFuture<'static, Result<Vec<u8>, Fault>> {
            Box::pin(async move { Ok(stub) })
        }
    }

    /// Moves bytes between a client and a session until both are quiet,
    /// running each call at once; returns the client's events.
    fn pump(c: &mut ClientConn, s: &mut Session) -> Vec<ClientEvent> {
        loop {
            let out = c.take_output();
            s.receive(&out);
            while let Some(SessionEvent::Call(mut w)) = s.poll() {
                let outcome = w.future.poll_now().expect("Echo does not wait");
                s.complete(w.call_id, w.context_id, outcome);
            }
            let back = s.take_output();
            if out.is_empty() && back.is_empty() {
                break;
            }
            c.receive(&back);
        }
        std::iter::from_fn(|| c.poll()).collect()
    }

    #[test]
    fn an_orphan_notice_for_a_call_not_running_is_ignored() {
        let server = Server::new().add_interface(Echo);
        let mut s = server.session(None, 135);
        let mut c = ClientConn::new(Limits::default());
        c.bind(ECHO, &[NDR20]);
        pump(&mut c, &mut s);
        let ctx = c.context(&ECHO).expect("bound");
        // Orphan call IDs ahead of time, the next one the client uses among
        // them; none is running, so none may silence a later answer.
        for id in 0..1000 {
            c.orphan(id);
        }
        pump(&mut c, &mut s);
        assert!(s.orphaned.is_empty(), "nothing remembered");
        let id = c.request(ctx, 0, None, b"ping");
        let events = pump(&mut c, &mut s);
        assert!(
            events.iter().any(|e| matches!(e, ClientEvent::Response { call_id, stub } if *call_id == id && stub == b"ping")),
            "{events:?}"
        );
    }
}
