//! Generates Rust for the fixtures that tests/codegen_fixture.rs compiles
//! and runs: codegen.idl on its own, and uses_dcom.idl with its imports
//! mapped onto oxidl::dcom, and everything.idl. Also lists every generated type, fixtures' and
//! ms-dcom.idl's, for the property tests in tests/ndr_properties.rs.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use oxidl_codegen::rust::Options;

/// Test values come from `arbitrary`, for the property tests.
const ARBITRARY: &str = "#[derive(arbitrary::Arbitrary)]";

fn load(root: &Path, idl: &Path) -> oxidl_parser::model::Model {
    println!("cargo:rerun-if-changed={}", idl.display());
    let front = oxidl_parser::Options {
        include_dirs: vec![root.join("../idl"), root.join("fixtures")],
        ..Default::default()
    };
    let out = oxidl_parser::load(&[idl.to_path_buf()], &front);
    match out.model {
        Some(m) => m,
        None => panic!("{} does not resolve:\n{}", idl.display(), out.render()),
    }
}

/// Writes OUT_DIR/NAME.rs; returns the names of the types it generated.
fn generate(root: &Path, name: &str, externs: &[&str]) -> Vec<String> {
    let model = load(root, &root.join("fixtures").join(name));
    let extern_modules: BTreeMap<usize, String> = model
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| externs.iter().any(|e| f.path.ends_with(e)))
        .map(|(i, _)| (i, "::oxidl::dcom".to_string()))
        .collect();
    let opts = Options {
        source_name: name.into(),
        extern_modules,
        type_attributes: vec![ARBITRARY.into()],
        ..Default::default()
    };
    let code = oxidl_codegen::rust::generate(&model, &opts).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out_dir().join(name.replace(".idl", ".rs")), code)
        .expect("write generated code");
    oxidl_codegen::rust::type_names(&model, &opts).unwrap_or_else(|e| panic!("{e}"))
}

fn out_dir() -> PathBuf {
    PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets this"))
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let fixture = generate(&root, "codegen.idl", &[]);
    let uses_dcom = generate(&root, "uses_dcom.idl", &["ms-dcom.idl", "ms-dtyp.idl"]);
    // The front end's everything-at-once fixture, for the back end too.
    let everything = generate(&root, "everything.idl", &[]);
    let rpc_test = generate(&root, "rpc_test.idl", &[]);
    let orpc_test = generate(&root, "orpc_test.idl", &["ms-dcom.idl", "ms-dtyp.idl"]);
    generate(&root, "greeter_eq.idl", &["ms-dcom.idl", "ms-dtyp.idl"]);
    let dcom = load(&root, &root.join("../idl/ms-dcom.idl"));
    let dcom = oxidl_codegen::rust::type_names(&dcom, &Options::default())
        .unwrap_or_else(|e| panic!("{e}"));

    let mut visits = String::new();
    for (module, names) in [
        ("fixture", &fixture),
        ("uses_dcom", &uses_dcom),
        ("everything", &everything),
        ("rpc_test", &rpc_test),
        ("orpc_test", &orpc_test),
        ("oxidl::dcom", &dcom),
    ] {
        for n in names {
            let _ = writeln!(visits, "    v.visit::<{module}::{n}>(\"{module}::{n}\");");
        }
    }
    let every = format!(
        "/// Every generated type, by its path.\nfn every_type(v: &mut impl Visit) {{\n{visits}}}\n"
    );
    std::fs::write(out_dir().join("every_type.rs"), every).expect("write type list");
}
