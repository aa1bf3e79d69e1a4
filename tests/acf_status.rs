//! An ACF's `[comm_status, fault_status]` on a method that returns
//! `error_status_t` (svcctl's RGetNotifyResults, ms-scmr.acf): a fault or
//! a failed connection comes back as the status, as MIDL's stub returns
//! it; a method without them still gets the error.

use msrpc::rpc::{CallError, Fault};
use msrpc_tests::{block_on, Canned};

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

fn failing(e: fn() -> CallError) -> Canned {
    Canned(Box::new(move || Err(e())))
}

#[test]
fn a_fault_is_the_status_of_a_fault_status_method() {
    let client = scmr::svcctlClient::new(failing(|| CallError::Fault(Fault::new(5))));
    let r =
        block_on(client.r_get_notify_results(Default::default())).expect("a status, not an error");
    assert_eq!(r.return_value, 5);
    let client = scmr::svcctlClient::new(failing(|| CallError::Closed));
    let r = block_on(client.r_get_notify_results(Default::default())).expect("comm_status");
    assert_eq!(r.return_value, 1726, "RPC_S_CALL_FAILED");
}

#[test]
fn a_method_without_them_still_fails() {
    let client = scmr::svcctlClient::new(failing(|| CallError::Fault(Fault::new(5))));
    let r = block_on(client.r_close_notify_handle(Default::default()));
    assert!(matches!(r, Err(CallError::Fault(f)) if f.status == 5));
}
