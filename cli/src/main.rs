//! The `msidl` command: check IDL files and dump their resolved model.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use msrpc_idl::{Options, Output};

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
        file: PathBuf,
        /// Where to write the Rust; standard output if absent.
        #[arg(short = 'o', value_name = "OUT.rs")]
        out: Option<PathBuf>,
        /// Path of the runtime crate in the generated code.
        #[arg(long, default_value = "::msrpc")]
        runtime: String,
        /// Generate only the root file's declarations, not its imports'.
        #[arg(long)]
        root_only: bool,
        /// Use existing Rust for an imported file's types, as
        /// FILE=MODULE (e.g. base.idl=crate::base); repeatable. Imported
        /// built-in files (ms-dcom.idl...) are the runtime's modules already.
        /// Generate imported built-in files too, rather than referring to
        /// the runtime's modules for them.
        #[arg(long)]
        no_builtin_externs: bool,
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
    /// Print the resolved model.
    Dump {
        /// Print it as JSON (the only format for now).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        front: FrontEnd,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum NdrCommand {
    /// Decode stub data as an MS-DCOM type, print it, and re-encode it:
    /// exit 0 only if decoding worked and gave back the same bytes.
    Decode {
        /// A type of ms-dcom.idl or ms-dtyp.idl, such as ORPCTHIS.
        #[arg(value_name = "TYPE")]
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
}

impl FrontEnd {
    fn options(&self) -> Options {
        Options {
            include_dirs: self.include.clone(),
            builtins: msrpc_codegen::builtin::FILES,
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { front, files } => {
            let out = msrpc_idl::load(&files, &front.options());
            report(&out);
            if out.model.is_some() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Gen {
            front,
            file,
            out,
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
            generate(&front, &file, out.as_deref(), how)
        }
        Command::Ndr {
            command:
                NdrCommand::Decode {
                    type_name,
                    file,
                    hex,
                },
        } => ndr_decode(&type_name, &file, hex),
        Command::Dump {
            json: _,
            front,
            file,
        } => {
            let out = msrpc_idl::load(&[file], &front.options());
            report(&out);
            let Some(model) = out.model else {
                return ExitCode::FAILURE;
            };
            match serde_json::to_string_pretty(&model) {
                Ok(s) => print_out(&format!("{s}\n")),
                Err(e) => {
                    eprintln!("error: cannot serialize the model: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// `msidl gen`'s options for the back end.
struct How {
    runtime: String,
    root_only: bool,
    externs: Vec<String>,
    builtin_externs: bool,
    type_attributes: Vec<String>,
}

fn generate(front: &FrontEnd, file: &Path, out: Option<&Path>, how: How) -> ExitCode {
    let How {
        runtime,
        root_only,
        externs,
        builtin_externs,
        type_attributes,
    } = how;
    let result = msrpc_idl::load(&[file.to_path_buf()], &front.options());
    report(&result);
    let Some(model) = result.model else {
        return ExitCode::FAILURE;
    };
    let mut extern_modules = Vec::new();
    for spec in &externs {
        let Some((name, module)) = spec.split_once('=') else {
            eprintln!("error: --extern takes FILE=MODULE, found `{spec}`");
            return ExitCode::FAILURE;
        };
        let imported = model
            .files
            .iter()
            .any(|f| Path::new(&f.path).file_name().is_some_and(|n| n == name));
        if !imported {
            eprintln!("error: --extern names `{name}`, which this IDL does not import");
            return ExitCode::FAILURE;
        }
        extern_modules.push((name.to_string(), module.to_string()));
    }
    let opts = msrpc_codegen::rust::Options {
        runtime,
        root_only,
        builtin_externs,
        source_name: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        externs: extern_modules,
        type_attributes,
        ..Default::default()
    };
    let code = match msrpc_codegen::rust::generate(&model, &opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let written = match out {
        Some(path) => std::fs::write(path, code)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => return print_out(&code),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn ndr_decode(type_name: &str, file: &Path, hex: bool) -> ExitCode {
    let raw = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read `{}`: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let bytes = if hex {
        match parse_hex(&raw) {
            Some(b) => b,
            None => {
                eprintln!("error: `{}` is not hexadecimal text", file.display());
                return ExitCode::FAILURE;
            }
        }
    } else {
        raw
    };
    #[cfg(not(feature = "ndr"))]
    {
        let _ = (type_name, bytes);
        eprintln!("error: this msidl was built without the `ndr` feature");
        ExitCode::FAILURE
    }
    #[cfg(feature = "ndr")]
    match msrpc::dcom::decode_by_name(type_name, &bytes) {
        None => {
            eprintln!(
                "error: unknown type `{type_name}`; known: {}",
                msrpc::dcom::TYPE_NAMES.join(", ")
            );
            ExitCode::FAILURE
        }
        Some(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Some(Ok((text, again))) => {
            if print_out(&format!("{text}\n")) != ExitCode::SUCCESS {
                return ExitCode::FAILURE;
            }
            // Only alignment padding may follow the value in the input.
            let same = bytes.starts_with(&again)
                && bytes[again.len()..].iter().all(|&b| b == 0)
                && bytes.len() - again.len() < 8;
            if same {
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "error: re-encoding gave different bytes:\n  input  {}\n  output {}",
                    to_hex(&bytes),
                    to_hex(&again)
                );
                ExitCode::FAILURE
            }
        }
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

#[cfg_attr(not(feature = "ndr"), allow(dead_code))]
fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes the command's output. A reader that stops early (`| head`) is
/// not an error, and not a panic as `print!` makes it.
fn print_out(text: &str) -> ExitCode {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            ExitCode::FAILURE
        }
    }
}

fn report(out: &Output) {
    if out.diagnostics.is_empty() {
        return;
    }
    let mut stderr = StandardStream::stderr(ColorChoice::Auto);
    if let Err(e) = out.diagnostics.emit(&out.sources, &mut stderr) {
        eprintln!("error: cannot print diagnostics: {e}");
    }
}
