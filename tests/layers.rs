//! The layering rule: within each crate, a module imports only from the
//! modules below it. Each crate's order is written here, lowest first; a
//! `crate::X` or `super::...` path that reaches up fails the test, naming
//! the file, the line and the path.
//!
//! Modules in one layer may use each other; the crate root (lib.rs,
//! main.rs) sits above every module. Comments, string literals and the
//! tokens inside `quote!` (code being generated, not code that runs) are
//! not read.

use std::path::{Path, PathBuf};

/// One crate's rule.
struct Rule {
    /// The crate's folder, from the workspace root.
    dir: &'static str,
    /// Its top-level modules in layers, lowest first.
    layers: &'static [&'static [&'static str]],
    /// Items of the crate root that other modules may name through
    /// `crate::`: a re-export, with the module it comes from, or `None`
    /// for an external crate re-exported (which any module may use).
    root_items: &'static [(&'static str, Option<&'static str>)],
    /// Upward paths allowed, by file and path prefix, each with its reason.
    allowed: &'static [Allowed],
}

struct Allowed {
    file: &'static str,
    path: &'static str,
    /// Why; also what has to change for the entry to go.
    #[allow(dead_code)]
    why: &'static str,
}

const RUNTIME: Rule = Rule {
    dir: "runtime/src",
    layers: &[
        &["hresult", "reader"],
        &["ndr"],
        &["rpc"],
        // Generated from ms-dcom.idl, ms-com.idl and ms-oaut.idl.
        &["dcom", "com", "oaut"],
        &["orpc"],
    ],
    // `#[macro_export]` puts ndr's declaration macros at the root.
    root_items: &[
        ("Hresult", Some("hresult")),
        ("uuid", None),
        ("context_handle", Some("ndr")),
        ("ndr_enum", Some("ndr")),
    ],
    allowed: &[
        // The generated files hold both the MS-DCOM types, which orpc
        // builds on, and the interfaces' stubs and proxies, which are
        // users of the runtime's public API like any generated code: an
        // [object] interface's server trait takes orpc's call context,
        // and its proxy starts each call with orpc's ORPCTHIS. Splitting
        // the generated types from the generated interfaces (a codegen
        // option) would remove these two.
        Allowed {
            file: "dcom.rs",
            path: "crate::orpc::CallContext",
            why: "generated [object] server traits take the ORPC call context",
        },
        Allowed {
            file: "dcom.rs",
            path: "crate::orpc::orpcthis",
            why: "generated [object] proxies start each call with a fresh ORPCTHIS",
        },
        Allowed {
            file: "com.rs",
            path: "crate::orpc::CallContext",
            why: "generated [object] server traits take the ORPC call context",
        },
        Allowed {
            file: "com.rs",
            path: "crate::orpc::orpcthis",
            why: "generated [object] proxies start each call with a fresh ORPCTHIS",
        },
        Allowed {
            file: "oaut/generated.rs",
            path: "crate::orpc::CallContext",
            why: "generated [object] server traits take the ORPC call context",
        },
        Allowed {
            file: "oaut/generated.rs",
            path: "crate::orpc::orpcthis",
            why: "generated [object] proxies start each call with a fresh ORPCTHIS",
        },
    ],
};

/// The front end's order, as its pipeline runs. It is being restructured:
/// adjust the layers here as modules move, and empty `allowed` as the
/// violations it lists are fixed.
const FRONT_END: Rule = Rule {
    dir: "idl-parser/src",
    layers: &[
        &["source"],
        &["diagnostic"],
        &["ast"],
        &["eval"],
        &["preprocess"],
        &["parse"],
        &["model"],
        &["resolve"],
        &["loader"],
    ],
    root_items: &[],
    allowed: &[],
};

const CODEGEN: Rule = Rule {
    dir: "codegen/src",
    layers: &[&["builtin"], &["rust"], &["build"]],
    root_items: &[],
    allowed: &[],
};

const MACROS: Rule = Rule {
    dir: "macros/src",
    layers: &[&["attrs"], &["lower"], &["derive"]],
    root_items: &[],
    allowed: &[],
};

const CLI: Rule = Rule {
    dir: "cli/src",
    layers: &[&["dump"]],
    root_items: &[],
    allowed: &[],
};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn the_runtime_imports_only_downward() {
    assert_layered(&RUNTIME);
}

#[test]
fn the_front_end_imports_only_downward() {
    assert_layered(&FRONT_END);
}

#[test]
fn the_code_generator_imports_only_downward() {
    assert_layered(&CODEGEN);
}

#[test]
fn the_macros_import_only_downward() {
    assert_layered(&MACROS);
}

#[test]
fn the_command_imports_only_downward() {
    assert_layered(&CLI);
}

fn assert_layered(rule: &Rule) {
    let root = workspace().join(rule.dir);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(!files.is_empty(), "no sources under {}", root.display());
    let mut found = Vec::new();
    let mut used = vec![false; rule.allowed.len()];
    for path in files {
        let rel = path
            .strip_prefix(&root)
            .expect("under the crate")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).expect("readable source");
        if let Some(top) = module_of(&rel).first() {
            if !rule.layers.iter().any(|l| l.contains(&top.as_str())) {
                found.push(format!(
                    "{}/{rel}: module `{top}` is in no layer: add it to the order",
                    rule.dir
                ));
            }
        }
        for v in violations(rule, &rel, &text) {
            let allowed = rule
                .allowed
                .iter()
                .position(|a| rel.starts_with(a.file) && v.path.starts_with(a.path));
            match allowed {
                Some(i) => used[i] = true,
                None => found.push(format!(
                    "{}/{rel}:{}: `{}` reaches up from `{}` to `{}`",
                    rule.dir, v.line, v.path, v.from, v.to
                )),
            }
        }
    }
    let order: Vec<String> = rule.layers.iter().map(|l| l.join(", ")).collect();
    assert!(
        found.is_empty(),
        "modules import upward (order, lowest first: {}; then the crate root):\n{}",
        order.join(" < "),
        found.join("\n")
    );
    let stale: Vec<String> = rule
        .allowed
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(a, _)| format!("{} -> {}", a.file, a.path))
        .collect();
    assert!(
        stale.is_empty(),
        "allowed violations that no longer occur (remove them): {stale:?}"
    );
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("a source folder")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// An upward path.
#[derive(Debug, PartialEq)]
struct Violation {
    line: usize,
    path: String,
    from: String,
    to: String,
}

