//! A DCOM server over tokio: the machine's object resolver and activator
//! (IObjectExporter, IRemoteSCMActivator, IActivation) on one port, and
//! object exporters (IRemUnknown, IRemUnknown2 and the objects' own
//! interfaces, routed by IPID) on ports of their own. Every protocol
//! interface here is the one generated from idl/ms-dcom.idl.
//!
//! [`Machine`] is the one authority its parts share: the host name they
//! advertise, the security bindings, the OXIDs, classes and ping sets.
//! Every DUALSTRINGARRAY is built from it when it is sent, never from a
//! copy taken earlier, and starting the resolver is idempotent: the
//! failure of KB Q165309 (security information not synchronized when the
//! resolver was already running) cannot happen here.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::activation::{ActivationProperties, Property};
use super::exporter::{Caller, Exporter, Object, ObjectLimits, RefChange};
use super::hresult;
use super::objref::{Bindings, ObjRef, SecurityBinding, StdObjRef, StringBinding};
use super::resolver::{PingLimits, PingSets};
use crate::com::i_class_factory::{
    RemoteCreateInstanceResponse as RemoteCreateInstanceResponse2, RemoteLockServerResponse,
};
use crate::com::{IClassFactory, IClassFactoryServer, IClassFactoryStub};
use crate::dcom::i_activation::RemoteActivationResponse;
use crate::dcom::i_object_exporter::*;
use crate::dcom::i_rem_unknown::*;
use crate::dcom::i_rem_unknown2::RemQueryInterface2Response;
use crate::dcom::i_remote_scm_activator::*;
use crate::dcom::*;
use crate::ndr;
use crate::rpc::conn::Limits;
use crate::rpc::{
    BoxFuture, CallContext, ConnectionLimits, Dispatch, Fault, Server, ServerHandle, SyntaxId,
};

/// Where the time comes from: `Instant::now` normally, a hand-moved clock
/// in tests, so that ping timeouts are tested without waiting.
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// Makes the objects of one class.
pub type Factory = Arc<dyn Fn() -> Object + Send + Sync>;

/// The COM version msrpc speaks (MS-DCOM 1.7).
pub const COM_VERSION: COMVERSION = COMVERSION {
    major_version: 5,
    minor_version: 7,
};

/// RPC_C_AUTHN_LEVEL_NONE, the authentication hint while msrpc has no
/// security provider (impacket's client relies on it being exactly 1).
const AUTHN_LEVEL_NONE: u32 = 1;

/// Settings of a [`Machine`].
#[derive(Clone)]
pub struct MachineConfig {
    /// The address clients reach this machine by, as bindings carry it.
    pub host: String,
    /// How often clients ping; objects unpinged for three periods go.
    pub ping_period: Duration,
    /// Where the time comes from; see [`Clock`].
    pub clock: Clock,
    /// What each exporter holds at most, in all and for each client
    /// (identified by its network address); see [`ObjectLimits`].
    pub objects: ObjectLimits,
    /// What the resolver holds for one client: ping sets, and the OIDs
    /// they name together; see [`PingLimits`].
    pub ping_sets: PingLimits,
    /// What each connection to the resolver or an exporter accepts:
    /// fragment and message sizes, and calls in flight.
    pub connection: Limits,
    /// How many connections the resolver and each exporter hold, in all
    /// and from one client address.
    pub connections: ConnectionLimits,
}

impl MachineConfig {
    /// Settings for a machine reached at `host`: a ping period of two
    /// minutes, and the system clock.
    pub fn new(host: impl Into<String>) -> MachineConfig {
        MachineConfig {
            host: host.into(),
            ping_period: Duration::from_secs(120),
            clock: Arc::new(Instant::now),
            objects: ObjectLimits::default(),
            ping_sets: PingLimits::default(),
            connection: Limits::default(),
            connections: ConnectionLimits::default(),
        }
    }
}

/// A registered class: its exporter, its factory, its objects' interfaces.
#[derive(Clone)]
struct Class {
    oxid: u64,
    factory: Factory,
    iids: Vec<Uuid>,
}

