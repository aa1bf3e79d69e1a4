//! The machine on tokio: the resolver's and exporters' listeners, and
//! the timer that runs [`Machine::tick`]. Everything else of the DCOM
//! server is plain Rust over buffers, and builds without tokio.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use super::dcom_exporter::DcomExporter;
use super::machine::Machine;

impl Machine {
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

    /// Starts an object exporter listening on `addr`.
    pub async fn start_exporter(&self, addr: SocketAddr) -> io::Result<DcomExporter> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let port = listener.local_addr()?.port();
        let mut exporter = self.new_exporter(port);
        exporter.listening = Some(exporter.server().serve(listener));
        tracing::info!(port, oxid = %format_args!("{:#x}", exporter.oxid()), "object exporter listening");
        Ok(exporter)
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
}

impl DcomExporter {
    /// Stops the exporter's RPC server: it accepts no more connections,
    /// and those open are closed.
    pub async fn shutdown(self) {
        if let Some(server) = self.listening {
            server.shutdown().await;
        }
    }
}
