//! `from_bytes` for every generated MS-DCOM type and every request and
//! response of ms-dcom.idl (the first byte picks one): never a panic, and
//! whatever decodes re-encodes to bytes that decode again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let names = msrpc::dcom::TYPE_NAMES;
    let name = names[usize::from(pick) % names.len()];
    if let Some(Ok((_, again))) = msrpc::dcom::decode_by_name(name, bytes) {
        match msrpc::dcom::decode_by_name(name, &again) {
            Some(Ok((_, third))) => assert_eq!(again, third, "{name}: unstable re-encoding"),
            other => panic!("{name}: its own encoding does not decode: {other:?}"),
        }
    }
});
