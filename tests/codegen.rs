//! The Rust back end: `oxidl::dcom` is generated, never hand-edited, and the
//! generator is deterministic.

use oxidl_codegen::rust::{generate, Options};
use oxidl_parser::{load, Options as FrontEnd};
use oxidl_tests::workspace;

/// What runtime/src/dcom.rs puts on every type, for fuzzing and proptests.
const ARBITRARY: &str = r#"#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]"#;

fn ms_dcom_source() -> String {
    let front = FrontEnd {
        include_dirs: vec![workspace().join("idl")],
        ..FrontEnd::default()
    };
    let out = load(&[workspace().join("idl/ms-dcom.idl")], &front);
    let model = out.model.expect("ms-dcom.idl resolves");
    let opts = Options {
        runtime: "crate".into(),
        source_name: "ms-dcom.idl".into(),
        type_attributes: vec![ARBITRARY.into()],
        ..Options::default()
    };
    generate(&model, &opts).expect("generates")
}

#[test]
fn checked_in_dcom_module_is_current() {
    let fresh = ms_dcom_source();
    let path = workspace().join("runtime/src/dcom.rs");
    let checked_in = std::fs::read_to_string(&path).expect("runtime/src/dcom.rs");
    assert!(
        fresh == checked_in,
        "runtime/src/dcom.rs is stale: run\n  cargo run -p oxidl-cli --no-default-features --bin oxidl -- gen -I idl idl/ms-dcom.idl --runtime crate --type-attribute '{ARBITRARY}' -o runtime/src/dcom.rs"
    );
}

#[test]
fn generation_is_deterministic_and_marked() {
    let a = ms_dcom_source();
    assert_eq!(a, ms_dcom_source());
    assert!(a.starts_with("// @generated"));
}

#[test]
fn generated_names_follow_the_idl() {
    let code = ms_dcom_source();
    // Types keep their IDL names; fields are snake_case.
    assert!(code.contains("pub struct ORPCTHIS {"));
    assert!(code.contains("pub c_public_refs: u32"));
    // GUIDs are uuid::Uuid, and aliases keep their names.
    assert!(code.contains("pub type GUID = crate::uuid::Uuid;"));
    assert!(code.contains("pub type CLSID = GUID;"));
    // A count the data implies is not a field: DUALSTRINGARRAY has no w_num_entries.
    let dsa = &code[code
        .find("pub struct DUALSTRINGARRAY")
        .expect("DUALSTRINGARRAY")..];
    let dsa = &dsa[..dsa.find('}').expect("end")];
    assert!(!dsa.contains("w_num_entries"), "{dsa}");
    assert!(dsa.contains("w_security_offset"));
}

fn fixture_source() -> String {
    let out = load(
        &[workspace().join("tests/fixtures/codegen.idl")],
        &FrontEnd::default(),
    );
    let model = out.model.expect("codegen.idl resolves");
    let opts = Options {
        source_name: "codegen.idl".into(),
        ..Options::default()
    };
    generate(&model, &opts).expect("generates")
}

#[test]
fn generated_code_snapshots() {
    insta::assert_snapshot!("codegen_fixture", fixture_source());
    insta::assert_snapshot!("ms_dcom", ms_dcom_source());
}

#[test]
fn unsupported_constructs_are_named_errors() {
    let out = oxidl_parser::load_str(
        "full.idl",
        "typedef struct { long n; [ptr, size_is(n)] long *p; } HAS_FULL;\n",
        &FrontEnd::default(),
    );
    let model = out.model.expect("resolves");
    let err = generate(&model, &Options::default())
        .expect_err("full pointers to arrays are not generated yet");
    assert_eq!(
        err.to_string(),
        "`HAS_FULL`: a full ([ptr]) pointer to an array or a pointer is not supported by the Rust back end yet"
    );
}

