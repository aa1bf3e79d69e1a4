//! Parsing: preprocessed text to the syntax tree, through the pest grammar.
//!
//! Top-level items are parsed one at a time, so that a syntax error in one
//! declaration does not hide the errors in the next.

mod acf;
mod build;

pub use acf::parse_acf;

use pest::Parser;

use crate::ast;
use crate::diagnostic::Diagnostic;
use crate::preprocess::Preprocessed;
use crate::source::Span;

#[derive(pest_derive::Parser)]
#[grammar = "parse/grammar.pest"]
pub(crate) struct MidlParser;

/// Parses one preprocessed file. Syntax errors go to `diags`; the items that
/// did parse are returned either way.
pub fn parse_file(pp: &Preprocessed, diags: &mut Vec<Diagnostic>) -> ast::File {
    let text = pp.text.as_str();
    if let Some(at) = too_deep(text) {
        diags.push(
            Diagnostic::error(pp.origins.span(at, at + 1), "brackets nested too deeply")
                .with_label(format!(
                    "more than {MAX_NESTING} levels of (), [] or {{}} here"
                )),
        );
        return ast::File { items: Vec::new() };
    }
    let mut items = Vec::new();
    // Open `library` blocks. Their bodies are parsed item by item, like a
    // file: a library can hold a megabyte of IDL, and pest keeps every token
    // of the item it parses.
    let mut open: Vec<(ast::Container, usize, Block)> = Vec::new();
    let mut syntax_errors = 0;
    let mut pos = 0;
    loop {
        pos = skip_ws(text, pos);
        if pos >= text.len() {
            break;
        }
        if text.as_bytes()[pos] == b'}' {
            if let Some((mut lib, start, block)) = open.pop() {
                let after = skip_ws(text, pos + 1);
                let end = if text.as_bytes().get(after) == Some(&b';') {
                    after + 1
                } else {
                    pos + 1
                };
                lib.span = pp.origins.span(start, end);
                add(&mut open, &mut items, block.item(lib));
                pos = end;
                continue;
            }
        }
        let head = match opens_block(text, pos) {
            Some(Block::Library) => MidlParser::parse(Rule::library_head, &text[pos..])
                .ok()
                .map(|p| (p, Block::Library)),
            Some(Block::Namespace) => MidlParser::parse(Rule::namespace_head, &text[pos..])
                .ok()
                .map(|p| (p, Block::Namespace)),
            None => None,
        };
        if let Some((mut pairs, block)) = head {
            if let Some(head) = pairs.next() {
                let end = pos + head.as_span().end();
                let lib = build::Builder::new(pp, pos, diags).container(head);
                open.push((lib, pos, block));
                pos = end;
                continue;
            }
        }
        match MidlParser::parse(Rule::item_entry, &text[pos..]) {
            Ok(mut pairs) => {
                let Some(pair) = pairs.next() else { break };
                let end = pos + pair.as_span().end();
                let mut b = build::Builder::new(pp, pos, diags);
                if let Some(item) = pair.into_inner().next() {
                    let item = b.item(item);
                    add(&mut open, &mut items, item);
                }
                pos = end.max(pos + 1);
            }
            Err(_) if syntax_errors >= MAX_SYNTAX_ERRORS => {
                diags.push(
                    Diagnostic::error(
                        pp.origins.span(pos, pos + 1),
                        "too many syntax errors; the rest of this file is skipped",
                    )
                    .with_label(format!("after {MAX_SYNTAX_ERRORS} errors")),
                );
                break;
            }
            Err(e) => {
                syntax_errors += 1;
                // Parse again, tracking the tokens tried at the error, for
                // "expected `;`". The tracking halves parsing speed, so it is
                // off until the first error (and then stays on: the switch is
                // process-wide, and turning it off could race another parse).
                pest::set_error_detail(true);
                let e = MidlParser::parse(Rule::item_entry, &text[pos..])
                    .err()
                    .unwrap_or(e);
                diags.push(syntax_error(pp, pos, &e));
                pos = recover(text, pos);
            }
        }
    }
    while let Some((lib, _, block)) = open.pop() {
        diags.push(
            Diagnostic::error(
                lib.name.span,
                format!("{} `{}` is never closed", block.word(), lib.name.name),
            )
            .with_label("its `{` has no `}`"),
        );
        add(&mut open, &mut items, block.item(lib));
    }
    ast::File { items }
}

/// A block whose items are parsed one by one.
#[derive(Clone, Copy)]
enum Block {
    Library,
    Namespace,
}

