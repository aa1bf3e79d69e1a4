//! The build-script API: what `configure().compile(..)` writes, and how it
//! fails.

use std::path::PathBuf;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("msrpc-build-api-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

const GREETER: &str = r#"
import "ms-dcom.idl";
[object, uuid(5b0f5f02-7c7e-4b1e-8f57-6ad3f7a1c2d4), pointer_default(unique)]
interface IGreeter : IUnknown
{
    HRESULT Greet([in, string] wchar_t *name, [out, string] wchar_t **greeting);
}
"#;

fn compile(
    name: &str,
    idl: &str,
    b: msrpc_codegen::Builder,
) -> Result<String, msrpc_codegen::BuildError> {
    let dir = temp(name);
    let file = dir.join("greeter.idl");
    std::fs::write(&file, idl).expect("write idl");
    // ms-dcom.idl is built in: no include path.
    let written = b.out_dir(&dir).compile(&[&file], &[] as &[PathBuf])?;
    assert_eq!(written, [dir.join("greeter.rs")]);
    Ok(std::fs::read_to_string(&written[0]).expect("generated"))
}

#[test]
fn compile_writes_marked_deterministic_code_that_reuses_msrpc_dcom() {
    let a = compile("a", GREETER, msrpc_codegen::configure()).expect("compiles");
    let b = compile("b", GREETER, msrpc_codegen::configure()).expect("compiles");
    assert_eq!(a, b);
    assert!(a.starts_with("// @generated"));
    assert!(a.contains("::msrpc::dcom::ORPCTHIS"));
    assert!(
        !a.contains("pub struct ORPCTHIS"),
        "ms-dcom.idl is not generated again"
    );
    assert!(a.contains("pub trait IGreeterServer") && a.contains("pub struct IGreeterClient"));
}

#[test]
fn client_only_and_server_only() {
    let client = compile("c", GREETER, msrpc_codegen::configure().server(false)).expect("compiles");
    assert!(client.contains("pub struct IGreeterClient"));
    assert!(!client.contains("IGreeterServer"));
    let server = compile("s", GREETER, msrpc_codegen::configure().client(false)).expect("compiles");
    assert!(server.contains("pub trait IGreeterServer"));
    assert!(!server.contains("IGreeterClient"));
}

#[test]
fn options_reach_the_generated_code() {
    let code = compile(
        "o",
        "#ifdef WIDE\ntypedef struct { long a; } T;\n#endif\n",
        msrpc_codegen::configure()
            .define("WIDE", None)
            .type_attribute("#[derive(Hash)]")
            .runtime("crate::rt"),
    )
    .expect("compiles");
    assert!(code.contains("#[derive(Hash)]"), "{code}");
    assert!(code.contains("use crate::rt::ndr::{self, wire};"), "{code}");
    assert!(code.contains("impl ndr::Ndr for T"), "{code}");
}

#[test]
fn an_idl_error_is_the_build_error_in_full() {
    let err = compile(
        "e",
        "typedef struct { NOSUCH x; } T;\n",
        msrpc_codegen::configure(),
    )
    .expect_err("does not resolve");
    let text = err.to_string();
    assert!(text.contains("unknown type `NOSUCH`"), "{text}");
    assert!(text.contains("greeter.idl:1:"), "file:line:col: {text}");
    assert!(
        text.contains("typedef struct { NOSUCH x; } T;"),
        "the snippet: {text}"
    );
    // `fn main() -> Result<(), Box<dyn Error>>` prints Debug: the same
    // text, not an escaped `Idl("...")` after it.
    assert_eq!(format!("{err:?}"), text);
}

#[test]
fn an_attribute_typo_fails_the_build_unless_lenient() {
    let idl = GREETER.replace("[in, string]", "[in, sting]");
    let err = compile("typo", &idl, msrpc_codegen::configure()).expect_err("a typo");
    assert!(err.to_string().contains("did you mean `string`?"), "{err}");
    compile(
        "lenient",
        &idl,
        msrpc_codegen::configure().lenient_attributes(true),
    )
    .expect("widl's leniency");
}
