//! Rust names for IDL names: types keep theirs, fields and methods become
//! snake_case, and keywords become raw identifiers.

use heck::ToSnakeCase;
use proc_macro2::{Ident, Span};

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// An identifier for `name`, raw if it is a keyword (`r#type`), with a
/// trailing `_` for the few keywords that cannot be raw.
pub fn ident(name: &str) -> Ident {
    if matches!(name, "self" | "Self" | "super" | "crate" | "_") {
        return Ident::new(&format!("{name}_"), Span::call_site());
    }
    if KEYWORDS.contains(&name) {
        return Ident::new_raw(name, Span::call_site());
    }
    Ident::new(name, Span::call_site())
}

/// The Rust name of an IDL type: the IDL name, unchanged.
pub fn type_name(name: &str) -> Ident {
    ident(name)
}

/// The Rust name of a field or parameter: snake_case.
pub fn field_name(name: &str) -> Ident {
    let snake = name.to_snake_case();
    ident(if snake.is_empty() { "field" } else { &snake })
}
