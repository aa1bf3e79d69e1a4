//! The DCOM client side (MS-DCOM 3.2): activation through
//! RemoteCreateInstance, OXID resolution with a cache, typed proxies that
//! release their references when dropped (RemRelease, batched), and a ping
//! task that keeps every held object alive.
//!
//! ```ignore
//! let client = DcomClient::connect("127.0.0.1:9135").await?;
//! let calc: ComPtr<ICalculatorClient<Client>> = client.create_instance(CLSID_CALCULATOR).await?;
//! let sum = calc.add(2, 3).await?.sum;
//! let stats: ComPtr<IStatisticsClient<Client>> = calc.query().await?;
//! ```

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use uuid::Uuid;

use super::activation::{ActivationProperties, BlobError};
use super::objref::{ObjRef, ObjRefError, StringBinding, SORF_NOPING, TOWER_NCACN_IP_TCP};
use crate::dcom::*;
use crate::rpc::conn::Limits;
use crate::rpc::{CallError, Client, Proxy};
use crate::Hresult;

/// Why a DCOM client operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DcomError {
    /// The RPC call itself failed.
    #[error(transparent)]
    Call(#[from] CallError),
    /// The server answered with a failing HRESULT (or, from the resolver,
    /// a Win32 error code).
    #[error("the server answered {0}")]
    Hresult(Hresult),
    /// An OBJREF from the server does not parse.
    #[error(transparent)]
    ObjRef(#[from] ObjRefError),
    /// The activation properties, sent or received, are not valid.
    #[error(transparent)]
    Activation(#[from] BlobError),
    /// A reply lacks the part named, or the client it belongs to is gone.
    #[error("the reply lacks {0}")]
    Missing(&'static str),
    /// The exporter's bindings, listed, include no ncacn_ip_tcp address
    /// with a port.
    #[error("no ncacn_ip_tcp binding with an endpoint among {0:?}")]
    NoBinding(Vec<String>),
    /// The exporter's address does not accept a connection.
    #[error("cannot connect to the exporter at {addr}: {err}")]
    Connect {
        /// The address tried, as `host:port`.
        addr: String,
        /// Why the connection failed.
        err: std::io::Error,
    },
}

/// `Err` for a failing HRESULT, as the IDL's `long` carries it.
fn check(hr: i32) -> Result<(), DcomError> {
    let hr = Hresult::from(hr);
    if hr.is_failure() {
        Err(DcomError::Hresult(hr))
    } else {
        Ok(())
    }
}

/// `Err` for any status but 0: an `error_status_t`, such as the resolver
/// returns, fails with a Win32 code as well as with an HRESULT.
fn check_status(status: u32) -> Result<(), DcomError> {
    match Hresult(status) {
        Hresult::S_OK => Ok(()),
        failed => Err(DcomError::Hresult(failed)),
    }
}

/// A connection to one object exporter.
struct Oxid {
    client: Client,
    ipid_rem_unknown: Uuid,
}

struct Shared {
    resolver: Client,
    /// The local address connections come from; any, if `None`.
    from: Option<std::net::IpAddr>,
    oxids: tokio::sync::Mutex<HashMap<u64, Arc<Oxid>>>,
    /// References to release, by exporter: (IPID, public references).
    releases: Mutex<Vec<(Arc<Oxid>, Uuid, u32)>>,
    wake: Arc<tokio::sync::Notify>,
    /// Held while releases are being sent, so that a flush returns only
    /// once every release queued before it has reached the server.
    flushing: tokio::sync::Mutex<()>,
    ping: Mutex<PingState>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Lets the release task see that the client is gone, and end.
        self.wake.notify_one();
    }
}

#[derive(Default)]
struct PingState {
    /// OIDs held, with how many proxies hold each.
    held: HashMap<u64, u32>,
    added: HashSet<u64>,
    removed: HashSet<u64>,
    setid: u64,
    seq: u16,
}

/// A DCOM client of one machine's resolver and activator.
#[derive(Clone)]
pub struct DcomClient(Arc<Shared>);

impl DcomClient {
    /// Connects to the resolver and activator at `addr`, and starts the
    /// task that sends batched releases.
    pub async fn connect(addr: impl tokio::net::ToSocketAddrs) -> std::io::Result<DcomClient> {
        DcomClient::connect_from(addr, None).await
    }

    /// Connects as [`DcomClient::connect`] does, every connection (to the
    /// resolver and to exporters) made from the local address `from`.
    pub async fn connect_from(
        addr: impl tokio::net::ToSocketAddrs,
        from: Option<std::net::IpAddr>,
    ) -> std::io::Result<DcomClient> {
        let resolver = Client::connect_from(addr, from, Limits::default()).await?;
        let shared = Arc::new(Shared {
            resolver,
            from,
            oxids: tokio::sync::Mutex::new(HashMap::new()),
            releases: Mutex::new(Vec::new()),
            wake: Arc::new(tokio::sync::Notify::new()),
            flushing: tokio::sync::Mutex::new(()),
            ping: Mutex::new(PingState::default()),
        });
        let weak = Arc::downgrade(&shared);
        let wake = shared.wake.clone();
        tokio::spawn(async move {
            loop {
                wake.notified().await;
                match weak.upgrade() {
                    Some(s) => DcomClient(s).flush_releases().await,
                    None => return,
                }
            }
        });
        Ok(DcomClient(shared))
    }

    /// Pings held objects every `period` (MS-DCOM 3.2.6.1: at most two
    /// minutes) until the client is dropped.
    pub fn spawn_pinger(&self, period: Duration) {
        let weak = Arc::downgrade(&self.0);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(period);
            every.tick().await;
            loop {
                every.tick().await;
                let Some(s) = weak.upgrade() else { return };
                if let Err(e) = DcomClient(s).ping().await {
                    tracing::debug!(error = %e, "ping failed");
                }
            }
        });
    }

    /// Activates `clsid` on the server and returns its interface `P`
    /// (RemoteCreateInstance, MS-DCOM 3.2.4.1.1).
    pub async fn create_instance<P: Proxy<Client>>(
        &self,
        clsid: Uuid,
    ) -> Result<ComPtr<P>, DcomError> {
        self.activate(clsid, false).await
    }

    /// The class object of `clsid`, normally as `IClassFactoryClient`
    /// (RemoteGetClassObject).
    pub async fn get_class_object<P: Proxy<Client>>(
        &self,
        clsid: Uuid,
    ) -> Result<ComPtr<P>, DcomError> {
        self.activate(clsid, true).await
    }

    async fn activate<P: Proxy<Client>>(
        &self,
        clsid: Uuid,
        class_object: bool,
    ) -> Result<ComPtr<P>, DcomError> {
        let iid = P::SYNTAX.uuid;
        let request = ActivationProperties::request(clsid, vec![iid]);
        let props = MInterfacePointer {
            ab_data: request.to_objref(false)?.to_bytes(),
        };
        let scm = IRemoteSCMActivatorClient::new(self.0.resolver.clone());
        let this = super::orpcthis();
        let (hr, blob) = if class_object {
            let r = scm
                .remote_get_class_object(this, Some(Box::new(props)))
                .await?;
            (r.return_value, r.pp_act_properties)
        } else {
            let r = scm
                .remote_create_instance(this, None, Some(Box::new(props)))
                .await?;
            (r.return_value, r.pp_act_properties)
        };
        check(hr)?;
        let blob = blob.ok_or(DcomError::Missing("ppActProperties"))?;
        let reply = ActivationProperties::from_objref_bytes(&blob.ab_data, true)?;
        let scm_reply = reply
            .scm_reply()
            .and_then(|s| s.remote_reply.as_deref())
            .ok_or(DcomError::Missing("ScmReplyInfoData"))?;
        let bindings = scm_reply
            .pdsa_oxid_bindings
            .as_deref()
            .ok_or(DcomError::Missing("pdsaOxidBindings"))?;
        self.remember_oxid(scm_reply.oxid, bindings, scm_reply.ipid_rem_unknown)
            .await?;
        let out = reply
            .props_out()
            .ok_or(DcomError::Missing("PropsOutInfo"))?;
        let hr = out.phresults.as_ref().and_then(|h| h.first().copied());
        check(hr.ok_or(DcomError::Missing("phresults"))?)?;
        let mip = out
            .pp_intf_data
            .as_ref()
            .and_then(|v| v.first().cloned().flatten())
            .ok_or(DcomError::Missing("ppIntfData"))?;
        self.unmarshal(&mip).await
    }

    /// Makes a proxy from an interface pointer received from the server
    /// (an `[out]` MInterfacePointer), resolving its OXID if it is new.
    pub async fn unmarshal<P: Proxy<Client>>(
        &self,
        mip: &MInterfacePointer,
    ) -> Result<ComPtr<P>, DcomError> {
        let objref = ObjRef::from_bytes(&mip.ab_data)?;
        let std = objref.std().ok_or(DcomError::Missing("a STDOBJREF"))?;
        let oxid = self.resolve(std.oxid).await?;
        Ok(self.adopt(
            oxid,
            std.oid,
            std.ipid,
            std.c_public_refs,
            std.flags & SORF_NOPING == 0,
        ))
    }

    /// The exporter connection for `oxid`, resolved through the resolver
    /// (ResolveOxid2) the first time.
    async fn resolve(&self, oxid: u64) -> Result<Arc<Oxid>, DcomError> {
        if let Some(o) = self.0.oxids.lock().await.get(&oxid) {
            return Ok(o.clone());
        }
        let r = IObjectExporterClient::new(self.0.resolver.clone())
            .resolve_oxid2(oxid, vec![TOWER_NCACN_IP_TCP])
            .await?;
        check_status(r.return_value)?;
        let b = r
            .ppdsa_oxid_bindings
            .as_deref()
            .ok_or(DcomError::Missing("ppdsaOxidBindings"))?;
        self.remember_oxid(oxid, b, r.pipid_rem_unknown).await
    }

    async fn remember_oxid(
        &self,
        oxid: u64,
        b: &DUALSTRINGARRAY,
        ipid_rem_unknown: Uuid,
    ) -> Result<Arc<Oxid>, DcomError> {
        let mut oxids = self.0.oxids.lock().await;
        if let Some(o) = oxids.get(&oxid) {
            return Ok(o.clone());
        }
        let addr = exporter_addr(&b.string_bindings()?)?;
        let client = Client::connect_from(addr.as_str(), self.0.from, Limits::default())
            .await
            .map_err(|err| DcomError::Connect {
                addr: addr.clone(),
                err,
            })?;
        let o = Arc::new(Oxid {
            client,
            ipid_rem_unknown,
        });
        oxids.insert(oxid, o.clone());
        Ok(o)
    }

    fn adopt<P: Proxy<Client>>(
        &self,
        oxid: Arc<Oxid>,
        oid: u64,
        ipid: Uuid,
        refs: u32,
        ping: bool,
    ) -> ComPtr<P> {
        if ping {
            let mut guard = self.0.ping.lock().unwrap_or_else(|e| e.into_inner());
            let p = &mut *guard;
            let n = p.held.entry(oid).or_insert(0);
            if *n == 0 {
                p.added.insert(oid);
                p.removed.remove(&oid);
            }
            *n += 1;
        }
        ComPtr {
            proxy: P::connect(oxid.client.clone(), Some(ipid)),
            iref: Arc::new(IRef {
                client: Arc::downgrade(&self.0),
                oxid,
                oid,
                ipid,
                refs,
                ping,
            }),
        }
    }

    /// Pings the resolver now: ComplexPing when the held set changed,
    /// SimplePing otherwise (MS-DCOM 3.2.6.1).
    pub async fn ping(&self) -> Result<(), DcomError> {
        let (setid, seq, add, del) = {
            let mut p = self.0.ping.lock().unwrap_or_else(|e| e.into_inner());
            if p.held.is_empty() && p.setid == 0 {
                return Ok(());
            }
            let changed = !p.added.is_empty() || !p.removed.is_empty() || p.setid == 0;
            if !changed {
                (p.setid, None, Vec::new(), Vec::new())
            } else {
                p.seq = p.seq.wrapping_add(1);
                let add: Vec<u64> = p.added.drain().collect();
                let del: Vec<u64> = p.removed.drain().collect();
                (p.setid, Some(p.seq), add, del)
            }
        };
        let resolver = IObjectExporterClient::new(self.0.resolver.clone());
        match seq {
            None => {
                let r = resolver.simple_ping(setid).await?;
                check_status(r.return_value)?;
            }
            Some(seq) => {
                let r = resolver
                    .complex_ping(setid, seq, Some(add.clone()), Some(del))
                    .await?;
                if r.return_value != 0 {
                    // Try again with these OIDs next time.
                    let mut p = self.0.ping.lock().unwrap_or_else(|e| e.into_inner());
                    p.added.extend(add);
                    return check_status(r.return_value);
                }
                self.0.ping.lock().unwrap_or_else(|e| e.into_inner()).setid = r.p_set_id;
            }
        }
        Ok(())
    }

    /// Sends the releases of dropped proxies now, one RemRelease per
    /// exporter. Drop queues them; a background task calls this.
    pub async fn flush_releases(&self) {
        let _one_at_a_time = self.0.flushing.lock().await;
        let pending =
            std::mem::take(&mut *self.0.releases.lock().unwrap_or_else(|e| e.into_inner()));
        let mut by_oxid: HashMap<usize, (Arc<Oxid>, Vec<REMINTERFACEREF>)> = HashMap::new();
        for (oxid, ipid, refs) in pending {
            by_oxid
                .entry(Arc::as_ptr(&oxid) as usize)
                .or_insert_with(|| (oxid.clone(), Vec::new()))
                .1
                .push(REMINTERFACEREF {
                    ipid,
                    c_public_refs: refs,
                    c_private_refs: 0,
                });
        }
        for (_, (oxid, refs)) in by_oxid {
            let rem = IRemUnknownClient::with_object(oxid.client.clone(), oxid.ipid_rem_unknown);
            if let Err(e) = rem.rem_release(refs).await {
                tracing::debug!(error = %e, "RemRelease failed");
            }
        }
    }
}

