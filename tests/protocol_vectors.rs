//! The protocol IDL files (MS-SCMR, MS-LSAD, MS-RRP, MS-SRVS, MS-NRPC,
//! MS-EVEN, MS-SAMR, the endpoint mapper) generate Rust that compiles, and
//! that Rust decodes stub data impacket encoded (tests/vectors/impacket,
//! made by make_vectors.py, and checked against Samba's ndrdump by
//! check_ndrdump.py) and encodes it again byte for byte.

// Generated names follow the IDL; not every generated item is used here.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod scmr {
    include!(concat!(env!("OUT_DIR"), "/protocol_scmr.rs"));
}
// Generated names follow the IDL; not every generated item is used here.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod samr {
    include!(concat!(env!("OUT_DIR"), "/protocol_samr.rs"));
}
// Generated names follow the IDL; not every generated item is used here.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod epm {
    include!(concat!(env!("OUT_DIR"), "/protocol_epm.rs"));
}
// Generated names follow the IDL; not every generated item is used here.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod lsad {
    include!(concat!(env!("OUT_DIR"), "/protocol_lsad.rs"));
}
// Generated names follow the IDL; not every generated item is used here.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod rrp {
    include!(concat!(env!("OUT_DIR"), "/protocol_rrp.rs"));
}
// Generated names follow the IDL; not every generated item is used here.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod srvs {
    include!(concat!(env!("OUT_DIR"), "/protocol_srvs.rs"));
}
// Generated names follow the IDL; not every generated item is used here.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod nrpc {
    include!(concat!(env!("OUT_DIR"), "/protocol_nrpc.rs"));
}
// Generated names follow the IDL; not every generated item is used here.
#[allow(
    non_camel_case_types,
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::all
)]
mod even {
    include!(concat!(env!("OUT_DIR"), "/protocol_even.rs"));
}

use msrpc_tests::workspace;

/// Bytes a response cannot give again on its own: a maximum count that an
/// [in] parameter sizes (`size_is(max_towers)`), which only the request
/// carries. The decoder checks them against the data; the encoder, given
/// no request, writes the actual count.
const FROM_THE_REQUEST: &[(&str, usize)] = &[("epm-ept_map-out", 24), ("epm-ept_lookup-out", 24)];

type Decoder = fn(&str, &[u8]) -> Option<msrpc::ndr::Result<msrpc::ndr::Decoded>>;

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).expect("ascii"), 16).expect("hex"))
        .collect()
}

#[test]
fn impacket_vectors_decode_and_encode_again_byte_for_byte() {
    let dir = workspace().join("tests/vectors/impacket");
    let text = std::fs::read_to_string(dir.join("vectors.json")).expect("vectors.json");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let vectors = json["vectors"].as_array().expect("a list of vectors");
    let mut checked = 0;
    for v in vectors {
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        // impacket's own deviations from the spec are kept as vectors for
        // the record; the spec wins, so they are not decoded as correct.
        if v["spec_conformant"] != serde_json::Value::Bool(true) {
            continue;
        }
        let (decode, name): (Decoder, String) = match s("interface").as_str() {
            "svcctl" => (
                scmr::decode_by_name,
                format!("svcctl.{}:{}", s("spec_method"), s("direction")),
            ),
            "samr" => (samr::decode_by_name, s("decode")),
            "epm" => (epm::decode_by_name, s("decode")),
            "IObjectExporter" | "IRemUnknown" => (msrpc::dcom::decode_by_name, s("decode")),
            _ => continue,
        };
        let mut bytes = hex(&std::fs::read_to_string(dir.join(s("file"))).expect("hex file"));
        // Alignment padding is filled with a marker byte, to catch a
        // decoder that reads it; an encoder writes zeros there.
        for p in v["padding"].as_array().into_iter().flatten() {
            let (at, n) = (
                p["offset"].as_u64().unwrap_or(0),
                p["length"].as_u64().unwrap_or(0),
            );
            for b in bytes.iter_mut().skip(at as usize).take(n as usize) {
                *b = 0;
            }
        }
        let (value, again) = match decode(&name, &bytes) {
            Some(Ok(r)) => {
                assert!(
                    r.same_value,
                    "{}: {name} does not survive a round trip",
                    s("name")
                );
                (r.text, r.again)
            }
            Some(Err(e)) => panic!("{}: {name} does not decode: {e}", s("name")),
            None => panic!("{}: no type {name}", s("name")),
        };
        assert_eq!(again.len(), bytes.len(), "{}: {value}", s("name"));
        // impacket draws referent IDs at random; ours count up from
        // 0x20000, as MIDL's do. Where the vector has one of its IDs, ours
        // must be a referent ID too; every other byte is the same.
        let ids: Vec<u32> = v["referent_ids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_u64().map(|n| n as u32))
            .collect();
        let word =
            |b: &[u8], at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
        let mut at = 0;
        while at < bytes.len() {
            if FROM_THE_REQUEST.contains(&(s("name").as_str(), at)) {
                at += 4;
                continue;
            }
            let aligned = at % 4 == 0 && at + 4 <= bytes.len();
            if aligned && ids.contains(&word(&bytes, at)) && word(&again, at) != word(&bytes, at) {
                let mine = word(&again, at);
                assert!(
                    mine >= 0x20000 && mine % 4 == 0,
                    "{}: no referent ID at {at}: {mine:#x}",
                    s("name")
                );
                at += 4;
                continue;
            }
            assert_eq!(
                again[at],
                bytes[at],
                "{}: byte {at} differs\n{value}",
                s("name")
            );
            at += 1;
        }
        // The values impacket put in are the ones decoded.
        for (_, want) in v["fields"].as_object().into_iter().flatten() {
            // Byte arrays are hex text; the bytes are compared above.
            let bytes_hex =
                |t: &str| t.len().is_multiple_of(2) && t.bytes().all(|b| b.is_ascii_hexdigit());
            if let Some(text) = want.as_str().filter(|t| !bytes_hex(t)) {
                assert!(
                    value.contains(text.trim_start_matches('\\')),
                    "{}: {text:?} not in {value}",
                    s("name")
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} vectors checked");
}
