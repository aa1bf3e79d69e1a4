//! The IDL front end on the protocol's own IDL, on our fixture, and on bad input.

use msrpc_idl::model::*;
use msrpc_idl::{load, load_str, Options, Output};
use msrpc_tests::{load_files, workspace};

fn options() -> Options {
    Options {
        include_dirs: vec![workspace().join("codegen/idl")],
        ..Options::default()
    }
}

fn ms_dcom() -> Model {
    let out = load(&[workspace().join("codegen/idl/ms-dcom.idl")], &options());
    assert!(out.diagnostics.is_empty(), "{}", out.render());
    out.model.expect("ms-dcom.idl resolves")
}

fn iface<'m>(m: &'m Model, name: &str) -> &'m Interface {
    m.interface(name)
        .unwrap_or_else(|| panic!("interface {name}"))
}

fn method<'m>(i: &'m Interface, name: &str) -> &'m Method {
    i.methods
        .iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("method {name}"))
}

fn param<'m>(m: &'m Method, name: &str) -> &'m Param {
    m.params
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("param {name}"))
}

fn field<'m>(m: &'m Model, ty: &str, name: &str) -> &'m Field {
    match &m.type_named(ty).unwrap_or_else(|| panic!("type {ty}")).kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("field {name}")),
        other => panic!("{ty} is not a struct: {other:?}"),
    }
}

fn pointer(l: &Level) -> &Pointer {
    match l {
        Level::Pointer(p) => p,
        other => panic!("expected a pointer level, found {other:?}"),
    }
}

fn array(l: &Level) -> &Array {
    match l {
        Level::Array(a) => a,
        other => panic!("expected an array level, found {other:?}"),
    }
}

fn opnums(i: &Interface) -> Vec<(&str, u32)> {
    i.methods
        .iter()
        .map(|m| (m.name.as_str(), m.opnum))
        .collect()
}

// ---------------------------------------------------------------- ms-dcom.idl

#[test]
fn ms_dcom_interfaces_have_their_uuids_and_bases() {
    let m = ms_dcom();
    let expect = [
        (
            "IActivation",
            "4d9f4ab8-7d1c-11cf-861e-0020af6e7c57",
            None,
            false,
        ),
        (
            "IRemoteSCMActivator",
            "000001a0-0000-0000-c000-000000000046",
            None,
            false,
        ),
        (
            "IObjectExporter",
            "99fcfec4-5260-101b-bbcb-00aa0021347a",
            None,
            false,
        ),
        (
            "IUnknown",
            "00000000-0000-0000-c000-000000000046",
            None,
            true,
        ),
        (
            "IRemUnknown",
            "00000131-0000-0000-c000-000000000046",
            Some("IUnknown"),
            true,
        ),
        (
            "IRemUnknown2",
            "00000143-0000-0000-c000-000000000046",
            Some("IRemUnknown"),
            true,
        ),
    ];
    assert_eq!(m.interfaces.len(), expect.len());
    for (name, uuid, base, object) in expect {
        let i = iface(&m, name);
        assert_eq!(
            i.uuid.map(|u| u.to_string()).as_deref(),
            Some(uuid),
            "{name}"
        );
        assert_eq!(i.base.as_deref(), base, "{name}");
        assert_eq!(i.object, object, "{name}");
    }
}

#[test]
fn ms_dcom_opnums_count_inherited_methods() {
    let m = ms_dcom();
    assert_eq!(
        opnums(iface(&m, "IRemUnknown")),
        [
            ("RemQueryInterface", 3),
            ("RemAddRef", 4),
            ("RemRelease", 5)
        ]
    );
    assert_eq!(
        opnums(iface(&m, "IRemUnknown2")),
        [("RemQueryInterface2", 6)]
    );
    assert_eq!(opnums(iface(&m, "IActivation")), [("RemoteActivation", 0)]);
    let scm = opnums(iface(&m, "IRemoteSCMActivator"));
    assert_eq!(
        scm[3..],
        [("RemoteGetClassObject", 3), ("RemoteCreateInstance", 4)]
    );
    assert_eq!(
        opnums(iface(&m, "IObjectExporter")),
        [
            ("ResolveOxid", 0),
            ("SimplePing", 1),
            ("ComplexPing", 2),
            ("ServerAlive", 3),
            ("ResolveOxid2", 4),
            ("ServerAlive2", 5)
        ]
    );
    let all: Vec<u32> = m
        .all_methods(iface(&m, "IRemUnknown2"))
        .iter()
        .map(|m| m.opnum)
        .collect();
    assert_eq!(all, [0, 1, 2, 3, 4, 5, 6]);
}

#[test]
fn orpc_extent_data_is_sized_by_rounded_size() {
    let m = ms_dcom();
    let data = field(&m, "ORPC_EXTENT", "data");
    assert_eq!(data.layout.levels.len(), 1);
    let a = array(&data.layout.levels[0]);
    assert!(a.is_conformant());
    assert_eq!(
        a.size_is.as_ref().map(ToString::to_string).as_deref(),
        Some("(size + 7) & ~7")
    );
    // The tree, not only its text: (size + 7) & ~7 with `size` the second field.
    let Some(Expr::Binary(BinOp::BitAnd, lhs, rhs)) = &a.size_is else {
        panic!("{:?}", a.size_is)
    };
    assert_eq!(
        **lhs,
        Expr::Binary(
            BinOp::Add,
            Box::new(Expr::Ref {
                name: "size".into(),
                index: 1
            }),
            Box::new(Expr::Int(7))
        )
    );
    assert_eq!(**rhs, Expr::Unary(UnOp::BitNot, Box::new(Expr::Int(7))));
    assert_eq!(data.layout.data, DataType::Base(Scalar::Byte));
}

#[test]
fn orpc_extent_array_is_a_unique_pointer_to_an_array_of_unique_pointers() {
    let m = ms_dcom();
    let ext = field(&m, "ORPC_EXTENT_ARRAY", "extent");
    let l = &ext.layout.levels;
    assert_eq!(l.len(), 3, "{l:?}");
    assert_eq!(pointer(&l[0]).kind, PointerKind::Unique);
    assert!(!pointer(&l[0]).top_level);
    let a = array(&l[1]);
    assert_eq!(
        a.size_is.as_ref().map(ToString::to_string).as_deref(),
        Some("(size + 1) & ~1")
    );
    assert_eq!(pointer(&l[2]).kind, PointerKind::Unique);
    assert!(matches!(&ext.layout.data, DataType::Named(n) if n.name == "ORPC_EXTENT"));
}