/// The first ncacn_ip_tcp binding with an endpoint, as `host:port`.
fn exporter_addr(strings: &[StringBinding]) -> Result<String, DcomError> {
    strings
        .iter()
        .filter(|s| s.tower_id == TOWER_NCACN_IP_TCP)
        .find_map(|s| {
            let (host, rest) = s.network_addr.split_once('[')?;
            let port: u16 = rest.strip_suffix(']')?.parse().ok()?;
            // An IP address (v6 needs brackets in host:port), or a name.
            Some(match host.parse::<std::net::IpAddr>() {
                Ok(ip) => SocketAddr::new(ip, port).to_string(),
                Err(_) => format!("{host}:{port}"),
            })
        })
        .ok_or_else(|| {
            DcomError::NoBinding(strings.iter().map(|s| s.network_addr.clone()).collect())
        })
}

struct IRef {
    client: Weak<Shared>,
    oxid: Arc<Oxid>,
    oid: u64,
    ipid: Uuid,
    refs: u32,
    ping: bool,
}

impl Drop for IRef {
    fn drop(&mut self) {
        let Some(s) = self.client.upgrade() else {
            return;
        };
        if self.ping {
            let mut guard = s.ping.lock().unwrap_or_else(|e| e.into_inner());
            let p = &mut *guard;
            if let Some(n) = p.held.get_mut(&self.oid) {
                *n -= 1;
                if *n == 0 {
                    p.held.remove(&self.oid);
                    if !p.added.remove(&self.oid) {
                        p.removed.insert(self.oid);
                    }
                }
            }
        }
        s.releases.lock().unwrap_or_else(|e| e.into_inner()).push((
            self.oxid.clone(),
            self.ipid,
            self.refs,
        ));
        s.wake.notify_one();
    }
}

