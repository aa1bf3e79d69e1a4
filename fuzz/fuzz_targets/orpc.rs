//! OBJREF, DUALSTRINGARRAY (packet form) and activation BLOB parsing, and
//! the error information extension, on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use msrpc::dcom::DUALSTRINGARRAY;
use msrpc::orpc::activation::ActivationProperties;
use msrpc::orpc::{ErrorInfo, ObjRef};

fuzz_target!(|data: &[u8]| {
    if let Ok(o) = ObjRef::from_bytes(data) {
        // What parses encodes, and parses again to the same.
        assert_eq!(ObjRef::from_bytes(&o.to_bytes()).as_ref(), Ok(&o));
    }
    let _ = ActivationProperties::from_blob(data, false);
    let _ = ActivationProperties::from_blob(data, true);
    let _ = ActivationProperties::from_objref_bytes(data, true);
    let units: Vec<u16> = data
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    if let Some((&offset, rest)) = units.split_first() {
        let d = DUALSTRINGARRAY {
            w_security_offset: offset,
            a_string_array: rest.to_vec(),
        };
        let _ = d.string_bindings();
        let _ = d.security_bindings();
    }
    if let Ok(that) = msrpc::ndr::from_bytes::<msrpc::dcom::ORPCTHAT>(data) {
        let _ = ErrorInfo::from_orpcthat(&that);
    }
});
