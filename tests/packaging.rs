//! The published packages work outside this workspace: `cargo package`
//! the workspace, unpack the `.crate` files, and build and run a user's
//! crate (tests/packaging/) that depends on them by version, through
//! `[patch.crates-io]`. It builds msrpc from scratch, so it is ignored by
//! plain `cargo test`; `.ci/run` runs it with `--ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;

use msrpc_tests::workspace;

/// The packages a user depends on, directly or through each other.
const PUBLISHED: &[&str] = &["msrpc-idl", "msrpc-codegen", "msrpc-macros", "msrpc"];

fn run(cmd: &mut Command) {
    let shown = format!("{cmd:?}");
    let status = cmd.status().unwrap_or_else(|e| panic!("{shown}: {e}"));
    assert!(status.success(), "{shown} failed: {status}");
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

#[test]
#[ignore = "builds the packaged crates from scratch; .ci/run passes --ignored"]
fn packaged_crates_build_and_run_a_users_crate_outside_the_workspace() {
    let scratch = std::env::temp_dir().join(format!("msrpc-packaging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let target = scratch.join("target");
    // Its own target folder: the outer `cargo test` holds the workspace's.
    run(cargo()
        .current_dir(workspace())
        .args(["package", "--workspace", "--no-verify", "--allow-dirty"])
        .env("CARGO_TARGET_DIR", &target));
    let unpacked = scratch.join("crates");
    std::fs::create_dir_all(&unpacked).expect("scratch folder");
    let mut patches = String::new();
    for name in PUBLISHED {
        let file = target.join("package").join(format!("{name}-0.1.0.crate"));
        assert!(file.is_file(), "{} was not packaged", file.display());
        run(Command::new("tar")
            .arg("-xzf")
            .arg(&file)
            .arg("-C")
            .arg(&unpacked));
        let dir = unpacked.join(format!("{name}-0.1.0"));
        patches += &format!("{name} = {{ path = {:?} }}\n", dir.display().to_string());
    }
    let user = scratch.join("user");
    copy_dir(&workspace().join("tests/packaging"), &user);
    let manifest = std::fs::read_to_string(user.join("Cargo.toml.in")).expect("template");
    std::fs::write(
        user.join("Cargo.toml"),
        manifest.replace("@PATCHES@", &patches),
    )
    .expect("write Cargo.toml");
    run(cargo()
        .current_dir(&user)
        .args(["run", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS"));
    let _ = std::fs::remove_dir_all(&scratch);
}

fn copy_dir(from: &Path, to: &PathBuf) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder").flatten() {
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).expect("copy file");
        }
    }
}