#[test]
fn rem_query_interface_results_are_sized_at_the_second_level() {
    let m = ms_dcom();
    let qi = method(iface(&m, "IRemUnknown"), "RemQueryInterface");
    let p = param(qi, "ppQIResults");
    assert_eq!(p.direction, Direction::Out);
    let l = &p.layout.levels;
    assert_eq!(l.len(), 3, "{l:?}");
    let top = pointer(&l[0]);
    assert_eq!((top.kind, top.top_level), (PointerKind::Ref, true));
    assert_eq!(pointer(&l[1]).kind, PointerKind::Unique);
    assert_eq!(
        array(&l[2]).size_is,
        Some(Expr::Ref {
            name: "cIids".into(),
            index: 2
        })
    );
    assert!(
        p.layout.disable_consistency_check,
        "inherited from the PREMQIRESULT typedef"
    );
    assert!(matches!(&p.layout.data, DataType::Named(n) if n.name == "REMQIRESULT"));

    let ripid = param(qi, "ripid");
    assert_eq!(
        pointer(&ripid.layout.levels[0]).kind,
        PointerKind::Ref,
        "REFIPID is a top-level pointer"
    );
}

#[test]
fn pointer_kinds_follow_attribute_typedef_top_level_and_default() {
    let m = ms_dcom();
    let act = method(iface(&m, "IActivation"), "RemoteActivation");
    // [in, unique] MInterfacePointer *pObjectStorage: the attribute wins.
    let storage = pointer(&param(act, "pObjectStorage").layout.levels[0]);
    assert_eq!(
        (storage.kind, storage.top_level, &storage.from),
        (PointerKind::Unique, true, &PointerKindSource::Attribute)
    );
    // [out] DUALSTRINGARRAY **ppdsaOxidBindings: ref at the top, pointer_default(unique) below.
    let dsa = &param(act, "ppdsaOxidBindings").layout.levels;
    assert_eq!(pointer(&dsa[0]).kind, PointerKind::Ref);
    assert_eq!(
        (pointer(&dsa[1]).kind, &pointer(&dsa[1]).from),
        (PointerKind::Unique, &PointerKindSource::PointerDefault)
    );
    // An array parameter is a pointer to the array; [unique] makes it unique.
    let ping = method(iface(&m, "IObjectExporter"), "ComplexPing");
    let add = &param(ping, "AddToSet").layout.levels;
    assert_eq!(pointer(&add[0]).kind, PointerKind::Unique);
    assert_eq!(
        array(&add[1])
            .size_is
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("cAddToSet")
    );
    // The binding handle is not marshaled.
    assert!(param(ping, "hRpc").binding);
    assert_eq!(param(ping, "pSetId").direction, Direction::InOut);
}

#[test]
fn constants_are_evaluated_for_range() {
    let m = ms_dcom();
    assert_eq!(
        m.constant("MAX_REQUESTED_INTERFACES").map(|c| &c.value),
        Some(&ConstValue::Int(0x8000))
    );
    let act = method(iface(&m, "IActivation"), "RemoteActivation");
    assert_eq!(param(act, "Interfaces").layout.range, Some((1, 0x8000)));
    assert_eq!(
        field(&m, "CustomHeader", "cIfs").layout.range,
        Some((1, 10))
    );
}

#[test]
fn strings_are_pointer_then_string_array() {
    let m = ms_dcom();
    let src = field(&m, "ErrorObjectData", "pszSource");
    assert_eq!(pointer(&src.layout.levels[0]).kind, PointerKind::Unique);
    assert!(array(&src.layout.levels[1]).string);
    assert_eq!(src.layout.data, DataType::Base(Scalar::WChar));
}

// ---------------------------------------------------------------- CLI-shaped JSON

#[test]
fn json_dump_has_the_documented_shape() {
    let v = serde_json::to_value(ms_dcom()).expect("serializes");
    let ifaces = v["interfaces"].as_array().expect("interfaces array");
    let rem = ifaces
        .iter()
        .find(|i| i["name"] == "IRemUnknown2")
        .expect("IRemUnknown2");
    assert_eq!(rem["uuid"], "00000143-0000-0000-c000-000000000046");
    assert_eq!(rem["base"], "IRemUnknown");
    assert_eq!(rem["object"], true);
    assert_eq!(rem["methods"][0]["name"], "RemQueryInterface2");
    assert_eq!(rem["methods"][0]["opnum"], 6);
    let act = ifaces
        .iter()
        .find(|i| i["name"] == "IActivation")
        .expect("IActivation");
    assert!(act["base"].is_null());
}

// ---------------------------------------------------------------- the fixture

fn fixture() -> Output {
    let opts = Options {
        lenient_attributes: true,
        ..options()
    };
    load(&[workspace().join("tests/fixtures/everything.idl")], &opts)
}

#[test]
fn fixture_resolves_with_one_warning_for_the_vendor_attribute() {
    let out = fixture();
    let rendered = out.render();
    assert!(out.model.is_some(), "{rendered}");
    let warnings: Vec<_> = out.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        warnings,
        ["unknown attribute `my_vendor_attr`"],
        "{rendered}"
    );
}

#[test]
fn fixture_model_snapshot() {
    let out = fixture();
    let mut model = out.model.expect("fixture resolves");
    // Paths differ between machines; keep only file names.
    for f in &mut model.files {
        f.path = f.path.rsplit('/').next().unwrap_or_default().to_string();
    }
    insta::assert_json_snapshot!("everything_model", model);
}

// ---------------------------------------------------------------- bad input

/// Every error of a run: message, line and column of its primary span.
fn errors(src: &str) -> Vec<(String, usize, usize)> {
    let out = load_str("bad.idl", src, &options());
    assert!(out.model.is_none(), "expected errors for:\n{src}");
    out.diagnostics
        .errors()
        .map(|d| {
            let (line, col) = out.sources.line_col(d.span);
            (d.message.clone(), line, col)
        })
        .collect()
}

fn first_error(src: &str) -> (String, usize, usize) {
    errors(src).into_iter().next().expect("at least one error")
}

fn err(msg: &str, line: usize, col: usize) -> (String, usize, usize) {
    (msg.to_string(), line, col)
}

#[test]
fn syntax_error_names_what_was_found() {
    let src = "typedef struct {\n    long a\n} S;\n";
    assert_eq!(
        first_error(src),
        err(
            "syntax error: expected `,`, `:`, `;` or `[`, found `}`",
            3,
            1
        )
    );
}

