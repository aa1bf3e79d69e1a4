//! IRemUnknown and IRemUnknown2 (MS-DCOM 3.1.1.5.6): QueryInterface,
//! AddRef and Release of one exporter's objects, from other machines.

use std::sync::{Arc, Weak};
use std::time::Instant;

use super::dcom_exporter::ExporterShared;
use super::exporter::RefChange;
use super::framing::orpcthat;
use super::framing::CallContext;
use super::machine::lock;
use super::objref::{mip, ObjRef};
use super::router::caller;
use crate::dcom::i_rem_unknown::*;
use crate::dcom::i_rem_unknown2::RemQueryInterface2Response;
use crate::dcom::*;
use crate::rpc::Fault;
use crate::Hresult;

/// IRemUnknown and IRemUnknown2 of one exporter.
#[derive(Clone)]
pub(super) struct RemUnknownService(pub(super) Weak<ExporterShared>);

impl RemUnknownService {
    fn exporter(&self) -> Result<Arc<ExporterShared>, Fault> {
        self.0
            .upgrade()
            .ok_or(Fault::from(Hresult::RPC_E_DISCONNECTED))
    }

    fn now(e: &ExporterShared) -> Instant {
        e.machine().map_or_else(Instant::now, |m| m.now())
    }
}

fn changes(refs: &[REMINTERFACEREF]) -> Vec<RefChange> {
    refs.iter()
        .map(|r| RefChange {
            ipid: r.ipid,
            public: r.c_public_refs,
            private: r.c_private_refs,
        })
        .collect()
}

impl IRemUnknownServer for RemUnknownService {
    async fn rem_query_interface(
        &self,
        ctx: &CallContext,
        ripid: GUID,
        c_refs: u32,
        _c_iids: u16,
        iids: Vec<IID>,
    ) -> Result<RemQueryInterfaceResponse, Fault> {
        let e = self.exporter()?;
        let now = Self::now(&e);
        let results = lock(&e.tables).query_interface(&ripid, c_refs, &iids, now, caller(ctx));
        let (results, hr) = match results {
            Ok(r) => {
                // One refused IID of one asked fails the call: impacket
                // reads only the return value.
                let all_failed = r.iter().all(|x| x.is_err());
                let hr = if all_failed {
                    Hresult::E_NOINTERFACE
                } else {
                    Hresult::S_OK
                };
                (Some(r), hr)
            }
            Err(hr) => (None, hr),
        };
        let results = results.map(|r| {
            r.iter()
                .map(|x| match x {
                    Ok(std) => REMQIRESULT {
                        h_result: 0,
                        std: std.clone(),
                    },
                    Err(hr) => REMQIRESULT {
                        h_result: (*hr).into(),
                        std: STDOBJREF::default(),
                    },
                })
                .collect()
        });
        Ok(RemQueryInterfaceResponse {
            orpcthat: orpcthat(),
            pp_qi_results: results,
            return_value: hr.into(),
        })
    }

    async fn rem_add_ref(
        &self,
        ctx: &CallContext,
        _c_interface_refs: u16,
        interface_refs: Vec<REMINTERFACEREF>,
    ) -> Result<RemAddRefResponse, Fault> {
        let e = self.exporter()?;
        let results = lock(&e.tables).add_ref(&changes(&interface_refs), caller(ctx));
        let hr = if results.iter().any(|&r| r != Hresult::S_OK) {
            Hresult::E_INVALIDARG
        } else {
            Hresult::S_OK
        };
        Ok(RemAddRefResponse {
            orpcthat: orpcthat(),
            p_results: results.into_iter().map(i32::from).collect(),
            return_value: hr.into(),
        })
    }

    async fn rem_release(
        &self,
        ctx: &CallContext,
        interface_refs: Vec<REMINTERFACEREF>,
    ) -> Result<RemReleaseResponse, Fault> {
        let e = self.exporter()?;
        lock(&e.tables).release(&changes(&interface_refs), caller(ctx));
        Ok(RemReleaseResponse {
            orpcthat: orpcthat(),
            return_value: 0,
        })
    }
}

impl IRemUnknown2Server for RemUnknownService {
    async fn rem_query_interface2(
        &self,
        ctx: &CallContext,
        ripid: GUID,
        _c_iids: u16,
        iids: Vec<IID>,
    ) -> Result<RemQueryInterface2Response, Fault> {
        let e = self.exporter()?;
        let machine = e
            .machine()
            .ok_or(Fault::from(Hresult::RPC_E_DISCONNECTED))?;
        let now = machine.now();
        let mut tables = lock(&e.tables);
        let refs = tables.initial_refs();
        let results = tables.query_interface(&ripid, refs, &iids, now, caller(ctx));
        drop(tables);
        let resolver = machine.resolver_bindings();
        let (phr, pp_mif, hr) = match results {
            Ok(r) => {
                let mut phr = Vec::new();
                let mut mifs = Vec::new();
                for (x, iid) in r.iter().zip(&iids) {
                    match x {
                        Ok(std) => {
                            phr.push(0);
                            mifs.push(Some(mip(&ObjRef::Standard {
                                iid: *iid,
                                std: std.clone(),
                                resolver: resolver.clone(),
                            })));
                        }
                        Err(hr) => {
                            phr.push((*hr).into());
                            mifs.push(None);
                        }
                    }
                }
                (phr, mifs, Hresult::S_OK)
            }
            Err(hr) => (vec![hr.into(); iids.len()], vec![None; iids.len()], hr),
        };
        Ok(RemQueryInterface2Response {
            orpcthat: orpcthat(),
            phr,
            pp_mif,
            return_value: hr.into(),
        })
    }
}
