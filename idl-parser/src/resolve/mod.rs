//! Resolve and validate: the parsed files of one run become one [`Model`].
//!
//! Phases, in order: declare every name; evaluate constants; define types;
//! define interfaces and number their methods; check what MIDL checks.

mod acf;
mod attrs;
mod consts;
mod layout;
mod suggest;
mod types;

use std::collections::HashMap;

use crate::ast::ParsedFile;
use crate::ast::{self, Item, Tag};
use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::source::{FileId, SourceMap, Span};

pub(crate) use layout::{c_type_ref, expr_text};

/// The method a `[call_as(local)]` method stands in for on the wire.
fn call_as(m: &Method) -> Option<&str> {
    m.attrs
        .iter()
        .find(|a| a.name == "call_as")
        .and_then(|a| a.args.as_ref()?.first())
        .map(String::as_str)
}

/// The opnums one interface's own methods take: every method one, but a
/// `[call_as(X)]` method shares X's (the `[local]` X and its remote form
/// are one procedure: one vtable slot, one opnum).
fn slots(iface: &Interface) -> u32 {
    let locals: Vec<&str> = iface.methods.iter().map(|m| m.name.as_str()).collect();
    iface
        .methods
        .iter()
        .filter(|m| call_as(m).is_none_or(|x| !locals.contains(&x)))
        .count() as u32
}

fn number_own(iface: &mut Interface, start: u32) {
    let names: Vec<String> = iface.methods.iter().map(|m| m.name.clone()).collect();
    // Local methods some [call_as] stands in for, with the opnum they share.
    let mut shared: Vec<(String, Option<u32>)> = iface
        .methods
        .iter()
        .filter_map(call_as)
        .filter(|x| names.iter().any(|n| n == x))
        .map(|x| (x.to_string(), None))
        .collect();
    let mut next = start;
    for m in &mut iface.methods {
        let key = call_as(m)
            .map(str::to_string)
            .filter(|x| shared.iter().any(|(n, _)| n == x))
            .or_else(|| {
                let local = m.attrs.iter().any(|a| a.name == "local");
                (local && shared.iter().any(|(n, _)| *n == m.name)).then(|| m.name.clone())
            });
        let slot = key.and_then(|k| shared.iter_mut().find(|(n, _)| *n == k));
        m.opnum = match slot {
            Some((_, Some(op))) => *op,
            Some((_, op)) => {
                *op = Some(next);
                next += 1;
                next - 1
            }
            None => {
                next += 1;
                next - 1
            }
        };
    }
}

pub(crate) use crate::source::WIDL_ONLY;

/// Builds the model from parsed files (imports first).
pub fn resolve(
    files: &[ParsedFile],
    sources: &SourceMap,
    opts: &crate::preprocess::Options,
    diags: &mut Vec<Diagnostic>,
) -> Model {
    let mut r = Resolver::new(diags);
    r.builtins = opts.builtins;
    r.lenient_attributes = opts.lenient_attributes;
    // Indexed by FileId, so `file` fields index this list.
    r.model.files = (0..sources.len())
        .map(|i| {
            let id = FileId(i as u32);
            SourceInfo {
                path: sources
                    .path(id)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                root: files.iter().any(|f| f.file == id && f.root),
            }
        })
        .collect();
    for f in files {
        r.declare_items(&f.ast.items, f.file, None);
        r.model
            .pragmas
            .extend(f.pragmas.iter().map(|(span, text)| Pragma {
                file: span.file,
                text: text.clone(),
            }));
    }
    r.evaluate_constants();
    r.define_types();
    r.define_interfaces();
    r.number_methods();
    r.define_others();
    for acf in files.iter().filter_map(|f| f.acf.as_ref()) {
        r.apply_acf(acf);
    }
    r.model
}

/// Where a declaration sits, for pointer defaults and diagnostics.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a> {
    file: FileId,
    interface: Option<&'a ast::Interface>,
}

enum TypeSource<'a> {
    /// One declarator of a typedef.
    Typedef {
        td: &'a ast::Typedef,
        decl: &'a ast::Declarator,
        /// Set when this typedef names the struct/union/enum defined inline.
        defines: bool,
    },
    /// A struct, union or enum definition, by itself or inside a typedef.
    Definition {
        spec: &'a ast::TypeSpec,
        attrs: &'a [ast::Attr],
    },
    /// `struct X` used but never defined.
    Opaque,
}

struct PendingType<'a> {
    source: TypeSource<'a>,
    scope: Scope<'a>,
    state: State,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    InProgress,
    Done,
}