struct MachineInner {
    config: MachineConfig,
    security: RwLock<Vec<SecurityBinding>>,
    exporters: RwLock<HashMap<u64, Weak<ExporterShared>>>,
    classes: RwLock<HashMap<Uuid, Class>>,
    sets: Mutex<PingSets>,
    resolver: tokio::sync::Mutex<Option<ServerHandle>>,
}

/// One machine's DCOM authority. Clones share it.
#[derive(Clone)]
pub struct Machine(Arc<MachineInner>);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain tables behind; go on.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Machine {
    /// A machine with no resolver, exporters or classes yet: start them
    /// with [`Machine::start_resolver`] and [`Machine::start_exporter`].
    pub fn new(config: MachineConfig) -> Machine {
        let sets = PingSets::new(config.ping_period).with_limits(config.ping_sets);
        Machine(Arc::new(MachineInner {
            config,
            security: RwLock::new(Vec::new()),
            exporters: RwLock::new(HashMap::new()),
            classes: RwLock::new(HashMap::new()),
            sets: Mutex::new(sets),
            resolver: tokio::sync::Mutex::new(None),
        }))
    }

    fn now(&self) -> Instant {
        (self.0.config.clock)()
    }

    /// A process's security initialization (CoInitializeSecurity): the
    /// authentication services it accepts join the machine's, and every
    /// binding handed out from now on carries them, whether the resolver
    /// was started before, after, or by someone else.
    pub fn initialize_security(&self, bindings: &[SecurityBinding]) {
        let mut s = self.0.security.write().unwrap_or_else(|e| e.into_inner());
        for b in bindings {
            if !s.contains(b) {
                s.push(b.clone());
            }
        }
    }

    /// The security bindings every DUALSTRINGARRAY carries.
    pub fn security_bindings(&self) -> Vec<SecurityBinding> {
        self.0
            .security
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The resolver's bindings: the host without an endpoint (2.2.19.3).
    pub fn resolver_bindings(&self) -> Bindings {
        Bindings {
            strings: vec![StringBinding {
                tower_id: super::objref::TOWER_NCACN_IP_TCP,
                network_addr: self.0.config.host.clone(),
            }],
            security: self.security_bindings(),
        }
    }

    /// The resolver and activator as an RPC server that is not listening:
    /// what [`Machine::start_resolver`] serves, for tests and fuzzers to
    /// drive through [`Server::session`].
    pub fn resolver_server(&self) -> Server {
        self.rpc_server()
            .add_interface(IObjectExporterStub::new(ResolverService(self.clone())))
            .add_interface(IRemoteSCMActivatorStub::new(ActivatorService(self.clone())))
            .add_interface(IActivationStub::new(ActivatorService(self.clone())))
    }

    /// Starts the resolver and activator on `addr`, or returns the address
    /// of the one already running: however many parts start it, and
    /// however they race, there is one.
    pub async fn start_resolver(&self, addr: SocketAddr) -> io::Result<SocketAddr> {
        let mut slot = self.0.resolver.lock().await;
        if let Some(h) = slot.as_ref() {
            return Ok(h.local_addr());
        }
        let server = self.resolver_server().bind(addr).await?;
        let local = server.local_addr();
        tracing::info!(%local, "object resolver listening");
        *slot = Some(server);
        Ok(local)
    }

    /// An object exporter that does not listen yet: its tables, bindings
    /// that name `port`, and the RPC server ([`DcomExporter::server`]) that
    /// routes its calls, for the caller to serve or drive.
    pub fn new_exporter(&self, port: u16) -> DcomExporter {
        let machine = Arc::downgrade(&self.0);
        let shared = Arc::new_cyclic(|me: &Weak<ExporterShared>| {
            let rem = RemUnknownService(me.clone());
            let rem_unknown = Object::new()
                .with(IRemUnknownStub::new(rem.clone()))
                .with(IRemUnknown2Stub::new(rem));
            ExporterShared {
                machine,
                port,
                tables: Mutex::new(
                    Exporter::new(self.0.config.ping_period, rem_unknown)
                        .with_limits(self.0.config.objects),
                ),
            }
        });
        let oxid = lock(&shared.tables).oxid();
        self.0
            .exporters
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(oxid, Arc::downgrade(&shared));
        DcomExporter {
            shared,
            listening: None,
            machine: self.clone(),
        }
    }

    /// Starts an object exporter listening on `addr`.
    pub async fn start_exporter(&self, addr: SocketAddr) -> io::Result<DcomExporter> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let port = listener.local_addr()?.port();
        let mut exporter = self.new_exporter(port);
        exporter.listening = Some(exporter.server().serve(listener));
        tracing::info!(port, oxid = %format_args!("{:#x}", exporter.oxid()), "object exporter listening");
        Ok(exporter)
    }

