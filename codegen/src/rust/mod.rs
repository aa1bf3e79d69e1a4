//! The Rust back end: the model to Rust types with NDR20 marshaling, and
//! per interface its messages, server trait, stub and client.
//!
//! The output is written as text (the `code` module). Each field's levels become a
//! shape type of the runtime's `ndr::wire` (`Unique<Conformant<u16>>`), so
//! a field costs a line per pass: the generic walk lives in the runtime,
//! once, and the generated code says what travels, not how.

mod client;
mod code;
mod consts;
mod enums;
mod expr;
mod files;
mod interface;
mod messages;
mod names;
mod record;
mod registry;
mod server;
mod shape;
mod structs;
mod support;
mod unions;

use std::collections::{BTreeMap, BTreeSet};

use msrpc_idl::model::*;
use msrpc_idl::FileId;

pub use names::{field_name, ident, type_name};

use code::Code;
use names::ItemNames;
use support::Support;

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
    /// The model uses a construct the Rust back end does not generate.
    #[error("`{item}`: {what} is not supported by the Rust back end")]
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
}

/// A code generation result.
pub type Result<T> = std::result::Result<T, Error>;

/// What [`generate_all`] writes: the code, the types it gave an `Ndr`
/// impl, and what it left out and why.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    pub code: String,
    /// Rust paths, relative to the generated file, of every type with an
    /// `Ndr` impl: the IDL's types and each method's request and response.
    pub type_names: Vec<String>,
    /// What `decode_by_name` knows: the name a user gives (`ORPCTHIS`,
    /// `IRemUnknown.RemQueryInterface:in`) and the Rust path.
    pub registry: Vec<(String, String)>,
    /// Declarations that could not be generated, each with the reason
    /// (a remotable method needing `void *`, a type with a function
    /// pointer): the rest of the file is generated all the same.
    pub skipped: Vec<String>,
}

/// Rust source for the model, marked `// @generated`. The same model and
/// options always give the same bytes.
pub fn generate(model: &Model, opts: &Options) -> Result<String> {
    generate_all(model, opts).map(|g| g.code)
}

/// The Rust paths of every type [`generate`] gives an `Ndr` impl, for
/// tools and tests that visit every type.
pub fn type_names(model: &Model, opts: &Options) -> Result<Vec<String>> {
    generate_all(model, opts).map(|g| g.type_names)
}

/// [`generate`], with the type list and what was skipped.
pub fn generate_all(model: &Model, opts: &Options) -> Result<Generated> {
    let externs = extern_modules(model, opts)?;
    Gen::new(model, opts, externs)?.file()
}

pub use files::{generate_files, module_name, FileCode};

/// The module path of each imported file whose types are not generated:
/// the built-in files under the runtime, then `opts.externs`, by name.
fn extern_modules(model: &Model, opts: &Options) -> Result<BTreeMap<usize, String>> {
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
            check_path(module)?;
            out.insert(i, module.clone());
        }
    }
    Ok(out)
}

fn check_path(path: &str) -> Result<()> {
    syn::parse_str::<syn::Path>(path)
        .map(|_| ())
        .map_err(|_| Error::BadRuntimePath(path.to_string()))
}

/// One generation run.
pub(crate) struct Gen<'m> {
    pub m: &'m Model,
    pub opts: &'m Options,
    /// The runtime's path.
    pub rt: &'m str,
    /// Module paths of files whose declarations are not generated here.
    pub externs: BTreeMap<usize, String>,
    /// Rust names of what this module declares.
    pub names: ItemNames,
    /// What can travel, type by type.
    pub support: Support<'m>,
    /// [`Options::type_attributes`], one per line.
    pub attrs: Vec<String>,
}

