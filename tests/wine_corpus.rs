//! Real-world IDL: Wine's IDL files (Debian `libwine-dev`), the set that
//! Wine's own widl accepts (Debian `wine64-tools`).
//!
//! - Every one of them resolves and generates, one module per IDL file.
//! - A crate generated from the COM, OLE Automation, WMI, BITS, VSS and
//!   Task Scheduler files with all they import type-checks against the
//!   runtime. (All of the corpus as one crate is 1.4 million lines, which
//!   rustc does not check in CI's time on two cores: BENCHMARKS.md.)
//!
//! The first takes half a minute and runs with the others. The second
//! builds a crate, so plain `cargo test` skips it and `.ci/run` runs it
//! with `--ignored`. Under CI both fail if widl or the Wine files are
//! missing; elsewhere they say so and pass.

use std::path::{Path, PathBuf};
use std::process::Command;

use msrpc_codegen::rust::FileCode;
use msrpc_tests::workspace;

const WINE: &str = "/usr/include/wine/wine";

/// Wine's IDL compiler, under the names Debian installs it as.
fn widl() -> Option<PathBuf> {
    let candidates = [
        "/usr/lib/wine/widl",
        "/usr/bin/widl",
        "/usr/bin/widl-stable",
    ];
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

fn idl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            idl_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "idl") {
            out.push(p);
        }
    }
}

fn includes(file: &Path) -> Vec<PathBuf> {
    vec![
        PathBuf::from(WINE).join("windows"),
        file.parent().map(Path::to_path_buf).unwrap_or_default(),
    ]
}

/// Whether widl accepts `file`. Its header goes to a scratch file:
/// widl deletes its output file when it fails, and as root, given
/// `-o /dev/null`, it deletes the device.
fn widl_accepts(widl: &Path, file: &Path) -> bool {
    let scratch = std::env::temp_dir().join(format!("msrpc-widl-{}.h", std::process::id()));
    let mut cmd = Command::new(widl);
    cmd.arg("-h").arg("-o").arg(&scratch);
    for dir in includes(file) {
        cmd.arg("-I").arg(dir);
    }
    let accepted = cmd.arg(file).output().is_ok_and(|o| o.status.success());
    let _ = std::fs::remove_file(&scratch);
    accepted
}

/// The files widl accepts, or `None` (with the reason shown) where this
/// machine lacks widl or the Wine files.
fn accepted_files() -> Option<Vec<PathBuf>> {
    let (Some(widl), true) = (widl(), Path::new(WINE).is_dir()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install libwine-dev and wine64-tools for this test"
        );
        eprintln!("skipped: widl or {WINE} not found (apt-get install libwine-dev wine64-tools)");
        return None;
    };
    let mut files = Vec::new();
    idl_files(Path::new(WINE), &mut files);
    files.sort();
    let total = files.len();
    files.retain(|f| widl_accepts(&widl, f));
    eprintln!("widl accepts {} of {total} Wine IDL files", files.len());
    assert!(files.len() >= 250, "widl accepts only {}", files.len());
    Some(files)
}

/// Resolves `roots` together and generates a module per file reached.
fn generate(roots: &[PathBuf]) -> Result<Vec<FileCode>, String> {
    let mut include_dirs = includes(&roots[0]);
    for root in &roots[1..] {
        include_dirs.extend(includes(root));
    }
    let opts = msrpc_idl::Options {
        include_dirs,
        ..msrpc_codegen::builtin::front_end()
    };
    let out = msrpc_idl::load(roots, &opts);
    let rendered = out.render();
    let Some(model) = out.model else {
        return Err(format!("does not resolve\n{rendered}"));
    };
    let gen = msrpc_codegen::rust::Options::default();
    msrpc_codegen::rust::generate_files(&model, &gen, "crate::wine").map_err(|e| e.to_string())
}

