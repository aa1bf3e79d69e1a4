//! The harness of the `dispatch` target: a DCOM server with no sockets (a
//! machine's resolver and activator, one exporter, a class, one live
//! object and one ping set), and an in-memory channel that drives it.
//!
//! The server's identifiers are random, so a byte stream cannot name them
//! in advance. Seeds carry fixed placeholders instead, which [`Harness`]
//! replaces with the live values before the bytes go in.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use msrpc::com::i_class_factory::{RemoteCreateInstanceResponse, RemoteLockServerResponse};
use msrpc::com::{IClassFactory, IClassFactoryServer, IClassFactoryStub};
use msrpc::dcom::{IObjectExporterClient, ORPCTHAT};
use msrpc::orpc::{CallContext, DcomExporter, Machine, MachineConfig, Marshaler, ObjRef, Object};
use msrpc::rpc::conn::{ClientConn, ClientEvent, Limits};
use msrpc::rpc::{
    BoxFuture, CallError, Channel, Fault, Server, Session, SessionEvent, SyntaxId, NDR20,
};
use msrpc::uuid::{uuid, Uuid};

/// The class the harness registers: its objects are IClassFactory objects
/// whose CreateInstance marshals another such object.
pub const CLSID: Uuid = uuid!("0b1ec7ee-c1a5-4000-8000-000000000001");
/// Stands for the live object's IPID.
pub const IPID_OBJECT: Uuid = uuid!("0b1ec7ee-1b1d-4000-8000-00000000000b");
/// Stands for the exporter's IRemUnknown IPID.
pub const IPID_REM_UNKNOWN: Uuid = uuid!("0b1ec7ee-1b1d-4000-8000-0000000000e0");
/// Stands for the exporter's OXID.
pub const OXID: u64 = 0x0b1e_c7ee_0000_0001;
/// Stands for the live object's OID.
pub const OID: u64 = 0x0b1e_c7ee_0000_0002;
/// Stands for the live ping set's SETID.
pub const SETID: u64 = 0x0b1e_c7ee_0000_0003;

/// The port the exporter's bindings name.
pub const EXPORTER_PORT: u16 = 4135;

struct Factory(Marshaler);

impl IClassFactoryServer for Factory {
    async fn remote_create_instance(
        &self,
        _: &CallContext,
        riid: Uuid,
    ) -> Result<RemoteCreateInstanceResponse, Fault> {
        let object = Object::new().with(IClassFactoryStub::new(Factory(self.0.clone())));
        let (ppv_object, hr) = match self.0.marshal(object, riid) {
            Ok(m) => (Some(Box::new(m)), 0),
            Err(hr) => (None, hr.into()),
        };
        Ok(RemoteCreateInstanceResponse {
            orpcthat: ORPCTHAT::default(),
            ppv_object,
            return_value: hr,
        })
    }

    async fn remote_lock_server(
        &self,
        _: &CallContext,
        _: i32,
    ) -> Result<RemoteLockServerResponse, Fault> {
        Ok(RemoteLockServerResponse::default())
    }
}

/// A fresh server, one per input, so that a finding replays alone.
pub struct Harness {
    pub machine: Machine,
    pub exporter: DcomExporter,
    pub resolver: Server,
    pub exporter_server: Server,
    /// Placeholder bytes and the live bytes they stand for.
    swaps: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Harness {
    pub fn new() -> Harness {
        let start = Instant::now();
        let config = MachineConfig {
            clock: Arc::new(move || start),
            ..MachineConfig::new("fuzz")
        };
        let machine = Machine::new(config);
        let exporter = machine.new_exporter(EXPORTER_PORT);
        let marshaler = exporter.marshaler();
        let make = marshaler.clone();
        exporter.register_class(
            CLSID,
            Arc::new(move || Object::new().with(IClassFactoryStub::new(Factory(make.clone())))),
        );
        let object = Object::new().with(IClassFactoryStub::new(Factory(marshaler.clone())));
        let mip = marshaler
            .marshal(object, IClassFactory::IID)
            .expect("the harness's object marshals");
        let objref = ObjRef::from_bytes(&mip.ab_data).expect("its OBJREF parses");
        let std = objref.std().expect("a standard OBJREF").clone();
        let resolver = machine.resolver_server();
        let exporter_server = exporter.server();
        let setid = {
            let pinger = IObjectExporterClient::new(Loop::new(&resolver));
            let r = block_on(pinger.complex_ping(0, 0, Some(vec![std.oid]), None))
                .expect("the harness's ComplexPing");
            r.p_set_id
        };
        let swaps = vec![
            (guid(IPID_OBJECT), guid(std.ipid)),
            (guid(IPID_REM_UNKNOWN), guid(exporter.ipid_rem_unknown())),
            (OXID.to_le_bytes().to_vec(), std.oxid.to_le_bytes().to_vec()),
            (OID.to_le_bytes().to_vec(), std.oid.to_le_bytes().to_vec()),
            (SETID.to_le_bytes().to_vec(), setid.to_le_bytes().to_vec()),
        ];
        Harness {
            machine,
            exporter,
            resolver,
            exporter_server,
            swaps,
        }
    }

    /// `bytes` with every placeholder replaced by the live value.
    pub fn to_live(&self, bytes: &[u8]) -> Vec<u8> {
        self.swaps
            .iter()
            .fold(bytes.to_vec(), |b, (from, to)| replace(&b, from, to))
    }

    /// `bytes` with every live value replaced by its placeholder.
    pub fn to_placeholders(&self, bytes: &[u8]) -> Vec<u8> {
        self.swaps
            .iter()
            .fold(bytes.to_vec(), |b, (from, to)| replace(&b, to, from))
    }
}

impl Default for Harness {
    fn default() -> Harness {
        Harness::new()
    }
}

/// A GUID as NDR writes it.
fn guid(u: Uuid) -> Vec<u8> {
    u.to_bytes_le().to_vec()
}

fn replace(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        // The first byte first: a comparison at every offset would cost the
        // fuzzer more than the server it drives.
        if hay[i] == from[0] && hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

/// Runs what a session has to do: each call's future polled once (every
/// method of this server finishes without waiting), its outcome handed
/// back. Returns false once the session closes.
pub fn drive(session: &mut Session) -> bool {
    while let Some(event) = session.poll() {
        match event {
            SessionEvent::Call(mut work) => {
                let outcome = work.future.poll_now().expect("no method here waits");
                session.complete(work.call_id, work.context_id, outcome);
            }
            SessionEvent::Close(_) => return false,
        }
    }
    true
}

/// Runs a future that never waits: the in-memory channel answers at once.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => panic!("a call through the loop channel waited"),
    }
}