#[test]
fn shapes_not_generated_yet_are_reported_not_miscompiled() {
    let cases = [
        (
            "typedef struct { long n; [size_is(n)] long a[]; } INNER;\ntypedef struct { INNER in; long x; } OUTER;\n",
            "`OUTER`: a conformant struct that is not the last member of a struct is not supported by the Rust back end yet",
        ),
        (
            "typedef struct { long n; [size_is(n), string] wchar_t *s; } SIZED;\n",
            "`SIZED`: a [string] that also has size_is or length_is is not supported by the Rust back end yet",
        ),
    ];
    for (src, message) in cases {
        let out = oxidl_parser::load_str("case.idl", src, &FrontEnd::default());
        let rendered = out.render();
        let model = out.model.unwrap_or_else(|| panic!("{rendered}"));
        let err = generate(&model, &Options::default()).expect_err(message);
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn a_runtime_path_that_is_not_a_path_is_refused() {
    let out = oxidl_parser::load_str("t.idl", "typedef long T;\n", &FrontEnd::default());
    let model = out.model.expect("resolves");
    let opts = Options {
        runtime: "not a path!".into(),
        ..Options::default()
    };
    let err = generate(&model, &opts).expect_err("bad path");
    assert_eq!(
        err.to_string(),
        "the runtime path `not a path!` is not a Rust path"
    );
}

#[test]
fn type_attributes_go_on_every_type_and_must_parse() {
    let src = "typedef struct { long a; } S;\ntypedef enum { A } E;\n";
    let out = oxidl_parser::load_str("t.idl", src, &FrontEnd::default());
    let model = out.model.expect("resolves");
    let opts = Options {
        type_attributes: vec!["#[derive(Hash)]".into()],
        ..Options::default()
    };
    let code = generate(&model, &opts).expect("generates");
    assert_eq!(code.matches("#[derive(Hash)]").count(), 2, "{code}");
    let bad = Options {
        type_attributes: vec!["derive(Hash)".into()],
        ..Options::default()
    };
    let err = generate(&model, &bad).expect_err("not an attribute");
    assert_eq!(
        err.to_string(),
        "`derive(Hash)` is not an outer attribute (`#[...]`)"
    );
}

#[test]
fn checked_in_calculator_example_module_is_current() {
    let front = FrontEnd {
        include_dirs: vec![workspace().join("idl")],
        ..FrontEnd::default()
    };
    let out = load(&[workspace().join("examples/idl/calculator.idl")], &front);
    let model = out.model.expect("calculator.idl resolves");
    let pick = |want: bool| -> Vec<usize> {
        model
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.root == want)
            .map(|(i, _)| i)
            .collect()
    };
    let opts = Options {
        source_name: "calculator.idl".into(),
        files: pick(true).into_iter().collect(),
        extern_modules: pick(false)
            .into_iter()
            .map(|i| (i, "::oxidl::dcom".to_string()))
            .collect(),
        ..Options::default()
    };
    let fresh = generate(&model, &opts).expect("generates");
    let path = workspace().join("examples/calculator/calculator_idl.rs");
    let checked_in = std::fs::read_to_string(&path).expect("calculator_idl.rs");
    assert!(
        fresh == checked_in,
        "examples/calculator/calculator_idl.rs is stale: run\n  cargo run -p oxidl-cli --no-default-features --bin oxidl -- gen -I idl examples/idl/calculator.idl --root-only --extern ms-dcom.idl=::oxidl::dcom --extern ms-dtyp.idl=::oxidl::dcom -o examples/calculator/calculator_idl.rs"
    );
}

#[test]
fn checked_in_com_module_is_current() {
    let front = FrontEnd {
        include_dirs: vec![workspace().join("idl")],
        ..FrontEnd::default()
    };
    let out = load(&[workspace().join("idl/ms-com.idl")], &front);
    let model = out.model.expect("ms-com.idl resolves");
    let files = |root: bool| {
        model
            .files
            .iter()
            .enumerate()
            .filter(move |(_, f)| f.root == root)
            .map(|(i, _)| i)
    };
    let opts = Options {
        runtime: "crate".into(),
        source_name: "ms-com.idl".into(),
        files: files(true).collect(),
        extern_modules: files(false)
            .map(|i| (i, "crate::dcom".to_string()))
            .collect(),
        ..Options::default()
    };
    let fresh = generate(&model, &opts).expect("generates");
    let checked_in =
        std::fs::read_to_string(workspace().join("runtime/src/com.rs")).expect("com.rs");
    assert!(
        fresh == checked_in,
        "runtime/src/com.rs is stale: run\n  cargo run -p oxidl-cli --no-default-features --bin oxidl -- gen -I idl idl/ms-com.idl --root-only --runtime crate --extern ms-dcom.idl=crate::dcom --extern ms-dtyp.idl=crate::dcom -o runtime/src/com.rs"
    );
}
