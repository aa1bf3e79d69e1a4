//! ORPC (MS-DCOM): object references, the object exporter, IRemUnknown,
//! the object resolver with pinging, and activation.
//!
//! A DCOM server is the machine's object resolver and activator
//! (IObjectExporter, IRemoteSCMActivator, IActivation) on one port, and
//! object exporters (IRemUnknown, IRemUnknown2 and the objects' own
//! interfaces, routed by IPID) on ports of their own. Every protocol
//! interface here is the one generated from idl/ms-dcom.idl.
//!
//! The wire formats and tables are plain data: [`objref`], [`activation`],
//! [`error_info`], the exporter's tables ([`exporter`]) and the resolver's
//! ping sets ([`resolver`]). The server is built from one file per part:
//! the [`Machine`] and its timers, each [`DcomExporter`], the
//! [`Marshaler`], the router that checks and routes calls by IPID, and
//! the protocol services over them (the resolver, IRemUnknown, activation
//! and class objects).

pub mod activation;
pub mod client;
pub mod error_info;
pub mod exporter;
pub mod objref;
pub mod resolver;

mod activator;
mod class_object;
mod dcom_exporter;
mod framing;
mod machine;
mod marshaler;
mod rem_unknown;
mod resolver_service;
mod router;

pub use client::{ComPtr, DcomClient, DcomError};
pub use dcom_exporter::DcomExporter;
pub use error_info::ErrorInfo;
pub use exporter::{Exporter, Object, ObjectLimits, RefChange};
pub use framing::{orpcthis, COM_VERSION};
pub use machine::{Clock, Factory, Machine, MachineConfig};
pub use marshaler::Marshaler;
pub use objref::{Bindings, ObjRef, ObjRefError, SecurityBinding, StdObjRef, StringBinding};
pub use resolver::PingLimits;

/// HRESULTs and Win32 codes MS-DCOM names (values from MS-ERREF).
pub mod hresult {
    /// Success.
    pub const S_OK: u32 = 0;
    /// The object does not implement the interface asked for.
    pub const E_NOINTERFACE: u32 = 0x8000_4002;
    /// An argument is not valid.
    pub const E_INVALIDARG: u32 = 0x8007_0057;
    /// The method is not implemented.
    pub const E_NOTIMPL: u32 = 0x8000_4001;
    /// Out of memory: here, a server limit on objects is reached.
    pub const E_OUTOFMEMORY: u32 = 0x8007_000E;
    /// The object called has been disconnected from its clients, or its
    /// IPID is not known.
    pub const RPC_E_DISCONNECTED: u32 = 0x8001_0108;
    /// The caller's COM version is not one the server speaks.
    pub const RPC_E_VERSION_MISMATCH: u32 = 0x8001_0110;
    /// The ORPC call's header (ORPCTHIS) is not valid.
    pub const RPC_E_INVALID_HEADER: u32 = 0x8001_0111;
    /// The object named does not exist.
    pub const RPC_E_INVALID_OBJECT: u32 = 0x8001_0114;
    /// An OBJREF is malformed or of an unknown kind.
    pub const RPC_E_INVALID_OBJREF: u32 = 0x8001_011D;
    /// The object is not registered: an OID or IPID the exporter no
    /// longer holds.
    pub const CO_E_OBJNOTREG: u32 = 0x8004_01FB;
    /// The class is not registered with the server.
    pub const REGDB_E_CLASSNOTREG: u32 = 0x8004_0154;
    /// Win32: an OXID, OID or ping set the resolver does not know.
    pub const OR_INVALID_OXID: u32 = 1910;
    /// Win32: an OID the resolver does not know.
    pub const OR_INVALID_OID: u32 = 1911;
    /// Win32: a ping set the resolver does not know.
    pub const OR_INVALID_SET: u32 = 1912;
}