    /// An RPC server under the machine's connection limits.
    fn rpc_server(&self) -> Server {
        Server::new()
            .limits(self.0.config.connection)
            .connection_limits(self.0.config.connections)
    }

    fn exporter(&self, oxid: u64) -> Option<Arc<ExporterShared>> {
        self.0
            .exporters
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&oxid)
            .and_then(Weak::upgrade)
    }

    fn exporters(&self) -> Vec<Arc<ExporterShared>> {
        self.0
            .exporters
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter_map(Weak::upgrade)
            .collect()
    }

    /// Runs the timers once: ping sets not pinged for three periods
    /// expire, and objects neither called nor pinged for three periods
    /// are reclaimed. Returns how many objects went.
    pub fn tick(&self) -> usize {
        let now = self.now();
        lock(&self.0.sets).expire(now);
        self.exporters()
            .iter()
            .map(|e| lock(&e.tables).reclaim(now).len())
            .sum()
    }

    /// Runs [`Machine::tick`] every ping period until the machine is dropped.
    pub fn spawn_timers(&self) {
        let weak = Arc::downgrade(&self.0);
        let period = self.0.config.ping_period;
        tokio::spawn(async move {
            let mut every = tokio::time::interval(period);
            loop {
                every.tick().await;
                let Some(inner) = weak.upgrade() else { return };
                let gone = Machine(inner).tick();
                if gone > 0 {
                    tracing::debug!(gone, "objects reclaimed");
                }
            }
        });
    }

    /// Creates an object of `clsid` (or, for `class_object`, the class's
    /// IClassFactory) in its exporter and marshals `iids`.
    fn activate(
        &self,
        clsid: &Uuid,
        iids: &[Uuid],
        class_object: bool,
        caller: Caller,
    ) -> Result<Activated, u32> {
        let Class { oxid, factory, .. } = self
            .0
            .classes
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(clsid)
            .cloned()
            .ok_or(hresult::REGDB_E_CLASSNOTREG)?;
        let exporter = self.exporter(oxid).ok_or(hresult::REGDB_E_CLASSNOTREG)?;
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
                r.map(|std| ObjRef::Standard {
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
    bindings: Bindings,
    objrefs: Vec<Result<ObjRef, u32>>,
}

fn mip(o: &ObjRef) -> Box<MInterfacePointer> {
    Box::new(MInterfacePointer {
        ab_data: o.to_bytes(),
    })
}

fn orpcthat() -> ORPCTHAT {
    ORPCTHAT {
        flags: 0,
        extensions: None,
    }
}

/// MS-DCOM 3.1.1.5.4: major 5, and no minor above ours.
fn version_ok(v: &COMVERSION) -> bool {
    v.major_version == COM_VERSION.major_version && v.minor_version <= COM_VERSION.minor_version
}

// ---------------------------------------------------------------- exporter

struct ExporterShared {
    machine: Weak<MachineInner>,
    port: u16,
    tables: Mutex<Exporter>,
}

impl ExporterShared {
    /// The exporter's bindings: host[port], with the machine's security.
    fn bindings(&self, machine: &Machine) -> Bindings {
        Bindings {
            strings: vec![StringBinding {
                tower_id: super::objref::TOWER_NCACN_IP_TCP,
                network_addr: format!("{}[{}]", machine.0.config.host, self.port),
            }],
            security: machine.security_bindings(),
        }
    }

    fn machine(&self) -> Option<Machine> {
        self.machine.upgrade().map(Machine)
    }

    /// Whether a bind for `iid` may come here: IRemUnknown(2), or an
    /// interface of a registered class.
    fn serves(&self, iid: &Uuid) -> bool {
        if *iid == IRemUnknown::IID || *iid == IRemUnknown2::IID || *iid == IClassFactory::IID {
            return true;
        }
        let registered = self.machine().is_some_and(|m| {
            m.0.classes
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .values()
                .any(|c| c.iids.contains(iid))
        });
        registered || lock(&self.tables).has_interface(iid)
    }
}

/// An object exporter: its tables, and its RPC server once it listens.
pub struct DcomExporter {
    shared: Arc<ExporterShared>,
    listening: Option<ServerHandle>,
    machine: Machine,
}

impl DcomExporter {
    /// Registers a class whose objects this exporter serves.
    pub fn register_class(&self, clsid: Uuid, factory: Factory) {
        let oxid = self.oxid();
        let iids = factory().interfaces();
        self.machine
            .0
            .classes
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                clsid,
                Class {
                    oxid,
                    factory,
                    iids,
                },
            );
    }

    /// The exporter's OXID.
    pub fn oxid(&self) -> u64 {
        lock(&self.shared.tables).oxid()
    }

    /// The address the exporter listens on (for one made by
    /// [`Machine::new_exporter`], the unspecified address and its port).
    pub fn local_addr(&self) -> SocketAddr {
        self.listening.as_ref().map_or_else(
            || SocketAddr::from(([0, 0, 0, 0], self.shared.port)),
            ServerHandle::local_addr,
        )
    }

    /// The RPC server of this exporter, not listening: IRemUnknown,
    /// IRemUnknown2 and its objects' interfaces, each call routed by its
    /// IPID. [`Machine::start_exporter`] serves it on a socket; a test or
    /// fuzzer drives it through [`Server::session`].
    pub fn server(&self) -> Server {
        let routes = Arc::downgrade(&self.shared);
        self.machine
            .rpc_server()
            .dynamic(Arc::new(move |s: &SyntaxId| {
                let shared = routes.upgrade()?;
                shared.serves(&s.uuid).then(|| {
                    Arc::new(OrpcRouter {
                        iid: s.uuid,
                        exporter: Arc::downgrade(&shared),
                    }) as Arc<dyn Dispatch>
                })
            }))
    }

    /// The IPID that serves IRemUnknown and IRemUnknown2.
    pub fn ipid_rem_unknown(&self) -> Uuid {
        lock(&self.shared.tables).ipid_rem_unknown()
    }

    /// The exporter's DUALSTRINGARRAY, as ResolveOxid2 returns it.
    pub fn bindings(&self) -> Bindings {
        self.shared.bindings(&self.machine)
    }

    /// Marshals objects into interface pointers and back, for server
    /// methods that return or take them.
    pub fn marshaler(&self) -> Marshaler {
        Marshaler {
            exporter: Arc::downgrade(&self.shared),
        }
    }

    /// Objects alive in this exporter.
    pub fn objects(&self) -> usize {
        lock(&self.shared.tables).objects()
    }

    /// Stops the exporter's RPC server: it accepts no more connections,
    /// and those open are closed.
    pub async fn shutdown(self) {
        if let Some(server) = self.listening {
            server.shutdown().await;
        }
    }
}

/// Turns objects into `MInterfacePointer`s for `[out]` parameters, and
/// `[in]` ones back into objects. Cheap to clone; holds the exporter weakly.
#[derive(Clone)]
pub struct Marshaler {
    exporter: Weak<ExporterShared>,
}

impl Marshaler {
    /// Exports `object` and marshals its `iid` as an OBJREF_STANDARD with
    /// the initial references (MS-DCOM 3.1.1.5.1). Called from a method
    /// (not from a task the method spawned), the object and references
    /// count against the calling client's limits.
    pub fn marshal(&self, object: Object, iid: Uuid) -> Result<MInterfacePointer, u32> {
        let e = self.exporter.upgrade().ok_or(hresult::RPC_E_DISCONNECTED)?;
        let m = e.machine().ok_or(hresult::RPC_E_DISCONNECTED)?;
        let std = lock(&e.tables).export(object, iid, m.now(), current_caller())?;
        let resolver = m.resolver_bindings();
        Ok(*mip(&ObjRef::Standard { iid, std, resolver }))
    }

    /// The object an `[in]` interface pointer names, if this exporter holds
    /// it (MS-DCOM 3.1.1.5.3), with the interface it was marshaled for.
    /// References to other exporters' objects are refused (E_NOINTERFACE).
    pub fn unmarshal(&self, mip: &MInterfacePointer) -> Result<(Object, Uuid), u32> {
        let objref = ObjRef::from_bytes(&mip.ab_data).map_err(|_| hresult::RPC_E_INVALID_OBJREF)?;
        let std = *objref.std().ok_or(hresult::RPC_E_INVALID_OBJREF)?;
        let e = self.exporter.upgrade().ok_or(hresult::RPC_E_DISCONNECTED)?;
        let mut tables = lock(&e.tables);
        if std.oxid != tables.oxid() {
            return Err(hresult::E_NOINTERFACE);
        }
        tables.unmarshal(&std.ipid, std.public_refs, current_caller())
    }
}

tokio::task_local! {
    /// The client whose ORPC call is running, for [`Marshaler`].
    static CALLER: Caller;
}

/// The client a call came from, by its network address.
fn caller(ctx: &CallContext) -> Caller {
    ctx.peer.map(|p| crate::rpc::client_of(p.ip()))
}

/// The client whose call is running here, if any.
fn current_caller() -> Caller {
    CALLER.try_with(|c| *c).unwrap_or(None)
}

/// Routes ORPC calls on one interface to the object the IPID names.
struct OrpcRouter {
    iid: Uuid,
    exporter: Weak<ExporterShared>,
}

impl Dispatch for OrpcRouter {
    fn syntax(&self) -> SyntaxId {
        SyntaxId {
            uuid: self.iid,
            major: 0,
            minor: 0,
        }
    }

    fn dispatch(
        &self,
        ctx: CallContext,
        stub: Vec<u8>,
    ) -> BoxFuture<'static, Result<Vec<u8>, Fault>> {
        let target = self.route(&ctx, &stub);
        // The method runs knowing its caller, so that objects it marshals
        // count against that client's limits.
        let caller = caller(&ctx);
        Box::pin(CALLER.scope(caller, async move { target?.dispatch(ctx, stub).await }))
    }
}

