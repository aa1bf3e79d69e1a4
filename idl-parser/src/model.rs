//! The resolved model: every name looked up, every constant evaluated,
//! every field described as NDR levels. Codegen and the `#[msrpc::interface]`
//! macro both work from this, and only from this.
//!
//! A field's wire shape is `levels` (outermost first) ending in `data`, the
//! way Samba's pidl describes NDR: `[size_is(,cIids)] PREMQIRESULT *pp` is
//! `Pointer(ref, top) -> Pointer(unique) -> Array(size_is cIids) -> REMQIRESULT`.

use std::fmt;

use serde::{Serialize, Serializer};
use uuid::Uuid;

pub use crate::ast::{BinOp, UnOp};
use crate::source::{FileId, Span};

/// Index into [`Model::types`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TypeId(pub usize);

/// Index into [`Model::interfaces`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct InterfaceId(pub usize);

#[derive(Clone, Debug, Default, Serialize)]
pub struct Model {
    pub files: Vec<SourceInfo>,
    pub constants: Vec<Constant>,
    pub types: Vec<TypeDef>,
    pub interfaces: Vec<Interface>,
    pub dispinterfaces: Vec<Dispinterface>,
    pub coclasses: Vec<Coclass>,
    pub libraries: Vec<Library>,
    pub modules: Vec<Module>,
    /// Functions declared outside any interface or module (a widl extension).
    pub functions: Vec<Method>,
    /// `cpp_quote` text, in order, for header back ends.
    pub cpp_quotes: Vec<String>,
    /// `#pragma` lines, kept for back ends; they do not change the model.
    pub pragmas: Vec<Pragma>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pragma {
    pub file: FileId,
    pub text: String,
}

/// A file that contributed declarations.
#[derive(Clone, Debug, Serialize)]
pub struct SourceInfo {
    pub path: String,
    /// Named by the user, as opposed to reached through `import`.
    pub root: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Constant {
    pub name: String,
    pub value: ConstValue,
    pub file: FileId,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstValue {
    Int(i128),
    Str(String),
    Float(String),
}

/// An attribute as written, kept for back ends that want more than the
/// wire-relevant ones this model interprets.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Attribute {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
}

// ------------------------------------------------------------------ types

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeDef {
    pub name: String,
    pub file: FileId,
    #[serde(skip)]
    pub span: Span,
    #[serde(flatten)]
    pub kind: TypeKind,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<Attribute>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeKind {
    Struct(Struct),
    Union(Union),
    Enum(Enum),
    /// `typedef X Y;` with whatever levels the declarator adds.
    Alias(Layout),
    /// `struct X` named but never defined: usable only behind a pointer in
    /// `[local]` declarations, never on the wire.
    Opaque,
    /// `typedef [context_handle] void *H;`: a 20-byte context handle on
    /// the wire (C706 14.3.9, MS-RPCE 2.2.5.3.5.1), whatever it points at.
    ContextHandle,
    /// A type that travels as another type: `[wire_marshal(W)]` and
    /// `[transmit_as(W)]` on the typedef (and `[represent_as]` from an ACF).
    Marshaled(Box<Marshaled>),
}

/// How a [`TypeKind::Marshaled`] type travels.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Marshaled {
    pub how: MarshalKind,
    /// What goes on the wire.
    pub wire: Layout,
    /// The type the application sees, as the typedef declares it.
    pub local: Layout,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarshalKind {
    WireMarshal,
    TransmitAs,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Struct {
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Union {
    pub switch: UnionSwitch,
    pub arms: Vec<UnionArm>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum UnionSwitch {
    /// `union switch (long t) u { case 1: ... }`: the discriminant travels
    /// with the union, as a leading field named `discriminant`.
    Encapsulated {
        discriminant: String,
        ty: DataType,
        union_name: Option<String>,
    },
    /// `[switch_type(T)] union { [case(1)] ... }`: the containing struct or
    /// parameter list names the discriminant with `switch_is`.
    NonEncapsulated { ty: Option<DataType> },
    /// A C union with no discriminant and no cases: it has no NDR form, so
    /// only `[local]` code or a `wire_marshal`ed type can use it.
    Plain,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnionArm {
    pub cases: Vec<i128>,
    pub default: bool,
    /// `None` for an empty arm.
    pub field: Option<Field>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Enum {
    /// `[v1_enum]`: 32 bits on the wire instead of 16.
    pub v1_enum: bool,
    pub items: Vec<(String, i128)>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Field {
    pub name: String,
    #[serde(flatten)]
    pub layout: Layout,
    #[serde(skip)]
    pub span: Span,
}

/// How a field, parameter, return value or alias travels: levels, then data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Layout {
    /// The type as written in C, for messages and documentation.
    pub c_type: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<Level>,
    pub data: DataType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<(i128, i128)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch_is: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iid_is: Option<Expr>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disable_consistency_check: bool,
    /// `name : n`, a bit-field; only `[local]` code can have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bit_width: Option<u32>,
    /// Every attribute written on the declaration.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<Attribute>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "level", rename_all = "snake_case")]
// A field has a handful of levels; boxing arrays would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Level {
    Pointer(Pointer),
    Array(Array),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pointer {
    pub kind: PointerKind,
    /// A parameter's outermost pointer: marshaled in place, never deferred.
    pub top_level: bool,
    /// Why it has this kind, for `msidl dump` and for reviewers.
    pub from: PointerKindSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PointerKind {
    Ref,
    Unique,
    /// `[ptr]`: a full pointer, which may alias.
    Full,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PointerKindSource {
    Attribute,
    Typedef(String),
    TopLevel,
    PointerDefault,
    MidlDefault,
    /// The pointer that makes a value an interface pointer, always unique.
    InterfacePointer,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Array {
    /// `Some(n)` for `[n]`; `None` for conformant arrays and sized pointers.
    pub fixed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size_is: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_is: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_is: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length_is: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_is: Option<Expr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_is: Option<Expr>,
    /// `[string]`: a terminated, varying array whose length is the data's.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub string: bool,
}

impl Array {
    /// Each bound expression present, with its attribute's name without
    /// `_is` (`size`, `length`, `max`, `min`, `first`, `last`).
    pub fn bounds(&self) -> impl Iterator<Item = (&'static str, &Expr)> {
        [
            ("size", &self.size_is),
            ("length", &self.length_is),
            ("max", &self.max_is),
            ("min", &self.min_is),
            ("first", &self.first_is),
            ("last", &self.last_is),
        ]
        .into_iter()
        .filter_map(|(name, e)| Some((name, e.as_ref()?)))
    }

    pub fn is_conformant(&self) -> bool {
        self.fixed.is_none()
    }

    pub fn is_varying(&self) -> bool {
        self.string || self.length_is.is_some() || self.first_is.is_some() || self.last_is.is_some()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum DataType {
    Base(Scalar),
    /// A named type in [`Model::types`], by id, with its name for readers.
    Named(NamedType),
    /// An interface; it is only reached through a pointer, and the innermost
    /// pointer level above it is the interface pointer itself.
    Interface(String),
    /// A function pointer: meaningful only in `[local]` declarations.
    Function,
    /// `[context_handle] void *h` declared without a typedef: a 20-byte
    /// context handle on the wire.
    ContextHandle,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedType {
    pub id: TypeId,
    pub name: String,
}

/// MIDL's base types, by wire size and signedness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scalar {
    Int8,
    UInt8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    /// `__int3264`: 32 bits in NDR20.
    Int3264,
    UInt3264,
    /// `char` and `unsigned char`: an 8-bit character.
    Char,
    WChar,
    Byte,
    Boolean,
    Float,
    Double,
    ErrorStatus,
    Handle,
    Void,
}

impl Scalar {
    /// Width in bits and signedness of an integer scalar, as NDR20 sends it.
    pub fn width(self) -> Option<(u32, bool)> {
        use Scalar::*;
        Some(match self {
            Int8 => (8, true),
            UInt8 | Char | Byte | Boolean => (8, false),
            Int16 => (16, true),
            UInt16 | WChar => (16, false),
            Int32 | Int3264 => (32, true),
            UInt32 | UInt3264 | ErrorStatus => (32, false),
            Int64 => (64, true),
            UInt64 => (64, false),
            Float | Double | Handle | Void => return None,
        })
    }

    pub fn is_integer(self) -> bool {
        !matches!(
            self,
            Scalar::Float | Scalar::Double | Scalar::Handle | Scalar::Void
        )
    }
}

// ------------------------------------------------------------------ expressions

/// A correlation or switch expression with its names resolved.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Int(i128),
    /// A named constant, kept by name for readable generated code.
    Const {
        name: String,
        value: i128,
    },
    /// A sibling field or parameter, by index in its struct or method.
    Ref {
        name: String,
        index: usize,
    },
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `a.b` or `a->b` (`arrow`), into a field of a struct operand.
    Member {
        base: Box<Expr>,
        field: String,
        arrow: bool,
    },
    /// A name that is neither a sibling nor a constant, which widl lets
    /// through (a `cpp_quote`d `#define`): what it sizes cannot travel.
    Unknown(String),
}

impl Expr {
    fn precedence(&self) -> u8 {
        match self {
            Expr::Cond(..) => 0,
            Expr::Binary(op, ..) => op.precedence(),
            Expr::Unary(..) => 11,
            _ => 12,
        }
    }

    fn fmt_child(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }

    /// Sibling indices this expression reads.
    pub fn refs(&self) -> Vec<usize> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Ref { index, .. } = e {
                out.push(*index);
            }
        });
        out
    }

    fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Unary(_, a) | Expr::Member { base: a, .. } => a.walk(f),
            Expr::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Cond(a, b, c) => {
                a.walk(f);
                b.walk(f);
                c.walk(f);
            }
            _ => {}
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Int(v) => write!(f, "{v}"),
            Expr::Const { name, .. } | Expr::Ref { name, .. } | Expr::Unknown(name) => {
                f.write_str(name)
            }
            Expr::Unary(op, a) => {
                f.write_str(op.symbol())?;
                a.fmt_child(f, 11)
            }
            Expr::Binary(op, a, b) => {
                // Mixed operators get parentheses even where C needs none:
                // `(size + 7) & ~7` reads better than `size + 7 & ~7`.
                let clear = |e: &Expr, right: bool| match e {
                    Expr::Binary(inner, ..) => inner == op && !right,
                    Expr::Cond(..) => false,
                    _ => true,
                };
                for (e, right) in [(a, false), (b, true)] {
                    if right {
                        write!(f, " {} ", op.symbol())?;
                    }
                    if clear(e, right) {
                        write!(f, "{e}")?;
                    } else {
                        write!(f, "({e})")?;
                    }
                }
                Ok(())
            }
            Expr::Cond(c, a, b) => {
                c.fmt_child(f, 1)?;
                write!(f, " ? {a} : ")?;
                b.fmt_child(f, 0)
            }
            Expr::Member { base, field, arrow } => {
                base.fmt_child(f, 12)?;
                write!(f, "{}{field}", if *arrow { "->" } else { "." })
            }
        }
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

// ------------------------------------------------------------------ interfaces

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Interface {
    pub name: String,
    pub uuid: Option<Uuid>,
    pub version: Option<(u16, u16)>,
    /// `[object]`: an ORPC interface, called with ORPCTHIS and ORPCTHAT.
    pub object: bool,
    pub local: bool,
    pub base: Option<String>,
    pub pointer_default: Option<PointerKind>,
    /// Opnum of this interface's first own method: its base's method count.
    pub first_opnum: u32,
    /// This interface's own methods; inherited ones live on the base.
    pub methods: Vec<Method>,
    /// WinRT's `interface IVector<T>`: a template, with no methods here.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub type_params: Vec<String>,
    pub file: FileId,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<Attribute>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Method {
    pub name: String,
    pub opnum: u32,
    pub params: Vec<Param>,
    /// `None` for `void`.
    pub ret: Option<Layout>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<Attribute>,
    #[serde(skip)]
    pub span: Span,
}

impl Method {
    /// Whether it returns a bare `error_status_t`, where an ACF's
    /// `[comm_status]` and `[fault_status]` put a failed call's status.
    pub fn returns_error_status(&self) -> bool {
        matches!(
            self.ret.as_ref().map(|r| (&r.levels[..], &r.data)),
            Some(([], DataType::Base(Scalar::ErrorStatus)))
        )
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Param {
    pub name: String,
    pub direction: Direction,
    /// An explicit binding handle (`[in] handle_t h` first): not marshaled.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub binding: bool,
    #[serde(flatten)]
    pub layout: Layout,
    /// What an ACF says of it (`comm_status`, `context_handle_noserialize`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attrs: Vec<Attribute>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
    InOut,
}

impl Direction {
    pub fn is_in(self) -> bool {
        matches!(self, Direction::In | Direction::InOut)
    }

    pub fn is_out(self) -> bool {
        matches!(self, Direction::Out | Direction::InOut)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Dispinterface {
    pub name: String,
    pub uuid: Option<Uuid>,
    pub properties: Vec<Field>,
    pub methods: Vec<Method>,
    pub interface: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coclass {
    pub name: String,
    pub uuid: Option<Uuid>,
    pub interfaces: Vec<CoclassInterface>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoclassInterface {
    pub name: String,
    pub default: bool,
    pub source: bool,
    pub dispinterface: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Library {
    pub name: String,
    pub uuid: Option<Uuid>,
    pub importlibs: Vec<String>,
    /// Names of the interfaces, dispinterfaces and coclasses it declares.
    pub members: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Module {
    pub name: String,
    pub dll_name: Option<String>,
    pub constants: Vec<String>,
    pub functions: Vec<Method>,
}

impl Model {
    pub fn interface(&self, name: &str) -> Option<&Interface> {
        self.interfaces.iter().find(|i| i.name == name)
    }

    pub fn type_named(&self, name: &str) -> Option<&TypeDef> {
        self.types.iter().find(|t| t.name == name)
    }

    pub fn constant(&self, name: &str) -> Option<&Constant> {
        self.constants.iter().find(|c| c.name == name)
    }

    /// Follows aliases without levels (`typedef GUID IID;`) to the type
    /// that defines the wire shape.
    pub fn resolve_alias(&self, mut id: TypeId) -> TypeId {
        for _ in 0..self.types.len() {
            match self.types.get(id.0).map(|t| &t.kind) {
                Some(TypeKind::Alias(Layout {
                    levels,
                    data: DataType::Named(n),
                    ..
                })) if levels.is_empty() => id = n.id,
                _ => break,
            }
        }
        id
    }

    /// Every method the interface carries, inherited first, in opnum order.
    pub fn all_methods<'m>(&'m self, iface: &'m Interface) -> Vec<&'m Method> {
        let mut chain = vec![iface];
        let mut cur = iface;
        while let Some(base) = cur.base.as_deref().and_then(|b| self.interface(b)) {
            if chain.iter().any(|c| c.name == base.name) {
                break;
            }
            chain.push(base);
            cur = base;
        }
        chain.iter().rev().flat_map(|i| i.methods.iter()).collect()
    }
}
