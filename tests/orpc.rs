//! DCOM end to end: our client against our server over loopback, with
//! the calculator of examples/. Activation, calls, QueryInterface,
//! reference counting, reclamation under a hand-moved clock, the KB
//! Q165309 sequence, and hostile input at the ORPC level.

#[path = "../examples/calculator/mod.rs"]
mod calculator;

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod orpc_test {
    include!(concat!(env!("OUT_DIR"), "/orpc_test.rs"));
}

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use calculator::idl::{ICalculatorClient, IStatisticsClient};
use msrpc::dcom::*;
use msrpc::ndr::WString;
use msrpc::orpc::activation::{ActivationProperties, Property};
use msrpc::orpc::objref::RPC_C_AUTHN_WINNT;
use msrpc::orpc::{
    ComPtr, DcomClient, DcomExporter, Machine, MachineConfig, ObjRef, SecurityBinding,
};
use msrpc::rpc::{CallError, Channel, Client};
use msrpc::Hresult;

type Calc = ComPtr<ICalculatorClient<Client>>;

/// A clock the test moves by hand.
#[derive(Clone)]
struct ManualClock(Arc<Mutex<Instant>>);

impl ManualClock {
    fn new() -> ManualClock {
        ManualClock(Arc::new(Mutex::new(Instant::now())))
    }
    fn advance(&self, d: Duration) {
        *self.0.lock().expect("clock") += d;
    }
}

const PERIOD: Duration = Duration::from_secs(120);

struct Setup {
    machine: Machine,
    exporter: DcomExporter,
    client: DcomClient,
    clock: ManualClock,
    resolver: std::net::SocketAddr,
}

