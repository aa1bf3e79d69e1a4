//! Levels: how a declaration's pointers, arrays and attributes become the
//! NDR shape of a field, parameter or alias.

use super::{attrs, Resolver, Scope, State};
use crate::ast::{self, ExprKind, TypeSpecKind};
use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::source::Span;

/// What is being laid out, which decides the default pointer kinds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Param,
    Field,
    Typedef,
    Return,
}

#[derive(Clone, Copy)]
pub(crate) struct Ctx<'s> {
    pub scope: Scope<'s>,
    pub role: Role,
}

impl<'s> Ctx<'s> {
    pub fn param(scope: Scope<'s>) -> Ctx<'s> {
        Ctx {
            scope,
            role: Role::Param,
        }
    }
    pub fn ret(scope: Scope<'s>) -> Ctx<'s> {
        Ctx {
            scope,
            role: Role::Return,
        }
    }
    pub fn field(scope: Scope<'s>) -> Ctx<'s> {
        Ctx {
            scope,
            role: Role::Field,
        }
    }
    pub fn typedef(scope: Scope<'s>) -> Ctx<'s> {
        Ctx {
            scope,
            role: Role::Typedef,
        }
    }
}

/// How many definitions may wait on each other (typedef chains, constants
/// defined by constants): the resolver recurses once per level.
pub(crate) const MAX_DEFINITION_DEPTH: usize = 64;

/// A correlation attribute waiting for its siblings' layouts.
pub(crate) struct PendingCorr<'a> {
    pub attr: &'static str,
    pub expr: &'a ast::Expr,
    /// The level it sizes, for array attributes.
    pub level: usize,
}

/// Correlation attributes, in the order their slots map onto levels.
const CORRELATIONS: &[&str] = &[
    "size_is",
    "max_is",
    "min_is",
    "length_is",
    "first_is",
    "last_is",
];

#[allow(clippy::large_enum_variant)]
enum Proto {
    Pointer {
        kind: Option<PointerKind>,
        from: Option<PointerKindSource>,
    },
    Array(Array),
}

impl<'a> Resolver<'a, '_> {
    /// Lays out one declaration. Correlation expressions are resolved later,
    /// by [`Resolver::correlate`], once every sibling is laid out.
    pub(crate) fn layout(
        &mut self,
        spec: &'a ast::TypeSpec,
        decl: &ast::Declarator,
        list: &'a [ast::Attr],
        ctx: Ctx<'a>,
    ) -> Layout {
        // No siblings (a typedef, a return value): constants only.
        let (layout, pending) = self.layout_pending(spec, decl, list, ctx);
        let mut layouts = [layout];
        self.correlate(&[], &mut layouts, vec![pending], "");
        let [layout] = layouts;
        layout
    }

    pub(crate) fn layout_pending(
        &mut self,
        spec: &'a ast::TypeSpec,
        decl: &ast::Declarator,
        list: &'a [ast::Attr],
        ctx: Ctx<'a>,
    ) -> (Layout, Vec<PendingCorr<'a>>) {
        let at = decl.name.as_ref().map_or(decl.span, |n| n.span);
        let mut protos: Vec<Proto> = Vec::new();
        for d in &decl.dims {
            protos.push(Proto::Array(self.dim(d)));
        }
        for _ in &decl.pointers {
            protos.push(Proto::Pointer {
                kind: None,
                from: None,
            });
        }
        // A function pointer's type is its return type; only its `*` travel.
        let base = match &decl.function {
            Some(f) => {
                for _ in &f.pointers {
                    protos.push(Proto::Pointer {
                        kind: None,
                        from: None,
                    });
                }
                Base::data(DataType::Function)
            }
            None => self.base(spec, at, list),
        };
        protos.extend(base.levels);
        let bit_width = decl
            .bits
            .as_ref()
            .and_then(|b| self.eval_int(b))
            .and_then(|b| u32::try_from(b).ok());
        let mut layout = Layout {
            c_type: c_type(spec, &decl.pointers, &decl.dims),
            levels: Vec::new(),
            data: base.data,
            range: base.range,
            switch_is: None,
            iid_is: None,
            disable_consistency_check: base.disable_consistency_check,
            bit_width,
            attrs: list.iter().map(attrs::describe).collect(),
        };
        let mut pending = Vec::new();
        self.opaque_pointer = matches!(
            self.resolved_kind(&layout.data),
            Some(TypeKind::Marshaled(_) | TypeKind::ContextHandle)
        );
        let sized = self.apply_correlations(list, &mut protos, &mut pending, at);
        // Slots count declared levels; a sized pointer's array is inserted after it.
        for p in &mut pending {
            let before = sized.iter().filter(|(s, _)| *s < p.level).count();
            let own = usize::from(sized.iter().any(|(s, _)| *s == p.level));
            p.level += before + own;
        }
        let mut protos = insert_sized_arrays(protos, sized);
        self.apply_string(list, &mut protos, &layout.data, at);
        // An array parameter (declared, or through a typedef) is passed as a
        // pointer to the array, as in C. A pointer attribute goes to the
        // element pointers if there are any, else to this one.
        let decays = ctx.role == Role::Param && matches!(protos.first(), Some(Proto::Array(_)));
        let own_pointer = protos.iter().any(|p| matches!(p, Proto::Pointer { .. }));
        if decays && own_pointer {
            self.apply_pointer_attr(list, &mut protos, at);
        }
        if decays {
            protos.insert(
                0,
                Proto::Pointer {
                    kind: None,
                    from: None,
                },
            );
            for p in &mut pending {
                p.level += 1;
            }
        }
        if !(decays && own_pointer) {
            self.apply_pointer_attr(list, &mut protos, at);
        }
        if let Some(a) = attrs::find(list, "range") {
            layout.range = self.range(a);
        }
        for name in ["switch_is", "iid_is"] {
            if let Some(expr) = attrs::find(list, name).and_then(single_expr) {
                pending.push(PendingCorr {
                    attr: if name == "switch_is" {
                        "switch_is"
                    } else {
                        "iid_is"
                    },
                    expr,
                    level: 0,
                });
            }
        }
        layout.disable_consistency_check |= attrs::has(list, "disable_consistency_check");
        layout.levels = self.finish_pointers(protos, ctx);
        // `[context_handle] void *h`: the pointer is the handle itself.
        if ctx.role != Role::Typedef
            && attrs::has(list, "context_handle")
            && layout.data == DataType::Base(Scalar::Void)
            && matches!(layout.levels.last(), Some(Level::Pointer(_)))
        {
            layout.levels.pop();
            layout.data = DataType::ContextHandle;
        }
        // `[iid_is(riid)] void **ppv`: an interface pointer whose interface
        // is known at run time; on the wire it is IUnknown's MInterfacePointer.
        if attrs::has(list, "iid_is") && layout.data == DataType::Base(Scalar::Void) {
            layout.data = DataType::Interface("IUnknown".into());
        }
        if matches!(layout.data, DataType::Interface(_)) {
            // MIDL sends every interface pointer as a unique pointer to an
            // MInterfacePointer, so that null is a valid interface.
            if let Some(Level::Pointer(p)) = layout.levels.last_mut() {
                p.kind = PointerKind::Unique;
                p.from = PointerKindSource::InterfacePointer;
            }
        }
        if let DataType::Interface(name) = &layout.data {
            // A typedef may rename an interface; its users add the pointer.
            let by_value = !layout.levels.iter().any(|l| matches!(l, Level::Pointer(_)));
            if by_value && ctx.role != Role::Typedef {
                self.error(
                    Diagnostic::error(
                        at,
                        format!("interface `{name}` can only be passed by pointer"),
                    )
                    .with_label("write `*` here")
                    .with_note("an interface travels as an interface pointer (MInterfacePointer)"),
                );
            }
        }
        (layout, pending)
    }

    fn dim(&mut self, d: &ast::ArrayDim) -> Array {
        match d {
            ast::ArrayDim::Open(_) | ast::ArrayDim::Star(_) => Array::default(),
            ast::ArrayDim::Sized(e) => {
                let n = self.eval_int(e).unwrap_or(0);
                let fixed = u64::try_from(n).ok().filter(|n| *n > 0);
                if fixed.is_none() {
                    self.error(
                        Diagnostic::error(
                            e.span,
                            format!("array size must be positive, found {n}"),
                        )
                        .with_label("in this dimension"),
                    );
                }
                Array {
                    fixed: Some(fixed.unwrap_or(1)),
                    ..Array::default()
                }
            }
        }
    }

    /// `[ref]`, `[unique]` or `[ptr]` on a declaration sets its outermost pointer.
    fn apply_pointer_attr(&mut self, list: &[ast::Attr], protos: &mut [Proto], at: Span) {
        let found: Vec<&ast::Attr> = list
            .iter()
            .filter(|a| matches!(a.name.name.as_str(), "ref" | "unique" | "ptr"))
            .collect();
        if found.len() > 1 {
            self.error(
                Diagnostic::error(found[1].span, "conflicting pointer attributes")
                    .with_label("second pointer attribute")
                    .with_secondary(found[0].span, "first one here"),
            );
        }
        let Some(a) = found.first() else { return };
        let kind = match a.name.name.as_str() {
            "ref" => PointerKind::Ref,
            "unique" => PointerKind::Unique,
            _ => PointerKind::Full,
        };
        match protos
            .iter_mut()
            .find(|p| matches!(p, Proto::Pointer { .. }))
        {
            Some(Proto::Pointer { kind: k, from }) => {
                *k = Some(kind);
                *from = Some(PointerKindSource::Attribute);
            }
            // A type that travels as its wire type (a wire_marshal'd
            // pointer type, a context handle) keeps its own pointer.
            _ if self.opaque_pointer => {}
            _ => self.error(
                Diagnostic::error(
                    a.span,
                    format!("`{}` applies only to pointers", a.name.name),
                )
                .with_secondary(at, "this declaration has no pointer"),
            ),
        }
    }

    /// Attaches each slot of `size_is(a, b)` and its kin to the level of the
    /// same index. Returns arrays to insert after sized pointers.
    fn apply_correlations(
        &mut self,
        list: &'a [ast::Attr],
        protos: &mut [Proto],
        pending: &mut Vec<PendingCorr<'a>>,
        at: Span,
    ) -> Vec<(usize, Array)> {
        let mut sized: Vec<(usize, Array)> = Vec::new();
        for &name in CORRELATIONS {
            let Some(a) = attrs::find(list, name) else {
                continue;
            };
            let Some(args) = &a.args else { continue };
            for (slot, arg) in args.iter().enumerate() {
                let expr = match arg {
                    ast::AttrArg::Empty(_) => continue,
                    ast::AttrArg::Expr(e) => e,
                    other => {
                        self.error(
                            Diagnostic::error(
                                other.span(),
                                format!("`{name}` expects an expression"),
                            )
                            .with_label("not an expression"),
                        );
                        continue;
                    }
                };
                let next_open =
                    matches!(protos.get(slot + 1), Some(Proto::Array(a)) if a.fixed.is_none());
                match protos.get_mut(slot) {
                    None => {
                        self.error(
                            Diagnostic::error(arg.span(), format!("`{name}` has more slots than the declaration has pointers and arrays"))
                                .with_label(format!("slot {} has no level to apply to", slot + 1))
                                .with_secondary(at, format!("this declaration has {} level(s)", protos.len())),
                        );
                    }
                    Some(Proto::Array(arr)) => {
                        if name == "size_is" && arr.fixed.is_some() {
                            self.error(
                                Diagnostic::error(arg.span(), "`size_is` on a fixed-size array")
                                    .with_label("the dimension is already fixed")
                                    .with_note("declare the array with `[]` to make it conformant"),
                            );
                            continue;
                        }
                        pending.push(PendingCorr {
                            attr: name,
                            expr,
                            level: slot,
                        });
                    }
                    // A pointer already followed by an open array (LPWSTR's
                    // string) sizes that array rather than growing another.
                    Some(Proto::Pointer { .. }) if next_open => pending.push(PendingCorr {
                        attr: name,
                        expr,
                        level: slot + 1,
                    }),
                    Some(Proto::Pointer { .. }) => {
                        // A sized pointer points at an array; the array is the next level.
                        if !sized.iter().any(|(s, _)| *s == slot) {
                            sized.push((slot, Array::default()));
                        }
                        pending.push(PendingCorr {
                            attr: name,
                            expr,
                            level: slot,
                        });
                    }
                }
            }
        }
        sized
    }

    fn apply_string(
        &mut self,
        list: &[ast::Attr],
        protos: &mut Vec<Proto>,
        data: &DataType,
        at: Span,
    ) {
        let Some(a) = attrs::find(list, "string") else {
            return;
        };
        if self.opaque_pointer {
            // `[string] BSTR`: the wire type says what travels.
            return;
        }
        if let Some(len) = attrs::find(list, "length_is") {
            self.error(
                Diagnostic::error(len.span, "`string` cannot be combined with `length_is`")
                    .with_label("a string's length is where its terminator is")
                    .with_secondary(a.span, "`string` given here"),
            );
        }
        if !self.is_char_like(data) {
            self.error(
                Diagnostic::error(
                    a.span,
                    "`string` applies only to char, wchar_t or byte data",
                )
                .with_secondary(
                    at,
                    "this declaration's element type is not a character type",
                ),
            );
            return;
        }
        match protos.last_mut() {
            Some(Proto::Array(arr)) => arr.string = true,
            Some(Proto::Pointer { .. }) => protos.push(Proto::Array(Array {
                string: true,
                ..Array::default()
            })),
            None => self.error(
                Diagnostic::error(a.span, "`string` needs a pointer or an array")
                    .with_secondary(at, "this declaration has neither"),
            ),
        }
    }

    fn is_char_like(&self, data: &DataType) -> bool {
        match data {
            DataType::Base(s) => matches!(
                s,
                Scalar::Char
                    | Scalar::WChar
                    | Scalar::Byte
                    | Scalar::Int8
                    | Scalar::UInt8
                    | Scalar::UInt16
            ),
            DataType::Named(n) => match &self.model.types[self.model.resolve_alias(n.id).0].kind {
                TypeKind::Alias(l) if l.levels.is_empty() => self.is_char_like(&l.data),
                // [string] on a struct of bytes is legal MIDL.
                TypeKind::Struct(_) => true,
                _ => false,
            },
            DataType::Interface(_) | DataType::Function | DataType::ContextHandle => false,
        }
    }

    fn range(&mut self, a: &ast::Attr) -> Option<(i128, i128)> {
        let args = a.args.as_ref()?;
        let [lo, hi] = args.as_slice() else {
            return None;
        };
        let (ast::AttrArg::Expr(lo), ast::AttrArg::Expr(hi)) = (lo, hi) else {
            self.error(Diagnostic::error(
                a.span,
                "`range` expects two constant expressions",
            ));
            return None;
        };
        let (lo, hi) = (self.eval_int(lo)?, self.eval_int(hi)?);
        if lo > hi {
            self.error(
                Diagnostic::error(a.span, format!("empty range: {lo} is greater than {hi}"))
                    .with_label("no value can satisfy this"),
            );
            return None;
        }
        Some((lo, hi))
    }

    /// Gives every pointer its kind: attribute, typedef, top level, pointer_default, MIDL's default.
    fn finish_pointers(&mut self, protos: Vec<Proto>, ctx: Ctx<'a>) -> Vec<Level> {
        let pointer_default = ctx
            .scope
            .interface
            .and_then(|i| super::pointer_default(&i.attrs));
        protos
            .into_iter()
            .enumerate()
            .map(|(i, p)| match p {
                Proto::Array(a) => Level::Array(a),
                Proto::Pointer { kind, from } => {
                    let top_level = ctx.role == Role::Param && i == 0;
                    let (kind, from) = match (kind, from) {
                        // A top-level parameter is `ref` unless an attribute says otherwise.
                        (Some(_), Some(PointerKindSource::PointerDefault)) if top_level => {
                            (PointerKind::Ref, PointerKindSource::TopLevel)
                        }
                        (Some(k), Some(f)) => (k, f),
                        _ if top_level => (PointerKind::Ref, PointerKindSource::TopLevel),
                        _ => match pointer_default {
                            Some(k) => (k, PointerKindSource::PointerDefault),
                            None => (PointerKind::Unique, PointerKindSource::MidlDefault),
                        },
                    };
                    Level::Pointer(Pointer {
                        kind,
                        top_level,
                        from,
                    })
                }
            })
            .collect()
    }

    // -------------------------------------------------------------- base types

    fn base(&mut self, spec: &'a ast::TypeSpec, at: Span, list: &'a [ast::Attr]) -> Base {
        let data = |d| Base {
            data: d,
            levels: Vec::new(),
            range: None,
            disable_consistency_check: false,
        };
        match &spec.kind {
            TypeSpecKind::Base(b) => data(DataType::Base(scalar(*b))),
            TypeSpecKind::Named(id) => self.named(id),
            TypeSpecKind::Tagged(tag, id) => match self.tags.get(&((*tag).into(), id.name.clone()))
            {
                Some(&t) => data(self.named_data(t)),
                // C lets `struct X *` name a type defined nowhere (widl even
                // allows `enum X`): usable by pointer in [local] code.
                None => {
                    let t = self.opaque(*tag, id);
                    data(self.named_data(t))
                }
            },
            TypeSpecKind::Struct(_) | TypeSpecKind::Union(_) | TypeSpecKind::Enum(_) => {
                let id = self.inline_definition(spec, at, list);
                data(self.named_data(id))
            }
            TypeSpecKind::SafeArray(_) => self.safearray(at),
        }
    }

    /// `SAFEARRAY(T)` travels as `LPSAFEARRAY`, whose wire_marshal oaidl.idl declares.
    fn safearray(&mut self, at: Span) -> Base {
        for name in ["LPSAFEARRAY", "SAFEARRAY"] {
            if self.type_names.contains_key(name) {
                let mut b = self.named(&ast::Ident {
                    name: name.into(),
                    span: at,
                });
                if name == "SAFEARRAY" {
                    b.levels.insert(
                        0,
                        Proto::Pointer {
                            kind: None,
                            from: None,
                        },
                    );
                }
                return b;
            }
        }
        self.error(
            Diagnostic::error(at, "`SAFEARRAY(...)` needs the SAFEARRAY type")
                .with_label("SAFEARRAY is not declared")
                .with_note("import oaidl.idl, which declares it"),
        );
        Base::data(DataType::Base(Scalar::Void))
    }

    /// A struct or union known only by its tag.
    fn opaque(&mut self, tag: ast::Tag, id: &ast::Ident) -> TypeId {
        let scope = self.current_scope.unwrap_or(Scope {
            file: id.span.file,
            interface: None,
        });
        let t = self.new_type(id, super::TypeSource::Opaque, scope);
        self.tags.insert((tag.into(), id.name.clone()), t);
        self.define_type(t);
        t
    }

    /// The layout a type name stands for: an alias's own, or the type.
    pub(crate) fn layout_of_name(&mut self, id: &ast::Ident) -> Option<Layout> {
        let base = self.named(id);
        let levels = base
            .levels
            .into_iter()
            .map(|p| match p {
                Proto::Array(a) => Level::Array(a),
                Proto::Pointer { kind, from } => Level::Pointer(Pointer {
                    kind: kind.unwrap_or(PointerKind::Unique),
                    top_level: false,
                    from: from.unwrap_or(PointerKindSource::MidlDefault),
                }),
            })
            .collect();
        Some(Layout {
            c_type: id.name.clone(),
            levels,
            data: base.data,
            range: base.range,
            switch_is: None,
            iid_is: None,
            disable_consistency_check: base.disable_consistency_check,
            bit_width: None,
            attrs: Vec::new(),
        })
    }

    fn named_data(&mut self, id: TypeId) -> DataType {
        DataType::Named(NamedType {
            id,
            name: self.model.types[id.0].name.clone(),
        })
    }

    fn named(&mut self, id: &ast::Ident) -> Base {
        let Some(&t) = self.type_names.get(&id.name) else {
            // `IVector<HSTRING>`: an instance of a WinRT template, which
            // travels as any interface does.
            let template = id.name.split('<').next().unwrap_or("");
            if self.interface_names.contains_key(&id.name)
                || (id.name.contains('<') && self.interface_names.contains_key(template))
            {
                return Base::data(DataType::Interface(id.name.clone()));
            }
            let d = Diagnostic::error(id.span, format!("unknown type `{}`", id.name))
                .with_label("not declared or imported");
            let d = self.hint_unknown(d, &id.name, &self.type_candidates());
            self.error(d);
            return Base::data(DataType::Base(Scalar::Void));
        };
        self.define_type(t);
        if self.types[t.0].state == State::InProgress {
            // A typedef cycle, already reported: stop here rather than loop.
            if matches!(
                self.types[t.0].source,
                super::TypeSource::Typedef { defines: false, .. }
            ) {
                return Base::data(DataType::Base(Scalar::Void));
            }
        }
        let alias = match &self.model.types[t.0].kind {
            TypeKind::Alias(l) => l.clone(),
            _ => return Base::data(self.named_data(t)),
        };
        if alias.levels.is_empty() {
            // A pure rename keeps its own name on the wire's data.
            return Base {
                data: self.named_data(t),
                levels: Vec::new(),
                range: alias.range,
                disable_consistency_check: alias.disable_consistency_check,
            };
        }
        let levels = alias
            .levels
            .iter()
            .map(|l| match l {
                Level::Array(a) => Proto::Array(a.clone()),
                Level::Pointer(p) => match &p.from {
                    PointerKindSource::Attribute => Proto::Pointer {
                        kind: Some(p.kind),
                        from: Some(PointerKindSource::Typedef(id.name.clone())),
                    },
                    PointerKindSource::Typedef(n) => Proto::Pointer {
                        kind: Some(p.kind),
                        from: Some(PointerKindSource::Typedef(n.clone())),
                    },
                    // The defining interface's pointer_default outranks the
                    // using one's; only MIDL's own default is decided anew.
                    PointerKindSource::PointerDefault => Proto::Pointer {
                        kind: Some(p.kind),
                        from: Some(PointerKindSource::PointerDefault),
                    },
                    _ => Proto::Pointer {
                        kind: None,
                        from: None,
                    },
                },
            })
            .collect();
        Base {
            data: alias.data,
            levels,
            range: alias.range,
            disable_consistency_check: alias.disable_consistency_check,
        }
    }

    /// A struct, union or enum defined where it is used. The use's
    /// attributes are the definition's too: `[switch_type(ULONG)] union
    /// {...} u;` in a struct gives the union its discriminant type.
    fn inline_definition(
        &mut self,
        spec: &'a ast::TypeSpec,
        at: Span,
        list: &'a [ast::Attr],
    ) -> TypeId {
        let key = spec as *const ast::TypeSpec as usize;
        if let Some(&id) = self.def_ids.get(&key) {
            self.define_type(id);
            return id;
        }
        let _ = at;
        let scope = self.current_scope.unwrap_or(Scope {
            file: spec.span.file,
            interface: None,
        });
        let name = self.anon_name.take();
        let id = self
            .declare_definition(spec, list, scope, name)
            .unwrap_or(TypeId(0));
        self.define_type(id);
        id
    }

    /// Makes sure type `id` is defined, reporting typedef cycles.
    pub(crate) fn define_type(&mut self, id: TypeId) {
        match self.types[id.0].state {
            State::Done => {}
            State::InProgress => {
                // Only aliases need their target's layout, so only they can loop.
                if matches!(
                    self.types[id.0].source,
                    super::TypeSource::Typedef { defines: false, .. }
                ) {
                    let span = self.model.types[id.0].span;
                    let name = self.model.types[id.0].name.clone();
                    self.error(
                        Diagnostic::error(
                            span,
                            format!("type `{name}` is defined in terms of itself"),
                        )
                        .with_label("this typedef is circular"),
                    );
                }
            }
            State::Pending if self.nesting >= MAX_DEFINITION_DEPTH => {
                let span = self.model.types[id.0].span;
                self.error(
                    Diagnostic::error(span, "type definitions nested too deeply").with_label(
                        format!("more than {MAX_DEFINITION_DEPTH} typedefs lead here"),
                    ),
                );
            }
            State::Pending => {
                self.types[id.0].state = State::InProgress;
                self.nesting += 1;
                self.build_type(id);
                self.nesting -= 1;
                self.types[id.0].state = State::Done;
            }
        }
    }

    // -------------------------------------------------------------- correlations

    /// Resolves the pending correlations of sibling layouts (a struct's
    /// fields or a method's parameters) against each other.
    pub(crate) fn correlate(
        &mut self,
        names: &[String],
        layouts: &mut [Layout],
        pending: Vec<Vec<PendingCorr<'a>>>,
        owner: &str,
    ) {
        let snapshot: Vec<Layout> = layouts.to_vec();
        for (i, list) in pending.into_iter().enumerate() {
            for p in list {
                let Some(expr) = self.corr_expr(p.expr, names, owner, p.attr) else {
                    continue;
                };
                let ok = match p.attr {
                    "iid_is" => {
                        self.check_operand(p.expr, names, &snapshot, 0, Operand::Guid, p.attr)
                    }
                    "switch_is" => {
                        self.check_operand(p.expr, names, &snapshot, 0, Operand::Switch, p.attr)
                    }
                    _ => self.check_operand(p.expr, names, &snapshot, 0, Operand::Integer, p.attr),
                };
                if !ok {
                    continue;
                }
                let layout = &mut layouts[i];
                match p.attr {
                    "iid_is" => layout.iid_is = Some(expr),
                    "switch_is" => {
                        let operand = operand_data(p.expr, names, &snapshot);
                        self.infer_switch_type(&layout.data, operand);
                        layout.switch_is = Some(expr);
                    }
                    attr => {
                        let Some(Level::Array(arr)) = layout.levels.get_mut(p.level) else {
                            continue;
                        };
                        let slot = match attr {
                            "size_is" => &mut arr.size_is,
                            "max_is" => &mut arr.max_is,
                            "min_is" => &mut arr.min_is,
                            "length_is" => &mut arr.length_is,
                            "first_is" => &mut arr.first_is,
                            _ => &mut arr.last_is,
                        };
                        *slot = Some(expr);
                    }
                }
            }
        }
    }

    /// A non-encapsulated union without `[switch_type]` takes the type of
    /// what its `switch_is` names, as MIDL does.
    fn infer_switch_type(&mut self, union: &DataType, operand: Option<DataType>) {
        let (DataType::Named(n), Some(ty)) = (union, operand) else {
            return;
        };
        let id = self.model.resolve_alias(n.id);
        if let TypeKind::Union(Union {
            switch: UnionSwitch::NonEncapsulated { ty: slot @ None },
            ..
        }) = &mut self.model.types[id.0].kind
        {
            *slot = Some(ty);
        }
    }

    fn corr_expr(
        &mut self,
        e: &ast::Expr,
        names: &[String],
        owner: &str,
        attr: &str,
    ) -> Option<Expr> {
        Some(match &e.kind {
            ExprKind::Int { value, .. } => Expr::Int(i128::try_from(*value).ok()?),
            ExprKind::Char(c) => Expr::Int(i128::from(*c)),
            ExprKind::Ident(n) => {
                if let Some(index) = names.iter().position(|x| x == n) {
                    Expr::Ref {
                        name: n.clone(),
                        index,
                    }
                } else if let Some(c) = self.model.constant(n) {
                    match c.value {
                        ConstValue::Int(value) => Expr::Const {
                            name: n.clone(),
                            value,
                        },
                        _ => {
                            self.error(
                                Diagnostic::error(
                                    e.span,
                                    format!("constant `{n}` is not an integer"),
                                )
                                .with_label(format!("used in `{attr}`")),
                            );
                            return None;
                        }
                    }
                } else {
                    // widl lets a name it cannot resolve (a constant only a
                    // cpp_quote'd #define gives) through; what uses it
                    // cannot be marshaled.
                    let d = Diagnostic::warning(e.span, format!("unknown name `{n}` in `{attr}`"));
                    self.error(
                        if names.is_empty() {
                            d.with_label("not a constant")
                                .with_note(format!("`{attr}` has no sibling fields to name here"))
                        } else {
                            d.with_label(format!("not a sibling in `{owner}` nor a constant"))
                                .with_note(format!(
                                    "`{attr}` must name another field or parameter of `{owner}`"
                                ))
                        }
                        .with_note(super::WIDL_ONLY)
                        .with_note("what it sizes cannot be marshaled"),
                    );
                    Expr::Unknown(n.clone())
                }
            }
            ExprKind::Unary(op, a) => {
                Expr::Unary(*op, Box::new(self.corr_expr(a, names, owner, attr)?))
            }
            ExprKind::Binary(..) if self.typed_cast(e, names).is_some() => {
                let (op, operand) = self.typed_cast(e, names)?;
                Expr::Unary(op, Box::new(self.corr_expr(operand, names, owner, attr)?))
            }
            ExprKind::Binary(op, a, b) => Expr::Binary(
                *op,
                Box::new(self.corr_expr(a, names, owner, attr)?),
                Box::new(self.corr_expr(b, names, owner, attr)?),
            ),
            ExprKind::Cond(c, a, b) => Expr::Cond(
                Box::new(self.corr_expr(c, names, owner, attr)?),
                Box::new(self.corr_expr(a, names, owner, attr)?),
                Box::new(self.corr_expr(b, names, owner, attr)?),
            ),
            ExprKind::Member(a, f) | ExprKind::Arrow(a, f) => Expr::Member {
                base: Box::new(self.corr_expr(a, names, owner, attr)?),
                field: f.name.clone(),
                arrow: matches!(e.kind, ExprKind::Arrow(..)),
            },
            // `sizeof(long)` and casts: folded when constant, as MIDL does.
            ExprKind::Cast(_, inner) if !mentions(inner, names) => Expr::Int(self.eval_int(e)?),
            ExprKind::Cast(_, inner) => return self.corr_expr(inner, names, owner, attr),
            ExprKind::SizeofType(_) => Expr::Int(self.eval_int(e)?),
            _ => {
                self.error(
                    Diagnostic::error(e.span, format!("not allowed in `{attr}`"))
                        .with_label("correlation expressions take integers, names and C operators"),
                );
                return None;
            }
        })
    }

    /// Checks that what a correlation names has the type the attribute needs.
    fn check_operand(
        &mut self,
        e: &ast::Expr,
        names: &[String],
        layouts: &[Layout],
        derefs: isize,
        want: Operand,
        attr: &str,
    ) -> bool {
        match &e.kind {
            ExprKind::Ident(n) => {
                let Some(idx) = names.iter().position(|x| x == n) else {
                    return true;
                };
                let Some(l) = layouts.get(idx) else {
                    return true;
                };
                let pointers = l
                    .levels
                    .iter()
                    .take_while(|x| matches!(x, Level::Pointer(_)))
                    .count() as isize;
                let all_pointers = l.levels.iter().all(|x| matches!(x, Level::Pointer(_)));
                let (ok, expected) = match want {
                    // `iid_is(riid)` with `REFIID riid`, or `iid_is(*piid)`.
                    Operand::Guid => (
                        all_pointers
                            && (pointers == derefs + 1 || pointers == derefs)
                            && self.is_guid(&l.data),
                        "a pointer to a GUID (IID)",
                    ),
                    Operand::Integer => (
                        all_pointers && pointers == derefs && self.is_integer(&l.data, false),
                        "an integer",
                    ),
                    Operand::Switch => (
                        all_pointers && pointers == derefs && self.is_integer(&l.data, true),
                        "an integer or enum",
                    ),
                    // `p ? *p : n` tests a pointer for null.
                    Operand::Truth => (
                        all_pointers && pointers >= derefs && self.is_integer(&l.data, true),
                        "an integer or a pointer to one",
                    ),
                };
                if !ok {
                    self.error(
                        Diagnostic::error(
                            e.span,
                            format!("`{attr}` operand `{n}` must be {expected}"),
                        )
                        .with_label(format!("`{n}` is `{}`", l.c_type)),
                    );
                }
                ok
            }
            ExprKind::Unary(ast::UnOp::Deref, a) => {
                self.check_operand(a, names, layouts, derefs + 1, want, attr)
            }
            ExprKind::Unary(ast::UnOp::AddrOf, a) => {
                self.check_operand(a, names, layouts, derefs - 1, want, attr)
            }
            ExprKind::Unary(_, a) => {
                self.check_operand(a, names, layouts, 0, Operand::Integer, attr)
            }
            ExprKind::Binary(..) if self.typed_cast(e, names).is_some() => match self
                .typed_cast(e, names)
            {
                Some((ast::UnOp::Deref, a)) => {
                    self.check_operand(a, names, layouts, derefs + 1, want, attr)
                }
                Some((_, a)) => self.check_operand(a, names, layouts, 0, Operand::Integer, attr),
                None => true,
            },
            ExprKind::Binary(_, a, b) => {
                self.check_operand(a, names, layouts, 0, Operand::Integer, attr)
                    & self.check_operand(b, names, layouts, 0, Operand::Integer, attr)
            }
            ExprKind::Cond(c, a, b) => {
                self.check_operand(c, names, layouts, 0, Operand::Truth, attr)
                    & self.check_operand(a, names, layouts, 0, want, attr)
                    & self.check_operand(b, names, layouts, 0, want, attr)
            }
            _ => true,
        }
    }

    /// `(ULONG)*p` parses as `(ULONG) * p`; with typedef names known, a
    /// type on the left of `*`, `-`, `+` or `&` makes it a cast of a unary.
    /// The cast itself is dropped: correlations are computed in integers.
    fn typed_cast<'e>(
        &self,
        e: &'e ast::Expr,
        names: &[String],
    ) -> Option<(ast::UnOp, &'e ast::Expr)> {
        let ExprKind::Binary(op, a, b) = &e.kind else {
            return None;
        };
        let ExprKind::Ident(n) = &a.kind else {
            return None;
        };
        if names.contains(n) || !self.type_names.contains_key(n) {
            return None;
        }
        let unary = match op {
            ast::BinOp::Mul => ast::UnOp::Deref,
            ast::BinOp::Sub => ast::UnOp::Neg,
            ast::BinOp::Add => ast::UnOp::Plus,
            ast::BinOp::BitAnd => ast::UnOp::AddrOf,
            _ => return None,
        };
        Some((unary, b))
    }

    fn resolved_kind(&self, data: &DataType) -> Option<&TypeKind> {
        match data {
            DataType::Named(n) => self
                .model
                .types
                .get(self.model.resolve_alias(n.id).0)
                .map(|t| &t.kind),
            _ => None,
        }
    }

    fn is_integer(&self, data: &DataType, allow_enum: bool) -> bool {
        match data {
            DataType::Base(s) => s.is_integer() && *s != Scalar::ErrorStatus,
            DataType::Named(_) => match self.resolved_kind(data) {
                Some(TypeKind::Alias(l)) if l.levels.is_empty() => {
                    self.is_integer(&l.data, allow_enum)
                }
                Some(TypeKind::Enum(_)) => allow_enum,
                _ => false,
            },
            DataType::Interface(_) | DataType::Function | DataType::ContextHandle => false,
        }
    }

    fn is_guid(&self, data: &DataType) -> bool {
        let DataType::Named(n) = data else {
            return false;
        };
        let id = self.model.resolve_alias(n.id);
        let t = &self.model.types[id.0];
        matches!(t.kind, TypeKind::Struct(_))
            && matches!(t.name.as_str(), "GUID" | "_GUID" | "UUID" | "IID" | "CLSID")
    }
}

#[derive(Clone, Copy)]
enum Operand {
    Integer,
    Switch,
    Guid,
    Truth,
}

struct Base {
    data: DataType,
    levels: Vec<Proto>,
    range: Option<(i128, i128)>,
    disable_consistency_check: bool,
}

impl Base {
    fn data(data: DataType) -> Base {
        Base {
            data,
            levels: Vec::new(),
            range: None,
            disable_consistency_check: false,
        }
    }
}

/// The type a `switch_is` operand names: a sibling, through any `*`.
fn operand_data(e: &ast::Expr, names: &[String], layouts: &[Layout]) -> Option<DataType> {
    match &e.kind {
        ExprKind::Ident(n) => {
            let idx = names.iter().position(|x| x == n)?;
            Some(layouts.get(idx)?.data.clone())
        }
        ExprKind::Unary(ast::UnOp::Deref, a) | ExprKind::Cast(_, a) => {
            operand_data(a, names, layouts)
        }
        _ => None,
    }
}

fn insert_sized_arrays(protos: Vec<Proto>, mut sized: Vec<(usize, Array)>) -> Vec<Proto> {
    if sized.is_empty() {
        return protos;
    }
    sized.sort_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(protos.len() + sized.len());
    let mut sized = sized.into_iter().peekable();
    for (i, p) in protos.into_iter().enumerate() {
        out.push(p);
        if sized.peek().is_some_and(|(s, _)| *s == i) {
            if let Some((_, a)) = sized.next() {
                out.push(Proto::Array(a));
            }
        }
    }
    out
}

fn single_expr(a: &ast::Attr) -> Option<&ast::Expr> {
    match a.args.as_ref()?.first()? {
        ast::AttrArg::Expr(e) => Some(e),
        _ => None,
    }
}

fn tag_word(t: ast::Tag) -> &'static str {
    match t {
        ast::Tag::Struct => "struct",
        ast::Tag::Union => "union",
        ast::Tag::Enum => "enum",
    }
}

