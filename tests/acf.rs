//! ACF files, as MIDL reads them: `X.acf` beside `X.idl` by itself, or the
//! one given instead; their attributes land on the IDL's declarations by
//! name, and change the stubs, never the wire.

use msrpc_idl::model::*;
use msrpc_tests::{load_files, workspace};

const IDL: &str = r#"
[uuid(5f7e0d5c-4a1b-4c3d-9e8f-0a1b2c3d4e5f), version(1.0), pointer_default(unique)]
interface demo
{
    typedef [context_handle] void *DEMO_HANDLE;
    typedef struct { long x; } PAIR;
    long Open([in] handle_t h, [out] DEMO_HANDLE *ph);
    long Query([in] DEMO_HANDLE hd, [out] PAIR *p);
    long Close([in, out] DEMO_HANDLE *ph);
}
"#;

const ACF: &str = r#"
// Comments and white space as in any ACF.
[explicit_handle, strict_context_handle]
interface demo
{
    typedef [context_handle_noserialize] DEMO_HANDLE;
    [comm_status, fault_status] Query([context_handle_noserialize] hd);
    [nocode] Close();
}
"#;

fn attrs(list: &[Attribute]) -> Vec<&str> {
    list.iter().map(|a| a.name.as_str()).collect()
}

fn demo(model: &Model) -> &Interface {
    model
        .interfaces
        .iter()
        .find(|i| i.name == "demo")
        .expect("interface demo")
}

#[test]
fn the_acf_beside_the_idl_is_read_and_attached_by_name() {
    let out = load_files(&[("demo.idl", IDL), ("demo.acf", ACF)], "demo.idl");
    let rendered = out.render();
    let model = out.model.unwrap_or_else(|| panic!("{rendered}"));
    let i = demo(&model);
    assert_eq!(
        attrs(&i.attrs)[..],
        [
            "uuid",
            "version",
            "pointer_default",
            "explicit_handle",
            "strict_context_handle"
        ][..]
    );
    let query = &i.methods[1];
    assert_eq!(attrs(&query.attrs), ["comm_status", "fault_status"]);
    assert_eq!(
        attrs(&query.params[0].attrs),
        ["context_handle_noserialize"]
    );
    let close = &i.methods[2];
    assert_eq!(attrs(&close.attrs), ["nocode"]);
    let handle = model
        .types
        .iter()
        .find(|t| t.name == "DEMO_HANDLE")
        .expect("DEMO_HANDLE");
    assert!(attrs(&handle.attrs).contains(&"context_handle_noserialize"));
}

#[test]
fn the_same_idl_without_its_acf_has_none_of_that() {
    let out = load_files(&[("demo.idl", IDL)], "demo.idl");
    let model = out.model.expect("resolves");
    let i = demo(&model);
    assert!(i.methods.iter().all(|m| m.attrs.is_empty()));
}

