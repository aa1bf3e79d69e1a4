//! oxidl-codegen: Rust from the resolved IDL model.
//!
//! [`rust::generate`] writes types with NDR20 marshaling, and per
//! interface its request and response types, server trait, stub and client
//! proxy. [`configure`] is the build-script API over it; the `oxidl`
//! command is the other front door.

mod build;
pub mod rust;

pub use build::{configure, BuildError, Builder};