pub(crate) fn scalar(b: ast::BaseType) -> Scalar {
    use ast::{BaseType as B, IntSize as I};
    match b {
        B::Int { signed, size } => {
            let s = signed.unwrap_or(size != I::Char);
            match size {
                I::Char if signed != Some(true) => Scalar::Char,
                I::Small | I::Int8 | I::Char => pick(s, Scalar::Int8, Scalar::UInt8),
                I::Short | I::Int16 => pick(s, Scalar::Int16, Scalar::UInt16),
                I::Long | I::Int | I::Int32 => pick(s, Scalar::Int32, Scalar::UInt32),
                I::Hyper | I::Int64 | I::LongLong => pick(s, Scalar::Int64, Scalar::UInt64),
                I::Int3264 => pick(s, Scalar::Int3264, Scalar::UInt3264),
            }
        }
        B::Float => Scalar::Float,
        B::Double => Scalar::Double,
        B::Boolean => Scalar::Boolean,
        B::Byte => Scalar::Byte,
        B::WChar => Scalar::WChar,
        B::Handle => Scalar::Handle,
        B::ErrorStatus => Scalar::ErrorStatus,
        B::Void => Scalar::Void,
    }
}

fn pick(signed: bool, s: Scalar, u: Scalar) -> Scalar {
    if signed {
        s
    } else {
        u
    }
}

