//! msrpc-codegen: Rust from the resolved IDL model.
//!
//! ```
//! let idl = "typedef struct { long id; [string, unique] wchar_t *name; } ITEM;";
//! let out = msrpc_idl::load_str("item.idl", idl, &Default::default());
//! let model = out.model.expect("resolves");
//! let code = msrpc_codegen::rust::generate(&model, &Default::default()).expect("generates");
//! assert!(code.starts_with("// @generated"));
//! assert!(code.contains("pub struct ITEM"));
//! assert!(code.contains("pub name: Option<ndr::WString>"));
//! ```
//!
//! [`rust::generate`] writes types with NDR20 marshaling, and per
//! interface its request and response types, server trait, stub and client
//! proxy. [`configure`] is the build-script API over it; the `msidl`
//! command is the other front door.
#![forbid(unsafe_code)]

mod build;
pub mod builtin;
pub mod rust;

pub use build::{configure, BuildError, Builder};
