//! Our encodings of the ORPC base types, checked by Samba's ndrdump (Debian
//! `samba-testsuite`, which `.ci/run` installs): it must parse them, print
//! the values we put in, and re-encode them identically (`--validate`).
//! MInterfacePointer and DUALSTRINGARRAY are left out: Samba's IDL for them
//! predates MS-DCOM (it parses abData as an OBJREF and the string array as
//! bindings), and where they differ the spec wins.

use std::process::Command;

use msrpc::dcom::*;
use msrpc::ndr::{to_bytes, Ndr};

fn ndrdump<T: Ndr>(name: &str, value: &T) -> Option<String> {
    if Command::new("ndrdump").arg("--help").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install samba-testsuite for ndrdump"
        );
        eprintln!("skipped: ndrdump not installed (apt-get install samba-testsuite)");
        return None;
    }
    let path =
        std::env::temp_dir().join(format!("msrpc-ndrdump-{}-{name}.bin", std::process::id()));
    std::fs::write(&path, to_bytes(value)).expect("write");
    let out = Command::new("ndrdump")
        .args(["ObjectRpcBaseTypes", name, "struct"])
        .arg(&path)
        .arg("--validate")
        .output()
        .expect("ndrdump runs");
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "ndrdump failed on our {name}:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("dump OK"),
        "ndrdump did not validate our {name}:\n{stdout}"
    );
    Some(stdout)
}

fn guid(s: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(s).expect("uuid")
}

#[test]
#[cfg_attr(
    not(has_ndrdump),
    ignore = "needs Samba's ndrdump: apt-get install samba-testsuite"
)]
fn samba_reads_our_orpcthis_with_extensions() {
    let this = ORPCTHIS {
        version: COMVERSION {
            major_version: 5,
            minor_version: 7,
        },
        flags: 1,
        reserved1: 0,
        cid: guid("2a6fe89a-1f0e-4a4c-9d6c-3b6c6e8e2f11"),
        extensions: Some(Box::new(ORPC_EXTENT_ARRAY {
            size: 1,
            reserved: 0,
            extent: Some(vec![
                Some(Box::new(ORPC_EXTENT {
                    id: guid("f1f19680-4d2a-11ce-a66a-0020af6e72f4"),
                    size: 3,
                    data: b"abc\0\0\0\0\0".to_vec(),
                })),
                None,
            ]),
        })),
    };
    let Some(out) = ndrdump("ORPCTHIS", &this) else {
        return;
    };
    for line in [
        "MinorVersion             : 0x0007 (7)",
        "cid                      : 2a6fe89a-1f0e-4a4c-9d6c-3b6c6e8e2f11",
        "id                       : f1f19680-4d2a-11ce-a66a-0020af6e72f4",
        "size                     : 0x00000003 (3)",
        "data: ARRAY(8)",
        "extent: ARRAY(2)",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
}

#[test]
#[cfg_attr(
    not(has_ndrdump),
    ignore = "needs Samba's ndrdump: apt-get install samba-testsuite"
)]
fn samba_reads_our_orpcthat_and_stdobjref() {
    let that = ORPCTHAT {
        flags: 0,
        extensions: None,
    };
    if let Some(out) = ndrdump("ORPCTHAT", &that) {
        assert!(out.contains("extensions               : NULL"), "{out}");
    }
    let std = STDOBJREF {
        flags: 0x1000,
        c_public_refs: 5,
        oxid: 0x1122_3344_5566_7788,
        oid: 0x99AA_BBCC_DDEE_FF00,
        ipid: guid("00009801-1234-5678-9abc-def012345678"),
    };
    if let Some(out) = ndrdump("STDOBJREF", &std) {
        assert!(out.contains("0x1122334455667788"), "{out}");
        assert!(
            out.contains("00009801-1234-5678-9abc-def012345678"),
            "{out}"
        );
    }
}
