//! What can travel. MIDL marshals numbers, structs, unions with a
//! discriminant, enums, pointers, arrays, strings, interface pointers,
//! context handles and types marshaled as another; not `void`, function
//! pointers, C unions or types only named. A type that needs one of those
//! is not generated, with the reason, and neither is what uses it; the
//! rest of the file is.

use std::cell::RefCell;
use std::collections::HashMap;

use msrpc_idl::model::*;

/// What a field's data is, once pure renames are followed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Data<'m> {
    Scalar(Scalar),
    /// A type with an `Ndr` impl: struct, enum, union, context handle, GUID.
    Type(&'m TypeDef),
    /// A type that travels as its wire type.
    Marshaled(&'m Marshaled),
    /// An interface pointer's pointee: MS-DCOM's MInterfacePointer.
    Interface,
    /// `[context_handle] void *` without a typedef.
    ContextHandle,
}

pub(crate) struct Support<'m> {
    m: &'m Model,
    /// Per type: `None` while being decided (a type reaching itself
    /// through a pointer is fine), then the answer.
    memo: RefCell<HashMap<usize, Option<Result<(), String>>>>,
}

/// The struct MS-DTYP calls GUID, which the back end maps to `uuid::Uuid`.
pub(crate) fn is_guid(t: &TypeDef) -> bool {
    matches!(&t.kind, TypeKind::Struct(s) if s.fields.len() == 4)
        && matches!(t.name.as_str(), "GUID" | "_GUID")
}

