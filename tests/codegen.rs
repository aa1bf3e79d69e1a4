//! The Rust back end: `msrpc::dcom` is generated, never hand-edited, and the
//! generator is deterministic.

use msrpc_codegen::rust::{generate, Options};
use msrpc_idl::{load, Options as FrontEnd};
use msrpc_tests::workspace;

fn ms_dcom_source() -> String {
    let dcom = &xtask::CHECKED_IN[0];
    assert_eq!(dcom.path, "runtime/src/dcom.rs");
    dcom.generate().unwrap_or_else(|e| panic!("{e}"))
}

/// Every checked-in generated file is what the generator writes today.
#[test]
fn checked_in_generated_files_are_current() {
    for g in xtask::CHECKED_IN {
        let fresh = g.generate().unwrap_or_else(|e| panic!("{e}"));
        let checked_in = std::fs::read_to_string(workspace().join(g.path)).expect(g.path);
        assert!(
            fresh == checked_in,
            "{} is stale: run `cargo xtask regen`",
            g.path
        );
    }
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
}

#[test]
fn shapes_the_back_end_refuses_are_named_errors() {
    let cases = [(
        "typedef [switch_type(long)] union { } EMPTY;\n",
        "`EMPTY`: a union with no arms is not supported by the Rust back end",
    )];
    for (src, message) in cases {
        let out = msrpc_idl::load_str("case.idl", src, &FrontEnd::default());
        let rendered = out.render();
        let model = out.model.unwrap_or_else(|| panic!("{rendered}"));
        let err = generate(&model, &Options::default()).expect_err(message);
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn types_with_no_ndr_form_are_left_out_with_the_reason() {
    // NDR has one place for a conformant member's count, so a conformant
    // struct inside another must come last (Wine's MPEG1WAVEFORMAT breaks
    // this; widl accepts it in a [local] interface).
    let src = "typedef struct { long n; [size_is(n)] long a[]; } INNER;\ntypedef struct { INNER in; long x; } OUTER;\n";
    let out = msrpc_idl::load_str("case.idl", src, &FrontEnd::default());
    let model = out.model.expect("resolves");
    let g = msrpc_codegen::rust::generate_all(&model, &Options::default()).expect("generates");
    assert!(g.code.contains("pub struct INNER"));
    assert!(!g.code.contains("pub struct OUTER"));
    assert_eq!(
        g.skipped,
        ["type `OUTER`: field `in`: a conformant member that is not the last has no NDR form"]
    );
}

#[test]
fn a_runtime_path_that_is_not_a_path_is_refused() {
    let out = msrpc_idl::load_str("t.idl", "typedef long T;\n", &FrontEnd::default());
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
    let out = msrpc_idl::load_str("t.idl", src, &FrontEnd::default());
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
fn oaidl_and_ms_oaut_are_built_in_and_map_to_the_runtime() {
    // A user's COM interface that takes OLE Automation types, with no
    // include path: both names resolve to the built-in ms-oaut.idl, and the
    // generated code uses `msrpc::oaut` rather than generating it again.
    for import in ["oaidl.idl", "ms-oaut.idl"] {
        let src = format!(
            "import \"{import}\";\n\
             [object, uuid(6d1e3d16-5a0c-4a43-9d61-6b1b8b0b5a01)]\n\
             interface IGreeter : IDispatch {{\n\
             HRESULT Greet([in] BSTR name, [in] VARIANT v, [out, retval] BSTR *reply);\n\
             }}\n"
        );
        let out = msrpc_idl::load_str("greeter.idl", &src, &msrpc_codegen::builtin::front_end());
        let rendered = out.render();
        let model = out.model.unwrap_or_else(|| panic!("{import}: {rendered}"));
        let opts = Options {
            root_only: true,
            ..Options::default()
        };
        let code = generate(&model, &opts).unwrap_or_else(|e| panic!("{import}: {e}"));
        assert!(code.contains("::msrpc::oaut::"), "{import}:\n{code}");
        assert!(!code.contains("pub struct FLAGGED_WORD_BLOB"), "{import}");
    }
}
