//! The exporter's RPC side: every ORPC call, on whichever interface, is
//! checked (MS-DCOM 3.1.1.5.4) and routed to the object its IPID names,
//! and runs knowing the client it came from.

use std::sync::{Arc, Weak};
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

tokio::task_local! {
    /// The client whose ORPC call is running, for [`Marshaler`].
    static CALLER: Caller;
}

/// The client a call came from, by its network address.
pub(super) fn caller(ctx: &CallContext) -> Caller {
    ctx.peer.map(|p| crate::rpc::client_of(p.ip()))
}

/// The client whose call is running here, if any.
pub(super) fn current_caller() -> Caller {
    CALLER.try_with(|c| *c).unwrap_or(None)
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
        let target = self.route(&ctx, &stub);
        // The method runs knowing its caller, so that objects it marshals
        // count against that client's limits.
        let caller = caller(&ctx);
        Box::pin(CALLER.scope(caller, async move { target?.dispatch(ctx, stub).await }))
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
