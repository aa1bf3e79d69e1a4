//! The C preprocessor MIDL runs before parsing: `#define`, `#undef`,
//! conditionals, `#include`, `#pragma`, with every output byte mapped back
//! to the file and offset it came from.

mod lex;
mod macros;
mod origin;

use std::ops::Range;
use std::path::{Path, PathBuf};

pub use origin::OriginMap;

use crate::diagnostic::Diagnostic;
use crate::source::{searched, BuiltinFile, FileId, OpenError, SourceMap, Span};
use lex::{blank_comments, scan, tokenize, Kind, Token};
use macros::{ExpandError, Expander, Macro, Macros, PpToken};

/// What the command line and the build API pass to the preprocessor.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `-D NAME` or `-D NAME=VALUE`.
    pub defines: Vec<(String, Option<String>)>,
    /// `-I DIR`, searched in order after the including file's directory.
    pub include_dirs: Vec<PathBuf>,
    /// Files found by name when the include path has none of that name.
    pub builtins: &'static [BuiltinFile],
    /// ACF files to read instead of the one beside a root (`X.acf` for
    /// `X.idl`, or for the only root). MIDL's `/acf`.
    pub acf: Vec<PathBuf>,
    /// Keep unknown attributes as warnings, as widl does, rather than the
    /// errors MIDL gives.
    pub lenient_attributes: bool,
}

/// Preprocessed text of one root file and everything it `#include`s.
#[derive(Debug, Default)]
pub struct Preprocessed {
    pub text: String,
    pub origins: OriginMap,
    /// `#pragma` lines, which MIDL's back end would see; kept, not acted on.
    pub pragmas: Vec<(Span, String)>,
    /// Files reached through `#include`.
    pub includes: Vec<FileId>,
}

/// Macros MIDL itself defines, and `__WIDL__`, which Wine's widl defines:
/// headers written for widl (Wine's own, the only free copies of the SDK's
/// IDL) then take the branch meant for an IDL compiler, as they do there.
const PREDEFINED: &[(&str, &str)] = &[
    ("__midl", "501"),
    ("__WIDL__", "1"),
    ("_WIN32", "1"),
    ("_WIN64", "1"),
    ("__MSRPC__", "1"),
];

/// Bytes macro expansion may produce for one root file: a base, plus a
/// share for every byte read, so large real files fit and bombs do not.
const EXPANSION_BASE: usize = 16 << 20;
const EXPANSION_PER_BYTE: usize = 16;
/// `#include`s one root file may perform, however they nest.
const MAX_INCLUDES: usize = 4096;
const MAX_INCLUDE_DEPTH: usize = 64;
/// Text runs longer than this are expanded in pieces (see `run_file`).
const CHUNK_BYTES: usize = 16 * 1024;

/// Opening minus closing parentheses in `text`, outside literals: where a
/// run's total is zero, no macro call is left open.
fn paren_balance(text: &str) -> i64 {
    scan(text)
        .map(|(kind, r)| match (kind, &text.as_bytes()[r.start]) {
            (Kind::Punct, b'(') => 1,
            (Kind::Punct, b')') => -1,
            _ => 0,
        })
        .sum()
}

/// What the preprocessor needs from the run it is part of: the files, the
/// diagnostics, and the macros an imported file leaves defined.
pub trait Host {
    fn sources(&mut self) -> &mut SourceMap;
    fn diags(&mut self) -> &mut Vec<Diagnostic>;
    /// The value of a `#if` condition, after macro expansion.
    fn condition(&mut self, text: &str, at: Span) -> Result<i128, String>;
}

pub fn preprocess(host: &mut dyn Host, root: FileId, opts: &Options) -> Preprocessed {
    let mut macros = Macros::default();
    for (name, value) in PREDEFINED {
        macros.insert(name.to_string(), Macro::object(value));
    }
    for (name, value) in &opts.defines {
        macros.insert(name.clone(), Macro::object(value.as_deref().unwrap_or("1")));
    }
    let mut pp = Preprocessor {
        host,
        opts,
        macros,
        out: Preprocessed::default(),
        budget: EXPANSION_BASE,
        exhausted: false,
        includes: 0,
        once: Vec::new(),
    };
    pp.run_file(root, 0);
    pp.out
}