/// An interface pointer: the generated proxy `P`, holding the references
/// it came with until it is dropped.
pub struct ComPtr<P> {
    proxy: P,
    iref: Arc<IRef>,
}

impl<P> Deref for ComPtr<P> {
    type Target = P;
    fn deref(&self) -> &P {
        &self.proxy
    }
}

impl<P> ComPtr<P> {
    /// The IPID of the interface: the object UUID the proxy's calls carry.
    pub fn ipid(&self) -> Uuid {
        self.iref.ipid
    }

    /// The OID of the object the interface belongs to.
    pub fn oid(&self) -> u64 {
        self.iref.oid
    }

    /// QueryInterface through the exporter's IRemUnknown (RemQueryInterface).
    pub async fn query<Q: Proxy<Client>>(&self) -> Result<ComPtr<Q>, DcomError> {
        let client = self
            .iref
            .client
            .upgrade()
            .ok_or(DcomError::Missing("the client"))?;
        let oxid = self.iref.oxid.clone();
        let rem = IRemUnknownClient::with_object(oxid.client.clone(), oxid.ipid_rem_unknown);
        let iid = Q::SYNTAX.uuid;
        let r = rem
            .rem_query_interface(self.iref.ipid, 1, 1, vec![iid])
            .await?;
        check(r.return_value)?;
        let res = r
            .pp_qi_results
            .and_then(|v| v.into_iter().next())
            .ok_or(DcomError::Missing("ppQIResults"))?;
        check(res.h_result)?;
        let std = res.std;
        let ping = std.flags & SORF_NOPING == 0;
        Ok(DcomClient(client).adopt(oxid, std.oid, std.ipid, std.c_public_refs, ping))
    }
}