impl<'m> Support<'m> {
    pub fn new(m: &'m Model) -> Support<'m> {
        Support {
            m,
            memo: RefCell::new(HashMap::new()),
        }
    }

    /// Follows pure renames to what defines the wire shape.
    pub fn data(&self, d: &'m DataType) -> Result<Data<'m>, String> {
        match d {
            DataType::Base(Scalar::Void) => Err("`void` has no NDR form".into()),
            DataType::Base(Scalar::Handle) => Err("a `handle_t` is not data".into()),
            DataType::Base(s) => Ok(Data::Scalar(*s)),
            DataType::Interface(_) => Ok(Data::Interface),
            DataType::ContextHandle => Ok(Data::ContextHandle),
            DataType::Function => Err("a function pointer cannot travel".into()),
            DataType::Named(n) => {
                let t = self.m.types.get(n.id.0).ok_or("an unknown type")?;
                match &t.kind {
                    TypeKind::Alias(l) if l.levels.is_empty() => self.data(&l.data),
                    TypeKind::Alias(_) => Err(format!("`{}` has levels of its own", t.name)),
                    TypeKind::Marshaled(x) => Ok(Data::Marshaled(x)),
                    TypeKind::Opaque => Err(format!("`{}` is never defined", t.name)),
                    TypeKind::Union(u) if matches!(u.switch, UnionSwitch::Plain) => Err(format!(
                        "`{}` is a C union, which has no discriminant to travel with",
                        t.name
                    )),
                    _ => Ok(Data::Type(t)),
                }
            }
        }
    }

    /// Whether `d` names a type with an `Ndr` impl.
    pub fn is_ndr(&self, d: &'m DataType) -> bool {
        matches!(
            self.data(d),
            Ok(Data::Type(_) | Data::Interface | Data::ContextHandle)
        ) || matches!(self.data(d), Ok(Data::Marshaled(x)) if x.wire.levels.is_empty() && self.is_ndr(&x.wire.data))
    }

    /// Whether values of `t` can travel.
    pub fn of_type(&self, t: &'m TypeDef) -> Result<(), String> {
        let id = self
            .m
            .types
            .iter()
            .position(|x| std::ptr::eq(x, t))
            .unwrap_or(usize::MAX);
        self.of_id(id, t)
    }

    fn of_id(&self, id: usize, t: &'m TypeDef) -> Result<(), String> {
        if let Some(known) = self.memo.borrow().get(&id) {
            return known.clone().unwrap_or(Ok(()));
        }
        self.memo.borrow_mut().insert(id, None);
        let r = match &t.kind {
            _ if is_guid(t) => Ok(()),
            TypeKind::Struct(s) => s.fields.iter().enumerate().try_for_each(|(i, f)| {
                // NDR has one place for a conformant member's count: the
                // front of the struct, for its last member (C706 14.3.7.1).
                if i + 1 < s.fields.len() && self.is_conformant_member(&f.layout) {
                    return Err(format!(
                        "field `{}`: a conformant member that is not the last has no NDR form",
                        f.name
                    ));
                }
                self.of_layout(&f.layout)
                    .map_err(|why| format!("field `{}`: {why}", f.name))
            }),
            TypeKind::Union(u) => match &u.switch {
                UnionSwitch::Plain => Err("a C union has no discriminant to travel with".into()),
                UnionSwitch::NonEncapsulated { ty: None } => {
                    Err("a union without [switch_type] that no switch_is uses".into())
                }
                _ => u
                    .arms
                    .iter()
                    .filter_map(|a| a.field.as_ref())
                    .try_for_each(|f| {
                        self.of_layout(&f.layout)
                            .map_err(|why| format!("arm `{}`: {why}", f.name))
                    }),
            },
            TypeKind::Enum(_) | TypeKind::ContextHandle => Ok(()),
            TypeKind::Alias(l) => self.of_layout(l),
            TypeKind::Marshaled(x) => self.of_layout(&x.wire),
            TypeKind::Opaque => Err("it is never defined".into()),
        };
        self.memo.borrow_mut().insert(id, Some(r.clone()));
        r
    }

    /// Whether a struct member of this layout is conformant: an array
    /// with no fixed size, or a struct whose last member is one.
    fn is_conformant_member(&self, l: &'m Layout) -> bool {
        match l.levels.first() {
            Some(Level::Array(a)) => a.fixed.is_none(),
            Some(Level::Pointer(_)) => false,
            None => self.is_conformant(&l.data, 0),
        }
    }

    /// Whether a named type is a conformant struct.
    pub fn is_conformant(&self, d: &'m DataType, depth: usize) -> bool {
        let Ok(Data::Type(t)) = self.data(d) else {
            return false;
        };
        let TypeKind::Struct(s) = &t.kind else {
            return false;
        };
        match s.fields.last() {
            Some(f) => match f.layout.levels.first() {
                Some(Level::Array(a)) => a.fixed.is_none(),
                Some(Level::Pointer(_)) => false,
                None => depth < 32 && self.is_conformant(&f.layout.data, depth + 1),
            },
            None => false,
        }
    }

    /// Whether a value of this layout can travel.
    pub fn of_layout(&self, l: &'m Layout) -> Result<(), String> {
        if l.bit_width.is_some() {
            return Err("a bit field has no NDR form".into());
        }
        if let Some(e) = l.levels.iter().find_map(|lv| match lv {
            Level::Array(a) => a.bounds().find_map(|(_, e)| unknown_name(e)),
            Level::Pointer(_) => None,
        }) {
            return Err(format!("its size names `{e}`, which is not known"));
        }
        if let Some(e) = l.switch_is.as_ref().and_then(unknown_name) {
            return Err(format!("its switch_is names `{e}`, which is not known"));
        }
        match self.data(&l.data)? {
            Data::Type(t) => {
                let id = self.m.resolve_alias(match &l.data {
                    DataType::Named(n) => n.id,
                    _ => TypeId(usize::MAX),
                });
                // A type that reaches itself only behind a pointer is fine.
                self.of_id(id.0, t)
            }
            Data::Marshaled(x) => self.of_layout(&x.wire),
            _ => Ok(()),
        }
    }
}

/// The unknown name an expression uses, if any.
fn unknown_name(e: &Expr) -> Option<&str> {
    match e {
        Expr::Unknown(n) => Some(n),
        Expr::Unary(_, a) | Expr::Member { base: a, .. } => unknown_name(a),
        Expr::Binary(_, a, b) => unknown_name(a).or_else(|| unknown_name(b)),
        Expr::Cond(a, b, c) => unknown_name(a)
            .or_else(|| unknown_name(b))
            .or_else(|| unknown_name(c)),
        _ => None,
    }
}
