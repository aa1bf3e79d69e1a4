//! `msidl dump`'s text form of the model: one line per declaration, and
//! one per field or parameter with its NDR levels outermost first, the way
//! Samba's pidl shows them:
//!
//! ```text
//! ppdsaOxidBindings: [out] ref ptr(top) -> unique ptr -> DUALSTRINGARRAY
//! ```
//!
//! `--json` prints everything the model holds; this is for reading.

use std::fmt::Write;

use msrpc_idl::model::{
    Array, ConstValue, DataType, Direction, Field, Interface, Layout, Level, MarshalKind, Method,
    Model, PointerKind, Scalar, TypeKind, UnionSwitch,
};

/// The model as text.
pub fn text(m: &Model) -> String {
    let mut out = String::new();
    for f in &m.files {
        let how = if f.root { "" } else { " (imported)" };
        let _ = writeln!(out, "file {}{how}", f.path);
    }
    gap(&mut out);
    for c in &m.constants {
        let value = match &c.value {
            ConstValue::Int(v) => v.to_string(),
            ConstValue::Str(s) => format!("{s:?}"),
            ConstValue::Float(f) => f.clone(),
        };
        let _ = writeln!(out, "const {} = {value}", c.name);
    }
    gap(&mut out);
    for t in &m.types {
        types(&mut out, &t.name, &t.kind);
    }
    for i in &m.interfaces {
        interface(&mut out, i);
    }
    for d in &m.dispinterfaces {
        gap(&mut out);
        let _ = writeln!(out, "dispinterface {}{}", d.name, uuid(d.uuid));
        for p in &d.properties {
            field(&mut out, "    ", p);
        }
        for meth in &d.methods {
            method(&mut out, meth);
        }
    }
    for c in &m.coclasses {
        gap(&mut out);
        let _ = writeln!(out, "coclass {}{}", c.name, uuid(c.uuid));
        for i in &c.interfaces {
            let mut flags = Vec::new();
            if i.default {
                flags.push("default");
            }
            if i.source {
                flags.push("source");
            }
            let kind = if i.dispinterface {
                "dispinterface"
            } else {
                "interface"
            };
            let _ = writeln!(out, "    {}{kind} {}", attrs(&flags), i.name);
        }
    }
    for l in &m.libraries {
        gap(&mut out);
        let _ = writeln!(out, "library {}{}", l.name, uuid(l.uuid));
        for member in &l.members {
            let _ = writeln!(out, "    {member}");
        }
    }
    for module in &m.modules {
        gap(&mut out);
        let _ = writeln!(out, "module {}", module.name);
        for f in &module.functions {
            method(&mut out, f);
        }
    }
    if !m.functions.is_empty() {
        gap(&mut out);
        let _ = writeln!(out, "functions");
        for f in &m.functions {
            method(&mut out, f);
        }
    }
    out
}

fn types(out: &mut String, name: &str, kind: &TypeKind) {
    match kind {
        TypeKind::Struct(s) => {
            gap(out);
            let _ = writeln!(out, "struct {name}");
            for f in &s.fields {
                field(out, "    ", f);
            }
            gap(out);
        }
        TypeKind::Union(u) => {
            let switch = match &u.switch {
                UnionSwitch::Encapsulated {
                    discriminant, ty, ..
                } => format!(" switch({} {discriminant})", data(ty)),
                UnionSwitch::NonEncapsulated { ty: Some(ty) } => {
                    format!(" switch_type({})", data(ty))
                }
                UnionSwitch::NonEncapsulated { ty: None } => String::new(),
                UnionSwitch::Plain => " (no discriminant)".into(),
            };
            gap(out);
            let _ = writeln!(out, "union {name}{switch}");
            for arm in &u.arms {
                let cases: Vec<String> = arm.cases.iter().map(i128::to_string).collect();
                let mut label = match cases.is_empty() {
                    true => String::new(),
                    false => format!("case {}", cases.join(", ")),
                };
                if arm.default {
                    label += if label.is_empty() {
                        "default"
                    } else {
                        ", default"
                    };
                }
                let label = format!("    {label}: ");
                match &arm.field {
                    Some(f) => field(out, &label, f),
                    None => {
                        let _ = writeln!(out, "{label}(empty)");
                    }
                }
            }
            gap(out);
        }
        TypeKind::Enum(e) => {
            let bits = if e.v1_enum { " (v1_enum, 32 bits)" } else { "" };
            gap(out);
            let _ = writeln!(out, "enum {name}{bits}");
            for (item, value) in &e.items {
                let _ = writeln!(out, "    {item} = {value}");
            }
            gap(out);
        }
        TypeKind::Alias(l) => {
            let _ = writeln!(out, "typedef {name}: {}", layout(l));
        }
        TypeKind::Opaque => {
            let _ = writeln!(out, "opaque struct {name}");
        }
        TypeKind::ContextHandle => {
            let _ = writeln!(out, "context_handle {name}");
        }
        TypeKind::Marshaled(m) => {
            let how = match m.how {
                MarshalKind::WireMarshal => "wire_marshal",
                MarshalKind::TransmitAs => "transmit_as",
            };
            let (wire, local) = (layout(&m.wire), layout(&m.local));
            let _ = writeln!(out, "typedef {name}: {local}, {how}({wire})");
        }
    }
}

