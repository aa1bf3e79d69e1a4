//! Source files and spans. Every span points into an original file, never
//! into preprocessed text, so diagnostics show what the user wrote.

use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::files::{self, Files, SimpleFile};
use serde::Serialize;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FileId(pub u32);

/// A byte range in one original source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// No place in any file: for errors such as a root that cannot be read.
    pub const NONE: Span = Span {
        file: FileId(u32::MAX),
        start: 0,
        end: 0,
    };

    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: clamp_u32(range.start),
            end: clamp_u32(range.end.max(range.start)),
        }
    }

    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both, when they are in the same file.
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// An IDL file the toolkit carries, found by name (`import "ms-dcom.idl";`)
/// when no file of that name is on the include path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinFile {
    pub name: &'static str,
    pub text: &'static str,
}

/// The note on what is accepted only because widl accepts it.
pub(crate) const WIDL_ONLY: &str = "MIDL rejects this; widl accepts it, and so does msidl";

/// The folder built-in files appear in, in diagnostics and the model.
pub const BUILTIN_FOLDER: &str = "<built-in>";

/// Why [`SourceMap::open`] found nothing.
#[derive(Debug)]
#[non_exhaustive]
pub enum OpenError {
    NotFound,
    Read(PathBuf, std::io::Error),
}

/// Where a file was looked for, for a "not found" note.
pub(crate) fn searched(builtins: &[BuiltinFile], who: &str) -> String {
    let mut note = format!("searched the {who} file's folder and every -I folder");
    if !builtins.is_empty() {
        let names: Vec<&str> = builtins.iter().map(|b| b.name).collect();
        note += &format!("; the built-in files are {}", names.join(", "));
    }
    note
}

/// `name` in `here`, then in `dirs`; an absolute name only as itself.
fn find_on_disk(name: &str, here: Option<&Path>, dirs: &[PathBuf]) -> Option<PathBuf> {
    let name = Path::new(name);
    if name.is_absolute() {
        return name.is_file().then(|| name.to_path_buf());
    }
    here.into_iter()
        .chain(dirs.iter().map(PathBuf::as_path))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// `a/./b/../c` to `a/c`, so one file has one name however it was reached.
pub(crate) fn clean(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// All files read during one run: roots, imports and includes.
#[derive(Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

pub struct SourceFile {
    pub path: PathBuf,
    /// Carried by the toolkit (see [`BuiltinFile`]), not read from disk.
    pub builtin: bool,
    file: SimpleFile<String, String>,
}

impl SourceFile {
    pub fn text(&self) -> &str {
        self.file.source()
    }
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        let id = FileId(clamp_u32(self.files.len()));
        let name = path.display().to_string();
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            builtin: false,
            file: SimpleFile::new(name, text),
        });
        id
    }

    /// Files read from disk, in the order they were read: what a build
    /// script reruns on.
    pub fn disk_paths(&self) -> impl Iterator<Item = &Path> {
        self.files
            .iter()
            .filter(|f| !f.builtin)
            .map(|f| f.path.as_path())
    }

    /// Finds `name` for an `import` or `#include`: in `here` (the including
    /// file's folder), then in each of `dirs`, then among `builtins`, so a
    /// user's file of a built-in's name wins. Each file is read once; later
    /// finds return the same id.
    pub fn open(
        &mut self,
        name: &str,
        here: Option<&Path>,
        dirs: &[PathBuf],
        builtins: &[BuiltinFile],
    ) -> Result<FileId, OpenError> {
        if let Some(path) = find_on_disk(name, here, dirs) {
            return self.read(&path).map_err(|e| OpenError::Read(path, e));
        }
        let b = builtins
            .iter()
            .find(|b| b.name == name)
            .ok_or(OpenError::NotFound)?;
        let path = Path::new(BUILTIN_FOLDER).join(b.name);
        Ok(self.find(&path).unwrap_or_else(|| {
            let id = self.add(&path, b.text.to_string());
            self.files[id.0 as usize].builtin = true;
            id
        }))
    }

    /// Reads a file from disk once; later reads return the same id.
    pub fn read(&mut self, path: &Path) -> std::io::Result<FileId> {
        let path = clean(path);
        if let Some(id) = self.find(&path) {
            return Ok(id);
        }
        let bytes = std::fs::read(&path)?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
        Ok(self.add(&path, text))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map(SourceFile::text).unwrap_or("")
    }

    /// Every file read, in the order it was read.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(|f| f.path.as_path())
    }

    pub fn path(&self, id: FileId) -> Option<&Path> {
        self.get(id).map(|f| f.path.as_path())
    }

    /// The file already loaded from `path`, if any.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(clamp_u32(i)))
    }

    /// 1-based line and column of a span's start, for tests and JSON.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        let Some(f) = self.get(span.file) else {
            return (0, 0);
        };
        let text = f.text();
        let at = (span.start as usize).min(text.len());
        let before = &text.as_bytes()[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let col = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        (line, col)
    }

    fn file(&self, id: FileId) -> Result<&SimpleFile<String, String>, files::Error> {
        self.get(id)
            .map(|f| &f.file)
            .ok_or(files::Error::FileMissing)
    }
}

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<String, files::Error> {
        Ok(self.file(id)?.name().clone())
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        Ok(self.file(id)?.source().as_str())
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, files::Error> {
        self.file(id)?.line_index((), byte_index)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        self.file(id)?.line_range((), line_index)
    }
}
