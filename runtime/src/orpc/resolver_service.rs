//! IObjectExporter, the machine's object resolver (MS-DCOM 3.1.2.5.1):
//! OXID resolution over every exporter, and pinging over the ping sets.

use std::time::Instant;

use uuid::Uuid;

use super::framing::COM_VERSION;
use super::machine::{lock, Machine};
use super::router::caller;
use crate::dcom::i_object_exporter::*;
use crate::dcom::*;
use crate::rpc::{CallContext, Fault};
use crate::Hresult;

/// RPC_C_AUTHN_LEVEL_NONE, the authentication hint while msrpc has no
/// security provider (impacket's client relies on it being exactly 1).
pub(super) const AUTHN_LEVEL_NONE: u32 = 1;

/// IObjectExporter: OXID resolution and pinging (MS-DCOM 3.1.2.5.1).
pub(super) struct ResolverService(pub(super) Machine);

impl ResolverService {
    fn resolve(&self, oxid: OXID) -> Result<(DUALSTRINGARRAY, Uuid), Hresult> {
        let e = self.0.exporter(oxid).ok_or(Hresult::OR_INVALID_OXID)?;
        let ipid = lock(&e.tables).ipid_rem_unknown();
        Ok((e.bindings(&self.0), ipid))
    }

    /// Keeps OIDs alive in whichever exporter holds them.
    fn refresh(&self, oids: &[u64], now: Instant) {
        for e in self.0.exporters() {
            lock(&e.tables).pinged(oids.iter().copied(), now);
        }
    }

    fn known(&self, oid: u64) -> bool {
        self.0
            .exporters()
            .iter()
            .any(|e| lock(&e.tables).knows_oid(oid))
    }
}

impl IObjectExporterServer for ResolverService {
    async fn resolve_oxid(
        &self,
        _: &CallContext,
        p_oxid: OXID,
        _protseqs: Vec<u16>,
    ) -> Result<ResolveOxidResponse, Fault> {
        Ok(match self.resolve(p_oxid) {
            Ok((b, ipid)) => ResolveOxidResponse {
                ppdsa_oxid_bindings: Some(Box::new(b)),
                pipid_rem_unknown: ipid,
                p_authn_hint: AUTHN_LEVEL_NONE,
                return_value: 0,
            },
            Err(status) => ResolveOxidResponse {
                return_value: status.into(),
                ..Default::default()
            },
        })
    }

    async fn simple_ping(
        &self,
        _: &CallContext,
        p_set_id: SETID,
    ) -> Result<SimplePingResponse, Fault> {
        let now = self.0.now();
        let pinged = lock(&self.0 .0.sets).simple_ping(p_set_id, now);
        Ok(SimplePingResponse {
            return_value: match pinged {
                Ok(oids) => {
                    self.refresh(&oids, now);
                    0
                }
                Err(status) => status.into(),
            },
        })
    }

    async fn complex_ping(
        &self,
        ctx: &CallContext,
        p_set_id: SETID,
        sequence_num: u16,
        add_to_set: Option<Vec<OID>>,
        del_from_set: Option<Vec<OID>>,
    ) -> Result<ComplexPingResponse, Fault> {
        let now = self.0.now();
        let add = add_to_set.unwrap_or_default();
        let del = del_from_set.unwrap_or_default();
        let known = |oid| self.known(oid);
        let result = lock(&self.0 .0.sets).complex_ping(
            p_set_id,
            sequence_num,
            &add,
            &del,
            &known,
            now,
            caller(ctx),
        );
        Ok(match result {
            Ok((setid, oids)) => {
                self.refresh(&oids, now);
                ComplexPingResponse {
                    p_set_id: setid,
                    p_ping_backoff_factor: 0,
                    return_value: 0,
                }
            }
            Err(status) => ComplexPingResponse {
                p_set_id,
                p_ping_backoff_factor: 0,
                return_value: status.into(),
            },
        })
    }

    async fn server_alive(&self, _: &CallContext) -> Result<ServerAliveResponse, Fault> {
        Ok(ServerAliveResponse { return_value: 0 })
    }

    async fn resolve_oxid2(
        &self,
        _: &CallContext,
        p_oxid: OXID,
        _protseqs: Vec<u16>,
    ) -> Result<ResolveOxid2Response, Fault> {
        Ok(match self.resolve(p_oxid) {
            Ok((b, ipid)) => ResolveOxid2Response {
                ppdsa_oxid_bindings: Some(Box::new(b)),
                pipid_rem_unknown: ipid,
                p_authn_hint: AUTHN_LEVEL_NONE,
                p_com_version: COM_VERSION,
                return_value: 0,
            },
            Err(status) => ResolveOxid2Response {
                return_value: status.into(),
                ..Default::default()
            },
        })
    }

    async fn server_alive2(&self, _: &CallContext) -> Result<ServerAlive2Response, Fault> {
        Ok(ServerAlive2Response {
            p_com_version: COM_VERSION,
            ppdsa_or_bindings: Some(Box::new(self.0.resolver_bindings())),
            p_reserved: 0,
            return_value: 0,
        })
    }
}