impl<'m> Gen<'m> {
    fn new(m: &'m Model, opts: &'m Options, externs: BTreeMap<usize, String>) -> Result<Gen<'m>> {
        check_path(&opts.runtime)?;
        for a in &opts.type_attributes {
            syn::parse::Parser::parse_str(syn::Attribute::parse_outer, a)
                .map_err(|_| Error::BadAttribute(a.clone()))?;
        }
        for p in opts.extern_types.values() {
            syn::parse_str::<syn::Type>(p).map_err(|_| Error::BadRuntimePath(p.clone()))?;
        }
        let mut g = Gen {
            m,
            opts,
            rt: &opts.runtime,
            externs,
            names: ItemNames::default(),
            support: Support::new(m),
            attrs: opts.type_attributes.clone(),
        };
        g.names = ItemNames::assign(
            m.types
                .iter()
                .filter(|t| g.wanted(t.file) && !tag_alias(t))
                .map(|t| t.name.as_str()),
            m.constants
                .iter()
                .filter(|c| g.wanted(c.file) && !scoped(c))
                .map(|c| c.name.as_str()),
            m.interfaces
                .iter()
                .filter(|i| g.wanted(i.file) && i.type_params.is_empty())
                .map(|i| i.name.as_str()),
        );
        Ok(g)
    }

    /// Whether this run generates the declarations of `file`.
    pub fn wanted(&self, file: FileId) -> bool {
        let i = file.0 as usize;
        !self.externs.contains_key(&i)
            && (!self.opts.root_only || self.m.files.get(i).is_some_and(|f| f.root))
    }

    /// The lines every module of generated code starts with.
    fn prelude(&self, c: &mut Code) {
        let source = if self.opts.source_name.is_empty() {
            String::new()
        } else {
            format!(" from {}", self.opts.source_name)
        };
        c.line(format!(
            "// @generated by msrpc-codegen{source}. Do not edit: regenerate."
        ));
        c.blank();
        c.line("#[allow(unused_imports)]");
        c.line(format!("use {}::ndr::{{self, wire}};", self.rt));
        c.blank();
    }

    fn file(&self) -> Result<Generated> {
        let mut c = Code::new();
        let mut out = Generated::default();
        if self.opts.impls_only {
            for t in &self.m.types {
                if self.wanted(t.file) && !self.opts.extern_types.contains_key(&t.name) {
                    if let TypeKind::Struct(s) = &t.kind {
                        self.struct_impl(&mut c, t, s)?;
                    }
                }
            }
            let mut code = Code::new();
            code.line("#[allow(unused_imports)]");
            code.line(format!("use {}::ndr::{{self, wire}};", self.rt));
            code.append(&c);
            out.code = code.into_string();
            return Ok(out);
        }
        let mut head = Code::new();
        self.prelude(&mut head);
        for k in &self.m.constants {
            if self.wanted(k.file) && !scoped(k) {
                self.constant(&mut c, k);
            }
        }
        for t in &self.m.types {
            if !self.wanted(t.file) || self.opts.extern_types.contains_key(&t.name) || tag_alias(t)
            {
                continue;
            }
            match self.support.of_type(t) {
                Ok(()) => {
                    self.type_def(&mut c, t)?;
                    if self.marshals(t) {
                        let path = self.names.types[&t.name].clone();
                        out.type_names.push(path.clone());
                        out.registry.push((t.name.clone(), path));
                    }
                }
                Err(why) => {
                    out.skipped.push(format!("type `{}`: {why}", t.name));
                    c.blank();
                    c.line(format!("// `{}` is not generated: {why}.", t.name));
                }
            }
        }
        for iface in &self.m.interfaces {
            if !self.wanted(iface.file) {
                continue;
            }
            if !iface.type_params.is_empty() {
                // A WinRT template (`IVector<T>`): no methods, no IID of
                // its own until instantiated, which MIDL does in metadata.
                let why = "a WinRT generic interface has no wire form of its own";
                out.skipped
                    .push(format!("interface `{}`: {why}", iface.name));
                c.blank();
                c.line(format!("// `{}` is not generated: {why}.", iface.name));
                continue;
            }
            self.interface_def(&mut c, iface, &mut out)?;
        }
        if !out.registry.is_empty() {
            self.registry(&mut c, &out.registry);
        }
        head.append(&c);
        out.code = head.into_string();
        Ok(out)
    }

    fn type_def(&self, c: &mut Code, t: &TypeDef) -> Result<()> {
        let name = &self.names.types[&t.name];
        c.blank();
        match &t.kind {
            _ if support::is_guid(t) => {
                c.doc("A GUID, as `uuid::Uuid`: its NDR form is the mixed-endian one.");
                c.line(format!("pub type {name} = {}::uuid::Uuid;", self.rt));
            }
            TypeKind::Struct(s) => {
                self.struct_def(c, t, s)?;
            }
            TypeKind::Enum(e) => self.enum_def(c, t, e),
            TypeKind::Union(u) => self.union_def(c, t, u)?,
            TypeKind::Alias(l) => {
                let ty = self.value_type(&l.levels, &l.data, 0);
                c.doc(format!("`{}` from the IDL.", t.name));
                c.line(format!("pub type {name} = {ty};"));
            }
            TypeKind::ContextHandle => {
                c.open_list("ndr::context_handle! {");
                c.doc(format!(
                    "`{}`: a context handle, 20 bytes on the wire (MS-RPCE 2.2.5.3.5.1).",
                    t.name
                ));
                self.type_attrs(c);
                c.line(format!("pub struct {name};"));
                c.close_list("}");
            }
            TypeKind::Marshaled(x) => {
                let ty = self.value_type(&x.wire.levels, &x.wire.data, 0);
                c.doc(format!(
                    "`{}` as it travels: its {} type, `{}`.",
                    t.name,
                    match x.how {
                        MarshalKind::WireMarshal => "wire_marshal",
                        MarshalKind::TransmitAs => "transmit_as",
                    },
                    x.wire.c_type
                ));
                c.line(format!("pub type {name} = {ty};"));
            }
            TypeKind::Opaque => {}
        }
        Ok(())
    }

    /// Whether the type has an `Ndr` impl of its own.
    fn marshals(&self, t: &TypeDef) -> bool {
        match &t.kind {
            TypeKind::Struct(_) | TypeKind::Enum(_) | TypeKind::ContextHandle => true,
            TypeKind::Union(u) => !matches!(u.switch, UnionSwitch::Plain),
            TypeKind::Alias(l) => l.levels.is_empty() && self.support.is_ndr(&l.data),
            TypeKind::Marshaled(x) => x.wire.levels.is_empty() && self.support.is_ndr(&x.wire.data),
            TypeKind::Opaque => false,
        }
    }

    /// The type attributes, one per line.
    fn type_attrs(&self, c: &mut Code) {
        for a in &self.attrs {
            c.line(a);
        }
    }
}

/// `typedef struct TimeSpan TimeSpan;`: C's tag and typedef namespaces
/// are one in Rust, where the struct is the type already.
fn tag_alias(t: &TypeDef) -> bool {
    match &t.kind {
        TypeKind::Alias(l) => {
            l.levels.is_empty() && matches!(&l.data, DataType::Named(n) if n.name == t.name)
        }
        _ => false,
    }
}

/// A WinRT scoped enumerator (`Color.Red`): its enum carries it.
fn scoped(k: &Constant) -> bool {
    k.name.contains('.')
}

pub(crate) fn unsupported(item: &str, what: &str) -> Error {
    Error::Unsupported {
        item: item.to_string(),
        what: what.to_string(),
    }
}
