//! The tokio layer over [`super::conn`]: ncacn_ip_tcp servers and clients.
//!
//! One task per connection owns the protocol state and the socket. It never
//! blocks on a write: output goes out with `try_write` as far as the socket
//! takes it, and the rest waits for the socket to be writable while reading
//! goes on, so a peer that sends a large request while a large response is
//! going out cannot deadlock the two. Reading pauses only while too much
//! output is queued, which bounds what a peer that never reads can cost.
//! A method that finishes without waiting is answered at once; one that
//! waits runs as a task of its own, so calls on one connection overlap. A
//! panic in a method becomes a fault for that call alone.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::io::AsyncReadExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::Instrument;

use super::conn::{ClientConn, ClientEvent, Limits};
use super::server::{ConnectionLimits, Server};
use super::session::{Outcome, Session, SessionEvent};
use super::{BoxFuture, CallError, Channel, SyntaxId, NDR20};

/// The connections open, in all and by client address.
#[derive(Default)]
struct Open {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// A connection's place under the limits, given back when it drops.
struct Admitted {
    open: Arc<Mutex<Open>>,
    client: IpAddr,
}

fn lock_open(open: &Mutex<Open>) -> std::sync::MutexGuard<'_, Open> {
    open.lock().unwrap_or_else(|e| e.into_inner())
}

impl Admitted {
    fn new(open: &Arc<Mutex<Open>>, limits: ConnectionLimits, client: IpAddr) -> Option<Admitted> {
        let mut o = lock_open(open);
        let mine = o.by_client.get(&client).copied().unwrap_or(0);
        if o.total >= limits.max || mine >= limits.per_client {
            return None;
        }
        o.total += 1;
        o.by_client.insert(client, mine + 1);
        Some(Admitted {
            open: open.clone(),
            client,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut o = lock_open(&self.open);
        o.total = o.total.saturating_sub(1);
        if let Some(n) = o.by_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                o.by_client.remove(&self.client);
            }
        }
    }
}

/// A running server.
pub struct ServerHandle {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Listens on `addr` and serves every connection until
    /// [`ServerHandle::shutdown`].
    pub async fn bind(self, addr: impl ToSocketAddrs) -> io::Result<ServerHandle> {
        let listener = TcpListener::bind(addr).await?;
        Ok(self.serve(listener))
    }

    /// Serves connections accepted from `listener`.
    pub fn serve(self, listener: TcpListener) -> ServerHandle {
        let local_addr = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let (stop, mut stopped) = watch::channel(false);
        let open = Arc::new(Mutex::new(Open::default()));
        let task = tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    a = listener.accept() => a,
                    _ = stopped.changed() => break,
                };
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        continue;
                    }
                };
                let client = super::client_of(peer.ip());
                let Some(admitted) = Admitted::new(&open, self.connections, client) else {
                    tracing::debug!(%peer, "connection refused: too many open");
                    continue;
                };
                let session = self.session(Some(peer), local_addr.port());
                let span = tracing::debug_span!("rpc connection", %peer);
                let stopped = stopped.clone();
                tokio::spawn(serve_connection(stream, session, stopped, admitted).instrument(span));
            }
        });
        ServerHandle {
            local_addr,
            stop,
            task,
        }
    }
}

impl ServerHandle {
    /// The address the server listens on, with the port the system chose
    /// when bound to port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting and closes every connection.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// A connection's read buffer: 1 KiB while the peer sends little, doubled
/// each time a read fills it, up to 64 KiB, so that an idle connection
/// holds little and a busy one reads in large chunks.
struct ReadBuf(Vec<u8>);

impl ReadBuf {
    const FIRST: usize = 1 << 10;
    const MOST: usize = 64 << 10;

    fn new() -> ReadBuf {
        ReadBuf(vec![0; ReadBuf::FIRST])
    }

    fn space(&mut self) -> &mut [u8] {
        &mut self.0
    }

    /// The `n` bytes a read put in; the buffer grows if they filled it.
    fn filled(&mut self, n: usize) -> &[u8] {
        if n == self.0.len() && n < ReadBuf::MOST {
            let mut bigger = vec![0; 2 * n];
            bigger[..n].copy_from_slice(&self.0);
            self.0 = bigger;
        }
        &self.0[..n]
    }
}

/// Output waiting for the socket, written without ever blocking the task.
struct Outbox {
    pending: Vec<u8>,
}

/// Above this much queued output, a connection stops reading.
const HIGH_WATER: usize = 8 << 20;

impl Outbox {
    fn new() -> Outbox {
        Outbox {
            pending: Vec::new(),
        }
    }