impl OrpcRouter {
    /// The checks of MS-DCOM 3.1.1.5.4, in the spec's order, then the stub.
    /// Failures travel as faults carrying the HRESULT, as Windows sends them.
    fn route(&self, ctx: &CallContext, stub: &[u8]) -> Result<Arc<dyn Dispatch>, Fault> {
        let fault = Fault::new;
        // Only ORPCTHIS's fixed head matters here (its COMVERSION and
        // flags); the stub decodes all of it along with the request.
        let mut d = ndr::Decoder::new(stub);
        let (major, minor, flags) =
            (|| Ok::<_, ndr::Error>((d.u16()?, d.u16()?, d.u32()?)))().map_err(Fault::from_ndr)?;
        let version = COMVERSION {
            major_version: major,
            minor_version: minor,
        };
        if !version_ok(&version) {
            return Err(fault(hresult::RPC_E_VERSION_MISMATCH));
        }
        if flags != 0 {
            return Err(fault(hresult::RPC_E_INVALID_HEADER));
        }
        let ipid = ctx.object.ok_or(fault(hresult::RPC_E_DISCONNECTED))?;
        let exporter = self
            .exporter
            .upgrade()
            .ok_or(fault(hresult::RPC_E_DISCONNECTED))?;
        let now = exporter.machine().map_or_else(Instant::now, |m| m.now());
        let found = lock(&exporter.tables).lookup(&ipid, &self.iid, now);
        found.map_err(fault)
    }
}