#[test]
#[cfg_attr(
    not(all(has_widl, has_wine_idl)),
    ignore = "needs widl and Wine's IDL files: apt-get install libwine-dev wine64-tools"
)]
fn every_idl_file_widl_accepts_resolves_and_generates() {
    let Some(accepted) = accepted_files() else {
        return;
    };
    // Each root on its own, as a user would generate it with
    // `msidl gen --out-dir`.
    let mut failures = Vec::new();
    let (mut modules, mut lines, mut skipped, mut roots_with_module) = (0, 0, 0, 0);
    for file in &accepted {
        match generate(std::slice::from_ref(file)) {
            Ok(written) => {
                for f in &written {
                    skipped += f.generated.skipped.len();
                    lines += f.generated.code.lines().count();
                }
                modules += written.len();
                // Files of only imports and cpp_quotes get no module.
                roots_with_module += written
                    .iter()
                    .filter(|f| Path::new(&f.path).file_name() == file.file_name())
                    .count();
            }
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fail:\n{}",
        failures.len(),
        accepted.len(),
        failures.join("\n")
    );
    eprintln!(
        "{} of {} generate ({roots_with_module} declare something): \
         {modules} modules, {lines} lines; {skipped} declarations left out with a reason",
        accepted.len(),
        accepted.len()
    );
    assert!(
        roots_with_module > 200,
        "only {roots_with_module} roots got a module"
    );
}

/// The COM, OLE Automation, WMI, BITS, VSS and Task Scheduler files.
/// Among them: interface inheritance beyond IUnknown, wire_marshal'd
/// BSTR, VARIANT and STGMEDIUM, non-encapsulated unions,
/// `size_is(*pcb)`-style correlations, [local]/[call_as] pairs, and
/// names that collide with Rust keywords.
const COMPILED: &[&str] = &[
    "unknwn.idl",
    "objidl.idl",
    "oaidl.idl",
    "ocidl.idl",
    "wbemcli.idl",
    "wbemprov.idl",
    "wbemdisp.idl",
    "bits.idl",
    "bits1_5.idl",
    "bits2_0.idl",
    "bits2_5.idl",
    "bits3_0.idl",
    "bits5_0.idl",
    "vss.idl",
    "vswriter.idl",
    "vsbackup.idl",
    "taskschd.idl",
    "mstask.idl",
];

#[test]
#[ignore = "type-checks a generated crate of 18 IDL files and their imports; .ci/run passes --ignored"]
fn a_crate_of_com_oaut_wmi_bits_vss_and_task_scheduler_compiles() {
    let Some(accepted) = accepted_files() else {
        return;
    };
    let roots: Vec<PathBuf> = COMPILED
        .iter()
        .map(|name| PathBuf::from(WINE).join("windows").join(name))
        .collect();
    for root in &roots {
        assert!(accepted.contains(root), "widl rejects {}", root.display());
    }
    let written = generate(&roots).unwrap_or_else(|e| panic!("{e}"));
    let lines: usize = written
        .iter()
        .map(|f| f.generated.code.lines().count())
        .sum();
    eprintln!("{} modules, {lines} generated lines", written.len());

    let dir = workspace().join("target/wine-corpus");
    let src = dir.join("src/wine");
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(&src).expect("corpus folder");
    let mut index = String::new();
    for f in &written {
        std::fs::write(src.join(format!("{}.rs", f.module)), &f.generated.code)
            .expect("write module");
        index += &format!("pub mod {};\n", f.module);
    }
    std::fs::write(src.join("mod.rs"), index).expect("write mod.rs");
    // Generated names follow the IDL (IUnknown, cbSize), so rustc's style
    // lints are off; errors are what this test is about.
    std::fs::write(
        dir.join("src/lib.rs"),
        "#![allow(warnings)]\npub mod wine;\n",
    )
    .expect("write lib.rs");
    let runtime = workspace().join("runtime");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"wine-corpus\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nmsrpc = {{ path = {:?} }}\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )
    .expect("write Cargo.toml");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&dir)
        .args(["check", "--quiet", "--message-format", "short"])
        // Its own target folder: the outer `cargo test` holds the workspace's.
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .expect("run cargo check");
    let errors = String::from_utf8_lossy(&out.stderr);
    let first: Vec<&str> = errors
        .lines()
        .filter(|l| l.contains("error"))
        .take(40)
        .collect();
    assert!(
        out.status.success(),
        "the generated crate does not compile:\n{}",
        first.join("\n")
    );
}
