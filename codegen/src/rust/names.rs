//! Rust names for IDL names. Types keep theirs, fields and methods become
//! snake_case, keywords become raw identifiers, and names that would
//! collide in Rust (a type and an interface module of one name, `Foo` and
//! `foo` as fields, a name the generated code uses itself) get a `_`.

use std::collections::{BTreeMap, HashSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Names generated code takes in every module: an IDL item of one of
/// these names is renamed instead.
const TAKEN: &[&str] = &[
    "ndr",
    "wire",
    "rpc",
    "orpc",
    "std",
    "core",
    "alloc",
    "Option",
    "Some",
    "None",
    "Vec",
    "Box",
    "Result",
    "Ok",
    "Err",
    "String",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Send",
    "Sync",
    "TYPE_NAMES",
    "decode_by_name",
];

/// `name` with every character Rust does not take in an identifier as `_`
/// (WinRT's dotted names, `$` in old IDL), and a leading digit guarded.
fn sanitize(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// `name` as an identifier: raw if it is a keyword (`r#type`), with a
/// trailing `_` for the few keywords that cannot be raw.
pub fn ident(name: &str) -> String {
    let name = sanitize(name);
    if matches!(name.as_str(), "self" | "Self" | "super" | "crate" | "_") {
        return format!("{name}_");
    }
    if KEYWORDS.contains(&name.as_str()) {
        return format!("r#{name}");
    }
    name
}

/// The Rust name of an IDL type: the IDL name, unchanged where Rust takes it.
pub fn type_name(name: &str) -> String {
    ident(name)
}

/// The Rust name of a field, parameter or method: snake_case.
pub fn field_name(name: &str) -> String {
    let snake = sanitize(name).to_snake_case();
    ident(if snake.is_empty() { "field" } else { &snake })
}

/// UpperCamelCase, for message types and union variants.
pub fn camel(name: &str) -> String {
    let c = sanitize(name).to_upper_camel_case();
    ident(if c.is_empty() { "Unnamed" } else { &c })
}

/// The name without `r#`, for building longer names from it.
pub fn bare(id: &str) -> &str {
    id.strip_prefix("r#").unwrap_or(id)
}

/// Hands out names unique within one Rust namespace of one module.
#[derive(Default)]
pub struct Namespace {
    used: HashSet<String>,
}

impl Namespace {
    /// A namespace where the names generated code uses are taken.
    pub fn module() -> Namespace {
        Namespace {
            used: TAKEN.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// `want`, or `want_`, `want__`... if it is taken.
    pub fn claim(&mut self, want: &str) -> String {
        let mut name = want.to_string();
        while self.used.contains(bare(&name)) {
            name = format!("{}_", bare(&name));
        }
        self.used.insert(bare(&name).to_string());
        name
    }
}

/// Unique snake_case names for the fields of one struct or message.
pub fn field_names<'a>(idl: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut ns = Namespace::default();
    idl.into_iter().map(|n| ns.claim(&field_name(n))).collect()
}

/// The Rust names of a module's items, decided once, in a fixed order, so
/// that every reference agrees and the output is stable.
#[derive(Default)]
pub struct ItemNames {
    /// IDL type name → Rust name.
    pub types: BTreeMap<String, String>,
    /// IDL constant name → Rust name.
    pub constants: BTreeMap<String, String>,
    /// IDL interface name → its Rust names.
    pub interfaces: BTreeMap<String, InterfaceNames>,
}

/// What one interface is called in Rust.
#[derive(Clone, Debug)]
pub struct InterfaceNames {
    /// The identity struct (IID, VERSION, SYNTAX).
    pub identity: String,
    /// The module of its request and response types.
    pub module: String,
    pub server: String,
    pub stub: String,
    pub client: String,
}

impl ItemNames {
    /// Names for the types, constants and interfaces given, in that order.
    /// Types and modules share Rust's type namespace, constants and the
    /// interfaces' unit structs its value namespace.
    pub fn assign<'a>(
        types: impl IntoIterator<Item = &'a str>,
        constants: impl IntoIterator<Item = &'a str>,
        interfaces: impl IntoIterator<Item = &'a str>,
    ) -> ItemNames {
        let mut ty = Namespace::module();
        let mut value = Namespace::module();
        let mut out = ItemNames::default();
        for t in types {
            out.types.insert(t.to_string(), ty.claim(&type_name(t)));
        }
        let interfaces: Vec<&str> = interfaces.into_iter().collect();
        for i in &interfaces {
            // A unit struct is in both namespaces.
            let mut id = ty.claim(&type_name(i));
            while value.used.contains(bare(&id)) {
                id = ty.claim(&format!("{}_", bare(&id)));
            }
            value.claim(&id);
            out.interfaces.insert(
                i.to_string(),
                InterfaceNames {
                    identity: id,
                    module: String::new(),
                    server: String::new(),
                    stub: String::new(),
                    client: String::new(),
                },
            );
        }
        for i in &interfaces {
            let base = bare(&type_name(i)).to_string();
            let n = out.interfaces.get_mut(*i).expect("assigned above");
            n.server = ty.claim(&format!("{base}Server"));
            n.stub = ty.claim(&format!("{base}Stub"));
            n.client = ty.claim(&format!("{base}Client"));
            n.module = ty.claim(&field_name(i));
        }
        for c in constants {
            out.constants.insert(c.to_string(), value.claim(&ident(c)));
        }
        out
    }
}
