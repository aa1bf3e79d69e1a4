//! msrpc-idl: the MIDL front end of msrpc.
//!
//! The pipeline, one module per stage:
//! `preprocess` (cpp, with origins) -> `parse` (pest grammar to `ast`) ->
//! `resolve` (names, constants, levels, checks) -> `model`.
//! [`load`] runs it over files; [`Diagnostics`] reports what went wrong.
//! Only the model and these entry points are public: the stages are this
//! crate's own business.
#![forbid(unsafe_code)]

mod ast;
mod diagnostic;
mod eval;
mod loader;
pub mod model;
mod parse;
mod preprocess;
mod resolve;
mod source;

use std::path::PathBuf;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use model::Model;
pub use preprocess::Options;
pub use source::{BuiltinFile, FileId, SourceMap, Span};

/// The result of one front-end run: the model (when there were no errors),
/// every diagnostic, and the sources they point into.
pub struct Output {
    pub model: Option<Model>,
    pub diagnostics: Diagnostics,
    pub sources: SourceMap,
}

impl Output {
    /// Diagnostics rendered as text, as `msidl check` prints them.
    pub fn render(&self) -> String {
        self.diagnostics.render(&self.sources)
    }
}

/// Preprocesses, parses and resolves `roots` and everything they import.
pub fn load(roots: &[PathBuf], opts: &Options) -> Output {
    run(SourceMap::new(), roots, opts)
}

/// Runs the front end on IDL text held in memory, as file `name`.
/// Imports and includes are looked up on disk through `opts`.
pub fn load_str(name: &str, text: &str, opts: &Options) -> Output {
    let mut sources = SourceMap::new();
    let path = source::clean(std::path::Path::new(name));
    sources.add(&path, text.to_string());
    run(sources, &[path], opts)
}

fn run(mut sources: SourceMap, roots: &[PathBuf], opts: &Options) -> Output {
    let mut diags = Vec::new();
    let files = loader::load(&mut sources, roots, opts, &mut diags);
    // Resolving after syntax errors would only add noise about missing names.
    let model = if diags.iter().any(Diagnostic::is_error) {
        None
    } else {
        let model = resolve::resolve(&files, &sources, opts, &mut diags);
        (!diags.iter().any(Diagnostic::is_error)).then_some(model)
    };
    Output {
        model,
        diagnostics: Diagnostics(diags),
        sources,
    }
}