fn interface(out: &mut String, i: &Interface) {
    gap(out);
    let mut head = format!("interface {}{}", i.name, uuid(i.uuid));
    if let Some((major, minor)) = i.version {
        let _ = write!(head, " version({major}.{minor})");
    }
    let mut flags = Vec::new();
    if i.object {
        flags.push("object");
    }
    if i.local {
        flags.push("local");
    }
    if let Some(p) = i.pointer_default {
        flags.push(match p {
            PointerKind::Ref => "pointer_default(ref)",
            PointerKind::Unique => "pointer_default(unique)",
            PointerKind::Full => "pointer_default(ptr)",
        });
    }
    if !flags.is_empty() {
        let _ = write!(head, " {}", attrs(&flags).trim_end());
    }
    if let Some(base) = &i.base {
        let _ = write!(head, " : {base}");
    }
    let _ = writeln!(out, "{head}");
    for m in &i.methods {
        method(out, m);
    }
}

fn method(out: &mut String, m: &Method) {
    let _ = writeln!(out, "    opnum {} {}", m.opnum, m.name);
    for p in &m.params {
        let dir = match p.direction {
            Direction::In => "[in]",
            Direction::Out => "[out]",
            Direction::InOut => "[in, out]",
        };
        let binding = if p.binding { " (binding handle)" } else { "" };
        let _ = writeln!(
            out,
            "        {}: {dir} {}{binding}",
            p.name,
            layout(&p.layout)
        );
    }
    if let Some(r) = &m.ret {
        let _ = writeln!(out, "        return: {}", layout(r));
    }
}

fn field(out: &mut String, indent: &str, f: &Field) {
    let _ = writeln!(out, "{indent}{}: {}", f.name, layout(&f.layout));
}

/// `ref ptr(top) -> unique ptr -> array(size_is(n)) -> T`, then the
/// attributes that constrain the data.
fn layout(l: &Layout) -> String {
    let mut parts: Vec<String> = l.levels.iter().map(level).collect();
    parts.push(data(&l.data));
    let mut s = parts.join(" -> ");
    if let Some((lo, hi)) = l.range {
        let _ = write!(s, " range({lo}, {hi})");
    }
    if let Some(e) = &l.switch_is {
        let _ = write!(s, " switch_is({e})");
    }
    if let Some(e) = &l.iid_is {
        let _ = write!(s, " iid_is({e})");
    }
    if let Some(w) = l.bit_width {
        let _ = write!(s, " : {w} bits");
    }
    s
}

fn level(l: &Level) -> String {
    match l {
        Level::Pointer(p) => {
            let kind = match p.kind {
                PointerKind::Ref => "ref",
                PointerKind::Unique => "unique",
                PointerKind::Full => "full",
            };
            let top = if p.top_level { "(top)" } else { "" };
            format!("{kind} ptr{top}")
        }
        Level::Array(a) => array(a),
    }
}

fn array(a: &Array) -> String {
    let mut s = String::from("array");
    if let Some(n) = a.fixed {
        let _ = write!(s, "[{n}]");
    }
    let mut what: Vec<String> = a.bounds().map(|(b, e)| format!("{b}_is({e})")).collect();
    if a.string {
        what.push("string".into());
    }
    if !what.is_empty() {
        let _ = write!(s, "({})", what.join(", "));
    }
    s
}

fn data(d: &DataType) -> String {
    match d {
        DataType::Base(s) => scalar(*s).into(),
        DataType::Named(n) => n.name.clone(),
        DataType::Interface(name) => format!("interface {name}"),
        DataType::Function => "function".into(),
        DataType::ContextHandle => "context_handle".into(),
    }
}

/// The MIDL spelling of a base type.
fn scalar(s: Scalar) -> &'static str {
    match s {
        Scalar::Int8 => "small",
        Scalar::UInt8 => "unsigned small",
        Scalar::Int16 => "short",
        Scalar::UInt16 => "unsigned short",
        Scalar::Int32 => "long",
        Scalar::UInt32 => "unsigned long",
        Scalar::Int64 => "hyper",
        Scalar::UInt64 => "unsigned hyper",
        Scalar::Int3264 => "__int3264",
        Scalar::UInt3264 => "unsigned __int3264",
        Scalar::Char => "char",
        Scalar::WChar => "wchar_t",
        Scalar::Byte => "byte",
        Scalar::Boolean => "boolean",
        Scalar::Float => "float",
        Scalar::Double => "double",
        Scalar::ErrorStatus => "error_status_t",
        Scalar::Handle => "handle_t",
        Scalar::Void => "void",
    }
}

fn uuid(u: Option<impl std::fmt::Display>) -> String {
    u.map(|u| format!(" uuid({u})")).unwrap_or_default()
}

/// A blank line, unless there is one already: between declarations of
/// several lines, and between them and runs of one-line ones.
fn gap(out: &mut String) {
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

/// `[a, b] `, or nothing for no attributes.
fn attrs(flags: &[&str]) -> String {
    if flags.is_empty() {
        String::new()
    } else {
        format!("[{}] ", flags.join(", "))
    }
}
