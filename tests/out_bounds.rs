//! An `[out]` array sized by an `[in]` count must have that size: the
//! client checks the response against its own request (MIDL's /robust),
//! as the server checks what it sends. ept_lookup's `entries` are
//! `[size_is(max_ents), length_is(*num_ents)]`.

use msrpc::rpc::{CallError, Request};
use msrpc_tests::{block_on, Canned};

// Generated names follow the IDL; not every generated item is used here.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod epm {
    include!(concat!(env!("OUT_DIR"), "/protocol_epm.rs"));
}

use epm::epm_::{EptLookupRequest, EptLookupResponse};

fn request(max_ents: u32) -> EptLookupRequest {
    EptLookupRequest {
        inquiry_type: 0,
        object: None,
        interface_id: None,
        vers_option: 1,
        entry_handle: Default::default(),
        max_ents,
    }
}

/// A response with one entry, encoded for a request of `max_ents`.
fn one_entry_for(max_ents: u32) -> Vec<u8> {
    let resp = EptLookupResponse {
        entry_handle: Default::default(),
        num_ents: 1,
        entries: vec![Default::default()],
        status: 0,
    };
    msrpc::rpc::reply(resp, &request(max_ents).context()).expect("encodes")
}

fn lookup(answer: Vec<u8>, max_ents: u32) -> Result<EptLookupResponse, CallError> {
    let client = epm::epmClient::new(Canned(Box::new(move || Ok(answer.clone()))));
    let r = request(max_ents);
    block_on(client.ept_lookup(
        r.inquiry_type,
        r.object,
        r.interface_id,
        r.vers_option,
        r.entry_handle,
        r.max_ents,
    ))
}

#[test]
fn an_out_array_of_the_size_asked_for_is_accepted() {
    let r = lookup(one_entry_for(3), 3).expect("the sizes agree");
    assert_eq!((r.num_ents, r.entries.len()), (1, 1));
}

/// The decoded Vec holds only the elements sent, so the wire's max count
/// can only be checked while it is read: the client decodes the response
/// with its request's values at hand (`ndr::from_bytes_in`).
#[test]

fn an_out_array_of_another_size_is_refused() {
    // The server sized `entries` for max_ents = 1; the client asked for 3.
    let err = lookup(one_entry_for(1), 3).expect_err("the sizes disagree");
    assert!(matches!(err, CallError::Ndr(_)), "{err}");
    // And the other way round.
    assert!(lookup(one_entry_for(3), 1).is_err());
}

#[test]
fn the_server_will_not_send_more_than_was_asked_for() {
    let resp = EptLookupResponse {
        entry_handle: Default::default(),
        num_ents: 2,
        entries: vec![Default::default(), Default::default()],
        status: 0,
    };
    assert!(msrpc::rpc::reply(resp, &request(1).context()).is_err());
}
