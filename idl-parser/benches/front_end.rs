//! Front-end speed: preprocess, parse and resolve, in MB/s of IDL.
//!
//! `cargo bench -p msrpc-idl --bench front_end`

use std::fmt::Write;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use msrpc_idl::{load, load_str, Options};

fn idl_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/idl")
}

/// A large IDL of the shapes ms-dcom.idl uses: structs with conformant and
/// embedded-pointer members, unions, and interfaces with correlated params.
fn synthetic(interfaces: usize, methods: usize) -> String {
    let mut s = String::from("import \"ms-dtyp.idl\";\n#define MAX_ITEMS 0x1000\n");
    for i in 0..interfaces {
        let _ = write!(
            s,
            "typedef struct tagITEM{i} {{\n    unsigned long cb;\n    [size_is((cb + 7) & ~7)] byte data[];\n}} ITEM{i};\n\
             typedef struct tagLIST{i} {{\n    unsigned short count;\n    [size_is(count), unique] ITEM{i} **items;\n    \
             [string, unique] wchar_t *name;\n}} LIST{i};\n\
             typedef [switch_type(long)] union tagU{i} {{\n    [case(1)] long a;\n    [case(2)] hyper b;\n    [default] ;\n}} U{i};\n\
             [object, uuid({i:08x}-0000-0000-c000-000000000046), pointer_default(unique)]\n\
             interface IThing{i} {}\n{{\n",
            if i == 0 { String::new() } else { format!(": IThing{}", i - 1) }
        );
        for m in 0..methods {
            let _ = writeln!(
                s,
                "    HRESULT Method{m}([in, range(1, MAX_ITEMS)] unsigned long count, [in, size_is(count)] LIST{i} *lists, \
                 [in] long tag, [in, switch_is(tag)] U{i} *u, [out, size_is(, count)] DWORD **results);"
            );
        }
        s.push_str("}\n\n");
    }
    s
}

fn bench(c: &mut Criterion) {
    let opts = Options {
        include_dirs: vec![idl_dir()],
        ..Options::default()
    };
    let mut group = c.benchmark_group("front_end");

    let dcom_path = idl_dir().join("ms-dcom.idl");
    let dcom_len = std::fs::read(&dcom_path).map_or(0, |b| b.len())
        + std::fs::read(idl_dir().join("ms-dtyp.idl")).map_or(0, |b| b.len());
    group.throughput(Throughput::Bytes(dcom_len as u64));
    group.bench_function("ms-dcom.idl", |b| {
        b.iter(|| {
            let out = load(std::slice::from_ref(&dcom_path), &opts);
            assert!(out.model.is_some());
        })
    });

    let big = synthetic(200, 10);
    group.throughput(Throughput::Bytes(big.len() as u64));
    group.bench_function(format!("synthetic-{}KiB", big.len() / 1024), |b| {
        b.iter(|| {
            let out = load_str("synthetic.idl", &big, &opts);
            assert!(out.model.is_some(), "{}", out.render());
        })
    });

    // A large real file, when Wine's IDL files are installed.
    let wine = Path::new("/usr/include/wine/wine/windows");
    let mshtml = wine.join("mshtml.idl");
    if mshtml.is_file() {
        let wine_opts = Options {
            include_dirs: vec![wine.to_path_buf()],
            ..Options::default()
        };
        let len = std::fs::read(&mshtml).map_or(0, |b| b.len());
        group.throughput(Throughput::Bytes(len as u64));
        group.sample_size(10);
        group.bench_function("wine-mshtml.idl", |b| {
            b.iter(|| load(std::slice::from_ref(&mshtml), &wine_opts))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