/// IRemUnknown and IRemUnknown2 of one exporter.
#[derive(Clone)]
struct RemUnknownService(Weak<ExporterShared>);

impl RemUnknownService {
    fn exporter(&self) -> Result<Arc<ExporterShared>, Fault> {
        self.0
            .upgrade()
            .ok_or(Fault::new(hresult::RPC_E_DISCONNECTED))
    }

    fn now(e: &ExporterShared) -> Instant {
        e.machine().map_or_else(Instant::now, |m| m.now())
    }
}

fn std_idl(s: &StdObjRef) -> STDOBJREF {
    STDOBJREF {
        flags: s.flags,
        c_public_refs: s.public_refs,
        oxid: s.oxid,
        oid: s.oid,
        ipid: s.ipid,
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
                    hresult::E_NOINTERFACE
                } else {
                    0
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
                        std: std_idl(std),
                    },
                    Err(hr) => REMQIRESULT {
                        h_result: *hr as i32,
                        std: STDOBJREF::default(),
                    },
                })
                .collect()
        });
        Ok(RemQueryInterfaceResponse {
            orpcthat: orpcthat(),
            pp_qi_results: results,
            return_value: hr as i32,
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
        let hr = if results.iter().any(|&r| r != 0) {
            hresult::E_INVALIDARG
        } else {
            0
        };
        Ok(RemAddRefResponse {
            orpcthat: orpcthat(),
            p_results: results.into_iter().map(|r| r as i32).collect(),
            return_value: hr as i32,
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
        let machine = e.machine().ok_or(Fault::new(hresult::RPC_E_DISCONNECTED))?;
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
                                std: *std,
                                resolver: resolver.clone(),
                            })));
                        }
                        Err(hr) => {
                            phr.push(*hr as i32);
                            mifs.push(None);
                        }
                    }
                }
                (phr, mifs, 0)
            }
            Err(hr) => (vec![hr as i32; iids.len()], vec![None; iids.len()], hr),
        };
        Ok(RemQueryInterface2Response {
            orpcthat: orpcthat(),
            phr,
            pp_mif,
            return_value: hr as i32,
        })
    }
}

