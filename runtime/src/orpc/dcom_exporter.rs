//! One object exporter as the machine runs it: its tables, shared with the
//! services that serve them, and [`DcomExporter`], the handle its owner
//! holds.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, Weak};

use uuid::Uuid;

use super::exporter::Exporter;
use super::machine::{lock, Class, Factory, Machine, MachineInner};
use super::marshaler::Marshaler;
use super::objref::{StringBinding, TOWER_NCACN_IP_TCP};
use super::router::OrpcRouter;
use crate::com::IClassFactory;
use crate::dcom::*;
use crate::rpc::{Dispatch, Server, SyntaxId};

pub(super) struct ExporterShared {
    pub(super) machine: Weak<MachineInner>,
    pub(super) port: u16,
    pub(super) tables: Mutex<Exporter>,
}

impl ExporterShared {
    /// The exporter's bindings: host[port], with the machine's security.
    pub(super) fn bindings(&self, machine: &Machine) -> DUALSTRINGARRAY {
        let endpoint = StringBinding {
            tower_id: TOWER_NCACN_IP_TCP,
            network_addr: format!("{}[{}]", machine.0.config.host, self.port),
        };
        DUALSTRINGARRAY::new(&[endpoint], &machine.security_bindings())
    }

    pub(super) fn machine(&self) -> Option<Machine> {
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
    pub(super) shared: Arc<ExporterShared>,
    #[cfg(feature = "tokio")]
    pub(super) listening: Option<crate::rpc::ServerHandle>,
    pub(super) machine: Machine,
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
        #[cfg(feature = "tokio")]
        if let Some(server) = &self.listening {
            return server.local_addr();
        }
        SocketAddr::from(([0, 0, 0, 0], self.shared.port))
    }

    /// The RPC server of this exporter, not listening: IRemUnknown,
    /// IRemUnknown2 and its objects' interfaces, each call routed by its
    /// IPID. `Machine::start_exporter` (feature `tokio`) serves it on a
    /// socket; a test or fuzzer drives it through [`Server::session`].
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
    pub fn bindings(&self) -> DUALSTRINGARRAY {
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
}
