//! The `msidl` command: check IDL files and dump their resolved model.
#![forbid(unsafe_code)]

mod dump;

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use msrpc_idl::Options;

#[derive(Parser)]
#[command(
    name = "msidl",
    version,
    about = "Microsoft IDL to Rust DCOM: checks, dumps and generates"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse and resolve IDL files; exit 1 with diagnostics on any error.
    Check {
        #[command(flatten)]
        front: FrontEnd,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write Rust types with NDR20 marshaling for an IDL file.
    Gen {
        #[command(flatten)]
        front: FrontEnd,
        /// The IDL files; more than one needs --out-dir.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Where to write the Rust; standard output if absent.
        #[arg(short = 'o', value_name = "OUT.rs", conflicts_with = "out_dir")]
        out: Option<PathBuf>,
        /// Write one module per IDL file (the roots and what they
        /// import) into DIR, with DIR/mod.rs declaring them.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
        /// With --out-dir, where the modules sit in the user's crate:
        /// how each refers to the others.
        #[arg(long, value_name = "PATH", default_value = "crate")]
        module_path: String,
        /// Path of the runtime crate in the generated code.
        #[arg(long, default_value = "::msrpc")]
        runtime: String,
        /// Generate only the root file's declarations, not its imports'.
        #[arg(long)]
        root_only: bool,
        /// Generate imported built-in files too (ms-dcom.idl...), rather
        /// than referring to the runtime's modules for them.
        #[arg(long)]
        no_builtin_externs: bool,
        /// Use existing Rust for an imported file's types, as
        /// FILE=MODULE (e.g. base.idl=crate::base); repeatable. Imported
        /// built-in files (ms-dcom.idl...) are the runtime's modules already.
        #[arg(long = "extern", value_name = "FILE=MODULE")]
        externs: Vec<String>,
        /// An attribute for every generated type, e.g.
        /// '#[derive(Hash)]'; repeatable.
        #[arg(long = "type-attribute", value_name = "ATTR")]
        type_attributes: Vec<String>,
    },
    /// Work with NDR20 stub data.
    Ndr {
        #[command(subcommand)]
        command: NdrCommand,
    },
    /// Print the resolved model: each type, interface and constant, every
    /// field and parameter with its NDR levels.
    Dump {
        /// Print it as JSON, every detail the model holds.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        front: FrontEnd,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum NdrCommand {
    /// Decode stub data as a type of the built-in IDLs (MS-DCOM, MS-DTYP,
    /// OLE Automation), print it, and check it: exit 0 when it decodes,
    /// with nothing left over, to a value that survives a round trip.
    /// Bytes that differ only in padding or referent ids are a note.
    Decode {
        /// A type of ms-dcom.idl or ms-dtyp.idl, such as ORPCTHIS; or a
        /// method's stub data as `Interface.Method:in` (the request) or
        /// `Interface.Method:out` (the response), such as
        /// `IRemUnknown.RemQueryInterface:in`.
        #[arg(value_name = "TYPE | IFACE.METHOD:in|out")]
        type_name: String,
        file: PathBuf,
        /// The file holds hexadecimal text rather than bytes.
        #[arg(long)]
        hex: bool,
    },
}

#[derive(Args)]
struct FrontEnd {
    /// Add a folder to the import and include search path.
    #[arg(short = 'I', value_name = "DIR")]
    include: Vec<PathBuf>,
    /// Define a preprocessor macro: NAME or NAME=VALUE.
    #[arg(short = 'D', value_name = "NAME[=VALUE]")]
    define: Vec<String>,
    /// Read this ACF file rather than the X.acf beside X.idl; repeatable,
    /// matched to the IDL files by name.
    #[arg(long, value_name = "FILE.acf")]
    acf: Vec<PathBuf>,
    /// Keep unknown attributes as warnings, as widl does, rather than the
    /// errors MIDL gives.
    #[arg(long)]
    lenient_attributes: bool,
    /// Colour the diagnostics: `auto` when standard error is a terminal
    /// (and NO_COLOR is unset).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl Color {
    fn choice(self) -> ColorChoice {
        use std::io::IsTerminal;
        match self {
            // termcolor's Auto checks TERM and NO_COLOR, not the stream.
            Color::Auto if io::stderr().is_terminal() => ColorChoice::Auto,
            Color::Auto | Color::Never => ColorChoice::Never,
            Color::Always => ColorChoice::Always,
        }
    }
}

impl FrontEnd {
    fn options(&self) -> Options {
        Options {
            include_dirs: self.include.clone(),
            builtins: msrpc_codegen::builtin::FILES,
            acf: self.acf.clone(),
            lenient_attributes: self.lenient_attributes,
            defines: self
                .define
                .iter()
                .map(|d| match d.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (d.clone(), None),
                })
                .collect(),
        }
    }
}

