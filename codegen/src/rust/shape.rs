//! Levels to Rust: the value type a field holds (`Option<Vec<u16>>`) and
//! the runtime shape that marshals it (`wire::Unique<wire::Conformant<u16>>`),
//! with the constants a struct's `Ndr` impl sums from its fields.

use msrpc_idl::model::*;

use super::support::Data;
use super::Gen;

/// A scalar's Rust type, and the Encoder/Decoder method and size for it.
pub(crate) fn scalar(s: Scalar) -> (&'static str, &'static str, usize) {
    match s {
        Scalar::Int8 => ("i8", "i8", 1),
        Scalar::UInt8 | Scalar::Char | Scalar::Byte => ("u8", "u8", 1),
        Scalar::Boolean => ("bool", "boolean", 1),
        Scalar::Int16 => ("i16", "i16", 2),
        Scalar::UInt16 | Scalar::WChar => ("u16", "u16", 2),
        Scalar::Int32 | Scalar::Int3264 => ("i32", "i32", 4),
        Scalar::UInt32 | Scalar::UInt3264 | Scalar::ErrorStatus => ("u32", "u32", 4),
        Scalar::Int64 => ("i64", "i64", 8),
        Scalar::UInt64 => ("u64", "u64", 8),
        Scalar::Float => ("f32", "f32", 4),
        Scalar::Double => ("f64", "f64", 8),
        Scalar::Handle | Scalar::Void => ("()", "", 1),
    }
}

/// Whether values of these levels live on the heap already (a `Vec` or a
/// string), so that a pointer to one holds it without a `Box`.
fn on_heap(levels: &[Level]) -> bool {
    match levels {
        [Level::Array(a)] if a.string => a.fixed.is_none(),
        [Level::Array(a), ..] => a.fixed.is_none() || a.is_varying(),
        _ => false,
    }
}

impl<'m> Gen<'m> {
    /// The Rust path of a named type, from a module `depth` levels below
    /// the generated file's.
    pub fn type_path(&self, t: &TypeDef, depth: usize) -> String {
        if let Some(p) = self.opts.extern_types.get(&t.name) {
            // A relative path names the type from the generated file.
            let absolute = p.starts_with("::") || p.starts_with("crate::");
            return match absolute {
                true => p.clone(),
                false => format!("{}{p}", "super::".repeat(depth)),
            };
        }
        let name = match self.names.types.get(&t.name) {
            Some(n) => n.clone(),
            None => super::names::type_name(&t.name),
        };
        match self.externs.get(&(t.file.0 as usize)) {
            Some(m) => format!("{m}::{name}"),
            None => format!("{}{name}", "super::".repeat(depth)),
        }
    }

    /// MS-DCOM's MInterfacePointer: what every interface pointer points at.
    pub fn interface_pointer(&self, depth: usize) -> String {
        match self.m.type_named("MInterfacePointer") {
            Some(t) => self.type_path(t, depth),
            None => format!("{}::dcom::MInterfacePointer", self.rt),
        }
    }

    /// The Rust type of data with no levels.
    fn data_value(&self, d: &'m DataType, depth: usize) -> String {
        match d {
            DataType::Base(s) => scalar(*s).0.to_string(),
            DataType::Named(n) => match self.m.types.get(n.id.0) {
                Some(t) => self.type_path(t, depth),
                None => "()".into(),
            },
            DataType::Interface(_) => self.interface_pointer(depth),
            DataType::ContextHandle => "ndr::ContextHandle".to_string(),
            DataType::Function => "()".into(),
        }
    }

