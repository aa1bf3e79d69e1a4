//! The syntax tree: what the file says, before any name is looked up.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A string literal after C escapes and adjacent-literal concatenation.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

// ------------------------------------------------------------------ expressions

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// An integer literal; `text` keeps the spelling (`0x8000`, `10UL`).
    Int {
        value: u128,
        text: Box<str>,
    },
    /// A floating literal, kept as written (`version(1.10)` needs the text).
    Float(Box<str>),
    Char(u32),
    Str(String),
    Ident(String),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Member(Box<Expr>, Box<Ident>),
    Arrow(Box<Expr>, Box<Ident>),
    Index(Box<Expr>, Box<Expr>),
    Cast(Box<TypeRef>, Box<Expr>),
    SizeofType(Box<TypeRef>),
    SizeofExpr(Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Plus,
    Not,
    BitNot,
    Deref,
    AddrOf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    BitOr,
    BitXor,
    BitAnd,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinOp {
    /// C precedence: higher binds tighter.
    pub fn precedence(self) -> u8 {
        use BinOp::*;
        match self {
            Or => 1,
            And => 2,
            BitOr => 3,
            BitXor => 4,
            BitAnd => 5,
            Eq | Ne => 6,
            Lt | Gt | Le | Ge => 7,
            Shl | Shr => 8,
            Add | Sub => 9,
            Mul | Div | Rem => 10,
        }
    }

    pub fn symbol(self) -> &'static str {
        use BinOp::*;
        match self {
            Or => "||",
            And => "&&",
            BitOr => "|",
            BitXor => "^",
            BitAnd => "&",
            Eq => "==",
            Ne => "!=",
            Lt => "<",
            Gt => ">",
            Le => "<=",
            Ge => ">=",
            Shl => "<<",
            Shr => ">>",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Rem => "%",
        }
    }
}

impl UnOp {
    pub fn symbol(self) -> &'static str {
        match self {
            UnOp::Neg => "-",
            UnOp::Plus => "+",
            UnOp::Not => "!",
            UnOp::BitNot => "~",
            UnOp::Deref => "*",
            UnOp::AddrOf => "&",
        }
    }
}

// ------------------------------------------------------------------ attributes

#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub name: Ident,
    /// `None` for a bare `[name]`; `Some` for `name(...)`, one entry per slot.
    pub args: Option<Vec<AttrArg>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AttrArg {
    /// An empty slot, as in `size_is(,n)`.
    Empty(Span),
    Expr(Expr),
    Type(Box<TypeRef>),
    /// A bare uuid, as in `uuid(00000131-0000-0000-C000-000000000046)`.
    Uuid(String, Span),
}

impl AttrArg {
    pub fn span(&self) -> Span {
        match self {
            AttrArg::Empty(s) | AttrArg::Uuid(_, s) => *s,
            AttrArg::Expr(e) => e.span,
            AttrArg::Type(t) => t.span,
        }
    }
}

