//! An RPC server's interfaces and limits, and the sessions it hands out:
//! everything of a server but its sockets, which the tokio layer adds
//! (`Server::bind`, `Server::serve`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use super::conn::Limits;
use super::session::{Dynamic, Registry, Session};
use super::Dispatch;

/// An RPC server: a registry of interfaces by UUID and version, and the
/// limits its connections run under. [`Server::session`] runs one
/// connection over byte buffers; with the `tokio` feature, `bind` and
/// `serve` run it over TCP.
#[derive(Default)]
pub struct Server {
    registry: Arc<Registry>,
    limits: Limits,
    pub(super) connections: ConnectionLimits,
    groups: Arc<AtomicU32>,
}

/// How many connections a server holds at once, so that no client can
/// take every socket and the memory behind them. A connection past a
/// limit is closed as soon as it is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Connections in all: 2048 by default.
    pub max: usize,
    /// Connections from one client address: 256 by default (clients behind
    /// one NAT share it).
    pub per_client: usize,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            max: 2048,
            per_client: 256,
        }
    }
}

impl Server {
    /// A server with no interfaces and the default [`Limits`].
    pub fn new() -> Server {
        Server::default()
    }

    /// Serves an interface through its generated stub.
    pub fn add_interface(mut self, stub: impl Dispatch) -> Server {
        Arc::make_mut(&mut self.registry)
            .fixed
            .insert(stub.syntax(), Arc::new(stub));
        self
    }

    /// Serves an interface through a stub already shared elsewhere.
    pub fn add_shared(mut self, stub: Arc<dyn Dispatch>) -> Server {
        Arc::make_mut(&mut self.registry)
            .fixed
            .insert(stub.syntax(), stub);
        self
    }

    /// Serves the interfaces `lookup` finds at bind time, as well.
    pub fn dynamic(mut self, lookup: Dynamic) -> Server {
        Arc::make_mut(&mut self.registry).dynamic = Some(lookup);
        self
    }

    /// Sets the limits every connection runs under.
    pub fn limits(mut self, limits: Limits) -> Server {
        self.limits = limits;
        self
    }

    /// Sets how many connections the server holds at once.
    pub fn connection_limits(mut self, limits: ConnectionLimits) -> Server {
        self.connections = limits;
        self
    }

    /// A connection's protocol and dispatch without a socket, for a
    /// client at `peer`: what `Server::serve` runs for each connection
    /// it accepts, for tests and fuzzers to drive over byte buffers.
    /// `port` is the secondary address a bind_ack names.
    pub fn session(&self, peer: Option<SocketAddr>, port: u16) -> Session {
        // Association groups start at 0x1000, one per connection.
        let group = 0x1000 + self.groups.fetch_add(1, Ordering::Relaxed);
        Session::new(
            self.registry.clone(),
            self.limits,
            group,
            port.to_string(),
            peer,
        )
    }
}