// ------------------------------------------------------------------ C text

fn base_text(b: ast::BaseType) -> String {
    use ast::{BaseType as B, IntSize as I};
    match b {
        B::Int { signed, size } => {
            let word = match size {
                I::Small => "small",
                I::Short => "short",
                I::Long => "long",
                I::LongLong => "long long",
                I::Int => "int",
                I::Hyper => "hyper",
                I::Char => "char",
                I::Int8 => "__int8",
                I::Int16 => "__int16",
                I::Int32 => "__int32",
                I::Int64 => "__int64",
                I::Int3264 => "__int3264",
            };
            match signed {
                Some(true) => format!("signed {word}"),
                Some(false) => format!("unsigned {word}"),
                None => word.to_string(),
            }
        }
        B::Float => "float".into(),
        B::Double => "double".into(),
        B::Boolean => "boolean".into(),
        B::Byte => "byte".into(),
        B::WChar => "wchar_t".into(),
        B::Handle => "handle_t".into(),
        B::ErrorStatus => "error_status_t".into(),
        B::Void => "void".into(),
    }
}

fn spec_text(spec: &ast::TypeSpec) -> String {
    let body = match &spec.kind {
        TypeSpecKind::Base(b) => base_text(*b),
        TypeSpecKind::Named(i) => i.name.clone(),
        TypeSpecKind::Tagged(t, i) => format!("{} {}", tag_word(*t), i.name),
        TypeSpecKind::Struct(s) => format!(
            "struct {}",
            s.tag.as_ref().map_or("{...}", |t| t.name.as_str())
        ),
        TypeSpecKind::Union(u) => format!(
            "union {}",
            u.tag.as_ref().map_or("{...}", |t| t.name.as_str())
        ),
        TypeSpecKind::SafeArray(t) => format!("SAFEARRAY({})", c_type_ref(t)),
        TypeSpecKind::Enum(e) => format!(
            "enum {}",
            e.tag.as_ref().map_or("{...}", |t| t.name.as_str())
        ),
    };
    if spec.is_const {
        format!("const {body}")
    } else {
        body
    }
}

