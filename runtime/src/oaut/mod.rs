//! OLE Automation ([MS-OAUT]): BSTR, VARIANT, SAFEARRAY, DISPPARAMS,
//! IDispatch and IEnumVARIANT, generated from `ms-oaut.idl`, with Rust
//! values to build and read them: a BSTR is a `String`, a VARIANT a
//! [`Variant`].
//!
//! An IDL that says `import "oaidl.idl";` or `import "ms-oaut.idl";`
//! refers to this module's types rather than generating them again.

/// The types and interfaces of `ms-oaut.idl`, as generated. Regenerate
/// with `cargo xtask regen`; a test fails when this file is stale.
#[allow(non_camel_case_types, non_snake_case, non_upper_case_globals, clippy::all)]
#[rustfmt::skip]
mod generated;
mod value;

pub use generated::*;
pub use value::{bstr, bstr_string, Variant, VariantError};
