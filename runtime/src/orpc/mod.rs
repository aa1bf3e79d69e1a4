//! ORPC (MS-DCOM): object references, the object exporter, IRemUnknown,
//! the object resolver with pinging, and activation.

pub mod activation;
pub mod objref;

pub use objref::{Bindings, ObjRef, ObjRefError, SecurityBinding, StdObjRef, StringBinding};
