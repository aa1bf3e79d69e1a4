//! Shared helpers for the workspace tests.

use std::path::PathBuf;

/// The workspace root, whatever folder cargo runs the tests from.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Writes `files` (name, text) into a fresh folder, runs the front end on
/// `root` there with `idl/` on the include path, and removes the folder.
pub fn load_files(files: &[(&str, &str)], root: &str) -> oxidl_parser::Output {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("oxidl-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write test file");
    }
    let opts = oxidl_parser::Options {
        include_dirs: vec![workspace().join("idl")],
        ..oxidl_parser::Options::default()
    };
    let out = oxidl_parser::load(&[dir.join(root)], &opts);
    let _ = std::fs::remove_dir_all(&dir);
    out
}
