//! Activation (MS-DCOM 3.1.2.5.2): IRemoteSCMActivator and IActivation
//! create an object of a registered class, or hand out its class object,
//! in the class's exporter.

use std::sync::Arc;

use uuid::Uuid;

use super::activation::{ActivationProperties, Property};
use super::class_object::ClassObject;
use super::exporter::{Caller, Object};
use super::framing::{orpcthat, version_ok, COM_VERSION};
use super::machine::{lock, Class, Machine};
use super::marshaler::Marshaler;
use super::objref::{mip, ObjRef};
use super::resolver_service::AUTHN_LEVEL_NONE;
use super::router::caller;
use crate::com::IClassFactoryStub;
use crate::dcom::i_activation::RemoteActivationResponse;
use crate::dcom::i_remote_scm_activator::*;
use crate::dcom::*;
use crate::ndr;
use crate::rpc::{CallContext, Fault};
use crate::Hresult;

impl Machine {
    /// Creates an object of `clsid` (or, for `class_object`, the class's
    /// IClassFactory) in its exporter and marshals `iids`.
    fn activate(
        &self,
        clsid: &Uuid,
        iids: &[Uuid],
        class_object: bool,
        caller: Caller,
    ) -> Result<Activated, Hresult> {
        let Class { oxid, factory, .. } = self
            .0
            .classes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(clsid)
            .cloned()
            .ok_or(Hresult::REGDB_E_CLASSNOTREG)?;
        let exporter = self.exporter(oxid).ok_or(Hresult::REGDB_E_CLASSNOTREG)?;
        let object = if class_object {
            let marshaler = Marshaler {
                exporter: Arc::downgrade(&exporter),
            };
            Object::new().with(IClassFactoryStub::new(ClassObject { factory, marshaler }))
        } else {
            factory()
        };
        let now = self.now();
        let results = lock(&exporter.tables).export_many(object, iids, now, caller);
        let resolver = self.resolver_bindings();
        let objrefs = results
            .iter()
            .zip(iids)
            .map(|(r, iid)| {
                r.clone().map(|std| ObjRef::Standard {
                    iid: *iid,
                    std,
                    resolver: resolver.clone(),
                })
            })
            .collect();
        let tables = lock(&exporter.tables);
        Ok(Activated {
            oxid,
            ipid_rem_unknown: tables.ipid_rem_unknown(),
            bindings: exporter.bindings(self),
            objrefs,
        })
    }
}

struct Activated {
    oxid: u64,
    ipid_rem_unknown: Uuid,
    bindings: DUALSTRINGARRAY,
    objrefs: Vec<Result<ObjRef, Hresult>>,
}

/// IRemoteSCMActivator and IActivation (MS-DCOM 3.1.2.5.2).
pub(super) struct ActivatorService(pub(super) Machine);

impl ActivatorService {
    /// RemoteCreateInstance's and RemoteGetClassObject's work, as an
    /// HRESULT or the reply's BLOB.
    fn create_instance(
        &self,
        orpcthis: &ORPCTHIS,
        props: Option<&MInterfacePointer>,
        class_object: bool,
        caller: Caller,
    ) -> Result<MInterfacePointer, Hresult> {
        if !version_ok(&orpcthis.version) {
            return Err(Hresult::RPC_E_VERSION_MISMATCH);
        }
        let props = props.ok_or(Hresult::E_INVALIDARG)?;
        let request =
            ActivationProperties::from_objref_bytes(&props.ab_data, false).map_err(|e| {
                tracing::debug!(error = %e, "activation properties refused");
                Hresult::RPC_E_INVALID_OBJREF
            })?;
        let inst = request.instantiation().ok_or(Hresult::E_INVALIDARG)?;
        let iids = inst.p_iid.clone().unwrap_or_default();
        if iids.is_empty() {
            return Err(Hresult::E_INVALIDARG);
        }
        let a = self
            .0
            .activate(&inst.class_id, &iids, class_object, caller)?;
        let mut hrs = Vec::new();
        let mut ptrs = Vec::new();
        for r in &a.objrefs {
            match r {
                Ok(o) => {
                    hrs.push(0);
                    ptrs.push(Some(mip(o)));
                }
                Err(hr) => {
                    hrs.push((*hr).into());
                    ptrs.push(None);
                }
            }
        }
        if hrs.iter().all(|&h| h != 0) {
            // Nothing to return: the first interface's failure says why.
            return Err(hrs.first().map_or(Hresult::E_NOINTERFACE, |&h| h.into()));
        }
        // PropsOutInfo first, then ScmReplyInfo: the order Windows sends,
        // and the only one impacket reads.
        let reply = ActivationProperties {
            dest_ctx: request.dest_ctx,
            properties: vec![
                Property::PropsOut(PropsOutInfo {
                    piid: Some(iids),
                    phresults: Some(hrs),
                    pp_intf_data: Some(ptrs),
                }),
                Property::ScmReply(ScmReplyInfoData {
                    pdw_reserved: None,
                    remote_reply: Some(Box::new(customREMOTE_REPLY_SCM_INFO {
                        oxid: a.oxid,
                        pdsa_oxid_bindings: Some(Box::new(a.bindings.clone())),
                        ipid_rem_unknown: a.ipid_rem_unknown,
                        authn_hint: AUTHN_LEVEL_NONE,
                        server_version: COM_VERSION,
                    })),
                }),
            ],
        };
        let objref = reply.to_objref(true).map_err(|_| Hresult::E_INVALIDARG)?;
        Ok(*mip(&objref))
    }
}

