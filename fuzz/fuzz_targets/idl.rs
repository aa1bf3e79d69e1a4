//! The IDL front end on arbitrary text: preprocess, parse, resolve.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let out = oxidl_parser::load_str("fuzz.idl", &text, &Default::default());
    let _ = out.render();
});