/// Whether a call failed because the object is gone (RPC_E_DISCONNECTED).
pub fn is_disconnected(e: &CallError) -> bool {
    matches!(e, CallError::Fault(f) if f.hresult() == Hresult::RPC_E_DISCONNECTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bindings(addrs: &[(u16, &str)]) -> Vec<StringBinding> {
        addrs
            .iter()
            .map(|&(tower_id, a)| StringBinding {
                tower_id,
                network_addr: a.into(),
            })
            .collect()
    }

    #[test]
    fn the_first_tcp_binding_with_an_endpoint_is_the_exporter() {
        let b = bindings(&[(0x0F, "pipe[x]"), (7, "host"), (7, "10.0.0.1[5000]")]);
        assert_eq!(exporter_addr(&b).ok(), Some("10.0.0.1:5000".into()));
        let named = bindings(&[(7, "server.example[135]")]);
        assert_eq!(
            exporter_addr(&named).ok(),
            Some("server.example:135".into())
        );
        let v6 = bindings(&[(7, "::1[99]")]);
        assert_eq!(exporter_addr(&v6).ok(), Some("[::1]:99".into()));
    }

    #[test]
    fn no_usable_binding_is_a_typed_error() {
        let b = bindings(&[(7, "host"), (7, "host[notaport]")]);
        match exporter_addr(&b) {
            Err(DcomError::NoBinding(seen)) => assert_eq!(seen, ["host", "host[notaport]"]),
            r => panic!("expected NoBinding, got {r:?}"),
        }
    }
}