enum ConstSource<'a> {
    Decl(&'a ast::ConstDecl),
    Enumerator { def: &'a ast::EnumDef, index: usize },
}

struct PendingConst<'a> {
    source: ConstSource<'a>,
    file: FileId,
    span: Span,
    value: Option<ConstValue>,
    state: State,
}

pub(crate) struct Resolver<'a, 'd> {
    diags: &'d mut Vec<Diagnostic>,
    model: Model,
    types: Vec<PendingType<'a>>,
    type_names: HashMap<String, TypeId>,
    tags: HashMap<(TagKey, String), TypeId>,
    consts: Vec<PendingConst<'a>>,
    const_names: HashMap<String, usize>,
    interfaces: Vec<(&'a ast::Interface, Scope<'a>)>,
    interface_names: HashMap<String, Span>,
    others: Vec<(&'a Item, FileId)>,
    /// Struct, union and enum definitions by the address of their AST node.
    def_ids: HashMap<usize, TypeId>,
    /// Where inline definitions met during layout are declared.
    current_scope: Option<Scope<'a>>,
    /// Name for the next anonymous inline definition.
    anon_name: Option<String>,
    /// Definitions being resolved, one inside another.
    nesting: usize,
    /// The declaration being laid out is of a type whose pointer is its
    /// own (marshaled as another type, or a context handle).
    opaque_pointer: bool,
    /// Declaring inside a WinRT namespace.
    in_namespace: bool,
    /// WinRT enums, by the address of their definition: the prefix of
    /// their items' names.
    /// For "import this built-in file" hints.
    builtins: &'static [crate::source::BuiltinFile],
    lenient_attributes: bool,
    scoped_enums: HashMap<usize, String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum TagKey {
    Struct,
    Union,
    Enum,
}

impl From<Tag> for TagKey {
    fn from(t: Tag) -> TagKey {
        match t {
            Tag::Struct => TagKey::Struct,
            Tag::Union => TagKey::Union,
            Tag::Enum => TagKey::Enum,
        }
    }
}

impl<'a, 'd> Resolver<'a, 'd> {
    fn new(diags: &'d mut Vec<Diagnostic>) -> Self {
        Resolver {
            diags,
            model: Model::default(),
            types: Vec::new(),
            type_names: HashMap::new(),
            tags: HashMap::new(),
            consts: Vec::new(),
            const_names: HashMap::new(),
            interfaces: Vec::new(),
            interface_names: HashMap::new(),
            others: Vec::new(),
            def_ids: HashMap::new(),
            current_scope: None,
            anon_name: None,
            nesting: 0,
            opaque_pointer: false,
            in_namespace: false,
            scoped_enums: HashMap::new(),
            builtins: &[],
            lenient_attributes: false,
        }
    }

    /// "did you mean" and "import" hints for a name that is not declared.
    fn hint_unknown(&self, d: Diagnostic, name: &str, known: &[&str]) -> Diagnostic {
        let d = match suggest::similar(name, known.iter().copied()) {
            Some(near) => d.with_note(format!("help: did you mean `{near}`?")),
            None => d,
        };
        match suggest::builtin_home(name, self.builtins) {
            Some(file) => d.with_note(format!(
                "help: `{name}` is declared in the built-in `{file}`: add `import \"{file}\";`"
            )),
            None => d,
        }
    }

    fn type_candidates(&self) -> Vec<&str> {
        self.type_names
            .keys()
            .chain(self.interface_names.keys())
            .map(String::as_str)
            .collect()
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    // -------------------------------------------------------------- declare

    fn declare_items(
        &mut self,
        items: &'a [Item],
        file: FileId,
        interface: Option<&'a ast::Interface>,
    ) {
        let scope = Scope { file, interface };
        for item in items {
            match item {
                Item::Typedef(td) => self.declare_typedef(td, scope),
                Item::Const(c) => self.declare_const(ConstSource::Decl(c), &c.name, file),
                Item::TypeDecl { attrs, ty, .. } => {
                    self.declare_definition(ty, attrs, scope, None);
                }
                Item::Interface(i) => {
                    self.declare_interface_name(&i.name);
                    self.interfaces.push((
                        i,
                        Scope {
                            file,
                            interface: Some(i),
                        },
                    ));
                    self.declare_items(&i.items, file, Some(i));
                }
                Item::ForwardInterface { name, .. } => {
                    self.interface_names
                        .entry(name.name.clone())
                        .or_insert(name.span);
                }
                Item::Library(c) => {
                    self.others.push((item, file));
                    self.declare_items(&c.items, file, None);
                }
                Item::Module(c) => {
                    self.others.push((item, file));
                    for inner in &c.items {
                        if let Item::Const(k) = inner {
                            self.declare_const(ConstSource::Decl(k), &k.name, file);
                        }
                    }
                }
                Item::Dispinterface(d) => {
                    self.declare_interface_name(&d.name);
                    self.others.push((item, file));
                }
                Item::Coclass(c) => {
                    // A WinRT runtimeclass is also a type: its default
                    // interface's pointer.
                    self.interface_names
                        .entry(c.name.name.clone())
                        .or_insert(c.name.span);
                    self.others.push((item, file));
                }
                // WinRT namespaces: their names are used by their last part.
                Item::Namespace(c) => {
                    let was = std::mem::replace(&mut self.in_namespace, true);
                    self.declare_items(&c.items, file, interface);
                    self.in_namespace = was;
                }
                Item::Ignored(_) => {}
                Item::CppQuote(s) => self.model.cpp_quotes.push(s.value.clone()),
                // A function outside any interface or module (widl allows
                // them): kept in the model, like a module's functions.
                Item::Method(_) if interface.is_none() => self.others.push((item, file)),
                Item::Method(_) => {}
                Item::Extern(_)
                | Item::Import(_)
                | Item::ImportLib(_)
                | Item::MidlPragma { .. } => {}
            }
        }
    }

    fn declare_interface_name(&mut self, name: &ast::Ident) {
        if self.defined_interface_span(&name.name).is_some() {
            let prev = self.defined_interface_span(&name.name).unwrap_or(name.span);
            self.error(
                Diagnostic::error(
                    name.span,
                    format!("interface `{}` is defined more than once", name.name),
                )
                .with_label("second definition")
                .with_secondary(prev, "first defined here"),
            );
        }
        self.interface_names.insert(name.name.clone(), name.span);
    }

    /// The span of a full (not forward) definition of interface `name`.
    fn defined_interface_span(&self, name: &str) -> Option<Span> {
        self.interfaces
            .iter()
            .find(|(i, _)| i.name.name == name)
            .map(|(i, _)| i.name.span)
    }

    fn declare_typedef(&mut self, td: &'a ast::Typedef, scope: Scope<'a>) {
        // `typedef struct tag { ... } NAME, *PNAME;`: NAME is the struct itself.
        let definer = td
            .declarators
            .iter()
            .position(|d| d.pointers.is_empty() && d.dims.is_empty())
            .filter(|_| is_definition(&td.ty));
        if is_definition(&td.ty) && definer.is_none() {
            self.declare_definition(&td.ty, &td.attrs, scope, None);
        }
        for (i, decl) in td.declarators.iter().enumerate() {
            let Some(name) = &decl.name else { continue };
            let defines = Some(i) == definer;
            let id = self.new_type(name, TypeSource::Typedef { td, decl, defines }, scope);
            if defines {
                self.def_ids
                    .insert(&td.ty as *const ast::TypeSpec as usize, id);
                self.declare_tag(&td.ty, id);
                self.declare_enumerators(&td.ty, scope.file);
            }
        }
    }

    fn declare_definition(
        &mut self,
        spec: &'a ast::TypeSpec,
        attrs: &'a [ast::Attr],
        scope: Scope<'a>,
        name: Option<String>,
    ) -> Option<TypeId> {
        let tag = match &spec.kind {
            ast::TypeSpecKind::Struct(s) => s.tag.as_ref(),
            ast::TypeSpecKind::Union(u) => u.tag.as_ref(),
            ast::TypeSpecKind::Enum(e) => e.tag.as_ref(),
            _ => return None,
        };
        let ident = match (tag, name) {
            (Some(t), _) => t.clone(),
            (None, Some(n)) => ast::Ident {
                name: n,
                span: spec.span,
            },
            (None, None) => ast::Ident {
                name: format!("__anonymous_{}", self.types.len()),
                span: spec.span,
            },
        };
        let id = self.new_type(&ident, TypeSource::Definition { spec, attrs }, scope);
        self.def_ids
            .insert(spec as *const ast::TypeSpec as usize, id);
        self.declare_tag(spec, id);
        self.declare_enumerators(spec, scope.file);
        Some(id)
    }

    fn declare_tag(&mut self, spec: &ast::TypeSpec, id: TypeId) {
        let (key, tag) = match &spec.kind {
            ast::TypeSpecKind::Struct(s) => (TagKey::Struct, &s.tag),
            ast::TypeSpecKind::Union(u) => (TagKey::Union, &u.tag),
            ast::TypeSpecKind::Enum(e) => (TagKey::Enum, &e.tag),
            _ => return,
        };
        if let Some(tag) = tag {
            if let Some(prev) = self.tags.insert((key, tag.name.clone()), id) {
                let prev_span = self.model.types[prev.0].span;
                self.error(
                    Diagnostic::error(
                        tag.span,
                        format!("`{}` is defined more than once", tag.name),
                    )
                    .with_label("second definition")
                    .with_secondary(prev_span, "first defined here"),
                );
            }
        }
    }

    fn declare_enumerators(&mut self, spec: &'a ast::TypeSpec, file: FileId) {
        if let ast::TypeSpecKind::Enum(def) = &spec.kind {
            // A WinRT enum's items are its own (`AsyncStatus.Started`), not
            // the file's: they are named with the enum's name in front.
            if self.in_namespace {
                let prefix = def.tag.as_ref().map_or("", |t| t.name.as_str());
                self.scoped_enums
                    .insert(def as *const ast::EnumDef as usize, prefix.to_string());
            }
            for (index, item) in def.items.iter().enumerate() {
                let name = ast::Ident {
                    name: self.enumerator_key(def, index),
                    span: item.name.span,
                };
                self.declare_const(ConstSource::Enumerator { def, index }, &name, file);
            }
        }
    }

    /// The constant name of enumerator `index` of `def`.
    pub(crate) fn enumerator_key(&self, def: &ast::EnumDef, index: usize) -> String {
        let item = &def.items[index].name.name;
        match self
            .scoped_enums
            .get(&(def as *const ast::EnumDef as usize))
        {
            Some(prefix) => format!("{prefix}.{item}"),
            None => item.clone(),
        }
    }

    fn new_type(&mut self, name: &ast::Ident, source: TypeSource<'a>, scope: Scope<'a>) -> TypeId {
        let id = TypeId(self.model.types.len());
        let is_named = matches!(source, TypeSource::Typedef { .. });
        self.types.push(PendingType {
            source,
            scope,
            state: State::Pending,
        });
        self.model.types.push(TypeDef {
            name: name.name.clone(),
            file: scope.file,
            span: name.span,
            kind: TypeKind::Struct(Struct { fields: Vec::new() }),
            attrs: Vec::new(),
        });
        if is_named {
            if let Some(prev) = self.type_names.insert(name.name.clone(), id) {
                // C11 allows repeating a typedef with the same type.
                if self.typedef_text(prev).is_some()
                    && self.typedef_text(prev) == self.typedef_text(id)
                {
                    self.type_names.insert(name.name.clone(), prev);
                    return id;
                }
                let prev_span = self.model.types[prev.0].span;
                // Across files (say, one copy hidden from C by cpp_quote("#if 0")),
                // the first definition stands and the second is only a warning.
                let d = if prev_span.file == name.span.file {
                    Diagnostic::error(
                        name.span,
                        format!("type `{}` is defined more than once", name.name),
                    )
                } else {
                    self.type_names.insert(name.name.clone(), prev);
                    Diagnostic::warning(
                        name.span,
                        format!("type `{}` is defined again in another file", name.name),
                    )
                    .with_note("the first definition is used")
                };
                self.error(
                    d.with_label("second definition")
                        .with_secondary(prev_span, "first defined here"),
                );
            }
        }
        id
    }

    /// A plain typedef written back as C, to compare repeated typedefs.
    fn typedef_text(&self, id: TypeId) -> Option<String> {
        match self.types.get(id.0)?.source {
            TypeSource::Typedef {
                td,
                decl,
                defines: false,
            } => Some(layout::c_type(&td.ty, &decl.pointers, &decl.dims)),
            _ => None,
        }
    }

    fn declare_const(&mut self, source: ConstSource<'a>, name: &ast::Ident, file: FileId) {
        if let Some(&prev) = self.const_names.get(&name.name) {
            let prev_span = self.consts[prev].span;
            self.error(
                Diagnostic::error(
                    name.span,
                    format!("constant `{}` is defined more than once", name.name),
                )
                .with_label("second definition")
                .with_secondary(prev_span, "first defined here"),
            );
            return;
        }
        self.const_names
            .insert(name.name.clone(), self.consts.len());
        self.consts.push(PendingConst {
            source,
            file,
            span: name.span,
            value: None,
            state: State::Pending,
        });
        let _ = name;
    }

    // -------------------------------------------------------------- interfaces

    fn define_interfaces(&mut self) {
        let list = self.interfaces.clone();
        for (iface, scope) in list {
            let model = self.interface(iface, scope);
            self.model.interfaces.push(model);
        }
    }

    fn interface(&mut self, i: &'a ast::Interface, scope: Scope<'a>) -> Interface {
        self.check_attrs(&i.attrs, AttrPlace::Interface);
        let object = attrs::has(&i.attrs, "object");
        let uuid = self.uuid_attr(&i.attrs);
        // An interface without methods only groups types, and needs no identity.
        let has_methods = i.items.iter().any(|it| matches!(it, Item::Method(_)));
        if uuid.is_none() && has_methods && !attrs::has(&i.attrs, "local") {
            self.error(
                Diagnostic::warning(
                    i.name.span,
                    format!("interface `{}` has no `uuid` attribute", i.name.name),
                )
                .with_label("a remote interface needs an identity")
                .with_note(WIDL_ONLY)
                .with_note("it is kept for its types and its derived interfaces, and cannot be called; add [uuid(...)], or [local]"),
            );
        }
        if let Some(a) = attrs::find(&i.attrs, "pointer_default") {
            if pointer_default(&i.attrs).is_none() {
                let at = a
                    .args
                    .as_ref()
                    .and_then(|x| x.first())
                    .map_or(a.span, ast::AttrArg::span);
                self.error(
                    Diagnostic::error(at, "`pointer_default` takes `ref`, `unique` or `ptr`")
                        .with_label("not a pointer kind"),
                );
            }
        }
        let base = i.base.as_ref().map(|b| b.name.clone());
        if let Some(b) = &i.base {
            if !self.interface_names.contains_key(&b.name) {
                let known: Vec<&str> = self.interface_names.keys().map(String::as_str).collect();
                let d = Diagnostic::error(b.span, format!("unknown base interface `{}`", b.name))
                    .with_label("not declared or imported");
                let d = self.hint_unknown(d, &b.name, &known);
                self.error(d);
            }
        }
        // A WinRT template (`IVector<T>`) is not an interface until it is
        // instantiated: its methods name types it does not know.
        let methods = i
            .items
            .iter()
            .filter(|_| i.type_params.is_empty())
            .filter_map(|item| match item {
                Item::Method(m) => Some(self.method(m, scope)),
                _ => None,
            })
            .collect::<Vec<_>>();
        // A property's getter and setter share a name.
        let keys: Vec<(String, Span)> = methods
            .iter()
            .map(|m| {
                let prop = m
                    .attrs
                    .iter()
                    .find(|a| a.name.starts_with("prop") || a.name.starts_with("event"))
                    .map_or("", |a| a.name.as_str());
                (
                    format!(
                        "{}{}",
                        m.name,
                        if prop.is_empty() {
                            String::new()
                        } else {
                            format!(" ({prop})")
                        }
                    ),
                    m.span,
                )
            })
            .collect();
        self.check_duplicates(keys.iter().map(|(k, s)| (k, *s)), "method", &i.name.name);
        Interface {
            name: i.name.name.clone(),
            uuid,
            version: self.version_attr(&i.attrs),
            object,
            local: attrs::has(&i.attrs, "local"),
            base,
            pointer_default: pointer_default(&i.attrs),
            first_opnum: 0,
            methods,
            type_params: i.type_params.iter().map(|t| t.name.clone()).collect(),
            file: scope.file,
            span: i.name.span,
            attrs: i.attrs.iter().map(attrs::describe).collect(),
        }
    }

    /// Opnums count inherited methods first: IUnknown's three, then the rest.
    fn number_methods(&mut self) {
        let n = self.model.interfaces.len();
        let mut first: Vec<Option<u32>> = vec![None; n];
        for idx in 0..n {
            let mut chain = vec![idx];
            let mut cur = idx;
            // Walk up to a root or an interface already numbered.
            while first[cur].is_none() {
                let Some(base) = self.model.interfaces[cur].base.clone() else {
                    break;
                };
                let Some(b) = self.model.interfaces.iter().position(|x| x.name == base) else {
                    break;
                };
                if chain.contains(&b) {
                    let span = self.model.interfaces[idx].span;
                    let name = self.model.interfaces[idx].name.clone();
                    self.error(
                        Diagnostic::error(span, format!("interface `{name}` inherits from itself"))
                            .with_label("through this chain of base interfaces"),
                    );
                    break;
                }
                chain.push(b);
                cur = b;
            }
            for &c in chain.iter().rev() {
                if first[c].is_some() {
                    continue;
                }
                let start = self.model.interfaces[c]
                    .base
                    .as_ref()
                    .and_then(|b| self.model.interfaces.iter().position(|x| &x.name == b))
                    .filter(|b| *b != c)
                    .and_then(|b| first[b].map(|f| f + slots(&self.model.interfaces[b])))
                    .unwrap_or(0);
                first[c] = Some(start);
            }
        }
        for (iface, start) in self.model.interfaces.iter_mut().zip(first) {
            let start = start.unwrap_or(0);
            iface.first_opnum = start;
            number_own(iface, start);
        }
    }

    fn method(&mut self, m: &'a ast::Method, scope: Scope<'a>) -> Method {
        self.check_attrs(&m.attrs, AttrPlace::Method);
        let names: Vec<String> = m
            .params
            .iter()
            .map(|p| {
                p.declarator
                    .name
                    .as_ref()
                    .map(|n| n.name.clone())
                    .unwrap_or_default()
            })
            .collect();
        // Exact sizes: a large file has tens of thousands of parameters.
        let mut params = Vec::with_capacity(m.params.len());
        let mut pending = Vec::with_capacity(m.params.len());
        for (idx, p) in m.params.iter().enumerate() {
            let (param, corr) = self.param(p, idx, scope);
            params.push(param);
            pending.push(corr);
        }
        let mut layouts: Vec<Layout> = params.iter().map(|p| p.layout.clone()).collect();
        self.correlate(&names, &mut layouts, pending, &m.name.name);
        for (p, l) in params.iter_mut().zip(layouts) {
            p.layout = l;
        }
        self.check_duplicates(
            params
                .iter()
                .filter(|p| !p.name.is_empty())
                .map(|p| (&p.name, p.span)),
            "parameter",
            &m.name.name,
        );
        let ret = match (&m.ret.spec.kind, m.ret.pointers.is_empty()) {
            (ast::TypeSpecKind::Base(ast::BaseType::Void), true) => None,
            _ => Some(self.layout(
                &m.ret.spec,
                &ast::Declarator {
                    pointers: m.ret.pointers.clone(),
                    ..ast::Declarator::empty(m.ret.span)
                },
                &[],
                layout::Ctx::ret(scope),
            )),
        };
        Method {
            name: m.name.name.clone(),
            opnum: 0,
            params,
            ret,
            attrs: m.attrs.iter().map(attrs::describe).collect(),
            span: m.name.span,
        }
    }

    fn param(
        &mut self,
        p: &'a ast::Param,
        idx: usize,
        scope: Scope<'a>,
    ) -> (Param, Vec<layout::PendingCorr<'a>>) {
        self.check_attrs(&p.attrs, AttrPlace::Param);
        let is_in = attrs::has(&p.attrs, "in");
        let is_out = attrs::has(&p.attrs, "out");
        let direction = match (is_in, is_out) {
            (_, false) => Direction::In,
            (false, true) => Direction::Out,
            (true, true) => Direction::InOut,
        };
        let name = p
            .declarator
            .name
            .as_ref()
            .map(|n| n.name.clone())
            .unwrap_or_default();
        let (layout, corr) =
            self.layout_pending(&p.ty, &p.declarator, &p.attrs, layout::Ctx::param(scope));
        let binding =
            idx == 0 && layout.levels.is_empty() && layout.data == DataType::Base(Scalar::Handle);
        if direction.is_out() && layout.levels.is_empty() {
            self.error(
                Diagnostic::warning(p.span, format!("[out] parameter `{name}` is not a pointer"))
                    .with_label("passed by value")
                    .with_note(WIDL_ONLY)
                    .with_note("it travels in the response by value, as widl sends it"),
            );
        }
        let param = Param {
            name,
            direction,
            binding,
            layout,
            attrs: Vec::new(),
            span: p.span,
        };
        (param, corr)
    }

    fn check_duplicates<'n>(
        &mut self,
        items: impl Iterator<Item = (&'n String, Span)>,
        what: &str,
        owner: &str,
    ) {
        let mut seen: HashMap<&String, Span> = HashMap::new();
        let mut found = Vec::new();
        for (name, span) in items {
            if let Some(prev) = seen.insert(name, span) {
                found.push(
                    Diagnostic::error(
                        span,
                        format!("{what} `{name}` is declared twice in `{owner}`"),
                    )
                    .with_label("second declaration")
                    .with_secondary(prev, "first declared here"),
                );
            }
        }
        self.diags.extend(found);
    }

    // -------------------------------------------------------------- coclass, library, module

    fn define_others(&mut self) {
        let others = self.others.clone();
        for (item, file) in others {
            let scope = Scope {
                file,
                interface: None,
            };
            match item {
                Item::Method(m) => {
                    let f = self.method(m, scope);
                    self.model.functions.push(f);
                }
                Item::Coclass(c) => self.coclass(c),
                Item::Dispinterface(d) => {
                    self.check_attrs(&d.attrs, AttrPlace::Interface);
                    let properties = d
                        .properties
                        .iter()
                        .flat_map(|f| self.fields_of(f, scope))
                        .collect();
                    let methods = d.methods.iter().map(|m| self.method(m, scope)).collect();
                    let uuid = self.uuid_attr(&d.attrs);
                    self.model.dispinterfaces.push(Dispinterface {
                        name: d.name.name.clone(),
                        uuid,
                        properties,
                        methods,
                        interface: d.interface.as_ref().map(|i| i.name.clone()),
                    });
                }
                Item::Library(c) => {
                    self.check_attrs(&c.attrs, AttrPlace::Interface);
                    let uuid = self.uuid_attr(&c.attrs);
                    let mut importlibs = Vec::new();
                    let mut members = Vec::new();
                    for inner in &c.items {
                        match inner {
                            Item::ImportLib(s) => importlibs.push(s.value.clone()),
                            Item::Interface(i) => members.push(i.name.name.clone()),
                            Item::Dispinterface(d) => members.push(d.name.name.clone()),
                            Item::Coclass(k) => members.push(k.name.name.clone()),
                            _ => {}
                        }
                    }
                    self.model.libraries.push(Library {
                        name: c.name.name.clone(),
                        uuid,
                        importlibs,
                        members,
                    });
                }
                Item::Module(c) => {
                    self.check_attrs(&c.attrs, AttrPlace::Interface);
                    let dll_name = attrs::find(&c.attrs, "dllname")
                        .and_then(|a| a.args.as_ref()?.first().and_then(attrs::uuid_text))
                        .map(str::to_string);
                    let mut constants = Vec::new();
                    let mut functions = Vec::new();
                    for inner in &c.items {
                        match inner {
                            Item::Const(k) => constants.push(k.name.name.clone()),
                            Item::Method(m) => functions.push(self.method(m, scope)),
                            _ => {}
                        }
                    }
                    self.model.modules.push(Module {
                        name: c.name.name.clone(),
                        dll_name,
                        constants,
                        functions,
                    });
                }
                _ => {}
            }
        }
    }

    fn coclass(&mut self, c: &'a ast::Coclass) {
        self.check_attrs(&c.attrs, AttrPlace::Interface);
        let uuid = self.uuid_attr(&c.attrs);
        let mut interfaces = Vec::new();
        for m in &c.members {
            if !self.interface_names.contains_key(&m.name.name) {
                self.error(
                    Diagnostic::warning(m.name.span, format!("unknown interface `{}` in coclass `{}`", m.name.name, c.name.name))
                        .with_label("not declared or imported")
                        .with_note(WIDL_ONLY)
                        .with_note("interfaces that live only in an importlib'd type library cannot be checked; declare or import them"),
                );
            }
            interfaces.push(CoclassInterface {
                name: m.name.name.clone(),
                default: attrs::has(&m.attrs, "default"),
                source: attrs::has(&m.attrs, "source"),
                dispinterface: m.dispinterface,
            });
        }
        self.model.coclasses.push(Coclass {
            name: c.name.name.clone(),
            uuid,
            interfaces,
        });
    }

    // -------------------------------------------------------------- attributes

    fn uuid_attr(&mut self, list: &[ast::Attr]) -> Option<uuid::Uuid> {
        let a = attrs::find(list, "uuid")?;
        if !attrs::expect_args(a, 1, 1, self.diags) {
            return None;
        }
        let arg = a.args.as_ref()?.first()?;
        match attrs::uuid_text(arg).map(uuid::Uuid::parse_str) {
            Some(Ok(u)) => Some(u),
            _ => {
                self.error(
                    Diagnostic::error(arg.span(), "malformed uuid")
                        .with_label("expected 8-4-4-4-12 hexadecimal digits")
                        .with_note("for example uuid(00000131-0000-0000-C000-000000000046)"),
                );
                None
            }
        }
    }

    fn version_attr(&mut self, list: &[ast::Attr]) -> Option<(u16, u16)> {
        let a = attrs::find(list, "version")?;
        let arg = a.args.as_ref()?.first()?;
        let text = match arg {
            ast::AttrArg::Expr(ast::Expr {
                kind: ast::ExprKind::Float(t) | ast::ExprKind::Int { text: t, .. },
                ..
            }) => t.to_string(),
            _ => String::new(),
        };
        let mut parts = text.splitn(2, '.');
        let major = parts.next().and_then(|p| p.parse().ok());
        let minor = match parts.next() {
            Some(p) => p.parse().ok(),
            None => Some(0),
        };
        match (major, minor) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => {
                self.error(
                    Diagnostic::error(arg.span(), "malformed version")
                        .with_label("expected MAJOR or MAJOR.MINOR, each at most 65535"),
                );
                None
            }
        }
    }

    /// Warns about unknown attributes and checks the arity of known ones.
    fn check_attrs(&mut self, list: &[ast::Attr], place: AttrPlace) {
        for a in list {
            let name = a.name.name.as_str();
            if !attrs::is_known(name) {
                // MIDL rejects an unknown attribute; widl warns. A typo
                // (`[inn]`, `[sting]`) changes the wire, so it is an error
                // unless the caller asked for widl's leniency.
                let d = if self.lenient_attributes {
                    Diagnostic::warning(a.name.span, format!("unknown attribute `{name}`"))
                        .with_label("kept in the model, but msrpc does not act on it")
                } else {
                    Diagnostic::error(a.name.span, format!("unknown attribute `{name}`"))
                        .with_label("MIDL does not know it")
                        .with_note(
                            "widl only warns; `--lenient-attributes` (Options::lenient_attributes) \
                             does the same",
                        )
                };
                let d = match attrs::similar_known(name) {
                    Some(near) => d.with_note(format!("help: did you mean `{near}`?")),
                    None => d,
                };
                self.error(d);
                continue;
            }
            let (min, max) = match name {
                "in"
                | "out"
                | "ref"
                | "unique"
                | "ptr"
                | "string"
                | "object"
                | "local"
                | "v1_enum"
                | "retval"
                | "idempotent"
                | "disable_consistency_check"
                | "context_handle"
                | "ignore" => (0, 0),
                "switch_is" | "switch_type" | "iid_is" | "uuid" | "pointer_default"
                | "transmit_as" | "wire_marshal" | "version" | "call_as" => (1, 1),
                "range" => (2, 2),
                "size_is" | "length_is" | "first_is" | "last_is" | "max_is" | "min_is" | "case" => {
                    (1, usize::MAX)
                }
                _ => (0, usize::MAX),
            };
            attrs::expect_args(a, min, max, self.diags);
            let misplaced = match place {
                AttrPlace::Interface => matches!(
                    name,
                    "in" | "out" | "size_is" | "length_is" | "switch_is" | "iid_is"
                ),
                AttrPlace::Method => {
                    matches!(name, "in" | "out" | "size_is" | "length_is" | "iid_is")
                }
                // Types may carry a uuid, for type libraries.
                AttrPlace::Field => matches!(name, "object" | "pointer_default"),
                AttrPlace::Param => matches!(name, "object" | "pointer_default" | "uuid"),
            };
            if misplaced {
                self.error(
                    Diagnostic::error(
                        a.name.span,
                        format!("attribute `{name}` does not apply here"),
                    )
                    .with_label(format!("not valid on {}", place.describe())),
                );
            }
        }
    }
}

#[derive(Clone, Copy)]
pub(crate) enum AttrPlace {
    Interface,
    Method,
    Param,
    Field,
}

impl AttrPlace {
    fn describe(self) -> &'static str {
        match self {
            AttrPlace::Interface => "an interface",
            AttrPlace::Method => "a method",
            AttrPlace::Param => "a parameter",
            AttrPlace::Field => "a field or type",
        }
    }
}

fn is_definition(spec: &ast::TypeSpec) -> bool {
    matches!(
        spec.kind,
        ast::TypeSpecKind::Struct(_) | ast::TypeSpecKind::Union(_) | ast::TypeSpecKind::Enum(_)
    )
}

fn pointer_default(list: &[ast::Attr]) -> Option<PointerKind> {
    let a = attrs::find(list, "pointer_default")?;
    match a.args.as_ref()?.first()? {
        ast::AttrArg::Expr(ast::Expr {
            kind: ast::ExprKind::Ident(k),
            ..
        }) => match k.as_str() {
            "ref" => Some(PointerKind::Ref),
            "unique" => Some(PointerKind::Unique),
            "ptr" => Some(PointerKind::Full),
            _ => None,
        },
        _ => None,
    }
}
