//! The IDL front end on arbitrary text: preprocess, parse, resolve, and
//! render the diagnostics. The repository's `idl/` is on the include path,
//! so that seeds which import ms-dtyp.idl or ms-dcom.idl (as real files
//! do) reach the resolver with those types.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use msrpc_idl::Options;

fn options() -> &'static Options {
    static OPTIONS: OnceLock<Options> = OnceLock::new();
    OPTIONS.get_or_init(|| Options {
        include_dirs: vec![PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../codegen/idl"
        ))],
        ..Options::default()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let out = msrpc_idl::load_str("fuzz.idl", &text, options());
    let _ = out.render();
});
