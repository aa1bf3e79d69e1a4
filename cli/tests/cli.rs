//! The `msidl` command as a user runs it.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn msidl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_msidl"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("msidl runs")
}

fn temp_idl(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("msidl-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write idl");
    path
}

#[test]
fn check_accepts_ms_dcom() {
    let out = msidl(&["check", "codegen/idl/ms-dcom.idl"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_fails_with_located_diagnostics() {
    let path = temp_idl(
        "bad.idl",
        "typedef struct {\n    NOSUCH a;\n    ALSO_NOT b;\n} S;\n",
    );
    let out = msidl(&["check", path.to_str().expect("utf-8 path")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    // Both errors, not only the first, each with file:line:col and a snippet.
    assert!(stderr.contains("unknown type `NOSUCH`"), "{stderr}");
    assert!(stderr.contains("unknown type `ALSO_NOT`"), "{stderr}");
    assert!(stderr.contains("bad.idl:2:5"), "{stderr}");
    assert!(stderr.contains("bad.idl:3:5"), "{stderr}");
    assert!(stderr.contains("    NOSUCH a;"), "{stderr}");
}

#[test]
fn defines_from_the_command_line_reach_the_preprocessor() {
    let path = temp_idl(
        "defs.idl",
        "#if !defined(WANT) || LEVEL != 3\n#error not configured\n#endif\ntypedef long T;\n",
    );
    let p = path.to_str().expect("utf-8 path");
    assert_eq!(msidl(&["check", p]).status.code(), Some(1));
    assert_eq!(
        msidl(&["check", "-D", "WANT", "-D", "LEVEL=2", p])
            .status
            .code(),
        Some(1)
    );
    let ok = msidl(&["check", "-D", "WANT", "-D", "LEVEL=3", p]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

#[test]
fn dump_json_lists_interfaces_with_opnums() {
    let out = msidl(&["dump", "--json", "codegen/idl/ms-dcom.idl"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let ifaces = v["interfaces"].as_array().expect("interfaces array");
    let exporter = ifaces
        .iter()
        .find(|i| i["name"] == "IObjectExporter")
        .expect("IObjectExporter");
    assert_eq!(exporter["uuid"], "99fcfec4-5260-101b-bbcb-00aa0021347a");
    assert!(exporter["base"].is_null());
    assert_eq!(exporter["object"], false);
    let names: Vec<(&str, u64)> = exporter["methods"]
        .as_array()
        .expect("methods")
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap_or(""),
                m["opnum"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(names[5], ("ServerAlive2", 5));
}

#[test]
fn dump_prints_each_field_and_parameter_with_its_levels() {
    let out = msidl(&["dump", "codegen/idl/ms-dcom.idl"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.starts_with('{'), "text, not JSON: {text}");
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    for want in [
        "file codegen/idl/ms-dcom.idl",
        "file codegen/idl/ms-dtyp.idl (imported)",
        "const MAX_REQUESTED_INTERFACES = 32768",
        "struct STDOBJREF",
        "cPublicRefs: unsigned long",
        "interface IRemUnknown uuid(00000131-0000-0000-c000-000000000046) [object] : IUnknown",
        "opnum 3 RemQueryInterface",
        "ppQIResults: [out] ref ptr(top) -> unique ptr -> array(size_is(cIids)) -> REMQIRESULT",
        "ppdsaOxidBindings: [out] ref ptr(top) -> unique ptr -> DUALSTRINGARRAY",
        "hRpc: [in] handle_t (binding handle)",
        "return: error_status_t",
    ] {
        assert!(lines.contains(&want), "no line `{want}` in:\n{text}");
    }
}

#[test]
fn dump_shows_arrays_unions_and_correlations() {
    let out = msidl(&[
        "dump",
        "--lenient-attributes",
        "tests/fixtures/everything.idl",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    for want in [
        "union ENC_U switch(long t)",
        "case 2, 3: b: double",
        "default: (empty)",
        "u: NE_UNION switch_is(kind)",
        "label: array[16](string) -> char",
        "window: array[16](first_is(firstIdx), last_is(lastIdx)) -> long",
        "pFull: full ptr -> long",
        "count: [in] long range(0, 64)",
        "ppv: [out] ref ptr(top) -> unique ptr -> interface IUnknown iid_is(riid)",
        "enum FLAGS (v1_enum, 32 bits)",
    ] {
        assert!(lines.contains(&want), "no line `{want}` in:\n{text}");
    }
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let out = msidl(&["check", "no/such/file.idl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `no/such/file.idl`"));
}

#[test]
fn ndr_decode_prints_and_round_trips() {
    let out = msidl(&[
        "ndr",
        "decode",
        "ORPCTHIS",
        "tests/vectors/ndr/ORPCTHIS-with-extension.hex",
        "--hex",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("major_version: 5"), "{stdout}");
    assert!(
        stdout.contains("f1f19680-4d2a-11ce-a66a-0020af6e72f4"),
        "{stdout}"
    );
}

#[test]
fn ndr_decode_fails_on_bad_input_and_unknown_types() {
    let short = temp_idl("short.hex", "0500070001");
    let out = msidl(&[
        "ndr",
        "decode",
        "ORPCTHIS",
        short.to_str().expect("utf-8"),
        "--hex",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NDR error at byte"));
    let out = msidl(&[
        "ndr",
        "decode",
        "NOSUCHTYPE",
        short.to_str().expect("utf-8"),
        "--hex",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown type `NOSUCHTYPE`"));
}

#[test]
fn gen_maps_imports_onto_existing_modules() {
    // The built-in ms-dcom.idl and ms-dtyp.idl are the runtime's modules.
    let out = msidl(&["gen", "tests/fixtures/uses_dcom.idl"]);
    let code = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(code.contains("pub struct STAMPED"), "{code}");
    assert!(code.contains("::msrpc::dcom::ORPCTHIS"), "{code}");
    assert!(!code.contains("pub struct ORPCTHIS"), "{code}");
    let whole = msidl(&[
        "gen",
        "tests/fixtures/uses_dcom.idl",
        "--no-builtin-externs",
    ]);
    assert!(String::from_utf8_lossy(&whole.stdout).contains("pub struct ORPCTHIS"));
    let mapped = msidl(&[
        "gen",
        "tests/fixtures/uses_dcom.idl",
        "--no-builtin-externs",
        "--extern",
        "ms-dcom.idl=crate::proto",
    ]);
    let mapped = String::from_utf8_lossy(&mapped.stdout);
    assert!(mapped.contains("crate::proto::ORPCTHIS"), "{mapped}");
    let bad = msidl(&[
        "gen",
        "tests/fixtures/uses_dcom.idl",
        "--extern",
        "nope.idl=::x",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("does not import"));
}

#[test]
fn ndr_decode_takes_a_methods_request_and_response() {
    // RemQueryInterface's request: ORPCTHIS (impacket's vector), the IPID,
    // cRefs, cIids, then the conformant IID array.
    let orpcthis =
        std::fs::read_to_string(root().join("tests/vectors/ndr/ORPCTHIS-no-extensions.hex"))
            .expect("vector");
    let mut hex = orpcthis.trim().to_string();
    hex += &"11".repeat(16); // ripid
    hex += "05000000"; // cRefs
    hex += "01000000"; // cIids, 2 bytes of padding
    hex += "01000000"; // max_count
    hex += "0000000000000000c000000000000046"; // IID_IUnknown
    let file = temp_idl("rqi.hex", &hex);
    let path = file.to_str().expect("utf-8");
    let out = msidl(&[
        "ndr",
        "decode",
        "IRemUnknown.RemQueryInterface:in",
        path,
        "--hex",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("c_refs: 5"), "{stdout}");
    assert!(
        stdout.contains("00000000-0000-0000-c000-000000000046"),
        "{stdout}"
    );
    // The same bytes are not a response.
    let out = msidl(&[
        "ndr",
        "decode",
        "IRemUnknown.RemQueryInterface:out",
        path,
        "--hex",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_reader_that_stops_early_is_not_a_panic() {
    use std::io::Read;
    use std::process::Stdio;
    // `msidl gen ... | head -c 64`: the pipe closes long before the
    // generated file (hundreds of KiB) is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_msidl"))
        .args(["gen", "codegen/idl/ms-dcom.idl"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("msidl runs");
    let mut head = [0u8; 64];
    child
        .stdout
        .take()
        .expect("piped")
        .read_exact(&mut head)
        .expect("the first bytes");
    let out = child.wait_with_output().expect("msidl ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn check_says_what_it_checked_and_colours_only_when_asked() {
    let out = msidl(&["check", "codegen/idl/ms-dcom.idl"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim(),
        "ok: 1 file (2 files with imports): 6 interfaces, 137 types, 9 constants"
    );
    // Not a terminal, so no escape codes even without NO_COLOR.
    let bad = temp_idl("colour.idl", "interface x { long f([in] NOSUCH a); }\n");
    let bad = bad.to_str().expect("utf-8 path");
    let plain = Command::new(env!("CARGO_BIN_EXE_msidl"))
        .args(["check", bad])
        .env_remove("NO_COLOR")
        .output()
        .expect("msidl runs");
    assert!(!plain.stderr.contains(&0x1b), "escape codes on a pipe");
    let coloured = Command::new(env!("CARGO_BIN_EXE_msidl"))
        .args(["check", "--color", "always", bad])
        .env_remove("NO_COLOR")
        .output()
        .expect("msidl runs");
    assert!(coloured.stderr.contains(&0x1b), "no colour when asked for");
}

#[test]
fn a_missing_include_folder_is_a_warning() {
    let out = msidl(&["check", "-I", "no/such/folder", "codegen/idl/ms-dcom.idl"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: include folder `no/such/folder` does not exist"),
        "{stderr}"
    );
}

#[test]
fn ndr_decode_help_shows_the_method_form() {
    let out = msidl(&["ndr", "decode", "--help"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Interface.Method:in"), "{stdout}");
}

#[test]
fn an_attribute_typo_fails_check_unless_lenient() {
    let path = temp_idl("typo.idl", "interface i { void f([inn] long a); }\n");
    let path = path.to_str().expect("utf-8 path");
    let out = msidl(&["check", path]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("did you mean `in`?"), "{stderr}");
    assert!(msidl(&["check", "--lenient-attributes", path])
        .status
        .success());
}

#[test]
fn ndr_decode_checks_values_not_padding_or_referent_ids() {
    // impacket pads with 0xAB and draws referent ids at random: the bytes
    // differ from ours, the values do not.
    let out = msidl(&[
        "ndr",
        "decode",
        "IObjectExporter.ServerAlive2:out",
        "tests/vectors/impacket/dcom-ServerAlive2-out.hex",
        "--hex",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("padding or referent ids, as the values are the same"),
        "{stderr}"
    );
    // impacket's own layout of this response, which the spec does not
    // allow, is an error with its offset.
    let out = msidl(&[
        "ndr",
        "decode",
        "IRemUnknown.RemQueryInterface:out",
        "tests/vectors/impacket/dcom-RemQueryInterface-out-impacket.hex",
        "--hex",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at byte 16"));
}

#[test]
fn ndr_decode_knows_ole_automation() {
    let out = msidl(&[
        "ndr",
        "decode",
        "wireVARIANTStr",
        "tests/vectors/oaut/wireVARIANT-BOOL.hex",
        "--hex",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("BoolVal(\n        -1,"), "{stdout}");
}
