//! Every IDL file widl accepts generates Rust that compiles: Wine's IDL
//! files (Debian `libwine-dev`), each checked by Wine's own widl (Debian
//! `wine64-tools`), each resolved and generated here, one module per IDL
//! file, and the lot type-checked as one crate against the runtime.
//!
//! It type-checks about a million generated lines, so plain `cargo test`
//! skips it; `.ci/run` runs it with `--ignored`, and there it fails if
//! widl or the Wine files are missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Whether widl accepts `file`, writing its C header nowhere.
fn widl_accepts(widl: &Path, file: &Path) -> bool {
    let mut cmd = Command::new(widl);
    cmd.args(["-h", "-o", "/dev/null"]);
    for dir in includes(file) {
        cmd.arg("-I").arg(dir);
    }
    cmd.arg(file)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[test]
#[ignore = "type-checks a million generated lines; .ci/run passes --ignored"]
fn every_idl_file_widl_accepts_generates_rust_that_compiles() {
    let (Some(widl), true) = (widl(), Path::new(WINE).is_dir()) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install libwine-dev and wine64-tools for this test"
        );
        eprintln!("skipped: widl or {WINE} not found (apt-get install libwine-dev wine64-tools)");
        return;
    };
    let mut files = Vec::new();
    idl_files(Path::new(WINE), &mut files);
    files.sort();
    let accepted: Vec<&PathBuf> = files.iter().filter(|f| widl_accepts(&widl, f)).collect();
    eprintln!(
        "widl accepts {} of {} Wine IDL files",
        accepted.len(),
        files.len()
    );
    assert!(
        accepted.len() >= 250,
        "widl accepts only {}",
        accepted.len()
    );

    // Each root on its own, as a user would generate it: files that two
    // roots import come out the same, and the first copy is kept.
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut skipped = 0;
    for file in &accepted {
        let opts = msrpc_idl::Options {
            include_dirs: includes(file),
            ..msrpc_codegen::builtin::front_end()
        };
        let out = msrpc_idl::load(&[file.to_path_buf()], &opts);
        let rendered = out.render();
        let Some(model) = out.model else {
            failures.push(format!("{}: does not resolve\n{rendered}", file.display()));
            continue;
        };
        let gen = msrpc_codegen::rust::Options::default();
        match msrpc_codegen::rust::generate_files(&model, &gen, "crate::wine") {
            Ok(written) => {
                for f in written {
                    skipped += f.generated.skipped.len();
                    modules.entry(f.module).or_insert(f.generated.code);
                }
            }
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let lines: usize = modules.values().map(|c| c.lines().count()).sum();
    eprintln!(
        "{} modules, {lines} lines; {skipped} declarations left out with a reason",
        modules.len()
    );

    // One crate, every module, checked against this workspace's runtime.
    let dir = workspace().join("target/wine-corpus");
    let src = dir.join("src/wine");
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(&src).expect("corpus folder");
    let mut index = String::new();
    for (module, code) in &modules {
        std::fs::write(src.join(format!("{module}.rs")), code).expect("write module");
        index += &format!("pub mod {module};\n");
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
        "the generated Wine corpus does not compile:\n{}",
        first.join("\n")
    );
}
