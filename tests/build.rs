//! Generates Rust for the fixtures that tests/codegen_fixture.rs compiles
//! and runs: codegen.idl on its own, and uses_dcom.idl with its imports
//! mapped onto msrpc::dcom, and everything.idl. Also lists every generated type, fixtures' and
//! ms-dcom.idl's, for the property tests in tests/ndr_properties.rs.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use msrpc_codegen::rust::Options;

/// Test values come from `arbitrary`, for the property tests.
const ARBITRARY: &str = "#[derive(arbitrary::Arbitrary)]";

fn load(root: &Path, idl: &Path) -> msrpc_idl::model::Model {
    println!("cargo:rerun-if-changed={}", idl.display());
    let front = msrpc_idl::Options {
        include_dirs: vec![root.join("fixtures")],
        // everything.idl has a vendor attribute, to test widl's leniency.
        lenient_attributes: idl.ends_with("everything.idl"),
        ..msrpc_codegen::builtin::front_end()
    };
    let out = msrpc_idl::load(&[idl.to_path_buf()], &front);
    match out.model {
        Some(m) => m,
        None => panic!("{} does not resolve:\n{}", idl.display(), out.render()),
    }
}

/// Writes OUT_DIR/NAME.rs, with imported built-in files generated too or
/// referred to in the runtime; returns the names of the types it generated.
fn generate(root: &Path, name: &str, uses_runtime: bool) -> Vec<String> {
    let model = load(root, &root.join("fixtures").join(name));
    let opts = Options {
        source_name: name.into(),
        builtin_externs: uses_runtime,
        type_attributes: vec![ARBITRARY.into()],
        ..Default::default()
    };
    let code = msrpc_codegen::rust::generate(&model, &opts).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out_dir().join(name.replace(".idl", ".rs")), code)
        .expect("write generated code");
    msrpc_codegen::rust::type_names(&model, &opts).unwrap_or_else(|e| panic!("{e}"))
}

/// The protocol IDL files, generated as a user would (built-in imports
/// are the runtime's), for tests/protocol_vectors.rs.
const PROTOCOLS: &[(&str, &str)] = &[
    ("fixtures/protocols/ms-scmr.idl", "scmr"),
    ("fixtures/protocols/ms-lsad.idl", "lsad"),
    ("fixtures/protocols/ms-rrp.idl", "rrp"),
    ("fixtures/protocols/ms-srvs.idl", "srvs"),
    ("fixtures/protocols/ms-nrpc.idl", "nrpc"),
    ("fixtures/protocols/ms-even.idl", "even"),
    ("fixtures/protocols/ms-samr.idl", "samr"),
    ("../codegen/idl/ms-rpce-epm.idl", "epm"),
];

fn generate_protocols(root: &Path) {
    for (path, module) in PROTOCOLS {
        let model = load(root, &root.join(path));
        let opts = Options {
            source_name: path.rsplit('/').next().unwrap_or(path).into(),
            ..Default::default()
        };
        let code = msrpc_codegen::rust::generate(&model, &opts).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(out_dir().join(format!("protocol_{module}.rs")), code)
            .expect("write generated code");
    }
}

fn out_dir() -> PathBuf {
    PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets this"))
}

/// The outside tools the tests use, each as `cfg(has_NAME)`. A test that
/// needs a missing one is ignored with the reason, so that `cargo test`
/// shows it as such rather than as a pass; under CI a missing tool fails
/// the build instead.
fn detect_tools() {
    let widl = [
        "/usr/lib/wine/widl",
        "/usr/bin/widl",
        "/usr/bin/widl-stable",
    ];
    let runs = |cmd: &str, args: &[&str]| {
        std::process::Command::new(cmd)
            .args(args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let tools = [
        (
            "wine_idl",
            Path::new("/usr/include/wine/wine/windows").is_dir(),
            "libwine-dev",
        ),
        (
            "widl",
            widl.iter().any(|p| Path::new(p).is_file()),
            "wine64-tools",
        ),
        (
            "ndrdump",
            runs("ndrdump", &["--version"]),
            "samba-testsuite",
        ),
        (
            "impacket",
            runs("python3", &["-c", "import impacket"]),
            "pip install impacket",
        ),
    ];
    for (name, found, from) in tools {
        println!("cargo:rustc-check-cfg=cfg(has_{name})");
        if found {
            println!("cargo:rustc-cfg=has_{name}");
        } else {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must install {from}: tests need {name}"
            );
            println!("cargo:warning=tests that need {name} are ignored: install {from}");
        }
    }
    println!("cargo:rerun-if-env-changed=CI");
    // Paths that do not exist make cargo rerun this every build, so a tool
    // installed later is seen.
    for p in widl
        .iter()
        .chain(&["/usr/include/wine/wine/windows", "/usr/bin/ndrdump"])
    {
        println!("cargo:rerun-if-changed={p}");
    }
}

fn main() {
    detect_tools();
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this"));
    let fixture = generate(&root, "codegen.idl", false);
    let uses_dcom = generate(&root, "uses_dcom.idl", true);
    // The front end's everything-at-once fixture, for the back end too.
    let everything = generate(&root, "everything.idl", false);
    let rpc_test = generate(&root, "rpc_test.idl", false);
    let orpc_test = generate(&root, "orpc_test.idl", true);
    generate(&root, "greeter_eq.idl", true);
    generate_protocols(&root);
    // On msrpc::oaut, whose types carry no Arbitrary derive.
    let model = load(&root, &root.join("fixtures/uses_oaut.idl"));
    let opts = Options {
        source_name: "uses_oaut.idl".into(),
        ..Default::default()
    };
    let code = msrpc_codegen::rust::generate(&model, &opts).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(out_dir().join("uses_oaut.rs"), code).expect("write generated code");
    let dcom = load(&root, &root.join("../codegen/idl/ms-dcom.idl"));
    let dcom = msrpc_codegen::rust::type_names(
        &dcom,
        &Options {
            builtin_externs: false,
            ..Options::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let mut visits = String::new();
    for (module, names) in [
        ("fixture", &fixture),
        ("uses_dcom", &uses_dcom),
        ("everything", &everything),
        ("rpc_test", &rpc_test),
        ("orpc_test", &orpc_test),
        ("msrpc::dcom", &dcom),
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