// ---------------------------------------------------------------- resolver

/// IObjectExporter: OXID resolution and pinging (MS-DCOM 3.1.2.5.1).
struct ResolverService(Machine);

impl ResolverService {
    fn resolve(&self, oxid: OXID) -> Result<(Bindings, Uuid), u32> {
        let e = self.0.exporter(oxid).ok_or(hresult::OR_INVALID_OXID)?;
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
                ppdsa_oxid_bindings: Some(Box::new(b.to_idl())),
                pipid_rem_unknown: ipid,
                p_authn_hint: AUTHN_LEVEL_NONE,
                return_value: 0,
            },
            Err(status) => ResolveOxidResponse {
                return_value: status,
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
                Err(status) => status,
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
                return_value: status,
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
                ppdsa_oxid_bindings: Some(Box::new(b.to_idl())),
                pipid_rem_unknown: ipid,
                p_authn_hint: AUTHN_LEVEL_NONE,
                p_com_version: COM_VERSION,
                return_value: 0,
            },
            Err(status) => ResolveOxid2Response {
                return_value: status,
                ..Default::default()
            },
        })
    }

    async fn server_alive2(&self, _: &CallContext) -> Result<ServerAlive2Response, Fault> {
        Ok(ServerAlive2Response {
            p_com_version: COM_VERSION,
            ppdsa_or_bindings: Some(Box::new(self.0.resolver_bindings().to_idl())),
            p_reserved: 0,
            return_value: 0,
        })
    }
}

// ---------------------------------------------------------------- activator

/// IRemoteSCMActivator and IActivation (MS-DCOM 3.1.2.5.2).
struct ActivatorService(Machine);

