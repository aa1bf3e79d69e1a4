//! The crate's public surface, as its callers use it: `load_str` and
//! `load`, the model, and the diagnostics.

use msrpc_idl::model::{Direction, Level, PointerKind};
use msrpc_idl::{load_str, BuiltinFile, Options, Severity};

const IDL: &str = r#"
[uuid(12345678-1234-1234-1234-123456789abc), version(1.0), pointer_default(unique)]
interface counter
{
    typedef struct { long n; [size_is(n)] long values[]; } SAMPLES;
    long Put([in] handle_t h, [in] SAMPLES *s, [out] long *total);
}
"#;

#[test]
fn text_resolves_into_the_model() {
    let out = load_str("counter.idl", IDL, &Options::default());
    let rendered = out.render();
    let model = out.model.unwrap_or_else(|| panic!("{rendered}"));
    let iface = &model.interfaces[0];
    assert_eq!(
        (iface.name.as_str(), iface.version),
        ("counter", Some((1, 0)))
    );
    let put = &iface.methods[0];
    assert_eq!((put.name.as_str(), put.opnum), ("Put", 0));
    assert!(put.params[0].binding);
    assert_eq!(put.params[2].direction, Direction::Out);
    // A top-level parameter pointer is [ref] whatever pointer_default says.
    let Level::Pointer(p) = &put.params[1].layout.levels[0] else {
        panic!("not a pointer: {:?}", put.params[1].layout.levels);
    };
    assert_eq!(p.kind, PointerKind::Ref);
}

#[test]
fn errors_carry_file_line_and_column() {
    let out = load_str(
        "bad.idl",
        "interface x { long f([in] NOSUCH a); }\n",
        &Options::default(),
    );
    assert!(out.model.is_none());
    let errors: Vec<_> = out.diagnostics.errors().collect();
    assert!(!errors.is_empty());
    assert!(errors.iter().all(|d| d.severity == Severity::Error));
    let rendered = out.render();
    assert!(rendered.contains("bad.idl:1:"), "{rendered}");
    assert!(rendered.contains("NOSUCH"), "{rendered}");
}

#[test]
fn builtin_files_are_found_by_name_after_the_include_path() {
    static FILES: &[BuiltinFile] = &[BuiltinFile {
        name: "base.idl",
        text: "typedef unsigned long BASE_COUNT;\n",
    }];
    let opts = Options {
        builtins: FILES,
        ..Options::default()
    };
    let src = "import \"base.idl\";\ntypedef struct { BASE_COUNT c; } USES;\n";
    let out = load_str("uses.idl", src, &opts);
    let rendered = out.render();
    let model = out.model.unwrap_or_else(|| panic!("{rendered}"));
    assert!(model.types.iter().any(|t| t.name == "BASE_COUNT"));

    // Without it, the import is not found.
    let out = load_str("uses.idl", src, &Options::default());
    assert!(out.model.is_none());
    assert!(out
        .render()
        .contains("cannot find imported file `base.idl`"));
}
