//! Generated code for tests/fixtures/codegen.idl, compiled and run: unions,
//! switch_is, enum discriminants and arrays of pointer-holding structs.
//! Wire bytes are worked out by hand from C706 chapter 14 in the comments.

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod fixture {
    include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
}

use fixture::*;
use msrpc::ndr::{from_bytes, to_bytes, ErrorKind, WString};

fn round_trip<T: msrpc::ndr::Ndr + PartialEq + std::fmt::Debug>(v: &T) -> Vec<u8> {
    let bytes = to_bytes(v);
    assert_eq!(
        &from_bytes::<T>(&bytes).expect("decodes its own encoding"),
        v
    );
    bytes
}

#[test]
fn a_non_encapsulated_union_follows_its_discriminant() {
    let v = TAGGED {
        kind: 2,
        value: VALUE::Text(Some(WString::from("hi"))),
    };
    #[rustfmt::skip]
    let expected = [
        2, 0, 0, 0,              // kind
        2, 0, 0, 0,              // the union's discriminant, again
        0, 0, 2, 0,              // the arm: a unique pointer's referent
        3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, b'h', 0, b'i', 0, 0, 0, // deferred string
    ];
    assert_eq!(round_trip(&v), expected);
}

#[test]
fn arms_with_several_cases_and_the_default_keep_their_discriminant() {
    for v in [
        TAGGED {
            kind: 4,
            value: VALUE::Pair(4, PAIR { a: -1, b: 1 << 40 }),
        },
        TAGGED {
            kind: 99,
            value: VALUE::Other(99, 7),
        },
        TAGGED {
            kind: 5,
            value: VALUE::Case5,
        },
        TAGGED {
            kind: 1,
            value: VALUE::L(-5),
        },
    ] {
        round_trip(&v);
    }
    // PAIR aligns to 8 after the 4-byte discriminant.
    let bytes = to_bytes(&TAGGED {
        kind: 3,
        value: VALUE::Pair(3, PAIR { a: 1, b: 2 }),
    });
    assert_eq!(bytes.len(), 24);
    assert_eq!(&bytes[..8], &[3, 0, 0, 0, 3, 0, 0, 0]);
}