// ------------------------------------------------------------------ types

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntSize {
    Small,
    Short,
    Long,
    LongLong,
    Int,
    Hyper,
    Char,
    Int8,
    Int16,
    Int32,
    Int64,
    Int3264,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseType {
    /// `signed` is `None` when no sign was written.
    Int {
        signed: Option<bool>,
        size: IntSize,
    },
    Float,
    Double,
    Boolean,
    Byte,
    WChar,
    Handle,
    ErrorStatus,
    Void,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tag {
    Struct,
    Union,
    Enum,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeSpec {
    pub kind: TypeSpecKind,
    pub is_const: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeSpecKind {
    Base(BaseType),
    Named(Ident),
    Tagged(Tag, Ident),
    Struct(StructDef),
    Union(UnionDef),
    Enum(EnumDef),
    /// `SAFEARRAY(T)`.
    SafeArray(Box<TypeRef>),
}

/// A type with pointers, as in casts and `switch_type(unsigned long)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeRef {
    pub spec: TypeSpec,
    pub pointers: Vec<PtrOp>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PtrOp {
    pub is_const: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ArrayDim {
    /// `[]`
    Open(Span),
    /// `[*]`
    Star(Span),
    Sized(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Declarator {
    pub pointers: Vec<PtrOp>,
    /// Absent in abstract declarators (`[in] long` with no name).
    pub name: Option<Ident>,
    pub dims: Vec<ArrayDim>,
    /// `(*name)(params)`: the declarator is a function pointer.
    pub function: Option<Box<FnPtr>>,
    /// `name : 3`, a bit-field.
    pub bits: Option<Box<Expr>>,
    pub span: Span,
}

impl Declarator {
    /// No pointers, no name, no dimensions: the declarator of `[in] long`.
    pub fn empty(span: Span) -> Declarator {
        Declarator {
            pointers: Vec::new(),
            name: None,
            dims: Vec::new(),
            function: None,
            bits: None,
            span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnPtr {
    pub pointers: Vec<PtrOp>,
    pub params: Vec<Param>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructDef {
    pub tag: Option<Ident>,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `[attrs] type a, *b[4];`, a member of a struct or union.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub attrs: Vec<Attr>,
    pub ty: TypeSpec,
    pub declarators: Vec<Declarator>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionDef {
    pub tag: Option<Ident>,
    /// Present for encapsulated unions: `union switch (long t) u { ... }`.
    pub switch: Option<Box<UnionSwitch>>,
    pub arms: Vec<UnionArm>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionSwitch {
    pub ty: TypeSpec,
    pub discriminant: Ident,
    pub union_name: Option<Ident>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionArm {
    /// `case 1:` labels of an encapsulated union; empty for `[case(1)]` arms.
    pub labels: Vec<CaseLabel>,
    pub attrs: Vec<Attr>,
    /// `None` for an empty arm (`[default];`, `default: ;`).
    pub field: Option<Field>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CaseLabel {
    Case(Expr),
    Default(Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDef {
    pub tag: Option<Ident>,
    pub items: Vec<Enumerator>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Enumerator {
    pub attrs: Vec<Attr>,
    pub name: Ident,
    pub value: Option<Expr>,
}

// ------------------------------------------------------------------ declarations

#[derive(Clone, Debug, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
}

/// One file parsed from its own preprocessing run, as MIDL treats an
/// import: what the resolver takes.
#[derive(Debug)]
pub struct ParsedFile {
    pub file: crate::source::FileId,
    pub ast: File,
    /// Whether this file was named on the command line rather than imported.
    pub root: bool,
    pub pragmas: Vec<(Span, String)>,
    /// The file's ACF, if it has one.
    pub acf: Option<AcfFile>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Import(Vec<StrLit>),
    ImportLib(StrLit),
    CppQuote(StrLit),
    MidlPragma {
        text: String,
        span: Span,
    },
    Typedef(Typedef),
    /// `extern const T name;`, a declaration of something defined elsewhere.
    Extern(Typedef),
    Const(ConstDecl),
    /// A struct, union or enum declared on its own: `struct S { ... };`.
    TypeDecl {
        attrs: Vec<Attr>,
        ty: TypeSpec,
        span: Span,
    },
    Interface(Interface),
    ForwardInterface {
        attrs: Vec<Attr>,
        name: Ident,
    },
    Method(Method),
    Dispinterface(Dispinterface),
    Coclass(Coclass),
    Library(Container),
    Module(Container),
    /// WinRT's `namespace A.B { ... }`: its names are used by their last
    /// part (see the resolver).
    Namespace(Container),
    /// What only WinRT metadata uses: `apicontract`, `declare { }`, a
    /// runtimeclass named before it is defined.
    Ignored(Span),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Typedef {
    pub attrs: Vec<Attr>,
    pub ty: TypeSpec,
    pub declarators: Vec<Declarator>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    pub attrs: Vec<Attr>,
    pub ty: TypeSpec,
    pub pointers: Vec<PtrOp>,
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Interface {
    pub attrs: Vec<Attr>,
    pub name: Ident,
    /// WinRT's `interface IVector<T>`: a template, not an interface.
    pub type_params: Vec<Ident>,
    pub base: Option<Ident>,
    /// WinRT's `requires A, B`.
    pub requires: Vec<Ident>,
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Method {
    pub attrs: Vec<Attr>,
    pub ret: TypeRef,
    pub name: Ident,
    pub params: Vec<Param>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub attrs: Vec<Attr>,
    pub ty: TypeSpec,
    pub declarator: Declarator,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dispinterface {
    pub attrs: Vec<Attr>,
    pub name: Ident,
    pub properties: Vec<Field>,
    pub methods: Vec<Method>,
    /// `dispinterface D { interface I; }`
    pub interface: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Coclass {
    pub attrs: Vec<Attr>,
    pub name: Ident,
    pub members: Vec<CoclassMember>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CoclassMember {
    pub attrs: Vec<Attr>,
    pub name: Ident,
    pub dispinterface: bool,
}

/// A `library` or `module` block.
#[derive(Clone, Debug, PartialEq)]
pub struct Container {
    pub attrs: Vec<Attr>,
    pub name: Ident,
    pub items: Vec<Item>,
    pub span: Span,
}

/// An application configuration file (`X.acf` beside `X.idl`): MIDL's
/// attributes that change the stubs, not the wire, attached by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AcfFile {
    pub interfaces: Vec<AcfInterface>,
    /// `typedef [attrs] NAME;` outside an interface.
    pub typedefs: Vec<AcfTarget>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AcfInterface {
    pub name: Ident,
    pub attrs: Vec<AcfAttr>,
    pub typedefs: Vec<AcfTarget>,
    pub methods: Vec<AcfMethod>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AcfMethod {
    pub name: Ident,
    pub attrs: Vec<AcfAttr>,
    pub params: Vec<AcfTarget>,
}

/// A type or parameter named in an ACF, with its attributes.
#[derive(Clone, Debug, PartialEq)]
pub struct AcfTarget {
    pub name: Ident,
    pub attrs: Vec<AcfAttr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AcfAttr {
    pub name: Ident,
    /// The arguments as written, trimmed: `implicit_handle(handle_t h)`
    /// has `["handle_t h"]`.
    pub args: Vec<String>,
}
