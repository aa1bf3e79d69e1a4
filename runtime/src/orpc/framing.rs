//! ORPC framing (MS-DCOM 2.2.13): the COM version spoken, the ORPCTHIS a
//! call starts with and the ORPCTHAT its answer starts with, and what a
//! server method of an `[object]` interface knows about its call.

use std::ops::Deref;

use crate::dcom::{COMVERSION, ORPCTHAT, ORPCTHIS};
use crate::rpc;

/// What a server method of an `[object]` interface knows about the call
/// it serves: the RPC call (opnum, IPID, caller), and the request's
/// ORPCTHIS. Derefs to the [`rpc::CallContext`].
#[derive(Clone, Debug, Default)]
pub struct CallContext {
    /// The RPC call; its `object` is the IPID.
    pub rpc: rpc::CallContext,
    /// The request's ORPCTHIS (MS-DCOM 2.2.13.1).
    pub orpcthis: ORPCTHIS,
}

impl CallContext {
    /// The context of an ORPC call that arrived as `rpc` with `orpcthis`.
    pub fn new(rpc: rpc::CallContext, orpcthis: ORPCTHIS) -> CallContext {
        CallContext { rpc, orpcthis }
    }

    /// The causality ID (ORPCTHIS's `cid`), which every call made on
    /// behalf of one logical call shares.
    pub fn causality(&self) -> uuid::Uuid {
        self.orpcthis.cid
    }
}

impl Deref for CallContext {
    type Target = rpc::CallContext;
    fn deref(&self) -> &rpc::CallContext {
        &self.rpc
    }
}

/// The COM version msrpc speaks (MS-DCOM 1.7).
pub const COM_VERSION: COMVERSION = COMVERSION {
    major_version: 5,
    minor_version: 7,
};

/// The ORPCTHIS a new ORPC call starts with: COM version 5.7, no flags,
/// and a fresh causality ID (MS-DCOM 3.2.4.2).
pub fn orpcthis() -> ORPCTHIS {
    ORPCTHIS {
        version: COM_VERSION,
        flags: 0,
        reserved1: 0,
        cid: uuid::Uuid::new_v4(),
        extensions: None,
    }
}

/// The ORPCTHAT of an answer with no extensions.
pub(super) fn orpcthat() -> ORPCTHAT {
    ORPCTHAT {
        flags: 0,
        extensions: None,
    }
}

/// MS-DCOM 3.1.1.5.4: major 5, and no minor above ours.
pub(super) fn version_ok(v: &COMVERSION) -> bool {
    v.major_version == COM_VERSION.major_version && v.minor_version <= COM_VERSION.minor_version
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_orpc_context_is_the_rpc_one_with_its_orpcthis() {
        let rpc = rpc::CallContext {
            opnum: 3,
            object: Some(uuid::Uuid::from_u128(7)),
            ..rpc::CallContext::default()
        };
        let this = orpcthis();
        let ctx = CallContext::new(rpc, this.clone());
        assert_eq!((ctx.opnum, ctx.object), (3, Some(uuid::Uuid::from_u128(7))));
        assert_eq!(ctx.causality(), this.cid);
    }

    #[test]
    fn a_new_call_speaks_com_5_7_with_a_fresh_causality_id() {
        let (a, b) = (orpcthis(), orpcthis());
        assert_eq!((a.version.major_version, a.version.minor_version), (5, 7));
        assert_eq!((a.flags, a.extensions.is_none()), (0, true));
        assert_ne!(a.cid, b.cid);
    }
}
