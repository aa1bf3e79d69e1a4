//! oxidl-codegen: Rust from the resolved IDL model.
//!
//! [`rust::generate`] writes types with NDR20 marshaling; the `oxidl`
//! command and (later) the build.rs API call it.

pub mod rust;