/// Why a command failed. The IDL's own errors are not among these: they
/// are diagnostics, printed as the front end finds them.
#[derive(Debug, thiserror::Error)]
enum Error {
    #[error("--extern takes FILE=MODULE, found `{0}`")]
    ExternSyntax(String),
    #[error("--extern names `{0}`, which this IDL does not import")]
    ExternNotImported(String),
    #[error("more than one IDL file needs --out-dir, for a module per file")]
    ManyFilesNeedOutDir,
    #[error(transparent)]
    Codegen(#[from] msrpc_codegen::rust::Error),
    #[error("cannot read `{}`: {err}", path.display())]
    Read { path: PathBuf, err: io::Error },
    #[error("cannot write `{}`: {err}", path.display())]
    Write { path: PathBuf, err: io::Error },
    #[error("`{}` is not hexadecimal text", .0.display())]
    NotHex(PathBuf),
    #[error("cannot write the output: {0}")]
    Output(io::Error),
    #[error("cannot print diagnostics: {0}")]
    Diagnostics(io::Error),
    #[error("cannot serialize the model: {0}")]
    Json(#[from] serde_json::Error),
    #[cfg(not(feature = "ndr"))]
    #[error("this msidl was built without the `ndr` feature")]
    NoNdr,
    #[cfg(feature = "ndr")]
    #[error("unknown type `{name}`; known: {}, {}, {}", msrpc::dcom::TYPE_NAMES.join(", "), msrpc::oaut::TYPE_NAMES.join(", "), msrpc::com::TYPE_NAMES.join(", "))]
    UnknownType { name: String },
    #[cfg(feature = "ndr")]
    #[error(transparent)]
    Ndr(#[from] msrpc::ndr::Error),
    #[cfg(feature = "ndr")]
    #[error("the value does not survive a round trip:\n  input  {}\n  output {}", to_hex(.input), to_hex(.output))]
    Reencoded { input: Vec<u8>, output: Vec<u8> },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs a command: failure when the IDL has errors (their diagnostics
/// already printed), or an [`Error`] for `main` to print.
fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Check { front, files } => Ok(match resolve(&front, &files)? {
            Some(model) => {
                println!("{}", summary(&model, files.len()));
                ExitCode::SUCCESS
            }
            None => ExitCode::FAILURE,
        }),
        Command::Gen {
            front,
            files,
            out,
            out_dir,
            module_path,
            runtime,
            root_only,
            externs,
            no_builtin_externs,
            type_attributes,
        } => {
            let how = How {
                runtime,
                root_only,
                externs,
                builtin_externs: !no_builtin_externs,
                type_attributes,
            };
            match (out_dir, files.as_slice()) {
                (Some(dir), _) => generate_dir(&front, &files, &dir, &module_path, how),
                (None, [file]) => generate(&front, file, out.as_deref(), how),
                (None, _) => Err(Error::ManyFilesNeedOutDir),
            }
        }
        Command::Ndr {
            command:
                NdrCommand::Decode {
                    type_name,
                    file,
                    hex,
                },
        } => ndr_decode(&type_name, &file, hex),
        Command::Dump { json, front, file } => {
            let Some(model) = resolve(&front, &[file])? else {
                return Ok(ExitCode::FAILURE);
            };
            let text = if json {
                serde_json::to_string_pretty(&model)? + "\n"
            } else {
                dump::text(&model)
            };
            print_out(&text)
        }
    }
}

/// Loads and resolves `files`, printing the diagnostics; the model if
/// there was no error.
fn resolve(front: &FrontEnd, files: &[PathBuf]) -> Result<Option<msrpc_idl::Model>, Error> {
    let out = msrpc_idl::load(files, &front.options());
    if !out.diagnostics.is_empty() {
        let mut stderr = StandardStream::stderr(front.color.choice());
        out.diagnostics
            .emit(&out.sources, &mut stderr)
            .map_err(Error::Diagnostics)?;
    }
    Ok(out.model)
}

/// `check`'s line on success: what the roots hold, with their imports.
fn summary(model: &msrpc_idl::Model, roots: usize) -> String {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    format!(
        "ok: {} ({} with imports): {}, {}, {}",
        plural(roots, "file"),
        plural(
            model.files.iter().filter(|f| !f.path.is_empty()).count(),
            "file"
        ),
        plural(model.interfaces.len(), "interface"),
        plural(model.types.len(), "type"),
        plural(model.constants.len(), "constant"),
    )
}

/// `msidl gen`'s options for the back end.
struct How {
    runtime: String,
    root_only: bool,
    externs: Vec<String>,
    builtin_externs: bool,
    type_attributes: Vec<String>,
}

fn generate(
    front: &FrontEnd,
    file: &Path,
    out: Option<&Path>,
    how: How,
) -> Result<ExitCode, Error> {
    let Some(model) = resolve(front, &[file.to_path_buf()])? else {
        return Ok(ExitCode::FAILURE);
    };
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let opts = options(&model, how, source)?;
    let code = msrpc_codegen::rust::generate(&model, &opts)?;
    match out {
        Some(path) => std::fs::write(path, code).map_err(|err| Error::Write {
            path: path.to_path_buf(),
            err,
        })?,
        None => return print_out(&code),
    }
    Ok(ExitCode::SUCCESS)
}

/// The back end's options from the command line's.
fn options(
    model: &msrpc_idl::Model,
    how: How,
    source_name: String,
) -> Result<msrpc_codegen::rust::Options, Error> {
    let How {
        runtime,
        root_only,
        externs,
        builtin_externs,
        type_attributes,
    } = how;
    let mut extern_modules = Vec::new();
    for spec in &externs {
        let (name, module) = spec
            .split_once('=')
            .ok_or_else(|| Error::ExternSyntax(spec.clone()))?;
        let imported = model
            .files
            .iter()
            .any(|f| Path::new(&f.path).file_name().is_some_and(|n| n == name));
        if !imported {
            return Err(Error::ExternNotImported(name.to_string()));
        }
        extern_modules.push((name.to_string(), module.to_string()));
    }
    Ok(msrpc_codegen::rust::Options {
        runtime,
        root_only,
        builtin_externs,
        source_name,
        externs: extern_modules,
        type_attributes,
        ..Default::default()
    })
}

/// `msidl gen --out-dir`: a module per IDL file, and a mod.rs.
fn generate_dir(
    front: &FrontEnd,
    files: &[PathBuf],
    dir: &Path,
    parent: &str,
    how: How,
) -> Result<ExitCode, Error> {
    let Some(model) = resolve(front, files)? else {
        return Ok(ExitCode::FAILURE);
    };
    let opts = options(&model, how, String::new())?;
    let written = msrpc_codegen::rust::generate_files(&model, &opts, parent)?;
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|err| Error::Write { path, err })
    };
    std::fs::create_dir_all(dir).map_err(|err| Error::Write {
        path: dir.to_path_buf(),
        err,
    })?;
    let mut index = String::from("// @generated by msidl gen. Do not edit: regenerate.\n\n");
    for f in &written {
        write(dir.join(format!("{}.rs", f.module)), &f.generated.code)?;
        index += &format!("/// From `{}`.\npub mod {};\n", f.path, f.module);
        for why in &f.generated.skipped {
            eprintln!("warning: {}: {why}", f.path);
        }
    }
    write(dir.join("mod.rs"), &index)?;
    Ok(ExitCode::SUCCESS)
}

fn ndr_decode(type_name: &str, file: &Path, hex: bool) -> Result<ExitCode, Error> {
    let raw = std::fs::read(file).map_err(|err| Error::Read {
        path: file.to_path_buf(),
        err,
    })?;
    let bytes = if hex {
        parse_hex(&raw).ok_or_else(|| Error::NotHex(file.to_path_buf()))?
    } else {
        raw
    };
    #[cfg(not(feature = "ndr"))]
    {
        let _ = (type_name, bytes);
        Err(Error::NoNdr)
    }
    #[cfg(feature = "ndr")]
    {
        // The built-in IDLs' types and methods, MS-DCOM's first.
        let decoded = msrpc::dcom::decode_by_name(type_name, &bytes)
            .or_else(|| msrpc::oaut::decode_by_name(type_name, &bytes))
            .or_else(|| msrpc::com::decode_by_name(type_name, &bytes))
            .ok_or_else(|| Error::UnknownType {
                name: type_name.to_string(),
            })??;
        print_out(&format!("{}\n", decoded.text))?;
        // The check is on values: NDR leaves padding bytes and referent ids
        // to the encoder (impacket pads with 0xAB and draws random ids), so
        // bytes that differ only there are a note, not a failure.
        if !decoded.same_value {
            return Err(Error::Reencoded {
                input: bytes,
                output: decoded.again,
            });
        }
        let differ: Vec<usize> = (0..bytes.len().max(decoded.again.len()))
            .filter(|&i| bytes.get(i) != decoded.again.get(i))
            .collect();
        if let (Some(first), Some(last)) = (differ.first(), differ.last()) {
            eprintln!(
                "note: {} of {} bytes differ from this encoding (offsets {first} to {last}): \
                 padding or referent ids, as the values are the same",
                differ.len(),
                bytes.len()
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn parse_hex(text: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if digits.len() % 2 != 0 {
        return None;
    }
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

#[cfg(feature = "ndr")]
fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the command's output. A reader that stops early (`| head`) is
/// not an error, and not a panic as `print!` makes it.
fn print_out(text: &str) -> Result<ExitCode, Error> {
    use std::io::Write;
    let mut stdout = io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(Error::Output(e)),
    }
}
