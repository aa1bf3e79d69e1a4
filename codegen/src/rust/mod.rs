//! The Rust back end: the model to Rust types with NDR20 marshaling.
//!
//! Each type gets a definition and an `Ndr` impl written out as direct
//! code. A field's levels (pointer, array, data) drive four walks that
//! mirror NDR's two passes: inline parts (`scalars`), then deferred
//! pointees (`buffers`), for encoding and for decoding.

mod interface;
mod names;
mod ndr;
mod union;

use std::collections::{BTreeMap, BTreeSet};

use msrpc_idl::model::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub use names::{field_name, ident, type_name};

/// What the back end needs besides the model.
#[derive(Clone, Debug)]
pub struct Options {
    /// Path of the runtime crate in generated code: `::msrpc`, or `crate`
    /// when the runtime generates its own protocol.
    pub runtime: String,
    /// Generate only the root files' declarations, not their imports'.
    pub root_only: bool,
    /// Where the model came from, for the header comment.
    pub source_name: String,
    /// Imported files whose types already exist as Rust, by file name:
    /// their types are referred to under the given module path
    /// (`("base.idl", "crate::base")`) and not generated again. Later
    /// entries win.
    pub externs: Vec<(String, String)>,
    /// Imported built-in files ([`crate::builtin::MODULES`]) are the
    /// runtime's modules (`ms-dcom.idl` is `{runtime}::dcom`). Off only to
    /// generate those modules themselves.
    pub builtin_externs: bool,
    /// Attributes put on every generated type, as prost-build's
    /// `type_attribute`: `#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]`.
    pub type_attributes: Vec<String>,
    /// Generate each interface's client proxy.
    pub client: bool,
    /// Generate each interface's server trait, dispatcher and stub.
    pub server: bool,
    /// Only the `Ndr` impls of the structs, for Rust types that exist
    /// already (what `#[derive(msrpc::Ndr)]` asks for): no type
    /// definitions, constants, interfaces or registry.
    pub impls_only: bool,
    /// IDL types that are Rust types already, with an `Ndr` impl of their
    /// own, by IDL name: referred to by the given path, not generated
    /// (what `#[msrpc::interface]` uses for `#[derive(msrpc::Ndr)]` types).
    pub extern_types: BTreeMap<String, String>,
    /// Count fields kept as fields even where the arrays they size imply
    /// them (a `#[derive(msrpc::Ndr)]` struct that has the field).
    pub kept_counts: BTreeSet<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            runtime: "::msrpc".into(),
            root_only: false,
            source_name: String::new(),
            externs: Vec::new(),
            builtin_externs: true,
            type_attributes: Vec::new(),
            client: true,
            server: true,
            impls_only: false,
            extern_types: BTreeMap::new(),
            kept_counts: BTreeSet::new(),
        }
    }
}

/// Why a model could not be turned into Rust.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The model uses a construct the Rust back end does not generate yet.
    #[error("`{item}`: {what} is not supported by the Rust back end yet")]
    Unsupported {
        /// The IDL item that uses it.
        item: String,
        /// The construct.
        what: String,
    },
    /// The runtime path, or an extern module's path, is not a Rust path.
    #[error("the runtime path `{0}` is not a Rust path")]
    BadRuntimePath(String),
    /// A type attribute is not an outer attribute.
    #[error("`{0}` is not an outer attribute (`#[...]`)")]
    BadAttribute(String),
    /// The generated code does not parse as Rust: a bug in the back end.
    #[error("generated code does not parse: {0}")]
    Syntax(String),
}

/// A code generation result.
pub type Result<T> = std::result::Result<T, Error>;

/// Rust source for the model's types and constants, formatted and marked
/// `// @generated`. The same model and options always give the same bytes.
pub fn generate(model: &Model, opts: &Options) -> Result<String> {
    generate_with_names(model, opts).map(|(code, _)| code)
}

