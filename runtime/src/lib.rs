//! msrpc: the runtime that generated DCOM code depends on.
//!
//! [`ndr`] marshals values in NDR20; [`rpc`] carries calls over DCE/RPC
//! (connection-oriented, TCP); [`orpc`] is DCOM on top (exporter,
//! resolver, activation, client); [`dcom`] holds the MS-DCOM types and
//! interfaces, generated from msrpc-codegen's built-in `ms-dcom.idl`.
//!
//! # NDR: any generated type to bytes and back
//!
//! ```
//! use msrpc::dcom::STDOBJREF;
//!
//! let std = STDOBJREF { c_public_refs: 5, oxid: 7, oid: 9, ..Default::default() };
//! let bytes = msrpc::ndr::to_bytes(&std);
//! assert_eq!(bytes.len(), 40); // MS-DCOM 2.2.18.2
//! assert_eq!(msrpc::ndr::from_bytes::<STDOBJREF>(&bytes), Ok(std));
//! ```
//!
//! # DCOM: an interface as a trait, served and called over TCP
//!
//! ```
//! use std::sync::Arc;
//! use msrpc::orpc::{ComPtr, DcomClient, Machine, MachineConfig, Object};
//! use msrpc::rpc::Client;
//!
//! #[msrpc::interface(uuid = "5b0f5f02-7c7e-4b1e-8f57-6ad3f7a1c2d4", object)]
//! pub trait IGreeter {
//!     async fn greet(&self, name: String) -> msrpc::Result<String>;
//! }
//!
//! struct Greeter;
//! impl IGreeter for Greeter {
//!     async fn greet(&self, name: String) -> msrpc::Result<String> {
//!         Ok(format!("Hello, {name}!"))
//!     }
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let clsid = msrpc::uuid::Uuid::from_u128(0x6f8e);
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

mod hresult;
pub mod ndr;
pub mod orpc;
mod reader;
pub mod rpc;

pub use hresult::Hresult;

/// The `uuid` crate, which generated code names GUIDs with.
pub use uuid;

/// Declares a DCOM interface as a Rust trait; see `msrpc_macros::interface`.
pub use msrpc_macros::interface;

/// `#[derive(msrpc::Ndr)]` for a struct; see `msrpc_macros::Ndr`.
pub use msrpc_macros::Ndr;

/// What a method of an `#[msrpc::interface]` trait fails with: an HRESULT
/// from the server, or a call that did not complete.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with this failing HRESULT.
    #[error("HRESULT {0}")]
    Hresult(Hresult),
    /// The call did not complete.
    #[error(transparent)]
    Call(#[from] rpc::CallError),
}

impl Error {
    /// The HRESULT a server answers with for this error (E_FAIL for a
    /// call error).
    pub fn hresult(&self) -> Hresult {
        match self {
            Error::Hresult(h) => *h,
            Error::Call(_) => Hresult::E_FAIL,
        }
    }
}

/// The result of an `#[msrpc::interface]` method.
pub type Result<T> = std::result::Result<T, Error>;

/// `Err` for a failing HRESULT (its high bit set): the IDL's `HRESULT`
/// (an `i32`) or an [`Hresult`].
pub fn check(hr: impl Into<Hresult>) -> Result<()> {
    let hr = hr.into();
    if hr.is_failure() {
        Err(Error::Hresult(hr))
    } else {
        Ok(())
    }
}

/// Includes the Rust that `msrpc_codegen::configure().compile(..)` wrote
/// for an IDL file in a build script: `msrpc::include_idl!("calc")` for
/// `calc.idl`.
#[macro_export]
macro_rules! include_idl {
    ($name:literal) => {
        include!(concat!(env!("OUT_DIR"), "/", $name, ".rs"));
    };
}

/// The MS-DCOM types, generated from `ms-dcom.idl` (with the MS-DTYP
/// types it imports) by msrpc-codegen. Regenerate with `cargo xtask
/// regen`; a test fails when this file is stale.
#[allow(non_camel_case_types, non_snake_case, clippy::all)]
#[rustfmt::skip]
pub mod dcom;

/// IClassFactory in its remote form, generated from `ms-com.idl` (what
/// RemoteGetClassObject hands out). Regenerate with `cargo xtask regen`;
/// a test fails when this file is stale.
#[allow(non_camel_case_types, non_snake_case, clippy::all)]
#[rustfmt::skip]
pub mod com;

pub mod oaut;