    /// The layout a marshaled type travels as, for data of no levels.
    fn wire_of(&self, levels: &'m [Level], data: &'m DataType) -> Option<&'m Layout> {
        if !levels.is_empty() {
            return None;
        }
        match self.support.data(data) {
            Ok(Data::Marshaled(x)) => Some(&x.wire),
            _ => None,
        }
    }

    /// Whether a value with these levels is a plain `Ndr` value on the
    /// wire: no levels, and no marshaled type whose wire form has some
    /// (`typedef [wire_marshal(wireBSTR)] OLECHAR *BSTR`, wireBSTR a pointer).
    pub fn plain(&self, levels: &'m [Level], data: &'m DataType) -> bool {
        match self.wire_of(levels, data) {
            Some(w) => self.plain(&w.levels, &w.data),
            None => levels.is_empty(),
        }
    }

    /// The Rust type of a value with these levels.
    pub fn value_type(&self, levels: &'m [Level], data: &'m DataType, depth: usize) -> String {
        let Some((first, rest)) = levels.split_first() else {
            return self.data_value(data, depth);
        };
        match first {
            Level::Pointer(p) => {
                let heap = self.heap_type(rest, data, depth);
                match p.kind {
                    PointerKind::Ref => heap,
                    PointerKind::Unique => format!("Option<{heap}>"),
                    PointerKind::Full => {
                        format!(
                            "Option<std::sync::Arc<{}>>",
                            self.value_type(rest, data, depth)
                        )
                    }
                }
            }
            Level::Array(a) if a.string && rest.is_empty() => {
                format!("ndr::{}", self.string_kind(data).0)
            }
            Level::Array(a) => {
                let inner = self.value_type(rest, data, depth);
                match a.fixed {
                    Some(n) if !a.is_varying() => format!("[{inner}; {n}]"),
                    _ => format!("Vec<{inner}>"),
                }
            }
        }
    }

    /// What a pointer to a value with these levels holds: the value itself
    /// for arrays and strings of no fixed size (already on the heap), a
    /// `Box` of it otherwise.
    fn heap_type(&self, levels: &'m [Level], data: &'m DataType, depth: usize) -> String {
        let (check, _) = match self.wire_of(levels, data) {
            Some(w) => (&w.levels[..], &w.data),
            None => (levels, data),
        };
        let value = self.value_type(levels, data, depth);
        if on_heap(check) {
            value
        } else {
            format!("Box<{value}>")
        }
    }

    /// `WString`/`WStr` or `AString`/`AStr`, by the string's character size.
    pub fn string_kind(&self, data: &'m DataType) -> (&'static str, &'static str) {
        match self.support.data(data) {
            Ok(Data::Scalar(Scalar::WChar | Scalar::UInt16 | Scalar::Int16)) => ("WString", "WStr"),
            _ => ("AString", "AStr"),
        }
    }

    /// The runtime shape that marshals a value with these levels.
    pub fn shape(&self, levels: &'m [Level], data: &'m DataType, depth: usize) -> String {
        if let Some(w) = self.wire_of(levels, data) {
            return self.shape(&w.levels, &w.data, depth);
        }
        let Some((first, rest)) = levels.split_first() else {
            return self.data_value(data, depth);
        };
        match first {
            Level::Pointer(p) => {
                let inner = self.shape(rest, data, depth);
                let kind = match p.kind {
                    PointerKind::Ref => "Ref",
                    PointerKind::Unique => "Unique",
                    PointerKind::Full => "Full",
                };
                format!("wire::{kind}<{inner}>")
            }
            Level::Array(a) if a.string && rest.is_empty() => {
                let s = self.string_kind(data).1;
                match a.fixed {
                    Some(n) => format!("wire::{s}In<{n}>"),
                    None => format!("wire::{s}"),
                }
            }
            Level::Array(a) => {
                let inner = self.shape(rest, data, depth);
                match (a.fixed, a.is_varying()) {
                    (Some(n), false) => format!("wire::Fixed<{inner}, {n}>"),
                    (Some(n), true) => format!("wire::Varying<{inner}, {n}>"),
                    (None, true) => format!("wire::ConfVarying<{inner}>"),
                    (None, false) => format!("wire::Conformant<{inner}>"),
                }
            }
        }
    }

    /// A scalar value with no levels, which generated code writes directly.
    pub fn plain_scalar(&self, levels: &[Level], data: &'m DataType) -> Option<Scalar> {
        if !levels.is_empty() {
            return None;
        }
        match self.support.data(data) {
            Ok(Data::Scalar(s)) => Some(s),
            _ => None,
        }
    }

    /// Whether the value may have deferred pointees: `Some(true)`,
    /// `Some(false)`, or `None` when only the type's constant knows.
    pub fn has_buffers(&self, levels: &'m [Level], data: &'m DataType) -> Option<bool> {
        if let Some(w) = self.wire_of(levels, data) {
            return self.has_buffers(&w.levels, &w.data);
        }
        if levels.iter().any(|l| matches!(l, Level::Pointer(_))) {
            return Some(true);
        }
        match self.support.data(data) {
            Ok(Data::Scalar(_) | Data::ContextHandle) => Some(false),
            Ok(Data::Type(t)) if super::support::is_guid(t) => Some(false),
            Ok(Data::Type(t)) if matches!(t.kind, TypeKind::Enum(_) | TypeKind::ContextHandle) => {
                Some(false)
            }
            _ => None,
        }
    }

    /// A constant expression for one of the shape's constants
    /// (`ALIGN`, `WIRE_MIN`, `HAS_BUFFERS`).
    pub fn shape_const(&self, levels: &'m [Level], data: &'m DataType, name: &str) -> String {
        if let Some(s) = self.plain_scalar(levels, data) {
            let size = scalar(s).2;
            return match name {
                "HAS_BUFFERS" => "false".into(),
                _ => size.to_string(),
            };
        }
        if let ("HAS_BUFFERS", Some(b)) = (name, self.has_buffers(levels, data)) {
            return b.to_string();
        }
        if levels
            .first()
            .is_some_and(|l| matches!(l, Level::Pointer(_)))
            && name != "HAS_BUFFERS"
        {
            return "4".into();
        }
        format!("<{} as wire::Wire>::{name}", self.shape(levels, data, 0))
    }

    /// Whether the value type has a `Default`.
    pub fn has_default(&self, levels: &'m [Level], data: &'m DataType, depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        let Some((first, rest)) = levels.split_first() else {
            return match self.support.data(data) {
                Ok(Data::Scalar(_) | Data::Interface | Data::ContextHandle) => true,
                Ok(Data::Marshaled(x)) => self.has_default(&x.wire.levels, &x.wire.data, depth + 1),
                Ok(Data::Type(t)) if self.opts.extern_types.contains_key(&t.name) => false,
                Ok(Data::Type(t)) => match &t.kind {
                    _ if super::support::is_guid(t) => true,
                    TypeKind::Struct(s) => s
                        .fields
                        .iter()
                        .all(|f| self.has_default(&f.layout.levels, &f.layout.data, depth + 1)),
                    TypeKind::Enum(_) | TypeKind::ContextHandle => true,
                    _ => false,
                },
                Err(_) => false,
            };
        };
        match first {
            Level::Pointer(p) => {
                p.kind != PointerKind::Ref
                    || on_heap(rest)
                    || self.has_default(rest, data, depth + 1)
            }
            Level::Array(a) => match a.fixed {
                Some(n) if !a.string && !a.is_varying() => {
                    n <= 32 && self.has_default(rest, data, depth + 1)
                }
                _ => true,
            },
        }
    }

    /// An expression giving a placeholder value of these levels.
    pub fn placeholder(&self, levels: &'m [Level], data: &'m DataType, depth: usize) -> String {
        if self.plain_scalar(levels, data).is_some() || self.has_default(levels, data, 0) {
            return "Default::default()".into();
        }
        format!("wire::placeholder::<{}>()", self.shape(levels, data, depth))
    }
}
