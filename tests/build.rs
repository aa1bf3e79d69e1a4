//! Generates Rust for the fixtures that tests/codegen_fixture.rs compiles
//! and runs: codegen.idl on its own, and uses_dcom.idl with its imports
//! mapped onto oxidl::dcom.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn generate(root: &Path, name: &str, externs: &[&str]) {
    let idl = root.join("fixtures").join(name);
    println!("cargo:rerun-if-changed={}", idl.display());
    let front = oxidl_parser::Options {
        include_dirs: vec![root.join("../idl")],
        ..Default::default()
    };
    let out = oxidl_parser::load(&[idl], &front);
    let Some(model) = out.model else {
        panic!("fixtures/{name} does not resolve:\n{}", out.render());
    };
    let extern_modules: BTreeMap<usize, String> = model
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| externs.iter().any(|e| f.path.ends_with(e)))
        .map(|(i, _)| (i, "::oxidl::dcom".to_string()))
        .collect();
    let opts = oxidl_codegen::rust::Options {
        source_name: name.into(),
        extern_modules,
        ..Default::default()
    };
    let code = oxidl_codegen::rust::generate(&model, &opts).unwrap_or_else(|e| panic!("{e}"));
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets this"))
        .join(name.replace(".idl", ".rs"));
    std::fs::write(dest, code).expect("write generated code");
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    generate(&root, "codegen.idl", &[]);
    generate(&root, "uses_dcom.idl", &["ms-dcom.idl", "ms-dtyp.idl"]);
}