struct Preprocessor<'a> {
    host: &'a mut dyn Host,
    opts: &'a Options,
    macros: Macros,
    out: Preprocessed,
    /// Tokens macros may still produce: a base plus a share per input byte.
    budget: usize,
    exhausted: bool,
    /// `#include`s performed so far.
    includes: usize,
    /// Files that said `#pragma once`.
    once: Vec<FileId>,
}

/// One `#if` ... `#endif` group.
struct Cond {
    at: Span,
    /// Whether the enclosing text is being kept.
    parent_active: bool,
    /// Whether some branch of this group was already taken.
    taken: bool,
    active: bool,
    seen_else: bool,
}

struct FileState {
    file: FileId,
    text: String,
    conds: Vec<Cond>,
}

impl FileState {
    fn active(&self) -> bool {
        self.conds.last().is_none_or(|c| c.active)
    }

    fn span(&self, r: Range<usize>) -> Span {
        Span::new(self.file, r)
    }
}

impl Preprocessor<'_> {
    fn run_file(&mut self, file: FileId, depth: usize) {
        let input = self.host.sources().text(file);
        self.budget = self
            .budget
            .saturating_add(input.len().saturating_mul(EXPANSION_PER_BYTE));
        let (text, unterminated) = blank_comments(input);
        if let Some(at) = unterminated {
            self.host.diags().push(
                Diagnostic::error(Span::new(file, at..at + 2), "unterminated block comment")
                    .with_label("this comment is never closed"),
            );
        }
        let mut st = FileState {
            file,
            text,
            conds: Vec::new(),
        };
        let mut pending: Option<Range<usize>> = None;
        let mut paren_depth = 0i64;
        let mut offset = 0;
        let lines: Vec<Range<usize>> = st
            .text
            .split_inclusive('\n')
            .map(|l| {
                let r = offset..offset + l.len();
                offset += l.len();
                r
            })
            .collect();
        for line in lines {
            let trimmed = st.text[line.clone()].trim_start();
            if trimmed.starts_with('#') {
                paren_depth = 0;
                if let Some(chunk) = pending.take() {
                    self.text_chunk(&st, chunk);
                }
                let hash = line.end - st.text[line.clone()].trim_start().len();
                self.directive(&mut st, hash..line.end, depth);
            } else if st.active() {
                let chunk = pending.map_or(line.clone(), |p| p.start..line.end);
                paren_depth += paren_balance(&st.text[line.clone()]);
                // Flush long runs where no macro call can be open, so the
                // token lists stay small however large the file is.
                if chunk.len() >= CHUNK_BYTES && paren_depth == 0 {
                    self.text_chunk(&st, chunk);
                    pending = None;
                } else {
                    pending = Some(chunk);
                }
            }
        }
        if let Some(chunk) = pending.take() {
            self.text_chunk(&st, chunk);
        }
        for c in st.conds.drain(..) {
            self.host.diags().push(
                Diagnostic::error(c.at, "unterminated conditional directive")
                    .with_label("this `#if` has no `#endif`"),
            );
        }
    }

    /// Expands macros in a run of ordinary lines and appends it to the output.
    /// Copies a run of text lines to the output, expanding the macros it
    /// invokes. Text between invocations is copied as it stands; only an
    /// invocation goes through the expander, which owns a token (and its
    /// text) each: most text of a large file names no macro.
    fn text_chunk(&mut self, st: &FileState, range: Range<usize>) {
        let text = &st.text[range.clone()];
        let tokens: Vec<(Kind, Range<usize>)> = scan(text).collect();
        let mark = self.out.text.len();
        let mut joint = Joint::default();
        let mut run_start = 0;
        let mut i = 0;
        while i < tokens.len() {
            let (kind, r) = &tokens[i];
            let mac = match kind {
                Kind::Ident => self.macros.get(&text[r.clone()]),
                _ => None,
            };
            let Some(mac) = mac else {
                i += 1;
                continue;
            };
            let mut end = match &mac.params {
                None => i + 1,
                Some(_) => match invocation_end(text, &tokens, i) {
                    Some(end) => end,
                    // A function-like macro name without `(` is a plain word.
                    None => {
                        i += 1;
                        continue;
                    }
                },
            };
            let run = range.start + run_start..range.start + r.start;
            self.verbatim_run(st, run, i.checked_sub(1).map(|p| tokens[p].0), &mut joint);
            let budget = self.budget;
            let first = self.try_expand(pp_tokens(text, range.start, &tokens[i..end]), false);
            // An expansion that ends in a function-like macro's name, or
            // leaves its `(` open, takes the rest from the text after it:
            // expand the rest of the run together, as one token list, the
            // way C rescans.
            let rescan = end < tokens.len()
                && match &first {
                    Ok(out) => self.ends_in_function_like(out),
                    Err(e) => matches!(e, ExpandError::Unterminated { .. }),
                };
            let result = if rescan {
                self.budget = budget;
                end = tokens.len();
                self.try_expand(pp_tokens(text, range.start, &tokens[i..]), false)
            } else {
                first
            };
            let out = match result {
                Ok(out) => out,
                Err(e) => {
                    // The whole run goes: what was written of it would
                    // run into the next line's declarations.
                    self.report_expand_error(e, st);
                    self.out.text.truncate(mark);
                    self.out.origins.truncate(mark);
                    return;
                }
            };
            self.expanded_tokens(st, out, &mut joint);
            run_start = tokens[end - 1].1.end;
            i = end;
        }
        let run = range.start + run_start..range.end;
        self.verbatim_run(st, run, tokens.last().map(|t| t.0), &mut joint);
        self.out.text.push('\n');
    }

    fn ends_in_function_like(&self, tokens: &[PpToken]) -> bool {
        tokens
            .iter()
            .rev()
            .find(|t| t.tok.kind != Kind::Space)
            .is_some_and(|t| {
                t.tok.kind == Kind::Ident
                    && self
                        .macros
                        .get(&*t.tok.text)
                        .is_some_and(|m| m.params.is_some())
            })
    }

    /// Source text copied as it stands; `last` is the kind of its last token.
    fn verbatim_run(
        &mut self,
        st: &FileState,
        run: Range<usize>,
        last: Option<Kind>,
        joint: &mut Joint,
    ) {
        if run.is_empty() {
            return;
        }
        if joint.after_expansion {
            self.out.text.push(' ');
        }
        let out = self.out.text.len();
        self.out
            .origins
            .verbatim(out, st.file, run.start, run.len());
        self.out.text.push_str(&st.text[run]);
        joint.after_expansion = false;
        joint.after_word = matches!(last, Some(Kind::Ident | Kind::Number));
    }

    /// The expander's output: macro output mapped to its invocation, and
    /// words it passed through mapped to themselves.
    fn expanded_tokens(&mut self, st: &FileState, tokens: Vec<PpToken>, joint: &mut Joint) {
        for t in tokens {
            let word = matches!(t.tok.kind, Kind::Ident | Kind::Number);
            if t.expanded {
                // Keep expansions from gluing onto their neighbours, and two
                // words from separate expansions (`ID(long)ID(x)`) apart.
                if !joint.after_expansion || (joint.after_word && word) {
                    self.out.text.push(' ');
                }
                let out = self.out.text.len();
                self.out.origins.expanded(out, st.span(t.origin.clone()));
                // The whole expansion maps onto its invocation, so its
                // white space can shrink: the indentation of long
                // multi-line macros was a third of mshtml.idl's output,
                // and the parser steps over white space a byte at a time.
                match t.tok.kind {
                    Kind::Space => self.out.text.push(' '),
                    _ => self.out.text.push_str(&t.tok.text),
                }
            } else {
                if joint.after_expansion {
                    self.out.text.push(' ');
                }
                let out = self.out.text.len();
                self.out
                    .origins
                    .verbatim(out, st.file, t.origin.start, t.tok.text.len());
                self.out.text.push_str(&t.tok.text);
            }
            joint.after_expansion = t.expanded;
            joint.after_word = word;
        }
    }

    /// Expands a `#if` condition, reporting what goes wrong.
    fn expand_condition(&mut self, tokens: Vec<PpToken>, st: &FileState) -> Option<Vec<PpToken>> {
        match self.try_expand(tokens, true) {
            Ok(t) => Some(t),
            Err(e) => {
                self.report_expand_error(e, st);
                None
            }
        }
    }

    /// Expands `tokens`, charging the budget; the caller reports an error.
    fn try_expand(
        &mut self,
        tokens: Vec<PpToken>,
        condition: bool,
    ) -> Result<Vec<PpToken>, ExpandError> {
        let mut ex = Expander::new(&self.macros, self.budget);
        if condition {
            ex = ex.for_condition();
        }
        let result = ex.expand(tokens);
        self.budget = ex.budget;
        result
    }

    fn report_expand_error(&mut self, e: ExpandError, st: &FileState) {
        let d = match e {
            ExpandError::Unterminated { name, at } => Diagnostic::error(
                st.span(at),
                format!("unterminated invocation of macro `{name}`"),
            )
            .with_label("the `(` after this name is never closed"),
            ExpandError::ArgCount {
                name,
                at,
                expected,
                found,
            } => Diagnostic::error(
                st.span(at),
                format!("macro `{name}` takes {expected} argument(s), but {found} were given"),
            )
            .with_label("in this invocation"),
            ExpandError::TooLarge { at } => {
                // Report once; everything after would fail the same way.
                if std::mem::replace(&mut self.exhausted, true) {
                    return;
                }
                Diagnostic::error(st.span(at), "macro expansion is too large or too deep")
                    .with_label("expansion stopped here")
                    .with_note(format!(
                        "macros may produce {EXPANSION_BASE} bytes plus {EXPANSION_PER_BYTE} \
                         per byte of input, and nest {} deep",
                        macros::MAX_DEPTH
                    ))
            }
        };
        self.host.diags().push(d);
    }

    fn directive(&mut self, st: &mut FileState, line: Range<usize>, depth: usize) {
        let text = st.text[line.clone()].to_string();
        let body = text[1..].trim_start();
        let name_len = body
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let name = &body[..name_len];
        let rest_at = line.start + (text.len() - body.len()) + name_len;
        let rest = body[name_len..].trim().to_string();
        let at = st.span(line.start..line.start + (text.len() - body.len()) + name_len);
        match name {
            "if" | "ifdef" | "ifndef" => {
                let parent_active = st.active();
                let value = parent_active && self.condition(st, name, &rest, rest_at, at);
                st.conds.push(Cond {
                    at,
                    parent_active,
                    taken: value || !parent_active,
                    active: value,
                    seen_else: false,
                });
            }
            "elif" | "else" | "endif" => self.branch(st, name, &rest, rest_at, at),
            _ if !st.active() => {}
            "" => {}
            "define" => self.define(st, &rest, rest_at),
            "undef" => {
                self.macros
                    .remove(rest.split_whitespace().next().unwrap_or(""));
            }
            "include" => self.include(st, &rest, at, depth),
            "pragma" => {
                if rest == "once" {
                    self.once.push(st.file);
                }
                self.out.pragmas.push((at, rest))
            }
            "error" => self
                .host
                .diags()
                .push(Diagnostic::error(at, format!("#error {rest}")).with_label("reached here")),
            "warning" => self.host.diags().push(
                Diagnostic::warning(at, format!("#warning {rest}")).with_label("reached here"),
            ),
            "line" => {}
            other => self.host.diags().push(
                Diagnostic::error(at, format!("unknown preprocessor directive `#{other}`"))
                    .with_label("not a directive MIDL's preprocessor knows"),
            ),
        }
    }

    fn branch(&mut self, st: &mut FileState, name: &str, rest: &str, rest_at: usize, at: Span) {
        let Some(top) = st.conds.last() else {
            self.host.diags().push(
                Diagnostic::error(at, format!("`#{name}` without `#if`"))
                    .with_label("no conditional is open here"),
            );
            return;
        };
        if name == "endif" {
            st.conds.pop();
            return;
        }
        if top.seen_else {
            self.host.diags().push(
                Diagnostic::error(at, format!("`#{name}` after `#else`"))
                    .with_label("the group already had its `#else`")
                    .with_secondary(top.at, "group opened here"),
            );
            return;
        }
        let (parent_active, taken) = (top.parent_active, top.taken);
        let value = if name == "else" {
            parent_active && !taken
        } else {
            parent_active && !taken && self.condition(st, "if", rest, rest_at, at)
        };
        if let Some(top) = st.conds.last_mut() {
            top.active = value;
            top.taken |= value;
            top.seen_else = name == "else";
        }
    }

    /// Evaluates the condition of `#if`, `#ifdef` or `#ifndef`.
    fn condition(
        &mut self,
        st: &FileState,
        name: &str,
        rest: &str,
        rest_at: usize,
        at: Span,
    ) -> bool {
        if name != "if" {
            let macro_name = rest.split_whitespace().next().unwrap_or("");
            if macro_name.is_empty() {
                self.host.diags().push(
                    Diagnostic::error(at, format!("`#{name}` needs a macro name"))
                        .with_label("no name follows"),
                );
                return false;
            }
            return self.macros.contains_key(macro_name) == (name == "ifdef");
        }
        let lead = st.text[rest_at..].len() - st.text[rest_at..].trim_start().len();
        let end = (rest_at + lead + rest.len()).min(st.text.len());
        let span = st.span(at.start as usize..end);
        let tokens = self.resolve_defined(tokenize(rest, rest_at + lead));
        let Some(expanded) =
            self.expand_condition(tokens.into_iter().map(PpToken::verbatim).collect(), st)
        else {
            return false;
        };
        // `#define HAVE defined(X)` puts `defined` in the expansion.
        let expanded: Vec<Token> =
            self.resolve_defined(expanded.into_iter().map(|t| t.tok).collect());
        // Identifiers left after expansion are 0, as C says.
        let text: String = expanded
            .iter()
            .map(|t| if t.kind == Kind::Ident { "0" } else { &*t.text })
            .collect();
        let result = self.host.condition(&text, span);
        match result {
            Ok(v) => v != 0,
            Err(msg) => {
                self.host.diags().push(
                    Diagnostic::error(span, format!("invalid `#if` condition: {msg}"))
                        .with_label("in this condition"),
                );
                false
            }
        }
    }

    /// Replaces `defined X` and `defined(X)` before macro expansion.
    fn resolve_defined(&self, tokens: Vec<Token>) -> Vec<Token> {
        let mut out = Vec::with_capacity(tokens.len());
        let mut i = 0;
        let sig = |from: usize| (from..tokens.len()).find(|&j| tokens[j].kind != Kind::Space);
        while i < tokens.len() {
            if tokens[i].kind == Kind::Ident && tokens[i].is("defined") {
                let (name_at, close) = match sig(i + 1) {
                    Some(j) if tokens[j].is("(") => match sig(j + 1) {
                        Some(k) => (Some(k), sig(k + 1).filter(|&c| tokens[c].is(")"))),
                        None => (None, None),
                    },
                    Some(j) => (Some(j), Some(j)),
                    None => (None, None),
                };
                if let (Some(n), Some(end)) = (name_at, close) {
                    let defined = self.macros.contains_key(&*tokens[n].text);
                    out.push(Token {
                        kind: Kind::Number,
                        text: if defined { "1" } else { "0" }.into(),
                        at: None,
                    });
                    i = end + 1;
                    continue;
                }
            }
            out.push(tokens[i].clone());
            i += 1;
        }
        out
    }

    fn define(&mut self, st: &FileState, rest: &str, rest_at: usize) {
        let rest_start =
            rest_at + (st.text[rest_at..].len() - st.text[rest_at..].trim_start().len());
        let name_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        let at = st.span(rest_start..rest_start + name_len);
        if name_len == 0 || rest.as_bytes()[0].is_ascii_digit() {
            self.host.diags().push(
                Diagnostic::error(at, "`#define` needs a macro name")
                    .with_label("expected an identifier"),
            );
            return;
        }
        let name = rest[..name_len].to_string();
        let after = &rest[name_len..];
        let (params, variadic, body) = if let Some(list) = after.strip_prefix('(') {
            let Some(close) = list.find(')') else {
                self.host.diags().push(
                    Diagnostic::error(
                        at,
                        format!("unterminated parameter list in `#define {name}`"),
                    )
                    .with_label("no `)`"),
                );
                return;
            };
            let mut params = Vec::new();
            let mut variadic = false;
            for p in list[..close]
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
            {
                if p == "..." {
                    variadic = true;
                } else {
                    params.push(p.to_string());
                }
            }
            (Some(params), variadic, &list[close + 1..])
        } else {
            (None, false, after)
        };
        let body = tokenize(body.trim(), 0)
            .into_iter()
            .map(|t| Token { at: None, ..t })
            .collect();
        let mac = Macro {
            params,
            variadic,
            body,
            defined_at: Some(at),
        };
        if let Some(old) = self.macros.get(&name) {
            if !old.same_as(&mac) {
                let mut d = Diagnostic::warning(at, format!("macro `{name}` redefined"))
                    .with_label("new definition");
                if let Some(prev) = old.defined_at {
                    d = d.with_secondary(prev, "previous definition");
                }
                self.host.diags().push(d);
            }
        }
        self.macros.insert(name, mac);
    }

    fn include(&mut self, st: &FileState, rest: &str, at: Span, depth: usize) {
        let (name, quoted) = match (rest.chars().next(), rest.get(1..)) {
            (Some('"'), Some(r)) => (r.split('"').next().unwrap_or(""), true),
            (Some('<'), Some(r)) => (r.split('>').next().unwrap_or(""), false),
            _ => {
                self.host.diags().push(
                    Diagnostic::error(at, "`#include` expects \"FILE\" or <FILE>")
                        .with_label("no file name"),
                );
                return;
            }
        };
        if self.includes >= MAX_INCLUDES {
            if self.includes == MAX_INCLUDES {
                self.host.diags().push(
                    Diagnostic::error(at, format!("more than {MAX_INCLUDES} `#include`s"))
                        .with_label("stopped here; is a file including itself more than once?"),
                );
            }
            self.includes += 1;
            return;
        }
        self.includes += 1;
        if depth >= MAX_INCLUDE_DEPTH {
            self.host.diags().push(
                Diagnostic::error(
                    at,
                    format!("`#include` nested more than {MAX_INCLUDE_DEPTH} deep"),
                )
                .with_label("is a file including itself?"),
            );
            return;
        }
        let here = self
            .host
            .sources()
            .path(st.file)
            .and_then(Path::parent)
            .map(Path::to_path_buf);
        let opened = self.host.sources().open(
            name,
            here.as_deref().filter(|_| quoted),
            &self.opts.include_dirs,
            self.opts.builtins,
        );
        match opened {
            Ok(id) if self.once.contains(&id) => {}
            Ok(id) => {
                self.out.includes.push(id);
                self.run_file(id, depth + 1);
            }
            Err(OpenError::NotFound) => self.host.diags().push(
                Diagnostic::error(at, format!("cannot find include file `{name}`"))
                    .with_label("not found")
                    .with_note(searched(self.opts.builtins, "including")),
            ),
            Err(OpenError::Read(path, e)) => self.host.diags().push(
                Diagnostic::error(at, format!("cannot read `{}`: {e}", path.display()))
                    .with_label("included here"),
            ),
        }
    }
}

