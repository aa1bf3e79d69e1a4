//! An ACF's `[comm_status, fault_status]` on a method that returns
//! `error_status_t` (svcctl's RGetNotifyResults, ms-scmr.acf): a fault or
//! a failed connection comes back as the status, as MIDL's stub returns
//! it; a method without them still gets the error.

use msrpc::rpc::{BoxFuture, CallError, Channel, Fault, SyntaxId};

// Generated names follow the IDL; not every generated item is used here.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod scmr {
    include!(concat!(env!("OUT_DIR"), "/protocol_scmr.rs"));
}

/// A channel whose every call fails as it is told.
struct Failing(fn() -> CallError);

impl Channel for Failing {
    fn call(
        &self,
        _syntax: SyntaxId,
        _opnum: u16,
        _object: Option<uuid::Uuid>,
        _stub: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, CallError>> {
        let e = (self.0)();
        Box::pin(async move { Err(e) })
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(f)
}

#[test]
fn a_fault_is_the_status_of_a_fault_status_method() {
    let client = scmr::svcctlClient::new(Failing(|| CallError::Fault(Fault::new(5))));
    let r =
        block_on(client.r_get_notify_results(Default::default())).expect("a status, not an error");
    assert_eq!(r.return_value, 5);
    let client = scmr::svcctlClient::new(Failing(|| CallError::Closed));
    let r = block_on(client.r_get_notify_results(Default::default())).expect("comm_status");
    assert_eq!(r.return_value, 1726, "RPC_S_CALL_FAILED");
}

#[test]
fn a_method_without_them_still_fails() {
    let client = scmr::svcctlClient::new(Failing(|| CallError::Fault(Fault::new(5))));
    let r = block_on(client.r_close_notify_handle(Default::default()));
    assert!(matches!(r, Err(CallError::Fault(f)) if f.status == 5));
}
