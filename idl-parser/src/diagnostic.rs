//! Diagnostics: what went wrong, where, rendered by codespan-reporting.

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::term::{self, termcolor::WriteColor};

use crate::source::{SourceMap, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

/// One message about the input, with a primary span and optional extra labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub secondary: Vec<(Span, String)>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, span, message)
    }

    pub fn warning(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, span, message)
    }

    pub fn note_at(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Note, span, message)
    }

    fn new(severity: Severity, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            message: message.into(),
            span,
            label: String::new(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The text under the primary caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Everything reported during one run, in the order found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Renders every diagnostic, rustc style, with file:line:col and a snippet.
    pub fn emit(&self, sources: &SourceMap, out: &mut dyn WriteColor) -> std::io::Result<()> {
        let config = term::Config::default();
        for d in &self.0 {
            let cs = to_codespan(d, sources);
            term::emit_to_write_style(out, &config, sources, &cs).map_err(std::io::Error::other)?;
        }
        Ok(())
    }

    /// Renders without colour, for tests, logs and build scripts.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut buf = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
        // Writing into a Vec cannot fail.
        let _ = self.emit(sources, &mut buf);
        String::from_utf8_lossy(&buf.into_inner()).into_owned()
    }
}

impl Extend<Diagnostic> for Diagnostics {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        self.0.extend(iter)
    }
}

fn to_codespan(d: &Diagnostic, sources: &SourceMap) -> CsDiagnostic<crate::source::FileId> {
    let severity = match d.severity {
        Severity::Note => CsSeverity::Note,
        Severity::Warning => CsSeverity::Warning,
        Severity::Error => CsSeverity::Error,
    };
    // A diagnostic about no file in particular (a root that cannot be read)
    // has no snippet to show.
    let mut labels = Vec::new();
    if sources.get(d.span.file).is_some() {
        labels
            .push(Label::primary(d.span.file, safe_range(sources, d.span)).with_message(&d.label));
    }
    for (span, msg) in &d.secondary {
        if sources.get(span.file).is_some() {
            labels.push(Label::secondary(span.file, safe_range(sources, *span)).with_message(msg));
        }
    }
    CsDiagnostic::new(severity)
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(d.notes.clone())
}

/// Spans are built from byte offsets; codespan slices the text with them, so
/// clamp them to the file and to character boundaries.
fn safe_range(sources: &SourceMap, span: Span) -> std::ops::Range<usize> {
    let text = sources.text(span.file);
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(span.start as usize);
    let end = floor(span.end as usize).max(start);
    start..end
}