    /// Queues `bytes` and writes as much as the socket takes now.
    fn send(&mut self, wr: &OwnedWriteHalf, bytes: Vec<u8>) -> io::Result<()> {
        if self.pending.is_empty() {
            self.pending = bytes;
        } else {
            self.pending.extend_from_slice(&bytes);
        }
        self.flush(wr)
    }

    fn flush(&mut self, wr: &OwnedWriteHalf) -> io::Result<()> {
        let mut done = 0;
        while done < self.pending.len() {
            match wr.try_write(&self.pending[done..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e),
            }
        }
        self.pending.drain(..done);
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    fn may_read(&self) -> bool {
        self.pending.len() < HIGH_WATER
    }
}

/// Serves one connection. Its place under the connection limits is held
/// until it closes and every call it started has finished.
async fn serve_connection(
    stream: TcpStream,
    mut session: Session,
    mut stopped: watch::Receiver<bool>,
    admitted: Admitted,
) {
    let admitted = Arc::new(admitted);
    tracing::debug!("accepted");
    let _ = stream.set_nodelay(true);
    let (mut rd, wr) = stream.into_split();
    let mut out = Outbox::new();
    let (done_tx, mut done) = mpsc::unbounded_channel::<(u32, u16, Outcome)>();
    let mut buf = ReadBuf::new();
    loop {
        while let Some(event) = session.poll() {
            match event {
                SessionEvent::Call(mut work) => {
                    // Most methods finish without waiting on anything: poll
                    // once here and answer at once. Only a method that waits
                    // gets a task of its own, so calls still overlap.
                    match work.future.poll_now() {
                        Some(outcome) => session.complete(work.call_id, work.context_id, outcome),
                        None => {
                            let done = done_tx.clone();
                            let admitted = admitted.clone();
                            tokio::spawn(async move {
                                let outcome = work.future.await;
                                let _ = done.send((work.call_id, work.context_id, outcome));
                                drop(admitted);
                            });
                        }
                    }
                }
                SessionEvent::Close(e) => {
                    tracing::debug!(error = %e, "protocol error");
                    // What the spec says to answer goes out before the close.
                    let _ = out.send(&wr, session.take_output());
                    while !out.is_empty() && wr.writable().await.is_ok() {
                        if out.flush(&wr).is_err() {
                            break;
                        }
                    }
                    return;
                }
            }
        }
        let bytes = session.take_output();
        if !bytes.is_empty() && out.send(&wr, bytes).is_err() {
            return;
        }
        tokio::select! {
            n = rd.read(buf.space()), if out.may_read() => match n {
                Ok(0) | Err(_) => {
                    tracing::debug!("closed by the client");
                    return;
                }
                Ok(n) => session.receive(buf.filled(n)),
            },
            Some((call_id, context_id, outcome)) = done.recv() => {
                session.complete(call_id, context_id, outcome);
            }
            w = wr.writable(), if !out.is_empty() => {
                if w.is_err() || out.flush(&wr).is_err() {
                    return;
                }
            }
            _ = stopped.changed() => return,
        }
    }
}

// ---------------------------------------------------------------- client

struct Pending {
    opnum: u16,
    object: Option<uuid::Uuid>,
    stub: Vec<u8>,
    reply: oneshot::Sender<Result<Vec<u8>, CallError>>,
}

enum Command {
    Call { syntax: SyntaxId, call: Pending },
}

/// An RPC client over one TCP connection. Calls may overlap; each
/// response is matched to its call by call ID. Interfaces are bound on
/// first use (bind, then alter_context).
#[derive(Clone)]
pub struct Client {
    commands: mpsc::UnboundedSender<Command>,
}

impl Client {
    /// Connects to `addr` with the default [`Limits`].
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<Client> {
        Client::connect_with(addr, Limits::default()).await
    }

    /// Connects to `addr`, the connection running under `limits`. A task
    /// of its own runs the connection until it fails or every clone of
    /// the client is dropped.
    pub async fn connect_with(addr: impl ToSocketAddrs, limits: Limits) -> io::Result<Client> {
        Client::connect_from(addr, None, limits).await
    }