/// A channel to a server in memory: a client connection and a session,
/// with every byte the client sends recorded.
pub struct Loop {
    inner: Mutex<LoopInner>,
}

struct LoopInner {
    client: ClientConn,
    session: Session,
    sent: Vec<u8>,
}

impl Loop {
    pub fn new(server: &Server) -> Loop {
        Loop {
            inner: Mutex::new(LoopInner {
                client: ClientConn::new(Limits::default()),
                session: server.session(None, 135),
                sent: Vec::new(),
            }),
        }
    }

    /// Every byte the client sent so far.
    pub fn sent(&self) -> Vec<u8> {
        self.inner
            .lock()
            .map(|i| i.sent.clone())
            .unwrap_or_default()
    }
}

impl LoopInner {
    /// Moves bytes both ways until neither side has more to say.
    fn pump(&mut self) {
        loop {
            let out = self.client.take_output();
            if !out.is_empty() {
                self.sent.extend_from_slice(&out);
                self.session.receive(&out);
            }
            drive(&mut self.session);
            let back = self.session.take_output();
            if back.is_empty() && out.is_empty() {
                return;
            }
            self.client.receive(&back);
        }
    }

    fn wait(&mut self, call_id: u32) -> Result<Vec<u8>, CallError> {
        self.pump();
        while let Some(event) = self.client.poll() {
            match event {
                ClientEvent::Response { call_id: id, stub } if id == call_id => return Ok(stub),
                ClientEvent::Fault {
                    call_id: id,
                    status,
                } if id == call_id => return Err(CallError::Fault(Fault::new(status))),
                ClientEvent::Close(e) => return Err(CallError::Protocol(e)),
                _ => {}
            }
        }
        Err(CallError::Closed)
    }
}

/// The causality ID every call through a [`Loop`] carries, so that
/// recorded seeds come out the same.
const CID: Uuid = uuid!("0b1ec7ee-cccc-4000-8000-000000000001");

/// Where ORPCTHIS's `cid` sits in a request's stub data: after its
/// COMVERSION, `flags` and `reserved1`.
const CID_AT: std::ops::Range<usize> = 12..28;

impl Loop {
    /// An ORPCTHIS with the fixed causality ID, for the methods that take
    /// one as a parameter (IRemoteSCMActivator's, IActivation's).
    pub fn orpcthis(&self) -> msrpc::dcom::ORPCTHIS {
        msrpc::dcom::ORPCTHIS {
            cid: CID,
            ..msrpc::orpc::orpcthis()
        }
    }
}

impl Channel for Loop {
    fn call(
        &self,
        syntax: SyntaxId,
        opnum: u16,
        object: Option<Uuid>,
        mut stub: Vec<u8>,
    ) -> BoxFuture<'_, Result<Vec<u8>, CallError>> {
        // A call on an IPID is an ORPC call, whose generated proxy starts
        // the request with a fresh ORPCTHIS: its causality ID is fixed
        // here, as the recorded seeds need.
        if object.is_some() {
            if let Some(cid) = stub.get_mut(CID_AT) {
                cid.copy_from_slice(&CID.to_bytes_le());
            }
        }
        let result = (|| {
            let mut inner = self.inner.lock().map_err(|_| CallError::Closed)?;
            if inner.client.context(&syntax).is_none() {
                let id = inner.client.bind(syntax, &[NDR20]);
                inner.pump();
                while let Some(event) = inner.client.poll() {
                    if let ClientEvent::BindRejected { call_id, reason } = event {
                        if call_id == id {
                            return Err(CallError::BindRejected(format!("reason {reason}")));
                        }
                    }
                }
            }
            let ctx = inner
                .client
                .context(&syntax)
                .ok_or_else(|| CallError::BindRejected("context rejected".into()))?;
            let id = inner.client.request(ctx, opnum, object, &stub);
            inner.wait(id)
        })();
        Box::pin(async move { result })
    }
}