pub(crate) fn c_type(
    spec: &ast::TypeSpec,
    pointers: &[ast::PtrOp],
    dims: &[ast::ArrayDim],
) -> String {
    let mut s = spec_text(spec);
    if !pointers.is_empty() {
        s.push(' ');
        for p in pointers {
            s.push('*');
            if p.is_const {
                s.push_str(" const ");
            }
        }
    }
    for d in dims {
        match d {
            ast::ArrayDim::Open(_) => s.push_str("[]"),
            ast::ArrayDim::Star(_) => s.push_str("[*]"),
            ast::ArrayDim::Sized(e) => s.push_str(&format!("[{}]", expr_text(e))),
        }
    }
    s.trim_end().to_string()
}

pub(crate) fn c_type_ref(t: &ast::TypeRef) -> String {
    c_type(&t.spec, &t.pointers, &[])
}

/// An AST expression written back as C.
pub(crate) fn expr_text(e: &ast::Expr) -> String {
    let mut s = String::new();
    write_expr(&mut s, e);
    s
}

/// Writes into one buffer: a `String` per subexpression copied every
/// level of a nested expression again.
fn write_expr(s: &mut String, e: &ast::Expr) {
    use std::fmt::Write;
    match &e.kind {
        ExprKind::Int { text, .. } => s.push_str(text),
        ExprKind::Float(t) => s.push_str(t),
        ExprKind::Char(c) => match char::from_u32(*c) {
            Some(ch) if !ch.is_control() && ch != '\'' && ch != '\\' => {
                let _ = write!(s, "'{ch}'");
            }
            _ => {
                let _ = write!(s, "{c}");
            }
        },
        ExprKind::Str(t) => {
            let _ = write!(s, "{t:?}");
        }
        ExprKind::Ident(n) => s.push_str(n),
        ExprKind::Unary(op, a) => {
            s.push_str(op.symbol());
            write_operand(s, a);
        }
        ExprKind::Binary(op, a, b) => {
            write_operand(s, a);
            s.push(' ');
            s.push_str(op.symbol());
            s.push(' ');
            write_operand(s, b);
        }
        ExprKind::Cond(c, a, b) => {
            write_operand(s, c);
            s.push_str(" ? ");
            write_operand(s, a);
            s.push_str(" : ");
            write_operand(s, b);
        }
        ExprKind::Member(a, f) => {
            write_operand(s, a);
            s.push('.');
            s.push_str(&f.name);
        }
        ExprKind::Arrow(a, f) => {
            write_operand(s, a);
            s.push_str("->");
            s.push_str(&f.name);
        }
        ExprKind::Index(a, i) => {
            write_operand(s, a);
            s.push('[');
            write_expr(s, i);
            s.push(']');
        }
        ExprKind::Cast(t, a) => {
            s.push('(');
            s.push_str(&c_type_ref(t));
            s.push(')');
            write_operand(s, a);
        }
        ExprKind::SizeofType(t) => {
            s.push_str("sizeof(");
            s.push_str(&c_type_ref(t));
            s.push(')');
        }
        ExprKind::SizeofExpr(a) => {
            s.push_str("sizeof(");
            write_expr(s, a);
            s.push(')');
        }
    }
}

/// An operand, parenthesized where it is itself an operation.
fn write_operand(s: &mut String, e: &ast::Expr) {
    if matches!(e.kind, ExprKind::Binary(..) | ExprKind::Cond(..)) {
        s.push('(');
        write_expr(s, e);
        s.push(')');
    } else {
        write_expr(s, e);
    }
}

/// Whether `e` names any of `names` (a sibling field or parameter).
fn mentions(e: &ast::Expr, names: &[String]) -> bool {
    match &e.kind {
        ExprKind::Ident(n) => names.contains(n),
        ExprKind::Unary(_, a)
        | ExprKind::Cast(_, a)
        | ExprKind::SizeofExpr(a)
        | ExprKind::Member(a, _)
        | ExprKind::Arrow(a, _) => mentions(a, names),
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            mentions(a, names) || mentions(b, names)
        }
        ExprKind::Cond(a, b, c) => mentions(a, names) || mentions(b, names) || mentions(c, names),
        _ => false,
    }
}
