//! NDR20 throughput against memcpy of the same bytes, in one run.
//!
//! `cargo bench -p msrpc --bench ndr`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use msrpc::dcom::i_rem_unknown::RemReleaseRequest;
use msrpc::dcom::{
    MInterfacePointer, COMVERSION, DUALSTRINGARRAY, ORPCTHIS, ORPC_EXTENT, ORPC_EXTENT_ARRAY,
    REMINTERFACEREF,
};
use msrpc::ndr::{from_bytes, to_bytes, Decoder, Encoder};

const MIB: usize = 1 << 20;

fn memcpy(c: &mut Criterion) {
    let src = vec![0x5Au8; 4 * MIB];
    let mut g = c.benchmark_group("memcpy");
    for size in [MIB, 4 * MIB] {
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function(format!("{}MiB", size / MIB), |b| {
            b.iter(|| {
                let mut dst = Vec::with_capacity(size);
                dst.extend_from_slice(black_box(&src[..size]));
                dst
            })
        });
    }
    g.finish();
}

fn bulk(c: &mut Criterion) {
    let mut g = c.benchmark_group("ndr");
    let mip = MInterfacePointer {
        ab_data: vec![0x5A; MIB],
    };
    let bytes = to_bytes(&mip);
    g.throughput(Throughput::Bytes(MIB as u64));
    g.bench_function("encode 1MiB byte array", |b| {
        b.iter(|| to_bytes(black_box(&mip)))
    });
    g.bench_function("decode 1MiB byte array", |b| {
        b.iter(|| from_bytes::<MInterfacePointer>(black_box(&bytes)))
    });

    let words: Vec<u32> = (0..MIB as u32).collect();
    let mut e = Encoder::new();
    e.count(words.len()).expect("count");
    e.u32s(&words);
    let encoded = e.into_bytes();
    g.throughput(Throughput::Bytes(4 * MIB as u64));
    g.bench_function("encode 1Mi u32 array", |b| {
        b.iter(|| {
            let mut e = Encoder::new();
            e.count(black_box(&words).len()).expect("count");
            e.u32s(&words);
            e.into_bytes()
        })
    });
    g.bench_function("decode 1Mi u32 array", |b| {
        b.iter(|| {
            let mut d = Decoder::new(black_box(&encoded));
            let n = d.count().expect("count");
            d.u32s(n as usize).expect("elements")
        })
    });

    // The largest RemRelease (cInterfaceRefs is 16 bits), through the
    // generated request: ORPCTHIS, the count, then 24-byte structs.
    let release = RemReleaseRequest {
        orpcthis: msrpc::orpc::orpcthis(),
        interface_refs: (0..u32::from(u16::MAX))
            .map(|i| REMINTERFACEREF {
                ipid: uuid::Uuid::from_u128(u128::from(i)),
                c_public_refs: i,
                c_private_refs: 0,
            })
            .collect(),
    };
    let release_bytes = to_bytes(&release);
    g.throughput(Throughput::Bytes(release_bytes.len() as u64));
    g.bench_function("encode RemRelease 65535 REMINTERFACEREF", |b| {
        b.iter(|| to_bytes(black_box(&release)))
    });
    g.bench_function("decode RemRelease 65535 REMINTERFACEREF", |b| {
        b.iter(|| from_bytes::<RemReleaseRequest>(black_box(&release_bytes)))
    });

    // 64 string bindings "ncacn_ip_tcp:10.0.0.N[135]", then NTLM security.
    let mut words = Vec::new();
    for i in 0..64 {
        words.push(7u16);
        words.extend(format!("10.0.0.{i}[135]").encode_utf16());
        words.push(0);
    }
    words.push(0);
    let sec = words.len() as u16;
    words.extend([10, 0xFFFF, 0, 0]);
    let dsa = DUALSTRINGARRAY {
        w_security_offset: sec,
        a_string_array: words,
    };
    let dsa_bytes = to_bytes(&dsa);
    g.throughput(Throughput::Bytes(dsa_bytes.len() as u64));
    g.bench_function("encode DUALSTRINGARRAY 64 bindings", |b| {
        b.iter(|| to_bytes(black_box(&dsa)))
    });
    g.bench_function("decode DUALSTRINGARRAY 64 bindings", |b| {
        b.iter(|| from_bytes::<DUALSTRINGARRAY>(black_box(&dsa_bytes)))
    });

    let this = ORPCTHIS {
        version: COMVERSION {
            major_version: 5,
            minor_version: 7,
        },
        flags: 0,
        reserved1: 0,
        cid: uuid::Uuid::from_u128(7),
        extensions: Some(Box::new(ORPC_EXTENT_ARRAY {
            size: 2,
            reserved: 0,
            extent: Some(vec![
                Some(Box::new(ORPC_EXTENT {
                    id: uuid::Uuid::from_u128(1),
                    size: 64,
                    data: vec![1; 64],
                })),
                Some(Box::new(ORPC_EXTENT {
                    id: uuid::Uuid::from_u128(2),
                    size: 13,
                    data: vec![2; 16],
                })),
            ]),
        })),
    };
    let this_bytes = to_bytes(&this);
    g.throughput(Throughput::Bytes(this_bytes.len() as u64));
    g.bench_function("encode ORPCTHIS with extensions", |b| {
        b.iter(|| to_bytes(black_box(&this)))
    });
    g.bench_function("decode ORPCTHIS with extensions", |b| {
        b.iter(|| from_bytes::<ORPCTHIS>(black_box(&this_bytes)))
    });
    g.finish();
}

criterion_group!(benches, memcpy, bulk);
criterion_main!(benches);
