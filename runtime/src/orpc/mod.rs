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
#[cfg(feature = "tokio")]
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
#[cfg(feature = "tokio")]
mod serve;

#[cfg(feature = "tokio")]
pub use client::{ComPtr, DcomClient, DcomError};
pub use dcom_exporter::DcomExporter;
pub use error_info::ErrorInfo;
pub use exporter::{Exporter, Object, ObjectLimits, RefChange};
pub use framing::{orpcthis, CallContext, COM_VERSION};
pub use machine::{Clock, Factory, Machine, MachineConfig};
pub use marshaler::Marshaler;
pub use objref::{ObjRef, ObjRefError, SecurityBinding, StringBinding};
pub use resolver::PingLimits;
