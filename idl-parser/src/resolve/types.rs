//! Types: structs, unions, enums and aliases, built from their declarations.

use super::layout::{scalar, Ctx, PendingCorr};
use super::{attrs, AttrPlace, Resolver, Scope, TypeSource};
use crate::ast::{self, CaseLabel};
use crate::diagnostic::Diagnostic;
use crate::model::*;

impl<'a> Resolver<'a, '_> {
    pub(super) fn define_types(&mut self) {
        // Inline definitions found on the way append to the list.
        let mut id = 0;
        while id < self.types.len() {
            self.define_type(TypeId(id));
            id += 1;
        }
    }

    /// Fills in `model.types[id]` from its declaration.
    pub(super) fn build_type(&mut self, id: TypeId) {
        let scope = self.types[id.0].scope;
        let saved = self.current_scope.replace(scope);
        let (kind, attrs) = match self.types[id.0].source {
            TypeSource::Typedef {
                td, defines: true, ..
            } => {
                self.check_attrs(&td.attrs, AttrPlace::Field);
                (
                    self.definition(&td.ty, &td.attrs, id, scope),
                    td.attrs.as_slice(),
                )
            }
            TypeSource::Typedef {
                td,
                decl,
                defines: false,
            } => {
                self.check_attrs(&td.attrs, AttrPlace::Field);
                let ctx = Ctx::typedef(scope);
                let layout = self.layout(&td.ty, decl, &td.attrs, ctx);
                (self.alias_kind(&td.attrs, layout), td.attrs.as_slice())
            }
            TypeSource::Definition { spec, attrs } => {
                (self.definition(spec, attrs, id, scope), attrs)
            }
            TypeSource::Opaque => (TypeKind::Opaque, &[][..]),
        };
        self.current_scope = saved;
        let t = &mut self.model.types[id.0];
        t.kind = kind;
        t.attrs = attrs.iter().map(attrs::describe).collect();
    }

    /// A typedef's kind: an alias, unless an attribute says the type
    /// travels otherwise (a context handle, or as a wire type).
    fn alias_kind(&mut self, list: &'a [ast::Attr], local: Layout) -> TypeKind {
        if attrs::has(list, "context_handle") {
            return TypeKind::ContextHandle;
        }
        for (name, how) in [
            ("wire_marshal", MarshalKind::WireMarshal),
            ("transmit_as", MarshalKind::TransmitAs),
        ] {
            let Some(a) = attrs::find(list, name) else {
                continue;
            };
            match a.args.as_deref() {
                Some([arg]) => {
                    if let Some(wire) = self.wire_layout(arg) {
                        return TypeKind::Marshaled(Box::new(Marshaled { how, wire, local }));
                    }
                }
                _ => self.error(
                    Diagnostic::error(a.span, format!("`{name}` takes the wire type"))
                        .with_label("one type expected"),
                ),
            }
        }
        TypeKind::Alias(local)
    }

    /// The layout of the type a `wire_marshal` or `transmit_as` names.
    fn wire_layout(&mut self, arg: &'a ast::AttrArg) -> Option<Layout> {
        let scope = self.current_scope?;
        match arg {
            ast::AttrArg::Type(t) => Some(self.layout(
                &t.spec,
                &ast::Declarator {
                    pointers: t.pointers.clone(),
                    ..ast::Declarator::empty(t.span)
                },
                &[],
                Ctx::typedef(scope),
            )),
            ast::AttrArg::Expr(e) => match &e.kind {
                ast::ExprKind::Ident(n) => self.layout_of_name(&ast::Ident {
                    name: n.clone(),
                    span: e.span,
                }),
                _ => None,
            },
            _ => None,
        }
    }

    fn definition(
        &mut self,
        spec: &'a ast::TypeSpec,
        list: &'a [ast::Attr],
        id: TypeId,
        scope: Scope<'a>,
    ) -> TypeKind {
        let owner = self.model.types[id.0].name.clone();
        match &spec.kind {
            ast::TypeSpecKind::Struct(s) => {
                let fields = self.struct_fields(&s.fields, &owner, scope);
                TypeKind::Struct(Struct { fields })
            }
            ast::TypeSpecKind::Union(u) => TypeKind::Union(self.union(u, list, &owner, scope)),
            ast::TypeSpecKind::Enum(e) => TypeKind::Enum(Enum {
                v1_enum: attrs::has(list, "v1_enum"),
                items: e
                    .items
                    .iter()
                    .enumerate()
                    .filter_map(|(k, item)| {
                        let idx = *self.const_names.get(&self.enumerator_key(e, k))?;
                        match &self.consts[idx].value {
                            Some(ConstValue::Int(v)) => Some((item.name.name.clone(), *v)),
                            _ => None,
                        }
                    })
                    .collect(),
            }),
            _ => TypeKind::Struct(Struct { fields: Vec::new() }),
        }
    }

    /// Lays out sibling fields, then resolves their correlations together.
    fn struct_fields(
        &mut self,
        list: &'a [ast::Field],
        owner: &str,
        scope: Scope<'a>,
    ) -> Vec<Field> {
        let names: Vec<String> = list
            .iter()
            .flat_map(|f| {
                let names: Vec<String> = f
                    .declarators
                    .iter()
                    .map(|d| d.name.as_ref().map(|n| n.name.clone()).unwrap_or_default())
                    .collect();
                // An anonymous member is still a field, with an empty name.
                if names.is_empty() {
                    vec![String::new()]
                } else {
                    names
                }
            })
            .collect();
        let mut fields = Vec::new();
        let mut pending = Vec::new();
        for f in list {
            for (field, p) in self.fields_pending(f, owner, scope) {
                fields.push(field);
                pending.push(p);
            }
        }
        self.check_duplicates(
            fields
                .iter()
                .filter(|f| !f.name.is_empty())
                .map(|f| (&f.name, f.span)),
            "field",
            owner,
        );
        let mut layouts: Vec<Layout> = fields.iter().map(|f| f.layout.clone()).collect();
        self.correlate(&names, &mut layouts, pending, owner);
        for (f, l) in fields.iter_mut().zip(layouts) {
            f.layout = l;
        }
        fields
    }

    /// One `type a, *b;` member: one model field per declarator.
    pub(super) fn fields_of(&mut self, f: &'a ast::Field, scope: Scope<'a>) -> Vec<Field> {
        // No siblings here (union arms, dispinterface properties): a
        // correlation may still use constants, as in `[size_is(16)]`.
        let (mut fields, pending): (Vec<Field>, Vec<_>) =
            self.fields_pending(f, "", scope).into_iter().unzip();
        let mut layouts: Vec<Layout> = fields.iter().map(|f| f.layout.clone()).collect();
        self.correlate(&[], &mut layouts, pending, "");
        for (f, l) in fields.iter_mut().zip(layouts) {
            f.layout = l;
        }
        fields
    }

    fn fields_pending(
        &mut self,
        f: &'a ast::Field,
        owner: &str,
        scope: Scope<'a>,
    ) -> Vec<(Field, Vec<PendingCorr<'a>>)> {
        self.check_attrs(&f.attrs, AttrPlace::Field);
        let mut out = Vec::new();
        // An anonymous member (`union { ... };`) has no declarator.
        let anonymous = [ast::Declarator::empty(f.span)];
        let decls: &[ast::Declarator] = if f.declarators.is_empty() {
            &anonymous
        } else {
            &f.declarators
        };
        for d in decls {
            let name = d.name.as_ref().map(|n| n.name.clone()).unwrap_or_default();
            if !owner.is_empty() && !name.is_empty() {
                self.anon_name = Some(self.unique_type_name(format!("{owner}_{name}")));
            }
            let saved = self.current_scope.replace(scope);
            let (layout, pending) = self.layout_pending(&f.ty, d, &f.attrs, Ctx::field(scope));
            self.current_scope = saved;
            self.anon_name = None;
            out.push((
                Field {
                    name,
                    layout,
                    span: d.name.as_ref().map_or(f.span, |n| n.span),
                },
                pending,
            ));
        }
        out
    }

    fn union(
        &mut self,
        u: &'a ast::UnionDef,
        list: &'a [ast::Attr],
        owner: &str,
        scope: Scope<'a>,
    ) -> Union {
        // No discriminant, no case anywhere: a C union, for [local] code.
        let plain = u.switch.is_none()
            && !attrs::has(list, "switch_type")
            && u.arms.iter().all(|a| {
                a.labels.is_empty()
                    && !attrs::has(&a.attrs, "case")
                    && !attrs::has(&a.attrs, "default")
            });
        let switch = match &u.switch {
            _ if plain => UnionSwitch::Plain,
            Some(sw) => UnionSwitch::Encapsulated {
                discriminant: sw.discriminant.name.clone(),
                ty: self.switch_type(&sw.ty),
                union_name: sw.union_name.as_ref().map(|n| n.name.clone()),
            },
            None => UnionSwitch::NonEncapsulated {
                ty: attrs::find(list, "switch_type").and_then(|a| {
                    match a.args.as_ref()?.first()? {
                        ast::AttrArg::Type(t) => Some(self.switch_type(&t.spec)),
                        ast::AttrArg::Expr(ast::Expr {
                            kind: ast::ExprKind::Ident(n),
                            span,
                        }) => self.type_by_name(n, *span),
                        _ => None,
                    }
                }),
            },
        };
        let mut arms = Vec::new();
        for arm in &u.arms {
            let mut cases = Vec::new();
            let mut default = attrs::has(&arm.attrs, "default");
            for label in &arm.labels {
                match label {
                    CaseLabel::Case(e) => cases.extend(self.eval_int(e)),
                    CaseLabel::Default(_) => default = true,
                }
            }
            if let Some(a) = attrs::find(&arm.attrs, "case") {
                for arg in a.args.iter().flatten() {
                    if let ast::AttrArg::Expr(e) = arg {
                        cases.extend(self.eval_int(e));
                    }
                }
            }
            if cases.is_empty() && !default && !plain {
                self.error(
                    Diagnostic::error(arm.span, format!("union arm in `{owner}` has no case"))
                        .with_label("add [case(...)] or [default]"),
                );
            }
            let field = match &arm.field {
                Some(f) => self.fields_of(f, scope).into_iter().next(),
                None => None,
            };
            arms.push(UnionArm {
                cases,
                default,
                field,
            });
        }
        let mut seen = std::collections::HashSet::new();
        for arm in &arms {
            for c in &arm.cases {
                if !seen.insert(*c) {
                    self.error(
                        Diagnostic::error(
                            u.span,
                            format!("case {c} appears twice in union `{owner}`"),
                        )
                        .with_label("in this union"),
                    );
                }
            }
        }
        Union { switch, arms }
    }

    fn switch_type(&mut self, spec: &'a ast::TypeSpec) -> DataType {
        match &spec.kind {
            ast::TypeSpecKind::Base(b) => DataType::Base(scalar(*b)),
            _ => {
                self.layout(
                    spec,
                    &empty_declarator(spec),
                    &[],
                    Ctx::field(self.current_scope.unwrap_or(Scope {
                        file: spec.span.file,
                        interface: None,
                    })),
                )
                .data
            }
        }
    }

    /// `base`, or `base_2`, `base_3`... if a type already has that name.
    fn unique_type_name(&self, base: String) -> String {
        let taken = |n: &str| {
            self.type_names.contains_key(n) || self.model.types.iter().any(|t| t.name == n)
        };
        if !taken(&base) {
            return base;
        }
        (2..)
            .map(|k| format!("{base}_{k}"))
            .find(|n| !taken(n))
            .unwrap_or(base)
    }

    /// `switch_type(NAME)`, where the grammar saw an identifier.
    fn type_by_name(&mut self, name: &str, span: crate::source::Span) -> Option<DataType> {
        match self.type_names.get(name) {
            Some(&id) => Some(DataType::Named(NamedType {
                id,
                name: name.to_string(),
            })),
            None => {
                let d = Diagnostic::error(span, format!("unknown type `{name}`"))
                    .with_label("not declared or imported");
                let d = self.hint_unknown(d, name, &self.type_candidates());
                self.error(d);
                None
            }
        }
    }
}

fn empty_declarator(spec: &ast::TypeSpec) -> ast::Declarator {
    ast::Declarator::empty(spec.span)
}