#[test]
fn a_missing_operator_is_named_once_not_spelled_eighteen_ways() {
    let (msg, line, col) = first_error("const long C = 1 2;\n");
    assert_eq!((line, col), (1, 18), "{msg}");
    assert!(msg.contains("an operator"), "{msg}");
    assert!(!msg.contains("`||`") && !msg.contains("`<<`"), "{msg}");
}

#[test]
fn syntax_errors_in_separate_declarations_are_all_reported() {
    let src = "typedef long A\ntypedef long B;\nconst long C = ;\nconst long D = 1;\n";
    let found = errors(src);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!((found[0].1, found[1].1), (2, 3));
}

#[test]
fn unknown_type_points_at_the_name() {
    let src = "typedef struct { NOSUCH x; } S;\n";
    assert_eq!(first_error(src), err("unknown type `NOSUCH`", 1, 18));
}

#[test]
fn duplicate_type_is_reported_at_the_second_definition() {
    let src = "typedef long T;\n\ntypedef short T;\n";
    assert_eq!(
        first_error(src),
        err("type `T` is defined more than once", 3, 15)
    );
}

/// Every warning of a run that resolves: message, line and column.
fn warnings(src: &str) -> Vec<(String, usize, usize)> {
    let out = load_str("lenient.idl", src, &options());
    assert!(
        out.model.is_some(),
        "expected a model for:\n{src}\n{}",
        out.render()
    );
    out.diagnostics
        .iter()
        .filter(|d| !d.is_error())
        .map(|d| {
            let (line, col) = out.sources.line_col(d.span);
            (d.message.clone(), line, col)
        })
        .collect()
}

// widl lets a name it cannot resolve through (a constant only a cpp_quote'd
// #define gives); MIDL does not. Accepted, with a warning saying so, and
// the correlation is kept as unknown: what it sizes cannot travel.
#[test]
fn an_unknown_name_in_size_is_is_a_warning() {
    let src = "typedef struct {\n    long n;\n    [size_is(count)] long v[];\n} S;\n";
    assert_eq!(
        warnings(src),
        [err("unknown name `count` in `size_is`", 3, 14)]
    );
    let m = model_of(src);
    let s = match &m.type_named("S").expect("S").kind {
        TypeKind::Struct(s) => s.clone(),
        other => panic!("{other:?}"),
    };
    let Level::Array(a) = &s.fields[1].layout.levels[0] else {
        panic!("an array")
    };
    assert_eq!(a.size_is, Some(Expr::Unknown("count".into())));
}

#[test]
fn correlation_operand_must_be_an_integer() {
    let src = "typedef struct {\n    double n;\n    [size_is(n)] long v[];\n} S;\n";
    assert_eq!(
        first_error(src),
        err("`size_is` operand `n` must be an integer", 3, 14)
    );
}

// MIDL requires [out] parameters to be pointers; widl accepts one passed by
// value (Wine's mshtml.idl has `[out] BOOL fAtStart`), and so do we, warning.
#[test]
fn an_out_parameter_that_is_not_a_pointer_is_a_warning() {
    let src = "[uuid(12345678-1234-1234-1234-123456789abc)]\ninterface I {\n    void F([out] long x);\n}\n";
    // Exactly once: a method is checked once, however it is reached.
    assert_eq!(
        warnings(src),
        [err("[out] parameter `x` is not a pointer", 3, 12)]
    );
}

#[test]
fn iid_is_must_name_a_guid_pointer() {
    let src = "typedef struct { long a; } GUID;\n\
               [uuid(12345678-1234-1234-1234-123456789abc)]\n\
               interface I {\n    void F([in] long riid, [out, iid_is(riid)] void **ppv);\n}\n";
    assert_eq!(
        first_error(src),
        err(
            "`iid_is` operand `riid` must be a pointer to a GUID (IID)",
            4,
            41
        )
    );
}

#[test]
fn string_and_length_is_do_not_mix() {
    let src = "typedef struct {\n    long n;\n    [string, length_is(n)] char *s;\n} S;\n";
    assert_eq!(
        first_error(src),
        err("`string` cannot be combined with `length_is`", 3, 14)
    );
}

#[test]
fn malformed_uuid_is_rejected() {
    let src = "[uuid(\"not-a-uuid\")]\ninterface I {\n}\n";
    assert_eq!(first_error(src), err("malformed uuid", 1, 7));
}

#[test]
fn unknown_base_interface() {
    let src = "[object, uuid(12345678-1234-1234-1234-123456789abc)]\ninterface I : IMissing {\n}\n";
    assert_eq!(
        first_error(src),
        err("unknown base interface `IMissing`", 2, 15)
    );
}

#[test]
fn unknown_constant_in_range() {
    let src = "typedef struct {\n    [range(0, LIMIT)] long n;\n} S;\n";
    assert_eq!(
        first_error(src),
        err("`LIMIT` is not a known constant", 2, 15)
    );
}

#[test]
fn division_by_zero_in_constant() {
    let src = "const long A = 4;\nconst long B = A / (A - 4);\n";
    assert_eq!(
        first_error(src),
        err("division by zero in constant expression", 2, 16)
    );
}

#[test]
fn circular_constants_are_reported_not_looped() {
    let src = "const long A = B;\nconst long B = A + 1;\n";
    let found = errors(src);
    assert!(
        found
            .iter()
            .any(|e| e.0 == "constant is defined in terms of itself"),
        "{found:?}"
    );
}

#[test]
fn unterminated_conditional_points_at_its_if() {
    let src = "#ifdef X\ntypedef long A;\n";
    assert_eq!(
        first_error(src),
        err("unterminated conditional directive", 1, 1)
    );
}

#[test]
fn error_directive_is_an_error() {
    let src = "#if 1 + 1 == 2\n#error two is two\n#endif\n";
    assert_eq!(first_error(src), err("#error two is two", 2, 1));
}

#[test]
fn missing_import_names_the_file() {
    let src = "\n  import \"nowhere.idl\";\n";
    assert_eq!(
        first_error(src),
        err("cannot find imported file `nowhere.idl`", 2, 10)
    );
}

#[test]
fn error_inside_a_macro_expansion_points_at_the_invocation() {
    let src = "#define BAD(x) x x x\ntypedef long A;\nBAD(long);\n";
    assert_eq!(first_error(src).1, 3);
}

