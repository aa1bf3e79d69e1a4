//! NDR20 primitives and the two-pass contract, rule by rule.

use msrpc::ndr::{
    decode_pointee, encode_pointee, from_bytes, to_bytes, Decoder, Encoder, ErrorKind, Ndr, Result,
    WString, FIRST_REFERENT, MAX_DEPTH,
};
use proptest::prelude::*;

#[test]
fn primitives_align_to_their_size_from_the_start() {
    let mut e = Encoder::new();
    e.u8(1);
    e.u32(0x0403_0201);
    e.u16(0x0605);
    e.u64(0x0e0d_0c0b_0a09_0807);
    assert_eq!(
        e.into_bytes(),
        [1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 7, 8, 9, 10, 11, 12, 13, 14]
    );
}

#[test]
fn referent_ids_follow_the_windows_pattern() {
    let mut e = Encoder::new();
    assert_eq!(e.referent(true), FIRST_REFERENT);
    assert_eq!(e.referent(false), 0);
    assert_eq!(e.referent(true), FIRST_REFERENT + 4);
    assert_eq!(e.into_bytes(), [0, 0, 2, 0, 0, 0, 0, 0, 4, 0, 2, 0]);
}

#[test]
fn guids_are_mixed_endian_on_the_wire() {
    let iid = uuid::Uuid::parse_str("00000131-0000-0000-c000-000000000046").expect("uuid");
    let bytes = to_bytes(&iid);
    assert_eq!(
        bytes,
        [0x31, 0x01, 0, 0, 0, 0, 0, 0, 0xc0, 0, 0, 0, 0, 0, 0, 0x46]
    );
    assert_eq!(from_bytes::<uuid::Uuid>(&bytes), Ok(iid));
}

#[test]
fn truncated_input_names_the_offset_and_the_shortfall() {
    let err = from_bytes::<u64>(&[1, 2, 3]).expect_err("too short");
    assert_eq!(err.offset, 0);
    assert_eq!(
        err.kind,
        ErrorKind::Truncated {
            needed: 8,
            remaining: 3
        }
    );
}

#[test]
fn huge_counts_fail_before_allocating() {
    let buf = [0u8; 40];
    let mut d = Decoder::new(&buf);
    let err = d.u32s(0xFFFF_FFFF).expect_err("cannot fit");
    assert_eq!(
        err.kind,
        ErrorKind::CountTooLarge {
            count: 0xFFFF_FFFF,
            elem_size: 4,
            remaining: 40
        }
    );
}

#[test]
fn trailing_bytes_beyond_padding_are_rejected() {
    assert_eq!(from_bytes::<u32>(&[1, 0, 0, 0, 0, 0, 0, 0]), Ok(1));
    let err = from_bytes::<u32>(&[1, 0, 0, 0, 9]).expect_err("garbage after");
    assert_eq!((err.offset, err.kind), (4, ErrorKind::TrailingBytes(1)));
}

#[test]
fn strings_are_conformant_varying_with_a_terminator() {
    let mut e = Encoder::new();
    WString::from("hi").encode(&mut e).expect("encodes");
    assert_eq!(
        e.into_bytes(),
        [3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, b'h', 0, b'i', 0, 0, 0]
    );
}

#[test]
fn invalid_utf16_survives_a_round_trip() {
    let lone_surrogate = WString(vec![0x0041, 0xD800, 0x0042]);
    let mut e = Encoder::new();
    lone_surrogate.encode(&mut e).expect("encodes");
    let bytes = e.into_bytes();
    let back = WString::decode(&mut Decoder::new(&bytes)).expect("decodes");
    assert_eq!(back, lone_surrogate);
    assert_eq!(back.to_string_lossy(), "A\u{FFFD}B");
}

#[test]
fn an_unterminated_string_is_an_error() {
    // max 2, offset 0, actual 2, "hi" with no terminator.
    let bytes = [2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, b'h', 0, b'i', 0];
    let err = WString::decode(&mut Decoder::new(&bytes)).expect_err("no terminator");
    assert_eq!(err.kind, ErrorKind::Unterminated);
}

