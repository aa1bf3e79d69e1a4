//! `#[msrpc::interface]`: a trait lowered through the same front end and
//! code generator as IDL. The same interface written both ways gives the
//! same bytes, and each side's client talks to the other side's server.

use std::sync::Arc;

use msrpc::ndr::{to_bytes, WString};
use msrpc::orpc::{CallContext, ComPtr, DcomClient, Machine, MachineConfig, Object};
use msrpc::rpc::{Client, Fault};

#[msrpc::interface(uuid = "5b0f5f02-7c7e-4b1e-8f57-6ad3f7a1c2d4", object)]
pub trait IGreeter: IUnknown {
    async fn greet(&self, name: String) -> msrpc::Result<String>;
    async fn scores(&self, ids: Vec<u32>) -> msrpc::Result<Vec<i64>>;
    async fn bump(&self, n: i32, maybe: Option<i32>) -> msrpc::Result<i32>;
}

/// The trait side's implementation.
struct Greeter;

impl IGreeter for Greeter {
    async fn greet(&self, name: String) -> msrpc::Result<String> {
        if name.is_empty() {
            return Err(msrpc::Error::Hresult(msrpc::Hresult::E_INVALIDARG));
        }
        Ok(format!("Hello, {name}!"))
    }
    async fn scores(&self, ids: Vec<u32>) -> msrpc::Result<Vec<i64>> {
        Ok(ids.iter().map(|&i| i64::from(i) * 10).collect())
    }
    async fn bump(&self, n: i32, maybe: Option<i32>) -> msrpc::Result<i32> {
        Ok(n + maybe.unwrap_or(100))
    }
}

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod idl {
    include!(concat!(env!("OUT_DIR"), "/greeter_eq.rs"));
}

/// The IDL side's implementation, through the generated server trait.
struct IdlGreeter;

impl idl::IGreeterIdlServer for IdlGreeter {
    async fn greet(
        &self,
        _: &CallContext,
        name: WString,
    ) -> Result<idl::i_greeter_idl::GreetResponse, Fault> {
        let text = format!("Hello, {}!", name.to_string_lossy());
        Ok(idl::i_greeter_idl::GreetResponse {
            ret: Some(WString::from(text.as_str())),
            ..Default::default()
        })
    }
    async fn scores(
        &self,
        _: &CallContext,
        ids: Vec<u32>,
    ) -> Result<idl::i_greeter_idl::ScoresResponse, Fault> {
        Ok(idl::i_greeter_idl::ScoresResponse {
            ret: idl::SCORES {
                items: Some(ids.iter().map(|&i| i64::from(i) * 10).collect()),
            },
            ..Default::default()
        })
    }
    async fn bump(
        &self,
        _: &CallContext,
        n: i32,
        maybe: Option<Box<i32>>,
    ) -> Result<idl::i_greeter_idl::BumpResponse, Fault> {
        Ok(idl::i_greeter_idl::BumpResponse {
            ret: n + maybe.map_or(100, |m| *m),
            ..Default::default()
        })
    }
}

fn orpcthis() -> msrpc::dcom::ORPCTHIS {
    msrpc::dcom::ORPCTHIS {
        version: msrpc::dcom::COMVERSION {
            major_version: 5,
            minor_version: 7,
        },
        cid: msrpc::uuid::Uuid::from_u128(9),
        ..Default::default()
    }
}

#[test]
fn the_trait_and_the_idl_give_the_same_bytes() {
    use i_greeter::i_greeter as t;
    use idl::i_greeter_idl as i;
    assert_eq!(i_greeter::IGreeter::IID, idl::IGreeterIdl::IID);
    let (this, name) = (orpcthis(), WString::from("ox"));
    assert_eq!(
        to_bytes(&t::GreetRequest {
            orpcthis: this.clone(),
            name: name.clone()
        }),
        to_bytes(&i::GreetRequest {
            orpcthis: this.clone(),
            name
        })
    );
    assert_eq!(
        to_bytes(&t::ScoresRequest {
            orpcthis: this.clone(),
            ids: vec![1, 2, 3]
        }),
        to_bytes(&i::ScoresRequest {
            orpcthis: this.clone(),
            ids: vec![1, 2, 3]
        })
    );
    assert_eq!(
        to_bytes(&t::BumpRequest {
            orpcthis: this,
            n: 1,
            maybe: Some(Box::new(2))
        }),
        to_bytes(&i::BumpRequest {
            orpcthis: orpcthis(),
            n: 1,
            maybe: Some(Box::new(2))
        })
    );
    assert_eq!(
        to_bytes(&t::ScoresResponse {
            ret: i_greeter::IGreeter_Scores_ret {
                items: Some(vec![7, 8])
            },
            ..Default::default()
        }),
        to_bytes(&i::ScoresResponse {
            ret: idl::SCORES {
                items: Some(vec![7, 8])
            },
            ..Default::default()
        })
    );
}

