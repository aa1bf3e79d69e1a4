//! The generated MS-DCOM types against wire bytes from an independent
//! implementation: impacket built every vector in `vectors/ndr/` (see
//! `vectors/make_ndr_vectors.py`). Each decodes, and re-encodes to the
//! same bytes, except that impacket pads with 0xAB or 0xAA where we pad
//! with 0.

use msrpc::dcom::*;
use msrpc::ndr::{from_bytes, to_bytes, Ndr};
use msrpc_tests::{assert_same_wire, vector, workspace};

/// Decodes vector `name` as `T`, checks the re-encoding, returns the value.
fn round_trip<T: Ndr + std::fmt::Debug>(name: &str) -> T {
    let theirs = vector(name);
    let value: T = from_bytes(&theirs).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_same_wire(name, &to_bytes(&value), &theirs);
    value
}

fn guid(s: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(s).expect("uuid")
}

#[test]
fn orpcthis_without_extensions() {
    let v: ORPCTHIS = round_trip("ORPCTHIS-no-extensions");
    assert_eq!((v.version.major_version, v.version.minor_version), (5, 7));
    assert_eq!(v.flags, 1);
    assert_eq!(v.cid, guid("2a6fe89a-1f0e-4a4c-9d6c-3b6c6e8e2f11"));
    assert!(v.extensions.is_none());
}

#[test]
fn orpcthis_with_an_extension() {
    let v: ORPCTHIS = round_trip("ORPCTHIS-with-extension");
    let ext = v.extensions.expect("extensions");
    assert_eq!(ext.size, 1);
    let list = ext.extent.expect("extent array");
    // (size + 1) & ~1 = 2 entries, the second null.
    assert_eq!(list.len(), 2);
    assert!(list[1].is_none());
    let first = list[0].as_ref().expect("first extent");
    assert_eq!(first.id, guid("f1f19680-4d2a-11ce-a66a-0020af6e72f4"));
    assert_eq!(first.size, 5);
    assert_eq!(first.data, b"hello\0\0\0");
}

#[test]
fn orpcthat() {
    let v: ORPCTHAT = round_trip("ORPCTHAT");
    assert_eq!(v.flags, 0);
    assert!(v.extensions.is_none());
}

#[test]
fn stdobjref() {
    let v: STDOBJREF = round_trip("STDOBJREF");
    assert_eq!((v.flags, v.c_public_refs), (0x1000, 5));
    assert_eq!(
        (v.oxid, v.oid),
        (0x1122_3344_5566_7788, 0x99AA_BBCC_DDEE_FF00)
    );
    assert_eq!(v.ipid, guid("00009801-1234-5678-9abc-def012345678"));
}

#[test]
fn remqiresult() {
    let v: REMQIRESULT = round_trip("REMQIRESULT");
    assert_eq!(v.h_result, 0);
    assert_eq!(v.std.c_public_refs, 5);
}

#[test]
fn reminterfaceref() {
    let v: REMINTERFACEREF = round_trip("REMINTERFACEREF");
    assert_eq!((v.c_public_refs, v.c_private_refs), (5, 0));
}

#[test]
fn dualstringarray() {
    let v: DUALSTRINGARRAY = round_trip("DUALSTRINGARRAY");
    // wNumEntries is implied by the array; wSecurityOffset is kept.
    assert_eq!(v.a_string_array.len(), 21);
    assert_eq!(v.w_security_offset, 17);
    assert_eq!(v.a_string_array[0], 0x07);
}

#[test]
fn minterfacepointer() {
    let v: MInterfacePointer = round_trip("MInterfacePointer");
    assert_eq!(v.ab_data, b"MEOW\x01\0\0\0");
}