/// The module path a file holds: `orpc/machine.rs` is `orpc::machine`,
/// `orpc/mod.rs` is `orpc`, and the crate root is empty.
fn module_of(rel: &str) -> Vec<String> {
    let stem = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<String> = stem.split('/').map(str::to_string).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Where a top-level name sits: `Some(rank)`, or `None` for what any
/// module may use (an external crate re-exported at the root).
fn rank(rule: &Rule, name: &str) -> Option<usize> {
    if let Some(i) = rule.layers.iter().position(|l| l.contains(&name)) {
        return Some(i);
    }
    match rule.root_items.iter().find(|(n, _)| *n == name) {
        Some((_, Some(module))) => rank(rule, module),
        Some((_, None)) => None,
        // Anything else is the crate root's own.
        None => Some(rule.layers.len()),
    }
}

fn violations(rule: &Rule, rel: &str, text: &str) -> Vec<Violation> {
    let file_module = module_of(rel);
    let from = file_module
        .first()
        .cloned()
        .unwrap_or_else(|| "crate root".into());
    let from_rank = file_module
        .first()
        .map_or(rule.layers.len(), |m| rank(rule, m).unwrap_or(0));
    let mut out = Vec::new();
    for p in paths(text) {
        // The module path the path starts from, and its first name there.
        let (base, names) = match p.head.as_str() {
            "crate" => (Vec::new(), p.names),
            _ => {
                let mut at: Vec<String> = file_module.clone();
                at.extend(p.inline.iter().cloned());
                if p.supers > at.len() {
                    continue; // not a path this test understands
                }
                at.truncate(at.len() - p.supers);
                (at, p.names)
            }
        };
        let targets: Vec<(String, String)> = match base.first() {
            Some(top) => vec![(top.clone(), p.text.clone())],
            None => names
                .into_iter()
                .map(|n| (n.clone(), p.text.clone()))
                .collect(),
        };
        for (top, text) in targets {
            if Some(&top) == file_module.first() {
                continue;
            }
            let Some(to_rank) = rank(rule, &top) else {
                continue;
            };
            if to_rank > from_rank {
                out.push(Violation {
                    line: p.line,
                    path: text,
                    from: from.clone(),
                    to: if to_rank == rule.layers.len() {
                        format!("crate root ({top})")
                    } else {
                        top
                    },
                });
            }
        }
    }
    out
}

/// A `crate::...` or `super::...` path as written.
#[derive(Debug)]
struct PathRef {
    line: usize,
    /// `crate` or `super`.
    head: String,
    /// How many `super`s lead it.
    supers: usize,
    /// The names right after the head (and the `super`s): one, or those
    /// a `{...}` use tree lists first.
    names: Vec<String>,
    /// The inline modules (`mod x { ... }`) the path sits in.
    inline: Vec<String>,
    /// The path as written, for messages.
    text: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

/// Rust source as tokens with their lines, without comments and literals.
fn tokens(text: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let ident_char = |ch: char| ch == '_' || ch.is_alphanumeric();
    // Skips a string body from its opening quote at `i`: `hashes` for raw.
    let skip_string = |i: &mut usize, line: &mut usize, raw: Option<usize>| {
        *i += 1;
        while *i < c.len() {
            match c[*i] {
                '\\' if raw.is_none() => *i += 1,
                '\n' => *line += 1,
                '"' => {
                    let h = raw.unwrap_or(0);
                    if c[*i + 1..].iter().take(h).filter(|&&x| x == '#').count() == h {
                        *i += 1 + h;
                        return;
                    }
                }
                _ => {}
            }
            *i += 1;
        }
    };
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if c[i] == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
        } else if ch == '"' {
            skip_string(&mut i, &mut line, None);
        } else if ch == '\'' {
            // A char literal ('x', '\n'), or a lifetime ('a), skipped alike.
            if c.get(i + 1) == Some(&'\\') {
                // The quote, the backslash and the escaped char, then up
                // to the closing quote (for '\u{..}').
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if ident_char(ch) {
            let start = i;
            while i < c.len() && ident_char(c[i]) {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let next = c.get(i).copied();
            match (word.as_str(), next) {
                ("r" | "br", Some('#' | '"')) => {
                    let hashes = c[i..].iter().take_while(|&&x| x == '#').count();
                    i += hashes;
                    if c.get(i) == Some(&'"') {
                        skip_string(&mut i, &mut line, Some(hashes));
                    }
                }
                ("b", Some('"')) => skip_string(&mut i, &mut line, None),
                ("b", Some('\'')) => {} // the char literal is skipped next
                _ => out.push((Tok::Ident(word), line)),
            }
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((Tok::PathSep, line));
            i += 2;
        } else {
            out.push((Tok::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// Every `crate::` and `super::` path, with the inline modules around it,
/// outside `quote!`-like macros.
fn paths(text: &str) -> Vec<PathRef> {
    let t = tokens(text);
    let mut out = Vec::new();
    let mut depth = 0usize;
    // Inline modules: name, and the depth inside their braces.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    let ident = |k: usize| match t.get(k) {
        Some((Tok::Ident(s), _)) => Some(s.as_str()),
        _ => None,
    };
    let punct = |k: usize, p: char| matches!(t.get(k), Some((Tok::Punct(x), _)) if *x == p);
    while i < t.len() {
        // Code being generated is not code of this crate.
        if matches!(ident(i), Some("quote" | "quote_spanned" | "parse_quote")) && punct(i + 1, '!')
        {
            i = skip_group(&t, i + 2);
            continue;
        }
        if ident(i) == Some("mod") && ident(i + 1).is_some() && punct(i + 2, '{') {
            depth += 1;
            inline.push((ident(i + 1).unwrap_or_default().to_string(), depth));
            i += 3;
            continue;
        }
        match &t[i].0 {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Ident(head)
                if (head == "crate" || head == "super")
                    && matches!(t.get(i + 1), Some((Tok::PathSep, _)))
                    && !matches!(
                        i.checked_sub(1).and_then(|k| t.get(k)),
                        Some((Tok::PathSep, _))
                    ) =>
            {
                let line = t[i].1;
                let mut k = i;
                let mut supers = 0;
                let mut text = String::new();
                // `super::super::x`: count the supers.
                if head == "super" {
                    while ident(k) == Some("super")
                        && matches!(t.get(k + 1), Some((Tok::PathSep, _)))
                    {
                        supers += 1;
                        text += "super::";
                        k += 2;
                    }
                } else {
                    text += "crate::";
                    k += 2;
                }
                let names = match (&t.get(k).map(|x| &x.0), ident(k)) {
                    (_, Some(n)) => {
                        text += n;
                        // The rest of the path, for the message.
                        let mut j = k + 1;
                        while matches!(t.get(j), Some((Tok::PathSep, _))) {
                            match ident(j + 1) {
                                Some(n) => {
                                    text += "::";
                                    text += n;
                                    j += 2;
                                }
                                None => break,
                            }
                        }
                        vec![n.to_string()]
                    }
                    (Some(Tok::Punct('{')), _) => {
                        // A use tree: the first name of each branch.
                        let mut names = Vec::new();
                        let mut j = k + 1;
                        let mut level = 0;
                        let mut first = true;
                        while j < t.len() {
                            match &t[j].0 {
                                Tok::Punct('{') => level += 1,
                                Tok::Punct('}') if level == 0 => break,
                                Tok::Punct('}') => level -= 1,
                                Tok::Punct(',') if level == 0 => first = true,
                                Tok::Ident(n) if level == 0 && first => {
                                    names.push(n.clone());
                                    first = false;
                                }
                                _ => {}
                            }
                            j += 1;
                        }
                        text += &format!("{{{}}}", names.join(", "));
                        names
                    }
                    (Some(Tok::Punct('*')), _) => {
                        text += "*";
                        vec!["*".to_string()]
                    }
                    _ => Vec::new(),
                };
                out.push(PathRef {
                    line,
                    head: head.clone(),
                    supers,
                    names,
                    inline: inline.iter().map(|(n, _)| n.clone()).collect(),
                    text,
                });
                i = k;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The index after the delimited group that starts at `i`.
fn skip_group(t: &[(Tok, usize)], i: usize) -> usize {
    let (open, close) = match t.get(i) {
        Some((Tok::Punct('(' | ')'), _)) => ('(', ')'),
        Some((Tok::Punct('[' | ']'), _)) => ('[', ']'),
        Some((Tok::Punct('{' | '}'), _)) => ('{', '}'),
        _ => return i,
    };
    let mut level = 0;
    let mut j = i;
    while j < t.len() {
        match t[j].0 {
            Tok::Punct(p) if p == open => level += 1,
            Tok::Punct(p) if p == close => {
                level -= 1;
                if level == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
        j += 1;
    }
    j
}

// ------------------------------------------------------------------ the checker itself

const SMALL: Rule = Rule {
    dir: "",
    layers: &[&["low"], &["mid"], &["high"]],
    root_items: &[("Thing", Some("low")), ("ext", None)],
    allowed: &[],
};

fn upward(rel: &str, text: &str) -> Vec<String> {
    violations(&SMALL, rel, text)
        .into_iter()
        .map(|v| format!("{}:{}", v.line, v.path))
        .collect()
}

#[test]
fn an_upward_crate_path_is_found_with_its_line() {
    let src = "use crate::low::A;\nfn f() { crate::high::g(); }\n";
    assert_eq!(upward("mid.rs", src), ["2:crate::high::g"]);
}

#[test]
fn super_paths_resolve_from_the_file_and_its_inline_modules() {
    // mid/inner.rs: `super::x` is mid itself; `super::super::high` is up.
    let src = "use super::x;\nuse super::super::high::H;\nmod tests {\n    use super::*;\n}\n";
    assert_eq!(upward("mid/inner.rs", src), ["2:super::super::high::H"]);
}

#[test]
fn use_trees_are_read_branch_by_branch() {
    assert_eq!(
        upward("mid.rs", "use crate::{low::A, high::B, Thing};\n"),
        ["1:crate::{low, high, Thing}"]
    );
}

#[test]
fn root_items_count_as_their_module_and_the_rest_as_the_root() {
    assert!(upward("low.rs", "use crate::Thing;\nuse crate::ext::X;\n").is_empty());
    assert_eq!(upward("low.rs", "use crate::Other;\n"), ["1:crate::Other"]);
    assert!(upward("lib.rs", "use crate::high::X;\n").is_empty());
}

#[test]
fn comments_strings_and_generated_tokens_are_not_imports() {
    let src = r##"
const Q: char = '\'';
const U: char = '\u{41}';
// crate::high in a comment
/* crate::high
   in a block */
const S: &str = "crate::high::x";
const R: &str = r#"crate::high"#;
fn f<'a>(c: char) -> bool { c == '"' }
fn g() { quote! { use super::super::high::*; crate::high::x() }; }
"##;
    assert!(
        upward("low.rs", src).is_empty(),
        "{:?}",
        upward("low.rs", src)
    );
}
