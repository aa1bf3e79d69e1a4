//! Generating Rust from IDL in a build script, in the way of prost-build
//! and tonic-build.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     msrpc_codegen::configure()
//!         .client(true)
//!         .server(true)
//!         .compile(&["idl/greeter.idl"], &["idl"])?;
//!     Ok(())
//! }
//! ```
//!
//! ```ignore
//! // lib.rs: the code generated for idl/greeter.idl
//! msrpc::include_idl!("greeter");
//! ```
//!
//! An IDL file that imports `ms-dcom.idl` or `ms-dtyp.idl` (built in: see
//! [`crate::builtin`]) reuses `msrpc::dcom` rather than generating those
//! types again; other imports are generated alongside the root file unless
//! mapped with [`Builder::extern_path`].

use std::path::{Path, PathBuf};

use crate::rust;

/// A build script's code generator, configured step by step.
#[must_use]
#[derive(Clone, Debug)]
pub struct Builder {
    runtime: String,
    client: bool,
    server: bool,
    type_attributes: Vec<String>,
    externs: Vec<(String, String)>,
    defines: Vec<(String, Option<String>)>,
    acf: Vec<PathBuf>,
    lenient_attributes: bool,
    out_dir: Option<PathBuf>,
}

impl std::fmt::Debug for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

/// Starts configuring code generation: clients and servers, the runtime
/// at `::msrpc`, the built-in IDL files mapped onto its modules (ms-dcom.idl
/// and ms-dtyp.idl onto `::msrpc::dcom`).
pub fn configure() -> Builder {
    Builder {
        runtime: "::msrpc".into(),
        client: true,
        server: true,
        type_attributes: Vec::new(),
        externs: Vec::new(),
        defines: Vec::new(),
        acf: Vec::new(),
        lenient_attributes: false,
        out_dir: None,
    }
}

/// Why generation failed. The IDL's diagnostics, rendered with file, line,
/// column and snippet, are the message. Debug prints the same text, so
/// that a build script's `fn main() -> Result<…>` shows it once, readably.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The IDL does not parse or resolve; the rendered diagnostics.
    #[error("{0}")]
    Idl(String),
    /// The IDL resolved, and the Rust back end cannot generate it.
    #[error("{file}: {err}")]
    Codegen {
        /// The root IDL file.
        file: String,
        /// Why generation failed.
        err: rust::Error,
    },
    /// No output directory: `OUT_DIR` is unset and none was configured.
    #[error("OUT_DIR is not set: call this from a build script, or set out_dir")]
    NoOutDir,
    /// A generated file could not be written.
    #[error("{path}: {err}")]
    Io {
        /// The file being written.
        path: PathBuf,
        /// Why writing failed.
        err: std::io::Error,
    },
}

impl Builder {
    /// The path of the runtime crate in generated code (`::msrpc`).
    pub fn runtime(mut self, path: impl Into<String>) -> Builder {
        self.runtime = path.into();
        self
    }

    /// Whether to generate client proxies.
    pub fn client(mut self, on: bool) -> Builder {
        self.client = on;
        self
    }

    /// Whether to generate server traits, dispatchers and stubs.
    pub fn server(mut self, on: bool) -> Builder {
        self.server = on;
        self
    }

    /// An attribute for every generated type:
    /// `.type_attribute("#[derive(serde::Serialize)]")`.
    pub fn type_attribute(mut self, attr: impl Into<String>) -> Builder {
        self.type_attributes.push(attr.into());
        self
    }

    /// Uses an existing Rust module for the types of an imported IDL file,
    /// named by its file name: `.extern_path("base.idl", "crate::base")`.
    pub fn extern_path(
        mut self,
        idl_file: impl Into<String>,
        module: impl Into<String>,
    ) -> Builder {
        self.externs.push((idl_file.into(), module.into()));
        self
    }

    /// A preprocessor definition, as `-D NAME[=VALUE]`.
    pub fn define(mut self, name: impl Into<String>, value: Option<&str>) -> Builder {
        self.defines.push((name.into(), value.map(str::to_string)));
        self
    }

    /// An ACF file to read for the root of the same name, instead of the
    /// `X.acf` beside `X.idl` that is read by itself (MIDL's `/acf`).
    pub fn acf(mut self, file: impl Into<PathBuf>) -> Builder {
        self.acf.push(file.into());
        self
    }

    /// Keep unknown attributes as warnings, as widl does, rather than the
    /// errors MIDL gives.
    pub fn lenient_attributes(mut self, on: bool) -> Builder {
        self.lenient_attributes = on;
        self
    }

    /// Where to write the generated files; `OUT_DIR` by default.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Builder {
        self.out_dir = Some(dir.into());
        self
    }

    /// Generates `OUT_DIR/NAME.rs` for each root `NAME.idl`, with `includes`
    /// as the include path, and tells cargo to rerun when any file the IDL
    /// reached (imports and `#include`s too) changes.
    pub fn compile(
        self,
        roots: &[impl AsRef<Path>],
        includes: &[impl AsRef<Path>],
    ) -> Result<Vec<PathBuf>, BuildError> {
        let out_dir = match &self.out_dir {
            Some(d) => d.clone(),
            None => PathBuf::from(std::env::var_os("OUT_DIR").ok_or(BuildError::NoOutDir)?),
        };
        let front = msrpc_idl::Options {
            include_dirs: includes.iter().map(|p| p.as_ref().to_path_buf()).collect(),
            defines: self.defines.clone(),
            acf: self.acf.clone(),
            lenient_attributes: self.lenient_attributes,
            ..crate::builtin::front_end()
        };
        let mut written = Vec::new();
        for root in roots {
            let root = root.as_ref();
            // With several roots, an ACF goes to the root of its name only.
            let front = msrpc_idl::Options {
                acf: front
                    .acf
                    .iter()
                    .filter(|a| roots.len() == 1 || a.file_stem() == root.file_stem())
                    .cloned()
                    .collect(),
                ..front.clone()
            };
            let out = msrpc_idl::load(&[root.to_path_buf()], &front);
            // Every file the front end read, whether or not it resolved.
            for path in out.sources.disk_paths() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
            let rendered = out.render();
            let Some(model) = out.model else {
                // The build error shows this text in full, once.
                return Err(BuildError::Idl(rendered));
            };
            // Warnings reach the user as cargo's own, a line each.
            for line in rendered.lines().filter(|l| !l.trim().is_empty()) {
                println!("cargo:warning={line}");
            }
            let stem = root
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("idl")
                .to_string();
            let opts = rust::Options {
                runtime: self.runtime.clone(),
                source_name: root
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                externs: self.externs.clone(),
                type_attributes: self.type_attributes.clone(),
                client: self.client,
                server: self.server,
                ..Default::default()
            };
            let code = rust::generate(&model, &opts).map_err(|err| BuildError::Codegen {
                file: root.display().to_string(),
                err,
            })?;
            let path = out_dir.join(format!("{stem}.rs"));
            // Unchanged output is not rewritten, so nothing downstream rebuilds.
            if std::fs::read_to_string(&path).ok().as_deref() != Some(code.as_str()) {
                std::fs::write(&path, code).map_err(|err| BuildError::Io {
                    path: path.clone(),
                    err,
                })?;
            }
            written.push(path);
        }
        Ok(written)
    }
}
