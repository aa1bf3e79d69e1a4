//! `from_bytes` for every generated MS-DCOM type and every request and
//! response of ms-dcom.idl (the first byte picks one): never a panic, and
//! whatever decodes re-encodes to bytes that decode to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let names = msrpc::dcom::TYPE_NAMES;
    let name = names[usize::from(pick) % names.len()];
    if let Some(Ok(first)) = msrpc::dcom::decode_by_name(name, bytes) {
        assert!(
            first.same_value,
            "{name}: the value does not survive a round trip"
        );
        match msrpc::dcom::decode_by_name(name, &first.again) {
            Some(Ok(second)) => {
                assert_eq!(first.again, second.again, "{name}: unstable re-encoding")
            }
            other => panic!("{name}: its own encoding does not decode: {other:?}"),
        }
    }
});
