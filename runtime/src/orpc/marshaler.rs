//! Interface pointers as `[out]` and `[in]` parameters of a server's
//! methods (MS-DCOM 3.1.1.5.1, 3.1.1.5.3).

use std::sync::Weak;

use uuid::Uuid;

use super::dcom_exporter::ExporterShared;
use super::exporter::Object;
use super::machine::lock;
use super::objref::{mip, ObjRef};
use super::router::current_caller;
use crate::dcom::MInterfacePointer;
use crate::Hresult;

/// Turns objects into `MInterfacePointer`s for `[out]` parameters, and
/// `[in]` ones back into objects. Cheap to clone; holds the exporter weakly.
#[derive(Clone)]
pub struct Marshaler {
    pub(super) exporter: Weak<ExporterShared>,
}

impl Marshaler {
    /// Exports `object` and marshals its `iid` as an OBJREF_STANDARD with
    /// the initial references (MS-DCOM 3.1.1.5.1). Called from a method
    /// (not from a task the method spawned), the object and references
    /// count against the calling client's limits.
    pub fn marshal(&self, object: Object, iid: Uuid) -> Result<MInterfacePointer, Hresult> {
        let e = self.exporter.upgrade().ok_or(Hresult::RPC_E_DISCONNECTED)?;
        let m = e.machine().ok_or(Hresult::RPC_E_DISCONNECTED)?;
        let std = lock(&e.tables).export(object, iid, m.now(), current_caller())?;
        let resolver = m.resolver_bindings();
        Ok(*mip(&ObjRef::Standard { iid, std, resolver }))
    }

    /// The object an `[in]` interface pointer names, if this exporter holds
    /// it (MS-DCOM 3.1.1.5.3), with the interface it was marshaled for.
    /// References to other exporters' objects are refused (E_NOINTERFACE).
    pub fn unmarshal(&self, mip: &MInterfacePointer) -> Result<(Object, Uuid), Hresult> {
        let objref = ObjRef::from_bytes(&mip.ab_data).map_err(|_| Hresult::RPC_E_INVALID_OBJREF)?;
        let std = objref.std().ok_or(Hresult::RPC_E_INVALID_OBJREF)?;
        let e = self.exporter.upgrade().ok_or(Hresult::RPC_E_DISCONNECTED)?;
        let mut tables = lock(&e.tables);
        if std.oxid != tables.oxid() {
            return Err(Hresult::E_NOINTERFACE);
        }
        tables.unmarshal(&std.ipid, std.c_public_refs, current_caller())
    }
}