#[test]
fn unknown_attributes_warn_and_are_kept_when_lenient() {
    let src = "typedef [frobnicate(1, 2)] long A;\n";
    let lenient = Options {
        lenient_attributes: true,
        ..options()
    };
    let out = load_str("warn.idl", src, &lenient);
    let model = out.model.expect("a warning is not an error");
    let d = out.diagnostics.iter().next().expect("one warning");
    assert_eq!(d.message, "unknown attribute `frobnicate`");
    assert_eq!(out.sources.line_col(d.span), (1, 10));
    let kept = &model.type_named("A").expect("A").attrs;
    assert_eq!(kept[0].name, "frobnicate");
    assert_eq!(
        kept[0].args.as_deref(),
        Some(&["1".to_string(), "2".to_string()][..])
    );
}

#[test]
fn rendered_diagnostic_has_file_line_and_snippet() {
    let out = load_str("show.idl", "typedef struct { NOSUCH x; } S;\n", &options());
    let text = out.render();
    assert!(text.contains("error: unknown type `NOSUCH`"), "{text}");
    assert!(text.contains("show.idl:1:18"), "{text}");
    assert!(text.contains("typedef struct { NOSUCH x; } S;"), "{text}");
}

// ---------------------------------------------------------------- preprocessor

fn model_of(src: &str) -> Model {
    let out = load_str("pp.idl", src, &options());
    let rendered = out.render();
    out.model.unwrap_or_else(|| panic!("{rendered}"))
}