impl ActivatorService {
    /// RemoteCreateInstance's and RemoteGetClassObject's work, as an
    /// HRESULT or the reply's BLOB.
    fn create_instance(
        &self,
        orpcthis: &ORPCTHIS,
        props: Option<&MInterfacePointer>,
        class_object: bool,
        caller: Caller,
    ) -> Result<MInterfacePointer, u32> {
        if !version_ok(&orpcthis.version) {
            return Err(hresult::RPC_E_VERSION_MISMATCH);
        }
        let props = props.ok_or(hresult::E_INVALIDARG)?;
        let request =
            ActivationProperties::from_objref_bytes(&props.ab_data, false).map_err(|e| {
                tracing::debug!(error = %e, "activation properties refused");
                hresult::RPC_E_INVALID_OBJREF
            })?;
        let inst = request.instantiation().ok_or(hresult::E_INVALIDARG)?;
        let iids = inst.p_iid.clone().unwrap_or_default();
        if iids.is_empty() {
            return Err(hresult::E_INVALIDARG);
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
                    hrs.push(*hr as i32);
                    ptrs.push(None);
                }
            }
        }
        if hrs.iter().all(|&h| h != 0) {
            // Nothing to return: the first interface's failure says why.
            return Err(hrs.first().map_or(hresult::E_NOINTERFACE, |&h| h as u32));
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
                        pdsa_oxid_bindings: Some(Box::new(a.bindings.to_idl())),
                        ipid_rem_unknown: a.ipid_rem_unknown,
                        authn_hint: AUTHN_LEVEL_NONE,
                        server_version: COM_VERSION,
                    })),
                }),
            ],
        };
        let objref = reply.to_objref(true).map_err(|_| hresult::E_INVALIDARG)?;
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
                    return_value: hr as i32,
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
                    return_value: hr as i32,
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
        let failed = |hr: u32| RemoteActivationResponse {
            orp_cthat: orpcthat(),
            phr: hr as i32,
            pp_interface_data: vec![None; n],
            p_results: vec![0; n],
            ..Default::default()
        };
        if !version_ok(&orp_cthis.version) {
            return Ok(failed(hresult::RPC_E_VERSION_MISMATCH));
        }
        // Mode 0xFFFFFFFF asks for the class object (3.1.2.5.2.3.1).
        let class_object = mode == u32::MAX;
        let iids = p_ii_ds.unwrap_or_default();
        if iids.len() != n {
            return Ok(failed(hresult::E_INVALIDARG));
        }
        let a = match self.0.activate(&clsid, &iids, class_object, caller(ctx)) {
            Ok(a) => a,
            Err(hr) => return Ok(failed(hr)),
        };
        Ok(RemoteActivationResponse {
            orp_cthat: orpcthat(),
            p_oxid: a.oxid,
            ppdsa_oxid_bindings: Some(Box::new(a.bindings.to_idl())),
            pipid_rem_unknown: a.ipid_rem_unknown,
            p_authn_hint: AUTHN_LEVEL_NONE,
            p_server_version: COM_VERSION,
            phr: 0,
            pp_interface_data: a.objrefs.iter().map(|r| r.as_ref().ok().map(mip)).collect(),
            p_results: a
                .objrefs
                .iter()
                .map(|r| r.as_ref().err().map_or(0, |hr| *hr as i32))
                .collect(),
            return_value: 0,
        })
    }
}

/// A class's class object: IClassFactory over its factory.
struct ClassObject {
    factory: Factory,
    marshaler: Marshaler,
}

impl IClassFactoryServer for ClassObject {
    async fn remote_create_instance(
        &self,
        _: &CallContext,
        riid: IID,
    ) -> Result<RemoteCreateInstanceResponse2, Fault> {
        Ok(match self.marshaler.marshal((self.factory)(), riid) {
            Ok(m) => RemoteCreateInstanceResponse2 {
                orpcthat: orpcthat(),
                ppv_object: Some(Box::new(m)),
                return_value: 0,
            },
            Err(hr) => RemoteCreateInstanceResponse2 {
                orpcthat: orpcthat(),
                ppv_object: None,
                return_value: hr as i32,
            },
        })
    }

    async fn remote_lock_server(
        &self,
        _: &CallContext,
        _f_lock: i32,
    ) -> Result<RemoteLockServerResponse, Fault> {
        // Objects live as long as their references and pings say.
        Ok(RemoteLockServerResponse {
            orpcthat: orpcthat(),
            return_value: 0,
        })
    }
}
