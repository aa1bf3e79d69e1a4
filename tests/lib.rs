//! Shared helpers for the workspace tests.

use std::path::PathBuf;

/// The workspace root, whatever folder cargo runs the tests from.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}