impl IRemoteSCMActivatorServer for ActivatorService {
    async fn remote_get_class_object(
        &self,
        ctx: &CallContext,
        orpcthis: ORPCTHIS,
        p_act_properties: Option<Box<MInterfacePointer>>,
    ) -> Result<RemoteGetClassObjectResponse, Fault> {
        Ok(
            match self.create_instance(&orpcthis, p_act_properties.as_deref(), true, caller(ctx)) {
                Ok(props) => RemoteGetClassObjectResponse {
                    orpcthat: orpcthat(),
                    pp_act_properties: Some(Box::new(props)),
                    return_value: 0,
                },
                Err(hr) => RemoteGetClassObjectResponse {
                    orpcthat: orpcthat(),
                    pp_act_properties: None,
                    return_value: hr.into(),
                },
            },
        )
    }

    async fn remote_create_instance(
        &self,
        ctx: &CallContext,
        orpcthis: ORPCTHIS,
        _p_unk_outer: Option<Box<MInterfacePointer>>,
        p_act_properties: Option<Box<MInterfacePointer>>,
    ) -> Result<RemoteCreateInstanceResponse, Fault> {
        Ok(
            match self.create_instance(&orpcthis, p_act_properties.as_deref(), false, caller(ctx)) {
                Ok(props) => RemoteCreateInstanceResponse {
                    orpcthat: orpcthat(),
                    pp_act_properties: Some(Box::new(props)),
                    return_value: 0,
                },
                Err(hr) => RemoteCreateInstanceResponse {
                    orpcthat: orpcthat(),
                    pp_act_properties: None,
                    return_value: hr.into(),
                },
            },
        )
    }
}

impl IActivationServer for ActivatorService {
    async fn remote_activation(
        &self,
        ctx: &CallContext,
        orp_cthis: ORPCTHIS,
        clsid: GUID,
        _pwsz_object_name: Option<ndr::WString>,
        _p_object_storage: Option<Box<MInterfacePointer>>,
        _client_imp_level: DWORD,
        mode: DWORD,
        interfaces: DWORD,
        p_ii_ds: Option<Vec<IID>>,
        _a_requested_protseqs: Vec<u16>,
    ) -> Result<RemoteActivationResponse, Fault> {
        let n = interfaces as usize;
        let failed = |hr: Hresult| RemoteActivationResponse {
            orp_cthat: orpcthat(),
            phr: hr.into(),
            pp_interface_data: vec![None; n],
            p_results: vec![0; n],
            ..Default::default()
        };
        if !version_ok(&orp_cthis.version) {
            return Ok(failed(Hresult::RPC_E_VERSION_MISMATCH));
        }
        // Mode 0xFFFFFFFF asks for the class object (3.1.2.5.2.3.1).
        let class_object = mode == u32::MAX;
        let iids = p_ii_ds.unwrap_or_default();
        if iids.len() != n {
            return Ok(failed(Hresult::E_INVALIDARG));
        }
        let a = match self.0.activate(&clsid, &iids, class_object, caller(ctx)) {
            Ok(a) => a,
            Err(hr) => return Ok(failed(hr)),
        };
        Ok(RemoteActivationResponse {
            orp_cthat: orpcthat(),
            p_oxid: a.oxid,
            ppdsa_oxid_bindings: Some(Box::new(a.bindings.clone())),
            pipid_rem_unknown: a.ipid_rem_unknown,
            p_authn_hint: AUTHN_LEVEL_NONE,
            p_server_version: COM_VERSION,
            phr: 0,
            pp_interface_data: a.objrefs.iter().map(|r| r.as_ref().ok().map(mip)).collect(),
            p_results: a
                .objrefs
                .iter()
                .map(|r| r.as_ref().err().map_or(0, |&hr| hr.into()))
                .collect(),
            return_value: 0,
        })
    }
}
