//! One Rust module per IDL file: what a set of IDL files that import each
//! other generates, so that a file's types exist once however many files
//! import it (Wine's `objidl.idl`, imported by half the SDK).

use std::path::Path;

use msrpc_idl::model::Model;

use super::{extern_modules, Gen, Generated, Options, Result};

/// The code of one IDL file of a model.
#[derive(Clone, Debug)]
pub struct FileCode {
    /// The IDL file's path, as the model has it.
    pub path: String,
    /// The Rust module's name (`objidl`), from [`module_name`].
    pub module: String,
    pub generated: Generated,
}

/// The module name of an IDL file: its stem in snake case
/// (`ms-dcom.idl` is `ms_dcom`).
pub fn module_name(path: &str) -> String {
    let stem = Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("idl");
    let mut out: String = stem
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_lowercase(),
            false => '_',
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Generates each file of `model` that is not extern already (the
/// built-in files, [`Options::externs`]) as a module of its own, which
/// refers to the others as `{parent}::{module}`. `parent` is an absolute
/// path (`crate::idl`), so that it reads the same from nested modules.
pub fn generate_files(model: &Model, opts: &Options, parent: &str) -> Result<Vec<FileCode>> {
    let fixed = extern_modules(model, opts)?;
    let mut own: Vec<(usize, String)> = Vec::new();
    // A file that declares nothing (one only `#include`d, whose text
    // counts as the includer's) has no module.
    let declares = |i: usize| {
        let here = |f: msrpc_idl::FileId| f.0 as usize == i;
        model.types.iter().any(|t| here(t.file))
            || model.constants.iter().any(|c| here(c.file))
            || model.interfaces.iter().any(|x| here(x.file))
    };
    for i in (0..model.files.len()).filter(|i| !fixed.contains_key(i) && declares(*i)) {
        // Two files of one stem, from two folders: the second is `_2`.
        let base = module_name(&model.files[i].path);
        let mut module = base.clone();
        let mut n = 1;
        while own.iter().any(|(_, m)| *m == module) {
            n += 1;
            module = format!("{base}_{n}");
        }
        own.push((i, module));
    }
    let mut out = Vec::new();
    for (i, module) in &own {
        let mut externs = fixed.clone();
        for (j, other) in own.iter().filter(|(j, _)| j != i) {
            externs.insert(*j, format!("{parent}::{other}"));
        }
        let path = model.files[*i].path.clone();
        let file_opts = Options {
            root_only: false,
            source_name: Path::new(&path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            ..opts.clone()
        };
        let generated = Gen::new(model, &file_opts, externs)?.file()?;
        out.push(FileCode {
            path,
            module: module.clone(),
            generated,
        });
    }
    Ok(out)
}