impl Block {
    fn word(self) -> &'static str {
        match self {
            Block::Library => "library",
            Block::Namespace => "namespace",
        }
    }

    fn item(self, c: ast::Container) -> ast::Item {
        match self {
            Block::Library => ast::Item::Library(c),
            Block::Namespace => ast::Item::Namespace(c),
        }
    }
}

/// Whether the item at `pos` opens a library (`library`, after any
/// `[...]`) or a WinRT namespace: a cheap look before asking the grammar.
fn opens_block(text: &str, mut pos: usize) -> Option<Block> {
    let bytes = text.as_bytes();
    while bytes.get(pos) == Some(&b'[') {
        let mut depth = 0usize;
        while pos < bytes.len() {
            match bytes[pos] {
                b'[' => depth += 1,
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            pos += 1;
        }
        pos = skip_ws(text, pos + 1);
    }
    let word = text.get(pos..).unwrap_or("");
    let is = |w: &str| {
        word.starts_with(w)
            && !word[w.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    };
    if is("library") {
        Some(Block::Library)
    } else if is("namespace") {
        Some(Block::Namespace)
    } else {
        None
    }
}

/// Adds an item to the innermost open library, or to the file.
fn add(open: &mut [(ast::Container, usize, Block)], items: &mut Vec<ast::Item>, item: ast::Item) {
    match open.last_mut() {
        Some((lib, _, _)) => lib.items.push(item),
        None => items.push(item),
    }
}

/// Past this many syntax errors in one file, the rest is noise (and each
/// costs a parse of the item).
const MAX_SYNTAX_ERRORS: usize = 100;

/// Deeper nesting than this is refused before parsing: the parser and the
/// passes after it recurse once per level, and the stack is finite.
const MAX_NESTING: usize = 256;

/// The offset where bracket nesting first exceeds [`MAX_NESTING`].
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match b {
            // Brackets inside literals are text.
            b'"' | b'\'' => {
                while i < bytes.len() && bytes[i] != b && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i - 1);
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parses a `#if` condition after macro expansion.
pub fn parse_condition(text: &str, at: Span) -> Result<ast::Expr, String> {
    if too_deep(text).is_some() {
        return Err(format!("nested more than {MAX_NESTING} levels deep"));
    }
    let mut pairs =
        MidlParser::parse(Rule::pp_condition, text).map_err(|e| describe_expected(&e, text).0)?;
    let cond = pairs
        .next()
        .and_then(|p| p.into_inner().next())
        .ok_or("empty condition")?;
    let mut diags = Vec::new();
    let expr = build::Builder::fixed(at, &mut diags).expr(cond);
    match diags.into_iter().next() {
        Some(d) => Err(d.message),
        None => Ok(expr),
    }
}

fn skip_ws(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    // The grammar's white space, vertical tab included.
    while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == 0x0B) {
        pos += 1;
    }
    pos
}

/// Where parsing resumes after a bad item: past the `;` that ends it at brace
/// depth zero, or past the `}` (and an optional `;`) that closes its body.
fn recover(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => {
                let q = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != q && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' => depth += 1,
            // The `}` of an enclosing library is not this item's to take.
            b'}' if depth == 0 => return i.max(start + 1).min(bytes.len()),
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    let after = skip_ws(text, i + 1);
                    return if bytes.get(after) == Some(&b';') {
                        after + 1
                    } else {
                        i + 1
                    };
                }
            }
            b';' if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

fn syntax_error(pp: &Preprocessed, base: usize, e: &pest::error::Error<Rule>) -> Diagnostic {
    let text = &pp.text[base..];
    let at = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let (expected, found_len) = describe_expected(e, text);
    let found = &text[at..(at + found_len).min(text.len())];
    let span = pp.origins.span(base + at, base + at + found_len.max(1));
    let found_desc = if found.is_empty() {
        "end of file".to_string()
    } else {
        format!("`{found}`")
    };
    let d = Diagnostic::error(
        span,
        format!("syntax error: {expected}, found {found_desc}"),
    )
    .with_label(format!("unexpected {found_desc}"));
    // What was being parsed, and at the end of the file, the brace left
    // open: the place to look, rather than the last line.
    let d = match item_keyword(text) {
        Some((start, word)) if start < at => d.with_secondary(
            pp.origins.span(base + start, base + start + word.len()),
            format!("in this `{word}` declaration"),
        ),
        _ => d,
    };
    match unclosed_brace(&text[..at]) {
        Some(open) if found.is_empty() => d.with_secondary(
            pp.origins.span(base + open, base + open + 1),
            "this `{` is never closed",
        ),
        _ => d,
    }
}

/// The keyword that says what an item is (`interface`, `typedef`...),
/// after its attribute lists, with its offset.
fn item_keyword(text: &str) -> Option<(usize, &str)> {
    let mut at = 0;
    let bytes = text.as_bytes();
    loop {
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'[') {
            break;
        }
        // Skip one attribute list, brackets nested.
        let mut depth = 0usize;
        while let Some(&b) = bytes.get(at) {
            at += 1;
            match b {
                b'[' => depth += 1,
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    let end = at
        + text[at..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len() - at);
    let word = &text[at..end];
    const ITEMS: [&str; 12] = [
        "interface",
        "dispinterface",
        "typedef",
        "struct",
        "union",
        "enum",
        "coclass",
        "library",
        "module",
        "const",
        "import",
        "cpp_quote",
    ];
    ITEMS.contains(&word).then_some((at, word))
}

/// The last `{` that no `}` closes in `text`, outside string literals.
fn unclosed_brace(text: &str) -> Option<usize> {
    let mut open = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'{' if !in_string => open.push(i),
            b'}' if !in_string => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// The operators `binop` and `prefix_op` spell, as the expected list quotes them.
const OPERATORS: [&str; 20] = [
    "`||`", "`&&`", "`|`", "`^`", "`&`", "`==`", "`!=`", "`<<`", "`>>`", "`<=`", "`>=`", "`<`",
    "`>`", "`+`", "`-`", "`*`", "`/`", "`%`", "`!`", "`~`",
];

/// "expected X or Y", and the length of the token found at the error.
fn describe_expected(e: &pest::error::Error<Rule>, text: &str) -> (String, usize) {
    let at = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let rest = text.get(at..).unwrap_or("");
    let found_len = token_len(rest);
    let mut names: Vec<String> = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives
            .iter()
            .map(|r| rule_name(*r).to_string())
            .collect(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    // Punctuation the grammar tried at the error, which rule names miss.
    if let Some(attempts) = e.parse_attempts() {
        for t in attempts.expected_tokens() {
            // pest does not export the token type; its text is enough.
            let token = t.to_string();
            let punct = token.chars().all(|c| c.is_ascii_punctuation()) && !token.contains("..");
            if !token.is_empty() && punct {
                names.push(format!("`{token}`"));
            }
        }
    }
    // "an operator" stands for the eighteen spellings the grammar tried.
    if names.iter().any(|n| n == "an operator") {
        names.retain(|n| !OPERATORS.contains(&n.as_str()));
    }
    // "a token" says nothing when something more precise is on the list.
    if names.iter().any(|n| n != "a token") {
        names.retain(|n| n != "a token");
    }
    names.sort_unstable();
    names.dedup();
    let expected = match names.as_slice() {
        [] => "unexpected input".to_string(),
        [one] => format!("expected {one}"),
        [init @ .., last] => format!("expected {} or {last}", init.join(", ")),
    };
    (expected, found_len)
}

fn token_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    match chars.next() {
        None => 0,
        Some((_, c)) if c.is_ascii_alphanumeric() || c == '_' => rest
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(rest.len(), |(i, _)| i),
        Some((_, c)) => c.len_utf8(),
    }
}

/// Names a user understands, for "expected ..." messages.
fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::ident | Rule::word => "an identifier",
        Rule::expr | Rule::cond_tail => "an expression",
        Rule::type_spec
        | Rule::base_type
        | Rule::named_type
        | Rule::int_type
        | Rule::other_base
        | Rule::tagged_type => "a type",
        Rule::declarator | Rule::abstract_declarator => "a declarator",
        Rule::attr_list => "`[`",
        Rule::attr | Rule::attr_arg => "an attribute",
        Rule::string | Rule::str_part => "a string literal",
        Rule::param | Rule::params => "a parameter",
        Rule::field => "a member declaration",
        Rule::method => "a method",
        Rule::array_dim => "`[`",
        Rule::ptr_op => "`*`",
        Rule::enumerator => "an enumerator",
        Rule::uuid_lit => "a uuid",
        Rule::EOI => "end of file",
        Rule::item_entry | Rule::interface | Rule::typedef | Rule::import => "a declaration",
        Rule::union_case | Rule::case_label | Rule::default_label | Rule::empty_arm => {
            "a union arm"
        }
        Rule::hex_lit | Rule::dec_lit | Rule::float_lit => "a number",
        Rule::callconv => "a calling convention",
        Rule::kw_const => "`const`",
        Rule::binop | Rule::prefix_op => "an operator",
        _ => "a token",
    }
}