fn int_const(m: &Model, name: &str) -> i128 {
    match m.constant(name).map(|c| &c.value) {
        Some(ConstValue::Int(v)) => *v,
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn function_like_macros_stringify_and_paste() {
    let m = model_of(
        "#define CAT(a, b) a##b\n#define STR(x) #x\n#define SQ(x) ((x) * (x))\n\
         const long CAT(VAL, UE) = SQ(1 + 2);\nconst char *NAME = STR(hello world);\n",
    );
    assert_eq!(int_const(&m, "VALUE"), 9);
    assert_eq!(
        m.constant("NAME").map(|c| &c.value),
        Some(&ConstValue::Str("hello world".into()))
    );
}

#[test]
fn conditionals_pick_one_branch() {
    let m = model_of(
        "#define LEVEL 2\n#if LEVEL == 1\nconst long PICK = 1;\n#elif LEVEL == 2 && defined(LEVEL)\n\
         const long PICK = 2;\n#else\nconst long PICK = 3;\n#endif\n\
         #ifndef NOPE\nconst long N = 1;\n#endif\n#undef LEVEL\n#ifdef LEVEL\nconst long GONE = 1;\n#endif\n",
    );
    assert_eq!(int_const(&m, "PICK"), 2);
    assert_eq!(int_const(&m, "N"), 1);
    assert!(m.constant("GONE").is_none());
}

#[test]
fn defines_from_options_are_seen() {
    let opts = Options {
        defines: vec![("WIDTH".into(), Some("8".into())), ("FLAG".into(), None)],
        ..options()
    };
    let out = load_str(
        "d.idl",
        "#if FLAG\nconst long W = WIDTH * 2;\n#endif\n",
        &opts,
    );
    let m = out.model.expect("resolves");
    assert_eq!(int_const(&m, "W"), 16);
}

#[test]
fn diagnostics_point_into_included_files() {
    let out = load_files(
        &[
            ("inner.h", "\n\ntypedef NOPE T;\n"),
            (
                "outer.idl",
                "typedef long A;\n#include \"inner.h\"\ntypedef long B;\n",
            ),
        ],
        "outer.idl",
    );
    let d = out.diagnostics.errors().next().expect("an error");
    assert_eq!(d.message, "unknown type `NOPE`");
    assert!(out
        .sources
        .path(d.span.file)
        .is_some_and(|p| p.ends_with("inner.h")));
    assert_eq!(out.sources.line_col(d.span), (3, 9));
}

#[test]
fn pragmas_are_kept() {
    let m = model_of("#pragma pack(4)\ntypedef long A;\n");
    assert_eq!(m.pragmas.len(), 1);
    assert_eq!(m.pragmas[0].text, "pack(4)");
}

#[test]
fn comments_inside_strings_are_text() {
    let m =
        model_of("cpp_quote(\"/* not a comment */ // nor this\")\nconst char *S = \"a // b\";\n");
    assert_eq!(m.cpp_quotes, ["/* not a comment */ // nor this"]);
    assert_eq!(
        m.constant("S").map(|c| &c.value),
        Some(&ConstValue::Str("a // b".into()))
    );
}

#[test]
fn each_import_is_read_once() {
    let m = model_of(
        "import \"ms-dtyp.idl\";\nimport \"ms-dtyp.idl\", \"ms-dtyp.idl\";\ntypedef DWORD D;\n",
    );
    let dtyp = m
        .files
        .iter()
        .filter(|f| f.path.ends_with("ms-dtyp.idl"))
        .count();
    assert_eq!(dtyp, 1);
}

// ---------------------------------------------------------------- libraries

const LIB_IFACE: &str = "[object, uuid(12345678-1234-1234-1234-123456789abc)]\ninterface IA : IUnknown { HRESULT F([in] long a); }\n";

#[test]
fn library_members_are_recorded() {
    let src = format!(
        "import \"ms-dtyp.idl\";\n[object, uuid(00000000-0000-0000-C000-000000000046)] interface IUnknown {{ }}\n\
         [uuid(11111111-1234-1234-1234-123456789abc), version(1.2)]\nlibrary Lib {{\n    importlib(\"stdole2.tlb\");\n{LIB_IFACE}\
         [uuid(22222222-1234-1234-1234-123456789abc)] coclass C {{ [default] interface IA; }};\n}};\n"
    );
    let m = model_of(&src);
    let lib = &m.libraries[0];
    assert_eq!(lib.name, "Lib");
    assert_eq!(lib.importlibs, ["stdole2.tlb"]);
    assert_eq!(lib.members, ["IA", "C"]);
    assert!(m.coclasses[0].interfaces[0].default);
    assert_eq!(iface(&m, "IA").methods[0].opnum, 0);
}

#[test]
fn errors_inside_a_library_are_each_reported_and_the_library_still_closes() {
    let src = "library Lib {\n    typedef long A\n    typedef long B;\n    const long C = ;\n}\ntypedef NOPE D;\n";
    let found = errors(src);
    let lines: Vec<usize> = found.iter().map(|e| e.1).collect();
    // Lines 3 and 4 have the syntax errors; nothing swallows the `}`, so
    // resolution is skipped but the file after the library is parsed.
    assert_eq!(lines, [3, 4], "{found:?}");
}

#[test]
fn unclosed_library_is_an_error() {
    assert_eq!(
        first_error("library Lib {\n typedef long A;\n"),
        err("library `Lib` is never closed", 1, 9)
    );
}

// ---------------------------------------------------------------- fixture details

fn fixture_model() -> Model {
    fixture().model.expect("fixture resolves")
}

#[test]
fn multi_dimensional_arrays_are_one_level_per_dimension() {
    let m = fixture_model();
    let dims: Vec<Option<u64>> = field(&m, "ARRAYS", "m")
        .layout
        .levels
        .iter()
        .map(|l| array(l).fixed)
        .collect();
    assert_eq!(dims, [Some(2), Some(3)]);
    let window = array(&field(&m, "ARRAYS", "window").layout.levels[0]);
    assert_eq!((window.fixed, window.is_varying()), (Some(16), true));
    assert_eq!(
        window.first_is.as_ref().map(ToString::to_string).as_deref(),
        Some("firstIdx")
    );
    let star = array(&field(&m, "STAR_ARRAY", "items").layout.levels[0]);
    assert!(star.is_conformant());
    assert_eq!(
        star.size_is,
        Some(Expr::Ref {
            name: "n".into(),
            index: 0
        })
    );
    let label = array(&field(&m, "POINTERS", "label").layout.levels[0]);
    assert_eq!((label.fixed, label.string), (Some(16), true));
}

#[test]
fn unions_keep_their_cases_and_discriminants() {
    let m = fixture_model();
    let TypeKind::Union(enc) = &m.type_named("ENC_U").expect("ENC_U").kind else {
        panic!("ENC_U is a union")
    };
    assert!(
        matches!(&enc.switch, UnionSwitch::Encapsulated { discriminant, ty: DataType::Base(Scalar::Int32), .. } if discriminant == "t")
    );
    let cases: Vec<(Vec<i128>, bool)> = enc
        .arms
        .iter()
        .map(|a| (a.cases.clone(), a.default))
        .collect();
    assert_eq!(
        cases,
        [(vec![1], false), (vec![2, 3], false), (vec![], true)]
    );
    assert!(enc.arms[2].field.is_none());

    let TypeKind::Union(ne) = &m.type_named("NE_UNION").expect("NE_UNION").kind else {
        panic!("NE_UNION is a union")
    };
    assert!(matches!(
        ne.switch,
        UnionSwitch::NonEncapsulated {
            ty: Some(DataType::Base(Scalar::Int16))
        }
    ));
    assert_eq!(ne.arms[1].cases, [2, 3]);
    assert_eq!(
        field(&m, "HAS_UNION", "u").layout.switch_is,
        Some(Expr::Ref {
            name: "kind".into(),
            index: 0
        })
    );
}

#[test]
fn enum_values_come_from_constant_expressions() {
    let m = fixture_model();
    let TypeKind::Enum(e) = &m.type_named("FLAGS").expect("FLAGS").kind else {
        panic!("FLAGS is an enum")
    };
    assert!(e.v1_enum);
    let items: Vec<(&str, i128)> = e.items.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    // FLAG_C is implicit: the previous value plus one.
    assert_eq!(items, [("FLAG_A", 8), ("FLAG_B", 24), ("FLAG_C", 25)]);
    assert_eq!(int_const(&m, "FLAG_B"), 24, "enumerators are constants too");
}

#[test]
fn operators_follow_c_precedence() {
    // Expected values computed by gcc from the same expressions.
    let cases = [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("1 << 2 + 1", 8),
        ("6 & 3 | 8 ^ 12", 6),
        ("1 | 2 ^ 3 & 4", 3),
        ("10 - 4 - 3", 3),
        ("100 / 10 / 5", 2),
        ("1 < 2 == 1", 1),
        ("0 || 2 && 3", 1),
        ("1 ? 2 : 0 ? 3 : 4", 2),
        ("-~5 + !0", 7),
        ("0x10 + 010 + 10UL + 'A'", 99),
        ("(7 + 7) & ~7", 8),
        ("17 % 5 * 2", 4),
    ];
    let src: String = cases
        .iter()
        .enumerate()
        .map(|(i, (e, _))| format!("const hyper E{i} = {e};\n"))
        .collect();
    let m = model_of(&src);
    for (i, (e, want)) in cases.iter().enumerate() {
        assert_eq!(int_const(&m, &format!("E{i}")), *want, "{e}");
    }
}

// ---------------------------------------------------------------- layout rules

const DTYP: &str = "import \"ms-dtyp.idl\";\n";

fn params_of(src: &str) -> Vec<Param> {
    let m = model_of(&format!("{DTYP}[uuid(12345678-1234-1234-1234-123456789abc), pointer_default(unique)]\ninterface I {{\n{src}\n}}\n"));
    m.interfaces[0].methods[0].params.clone()
}

#[test]
fn a_sized_string_typedef_is_one_array() {
    // LPWSTR already ends in a string array; size_is sizes that array.
    let p = params_of("void F([in] long cch, [in, size_is(cch)] LPWSTR psz);");
    let l = &p[1].layout.levels;
    assert_eq!(l.len(), 2, "{l:?}");
    let a = array(&l[1]);
    assert!(a.string);
    assert_eq!(
        a.size_is,
        Some(Expr::Ref {
            name: "cch".into(),
            index: 0
        })
    );
}

#[test]
fn array_parameters_decay_to_pointers_even_through_typedefs() {
    let m = model_of(&format!(
        "{DTYP}typedef byte MAC[6];\n[uuid(12345678-1234-1234-1234-123456789abc)]\ninterface I {{\n    void F([in] MAC m, [in, unique] long *a[4]);\n}}\n"
    ));
    let ps = &m.interfaces[0].methods[0].params;
    let mac = &ps[0].layout.levels;
    assert_eq!(pointer(&mac[0]).kind, PointerKind::Ref);
    assert_eq!(array(&mac[1]).fixed, Some(6));
    // [unique] goes to the element pointers; the array itself is passed by ref.
    let a = &ps[1].layout.levels;
    assert_eq!(pointer(&a[0]).kind, PointerKind::Ref);
    assert_eq!(array(&a[1]).fixed, Some(4));
    assert_eq!(
        (pointer(&a[2]).kind, &pointer(&a[2]).from),
        (PointerKind::Unique, &PointerKindSource::Attribute)
    );
}

#[test]
fn anonymous_members_keep_sibling_indices() {
    let m = model_of("typedef struct {\n    union { long a; long b; };\n    long n;\n    [size_is(n)] long *p;\n} S;\n");
    let p = field(&m, "S", "p");
    assert_eq!(
        array(&p.layout.levels[1]).size_is,
        Some(Expr::Ref {
            name: "n".into(),
            index: 1
        })
    );
}

#[test]
fn constant_correlations_in_union_arms_are_kept() {
    let m = model_of(
        "typedef [switch_type(long)] union { [case(1), size_is(16)] byte *p; [default] ; } U;\n",
    );
    let TypeKind::Union(u) = &m.type_named("U").expect("U").kind else {
        panic!("U is a union")
    };
    let f = u.arms[0].field.as_ref().expect("arm 1 has a field");
    assert_eq!(array(&f.layout.levels[1]).size_is, Some(Expr::Int(16)));
}

#[test]
fn inline_definitions_get_distinct_names() {
    let m = model_of("typedef struct A { struct { long x; } b_c; } A;\ntypedef struct A_b { struct { long y; } c; } A_b;\n");
    let names: Vec<&str> = m
        .types
        .iter()
        .map(|t| t.name.as_str())
        .filter(|n| n.starts_with("A_b_c"))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_ne!(names[0], names[1]);
}

#[test]
fn words_from_separate_expansions_stay_apart() {
    let m = model_of("#define ID(x) x\n#define DECL ID(long)ID(value)\nconst DECL = 3;\n");
    assert_eq!(int_const(&m, "value"), 3);
}

#[test]
fn an_expansion_ending_in_a_macro_name_takes_its_arguments_from_the_text_after_it() {
    let m = model_of(
        "#define TWICE(x) ((x) * 2)\n#define PICK TWICE\n#define NEG -\n\
         const long A = PICK (3) + 1;\nconst long B = NEG PICK(NEG 4);\n\
         const long C = TWICE\n(5);\n",
    );
    assert_eq!(int_const(&m, "A"), 7);
    assert_eq!(int_const(&m, "B"), 8);
    assert_eq!(int_const(&m, "C"), 10);
}

#[test]
fn an_expansion_that_leaves_its_parenthesis_open_takes_the_rest_from_the_text() {
    let m = model_of(
        "#define SQ(x) ((x) * (x))\n#define SQ_OF SQ(\n#define CALL(f, a) f(a\n\
         const long A = SQ_OF 3);\nconst long B = CALL(SQ, 4));\nconst long C = 1;\n",
    );
    assert_eq!(int_const(&m, "A"), 9);
    assert_eq!(int_const(&m, "B"), 16);
    assert_eq!(int_const(&m, "C"), 1);
}

#[test]
fn a_failed_invocation_drops_its_run_of_lines_and_nothing_after() {
    let out = load_str(
        "pp.idl",
        "#define F(a, b) a\nconst long A = 1; const long B = F(1);\n#define Z\n\
         const long C = 2;\nconst long D = ;\n",
        &options(),
    );
    let rendered = out.render();
    assert!(
        rendered.contains("macro `F` takes 2 argument(s), but 1 were given"),
        "{rendered}"
    );
    // The broken line's start does not run into C's, and what follows is
    // still located where it is.
    assert!(rendered.contains("pp.idl:5:16"), "{rendered}");
    let errors = out
        .diagnostics
        .iter()
        .filter(|d| d.severity == msrpc_idl::Severity::Error)
        .count();
    assert_eq!(errors, 2, "{rendered}");
    assert!(out.model.is_none());
}

#[test]
fn text_around_invocations_is_kept_as_written() {
    // A function-like name without `(` is a plain word, and an invocation
    // glued to words on both sides stays apart from them.
    let m = model_of(
        "#define F(x) x\n#define N 2\nconst long F = 1;\nconst long G = F+N*F(3)-N;\n\
         const long H = F(F(N))F(+1);\n",
    );
    assert_eq!(int_const(&m, "F"), 1);
    assert_eq!(int_const(&m, "G"), 5);
    assert_eq!(int_const(&m, "H"), 3);
}

#[test]
fn defined_can_come_from_a_macro() {
    let m =
        model_of("#define X\n#define HAVE_X defined(X)\n#if HAVE_X\nconst long Y = 1;\n#endif\n");
    assert_eq!(int_const(&m, "Y"), 1);
}

#[test]
fn pointer_default_must_name_a_pointer_kind() {
    let src =
        "[uuid(12345678-1234-1234-1234-123456789abc), pointer_default(shared)]\ninterface I {\n}\n";
    assert_eq!(
        first_error(src),
        err("`pointer_default` takes `ref`, `unique` or `ptr`", 1, 62)
    );
}

#[test]
fn words_that_begin_with_a_keyword_are_names_and_keywords_are_not() {
    // Each of these extends a keyword (or a keyword that begins another
    // keyword) by a letter or digit: all are ordinary names.
    let names = [
        "interfaces",
        "integer",
        "int8",
        "importer",
        "importlibs",
        "__int3",
        "__int3264x",
        "__int80",
        "constant",
        "voids",
        "longer",
        "structure",
        "unsigned_",
        "typedefs",
    ];
    let src: String = names
        .iter()
        .map(|n| format!("const long {n} = 1;\n"))
        .collect();
    let m = model_of(&src);
    for n in names {
        assert_eq!(int_const(&m, n), 1, "{n}");
    }
    // A keyword is not a name.
    for kw in [
        "int",
        "interface",
        "import",
        "importlib",
        "__int3264",
        "__int32",
        "sizeof",
    ] {
        let (msg, line, _) = first_error(&format!("const long {kw} = 1;\n"));
        assert!(msg.starts_with("syntax error"), "{kw}: {msg}");
        assert_eq!(line, 1, "{kw}");
    }
}

// Expressions match their own white space (the grammar's `ws`), not pest's
// implicit WHITESPACE: space, tabs and line breaks may stand between any
// two tokens of every form.
#[test]
fn white_space_may_stand_between_any_two_tokens_of_an_expression() {
    let m = model_of(
        "const long A = ( 1 +\t2 ) *\n3 ;\n\
         const long B = - 1 ;\n\
         const long C = ~ 7 & 0xff ;\n\
         const long D = ( unsigned long ) 5 ;\n\
         const long E = ( long ) ( 6 ) ;\n\
         const long F = sizeof ( long ) ;\n\
         const long H = A ? 1 : 2 ;\n\
         const long I = ! 0 ;\n\
         const long J = 1 << 3 | 4 ;\n\
         const long K = 8 >> 1 ^ 3 ;\n\
         const long L2 = 10 % 3 + 10 / 3 - 2 ;\n\
         const long M = A == 9 && B != 0 || C <= 3 && D >= 1 && E < 9 && F > 0 ;\n\
         const long N = 'a' + L'b' ;\n\
         const char * S = \"ab\" \"cd\"\n  \"ef\" ;\n",
    );
    let expect = [
        ("A", 9),
        ("B", -1),
        ("C", 248),
        ("D", 5),
        ("E", 6),
        ("F", 4),
        ("H", 1),
        ("I", 1),
        ("J", 12),
        ("K", 7),
        ("L2", 2),
        ("M", 1),
        ("N", 195),
    ];
    for (name, value) in expect {
        assert_eq!(int_const(&m, name), value, "{name}");
    }
    assert_eq!(
        m.constant("S").map(|c| &c.value),
        Some(&ConstValue::Str("abcdef".into()))
    );
    // Postfixes with spaces, in correlations.
    let m = model_of(
        "typedef struct { long n; long a[4]; } S;\n\
         [uuid(11111111-2222-3333-4444-555555555555)] interface I {\n\
         void f([in] S * s, [in, size_is( s -> n )] long * v);\n\
         void g([in] S s, [in, size_is( s . n * 2 )] long * v);\n\
         void h([in] long n, [in, size_is( n > 4 ? n : 4 )] long * v);\n}\n",
    );
    let i = iface(&m, "I");
    for (name, size) in [("f", "s->n"), ("g", "s.n * 2"), ("h", "(n > 4) ? n : 4")] {
        let v = param(method(i, name), "v");
        let size_is = v.layout.attrs.iter().find(|a| a.name == "size_is");
        assert_eq!(
            size_is.and_then(|a| a.args.clone()),
            Some(vec![size.to_string()]),
            "{name}"
        );
    }
}

#[test]
fn a_string_literal_spans_its_quotes_not_the_space_after_it() {
    let src = "import \"nosuch.idl\"   \n ;\n";
    let out = load_str("s.idl", src, &options());
    let d = out
        .diagnostics
        .0
        .iter()
        .find(|d| d.message.contains("nosuch.idl"))
        .unwrap_or_else(|| panic!("{}", out.render()));
    let (start, end) = (d.span.start as usize, d.span.end as usize);
    assert_eq!(&src[start..end], "\"nosuch.idl\"");
}

// `version(1.10)` is a float literal and `version(3)` an integer; both
// are read from the text as written, so 1.10 is minor 10, not 1.
#[test]
fn interface_versions_are_read_as_written() {
    let m = model_of(
        "[uuid(11111111-2222-3333-4444-555555555555), version(1.10)] interface A { void f(void); }\n\
         [uuid(11111111-2222-3333-4444-555555555556), version(3)] interface B { void f(void); }\n",
    );
    assert_eq!(iface(&m, "A").version, Some((1, 10)));
    assert_eq!(iface(&m, "B").version, Some((3, 0)));
    assert_eq!(
        first_error(
            "[uuid(11111111-2222-3333-4444-555555555555), version(70000.0)]\n\
             interface A { void f(void); }\n"
        ),
        err("malformed version", 1, 54)
    );
}

// ---------------------------------------------------------------- widl's dialect

#[test]
fn an_object_interface_without_a_uuid_is_a_warning() {
    let src = "[object] interface IBase { void F(void); }\n";
    let w = warnings(src);
    assert_eq!(w, [err("interface `IBase` has no `uuid` attribute", 1, 20)]);
    assert_eq!(iface(&model_of(src), "IBase").uuid, None);
}

#[test]
fn a_coclass_may_name_an_interface_it_cannot_see() {
    let src = "[uuid(11111111-2222-3333-4444-555555555555)] coclass C { interface IElsewhere; }\n";
    assert_eq!(
        warnings(src),
        [err("unknown interface `IElsewhere` in coclass `C`", 1, 68)]
    );
}

#[test]
fn floating_constants_are_evaluated_in_double_precision() {
    let m = model_of(
        "const float RATIO = (1/1024.0);\nconst long DEN = 4;\n\
         const double Q = 1000.0 * 3 / DEN;\nconst float KEPT = 1.5;\nconst float SAME = KEPT;\n",
    );
    let float = |n: &str| match &m.constant(n).expect(n).value {
        ConstValue::Float(f) => f.clone(),
        other => panic!("{n}: {other:?}"),
    };
    assert_eq!(float("RATIO"), "0.0009765625");
    assert_eq!(float("Q"), "750.0");
    assert_eq!(float("KEPT"), "1.5");
    assert_eq!(float("SAME"), "1.5");
}

// A [local] method and its [call_as] remote form are one procedure: they
// share an opnum, and the methods after them are not shifted.
#[test]
fn a_call_as_pair_shares_one_opnum() {
    let m = model_of(
        "[object, uuid(11111111-2222-3333-4444-555555555555)] interface IUnknown { void QueryInterface(void); void AddRef(void); void Release(void); }\n\
         [object, uuid(11111111-2222-3333-4444-555555555556)] interface IEnum : IUnknown {\n\
           [local] long Next([in] long n);\n\
           [call_as(Next)] long RemoteNext([in] long n, [out] long *got);\n\
           long Skip([in] long n);\n\
           [call_as(Clone)] long RemoteClone(void);\n\
           [local] long Clone(void);\n\
         }\n",
    );
    let ops: Vec<(&str, u32)> = iface(&m, "IEnum")
        .methods
        .iter()
        .map(|x| (x.name.as_str(), x.opnum))
        .collect();
    assert_eq!(
        ops,
        [
            ("Next", 3),
            ("RemoteNext", 3),
            ("Skip", 4),
            ("RemoteClone", 5),
            ("Clone", 5)
        ]
    );
}

// MIDL takes a non-encapsulated union's discriminant type from what its
// switch_is names when the union has no [switch_type].
#[test]
fn a_union_without_switch_type_takes_the_type_of_its_switch_is() {
    let m = model_of(
        "typedef union { [case(1)] long a; [case(2)] short b; } U;\n\
         typedef struct { short kind; [switch_is(kind)] U u; } S;\n",
    );
    match &m.type_named("U").expect("U").kind {
        TypeKind::Union(u) => assert_eq!(
            u.switch,
            UnionSwitch::NonEncapsulated {
                ty: Some(DataType::Base(Scalar::Int16))
            }
        ),
        other => panic!("{other:?}"),
    }
}

// A context handle is one value on the wire: its typedef is not unfolded
// into a pointer to void at its uses, and an untyped one becomes data too.
#[test]
fn context_handles_are_data_not_pointers_to_void() {
    let m = model_of(
        "typedef [context_handle] void *H;\n\
         [uuid(11111111-2222-3333-4444-555555555555)] interface X {\n\
           long Open([out] H *ph, [in, out] H *pio, [in, context_handle] void *raw);\n\
         }\n",
    );
    assert_eq!(m.type_named("H").expect("H").kind, TypeKind::ContextHandle);
    let params = &iface(&m, "X").methods[0].params;
    for p in &params[..2] {
        assert_eq!(
            p.layout.levels.len(),
            1,
            "{}: the top-level pointer only",
            p.name
        );
        assert!(matches!(&p.layout.data, DataType::Named(n) if n.name == "H"));
    }
    assert!(params[2].layout.levels.is_empty());
    assert_eq!(params[2].layout.data, DataType::ContextHandle);
}

#[test]
fn a_wire_marshal_type_travels_as_its_wire_type() {
    let m = model_of(
        "typedef struct { long n; } WIRE;\ntypedef [unique] WIRE *PWIRE;\n\
         typedef [wire_marshal(PWIRE)] void *LOCAL;\n\
         typedef struct { [unique] LOCAL l; } S;\n",
    );
    match &m.type_named("LOCAL").expect("LOCAL").kind {
        TypeKind::Marshaled(x) => {
            assert_eq!(x.how, MarshalKind::WireMarshal);
            assert!(matches!(&x.wire.data, DataType::Named(n) if n.name == "WIRE"));
            assert_eq!(x.wire.levels.len(), 1);
            assert_eq!(x.local.data, DataType::Base(Scalar::Void));
        }
        other => panic!("{other:?}"),
    }
}

// Wine's headers keep their IDL declarations under `#ifdef __WIDL__`.
#[test]
fn widl_and_midl_are_both_predefined() {
    let m = model_of("#if defined(__WIDL__) && defined(__midl) && defined(__MSRPC__)\nconst long BOTH = 1;\n#endif\n");
    assert_eq!(int_const(&m, "BOTH"), 1);
}

#[test]
fn an_unknown_attribute_is_an_error_with_the_nearest_name() {
    for (src, typo, near) in [
        ("interface i { void f([inn] long a); }\n", "inn", "in"),
        (
            "interface i { void f([in, sizeis(n)] long *a, [in] long n); }\n",
            "sizeis",
            "size_is",
        ),
        (
            "interface i { void f([in, sting] wchar_t *name); }\n",
            "sting",
            "string",
        ),
    ] {
        let out = load_str("typo.idl", src, &options());
        let rendered = out.render();
        assert!(out.model.is_none(), "{typo}: {rendered}");
        assert!(
            rendered.contains(&format!("error: unknown attribute `{typo}`")),
            "{rendered}"
        );
        assert!(
            rendered.contains(&format!("did you mean `{near}`?")),
            "{rendered}"
        );
        // widl's leniency, asked for: a warning, and the model.
        let lenient = Options {
            lenient_attributes: true,
            ..options()
        };
        assert!(
            load_str("typo.idl", src, &lenient).model.is_some(),
            "{typo}"
        );
    }
}

#[test]
fn an_unknown_type_or_base_suggests_the_nearest_or_the_builtin_file() {
    let src = "typedef struct { long x; } POINT2;\ninterface i { void f([in] POINT3 p); }\n";
    let rendered = load_str("t.idl", src, &options()).render();
    assert!(rendered.contains("unknown type `POINT3`"), "{rendered}");
    assert!(rendered.contains("did you mean `POINT2`?"), "{rendered}");

    let opts = msrpc_codegen::builtin::front_end();
    let src = "[object, uuid(11111111-2222-3333-4444-555555555555)]\n\
               interface IThing : IUnknown { HRESULT f(); }\n";
    let rendered = load_str("t.idl", src, &opts).render();
    assert!(
        rendered.contains("unknown base interface `IUnknown`"),
        "{rendered}"
    );
    assert!(
        rendered.contains(
            "`IUnknown` is declared in the built-in `ms-dcom.idl`: add `import \"ms-dcom.idl\";`"
        ),
        "{rendered}"
    );
    assert!(rendered.contains("unknown type `HRESULT`"), "{rendered}");
    assert!(rendered.contains("built-in `ms-dtyp.idl`"), "{rendered}");

    let src = "import \"ms-dcom.idl\";\n[object, uuid(11111111-2222-3333-4444-555555555555)]\n\
               interface IThing : IUnknwn { HRESULT f(); }\n";
    let rendered = load_str("t.idl", src, &opts).render();
    assert!(rendered.contains("did you mean `IUnknown`?"), "{rendered}");
}

#[test]
fn a_syntax_error_says_what_it_was_parsing_and_which_brace_is_open() {
    let src = "typedef long A;\ninterface i {\n  long f(void);\n  long g(void);\n";
    let out = load_str("open.idl", src, &options());
    let d = out.diagnostics.errors().next().expect("an error");
    assert!(d.message.ends_with("found end of file"), "{}", d.message);
    let labels: Vec<(usize, &str)> = d
        .secondary
        .iter()
        .map(|(span, label)| (out.sources.line_col(*span).0, label.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            (2, "in this `interface` declaration"),
            (2, "this `{` is never closed")
        ]
    );
    // One error for one missing `}`.
    assert_eq!(out.diagnostics.errors().count(), 1);

    let src = "[uuid(12345678-1234-1234-1234-123456789abc)]\ninterface j {\n  typedef struct {\n    long a\n    long b;\n  } S;\n};\n";
    let out = load_str("semi.idl", src, &options());
    let errors: Vec<_> = out.diagnostics.errors().collect();
    assert_eq!(errors.len(), 1, "{}", out.render());
    assert_eq!(out.sources.line_col(errors[0].span), (5, 5));
    assert_eq!(errors[0].secondary[0].1, "in this `interface` declaration");
}
