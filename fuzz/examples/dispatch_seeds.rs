//! Writes the `dispatch` target's seeds to `corpus/dispatch/`: real
//! conversations with the harness's server (every resolver, activator and
//! IRemUnknown operation, and calls on an object), recorded as the client
//! sent them, with the live identifiers turned back into placeholders.
//! Each seed is replayed into a fresh server and must draw no fault.
//!
//! `cargo run --example dispatch_seeds` from `fuzz/`.

use std::path::Path;
use std::sync::Arc;

use msrpc::com::{IClassFactory, IClassFactoryClient};
use msrpc::dcom::*;
use msrpc::orpc::activation::ActivationProperties;
use msrpc::orpc::objref::TOWER_NCACN_IP_TCP;
use msrpc::uuid::Uuid;
use msrpc::Hresult;
use msrpc_fuzz::{block_on, drive, Harness, Loop, CLSID, IPID_OBJECT, OID, OXID, SETID};

const IID_IUNKNOWN: IID = msrpc::orpc::exporter::IID_IUNKNOWN;

/// A conversation: which server (0 resolver, 1 exporter), and the calls.
type Script = fn(&Harness, &Arc<Loop>);

/// Both the IDL's `HRESULT` (an `i32`) and an `error_status_t` (a `u32`).
fn check(what: &str, hr: impl Into<Hresult>) {
    let hr = hr.into();
    assert_eq!(hr, Hresult::S_OK, "{what} failed: {hr}");
}

fn activation_blob(iids: Vec<IID>) -> Box<MInterfacePointer> {
    let objref = ActivationProperties::request(CLSID, iids)
        .to_objref(false)
        .expect("activation properties");
    Box::new(MInterfacePointer {
        ab_data: objref.to_bytes(),
    })
}

fn alive(_: &Harness, c: &Arc<Loop>) {
    let r = IObjectExporterClient::new(c.clone());
    check(
        "ServerAlive",
        block_on(r.server_alive()).unwrap().return_value,
    );
    check(
        "ServerAlive2",
        block_on(r.server_alive2()).unwrap().return_value,
    );
}

fn resolve(h: &Harness, c: &Arc<Loop>) {
    let oxid = u64::from_le_bytes(h.to_live(&OXID.to_le_bytes()).try_into().unwrap());
    let r = IObjectExporterClient::new(c.clone());
    let a = block_on(r.resolve_oxid(oxid, vec![TOWER_NCACN_IP_TCP])).unwrap();
    check("ResolveOxid", a.return_value);
    let b = block_on(r.resolve_oxid2(oxid, vec![TOWER_NCACN_IP_TCP])).unwrap();
    check("ResolveOxid2", b.return_value);
}

fn ping(h: &Harness, c: &Arc<Loop>) {
    let live = |v: u64| u64::from_le_bytes(h.to_live(&v.to_le_bytes()).try_into().unwrap());
    let r = IObjectExporterClient::new(c.clone());
    let (oid, setid) = (live(OID), live(SETID));
    check(
        "SimplePing",
        block_on(r.simple_ping(setid)).unwrap().return_value,
    );
    // A new set (whose SETID is the server's to pick), then the live one.
    let p = block_on(r.complex_ping(0, 0, Some(vec![oid]), None)).unwrap();
    check("ComplexPing", p.return_value);
    let p = block_on(r.complex_ping(setid, 1, None, Some(vec![oid]))).unwrap();
    check("ComplexPing", p.return_value);
    let p = block_on(r.complex_ping(setid, 2, Some(vec![oid]), None)).unwrap();
    check("ComplexPing", p.return_value);
}

fn create(_: &Harness, c: &Arc<Loop>) {
    let scm = IRemoteSCMActivatorClient::new(c.clone());
    let blob = activation_blob(vec![IClassFactory::IID, IID_IUNKNOWN]);
    let r = block_on(scm.remote_create_instance(c.orpcthis(), None, Some(blob))).unwrap();
    check("RemoteCreateInstance", r.return_value);
    let blob = activation_blob(vec![IClassFactory::IID]);
    let r = block_on(scm.remote_get_class_object(c.orpcthis(), Some(blob))).unwrap();
    check("RemoteGetClassObject", r.return_value);
}

