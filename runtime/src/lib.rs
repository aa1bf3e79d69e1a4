//! oxidl: the runtime that generated DCOM code depends on.
//!
//! [`ndr`] marshals values in NDR20; [`rpc`] carries calls over DCE/RPC
//! (connection-oriented, TCP); [`dcom`] holds the MS-DCOM types and
//! interfaces, generated from `idl/ms-dcom.idl`.

pub mod ndr;
pub mod orpc;
pub mod rpc;

/// The `uuid` crate, which generated code names GUIDs with.
pub use uuid;

/// Declares a DCOM interface as a Rust trait; see `oxidl_macros::interface`.
pub use oxidl_macros::interface;

/// `#[derive(oxidl::Ndr)]` for a struct; see `oxidl_macros::Ndr`.
pub use oxidl_macros::Ndr;

/// What a method of an `#[oxidl::interface]` trait fails with: an HRESULT
/// from the server, or a call that did not complete.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("HRESULT {0:#010x}")]
    Hresult(u32),
    #[error(transparent)]
    Call(#[from] rpc::CallError),
}

impl Error {
    /// The HRESULT a server answers with for this error (E_FAIL for a
    /// call error).
    pub fn hresult(&self) -> i32 {
        match self {
            Error::Hresult(h) => *h as i32,
            Error::Call(_) => 0x8000_4005_u32 as i32,
        }
    }
}

/// The result of an `#[oxidl::interface]` method.
pub type Result<T> = std::result::Result<T, Error>;

/// `Err` for a failing HRESULT (its high bit set).
pub fn check(hr: i32) -> Result<()> {
    if hr < 0 {
        Err(Error::Hresult(hr as u32))
    } else {
        Ok(())
    }
}

/// Includes the Rust that `oxidl_codegen::configure().compile(..)` wrote
/// for an IDL file in a build script: `oxidl::include_idl!("calc")` for
/// `calc.idl`.
#[macro_export]
macro_rules! include_idl {
    ($name:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $name, ".rs"));
    };
}

/// The MS-DCOM types, generated from `idl/ms-dcom.idl` (with the MS-DTYP
/// types it imports) by oxidl-codegen. Regenerate with
/// `oxidl gen -I idl idl/ms-dcom.idl --runtime crate --type-attribute
/// '#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]'
/// -o runtime/src/dcom.rs`; a test fails when this file is stale.
#[allow(non_camel_case_types, non_snake_case, clippy::all)]
#[rustfmt::skip]
pub mod dcom;

/// IClassFactory in its remote form, generated from `idl/ms-com.idl` (what
/// RemoteGetClassObject hands out). Regenerate with
/// `oxidl gen -I idl idl/ms-com.idl --root-only --runtime crate --extern
/// ms-dcom.idl=crate::dcom --extern ms-dtyp.idl=crate::dcom -o
/// runtime/src/com.rs`; a test fails when this file is stale.
#[allow(non_camel_case_types, non_snake_case, clippy::all)]
#[rustfmt::skip]
pub mod com;