/// The Rust paths, relative to the generated file, of every type
/// [`generate`] gives an `Ndr` impl: the IDL's types and each method's
/// request and response (as its `TYPE_NAMES` lists them). For tools and
/// tests that visit every type.
pub fn type_names(model: &Model, opts: &Options) -> Result<Vec<String>> {
    generate_with_names(model, opts).map(|(_, names)| names)
}

fn generate_with_names(model: &Model, opts: &Options) -> Result<(String, Vec<String>)> {
    let rt: syn::Path =
        syn::parse_str(&opts.runtime).map_err(|_| Error::BadRuntimePath(opts.runtime.clone()))?;
    let externs = extern_modules(model, opts)?;
    let mut attrs = Vec::new();
    for a in &opts.type_attributes {
        let parsed = syn::parse::Parser::parse_str(syn::Attribute::parse_outer, a)
            .map_err(|_| Error::BadAttribute(a.clone()))?;
        attrs.extend(parsed);
    }
    let mut extern_types = BTreeMap::new();
    for (name, path) in &opts.extern_types {
        let path: syn::Type =
            syn::parse_str(path).map_err(|_| Error::BadRuntimePath(path.clone()))?;
        extern_types.insert(name.clone(), quote!(#path));
    }
    let g = Gen {
        m: model,
        rt: quote!(#rt),
        externs,
        extern_types,
        kept_counts: opts.kept_counts.clone(),
        attrs: quote!(#(#attrs)*),
        with_client: opts.client,
        with_server: opts.server,
        impls_only: opts.impls_only,
    };
    if opts.impls_only {
        let mut items = Vec::new();
        for t in &model.types {
            let ours = g.wanted(t.file.0 as usize, opts) && !g.extern_types.contains_key(&t.name);
            if let (true, TypeKind::Struct(s)) = (ours, &t.kind) {
                items.push(g.struct_def(t, s)?);
            }
        }
        let file: syn::File =
            syn::parse2(quote!(#(#items)*)).map_err(|e| Error::Syntax(e.to_string()))?;
        return Ok((prettyplease::unparse(&file), Vec::new()));
    }
    // Each item with what it is, so that a back-end bug names its item.
    let mut named_items: Vec<(String, TokenStream)> = Vec::new();
    for c in &model.constants {
        if g.wanted(c.file.0 as usize, opts) {
            named_items.push((format!("constant `{}`", c.name), g.constant(c)));
        }
    }
    let mut named = Vec::new();
    for t in &model.types {
        if g.wanted(t.file.0 as usize, opts) && !g.extern_types.contains_key(&t.name) {
            named_items.push((format!("type `{}`", t.name), g.type_def(t)?));
            if g.marshals(t) {
                named.push(t.name.as_str());
            }
        }
    }
    let mut registry: Vec<(String, TokenStream)> = named
        .iter()
        .map(|n| {
            let ty = type_name(n);
            (n.to_string(), quote!(#ty))
        })
        .collect();
    for iface in &model.interfaces {
        if g.wanted(iface.file.0 as usize, opts) && iface.uuid.is_some() && !iface.local {
            named_items.push((
                format!("interface `{}`", iface.name),
                g.interface_def(iface)?,
            ));
            registry.extend(g.message_names(iface));
        }
    }
    named_items.push(("the type registry".into(), g.registry(&registry)));
    // Each item is parsed once, alone (a stream parsed whole after its
    // parts would be parsed twice, and copied).
    let mut file = syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: Vec::new(),
    };
    for (what, item) in named_items {
        let part: syn::File =
            syn::parse2(item).map_err(|e| Error::Syntax(format!("{e} in {what}")))?;
        file.items.extend(part.items);
    }
    let source = if opts.source_name.is_empty() {
        String::new()
    } else {
        format!(" from {}", opts.source_name)
    };
    let code = format!(
        "// @generated by msrpc-codegen{source}. Do not edit: regenerate.\n\n{}",
        prettyplease::unparse(&file)
    );
    let paths = registry
        .iter()
        .map(|(_, ty)| ty.to_string().replace(' ', ""))
        .collect();
    Ok((code, paths))
}

/// The module path of each imported file whose types are not generated:
/// the built-in files under the runtime, then `opts.externs`, by name.
fn extern_modules(model: &Model, opts: &Options) -> Result<BTreeMap<usize, TokenStream>> {
    let builtin = crate::builtin::MODULES
        .iter()
        .filter(|_| opts.builtin_externs)
        .map(|(file, module)| (file.to_string(), format!("{}::{module}", opts.runtime)));
    let named: BTreeMap<String, String> = builtin.chain(opts.externs.iter().cloned()).collect();
    let mut out = BTreeMap::new();
    for (i, f) in model.files.iter().enumerate() {
        let name = std::path::Path::new(&f.path)
            .file_name()
            .and_then(|n| n.to_str());
        let Some(module) = name.and_then(|n| named.get(n)) else {
            continue;
        };
        if !f.root {
            let path: syn::Path =
                syn::parse_str(module).map_err(|_| Error::BadRuntimePath(module.clone()))?;
            out.insert(i, quote!(#path));
        }
    }
    Ok(out)
}

pub(crate) struct Gen<'m> {
    pub m: &'m Model,
    pub rt: TokenStream,
    /// Module paths of files whose types are not generated here.
    pub externs: BTreeMap<usize, TokenStream>,
    /// [`Options::extern_types`], parsed.
    pub extern_types: BTreeMap<String, TokenStream>,
    /// [`Options::kept_counts`].
    pub kept_counts: BTreeSet<String>,
    /// [`Options::type_attributes`], parsed.
    pub attrs: TokenStream,
    /// [`Options::client`] and [`Options::server`].
    pub with_client: bool,
    pub with_server: bool,
    /// [`Options::impls_only`].
    pub impls_only: bool,
}

/// What a field's data is, once aliases are followed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Data {
    Scalar(Scalar),
    /// A type with an `Ndr` impl: a struct, an enum, GUID.
    Type,
}

/// Whether a value has deferred pointees (an NDR buffer part).
pub(crate) enum Buffers {
    Never,
    Always,
    /// When this compile-time condition holds: a named type's `HAS_BUFFERS`.
    If(proc_macro2::TokenStream),
}

impl<'m> Gen<'m> {
    fn wanted(&self, file: usize, opts: &Options) -> bool {
        !self.externs.contains_key(&file)
            && (!opts.root_only || self.m.files.get(file).is_some_and(|f| f.root))
    }

    fn constant(&self, c: &Constant) -> TokenStream {
        let name = ident(&c.name);
        let doc = format!("`{}` from the IDL.", c.name);
        let item = match &c.value {
            ConstValue::Int(v) => {
                // The narrowest of the usual types that holds the value.
                if let Ok(v) = u32::try_from(*v) {
                    quote!(pub const #name: u32 = #v;)
                } else if let Ok(v) = i32::try_from(*v) {
                    quote!(pub const #name: i32 = #v;)
                } else if let Ok(v) = i64::try_from(*v) {
                    quote!(pub const #name: i64 = #v;)
                } else {
                    let v = *v as u64;
                    quote!(pub const #name: u64 = #v;)
                }
            }
            ConstValue::Str(s) => quote!(pub const #name: &str = #s;),
            ConstValue::Float(f) => {
                let lit: TokenStream = f
                    .trim_end_matches(['f', 'F', 'l', 'L'])
                    .parse()
                    .unwrap_or_else(|_| quote!(0.0));
                quote!(pub const #name: f64 = #lit;)
            }
        };
        quote!(#[doc = #doc] #item)
    }

    fn type_def(&self, t: &TypeDef) -> Result<TokenStream> {
        let name = type_name(&t.name);
        let doc = format!("`{}` from the IDL.", t.name);
        match &t.kind {
            _ if is_guid(t) => {
                let rt = &self.rt;
                Ok(quote! {
                    #[doc = "A GUID, as `uuid::Uuid`: its NDR form is the mixed-endian one."]
                    pub type #name = #rt::uuid::Uuid;
                })
            }
            TypeKind::Struct(s) => self.struct_def(t, s),
            TypeKind::Enum(e) => Ok(self.enum_def(t, e)),
            // An alias is a convenience; one with no Rust form (`void *`)
            // is left out, and only a field that needs it is an error.
            TypeKind::Alias(l) => Ok(match self.rtype(&t.name, &l.levels, &l.data) {
                Ok(ty) => quote!(#[doc = #doc] pub type #name = #ty;),
                Err(_) => quote!(),
            }),
            TypeKind::Union(u) => self.union_def(t, u),
            _ => Ok(quote!()),
        }
    }

    /// `WString` or `AString`, for a `[string]` array of this data.
    pub(crate) fn string_type(&self, item: &str, data: &DataType) -> Result<proc_macro2::Ident> {
        match self.data(data, item)? {
            Data::Scalar(Scalar::WChar | Scalar::UInt16) => Ok(format_ident!("WString")),
            Data::Scalar(Scalar::Char | Scalar::Byte | Scalar::UInt8 | Scalar::Int8) => {
                Ok(format_ident!("AString"))
            }
            _ => Err(unsupported(
                item,
                "a [string] of something other than characters",
            )),
        }
    }

    /// Whether the type has an `Ndr` impl of its own (directly or, for an
    /// alias without levels, through its target).
    fn marshals(&self, t: &TypeDef) -> bool {
        match &t.kind {
            TypeKind::Struct(_) | TypeKind::Enum(_) => true,
            TypeKind::Alias(l) => {
                l.levels.is_empty() && matches!(self.data(&l.data, &t.name), Ok(Data::Type))
            }
            TypeKind::Union(u) => !matches!(u.switch, UnionSwitch::Plain),
            _ => false,
        }
    }

    /// Decoding by type name, for tools such as `msidl ndr decode`.
    fn registry(&self, entries: &[(String, TokenStream)]) -> TokenStream {
        let rt = &self.rt;
        let names = entries.iter().map(|(n, _)| n);
        let arms = entries
            .iter()
            .map(|(n, ty)| quote!(#n => run::<#ty>(bytes),));
        quote! {
            /// The names [`decode_by_name`] knows: types, and each method's
            /// request (`Interface.Method:in`) and response (`:out`).
            pub const TYPE_NAMES: &[&str] = &[#(#names),*];

            /// Decodes `bytes` as the type called `name`: the value, printed
            /// with `{:#?}`, and its encoding again. `None` for an unknown name.
            pub fn decode_by_name(name: &str, bytes: &[u8]) -> Option<#rt::ndr::Result<(String, Vec<u8>)>> {
                fn run<T: #rt::ndr::Ndr + std::fmt::Debug>(bytes: &[u8]) -> #rt::ndr::Result<(String, Vec<u8>)> {
                    let value: T = #rt::ndr::from_bytes(bytes)?;
                    Ok((format!("{value:#?}"), #rt::ndr::try_to_bytes(&value)?))
                }
                Some(match name {
                    #(#arms)*
                    _ => return None,
                })
            }
        }
    }

    fn enum_def(&self, t: &TypeDef, e: &Enum) -> TokenStream {
        let name = type_name(&t.name);
        let rt = &self.rt;
        // Kept as a number, so that values the IDL does not list round-trip.
        let (repr, put, get, align) = if e.v1_enum {
            (quote!(u32), quote!(u32), quote!(u32), 4usize)
        } else {
            (quote!(u16), quote!(u16), quote!(u16), 2usize)
        };
        let width = if e.v1_enum { 32 } else { 16 };
        let consts = e.items.iter().map(|(n, v)| {
            let id = ident(n);
            // The wire's unsigned form, as C's conversion gives it: -1 is 0xffff.
            let v = (*v as u64) & ((1u64 << width) - 1);
            let lit: TokenStream = format!("{v}").parse().unwrap_or_default();
            let doc = format!("`{n}`.");
            quote!(#[doc = #doc] pub const #id: Self = Self(#lit);)
        });
        let doc = format!("`{}`: an NDR enum, {} bits on the wire.", t.name, align * 8);
        let attrs = &self.attrs;
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
            #attrs
            pub struct #name(pub #repr);
                        impl #name { #(#consts)* }
            // For switch_is and other correlations, which compute in i128.
            impl From<#name> for i128 {
                fn from(v: #name) -> i128 {
                    i128::from(v.0)
                }
            }
            impl #rt::ndr::Ndr for #name {
                const ALIGN: usize = #align;
                fn encode_scalars(&self, e: &mut #rt::ndr::Encoder) -> #rt::ndr::Result<()> {
                    e.#put(self.0);
                    Ok(())
                }
                fn decode_scalars(d: &mut #rt::ndr::Decoder<'_>) -> #rt::ndr::Result<Self> {
                    Ok(Self(d.#get()?))
                }
                fn placeholder() -> Self {
                    Self(0)
                }
            }
        }
    }

    /// Follows aliases: the scalar or the type with an `Ndr` impl.
    pub(crate) fn data(&self, d: &DataType, item: &str) -> Result<Data> {
        match d {
            DataType::Base(s) => match s {
                Scalar::Handle | Scalar::Void => Err(unsupported(item, &format!("`{s:?}` data"))),
                _ => Ok(Data::Scalar(*s)),
            },
            DataType::Named(n) => {
                let id = self.m.resolve_alias(n.id);
                let t = &self.m.types[id.0];
                match &t.kind {
                    TypeKind::Alias(l) if l.levels.is_empty() => self.data(&l.data, item),
                    TypeKind::Struct(_) | TypeKind::Enum(_) => Ok(Data::Type),
                    TypeKind::Union(_) => Ok(Data::Type),
                    TypeKind::Opaque => Err(unsupported(
                        item,
                        &format!("`{}`, which is never defined", t.name),
                    )),
                    TypeKind::Alias(_) => Err(unsupported(item, "an alias with levels")),
                    _ => Err(unsupported(item, "a context handle or marshaled type")),
                }
            }
            // What an interface pointer points at: its MInterfacePointer.
            DataType::Interface(_) => Ok(Data::Type),
            DataType::Function => Err(unsupported(item, "a function pointer")),
            DataType::ContextHandle => Err(unsupported(item, "a context handle")),
        }
    }

    /// The Rust type of data: a primitive, or the IDL type's own name.
    pub(crate) fn data_type(&self, d: &DataType, item: &str) -> Result<TokenStream> {
        match d {
            DataType::Named(n) => {
                if let Some(path) = self.extern_types.get(&n.name) {
                    return Ok(path.clone());
                }
                if matches!(
                    self.m.types.get(n.id.0).map(|t| &t.kind),
                    Some(TypeKind::ContextHandle | TypeKind::Marshaled(_))
                ) {
                    return Err(unsupported(item, "a context handle or marshaled type"));
                }
                let name = type_name(&n.name);
                let file = self
                    .m
                    .types
                    .get(n.id.0)
                    .map_or(usize::MAX, |t| t.file.0 as usize);
                Ok(match self.externs.get(&file) {
                    Some(path) => quote!(#path::#name),
                    None => quote!(#name),
                })
            }
            // The OBJREF of any interface travels as MS-DCOM's MInterfacePointer.
            DataType::Interface(_) => {
                let rt = &self.rt;
                Ok(quote!(#rt::dcom::MInterfacePointer))
            }
            _ => match self.data(d, item)? {
                Data::Scalar(s) => Ok(scalar_type(s)),
                Data::Type => Err(unsupported(item, "unnamed data")),
            },
        }
    }

    /// The Rust type of a value with these levels.
    pub(crate) fn rtype(
        &self,
        item: &str,
        levels: &[Level],
        data: &DataType,
    ) -> Result<TokenStream> {
        let rt = &self.rt;
        match levels.split_first() {
            None => self.data_type(data, item),
            Some((Level::Pointer(p), rest)) => {
                let inner = self.rtype(item, rest, data)?;
                // A sized pointer's pointee is already a Vec; no Box around it.
                let boxed = if matches!(rest.first(), Some(Level::Array(a)) if a.fixed.is_none()) {
                    inner.clone()
                } else {
                    quote!(Box<#inner>)
                };
                Ok(match p.kind {
                    PointerKind::Ref => boxed,
                    PointerKind::Unique => quote!(Option<#boxed>),
                    // Aliasing is sharing: two full pointers to one pointee are one Arc.
                    PointerKind::Full => quote!(Option<::std::sync::Arc<#inner>>),
                })
            }
            Some((Level::Array(a), rest)) => {
                if a.string && rest.is_empty() {
                    let s = self.string_type(item, data)?;
                    return Ok(quote!(#rt::ndr::#s));
                }
                let inner = self.rtype(item, rest, data)?;
                Ok(match a.fixed {
                    // A varying fixed array holds only what is sent.
                    Some(n) if !a.is_varying() => {
                        let n = n as usize;
                        quote!([#inner; #n])
                    }
                    _ => quote!(Vec<#inner>),
                })
            }
        }
    }
}

pub(crate) fn unsupported(item: &str, what: &str) -> Error {
    Error::Unsupported {
        item: item.to_string(),
        what: what.to_string(),
    }
}

/// The struct MS-DTYP calls GUID, which the back end maps to `uuid::Uuid`.
pub(crate) fn is_guid(t: &TypeDef) -> bool {
    matches!(&t.kind, TypeKind::Struct(s) if s.fields.len() == 4)
        && matches!(t.name.as_str(), "GUID" | "_GUID")
}

pub(crate) fn scalar_type(s: Scalar) -> TokenStream {
    match s {
        Scalar::Int8 => quote!(i8),
        Scalar::UInt8 | Scalar::Char | Scalar::Byte => quote!(u8),
        Scalar::Int16 => quote!(i16),
        Scalar::UInt16 | Scalar::WChar => quote!(u16),
        Scalar::Int32 | Scalar::Int3264 => quote!(i32),
        Scalar::UInt32 | Scalar::UInt3264 | Scalar::ErrorStatus => quote!(u32),
        Scalar::Int64 => quote!(i64),
        Scalar::UInt64 => quote!(u64),
        Scalar::Boolean => quote!(bool),
        Scalar::Float => quote!(f32),
        Scalar::Double => quote!(f64),
        Scalar::Handle | Scalar::Void => quote!(()),
    }
}

/// The Encoder/Decoder method for one scalar, and its size.
pub(crate) fn scalar_io(s: Scalar) -> (proc_macro2::Ident, usize) {
    let (name, size) = match s {
        Scalar::Int8 => ("i8", 1),
        Scalar::UInt8 | Scalar::Char | Scalar::Byte => ("u8", 1),
        Scalar::Boolean => ("boolean", 1),
        Scalar::Int16 => ("i16", 2),
        Scalar::UInt16 | Scalar::WChar => ("u16", 2),
        Scalar::Int32 | Scalar::Int3264 => ("i32", 4),
        Scalar::UInt32 | Scalar::UInt3264 | Scalar::ErrorStatus => ("u32", 4),
        Scalar::Int64 => ("i64", 8),
        Scalar::UInt64 => ("u64", 8),
        Scalar::Float => ("f32", 4),
        Scalar::Double => ("f64", 8),
        Scalar::Handle | Scalar::Void => ("u8", 1),
    };
    (format_ident!("{}", name), size)
}