fn activate(_: &Harness, c: &Arc<Loop>) {
    let a = IActivationClient::new(c.clone());
    for mode in [0, u32::MAX] {
        let r = block_on(a.remote_activation(
            c.orpcthis(),
            CLSID,
            None,
            None,
            2,
            mode,
            1,
            Some(vec![IClassFactory::IID]),
            vec![TOWER_NCACN_IP_TCP],
        ))
        .unwrap();
        check("RemoteActivation", r.return_value);
        check("RemoteActivation hr", r.phr);
    }
}

fn rem_unknown(h: &Harness, c: &Arc<Loop>) {
    let ipid = Uuid::from_bytes_le(h.to_live(&IPID_OBJECT.to_bytes_le()).try_into().unwrap());
    let rem = IRemUnknown2Client::with_object(c.clone(), h.exporter.ipid_rem_unknown());
    let iids = vec![IID_IUNKNOWN, IClassFactory::IID];
    let q = block_on(rem.rem_query_interface(ipid, 2, 2, iids.clone())).unwrap();
    check("RemQueryInterface", q.return_value);
    let refs = vec![REMINTERFACEREF {
        ipid,
        c_public_refs: 3,
        c_private_refs: 0,
    }];
    let a = block_on(rem.rem_add_ref(1, refs.clone())).unwrap();
    check("RemAddRef", a.return_value);
    let q2 = block_on(rem.rem_query_interface2(ipid, 2, iids)).unwrap();
    check("RemQueryInterface2", q2.return_value);
    let r = block_on(rem.rem_release(refs)).unwrap();
    check("RemRelease", r.return_value);
}

fn object(h: &Harness, c: &Arc<Loop>) {
    let ipid = Uuid::from_bytes_le(h.to_live(&IPID_OBJECT.to_bytes_le()).try_into().unwrap());
    let f = IClassFactoryClient::with_object(c.clone(), ipid);
    let r = block_on(f.remote_create_instance(IClassFactory::IID)).unwrap();
    check("IClassFactory::CreateInstance", r.return_value);
    let r = block_on(f.remote_lock_server(1)).unwrap();
    check("IClassFactory::LockServer", r.return_value);
}

fn everything(h: &Harness, c: &Arc<Loop>) {
    rem_unknown(h, c);
    object(h, c);
    rem_unknown(h, c);
}

/// Counts the response and fault PDUs in a server's output.
fn answers(out: &[u8]) -> (usize, usize) {
    let (mut responses, mut faults) = (0, 0);
    let mut at = 0;
    while at + 10 <= out.len() {
        match out[at + 2] {
            2 => responses += 1,
            3 => faults += 1,
            _ => {}
        }
        let len = usize::from(u16::from_le_bytes([out[at + 8], out[at + 9]]));
        at += len.max(16);
    }
    (responses, faults)
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/dispatch");
    std::fs::create_dir_all(&dir).expect("corpus dir");
    let scripts: [(&str, u8, Script); 7] = [
        ("alive", 0, alive),
        ("resolve", 0, resolve),
        ("ping", 0, ping),
        ("create", 0, create),
        ("activate", 0, activate),
        ("rem_unknown", 1, rem_unknown),
        ("object", 1, object),
    ];
    let all: [(&str, u8, Script); 1] = [("everything", 1, everything)];
    for (name, server, script) in scripts.into_iter().chain(all) {
        let h = Harness::new();
        let c = Arc::new(Loop::new(if server == 0 {
            &h.resolver
        } else {
            &h.exporter_server
        }));
        script(&h, &c);
        // Whole-stream seeds, and the same cut into 17-byte chunks.
        for ctl in [server, server | (1 << 1)] {
            let mut seed = vec![ctl];
            seed.extend(h.to_placeholders(&c.sent()));
            replay(&seed);
            std::fs::write(dir.join(format!("{name}-{ctl}")), &seed).expect("write seed");
        }
        println!("{name}: {} bytes", c.sent().len());
    }
}

/// Feeds a seed into a fresh server, as the target does: no fault may come.
fn replay(seed: &[u8]) {
    let h = Harness::new();
    let server = if seed[0] & 1 == 0 {
        &h.resolver
    } else {
        &h.exporter_server
    };
    let mut session = server.session(None, 135);
    let mut out = Vec::new();
    for part in h
        .to_live(&seed[1..])
        .chunks(usize::from(seed[0] >> 1) * 16 + 1)
    {
        session.receive(part);
        assert!(drive(&mut session), "the session closed");
        out.extend(session.take_output());
    }
    let (responses, faults) = answers(&out);
    assert!(
        responses > 0 && faults == 0,
        "{responses} responses, {faults} faults"
    );
}
