//! Generates Rust from tests/fixtures/codegen.idl for tests/codegen_fixture.rs.

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let idl = root.join("fixtures/codegen.idl");
    println!("cargo:rerun-if-changed={}", idl.display());
    let out = oxidl_parser::load(&[idl], &oxidl_parser::Options::default());
    let Some(model) = out.model else {
        panic!("fixtures/codegen.idl does not resolve:\n{}", out.render());
    };
    let opts = oxidl_codegen::rust::Options {
        source_name: "codegen.idl".into(),
        ..Default::default()
    };
    let code = oxidl_codegen::rust::generate(&model, &opts).unwrap_or_else(|e| panic!("{e}"));
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets this"))
        .join("codegen_fixture.rs");
    std::fs::write(dest, code).expect("write generated code");
}
