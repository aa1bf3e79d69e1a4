//! The machine: its settings, the resolver and exporters it makes, and
//! [`Machine::tick`], which expires ping sets and reclaims objects (the
//! tokio layer, serve.rs, listens and runs it on a timer).
//!
//! [`Machine`] is the one authority its parts share: the host name they
//! advertise, the security bindings, the OXIDs, classes and ping sets.
//! Every DUALSTRINGARRAY is built from it when it is sent, never from a
//! copy taken earlier, and starting the resolver is idempotent: the
//! failure of KB Q165309 (security information not synchronized when the
//! resolver was already running) cannot happen here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::activator::ActivatorService;
use super::dcom_exporter::{DcomExporter, ExporterShared};
use super::exporter::{Exporter, Object, ObjectLimits};
use super::objref::{SecurityBinding, StringBinding, TOWER_NCACN_IP_TCP};
use super::rem_unknown::RemUnknownService;
use super::resolver::{PingLimits, PingSets};
use super::resolver_service::ResolverService;
use crate::dcom::*;
use crate::rpc::conn::Limits;
use crate::rpc::{ConnectionLimits, Server};

/// Where the time comes from: `Instant::now` normally, a hand-moved clock
/// in tests, so that ping timeouts are tested without waiting.
pub type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// Makes the objects of one class.
pub type Factory = Arc<dyn Fn() -> Object + Send + Sync>;

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
pub(super) struct Class {
    pub(super) oxid: u64,
    pub(super) factory: Factory,
    pub(super) iids: Vec<Uuid>,
}

pub(super) struct MachineInner {
    pub(super) config: MachineConfig,
    security: RwLock<Vec<SecurityBinding>>,
    exporters: RwLock<HashMap<u64, Weak<ExporterShared>>>,
    pub(super) classes: RwLock<HashMap<Uuid, Class>>,
    pub(super) sets: Mutex<PingSets>,
    /// The resolver's listener, once started.
    #[cfg(feature = "tokio")]
    pub(super) resolver: tokio::sync::Mutex<Option<crate::rpc::ServerHandle>>,
}

/// One machine's DCOM authority. Clones share it.
#[derive(Clone)]
pub struct Machine(pub(super) Arc<MachineInner>);

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain tables behind; go on.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Machine {
    /// A machine with no resolver, exporters or classes yet: start them
    /// with `Machine::start_resolver` and `Machine::start_exporter`
    /// (feature `tokio`), or drive them without sockets through
    /// [`Machine::resolver_server`] and [`Machine::new_exporter`].
    pub fn new(config: MachineConfig) -> Machine {
        let sets = PingSets::new(config.ping_period).with_limits(config.ping_sets);
        Machine(Arc::new(MachineInner {
            config,
            security: RwLock::new(Vec::new()),
            exporters: RwLock::new(HashMap::new()),
            classes: RwLock::new(HashMap::new()),
            sets: Mutex::new(sets),
            #[cfg(feature = "tokio")]
            resolver: tokio::sync::Mutex::new(None),
        }))
    }

    pub(super) fn now(&self) -> Instant {
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
    pub fn resolver_bindings(&self) -> DUALSTRINGARRAY {
        let host = StringBinding {
            tower_id: TOWER_NCACN_IP_TCP,
            network_addr: self.0.config.host.clone(),
        };
        DUALSTRINGARRAY::new(&[host], &self.security_bindings())
    }

    /// The resolver and activator as an RPC server that is not listening:
    /// what `Machine::start_resolver` serves, for tests and fuzzers to
    /// drive through [`Server::session`].
    pub fn resolver_server(&self) -> Server {
        self.rpc_server()
            .add_interface(IObjectExporterStub::new(ResolverService(self.clone())))
            .add_interface(IRemoteSCMActivatorStub::new(ActivatorService(self.clone())))
            .add_interface(IActivationStub::new(ActivatorService(self.clone())))
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
            #[cfg(feature = "tokio")]
            listening: None,
            machine: self.clone(),
        }
    }

    /// An RPC server under the machine's connection limits.
    pub(super) fn rpc_server(&self) -> Server {
        Server::new()
            .limits(self.0.config.connection)
            .connection_limits(self.0.config.connections)
    }

    pub(super) fn exporter(&self, oxid: u64) -> Option<Arc<ExporterShared>> {
        self.0
            .exporters
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&oxid)
            .and_then(Weak::upgrade)
    }

    pub(super) fn exporters(&self) -> Vec<Arc<ExporterShared>> {
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
}