#[test]
fn a_given_acf_replaces_the_one_beside() {
    let dir = std::env::temp_dir().join(format!("msrpc-acf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("demo.idl"), IDL).expect("write");
    std::fs::write(dir.join("demo.acf"), ACF).expect("write");
    let other = dir.join("client.acf");
    std::fs::write(&other, "[auto_handle] interface demo { }\n").expect("write");
    let opts = msrpc_idl::Options {
        acf: vec![other],
        ..Default::default()
    };
    let out = msrpc_idl::load(&[dir.join("demo.idl")], &opts);
    let _ = std::fs::remove_dir_all(&dir);
    let model = out.model.expect("resolves");
    let i = demo(&model);
    assert!(attrs(&i.attrs).contains(&"auto_handle"));
    assert!(!attrs(&i.attrs).contains(&"explicit_handle"));
    assert!(i.methods.iter().all(|m| m.attrs.is_empty()));
}

#[test]
fn an_acf_name_the_idl_does_not_declare_is_an_error() {
    let acf = "interface demo { Qurey(); typedef [allocate(all_nodes)] NOPE; }\n";
    let out = load_files(&[("demo.idl", IDL), ("demo.acf", acf)], "demo.idl");
    assert!(out.model.is_none());
    let rendered = out.render();
    assert!(
        rendered.contains("the ACF names method `Qurey`, which the IDL does not declare"),
        "{rendered}"
    );
    assert!(rendered.contains("the ACF names type `NOPE`"), "{rendered}");
    assert!(rendered.contains("demo.acf:1:"), "{rendered}");
}

#[test]
fn an_attribute_that_is_not_an_acf_attribute_is_a_warning() {
    let acf = "[size_is(4)] interface demo { }\n";
    let out = load_files(&[("demo.idl", IDL), ("demo.acf", acf)], "demo.idl");
    let rendered = out.render();
    assert!(out.model.is_some(), "{rendered}");
    assert!(
        rendered.contains("`size_is` is not an ACF attribute of an interface"),
        "{rendered}"
    );
}

#[test]
fn an_acf_syntax_error_is_reported_in_the_acf() {
    let out = load_files(
        &[
            ("demo.idl", IDL),
            ("demo.acf", "interface demo { Query( }\n"),
        ],
        "demo.idl",
    );
    assert!(out.model.is_none());
    assert!(out.render().contains("demo.acf"), "{}", out.render());
}

#[test]
fn nocode_leaves_the_method_out_of_the_client_only() {
    let out = load_files(&[("demo.idl", IDL), ("demo.acf", ACF)], "demo.idl");
    let model = out.model.expect("resolves");
    let code = msrpc_codegen::rust::generate(&model, &Default::default()).expect("generates");
    let client = &code[code.find("pub struct demoClient").expect("client")..];
    assert!(client.contains("pub async fn query("));
    assert!(!client.contains("pub async fn close("), "{client}");
    // The server still has it: the ACF changes one side's stubs.
    assert!(code.contains("fn close("));
    // Query returns a long, not error_status_t: nothing to put a status
    // in, which the front end says.
    assert!(!client.contains("The ACF says"));
    let rendered = load_files(&[("demo.idl", IDL), ("demo.acf", ACF)], "demo.idl").render();
    assert!(
        rendered.contains("`[comm_status]` on `Query`, which does not return error_status_t"),
        "{rendered}"
    );
}

#[test]
fn the_protocol_idls_read_their_acfs() {
    let dir = workspace().join("tests/fixtures/protocols");
    let opts = msrpc_codegen::builtin::front_end();
    let out = msrpc_idl::load(&[dir.join("ms-scmr.idl")], &opts);
    let rendered = out.render();
    let model = out.model.unwrap_or_else(|| panic!("{rendered}"));
    let svcctl = model
        .interfaces
        .iter()
        .find(|i| i.name == "svcctl")
        .expect("svcctl");
    assert!(attrs(&svcctl.attrs).contains(&"strict_context_handle"));
    let notify = svcctl
        .methods
        .iter()
        .find(|m| m.name == "RGetNotifyResults")
        .expect("RGetNotifyResults");
    assert_eq!(attrs(&notify.attrs), ["comm_status", "fault_status"]);
}

#[test]
fn malformed_acfs_are_errors_not_panics() {
    let cases = [
        "",
        "[",
        "interface",
        "interface demo { Query([ ] hd); }",
        "interface demo { Query([comm_status(((((] hd); }",
        "typedef [represent_as()] ;",
        "interface demo { [nocode] Close(); } }}}}",
        "\u{0}\u{ff}interface \u{2603} { }",
        &"[".repeat(10_000),
        &"interface demo { Query(".repeat(2_000),
    ];
    for acf in cases {
        // Resolving or not, it must return.
        let out = load_files(&[("demo.idl", IDL), ("demo.acf", acf)], "demo.idl");
        let _ = out.render();
    }
}

#[test]
fn a_given_acf_that_cannot_be_read_is_an_error() {
    let opts = msrpc_idl::Options {
        acf: vec![std::path::PathBuf::from("no/such/demo.acf")],
        ..Default::default()
    };
    let out = msrpc_idl::load_str("demo.idl", IDL, &opts);
    assert!(out.model.is_none());
    assert!(
        out.render().contains("cannot read ACF `no/such/demo.acf`"),
        "{}",
        out.render()
    );
}
