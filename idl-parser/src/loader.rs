//! Reading files: roots, `import`s (each file once, found through the
//! include path) and `#include`s, each preprocessed and parsed. The loader
//! drives the stages: it is the preprocessor's [`Host`], and hands the
//! parsed files to the resolver.

use std::path::{Path, PathBuf};

use crate::ast::{self, Item, ParsedFile};
use crate::diagnostic::Diagnostic;
use crate::parse::{parse_acf, parse_condition, parse_file};
use crate::preprocess::{preprocess, Host, Options};
use crate::source::{searched, FileId, OpenError, SourceMap, Span};

/// Loads the roots and everything they import, imports first.
pub fn load(
    sources: &mut SourceMap,
    roots: &[PathBuf],
    opts: &Options,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ParsedFile> {
    let mut loader = Loader {
        sources,
        opts,
        diags,
        done: Vec::new(),
        in_progress: Vec::new(),
        out: Vec::new(),
    };
    for dir in opts.include_dirs.iter().filter(|d| !d.is_dir()) {
        loader.diags.push(
            Diagnostic::warning(
                Span::NONE,
                format!("include folder `{}` does not exist", dir.display()),
            )
            .with_note("imports and #includes are not looked for there"),
        );
    }
    for root in roots {
        match loader.sources.read(root) {
            Ok(id) => {
                loader.load_file(id, true);
                let acf = acf_for(root, roots.len(), &opts.acf);
                if let Some(acf) = acf.and_then(|path| loader.load_acf(&path)) {
                    if let Some(f) = loader.out.iter_mut().find(|f| f.file == id) {
                        f.acf = Some(acf);
                    }
                }
            }
            Err(e) => loader.diags.push(Diagnostic::error(
                Span::NONE,
                format!("cannot read `{}`: {e}", root.display()),
            )),
        }
    }
    loader.out
}

struct Loader<'a> {
    sources: &'a mut SourceMap,
    opts: &'a Options,
    diags: &'a mut Vec<Diagnostic>,
    done: Vec<FileId>,
    in_progress: Vec<FileId>,
    out: Vec<ParsedFile>,
}

impl Host for Loader<'_> {
    fn sources(&mut self) -> &mut SourceMap {
        self.sources
    }

    fn diags(&mut self) -> &mut Vec<Diagnostic> {
        self.diags
    }

    fn condition(&mut self, text: &str, at: Span) -> Result<i128, String> {
        let e = parse_condition(text, at)?;
        match e.kind {
            ast::ExprKind::Str(_) | ast::ExprKind::Float(_) => {
                Err("a condition must be an integer".to_string())
            }
            _ => crate::eval::eval(&e, &|_: &str| None).map_err(|e| e.message()),
        }
    }
}

impl Loader<'_> {
    fn folder(&self, id: FileId) -> Option<PathBuf> {
        self.sources
            .path(id)
            .and_then(Path::parent)
            .map(Path::to_path_buf)
    }

    /// Reads, preprocesses and parses an ACF file.
    fn load_acf(&mut self, path: &Path) -> Option<ast::AcfFile> {
        match self.sources.read(path) {
            Ok(id) => {
                let opts = self.opts;
                let pp = preprocess(self, id, opts);
                Some(parse_acf(&pp, self.diags))
            }
            Err(e) => {
                self.diags.push(Diagnostic::error(
                    Span::NONE,
                    format!("cannot read ACF `{}`: {e}", path.display()),
                ));
                None
            }
        }
    }

    /// Loads one file and what it imports, once (an import cycle ends at
    /// the file already being loaded).
    fn load_file(&mut self, id: FileId, root: bool) {
        if self.done.contains(&id) || self.in_progress.contains(&id) {
            if root {
                if let Some(f) = self.out.iter_mut().find(|f| f.file == id) {
                    f.root = true;
                }
            }
            return;
        }
        self.in_progress.push(id);
        let opts = self.opts;
        let pp = preprocess(self, id, opts);
        let ast = parse_file(&pp, self.diags);
        let here = self.folder(id);
        for item in imports(&ast.items) {
            for lit in item {
                let opened = self.sources.open(
                    &lit.value,
                    here.as_deref(),
                    &self.opts.include_dirs,
                    self.opts.builtins,
                );
                match opened {
                    Ok(dep) => self.load_file(dep, false),
                    Err(OpenError::Read(path, e)) => self.diags.push(
                        Diagnostic::error(
                            lit.span,
                            format!("cannot read `{}`: {e}", path.display()),
                        )
                        .with_label("imported here"),
                    ),
                    Err(OpenError::NotFound) => self.diags.push(
                        Diagnostic::error(
                            lit.span,
                            format!("cannot find imported file `{}`", lit.value),
                        )
                        .with_label("not found")
                        .with_note(searched(self.opts.builtins, "importing")),
                    ),
                }
            }
        }
        self.in_progress.retain(|f| *f != id);
        self.done.push(id);
        self.out.push(ParsedFile {
            file: id,
            ast,
            root,
            pragmas: pp.pragmas,
            acf: None,
        });
    }
}

/// The ACF of a root, as MIDL finds it: a given one of the same stem (or
/// the only one given, for the only root), else `X.acf` beside `X.idl`.
fn acf_for(root: &Path, roots: usize, given: &[PathBuf]) -> Option<PathBuf> {
    let stem = |p: &Path| p.file_stem().map(|s| s.to_ascii_lowercase());
    if let Some(p) = given.iter().find(|p| stem(p) == stem(root)) {
        return Some(p.clone());
    }
    if roots == 1 && given.len() == 1 {
        return Some(given[0].clone());
    }
    let beside = root.with_extension("acf");
    beside.is_file().then_some(beside)
}

/// `import` statements anywhere a file may hold them.
fn imports(items: &[Item]) -> Vec<&Vec<ast::StrLit>> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Import(list) if !list.is_empty() => out.push(list),
            Item::Interface(i) => out.extend(imports(&i.items)),
            Item::Library(c) | Item::Module(c) => out.extend(imports(&c.items)),
            _ => {}
        }
    }
    out
}