#[test]
fn a_count_that_disagrees_with_its_array_is_refused() {
    // DUALSTRINGARRAY with max_count 2 but wNumEntries 3.
    let bytes = [2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 2, 0];
    let err = from_bytes::<DUALSTRINGARRAY>(&bytes).expect_err("inconsistent");
    assert!(
        matches!(
            err.kind,
            msrpc::ndr::ErrorKind::Mismatch {
                expected: 3,
                found: 2,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn an_extent_whose_data_disagrees_with_its_size_is_refused() {
    let bad = ORPC_EXTENT {
        id: uuid::Uuid::nil(),
        size: 5,
        data: vec![0; 5], // (5 + 7) & ~7 = 8 bytes are required
    };
    assert!(msrpc::ndr::try_to_bytes(&bad).is_err());
}

/// For every generated type: whatever bytes decode, re-encode to bytes that
/// decode to the same value. Random inputs rarely decode as large types, so
/// the inputs are the vectors with single bytes changed as well as noise.
#[test]
fn decode_encode_decode_is_stable_for_every_type() {
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    let dir = workspace().join("tests/vectors/ndr");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("vectors")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".hex")
                .map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 12);
    for name in &names {
        let v = vector(name);
        for i in 0..v.len() {
            for delta in [1u8, 0x80, 0xff] {
                let mut m = v.clone();
                m[i] = m[i].wrapping_add(delta);
                seeds.push(m);
            }
        }
        seeds.push(v);
    }
    let mut decoded = 0;
    for name in msrpc::dcom::TYPE_NAMES {
        for bytes in &seeds {
            let Some(Ok(first)) = msrpc::dcom::decode_by_name(name, bytes) else {
                continue;
            };
            decoded += 1;
            let again = &first.again;
            let Some(Ok(second)) = msrpc::dcom::decode_by_name(name, again) else {
                panic!("{name}: its own encoding does not decode: {again:02x?}");
            };
            assert!(first.same_value, "{name}");
            assert_eq!(first.text, second.text, "{name}");
            assert_eq!(first.again, second.again, "{name}");
        }
    }
    assert!(
        decoded > 100,
        "only {decoded} inputs decoded; the test would prove little"
    );
}

// Activation property structures: impacket writes them with MS-RPCE type
// serialization headers, which the vector script strips (see there).

#[test]
fn a_string_behind_a_pointer_behind_a_pointer() {
    let v: SecurityInfoData = round_trip("SecurityInfoData");
    let server = v.p_server_info.expect("server info");
    assert_eq!(server.pwsz_name.expect("name").to_string(), "SERVER");
    assert!(server.pdw_reserved.is_none());
}

#[test]
fn a_count_sizing_an_array_behind_a_pointer() {
    let v: InstantiationInfoData = round_trip("InstantiationInfoData");
    let iids = v.p_iid.expect("IIDs");
    assert_eq!(
        iids,
        [
            guid("ac40e92e-1925-45a0-9f3e-95874a35497b"),
            guid("00000000-0000-0000-c000-000000000046")
        ]
    );
    assert_eq!(
        (
            v.client_com_version.major_version,
            v.client_com_version.minor_version
        ),
        (5, 7)
    );
}

#[test]
fn one_count_sizing_two_arrays() {
    let v: CustomHeader = round_trip("CustomHeader");
    assert_eq!(v.p_sizes.as_deref(), Some(&[100, 200][..]));
    assert_eq!(v.pclsid.as_ref().map(Vec::len), Some(2));
    // Arrays that one count sizes must agree in length to be sent.
    let mut bad = v.clone();
    bad.p_sizes = Some(vec![1, 2, 3]);
    assert!(msrpc::ndr::try_to_bytes(&bad).is_err());
}

#[test]
fn a_sixteen_bit_count() {
    let v: customREMOTE_REQUEST_SCM_INFO = round_trip("customREMOTE_REQUEST_SCM_INFO");
    assert_eq!(v.p_requested_protseqs.as_deref(), Some(&[7u16][..]));
}

#[test]
fn a_count_that_disagrees_with_the_array_behind_its_pointer_is_refused() {
    // cRequestedProtseqs says 2, the array's max_count says 1.
    let mut bytes = vector("customREMOTE_REQUEST_SCM_INFO");
    bytes[4] = 2;
    let err = from_bytes::<customREMOTE_REQUEST_SCM_INFO>(&bytes).expect_err("inconsistent");
    assert!(
        matches!(
            err.kind,
            msrpc::ndr::ErrorKind::Mismatch {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn range_is_enforced_when_encoding_too() {
    // cIfs is implied by the arrays; with none it would be 0, outside [1, 10].
    let head = CustomHeader {
        total_size: 0,
        header_size: 0,
        dw_reserved: 0,
        dest_ctx: 0,
        class_info_clsid: uuid::Uuid::nil(),
        pclsid: None,
        p_sizes: None,
        pdw_reserved: None,
    };
    let err = msrpc::ndr::try_to_bytes(&head).expect_err("cIfs = 0");
    assert!(
        matches!(
            err.kind,
            msrpc::ndr::ErrorKind::Range {
                value: 0,
                min: 1,
                max: 10
            }
        ),
        "{err}"
    );
}

#[test]
fn rpc_unicode_string_sends_length_and_maximum_separately() {
    // MS-DTYP 2.3.10: Length 8 bytes of text in a 10-byte buffer.
    let s = RPC_UNICODE_STRING {
        length: 8,
        maximum_length: 10,
        buffer: Some("abcd".encode_utf16().collect()),
    };
    #[rustfmt::skip]
    let expected = [
        8, 0, 10, 0, 0, 0, 2, 0,                    // Length, MaximumLength, referent
        5, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0,         // max_count 5, offset 0, actual 4
        b'a', 0, b'b', 0, b'c', 0, b'd', 0,
    ];
    let bytes = to_bytes(&s);
    assert_eq!(bytes, expected);
    assert_eq!(from_bytes::<RPC_UNICODE_STRING>(&bytes), Ok(s.clone()));
    // Length must describe the data it comes with.
    let wrong = RPC_UNICODE_STRING { length: 6, ..s };
    assert!(msrpc::ndr::try_to_bytes(&wrong).is_err());
    let mut lying = expected;
    lying[8] = 6; // max_count 6, but MaximumLength / 2 = 5
    assert!(from_bytes::<RPC_UNICODE_STRING>(&lying).is_err());
}

#[test]
fn props_out_info_one_count_for_three_arrays() {
    let mip = |b: &[u8]| {
        Some(Box::new(MInterfacePointer {
            ab_data: b.to_vec(),
        }))
    };
    let v = PropsOutInfo {
        piid: Some(vec![guid("00000000-0000-0000-c000-000000000046"); 2]),
        phresults: Some(vec![0, -2147467262]),
        pp_intf_data: Some(vec![mip(b"OBJ1"), None]),
    };
    let bytes = to_bytes(&v);
    // cIfs, written from the arrays' common length, then three referents.
    assert_eq!(bytes[..4], [2, 0, 0, 0]);
    assert_eq!(from_bytes::<PropsOutInfo>(&bytes), Ok(v.clone()));
    // Arrays of different lengths cannot share one cIfs.
    let uneven = PropsOutInfo {
        phresults: Some(vec![0]),
        ..v
    };
    assert!(msrpc::ndr::try_to_bytes(&uneven).is_err());
}
