//! The exporter's RPC side: every ORPC call, on whichever interface, is
//! checked (MS-DCOM 3.1.1.5.4) and routed to the object its IPID names,
//! and runs knowing the client it came from.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::Instant;

use uuid::Uuid;

use super::dcom_exporter::ExporterShared;
use super::exporter::Caller;
use super::framing::version_ok;
use super::machine::lock;
use crate::dcom::COMVERSION;
use crate::ndr;
use crate::rpc::{BoxFuture, CallContext, Dispatch, Fault, SyntaxId};
use crate::Hresult;

std::thread_local! {
    /// The client whose ORPC call this thread is running, for the
    /// [`Marshaler`](super::Marshaler). Set only while a call's future is
    /// polled, as a task-local would be, so it needs no runtime.
    static CALLER: Cell<Caller> = const { Cell::new(None) };
}

/// Runs `f` with `caller` as the current caller, and puts the previous
/// one back afterwards, even if `f` panics.
fn with_caller<T>(caller: Caller, f: impl FnOnce() -> T) -> T {
    struct Restore(Caller);
    impl Drop for Restore {
        fn drop(&mut self) {
            CALLER.set(self.0);
        }
    }
    let _restore = Restore(CALLER.replace(caller));
    f()
}

/// A method's future, polled knowing its caller.
struct WithCaller {
    caller: Caller,
    inner: BoxFuture<'static, Result<Vec<u8>, Fault>>,
}

impl Future for WithCaller {
    type Output = Result<Vec<u8>, Fault>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        with_caller(this.caller, || this.inner.as_mut().poll(cx))
    }
}

/// The client a call came from, by its network address.
pub(super) fn caller(ctx: &CallContext) -> Caller {
    ctx.peer.map(|p| crate::rpc::client_of(p.ip()))
}

/// The client whose call is running here, if any.
pub(super) fn current_caller() -> Caller {
    CALLER.get()
}

/// Routes ORPC calls on one interface to the object the IPID names.
pub(super) struct OrpcRouter {
    pub(super) iid: Uuid,
    pub(super) exporter: Weak<ExporterShared>,
}

impl Dispatch for OrpcRouter {
    fn syntax(&self) -> SyntaxId {
        SyntaxId {
            uuid: self.iid,
            major: 0,
            minor: 0,
        }
    }

    fn dispatch(
        &self,
        ctx: CallContext,
        stub: Vec<u8>,
    ) -> BoxFuture<'static, Result<Vec<u8>, Fault>> {
        let target = match self.route(&ctx, &stub) {
            Ok(target) => target,
            Err(fault) => return Box::pin(std::future::ready(Err(fault))),
        };
        // The method runs knowing its caller, so that objects it marshals
        // count against that client's limits.
        let caller = caller(&ctx);
        let inner = with_caller(caller, || target.dispatch(ctx, stub));
        Box::pin(WithCaller { caller, inner })
    }
}

impl OrpcRouter {
    /// The checks of MS-DCOM 3.1.1.5.4, in the spec's order, then the stub.
    /// Failures travel as faults carrying the HRESULT, as Windows sends them.
    fn route(&self, ctx: &CallContext, stub: &[u8]) -> Result<Arc<dyn Dispatch>, Fault> {
        let fault = Fault::from;
        // Only ORPCTHIS's fixed head matters here (its COMVERSION and
        // flags); the stub decodes all of it along with the request.
        let mut d = ndr::Decoder::new(stub);
        let (major, minor, flags) =
            (|| Ok::<_, ndr::Error>((d.u16()?, d.u16()?, d.u32()?)))().map_err(Fault::from_ndr)?;
        let version = COMVERSION {
            major_version: major,
            minor_version: minor,
        };
        if !version_ok(&version) {
            return Err(fault(Hresult::RPC_E_VERSION_MISMATCH));
        }
        if flags != 0 {
            return Err(fault(Hresult::RPC_E_INVALID_HEADER));
        }
        let ipid = ctx.object.ok_or(fault(Hresult::RPC_E_DISCONNECTED))?;
        let exporter = self
            .exporter
            .upgrade()
            .ok_or(fault(Hresult::RPC_E_DISCONNECTED))?;
        let now = exporter.machine().map_or_else(Instant::now, |m| m.now());
        let found = lock(&exporter.tables).lookup(&ipid, &self.iid, now);
        found.map_err(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    const ALICE: Caller = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
    const BOB: Caller = Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)));

    #[test]
    fn the_caller_is_known_only_while_its_call_runs() {
        assert_eq!(current_caller(), None);
        with_caller(ALICE, || {
            assert_eq!(current_caller(), ALICE);
            with_caller(BOB, || assert_eq!(current_caller(), BOB));
            assert_eq!(current_caller(), ALICE);
        });
        assert_eq!(current_caller(), None);
    }

    #[test]
    fn a_panicking_call_leaves_no_caller_behind() {
        let r = std::panic::catch_unwind(|| with_caller(ALICE, || panic!("in a method")));
        assert!(r.is_err());
        assert_eq!(current_caller(), None);
    }

    #[test]
    fn a_calls_future_knows_its_caller_each_time_it_is_polled() {
        let mut polls = 0;
        let inner: BoxFuture<'static, Result<Vec<u8>, Fault>> =
            Box::pin(std::future::poll_fn(move |_| {
                polls += 1;
                assert_eq!(current_caller(), ALICE);
                match polls {
                    1 => Poll::Pending,
                    _ => Poll::Ready(Ok(Vec::new())),
                }
            }));
        let mut f = WithCaller {
            caller: ALICE,
            inner,
        };
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(Pin::new(&mut f).poll(&mut cx).is_pending());
        assert_eq!(current_caller(), None, "not between polls");
        assert!(Pin::new(&mut f).poll(&mut cx).is_ready());
    }
}