/// What the output ends with, which decides whether the next piece needs
/// a space to keep it from gluing on.
#[derive(Default)]
struct Joint {
    after_expansion: bool,
    after_word: bool,
}

/// The end (exclusive, in `tokens`) of the invocation of the function-like
/// macro named at `name`: past its closing parenthesis, or the end of the
/// run when it is never closed (the expander reports that). `None` when no
/// `(` follows the name.
fn invocation_end(text: &str, tokens: &[(Kind, Range<usize>)], name: usize) -> Option<usize> {
    let is =
        |t: &(Kind, Range<usize>), c: u8| t.0 == Kind::Punct && text.as_bytes()[t.1.start] == c;
    let open = (name + 1..tokens.len()).find(|&j| tokens[j].0 != Kind::Space)?;
    if !is(&tokens[open], b'(') {
        return None;
    }
    let mut depth = 0usize;
    for (j, t) in tokens.iter().enumerate().skip(open) {
        if is(t, b'(') {
            depth += 1;
        } else if is(t, b')') {
            depth -= 1;
            if depth == 0 {
                return Some(j + 1);
            }
        }
    }
    Some(tokens.len())
}

/// Scanned tokens of `text` (which starts at `base` in its file) as the
/// expander's input.
fn pp_tokens(text: &str, base: usize, tokens: &[(Kind, Range<usize>)]) -> Vec<PpToken> {
    tokens
        .iter()
        .map(|(kind, r)| {
            PpToken::verbatim(Token {
                kind: *kind,
                text: text[r.clone()].into(),
                at: Some(base + r.start..base + r.end),
            })
        })
        .collect()
}