const CLSID_TRAIT: msrpc::uuid::Uuid = msrpc::uuid::Uuid::from_u128(0x7a1);
const CLSID_IDL: msrpc::uuid::Uuid = msrpc::uuid::Uuid::from_u128(0x1d1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_sides_client_talks_to_the_other_sides_server() {
    let machine = Machine::new(MachineConfig::new("127.0.0.1"));
    let any = "127.0.0.1:0".parse().expect("addr");
    let resolver = machine.start_resolver(any).await.expect("resolver");
    let exporter = machine.start_exporter(any).await.expect("exporter");
    exporter.register_class(
        CLSID_TRAIT,
        Arc::new(|| Object::new().with(IGreeterStub::new(Greeter))),
    );
    exporter.register_class(
        CLSID_IDL,
        Arc::new(|| Object::new().with(idl::IGreeterIdlStub::new(IdlGreeter))),
    );
    let client = DcomClient::connect(resolver).await.expect("client");

    // The trait's client, calling the IDL's server.
    let g: ComPtr<IGreeterClient<Client>> =
        client.create_instance(CLSID_IDL).await.expect("activates");
    assert_eq!(
        g.greet("trait".into()).await.expect("Greet"),
        "Hello, trait!"
    );
    assert_eq!(g.scores(vec![1, 2]).await.expect("Scores"), vec![10, 20]);
    assert_eq!(g.bump(1, None).await.expect("Bump"), 101);
    assert_eq!(g.bump(1, Some(2)).await.expect("Bump"), 3);

    // The IDL's client, calling the trait's server.
    let i: ComPtr<idl::IGreeterIdlClient<Client>> = client
        .create_instance(CLSID_TRAIT)
        .await
        .expect("activates");
    let r = i.greet(WString::from("idl")).await.expect("Greet");
    assert_eq!(r.ret, Some(WString::from("Hello, idl!")));
    let r = i.scores(vec![3]).await.expect("Scores");
    assert_eq!(r.ret.items, Some(vec![30]));
    // An error from the trait is the HRESULT the IDL side sees.
    let r = i.greet(WString::from("")).await.expect("answers");
    assert_eq!(
        msrpc::Hresult::from(r.return_value),
        msrpc::Hresult::E_INVALIDARG
    );

    // And the trait's client against the trait's server.
    let t: ComPtr<IGreeterClient<Client>> = client
        .create_instance(CLSID_TRAIT)
        .await
        .expect("activates");
    match t.greet(String::new()).await {
        Err(msrpc::Error::Hresult(h)) => assert_eq!(h, msrpc::Hresult::E_INVALIDARG),
        r => panic!("expected E_INVALIDARG, got {r:?}"),
    }
}

/// Misuse is a compile error that points at the offending tokens.
#[test]
fn misuse_is_a_compile_error_with_a_span() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/*.rs");
}

#[msrpc::interface(uuid = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", object)]
pub trait IMeter {
    async fn total(
        &self,
        count: u32,
        #[msrpc(size_is = count)] values: Vec<u16>,
    ) -> msrpc::Result<u64>;
    async fn level(&self, #[msrpc(range(1, 10))] level: u8) -> msrpc::Result<u8>;
    /// Several [out] values: a tuple.
    async fn stats(&self, values: Vec<i32>) -> msrpc::Result<(i32, i32, String, Vec<i32>)>;
}

struct Meter;

impl IMeter for Meter {
    async fn total(&self, count: u32, values: Vec<u16>) -> msrpc::Result<u64> {
        assert_eq!(count as usize, values.len());
        Ok(values.iter().map(|&v| u64::from(v)).sum())
    }
    async fn level(&self, level: u8) -> msrpc::Result<u8> {
        Ok(level * 2)
    }
    async fn stats(&self, values: Vec<i32>) -> msrpc::Result<(i32, i32, String, Vec<i32>)> {
        let (lo, hi) = (values.iter().min().copied(), values.iter().max().copied());
        let mut sorted = values.clone();
        sorted.sort();
        Ok((
            lo.unwrap_or(0),
            hi.unwrap_or(0),
            format!("{} values", values.len()),
            sorted,
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameter_attributes_reach_midl() {
    let machine = Machine::new(MachineConfig::new("127.0.0.1"));
    let any = "127.0.0.1:0".parse().expect("addr");
    let resolver = machine.start_resolver(any).await.expect("resolver");
    let exporter = machine.start_exporter(any).await.expect("exporter");
    let clsid = msrpc::uuid::Uuid::from_u128(0x3e7e5);
    exporter.register_class(
        clsid,
        Arc::new(|| Object::new().with(IMeterStub::new(Meter))),
    );
    let client = DcomClient::connect(resolver).await.expect("client");
    let m: ComPtr<IMeterClient<Client>> = client.create_instance(clsid).await.expect("activates");
    assert_eq!(m.total(3, vec![1, 2, 3]).await.expect("Total"), 6);
    // The count travels as the Vec's length: one that disagrees is refused.
    assert!(matches!(
        m.total(2, vec![1, 2, 3]).await,
        Err(msrpc::Error::Hresult(msrpc::Hresult::E_INVALIDARG))
    ));
    assert_eq!(m.level(5).await.expect("in range"), 10);
    // The range is MIDL's: the client's encoder refuses 11.
    assert!(matches!(m.level(11).await, Err(msrpc::Error::Call(_))));
    let (lo, hi, text, sorted) = m.stats(vec![3, -1, 7]).await.expect("Stats");
    assert_eq!(
        (lo, hi, text.as_str(), sorted),
        (-1, 7, "3 values", vec![-1, 3, 7])
    );
}

// ---------------------------------------------------------- derive(Ndr)

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod rpc_test {
    include!(concat!(env!("OUT_DIR"), "/rpc_test.rs"));
}

/// rpc_test.idl's ITEM, `{ long id; [string, unique] wchar_t *name; }`, as Rust.
#[derive(msrpc::Ndr, Debug, Clone, PartialEq)]
pub struct Item {
    pub id: i32,
    pub name: Option<WString>,
}

#[derive(msrpc::Ndr, Debug, Clone, PartialEq)]
pub struct Record {
    pub id: u32,
    pub tag: msrpc::uuid::Uuid,
    pub label: WString,
    pub values: Vec<u16>,
    pub flags: [u8; 4],
    pub score: Option<Box<i64>>,
    pub wide: bool,
}

#[test]
fn a_derived_struct_has_the_bytes_of_its_idl() {
    let ours = Item {
        id: 7,
        name: Some(WString::from("seven")),
    };
    let theirs = rpc_test::ITEM {
        id: 7,
        name: Some(WString::from("seven")),
    };
    assert_eq!(to_bytes(&ours), to_bytes(&theirs));
    assert_eq!(msrpc::ndr::from_bytes::<Item>(&to_bytes(&ours)), Ok(ours));
}

#[test]
fn a_derived_struct_with_every_kind_of_field_round_trips() {
    let r = Record {
        id: 1,
        tag: msrpc::uuid::Uuid::from_u128(0xabc),
        label: WString::from("label"),
        values: vec![1, 2, 3],
        flags: [1, 0, 1, 0],
        score: Some(Box::new(-5)),
        wide: true,
    };
    let bytes = to_bytes(&r);
    assert_eq!(msrpc::ndr::from_bytes::<Record>(&bytes), Ok(r.clone()));
    // The hidden count is written from the Vec, and checked on the way back.
    let none = Record { score: None, ..r };
    assert_eq!(msrpc::ndr::from_bytes::<Record>(&to_bytes(&none)), Ok(none));
}

/// Derived structs as parameters and results of a trait interface.
#[msrpc::interface(uuid = "9d2c4b6a-1e3f-4a5b-8c7d-6e5f4a3b2c1d", object)]
pub trait IRecords {
    async fn echo(&self, record: Record, item: Item) -> msrpc::Result<Record>;
}

struct Records;

impl IRecords for Records {
    async fn echo(&self, record: Record, item: Item) -> msrpc::Result<Record> {
        Ok(Record {
            id: record.id + item.id as u32,
            ..record
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn derived_structs_travel_through_a_trait_interface() {
    let machine = Machine::new(MachineConfig::new("127.0.0.1"));
    let any = "127.0.0.1:0".parse().expect("addr");
    let resolver = machine.start_resolver(any).await.expect("resolver");
    let exporter = machine.start_exporter(any).await.expect("exporter");
    let clsid = msrpc::uuid::Uuid::from_u128(0x2ec);
    exporter.register_class(
        clsid,
        Arc::new(|| Object::new().with(IRecordsStub::new(Records))),
    );
    let client = DcomClient::connect(resolver).await.expect("client");
    let r: ComPtr<IRecordsClient<Client>> = client.create_instance(clsid).await.expect("activates");
    let record = Record {
        id: 1,
        tag: msrpc::uuid::Uuid::from_u128(5),
        label: WString::from("l"),
        values: vec![9, 8],
        flags: [0; 4],
        score: None,
        wide: false,
    };
    let item = Item { id: 41, name: None };
    let back = r.echo(record.clone(), item).await.expect("Echo");
    assert_eq!(back, Record { id: 42, ..record });
}

/// Interface pointers through a trait interface: `Option<MInterfacePointer>`.
#[msrpc::interface(uuid = "3f1e2d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", object)]
pub trait IMaker {
    async fn make(&self) -> msrpc::Result<Option<msrpc::dcom::MInterfacePointer>>;
    async fn check(&self, object: Option<msrpc::dcom::MInterfacePointer>) -> msrpc::Result<bool>;
}

struct Maker(msrpc::orpc::Marshaler);

impl IMaker for Maker {
    async fn make(&self) -> msrpc::Result<Option<msrpc::dcom::MInterfacePointer>> {
        let greeter = Object::new().with(IGreeterStub::new(Greeter));
        let p = self.0.marshal(greeter, i_greeter::IGreeter::IID);
        p.map(Some).map_err(msrpc::Error::Hresult)
    }
    async fn check(&self, object: Option<msrpc::dcom::MInterfacePointer>) -> msrpc::Result<bool> {
        let Some(p) = object else { return Ok(false) };
        Ok(self
            .0
            .unmarshal(&p)
            .is_ok_and(|(o, _)| o.implements(&i_greeter::IGreeter::IID)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interface_pointers_travel_through_a_trait_interface() {
    let machine = Machine::new(MachineConfig::new("127.0.0.1"));
    let any = "127.0.0.1:0".parse().expect("addr");
    let resolver = machine.start_resolver(any).await.expect("resolver");
    let exporter = machine.start_exporter(any).await.expect("exporter");
    let clsid = msrpc::uuid::Uuid::from_u128(0x3a4e);
    let marshaler = exporter.marshaler();
    exporter.register_class(
        clsid,
        Arc::new(move || Object::new().with(IMakerStub::new(Maker(marshaler.clone())))),
    );
    let client = DcomClient::connect(resolver).await.expect("client");
    let maker: ComPtr<IMakerClient<Client>> =
        client.create_instance(clsid).await.expect("activates");
    // [out]: a greeter made on the server, called through its own proxy.
    let p = maker.make().await.expect("Make").expect("an object");
    let greeter: ComPtr<IGreeterClient<Client>> = client.unmarshal(&p).await.expect("unmarshals");
    assert_eq!(
        greeter.greet("maker".into()).await.expect("Greet"),
        "Hello, maker!"
    );
    // [in]: another one, handed back.
    let other = maker.make().await.expect("Make");
    assert!(maker.check(other).await.expect("Check"));
    assert!(!maker.check(None).await.expect("Check"));
}

#[derive(msrpc::Ndr, Debug, Clone, Copy, PartialEq)]
pub enum Color {
    Red = 1,
    Green = 2,
}

#[derive(msrpc::Ndr, Debug, Clone, Copy, PartialEq)]
#[msrpc(v1_enum)]
pub enum Wide {
    One = 1,
}

#[derive(msrpc::Ndr, Debug, Clone, PartialEq)]
pub struct Paint {
    pub color: Color,
    #[msrpc(range(1, 10))]
    pub coats: u8,
}

#[test]
fn derived_enums_and_field_ranges() {
    assert_eq!(to_bytes(&Color::Green), [2, 0]);
    assert_eq!(to_bytes(&Wide::One), [1, 0, 0, 0]);
    assert_eq!(msrpc::ndr::from_bytes::<Color>(&[1, 0]), Ok(Color::Red));
    let err = msrpc::ndr::from_bytes::<Color>(&[9, 0]).expect_err("no such variant");
    assert_eq!(err.kind, msrpc::ndr::ErrorKind::BadDiscriminant(9));
    let p = Paint {
        color: Color::Red,
        coats: 3,
    };
    assert_eq!(msrpc::ndr::from_bytes::<Paint>(&to_bytes(&p)), Ok(p));
    let over = Paint {
        color: Color::Red,
        coats: 11,
    };
    assert!(
        msrpc::ndr::try_to_bytes(&over).is_err(),
        "range holds on encode"
    );
    assert!(
        msrpc::ndr::from_bytes::<Paint>(&[1, 0, 11]).is_err(),
        "and on decode"
    );
}

#[derive(msrpc::Ndr, Debug, Clone, PartialEq)]
pub struct Counted {
    pub count: u32,
    #[msrpc(size_is = count)]
    pub values: Vec<u16>,
}

#[test]
fn a_derived_count_field_is_kept_and_checked() {
    let c = Counted {
        count: 2,
        values: vec![5, 6],
    };
    assert_eq!(msrpc::ndr::from_bytes::<Counted>(&to_bytes(&c)), Ok(c));
    let wrong = Counted {
        count: 3,
        values: vec![5, 6],
    };
    assert!(
        msrpc::ndr::try_to_bytes(&wrong).is_err(),
        "count and Vec must agree"
    );
}