#[test]
fn switch_is_must_agree_with_the_union() {
    let lie = TAGGED {
        kind: 1,
        value: VALUE::Case5,
    };
    assert!(msrpc::ndr::try_to_bytes(&lie).is_err());
    // kind 1 on the wire, the union says 5.
    let bytes = [1, 0, 0, 0, 5, 0, 0, 0];
    let err = from_bytes::<TAGGED>(&bytes).expect_err("disagrees");
    assert!(
        matches!(
            err.kind,
            ErrorKind::Mismatch {
                what: "switch_is",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn an_encapsulated_union_aligns_its_arm_like_a_struct_member() {
    let v = ENCAPSULATED::D(2.5);
    let bytes = round_trip(&v);
    let mut expected = vec![2, 0, 0, 0, 0, 0, 0, 0];
    expected.extend_from_slice(&2.5f64.to_le_bytes());
    assert_eq!(bytes, expected);
    round_trip(&ENCAPSULATED::B(7));
    round_trip(&ENCAPSULATED::Default(-3));
}

#[test]
fn an_unknown_discriminant_without_a_default_is_refused() {
    // BY_KIND has a default arm, ENCAPSULATED too; VALUE's default takes all.
    // KINDED's union: KIND_TEXT (2) with a null word, then a bad kind.
    let ok = KINDED {
        kind: KIND::KIND_TEXT,
        value: BY_KIND::Word(None),
    };
    round_trip(&ok);
    let v = KINDED {
        kind: KIND(9),
        value: BY_KIND::Default(KIND(9)),
    };
    round_trip(&v);
}

#[test]
fn arrays_of_structs_defer_every_elements_pointees_after_the_array() {
    let list = TAGGED_LIST {
        items: vec![
            TAGGED {
                kind: 2,
                value: VALUE::Text(Some(WString::from("a"))),
            },
            TAGGED {
                kind: 2,
                value: VALUE::Text(Some(WString::from("b"))),
            },
        ],
    };
    let bytes = round_trip(&list);
    // TAGGED aligns to 8, as pidl computes it: statically, from its
    // union's largest arm (PAIR), not from the arm a value happens to use.
    #[rustfmt::skip]
    let expected = [
        2, 0, 0, 0, 0, 0, 0, 0,              // hoisted max_count, padding to 8
        2, 0, 0, 0, 0, 0, 0, 0,              // count, padding to the first element
        2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 2, 0,  // item 0: kind, discriminant, referent
        0, 0, 0, 0,                          // padding to the next element
        2, 0, 0, 0, 2, 0, 0, 0, 4, 0, 2, 0,  // item 1
        2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, b'a', 0, 0, 0, // item 0's string
        2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, b'b', 0, 0, 0, // item 1's string
    ];
    assert_eq!(bytes, expected);
}

#[test]
fn hostile_bytes_never_panic() {
    let mut seed = 0x1234_5678_9abc_def0u64;
    for _ in 0..20_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = (seed % 64) as usize;
        let bytes: Vec<u8> = (0..len).map(|i| (seed >> (i % 57)) as u8).collect();
        let _ = from_bytes::<TAGGED_LIST>(&bytes);
        let _ = from_bytes::<KINDED>(&bytes);
        let _ = from_bytes::<ENCAPSULATED>(&bytes);
    }
}

#[test]
fn strings_narrow_wide_and_inline() {
    use msrpc::ndr::AString;
    let v = NAMES {
        narrow: Some(AString::from("ab")),
        label: WString::from("hi"),
        tag: AString::from("x"),
        wide: None,
    };
    #[rustfmt::skip]
    let expected = [
        0, 0, 2, 0,                                   // narrow: referent
        0, 0, 0, 0, 3, 0, 0, 0, b'h', 0, b'i', 0, 0, 0, // label: offset, actual, "hi\0" inline
        0, 0,                                         // padding to 4
        0, 0, 0, 0, 2, 0, 0, 0, b'x', 0,              // tag: offset, actual, "x\0"
        0, 0,                                         // padding to 4
        0, 0, 0, 0,                                   // wide: null
        3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, b'a', b'b', 0, // narrow's pointee
    ];
    assert_eq!(round_trip(&v), expected);
    // An inline string longer than its array cannot be sent.
    let long = NAMES {
        label: WString::from("too long!"),
        ..v
    };
    assert!(msrpc::ndr::try_to_bytes(&long).is_err());
}

#[test]
fn varying_fixed_arrays_send_their_window() {
    let v = WINDOWS {
        first_idx: 2,
        last_idx: 4,
        window: vec![20, 30, 40],
        used: 2,
        partial: vec![-1, -2],
    };
    #[rustfmt::skip]
    let expected = [
        2, 0, 0, 0, 4, 0, 0, 0,                      // firstIdx, lastIdx
        2, 0, 0, 0, 3, 0, 0, 0,                      // window: offset 2, actual 3
        20, 0, 0, 0, 30, 0, 0, 0, 40, 0, 0, 0,
        2, 0, 0, 0,                                  // used
        0, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 0xfe, 0xff, // partial: offset 0, actual 2
    ];
    assert_eq!(round_trip(&v), expected);
    // The window must fit the array and agree with its fields.
    let past_end = WINDOWS {
        first_idx: 6,
        last_idx: 8,
        ..v.clone()
    };
    assert!(msrpc::ndr::try_to_bytes(&past_end).is_err());
    let disagree = WINDOWS { used: 3, ..v };
    assert!(msrpc::ndr::try_to_bytes(&disagree).is_err());
    let mut lying = expected;
    lying[12] = 2; // window's actual count 2, but last - first + 1 = 3
    assert!(from_bytes::<WINDOWS>(&lying).is_err());
}

#[test]
fn arrays_of_pointees_count_toward_the_depth_limit() {
    // NODE { n: 1, kids -> [NODE { n: 1, kids -> [...] }] }, nested 100,000 deep.
    let unit = [1, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0];
    let bytes: Vec<u8> = unit
        .iter()
        .copied()
        .cycle()
        .take(unit.len() * 100_000)
        .collect();
    let err = from_bytes::<NODE>(&bytes).expect_err("too deep");
    assert_eq!(err.kind, ErrorKind::TooDeep(msrpc::ndr::MAX_DEPTH));
}

#[test]
fn announced_counts_must_fit_the_input_together() {
    // 4096 items, each announcing 65,536 u32s behind its pointer: each
    // alone fits in the bytes left, all together cannot.
    let items = 4096u32;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&items.to_le_bytes()); // max_count
    bytes.extend_from_slice(&items.to_le_bytes()); // count
    for _ in 0..items {
        bytes.extend_from_slice(&65_536u32.to_le_bytes());
        bytes.extend_from_slice(&[0, 0, 2, 0]);
    }
    bytes.resize(bytes.len() + 300_000, 0);
    let err = from_bytes::<COUNTED_LIST>(&bytes).expect_err("promises exceed the input");
    assert!(matches!(err.kind, ErrorKind::CountTooLarge { .. }), "{err}");
    // And an honest list still decodes.
    let honest = COUNTED_LIST {
        items: vec![
            COUNTED {
                p: Some(vec![1, 2]),
            },
            COUNTED { p: None },
        ],
    };
    round_trip(&honest);
}

#[test]
fn a_null_pointer_with_a_count_is_refused() {
    // COUNTED { c: 2, p: null }
    let bytes = [2, 0, 0, 0, 0, 0, 0, 0];
    let err = from_bytes::<COUNTED>(&bytes).expect_err("count without elements");
    assert!(
        matches!(
            err.kind,
            ErrorKind::Mismatch {
                expected: 0,
                found: 2,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_variant_that_carries_its_discriminant_must_carry_a_fitting_one() {
    assert!(msrpc::ndr::try_to_bytes(&TAGGED {
        kind: 1,
        value: VALUE::Other(1, 7)
    })
    .is_err());
    assert!(msrpc::ndr::try_to_bytes(&TAGGED {
        kind: 5,
        value: VALUE::Pair(5, PAIR { a: 0, b: 0 })
    })
    .is_err());
    assert!(msrpc::ndr::try_to_bytes(&ENCAPSULATED::Default(2)).is_err());
}

#[test]
fn negative_enumerators_take_their_unsigned_wire_form() {
    assert_eq!(SIGNED::MINUS_ONE, SIGNED(0xffff));
    assert_eq!(to_bytes(&SIGNED::MINUS_ONE), [0xff, 0xff]);
}

#[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
mod uses_dcom {
    include!(concat!(env!("OUT_DIR"), "/uses_dcom.rs"));
}

#[test]
fn imported_protocol_types_come_from_msrpc_dcom() {
    use msrpc::dcom::{COMVERSION, ORPCTHIS, REMINTERFACEREF};
    // STAMPED's fields have msrpc::dcom's own types: this would not compile
    // if the generator had made copies of them.
    let v = uses_dcom::STAMPED {
        orpc: ORPCTHIS {
            version: COMVERSION {
                major_version: 5,
                minor_version: 7,
            },
            flags: 0,
            reserved1: 0,
            cid: uuid::Uuid::from_u128(1),
            extensions: None,
        },
        itf: None,
        clsid: uuid::Uuid::from_u128(2),
        refs: vec![REMINTERFACEREF {
            ipid: uuid::Uuid::from_u128(3),
            c_public_refs: 1,
            c_private_refs: 0,
        }],
    };
    round_trip(&v);
    // The generated file defines STAMPED and nothing of ms-dcom.idl.
    let code = include_str!(concat!(env!("OUT_DIR"), "/uses_dcom.rs"));
    assert!(!code.contains("pub struct ORPCTHIS"));
    assert!(code.contains("::msrpc::dcom::ORPCTHIS"));
}

#[test]
fn an_interface_pointer_is_a_unique_pointer_to_an_minterfacepointer() {
    use msrpc::dcom::MInterfacePointer;
    let v = uses_dcom::HOLDS_OBJECT {
        iid: uuid::Uuid::from_u128(0x1234),
        object: Some(Box::new(MInterfacePointer {
            ab_data: b"MEOW".to_vec(),
        })),
    };
    let bytes = round_trip(&v);
    // The IID, a referent ID, then the pointee: max_count, ulCntData, bytes.
    assert_eq!(bytes[16..20], [0, 0, 2, 0]);
    assert_eq!(
        bytes[20..],
        [4, 0, 0, 0, 4, 0, 0, 0, b'M', b'E', b'O', b'W']
    );
    // A null interface pointer is valid.
    let none = uses_dcom::HOLDS_OBJECT { object: None, ..v };
    assert_eq!(round_trip(&none).len(), 20);
}

#[test]
fn a_conformant_string_member_hoists_its_count_with_the_terminator() {
    let v = NAMED {
        id: 7,
        name: WString::from("hi"),
    };
    #[rustfmt::skip]
    let expected = [
        3, 0, 0, 0,                          // max_count: "hi" and its terminator
        7, 0, 0, 0,                          // id
        0, 0, 0, 0, 3, 0, 0, 0,              // offset, actual
        b'h', 0, b'i', 0, 0, 0,
    ];
    assert_eq!(round_trip(&v), expected);
}

#[test]
fn a_nested_conformant_struct_hoists_its_count_to_the_outermost_struct() {
    let v = OUTER_C {
        stamp: 1,
        inner: INNER_C { values: vec![5, 6] },
    };
    #[rustfmt::skip]
    let expected = [
        2, 0, 0, 0,                 // INNER_C's max_count, moved to the front
        0, 0, 0, 0,                 // padding: OUTER_C aligns to 8
        1, 0, 0, 0, 0, 0, 0, 0,     // stamp
        2, 0, 0, 0,                 // inner.tag (the implied count), padding
        5, 0, 0, 0, 6, 0, 0, 0,     // inner.values
    ];
    assert_eq!(round_trip(&v), expected);
    // Alone, INNER_C still leads with its own count.
    assert_eq!(
        to_bytes(&INNER_C { values: vec![7] }),
        [1, 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0]
    );
}

#[test]
fn a_conformant_pointee_puts_its_count_before_aligning_its_members() {
    let v = HOLDS {
        p: Some(Box::new(OUTER_C {
            stamp: 9,
            inner: INNER_C { values: vec![3] },
        })),
    };
    #[rustfmt::skip]
    let expected = [
        0, 0, 2, 0,                 // referent
        1, 0, 0, 0,                 // max_count, at 4: only 4-aligned
        9, 0, 0, 0, 0, 0, 0, 0,     // stamp, at 8: the struct's 8-byte alignment
        1, 0, 0, 0,                 // tag, padding
        3, 0, 0, 0,                 // values
    ];
    assert_eq!(round_trip(&v), expected);
}

// ------------------------------------------------------ impacket's vectors

#[test]
fn a_union_vector_from_impacket_round_trips() {
    // impacket wrote this with its own NDRUNION (tests/vectors/make_ndr_vectors.py).
    let theirs = msrpc_tests::vector("fixture-TAGGED");
    let v: TAGGED = from_bytes(&theirs).expect("decodes");
    assert_eq!(v.kind, 4);
    assert_eq!(
        v.value,
        VALUE::Pair(
            4,
            PAIR {
                a: -2,
                b: 0x0102030405060708
            }
        )
    );
    msrpc_tests::assert_same_wire("fixture-TAGGED", &to_bytes(&v), &theirs);
}

#[test]
fn a_full_pointer_vector_from_impacket_round_trips() {
    let theirs = msrpc_tests::vector("fixture-SHARED");
    let v: SHARED = from_bytes(&theirs).expect("decodes");
    assert_eq!(v.first.as_deref(), Some(&5));
    assert_eq!(v.second.as_deref(), Some(&-7));
    assert!(v.names.is_none() && v.again.is_none());
    msrpc_tests::assert_same_wire("fixture-SHARED", &to_bytes(&v), &theirs);
}

// ------------------------------------------------------------ full pointers

fn names() -> NAMES {
    NAMES {
        narrow: None,
        label: WString::from("lbl"),
        tag: Default::default(),
        wide: None,
    }
}

#[test]
fn aliased_full_pointers_share_one_referent_sent_once() {
    use std::sync::Arc;
    let n = Arc::new(7);
    let v = SHARED {
        first: Some(n.clone()),
        second: Some(n),
        names: None,
        again: None,
    };
    let bytes = round_trip(&v);
    // C706 14.3.12.3: both pointers carry the same referent ID, and the
    // long follows once, after the inline part.
    assert_eq!(
        bytes,
        [0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0]
    );
    let back: SHARED = from_bytes(&bytes).expect("decodes");
    let (a, b) = (back.first.expect("first"), back.second.expect("second"));
    assert!(Arc::ptr_eq(&a, &b), "decoding keeps the aliasing");

    // Equal values in two allocations are two referents, two pointees.
    let apart = SHARED {
        first: Some(Arc::new(7)),
        second: Some(Arc::new(7)),
        names: None,
        again: None,
    };
    assert_eq!(round_trip(&apart).len(), 24);
}

#[test]
fn an_aliased_struct_pointee_is_written_at_its_first_occurrence_only() {
    use std::sync::Arc;
    let shared = Arc::new(names());
    let v = SHARED {
        first: None,
        second: None,
        names: Some(shared.clone()),
        again: Some(shared.clone()),
    };
    let once = to_bytes(&v);
    let alone = to_bytes(&SHARED {
        again: None,
        ..v.clone()
    });
    // The second pointer costs its 4-byte referent ID and nothing more.
    assert_eq!(once.len(), alone.len());
    assert_eq!(once[8..12], once[12..16]);
    let back: SHARED = from_bytes(&once).expect("decodes");
    assert_eq!(back, v);
    assert!(Arc::ptr_eq(
        back.names.as_ref().expect("names"),
        back.again.as_ref().expect("again")
    ));
}

#[test]
fn a_full_pointer_in_a_union_arm_keeps_its_aliases() {
    use std::sync::Arc;
    let n = Arc::new(1);
    let v = MAYBE_SHARED::Shared(Some(Arc::new(SHARED {
        first: Some(n.clone()),
        second: Some(n),
        names: None,
        again: None,
    })));
    round_trip(&v);
}

#[test]
fn a_referent_that_contains_itself_is_refused() {
    // LOOP { long v; [ptr] LOOP *next; } whose next points back at itself:
    // the top-level struct, then referent 0x20000's pointee, which names
    // 0x20000 again while it is being read.
    let bytes = [1, 0, 0, 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 0, 2, 0];
    let err = from_bytes::<LOOP>(&bytes).expect_err("a cycle");
    assert_eq!(err.kind, ErrorKind::CyclicReferent(0x20000));
}

#[test]
fn one_referent_for_two_types_is_refused() {
    // SHARED.first (a long) and SHARED.names (NAMES) name one referent.
    let mut bytes = vec![0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0];
    bytes.extend_from_slice(&[9, 0, 0, 0]);
    let err = from_bytes::<SHARED>(&bytes).expect_err("a type clash");
    assert_eq!(err.kind, ErrorKind::ReferentTypeMismatch(0x20000));
}

#[test]
fn a_promise_for_placeholders_ends_when_their_elements_are_read() {
    // Found by tests/ndr_properties.rs: the outer count's promise was kept
    // while the kids themselves were read, so the last, empty, kid's own
    // promise did not fit in the bytes left.
    let leaf = || NODE { kids: None };
    let v = NODE {
        kids: Some(vec![leaf(), NODE { kids: Some(vec![]) }]),
    };
    round_trip(&v);
}

// A user's IDispatch-derived interface, generated against msrpc::oaut.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod uses_oaut {
    include!(concat!(env!("OUT_DIR"), "/uses_oaut.rs"));
}

#[test]
fn an_idispatch_interface_uses_the_runtimes_ole_automation() {
    use msrpc::oaut::{bstr, bstr_string, Variant};
    let req = uses_oaut::i_greeter_auto::GreetRequest {
        orpcthis: Default::default(),
        name: bstr("Ada"),
        extra: Some(Box::new(Variant::I4(7).to_wire().expect("marshals"))),
    };
    let bytes = msrpc::ndr::to_bytes(&req);
    let back: uses_oaut::i_greeter_auto::GreetRequest =
        msrpc::ndr::from_bytes(&bytes).expect("decodes");
    assert_eq!(bstr_string(&back.name).as_deref(), Some("Ada"));
    assert_eq!(back, req);
}
