//! The `msidl` command against Wine's `widl`, in one run, on the same IDL:
//! both as processes, so that each pays its own start-up.
//!
//! `cargo bench -p msidl --bench vs_widl`
//!
//! widl comes from Debian's `mingw-w64-tools` (`x86_64-w64-mingw32-widl`)
//! and writes a C header and proxy (`-h -p`); msidl checks (`check`) and
//! writes Rust with NDR marshaling, traits, stubs and proxies (`gen`). The
//! Wine inputs come from `libwine-dev`. Whatever is missing is skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const WIDL: &str = "x86_64-w64-mingw32-widl";
const WINE: &str = "/usr/include/wine/wine/windows";

fn idl_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/idl")
}

/// Runs a command to completion; it must exit with `code`, or the figure
/// is void.
fn run(cmd: &mut Command, code: i32) {
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("spawn");
    assert_eq!(status.code(), Some(code), "{cmd:?}");
}

fn widl_present() -> bool {
    Command::new(WIDL)
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

struct Input {
    name: &'static str,
    /// What msidl reads.
    file: PathBuf,
    /// What widl reads: the same file, or a copy it accepts.
    widl_file: PathBuf,
    include: PathBuf,
    /// `gen` arguments beyond the file, or `None` where the input itself
    /// has an error, which `check` reports (exit status 1).
    gen: Option<&'static [&'static str]>,
}

/// widl refuses ms-dcom.idl's `disable_consistency_check` on a typedef (an
/// attribute newer than widl); it gets a copy without the attribute.
fn ms_dcom_for_widl(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(idl_dir().join("ms-dcom.idl")).expect("ms-dcom.idl");
    let text = text
        .replace(", disable_consistency_check", "")
        .replace("[disable_consistency_check] ", "");
    std::fs::write(dir.join("ms-dcom.idl"), text).expect("write");
    std::fs::copy(idl_dir().join("ms-dtyp.idl"), dir.join("ms-dtyp.idl")).expect("copy");
    dir.join("ms-dcom.idl")
}

fn inputs(scratch: &Path) -> Vec<Input> {
    let mut v = vec![Input {
        name: "ms-dcom.idl",
        file: idl_dir().join("ms-dcom.idl"),
        widl_file: ms_dcom_for_widl(scratch),
        include: idl_dir(),
        gen: Some(&[]),
    }];
    let wine = Path::new(WINE);
    if wine.join("msxml2.idl").is_file() {
        // gen --root-only: wtypes.idl, which every Wine file imports, has
        // `void *` members the Rust back end does not write yet.
        v.push(Input {
            name: "wine-msxml2.idl",
            file: wine.join("msxml2.idl"),
            widl_file: wine.join("msxml2.idl"),
            include: wine.to_path_buf(),
            gen: Some(&["--root-only"]),
        });
        // gen stops at Wine's `[out] BOOL fAtStart`, which MIDL refuses too.
        v.push(Input {
            name: "wine-mshtml.idl",
            file: wine.join("mshtml.idl"),
            widl_file: wine.join("mshtml.idl"),
            include: wine.to_path_buf(),
            gen: None,
        });
    }
    v
}

fn bench(c: &mut Criterion) {
    let msidl = env!("CARGO_BIN_EXE_msidl");
    let scratch = std::env::temp_dir().join(format!("msidl-vs-widl-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let widl = widl_present();
    if !widl {
        eprintln!("{WIDL} not installed (Debian mingw-w64-tools): msidl alone");
    }
    for input in inputs(&scratch) {
        let len = std::fs::metadata(&input.file).map_or(0, |m| m.len());
        let mut group = c.benchmark_group(input.name);
        group.throughput(Throughput::Bytes(len));
        group.sample_size(10);
        if widl {
            let header = scratch.join("out.h");
            let proxy = scratch.join("out_p.c");
            group.bench_function("widl -h -p", |b| {
                b.iter(|| {
                    run(
                        Command::new(WIDL)
                            .arg("-I")
                            .arg(&input.include)
                            .arg("-h")
                            .arg("-H")
                            .arg(&header)
                            .arg("-p")
                            .arg("-P")
                            .arg(&proxy)
                            .arg(&input.widl_file),
                        0,
                    )
                })
            });
        }
        let check_status = if input.gen.is_some() { 0 } else { 1 };
        group.bench_function("msidl check", |b| {
            b.iter(|| {
                run(
                    Command::new(msidl)
                        .arg("check")
                        .arg("-I")
                        .arg(&input.include)
                        .arg(&input.file),
                    check_status,
                )
            })
        });
        if let Some(args) = input.gen {
            let out = scratch.join("out.rs");
            group.bench_function("msidl gen", |b| {
                b.iter(|| {
                    run(
                        Command::new(msidl)
                            .arg("gen")
                            .args(args)
                            .arg("-I")
                            .arg(&input.include)
                            .arg(&input.file)
                            .arg("-o")
                            .arg(&out),
                        0,
                    )
                })
            });
        }
        group.finish();
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

criterion_group!(benches, bench);
criterion_main!(benches);