#[test]
fn variance_beyond_the_maximum_is_an_error() {
    // max 2, offset 1, actual 2: the slice would run past the array.
    let bytes = [2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let err = WString::decode(&mut Decoder::new(&bytes)).expect_err("offset + actual > max");
    assert_eq!(
        err.kind,
        ErrorKind::VarianceOutOfBounds {
            offset: 1,
            actual: 2,
            max: 2
        }
    );
    assert_eq!(err.offset, 12);
}

// A hand-written type in the shape generated code takes: a struct with an
// embedded unique pointer to itself, so pointees nest.
#[derive(Debug, Clone, PartialEq)]
struct Node {
    value: u32,
    name: Option<WString>,
    next: Option<Box<Node>>,
}

impl Ndr for Node {
    const ALIGN: usize = 4;
    fn encode_scalars(&self, e: &mut Encoder) -> Result<()> {
        e.u32(self.value);
        e.referent(self.name.is_some());
        e.referent(self.next.is_some());
        Ok(())
    }
    fn encode_buffers(&self, e: &mut Encoder) -> Result<()> {
        if let Some(n) = &self.name {
            n.encode(e)?;
        }
        if let Some(next) = &self.next {
            encode_pointee(e, next.as_ref())?;
        }
        Ok(())
    }
    fn decode_scalars(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(Node {
            value: d.u32()?,
            name: d.referent()?.map(|_| WString::default()),
            next: d.referent()?.map(|_| Box::new(Node::placeholder())),
        })
    }
    fn decode_buffers(&mut self, d: &mut Decoder<'_>) -> Result<()> {
        if let Some(n) = &mut self.name {
            *n = WString::decode(d)?;
        }
        if let Some(next) = &mut self.next {
            **next = decode_pointee(d)?;
        }
        Ok(())
    }
    fn placeholder() -> Self {
        Node {
            value: 0,
            name: None,
            next: None,
        }
    }
}

#[test]
fn embedded_pointees_follow_the_inline_part() {
    let list = Node {
        value: 7,
        name: Some("a".into()),
        next: Some(Box::new(Node {
            value: 8,
            name: None,
            next: None,
        })),
    };
    let bytes = to_bytes(&list);
    #[rustfmt::skip]
    let expected = [
        7, 0, 0, 0,  0, 0, 2, 0,  4, 0, 2, 0,           // value, referents of name and next
        2, 0, 0, 0,  0, 0, 0, 0,  2, 0, 0, 0,  b'a', 0, 0, 0, // name: max, offset, actual, "a\0"
        8, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,           // next: its inline part, two null pointers
    ];
    assert_eq!(bytes, expected);
    assert_eq!(from_bytes::<Node>(&bytes), Ok(list));
}

#[test]
fn pointer_chains_deeper_than_the_limit_are_refused() {
    // Each node: value, null name, non-null next; the pointee follows at once.
    let mut bytes = Vec::new();
    for _ in 0..(MAX_DEPTH + 10) {
        bytes.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0, 4, 0, 2, 0]);
    }
    let err = from_bytes::<Node>(&bytes).expect_err("too deep");
    assert_eq!(err.kind, ErrorKind::TooDeep(MAX_DEPTH));
}

proptest! {
    #[test]
    fn primitives_round_trip(a: u8, b: i16, c: u32, d: i64, f: f64, flag: bool) {
        let mut e = Encoder::new();
        e.u8(a); e.i16(b); e.u32(c); e.i64(d); e.f64(f); e.boolean(flag);
        let bytes = e.into_bytes();
        let mut r = Decoder::new(&bytes);
        prop_assert_eq!(r.u8().ok(), Some(a));
        prop_assert_eq!(r.i16().ok(), Some(b));
        prop_assert_eq!(r.u32().ok(), Some(c));
        prop_assert_eq!(r.i64().ok(), Some(d));
        prop_assert_eq!(r.f64().ok().map(f64::to_bits), Some(f.to_bits()));
        prop_assert_eq!(r.boolean().ok(), Some(flag));
    }

    #[test]
    fn any_utf16_round_trips(units in proptest::collection::vec(1u16.., 0..64)) {
        let w = WString(units);
        let mut e = Encoder::new();
        w.encode(&mut e).expect("encodes");
        let bytes = e.into_bytes();
        prop_assert_eq!(WString::decode(&mut Decoder::new(&bytes)), Ok(w));
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_decoder(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = from_bytes::<Node>(&bytes);
        let _ = WString::decode(&mut Decoder::new(&bytes));
    }
}

#[test]
fn a_string_must_start_at_offset_zero() {
    // max 3, offset 1, actual 1, one unit "\0".
    let bytes = [3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0];
    let err = WString::decode(&mut Decoder::new(&bytes)).expect_err("offset 1");
    assert!(
        matches!(
            err.kind,
            ErrorKind::Mismatch {
                what: "string offset",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn only_types_with_pointers_somewhere_inside_make_a_buffer_pass() {
    use msrpc::dcom::*;
    use msrpc::ndr::Ndr;
    // Flat: numbers, GUIDs, inline arrays, and structs of those (REMQIRESULT
    // holds a STDOBJREF, DUALSTRINGARRAY a conformant array inline).
    let flat = [
        <REMINTERFACEREF as Ndr>::HAS_BUFFERS,
        <STDOBJREF as Ndr>::HAS_BUFFERS,
        <REMQIRESULT as Ndr>::HAS_BUFFERS,
        <DUALSTRINGARRAY as Ndr>::HAS_BUFFERS,
    ];
    assert_eq!(flat, [false; 4]);
    // A unique pointer, here or in a member ([unique, string] ones too).
    let deep = [
        <ORPCTHIS as Ndr>::HAS_BUFFERS,
        <ErrorObjectData as Ndr>::HAS_BUFFERS,
        <customREMOTE_REPLY_SCM_INFO as Ndr>::HAS_BUFFERS,
    ];
    assert_eq!(deep, [true; 3]);
}

#[test]
fn a_count_is_checked_against_the_least_wire_size_of_its_elements() {
    use msrpc::dcom::i_rem_unknown::RemReleaseRequest;
    use msrpc::dcom::REMINTERFACEREF;
    let request = RemReleaseRequest {
        orpcthis: msrpc::orpc::orpcthis(),
        interface_refs: vec![REMINTERFACEREF::default(); 4],
    };
    let mut bytes = msrpc::ndr::to_bytes(&request);
    // Claim 50 elements (and cInterfaceRefs 50) with 96 bytes behind them:
    // enough for 50 one-byte elements, not for 50 of REMINTERFACEREF's 24.
    let at = bytes.len() - 4 * 24 - 4;
    bytes[at..at + 4].copy_from_slice(&50u32.to_le_bytes());
    bytes[at - 4..at - 2].copy_from_slice(&50u16.to_le_bytes());
    let err = from_bytes::<RemReleaseRequest>(&bytes).expect_err("too many");
    assert!(
        matches!(
            err.kind,
            ErrorKind::CountTooLarge {
                count: 50,
                elem_size: 24,
                ..
            }
        ),
        "refused before allocating: {err}"
    );
}
