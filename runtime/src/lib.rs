//! oxidl: the runtime that generated DCOM code depends on.
//!
//! [`ndr`] marshals values in NDR20; [`rpc`] carries calls over DCE/RPC
//! (connection-oriented, TCP); [`orpc`] is DCOM on top (exporter,
//! resolver, activation, client); [`dcom`] holds the MS-DCOM types and
//! interfaces, generated from `idl/ms-dcom.idl`.
//!
//! # NDR: any generated type to bytes and back
//!
//! ```
//! use oxidl::dcom::STDOBJREF;
//!
//! let std = STDOBJREF { c_public_refs: 5, oxid: 7, oid: 9, ..Default::default() };
//! let bytes = oxidl::ndr::to_bytes(&std);
//! assert_eq!(bytes.len(), 40); // MS-DCOM 2.2.18.2
//! assert_eq!(oxidl::ndr::from_bytes::<STDOBJREF>(&bytes), Ok(std));
//! ```
//!
//! # DCOM: an interface as a trait, served and called over TCP
//!
//! ```
//! use std::sync::Arc;
//! use oxidl::orpc::{ComPtr, DcomClient, Machine, MachineConfig, Object};
//! use oxidl::rpc::Client;
//!
//! #[oxidl::interface(uuid = "5b0f5f02-7c7e-4b1e-8f57-6ad3f7a1c2d4", object)]
//! pub trait IGreeter {
//!     async fn greet(&self, name: String) -> oxidl::Result<String>;
//! }
//!
//! struct Greeter;
//! impl IGreeter for Greeter {
//!     async fn greet(&self, name: String) -> oxidl::Result<String> {
//!         Ok(format!("Hello, {name}!"))
//!     }
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let clsid = oxidl::uuid::Uuid::from_u128(0x6f8e);
//! let machine = Machine::new(MachineConfig::new("127.0.0.1"));
//! let resolver = machine.start_resolver("127.0.0.1:0".parse()?).await?;
//! let exporter = machine.start_exporter("127.0.0.1:0".parse()?).await?;
//! exporter.register_class(clsid, Arc::new(|| Object::new().with(IGreeterStub::new(Greeter))));
//!
//! let client = DcomClient::connect(resolver).await?;
//! let greeter: ComPtr<IGreeterClient<Client>> = client.create_instance(clsid).await?;
//! assert_eq!(greeter.greet("DCOM".into()).await?, "Hello, DCOM!");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
#![forbid(unsafe_code)]

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
    /// The server answered with this failing HRESULT.
    #[error("HRESULT {0:#010x}")]
    Hresult(u32),
    /// The call did not complete.
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
