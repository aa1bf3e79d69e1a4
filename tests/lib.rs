//! Shared helpers for the workspace tests.

use std::path::PathBuf;

/// The workspace root, whatever folder cargo runs the tests from.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Writes `files` (name, text) into a fresh folder, runs the front end on
/// `root` there with `idl/` on the include path, and removes the folder.
pub fn load_files(files: &[(&str, &str)], root: &str) -> msrpc_idl::Output {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("msrpc-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write test file");
    }
    let opts = msrpc_idl::Options {
        include_dirs: vec![workspace().join("codegen/idl")],
        ..msrpc_idl::Options::default()
    };
    let out = msrpc_idl::load(&[dir.join(root)], &opts);
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// The bytes of wire vector `tests/vectors/ndr/NAME.hex`.
pub fn vector(name: &str) -> Vec<u8> {
    vector_in("ndr", name)
}

/// The bytes of `tests/vectors/FOLDER/NAME.hex`.
pub fn vector_in(folder: &str, name: &str) -> Vec<u8> {
    let path = workspace()
        .join("tests/vectors")
        .join(folder)
        .join(format!("{name}.hex"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = text.trim();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Asserts that our encoding equals impacket's, except that impacket fills
/// alignment padding with 0xAB, 0xAA or 0xBF where we write 0.
pub fn assert_same_wire(name: &str, ours: &[u8], theirs: &[u8]) {
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{name}: length\nours   {ours:02x?}\ntheirs {theirs:02x?}"
    );
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        let padding = *a == 0 && matches!(*b, 0xAB | 0xAA | 0xBF);
        assert!(
            a == b || padding,
            "{name}: byte {i}: ours {a:#04x}, impacket's {b:#04x}"
        );
    }
}

/// A channel whose every call gets the same answer, for testing a client
/// against a response (or a failure) built by hand.
pub struct Canned(pub Box<dyn Fn() -> Result<Vec<u8>, msrpc::rpc::CallError> + Send + Sync>);

impl msrpc::rpc::Channel for Canned {
    fn call(
        &self,
        _syntax: msrpc::rpc::SyntaxId,
        _opnum: u16,
        _object: Option<uuid::Uuid>,
        _stub: Vec<u8>,
    ) -> msrpc::rpc::BoxFuture<'_, Result<Vec<u8>, msrpc::rpc::CallError>> {
        let answer = (self.0)();
        Box::pin(async move { answer })
    }
}

/// Runs one future to its end on a fresh single-threaded runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(f)
}