async fn setup() -> Setup {
    let clock = ManualClock::new();
    let c = clock.clone();
    let mut config = MachineConfig::new("127.0.0.1");
    config.ping_period = PERIOD;
    config.clock = Arc::new(move || *c.0.lock().expect("clock"));
    let machine = Machine::new(config);
    let resolver = machine
        .start_resolver("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("resolver");
    let exporter = machine
        .start_exporter("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("exporter");
    exporter.register_class(calculator::CLSID_CALCULATOR, calculator::factory());
    let client = DcomClient::connect(resolver).await.expect("client");
    Setup {
        machine,
        exporter,
        client,
        clock,
        resolver,
    }
}

async fn calculator(s: &Setup) -> Calc {
    s.client
        .create_instance(calculator::CLSID_CALCULATOR)
        .await
        .expect("activates")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activation_calls_and_query_interface() {
    let s = setup().await;
    let calc = calculator(&s).await;
    assert_eq!(calc.add(2, 3).await.expect("Add").sum, 5);
    let joined = calc
        .concat(WString::from("ms"), WString::from("rpc"))
        .await
        .expect("Concat")
        .joined;
    assert_eq!(joined, Some(WString::from("msrpc")));
    assert_eq!(calc.sum(vec![1, 2, 3, -7]).await.expect("Sum").total, -1);
    let stats: ComPtr<IStatisticsClient<Client>> = calc.query().await.expect("QI");
    assert_eq!(stats.oid(), calc.oid(), "one object, two interfaces");
    assert_eq!(stats.count().await.expect("Count").calls, 3);
    assert_eq!(s.exporter.objects(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_every_proxy_releases_the_object() {
    let s = setup().await;
    let calc = calculator(&s).await;
    let stats: ComPtr<IStatisticsClient<Client>> = calc.query().await.expect("QI");
    drop(calc);
    s.client.flush_releases().await;
    assert_eq!(s.exporter.objects(), 1, "IStatistics still holds it");
    assert_eq!(stats.count().await.expect("still callable").calls, 0);
    drop(stats);
    s.client.flush_releases().await;
    assert_eq!(s.exporter.objects(), 0);
}

/// IRemUnknown of the calculator's exporter, called directly.
async fn rem_unknown(s: &Setup) -> IRemUnknownClient<Client> {
    let client = Client::connect(s.exporter.local_addr())
        .await
        .expect("connect");
    IRemUnknownClient::with_object(client, s.exporter.ipid_rem_unknown())
}

fn iref(ipid: uuid::Uuid, public: u32) -> REMINTERFACEREF {
    REMINTERFACEREF {
        ipid,
        c_public_refs: public,
        c_private_refs: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_ref_and_release_count_and_releasing_too_much_is_clamped() {
    let s = setup().await;
    let calc = calculator(&s).await;
    let rem = rem_unknown(&s).await;
    let r = rem
        .rem_add_ref(1, vec![iref(calc.ipid(), 2)])
        .await
        .expect("RemAddRef");
    assert_eq!((r.return_value, r.p_results), (0, vec![0]));
    // The proxy holds 5, RemAddRef added 2: releasing 6 leaves the object.
    rem.rem_release(vec![iref(calc.ipid(), 6)])
        .await
        .expect("RemRelease");
    assert_eq!(calc.add(1, 1).await.expect("alive").sum, 2);
    // Releasing far more than is held clamps at zero and releases it.
    let r = rem
        .rem_release(vec![iref(calc.ipid(), 1000)])
        .await
        .expect("RemRelease");
    assert_eq!(r.return_value, 0);
    assert_eq!(s.exporter.objects(), 0, "nothing leaked");
    match calc.add(1, 1).await {
        Err(CallError::Fault(f)) => assert_eq!(f.hresult(), Hresult::RPC_E_DISCONNECTED),
        r => panic!("expected RPC_E_DISCONNECTED, got {r:?}"),
    }
    // An unknown IPID in RemAddRef is CO_E_OBJNOTREG.
    let r = rem
        .rem_add_ref(1, vec![iref(uuid::Uuid::from_u128(1), 1)])
        .await
        .expect("RemAddRef");
    assert_eq!(r.p_results, vec![i32::from(Hresult::CO_E_OBJNOTREG)]);
    assert_eq!(r.return_value, i32::from(Hresult::E_INVALIDARG));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_object_nobody_pings_is_reclaimed_after_three_periods_and_a_pinged_one_stays() {
    let s = setup().await;
    let pinged = calculator(&s).await;
    // A second client holds an object and never pings it.
    let silent = DcomClient::connect(s.resolver).await.expect("client");
    let lonely: Calc = silent
        .create_instance(calculator::CLSID_CALCULATOR)
        .await
        .expect("activates");
    for _ in 0..3 {
        s.clock.advance(PERIOD);
        s.client.ping().await.expect("ping");
        assert_eq!(s.machine.tick(), 0, "within three periods nothing goes");
    }
    s.clock.advance(Duration::from_secs(1));
    s.client.ping().await.expect("ping");
    assert_eq!(s.machine.tick(), 1, "the unpinged object goes");
    match lonely.add(1, 2).await {
        Err(CallError::Fault(f)) => assert_eq!(f.hresult(), Hresult::RPC_E_DISCONNECTED),
        r => panic!("expected RPC_E_DISCONNECTED, got {r:?}"),
    }
    assert_eq!(pinged.add(1, 2).await.expect("pinged stays").sum, 3);
    // Once its pings stop, the other goes too, three periods later.
    s.clock.advance(PERIOD * 3 + Duration::from_secs(1));
    assert_eq!(s.machine.tick(), 1);
    assert_eq!(s.exporter.objects(), 0);
}

// ---------------------------------------------------------------- Q165309

fn ntlm() -> SecurityBinding {
    SecurityBinding {
        authn_svc: RPC_C_AUTHN_WINNT,
        princ_name: Some(String::new()),
    }
}

/// The security bindings a DUALSTRINGARRAY advertises.
fn security(d: &DUALSTRINGARRAY) -> Vec<SecurityBinding> {
    d.security_bindings().expect("parses")
}

/// The resolver's bindings, as ServerAlive2 answers them.
async fn server_alive2(resolver: std::net::SocketAddr) -> DUALSTRINGARRAY {
    let c = IObjectExporterClient::new(Client::connect(resolver).await.expect("connect"));
    let r = c.server_alive2().await.expect("ServerAlive2");
    assert_eq!(
        (r.p_com_version.major_version, r.p_com_version.minor_version),
        (5, 7)
    );
    *r.ppdsa_or_bindings.expect("bindings")
}

/// KB Q165309: client A initializes security, then client B starts the
/// resolver and makes a call; A's call that relies on the advertised
/// security information must then succeed. The resolver reads the
/// machine's one source when it answers, so A's settings are there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn q165309_security_set_before_the_resolver_started_is_advertised() {
    let machine = Machine::new(MachineConfig::new("127.0.0.1"));
    // Client A initializes: its security, no resolver yet.
    machine.initialize_security(&[ntlm()]);
    // Client B starts the resolver (finding none running) and calls it.
    let addr = "127.0.0.1:0".parse().expect("addr");
    let resolver = machine.start_resolver(addr).await.expect("B starts it");
    let seen_by_b = server_alive2(resolver).await;
    // A's call: it needs its security binding in what the resolver and
    // the exporter advertise.
    let again = machine
        .start_resolver(addr)
        .await
        .expect("A finds it running");
    assert_eq!(again, resolver, "one resolver");
    let exporter = machine.start_exporter(addr).await.expect("A's exporter");
    exporter.register_class(calculator::CLSID_CALCULATOR, calculator::factory());
    let seen_by_a = server_alive2(resolver).await;
    assert_eq!(security(&seen_by_b), vec![ntlm()]);
    assert_eq!(security(&seen_by_a), vec![ntlm()]);
    assert_eq!(security(&exporter.bindings()), vec![ntlm()]);
    // And the OBJREF A's activation hands out carries it too.
    let client = DcomClient::connect(resolver).await.expect("client");
    let calc: Calc = client
        .create_instance(calculator::CLSID_CALCULATOR)
        .await
        .expect("A's activation succeeds");
    assert_eq!(calc.add(40, 2).await.expect("call").sum, 42);
}

/// The reverse order: the resolver runs first, a process initializes its
/// security afterwards; what is advertised from then on includes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_set_after_the_resolver_started_is_advertised_too() {
    let machine = Machine::new(MachineConfig::new("127.0.0.1"));
    let resolver = machine
        .start_resolver("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("resolver");
    assert!(security(&server_alive2(resolver).await).is_empty());
    machine.initialize_security(&[ntlm()]);
    assert_eq!(security(&server_alive2(resolver).await), vec![ntlm()]);
}

/// Two exporters initialize at once, each with its own security setting,
/// each starting the resolver: one resolver runs, and every binding
/// either hands out carries both settings.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_exporters_initializing_concurrently_share_one_resolver_and_one_truth() {
    let machine = Machine::new(MachineConfig::new("127.0.0.1"));
    let addr: std::net::SocketAddr = "127.0.0.1:0".parse().expect("addr");
    let kerberos = SecurityBinding {
        authn_svc: 0x10,
        princ_name: Some("host/server".into()),
    };
    let init = |sec: SecurityBinding| {
        let m = machine.clone();
        tokio::spawn(async move {
            m.initialize_security(&[sec]);
            let r = m.start_resolver(addr).await.expect("resolver");
            let e = m.start_exporter(addr).await.expect("exporter");
            (r, e)
        })
    };
    let (a, b) = tokio::join!(init(ntlm()), init(kerberos.clone()));
    let ((ra, ea), (rb, eb)) = (a.expect("a"), b.expect("b"));
    assert_eq!(ra, rb, "the resolver started once");
    let mut want = vec![ntlm(), kerberos];
    want.sort_by_key(|s| s.authn_svc);
    for mut got in [
        security(&ea.bindings()),
        security(&eb.bindings()),
        security(&server_alive2(ra).await),
    ] {
        got.sort_by_key(|s| s.authn_svc);
        assert_eq!(got, want);
    }
}

// ------------------------------------------------------- hostile ORPC input

async fn scm(s: &Setup) -> IRemoteSCMActivatorClient<Client> {
    let c = Client::connect(s.resolver).await.expect("connect");
    IRemoteSCMActivatorClient::new(c)
}

fn instantiation(clsid: uuid::Uuid) -> ActivationProperties {
    ActivationProperties {
        dest_ctx: 2,
        properties: vec![Property::Instantiation(InstantiationInfoData {
            class_id: clsid,
            p_iid: Some(vec![calculator::idl::ICalculator::IID]),
            ..Default::default()
        })],
    }
}

async fn create(s: &Setup, bytes: Vec<u8>) -> i32 {
    let scm = scm(s).await;
    let r = scm
        .remote_create_instance(
            msrpc::orpc::orpcthis(),
            None,
            Some(Box::new(MInterfacePointer { ab_data: bytes })),
        )
        .await
        .expect("an answer, not a fault");
    assert!(r.pp_act_properties.is_none() || r.return_value == 0);
    r.return_value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_activation_requests_get_clean_errors_and_leak_nothing() {
    let s = setup().await;
    let good = instantiation(calculator::CLSID_CALCULATOR)
        .to_objref(false)
        .expect("objref")
        .to_bytes();
    let invalid = i32::from(Hresult::RPC_E_INVALID_OBJREF);
    // A bogus OBJREF signature.
    let mut bogus = good.clone();
    bogus[..4].copy_from_slice(b"WOEM");
    assert_eq!(create(&s, bogus).await, invalid);
    // A truncated BLOB, at every length.
    for n in [0, 10, 30, 60, good.len() - 9, good.len() - 1] {
        assert_eq!(create(&s, good[..n].to_vec()).await, invalid, "{n} bytes");
    }
    // A CustomHeader whose sizes disagree with the BLOB.
    let ObjRef::Custom {
        iid,
        clsid,
        mut data,
    } = ObjRef::from_bytes(&good).expect("parses")
    else {
        panic!("custom")
    };
    let header_size_at = 8 + 16 + 4; // dwSize, dwReserved, TS1 headers, totalSize
    data[header_size_at..header_size_at + 4].copy_from_slice(&0xffffu32.to_le_bytes());
    let bad_size = ObjRef::Custom { iid, clsid, data }.to_bytes();
    assert_eq!(create(&s, bad_size).await, invalid);
    // An unknown CLSID.
    let unknown = instantiation(uuid::Uuid::from_u128(0xbad))
        .to_objref(false)
        .expect("objref")
        .to_bytes();
    assert_eq!(
        create(&s, unknown).await,
        i32::from(Hresult::REGDB_E_CLASSNOTREG)
    );
    // Nothing was created by any of them; the good request still works.
    assert_eq!(s.exporter.objects(), 0);
    assert_eq!(create(&s, good).await, 0);
    assert_eq!(s.exporter.objects(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_on_an_unknown_ipid_fault_with_rpc_e_disconnected() {
    let s = setup().await;
    let c = Client::connect(s.exporter.local_addr())
        .await
        .expect("connect");
    let calc = ICalculatorClient::with_object(c, uuid::Uuid::from_u128(0xdead));
    match calc.add(1, 2).await {
        Err(CallError::Fault(f)) => assert_eq!(f.hresult(), Hresult::RPC_E_DISCONNECTED),
        r => panic!("expected RPC_E_DISCONNECTED, got {r:?}"),
    }
    // An ORPCTHIS from a future COM major version is refused.
    let good = calculator(&s).await;
    let mut this = msrpc::orpc::orpcthis();
    this.version.major_version = 6;
    let stub = msrpc::ndr::to_bytes(&calculator::idl::i_calculator::AddRequest {
        orpcthis: this,
        a: 1,
        b: 2,
    });
    let raw = Client::connect(s.exporter.local_addr())
        .await
        .expect("connect");
    let r = raw
        .call(
            calculator::idl::ICalculator::SYNTAX,
            3,
            Some(good.ipid()),
            stub,
        )
        .await;
    match r {
        Err(CallError::Fault(f)) => assert_eq!(f.hresult(), Hresult::RPC_E_VERSION_MISMATCH),
        r => panic!("expected RPC_E_VERSION_MISMATCH, got {r:?}"),
    }
    // ORPCTHIS flags other than 0 are refused (MS-DCOM 3.1.1.5.4).
    let mut this = msrpc::orpc::orpcthis();
    this.flags = 1;
    let stub = msrpc::ndr::to_bytes(&calculator::idl::i_calculator::AddRequest {
        orpcthis: this,
        a: 1,
        b: 2,
    });
    let r = raw
        .call(
            calculator::idl::ICalculator::SYNTAX,
            3,
            Some(good.ipid()),
            stub,
        )
        .await;
    match r {
        Err(CallError::Fault(f)) => assert_eq!(f.hresult(), Hresult::RPC_E_INVALID_HEADER),
        r => panic!("expected RPC_E_INVALID_HEADER, got {r:?}"),
    }
    // A stub too short for ORPCTHIS's head is undecodable.
    let r = raw
        .call(
            calculator::idl::ICalculator::SYNTAX,
            3,
            Some(good.ipid()),
            vec![5, 0],
        )
        .await;
    match r {
        Err(CallError::Fault(f)) => assert_eq!(f.status, msrpc::rpc::status::NCA_S_FAULT_NDR),
        r => panic!("expected nca_s_fault_ndr, got {r:?}"),
    }
    // RemQueryInterface on an unknown IPID.
    let rem = rem_unknown(&s).await;
    let r = rem
        .rem_query_interface(uuid::Uuid::from_u128(5), 1, 1, vec![uuid::Uuid::nil()])
        .await
        .expect("answers");
    assert_eq!(r.return_value, i32::from(Hresult::RPC_E_INVALID_OBJECT));
}

// ------------------------------------------------- interface pointers

/// IFactory: Make returns a new calculator `[out]`; Inspect takes one `[in]`
/// and calls it in the server's own process.
struct FactoryImpl(msrpc::orpc::Marshaler);

impl orpc_test::IFactoryServer for FactoryImpl {
    async fn make(
        &self,
        _: &msrpc::orpc::CallContext,
        riid: GUID,
    ) -> Result<orpc_test::i_factory::MakeResponse, msrpc::rpc::Fault> {
        let made = self.0.marshal((calculator::factory())(), riid);
        Ok(match made {
            Ok(m) => orpc_test::i_factory::MakeResponse {
                object: Some(Box::new(m)),
                ..Default::default()
            },
            // The failure carries its description (MS-DCOM 2.2.21.1).
            Err(hr) => orpc_test::i_factory::MakeResponse {
                orpcthat: msrpc::orpc::ErrorInfo {
                    iid: orpc_test::IFactory::IID,
                    source: Some("IFactory::Make".into()),
                    description: Some(format!("a calculator does not implement {riid}")),
                    ..Default::default()
                }
                .into_orpcthat(),
                return_value: hr.into(),
                ..Default::default()
            },
        })
    }

    async fn inspect(
        &self,
        ctx: &msrpc::orpc::CallContext,
        object: Option<Box<MInterfacePointer>>,
    ) -> Result<orpc_test::i_factory::InspectResponse, msrpc::rpc::Fault> {
        use calculator::idl::i_calculator::{AddRequest, AddResponse};
        let fail = |hr: Hresult| orpc_test::i_factory::InspectResponse {
            return_value: hr.into(),
            ..Default::default()
        };
        let Some(m) = object else {
            return Ok(fail(Hresult::E_INVALIDARG));
        };
        let (obj, _) = match self.0.unmarshal(&m) {
            Ok(o) => o,
            Err(hr) => return Ok(fail(hr)),
        };
        let Some(stub) = obj.stub(&calculator::idl::ICalculator::IID) else {
            return Ok(fail(Hresult::E_NOINTERFACE));
        };
        let request = AddRequest {
            orpcthis: ctx.orpcthis.clone(),
            a: 20,
            b: 22,
        };
        let mut call = ctx.rpc.clone();
        call.opnum = 3; // ICalculator::Add
        let reply = stub.dispatch(call, msrpc::ndr::to_bytes(&request)).await?;
        let reply: AddResponse =
            msrpc::ndr::from_bytes(&reply).map_err(msrpc::rpc::Fault::from_ndr)?;
        Ok(orpc_test::i_factory::InspectResponse {
            sum: reply.sum,
            ..Default::default()
        })
    }
}

const CLSID_FACTORY: uuid::Uuid = uuid::Uuid::from_u128(0xfac7);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interface_pointers_travel_out_and_in() {
    let s = setup().await;
    let marshaler = s.exporter.marshaler();
    s.exporter.register_class(
        CLSID_FACTORY,
        Arc::new(move || {
            msrpc::orpc::Object::new()
                .with(orpc_test::IFactoryStub::new(FactoryImpl(marshaler.clone())))
        }),
    );
    let factory: ComPtr<orpc_test::IFactoryClient<Client>> = s
        .client
        .create_instance(CLSID_FACTORY)
        .await
        .expect("factory");
    let iid = calculator::idl::ICalculator::IID;
    // [out]: a calculator made by a method, used through a proxy.
    let made = factory.make(iid).await.expect("Make");
    assert_eq!(made.return_value, 0);
    let calc: Calc = s
        .client
        .unmarshal(&made.object.expect("an interface pointer"))
        .await
        .expect("unmarshals");
    assert_eq!(calc.add(1, 2).await.expect("Add").sum, 3);
    // [in]: another calculator, handed back to the server, which calls it.
    let other = factory.make(iid).await.expect("Make").object;
    let before = s.exporter.objects();
    let r = factory.inspect(other).await.expect("Inspect");
    assert_eq!((r.return_value, r.sum), (0, 42));
    assert_eq!(
        s.exporter.objects(),
        before - 1,
        "its references came back with it, and it is gone"
    );
    // A method that cannot make the interface asked for says so.
    let r = factory.make(uuid::Uuid::from_u128(1)).await.expect("Make");
    assert_eq!(r.return_value, i32::from(Hresult::E_NOINTERFACE));
    let info = msrpc::orpc::ErrorInfo::from_orpcthat(&r.orpcthat).expect("error information");
    assert_eq!(info.source.as_deref(), Some("IFactory::Make"));
    assert_eq!(
        info.description.as_deref(),
        Some("a calculator does not implement 00000000-0000-0000-0000-000000000001")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_activation_through_iactivation() {
    let s = setup().await;
    let c = Client::connect(s.resolver).await.expect("connect");
    let act = IActivationClient::new(c);
    let iids = vec![calculator::idl::ICalculator::IID, uuid::Uuid::from_u128(3)];
    let r = act
        .remote_activation(
            msrpc::orpc::orpcthis(),
            calculator::CLSID_CALCULATOR,
            None,
            None,
            2,
            0,
            2,
            Some(iids),
            vec![7],
        )
        .await
        .expect("RemoteActivation");
    assert_eq!((r.return_value, r.phr), (0, 0));
    assert_eq!(r.p_results, vec![0, i32::from(Hresult::E_NOINTERFACE)]);
    assert_eq!(r.p_oxid, s.exporter.oxid());
    assert_eq!(r.p_authn_hint, 1);
    let mip = r.pp_interface_data[0].clone().expect("the calculator");
    assert!(r.pp_interface_data[1].is_none());
    let calc: Calc = s.client.unmarshal(&mip).await.expect("unmarshals");
    assert_eq!(calc.add(5, 6).await.expect("Add").sum, 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_class_object_makes_instances() {
    use msrpc::com::IClassFactoryClient;
    let s = setup().await;
    let factory: ComPtr<IClassFactoryClient<Client>> = s
        .client
        .get_class_object(calculator::CLSID_CALCULATOR)
        .await
        .expect("RemoteGetClassObject");
    let r = factory
        .remote_create_instance(calculator::idl::ICalculator::IID)
        .await
        .expect("IClassFactory::CreateInstance");
    assert_eq!(r.return_value, 0);
    let calc: Calc = s
        .client
        .unmarshal(&r.ppv_object.expect("an object"))
        .await
        .expect("unmarshals");
    assert_eq!(calc.add(7, 8).await.expect("Add").sum, 15);
    assert_eq!(s.exporter.objects(), 2, "the class object and its instance");
}

/// A machine serving the calculator, under limits `set` changes.
async fn limited(
    set: impl FnOnce(&mut MachineConfig),
) -> (Machine, std::net::SocketAddr, DcomExporter) {
    let mut config = MachineConfig::new("127.0.0.1");
    set(&mut config);
    let machine = Machine::new(config);
    let any = "127.0.0.1:0".parse().expect("addr");
    let resolver = machine.start_resolver(any).await.expect("resolver");
    let exporter = machine.start_exporter(any).await.expect("exporter");
    exporter.register_class(calculator::CLSID_CALCULATOR, calculator::factory());
    (machine, resolver, exporter)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_object_limit_holds_and_other_clients_are_still_served() {
    let (_machine, resolver, _exporter) = limited(|c| c.objects.max_objects = 2).await;
    let greedy = DcomClient::connect(resolver).await.expect("client");
    let a: Calc = greedy
        .create_instance(calculator::CLSID_CALCULATOR)
        .await
        .expect("first");
    let _b: Calc = greedy
        .create_instance(calculator::CLSID_CALCULATOR)
        .await
        .expect("second");
    match greedy
        .create_instance::<ICalculatorClient<Client>>(calculator::CLSID_CALCULATOR)
        .await
    {
        Err(msrpc::orpc::DcomError::Hresult(h)) => assert_eq!(h, Hresult::E_OUTOFMEMORY),
        r => panic!("expected E_OUTOFMEMORY, got {:?}", r.err()),
    }
    // The objects already made still answer, and releasing one makes room.
    assert_eq!(a.add(1, 1).await.expect("served").sum, 2);
    drop(a);
    greedy.flush_releases().await;
    let other = DcomClient::connect(resolver).await.expect("client");
    let c: Calc = other
        .create_instance(calculator::CLSID_CALCULATOR)
        .await
        .expect("room again");
    assert_eq!(c.add(2, 2).await.expect("served").sum, 4);
}

/// Limits per client hold one address to its allowance and leave the
/// others theirs: here two objects for 127.0.0.1, and 127.0.0.2 served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_is_held_to_its_object_limit_and_another_address_is_not() {
    let (_machine, resolver, exporter) = limited(|c| c.objects.max_objects_per_client = 2).await;
    let greedy = DcomClient::connect(resolver).await.expect("client");
    let mut held = Vec::new();
    for _ in 0..2 {
        let c: Calc = greedy
            .create_instance(calculator::CLSID_CALCULATOR)
            .await
            .expect("within the limit");
        held.push(c);
    }
    match greedy
        .create_instance::<ICalculatorClient<Client>>(calculator::CLSID_CALCULATOR)
        .await
    {
        Err(msrpc::orpc::DcomError::Hresult(h)) => assert_eq!(h, Hresult::E_OUTOFMEMORY),
        r => panic!("expected E_OUTOFMEMORY, got {:?}", r.err()),
    }
    let elsewhere = DcomClient::connect_from(resolver, Some([127, 0, 0, 2].into()))
        .await
        .expect("a client from 127.0.0.2");
    let c: Calc = elsewhere
        .create_instance(calculator::CLSID_CALCULATOR)
        .await
        .expect("another client's own allowance");
    assert_eq!(c.add(2, 3).await.expect("served").sum, 5);
    assert_eq!(held[0].add(1, 1).await.expect("still served").sum, 2);
    assert_eq!(exporter.objects(), 3);
}

/// Objects a method marshals out of a client's call count against that
/// client: the class object and one instance fill an allowance of two.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_marshaled_out_of_a_call_count_against_the_caller() {
    use msrpc::com::IClassFactoryClient;
    let (_machine, resolver, _exporter) = limited(|c| c.objects.max_objects_per_client = 2).await;
    let client = DcomClient::connect(resolver).await.expect("client");
    let factory: ComPtr<IClassFactoryClient<Client>> = client
        .get_class_object(calculator::CLSID_CALCULATOR)
        .await
        .expect("RemoteGetClassObject");
    let iid = calculator::idl::ICalculator::IID;
    let made = factory.remote_create_instance(iid).await.expect("called");
    assert_eq!(made.return_value, 0, "the second object");
    let refused = factory.remote_create_instance(iid).await.expect("called");
    assert_eq!(Hresult::from(refused.return_value), Hresult::E_OUTOFMEMORY);
    assert!(refused.ppv_object.is_none());
}

/// A client past its connection limit is cut off at once, and a client
/// from another address connects and is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_per_client_limit_are_closed_and_others_accepted() {
    use tokio::io::AsyncReadExt;
    let (_machine, resolver, _exporter) = limited(|c| c.connections.per_client = 2).await;
    let mut open = Vec::new();
    for _ in 0..2 {
        let c = IObjectExporterClient::new(Client::connect(resolver).await.expect("connects"));
        c.server_alive2().await.expect("within the limit");
        open.push(c);
    }
    let mut third = tokio::net::TcpStream::connect(resolver)
        .await
        .expect("accepted by the kernel");
    let mut byte = [0u8; 1];
    let n = third.read(&mut byte).await.unwrap_or(0);
    assert_eq!(n, 0, "the server closes a connection past the limit");
    let from = Some([127, 0, 0, 2].into());
    let other = Client::connect_from(resolver, from, Default::default())
        .await
        .expect("another address");
    IObjectExporterClient::new(other)
        .server_alive2()
        .await
        .expect("served");
    drop(open);
}

/// Clients that die: one holding references, one in the middle of a
/// fragment, one in the middle of a call. The server keeps serving a
/// well-behaved client, and reclaims the dead one's objects after the ping
/// timeout, leaving nothing behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_clients_are_survived_and_their_objects_reclaimed() {
    use tokio::io::AsyncWriteExt;
    let s = setup().await;
    let alive = calculator(&s).await;

    // A client that holds a calculator, then dies without releasing it.
    let doomed = DcomClient::connect(s.resolver).await.expect("client");
    let held: Calc = doomed
        .create_instance(calculator::CLSID_CALCULATOR)
        .await
        .expect("activates");
    assert_eq!(held.add(1, 1).await.expect("Add").sum, 2);
    std::mem::forget(held); // no RemRelease will come
    drop(doomed);
    assert_eq!(s.exporter.objects(), 2);

    // A client that dies in the middle of a fragment.
    let mut half = tokio::net::TcpStream::connect(s.exporter.local_addr())
        .await
        .expect("connect");
    let bind = msrpc::rpc::pdu::Pdu {
        header: msrpc::rpc::pdu::Header::single(msrpc::rpc::pdu::PacketType::Bind, 1),
        body: msrpc::rpc::pdu::Body::Bind {
            max_xmit_frag: 4280,
            max_recv_frag: 4280,
            assoc_group_id: 0,
            contexts: vec![],
        },
        auth: None,
    }
    .to_bytes();
    half.write_all(&bind[..bind.len() / 2]).await.expect("send");
    drop(half);

    // A client that dies in the middle of a call: bind and request go out,
    // the connection closes before the response.
    {
        use msrpc::rpc::conn::{ClientConn, Limits};
        let mut c = ClientConn::new(Limits::default());
        c.bind(calculator::idl::ICalculator::SYNTAX, &[msrpc::rpc::NDR20]);
        let request = calculator::idl::i_calculator::SumRequest {
            orpcthis: msrpc::orpc::orpcthis(),
            values: (0..10_000).collect(),
        };
        c.request(0, 5, Some(alive.ipid()), &msrpc::ndr::to_bytes(&request));
        let mut mid = tokio::net::TcpStream::connect(s.exporter.local_addr())
            .await
            .expect("connect");
        mid.write_all(&c.take_output()).await.expect("send");
        drop(mid);
    }

    // The well-behaved client is served all along.
    assert_eq!(alive.add(20, 22).await.expect("served").sum, 42);

    // Only the living client pings. After three periods the dead one's
    // object is reclaimed, the living one's stays.
    s.client.ping().await.expect("ping");
    for _ in 0..3 {
        s.clock.advance(PERIOD);
        s.client.ping().await.expect("ping");
    }
    s.clock.advance(std::time::Duration::from_secs(1));
    s.client.ping().await.expect("ping");
    assert_eq!(s.machine.tick(), 1, "the dead client's object");
    assert_eq!(s.exporter.objects(), 1);
    assert_eq!(alive.add(1, 2).await.expect("served").sum, 3);
}
