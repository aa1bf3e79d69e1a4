//! The `oxidl` command: check IDL files and dump their resolved model.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
use oxidl_parser::{Options, Output};

#[derive(Parser)]
#[command(
    name = "oxidl",
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
        #[arg(long, default_value = "::oxidl")]
        runtime: String,
        /// Generate only the root file's declarations, not its imports'.
        #[arg(long)]
        root_only: bool,
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
            let out = oxidl_parser::load(&files, &front.options());
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
        } => generate(&front, &file, out.as_deref(), runtime, root_only),
        Command::Dump {
            json: _,
            front,
            file,
        } => {
            let out = oxidl_parser::load(&[file], &front.options());
            report(&out);
            let Some(model) = out.model else {
                return ExitCode::FAILURE;
            };
            match serde_json::to_string_pretty(&model) {
                Ok(s) => {
                    println!("{s}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: cannot serialize the model: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn generate(
    front: &FrontEnd,
    file: &Path,
    out: Option<&Path>,
    runtime: String,
    root_only: bool,
) -> ExitCode {
    let result = oxidl_parser::load(&[file.to_path_buf()], &front.options());
    report(&result);
    let Some(model) = result.model else {
        return ExitCode::FAILURE;
    };
    let files = if root_only {
        model
            .files
            .iter()
            .enumerate()
            .filter(|(_, f)| f.root)
            .map(|(i, _)| i)
            .collect()
    } else {
        Default::default()
    };
    let opts = oxidl_codegen::rust::Options {
        runtime,
        files,
        source_name: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let code = match oxidl_codegen::rust::generate(&model, &opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let written = match out {
        Some(path) => std::fs::write(path, code)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => {
            print!("{code}");
            Ok(())
        }
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
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