    /// Connects to `addr` from the local address `from` (any, if `None`):
    /// on a machine with several addresses, the one servers see.
    pub async fn connect_from(
        addr: impl ToSocketAddrs,
        from: Option<IpAddr>,
        limits: Limits,
    ) -> io::Result<Client> {
        let stream = match from {
            None => TcpStream::connect(addr).await?,
            Some(local) => {
                let mut last = io::Error::new(io::ErrorKind::InvalidInput, "no address");
                let mut connected = None;
                for to in tokio::net::lookup_host(addr).await? {
                    let socket = match to {
                        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
                        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
                    };
                    socket.bind(SocketAddr::new(local, 0))?;
                    match socket.connect(to).await {
                        Ok(s) => {
                            connected = Some(s);
                            break;
                        }
                        Err(e) => last = e,
                    }
                }
                connected.ok_or(last)?
            }
        };
        let _ = stream.set_nodelay(true);
        let (commands, rx) = mpsc::unbounded_channel();
        let span = tracing::debug_span!("rpc client", peer = ?stream.peer_addr().ok());
        tokio::spawn(run_client(stream, limits, rx).instrument(span));
        Ok(Client { commands })
    }
}

impl Channel for Client {
    fn call(
        &self,
        syntax: SyntaxId,
        opnum: u16,
        object: Option<uuid::Uuid>,
        stub: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, CallError>> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            let call = Pending {
                opnum,
                object,
                stub,
                reply,
            };
            self.commands
                .send(Command::Call { syntax, call })
                .map_err(|_| CallError::Closed)?;
            answer.await.map_err(|_| CallError::Closed)?
        })
    }
}

async fn run_client(
    stream: TcpStream,
    limits: Limits,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let (mut rd, wr) = stream.into_split();
    let mut out = Outbox::new();
    let mut conn = ClientConn::new(limits);
    let mut waiting: HashMap<u32, oneshot::Sender<Result<Vec<u8>, CallError>>> = HashMap::new();
    // Calls held until their interface is bound, by the bind's call ID.
    let mut binding: HashMap<u32, (SyntaxId, Vec<Pending>)> = HashMap::new();
    let mut buf = ReadBuf::new();
    let fail_all = |waiting: &mut HashMap<u32, oneshot::Sender<_>>,
                    binding: &mut HashMap<u32, (SyntaxId, Vec<Pending>)>,
                    why: &dyn Fn() -> CallError| {
        for (_, tx) in waiting.drain() {
            let _ = tx.send(Err(why()));
        }
        for (_, (_, calls)) in binding.drain() {
            for c in calls {
                let _ = c.reply.send(Err(why()));
            }
        }
    };
    loop {
        let bytes = conn.take_output();
        if !bytes.is_empty() && out.send(&wr, bytes).is_err() {
            fail_all(&mut waiting, &mut binding, &|| CallError::Closed);
            return;
        }
        tokio::select! {
            w = wr.writable(), if !out.is_empty() => {
                if w.is_err() || out.flush(&wr).is_err() {
                    fail_all(&mut waiting, &mut binding, &|| CallError::Closed);
                    return;
                }
            }
            cmd = commands.recv() => {
                let Some(Command::Call { syntax, call }) = cmd else { return };
                if let Some(ctx) = conn.context(&syntax) {
                    let id = conn.request(ctx, call.opnum, call.object, &call.stub);
                    waiting.insert(id, call.reply);
                } else if let Some((_, calls)) = binding.values_mut().find(|(s, _)| *s == syntax) {
                    calls.push(call);
                } else {
                    let id = conn.bind(syntax, &[NDR20]);
                    binding.insert(id, (syntax, vec![call]));
                }
            }
            n = rd.read(buf.space()), if out.may_read() => {
                let n = match n {
                    Ok(0) | Err(_) => {
                        fail_all(&mut waiting, &mut binding, &|| CallError::Closed);
                        return;
                    }
                    Ok(n) => n,
                };
                conn.receive(buf.filled(n));
                while let Some(event) = conn.poll() {
                    match event {
                        ClientEvent::Bound { call_id, accepted, reason, .. } => {
                            let Some((syntax, calls)) = binding.remove(&call_id) else { continue };
                            for c in calls {
                                match conn.context(&syntax) {
                                    Some(ctx) if accepted => {
                                        let id = conn.request(ctx, c.opnum, c.object, &c.stub);
                                        waiting.insert(id, c.reply);
                                    }
                                    _ => {
                                        let why = format!("context rejected, reason {reason}");
                                        let _ = c.reply.send(Err(CallError::BindRejected(why)));
                                    }
                                }
                            }
                        }
                        ClientEvent::BindRejected { call_id, reason } => {
                            if let Some((_, calls)) = binding.remove(&call_id) {
                                for c in calls {
                                    let why = format!("bind_nak, reason {reason}");
                                    let _ = c.reply.send(Err(CallError::BindRejected(why)));
                                }
                            }
                        }
                        ClientEvent::Response { call_id, stub } => {
                            if let Some(tx) = waiting.remove(&call_id) {
                                let _ = tx.send(Ok(stub));
                            }
                        }
                        ClientEvent::Fault { call_id, status } => {
                            if let Some(tx) = waiting.remove(&call_id) {
                                let _ = tx.send(Err(CallError::Fault(super::Fault::new(status))));
                            }
                        }
                        ClientEvent::Close(e) => {
                            fail_all(&mut waiting, &mut binding, &|| CallError::Protocol(e.clone()));
                            return;
                        }
                    }
                }
            }
        }
    }
}
