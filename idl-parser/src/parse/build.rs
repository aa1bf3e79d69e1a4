//! Pest pairs to AST nodes. The grammar has already checked the shape, so
//! a pair that is not where the grammar puts it is a bug in this file; such
//! cases degrade to a placeholder node rather than panic.

use pest::iterators::Pair;

use super::Rule;
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::preprocess::Preprocessed;
use crate::source::Span;

pub(super) struct Builder<'a> {
    pp: Option<&'a Preprocessed>,
    /// Offset of the parsed slice in the preprocessed text.
    base: usize,
    /// For `#if` conditions, every node gets the directive's span.
    fixed: Span,
    diags: &'a mut Vec<Diagnostic>,
    /// Depth of the expression being built, in tree levels.
    depth: usize,
}

type P<'i> = Pair<'i, Rule>;

impl<'a> Builder<'a> {
    pub(super) fn new(pp: &'a Preprocessed, base: usize, diags: &'a mut Vec<Diagnostic>) -> Self {
        Builder {
            pp: Some(pp),
            base,
            fixed: Span::default(),
            depth: 0,
            diags,
        }
    }

    pub(super) fn fixed(at: Span, diags: &'a mut Vec<Diagnostic>) -> Self {
        Builder {
            pp: None,
            base: 0,
            fixed: at,
            depth: 0,
            diags,
        }
    }

    fn span(&self, p: &P) -> Span {
        match self.pp {
            Some(pp) => pp.origins.span(
                self.base + p.as_span().start(),
                self.base + p.as_span().end(),
            ),
            None => self.fixed,
        }
    }

    fn ident(&self, p: P) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }

    // -------------------------------------------------------------- items

    pub(super) fn item(&mut self, p: P) -> Item {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::import => Item::Import(p.into_inner().map(|s| self.string(s)).collect()),
            Rule::importlib => Item::ImportLib(self.first_string(p)),
            Rule::cpp_quote => Item::CppQuote(self.first_string(p)),
            Rule::midl_pragma => Item::MidlPragma {
                text: p.as_str().to_string(),
                span,
            },
            Rule::typedef => Item::Typedef(self.typedef(p)),
            Rule::extern_decl => Item::Extern(self.typedef(p)),
            Rule::const_decl => Item::Const(self.const_decl(p)),
            Rule::type_decl => {
                let (attrs, mut inner) = self.attrs_then(p);
                let ty = inner
                    .next()
                    .map(|t| self.type_body(t, false, span))
                    .unwrap_or_else(|| void(span));
                Item::TypeDecl { attrs, ty, span }
            }
            Rule::interface => Item::Interface(self.interface(p)),
            Rule::forward_interface => {
                let (attrs, mut inner) = self.attrs_then(p);
                let name = match inner.next() {
                    Some(t) => self.type_name(t),
                    None => Ident {
                        name: String::new(),
                        span,
                    },
                };
                Item::ForwardInterface { attrs, name }
            }
            Rule::method => Item::Method(self.method(p)),
            Rule::dispinterface => Item::Dispinterface(self.dispinterface(p)),
            Rule::coclass => Item::Coclass(self.coclass(p)),
            Rule::library => Item::Library(self.container(p)),
            Rule::module => Item::Module(self.container(p)),
            Rule::delegate => Item::Interface(self.delegate(p)),
            // `runtimeclass X;` names it, as a forward interface would.
            Rule::runtimeclass if !p.as_str().contains('{') => {
                let (attrs, mut inner) = self.attrs_then(p);
                let name = self.next_ident(&mut inner, span);
                Item::ForwardInterface { attrs, name }
            }
            Rule::runtimeclass => Item::Coclass(self.coclass(p)),
            Rule::apicontract | Rule::declare_block => Item::Ignored(span),
            // `;` on its own.
            _ => Item::Import(Vec::new()),
        }
    }

    fn attrs_then<'i>(
        &mut self,
        p: P<'i>,
    ) -> (
        Vec<Attr>,
        std::iter::Peekable<pest::iterators::Pairs<'i, Rule>>,
    ) {
        let mut inner = p.into_inner().peekable();
        // `[a] [b] union ...` is one list of attributes.
        let mut attrs = Vec::new();
        while let Some(list) = inner.next_if(|a| a.as_rule() == Rule::attr_list) {
            let list = self.attr_list(list);
            // Most items have one list: taking it keeps its exact size,
            // where extending an empty vector rounds up to four.
            if attrs.is_empty() {
                attrs = list;
            } else {
                attrs.extend(list);
            }
        }
        (attrs, inner)
    }

    /// A type's name as written, without white space and without WinRT
    /// namespaces: `ITEM`, `Rect` for `Windows.Foundation.Rect`,
    /// `IVector<HSTRING>`. Names are looked up by their last part (widl
    /// looks them up in their namespaces; Wine's WinRT files use each
    /// short name once).
    fn type_name(&self, p: P) -> Ident {
        let span = self.span(&p);
        let mut name = String::new();
        let mut word = String::new();
        for ch in p.as_str().chars() {
            match ch {
                c if c.is_ascii_alphanumeric() || c == '_' => word.push(c),
                // `Windows.Foundation.`: a namespace, dropped.
                '.' => word.clear(),
                c if c.is_ascii_whitespace() => {}
                c => {
                    name.push_str(&word);
                    word.clear();
                    name.push(c);
                }
            }
        }
        name.push_str(&word);
        Ident { name, span }
    }

    /// WinRT's `delegate HRESULT Handler(...)`: an [object] interface from
    /// IUnknown with the one method `Invoke`, as widl declares it.
    fn delegate(&mut self, p: P) -> Interface {
        let span = self.span(&p);
        let (mut attrs, inner) = self.attrs_then(p);
        let mut type_params = Vec::new();
        let mut method = Method {
            attrs: Vec::new(),
            ret: TypeRef {
                spec: void(span),
                pointers: Vec::new(),
                span,
            },
            name: Ident {
                name: "Invoke".into(),
                span,
            },
            params: Vec::new(),
            span,
        };
        let mut name = Ident {
            name: String::new(),
            span,
        };
        for c in inner {
            match c.as_rule() {
                Rule::type_spec => method.ret.spec = self.type_spec(c),
                Rule::ptr_op => method.ret.pointers.push(self.ptr_op(c)),
                Rule::ident => name = self.ident(c),
                Rule::type_params => type_params = c.into_inner().map(|i| self.ident(i)).collect(),
                Rule::params => {
                    method.params = c
                        .into_inner()
                        .filter(|x| x.as_rule() == Rule::param)
                        .map(|x| self.param(x))
                        .collect();
                }
                _ => {}
            }
        }
        attrs.push(Attr {
            name: Ident {
                name: "object".into(),
                span,
            },
            args: None,
            span,
        });
        Interface {
            attrs,
            name,
            type_params,
            base: Some(Ident {
                name: "IUnknown".into(),
                span,
            }),
            requires: Vec::new(),
            items: vec![Item::Method(method)],
            span,
        }
    }

    fn next_ident<'i>(&self, inner: &mut impl Iterator<Item = P<'i>>, fallback: Span) -> Ident {
        match inner.next() {
            Some(p) => self.ident(p),
            None => Ident {
                name: String::new(),
                span: fallback,
            },
        }
    }

    fn typedef(&mut self, p: P) -> Typedef {
        let span = self.span(&p);
        let (attrs, mut inner) = self.attrs_then(p);
        let ty = inner
            .next()
            .map(|t| self.type_spec(t))
            .unwrap_or_else(|| void(span));
        let declarators = inner.map(|d| self.declarator(d)).collect();
        Typedef {
            attrs,
            ty,
            declarators,
            span,
        }
    }

    fn const_decl(&mut self, p: P) -> ConstDecl {
        let span = self.span(&p);
        let (attrs, inner) = self.attrs_then(p);
        let mut ty = void(span);
        let mut pointers = Vec::new();
        let mut name = None;
        let mut value = None;
        for c in inner {
            match c.as_rule() {
                Rule::type_spec => ty = self.type_spec(c),
                Rule::ptr_op => pointers.push(self.ptr_op(c)),
                Rule::ident => name = Some(self.ident(c)),
                Rule::expr => value = Some(self.expr(c)),
                _ => {}
            }
        }
        ConstDecl {
            attrs,
            ty,
            pointers,
            name: name.unwrap_or_else(|| Ident {
                name: String::new(),
                span,
            }),
            value: value.unwrap_or(Expr {
                kind: ExprKind::Int {
                    value: 0,
                    text: "0".into(),
                },
                span,
            }),
            span,
        }
    }

    fn interface(&mut self, p: P) -> Interface {
        let span = self.span(&p);
        let (attrs, mut inner) = self.attrs_then(p);
        let name = self.next_ident(&mut inner, span);
        let mut base = None;
        let mut type_params = Vec::new();
        let mut requires = Vec::new();
        let mut items = Vec::new();
        for c in inner {
            match c.as_rule() {
                Rule::named_type => base = Some(self.type_name(c)),
                Rule::type_params => type_params = c.into_inner().map(|i| self.ident(i)).collect(),
                Rule::requires => requires = c.into_inner().map(|t| self.type_name(t)).collect(),
                Rule::empty_item => {}
                _ => items.push(self.item(c)),
            }
        }
        // The syntax tree of a large file lives until it is resolved:
        // growth by doubling would leave up to half of each list unused.
        items.shrink_to_fit();
        Interface {
            attrs,
            name,
            type_params,
            base,
            requires,
            items,
            span,
        }
    }

    fn method(&mut self, p: P) -> Method {
        let span = self.span(&p);
        let (attrs, inner) = self.attrs_then(p);
        let mut ret_spec = None;
        let mut ret_ptrs = Vec::new();
        let mut name = None;
        let mut params = Vec::new();
        for c in inner {
            match c.as_rule() {
                Rule::type_spec => ret_spec = Some(self.type_spec(c)),
                Rule::ptr_op => ret_ptrs.push(self.ptr_op(c)),
                Rule::ident => name = Some(self.ident(c)),
                Rule::params => {
                    let list = c.into_inner();
                    // Exact: a large file has tens of thousands of these.
                    params.reserve_exact(list.len());
                    for param in list.filter(|x| x.as_rule() == Rule::param) {
                        params.push(self.param(param));
                    }
                }
                _ => {}
            }
        }
        let spec = ret_spec.unwrap_or_else(|| void(span));
        let ret_span = spec.span;
        Method {
            attrs,
            ret: TypeRef {
                spec,
                pointers: ret_ptrs,
                span: ret_span,
            },
            name: name.unwrap_or_else(|| Ident {
                name: String::new(),
                span,
            }),
            params,
            span,
        }
    }

    fn param(&mut self, p: P) -> Param {
        let span = self.span(&p);
        let (attrs, mut inner) = self.attrs_then(p);
        let ty = inner
            .next()
            .map(|t| self.type_spec(t))
            .unwrap_or_else(|| void(span));
        let declarator = match inner.next() {
            Some(d) => self.declarator(d),
            None => Declarator::empty(span),
        };
        Param {
            attrs,
            ty,
            declarator,
            span,
        }
    }

    fn dispinterface(&mut self, p: P) -> Dispinterface {
        let span = self.span(&p);
        let (attrs, mut inner) = self.attrs_then(p);
        let name = self.next_ident(&mut inner, span);
        let mut properties = Vec::new();
        let mut methods = Vec::new();
        let mut interface = None;
        for c in inner {
            match c.as_rule() {
                Rule::disp_body => {
                    for m in c.into_inner() {
                        match m.as_rule() {
                            Rule::field => properties.push(self.field(m)),
                            Rule::method => methods.push(self.method(m)),
                            _ => {}
                        }
                    }
                }
                Rule::disp_interface_ref => {
                    interface = c.into_inner().next().map(|i| self.ident(i))
                }
                _ => {}
            }
        }
        properties.shrink_to_fit();
        methods.shrink_to_fit();
        Dispinterface {
            attrs,
            name,
            properties,
            methods,
            interface,
            span,
        }
    }

    fn coclass(&mut self, p: P) -> Coclass {
        let span = self.span(&p);
        let (attrs, mut inner) = self.attrs_then(p);
        let name = self.next_ident(&mut inner, span);
        let members = inner
            .map(|m| {
                let dispinterface = m.as_str().contains("dispinterface");
                let mspan = self.span(&m);
                let (attrs, mut mi) = self.attrs_then(m);
                let name = match mi.next() {
                    Some(t) => self.type_name(t),
                    None => Ident {
                        name: String::new(),
                        span: mspan,
                    },
                };
                CoclassMember {
                    attrs,
                    name,
                    dispinterface,
                }
            })
            .collect();
        Coclass {
            attrs,
            name,
            members,
            span,
        }
    }

    pub(super) fn container(&mut self, p: P) -> Container {
        let span = self.span(&p);
        let (attrs, mut inner) = self.attrs_then(p);
        let name = self.next_ident(&mut inner, span);
        let items = inner
            .filter(|c| c.as_rule() != Rule::empty_item)
            .map(|c| self.item(c))
            .collect();
        Container {
            attrs,
            name,
            items,
            span,
        }
    }

    // -------------------------------------------------------------- attributes

    fn attr_list(&mut self, p: P) -> Vec<Attr> {
        p.into_inner().map(|a| self.attr(a)).collect()
    }

    fn attr(&mut self, p: P) -> Attr {
        let span = self.span(&p);
        let text = p.as_str();
        let mut inner = p.into_inner();
        let name = self.next_ident(&mut inner, span);
        let args: Vec<AttrArg> = inner.map(|a| self.attr_arg(a)).collect();
        // `name()` with nothing inside still has parentheses.
        let has_parens = text[name.name.len()..].trim_start().starts_with('(');
        Attr {
            name,
            args: has_parens.then_some(args),
            span,
        }
    }

    fn attr_arg(&mut self, p: P) -> AttrArg {
        let span = self.span(&p);
        let Some(c) = p.into_inner().next() else {
            return AttrArg::Empty(span);
        };
        match c.as_rule() {
            Rule::uuid_lit => AttrArg::Uuid(c.as_str().to_string(), span),
            Rule::type_arg => AttrArg::Type(Box::new(self.type_ref(c))),
            Rule::expr => AttrArg::Expr(self.expr(c)),
            _ => AttrArg::Empty(span),
        }
    }

    // -------------------------------------------------------------- types

    fn type_ref(&mut self, p: P) -> TypeRef {
        let span = self.span(&p);
        let mut spec = void(span);
        let mut pointers = Vec::new();
        let mut is_const = false;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ptr_op => pointers.push(self.ptr_op(c)),
                Rule::kw_const => is_const = true,
                Rule::type_spec => spec = self.type_spec(c),
                _ => spec = self.type_body(c, is_const, span),
            }
        }
        TypeRef {
            spec,
            pointers,
            span,
        }
    }

    pub(super) fn type_spec(&mut self, p: P) -> TypeSpec {
        let span = self.span(&p);
        let mut is_const = false;
        let mut body = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_const => is_const |= c.as_str().starts_with("const"),
                _ => body = Some(c),
            }
        }
        match body {
            Some(b) => self.type_body(b, is_const, span),
            None => void(span),
        }
    }

    fn type_body(&mut self, c: P, is_const: bool, span: Span) -> TypeSpec {
        let kind = match c.as_rule() {
            Rule::base_type => TypeSpecKind::Base(self.base_type(c)),
            Rule::named_type => TypeSpecKind::Named(self.type_name(c)),
            Rule::tagged_type => {
                let mut inner = c.into_inner();
                let tag = inner.next().map_or(Tag::Struct, |k| tag_of(k.as_rule()));
                let name = self.next_ident(&mut inner, span);
                TypeSpecKind::Tagged(tag, name)
            }
            Rule::safearray => TypeSpecKind::SafeArray(Box::new(self.type_ref(c))),
            Rule::struct_def => TypeSpecKind::Struct(self.struct_def(c)),
            Rule::union_def => TypeSpecKind::Union(self.union_def(c)),
            Rule::enum_def => TypeSpecKind::Enum(self.enum_def(c)),
            _ => TypeSpecKind::Base(BaseType::Void),
        };
        TypeSpec {
            kind,
            is_const,
            span,
        }
    }

    fn base_type(&mut self, p: P) -> BaseType {
        let Some(c) = p.into_inner().next() else {
            return BaseType::Void;
        };
        if c.as_rule() == Rule::other_base {
            return match c.as_str() {
                "float" => BaseType::Float,
                "double" => BaseType::Double,
                "boolean" => BaseType::Boolean,
                "byte" => BaseType::Byte,
                "wchar_t" => BaseType::WChar,
                "handle_t" => BaseType::Handle,
                "error_status_t" => BaseType::ErrorStatus,
                _ => BaseType::Void,
            };
        }
        let mut signed = None;
        let mut sizes = Vec::new();
        for w in c.into_inner() {
            match w.as_rule() {
                Rule::kw_signed => signed = Some(true),
                Rule::kw_unsigned => signed = Some(false),
                _ => sizes.push(w.as_str()),
            }
        }
        BaseType::Int {
            signed,
            size: int_size(&sizes),
        }
    }

    fn struct_def(&mut self, p: P) -> StructDef {
        let span = self.span(&p);
        let mut tag = None;
        let mut fields = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => tag = Some(self.ident(c)),
                Rule::field => fields.push(self.field(c)),
                _ => {}
            }
        }
        StructDef { tag, fields, span }
    }

    fn field(&mut self, p: P) -> Field {
        let span = self.span(&p);
        let (attrs, mut inner) = self.attrs_then(p);
        let ty = inner
            .next()
            .map(|t| self.type_spec(t))
            .unwrap_or_else(|| void(span));
        let declarators = inner.map(|d| self.declarator(d)).collect();
        Field {
            attrs,
            ty,
            declarators,
            span,
        }
    }

    fn union_def(&mut self, p: P) -> UnionDef {
        let span = self.span(&p);
        let mut tag = None;
        let mut switch = None;
        let mut arms = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => tag = Some(self.ident(c)),
                Rule::union_switch => {
                    let sspan = self.span(&c);
                    let mut inner = c.into_inner();
                    let ty = inner
                        .next()
                        .map(|t| self.type_spec(t))
                        .unwrap_or_else(|| void(sspan));
                    let discriminant = self.next_ident(&mut inner, sspan);
                    let union_name = inner.next().map(|n| self.ident(n));
                    switch = Some(Box::new(UnionSwitch {
                        ty,
                        discriminant,
                        union_name,
                    }));
                }
                Rule::union_case => arms.push(self.union_case(c)),
                Rule::field => arms.push(self.arm(c, Vec::new())),
                Rule::empty_arm => arms.push(self.arm(c, Vec::new())),
                _ => {}
            }
        }
        UnionDef {
            tag,
            switch,
            arms,
            span,
        }
    }

    fn union_case(&mut self, p: P) -> UnionArm {
        let mut labels = Vec::new();
        let mut body = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::case_label => {
                    let lspan = self.span(&c);
                    match c.into_inner().next() {
                        Some(e) if e.as_rule() == Rule::expr => {
                            labels.push(CaseLabel::Case(self.expr(e)))
                        }
                        _ => labels.push(CaseLabel::Default(lspan)),
                    }
                }
                _ => body = Some(c),
            }
        }
        match body {
            Some(b) => self.arm(b, labels),
            None => UnionArm {
                labels,
                attrs: Vec::new(),
                field: None,
                span: Span::default(),
            },
        }
    }

    fn arm(&mut self, p: P, labels: Vec<CaseLabel>) -> UnionArm {
        let span = self.span(&p);
        if p.as_rule() == Rule::field {
            let field = self.field(p);
            let attrs = field.attrs.clone();
            return UnionArm {
                labels,
                attrs,
                field: Some(field),
                span,
            };
        }
        let (attrs, _) = self.attrs_then(p);
        UnionArm {
            labels,
            attrs,
            field: None,
            span,
        }
    }

    fn enum_def(&mut self, p: P) -> EnumDef {
        let span = self.span(&p);
        let mut tag = None;
        let mut items = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => tag = Some(self.ident(c)),
                Rule::enumerator => {
                    let espan = self.span(&c);
                    let (attrs, mut inner) = self.attrs_then(c);
                    let name = self.next_ident(&mut inner, espan);
                    let value = inner.next().map(|e| self.expr(e));
                    items.push(Enumerator { attrs, name, value });
                }
                _ => {}
            }
        }
        EnumDef { tag, items, span }
    }

    fn ptr_op(&self, p: P) -> PtrOp {
        PtrOp {
            is_const: p.as_str().contains("const"),
            span: self.span(&p),
        }
    }

    fn declarator(&mut self, p: P) -> Declarator {
        let span = self.span(&p);
        let mut pointers = Vec::new();
        let mut name = None;
        let mut dims = Vec::new();
        let mut function = None;
        let mut bits = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ptr_op => pointers.push(self.ptr_op(c)),
                Rule::ident => name = Some(self.ident(c)),
                Rule::bit_width => bits = c.into_inner().next().map(|e| Box::new(self.expr(e))),
                Rule::fn_ptr => {
                    let mut fn_pointers = Vec::new();
                    let mut params = Vec::new();
                    for f in c.into_inner() {
                        match f.as_rule() {
                            Rule::ptr_op => fn_pointers.push(self.ptr_op(f)),
                            Rule::ident => name = Some(self.ident(f)),
                            Rule::params => {
                                for param in f.into_inner().filter(|x| x.as_rule() == Rule::param) {
                                    params.push(self.param(param));
                                }
                            }
                            _ => {}
                        }
                    }
                    function = Some(Box::new(FnPtr {
                        pointers: fn_pointers,
                        params,
                    }));
                }
                Rule::array_dim => {
                    let dspan = self.span(&c);
                    dims.push(match c.into_inner().next() {
                        None => ArrayDim::Open(dspan),
                        Some(s) if s.as_rule() == Rule::star_dim => ArrayDim::Star(dspan),
                        Some(e) => ArrayDim::Sized(self.expr(e)),
                    });
                }
                _ => {}
            }
        }
        Declarator {
            pointers,
            name,
            dims,
            function,
            bits,
            span,
        }
    }

    // -------------------------------------------------------------- expressions

    /// Builds an expression, refusing trees deeper than later passes
    /// (evaluation, printing, dropping) can recurse through.
    pub(super) fn expr(&mut self, p: P) -> Expr {
        // Every operator, prefix and postfix can deepen the tree by one, as
        // much as a level of nesting does.
        let children = p.clone().into_inner().len();
        if children > 2 * MAX_OPERATORS {
            let span = self.span(&p);
            return self.too_long(span);
        }
        let weight = children.max(1);
        self.depth += weight;
        let e = if self.depth > MAX_DEPTH {
            let span = self.span(&p);
            self.too_long(span)
        } else {
            self.expr_inner(p)
        };
        self.depth -= weight;
        e
    }

    /// An `expr` node: operands (prefixes, a primary, postfixes) between
    /// binary operators, climbed by precedence, then an optional `? :`.
    fn expr_inner(&mut self, p: P) -> Expr {
        let span = self.span(&p);
        let mut first = None;
        let mut rest: Vec<(BinOp, Expr)> = Vec::new();
        let mut op = None;
        let mut operand = Operand::default();
        let mut tail = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::binop => {
                    let e = self.operand(std::mem::take(&mut operand));
                    match op.replace(bin_op(c.as_str())) {
                        Some(prev) => rest.push((prev, e)),
                        None => first = Some(e),
                    }
                }
                Rule::prefix_op => {
                    let cspan = self.span(&c);
                    operand
                        .prefixes
                        .push((Prefix::Op(un_op(c.as_str())), cspan));
                }
                Rule::cast => {
                    let cspan = self.span(&c);
                    let t = self.type_ref(c);
                    operand.prefixes.push((Prefix::Cast(Box::new(t)), cspan));
                }
                Rule::member | Rule::arrow | Rule::index => {
                    let cspan = self.span(&c);
                    let base = operand.value.take().unwrap_or_else(|| zero(cspan));
                    operand.value = Some(self.postfix(base, c));
                }
                Rule::cond_tail => tail = Some(c),
                _ => operand.value = Some(self.primary(c)),
            }
        }
        let last = self.operand(operand);
        let e = match (first, op) {
            (Some(first), Some(op)) => {
                rest.push((op, last));
                climb(first, &mut rest.into_iter().peekable(), 0)
            }
            _ => last,
        };
        let Some(tail) = tail else { return e };
        let mut arms = tail.into_inner();
        match (arms.next(), arms.next()) {
            (Some(a), Some(b)) => Expr {
                kind: ExprKind::Cond(Box::new(e), Box::new(self.expr(a)), Box::new(self.expr(b))),
                span,
            },
            _ => e,
        }
    }

    /// One operand: its primary with the prefixes applied, innermost last.
    fn operand(&mut self, o: Operand) -> Expr {
        let mut e = o.value.unwrap_or_else(|| zero(Span::default()));
        for (prefix, pspan) in o.prefixes.into_iter().rev() {
            let span = pspan.to(e.span);
            e = match prefix {
                Prefix::Op(op) => Expr {
                    kind: ExprKind::Unary(op, Box::new(e)),
                    span,
                },
                Prefix::Cast(t) => Expr {
                    kind: ExprKind::Cast(t, Box::new(e)),
                    span,
                },
            };
        }
        e
    }

    fn postfix(&mut self, base: Expr, c: P) -> Expr {
        let span = base.span.to(self.span(&c));
        let rule = c.as_rule();
        let inner = c.into_inner().next();
        let kind = match (rule, inner) {
            (Rule::member, Some(i)) => ExprKind::Member(Box::new(base), Box::new(self.ident(i))),
            (Rule::arrow, Some(i)) => ExprKind::Arrow(Box::new(base), Box::new(self.ident(i))),
            (Rule::index, Some(i)) => ExprKind::Index(Box::new(base), Box::new(self.expr(i))),
            _ => return base,
        };
        Expr { kind, span }
    }

    fn primary(&mut self, p: P) -> Expr {
        let span = self.span(&p);
        let text = p.as_str();
        let kind = match p.as_rule() {
            Rule::hex_lit | Rule::dec_lit => match parse_int(text) {
                Some(value) => ExprKind::Int {
                    value,
                    text: text.into(),
                },
                None => {
                    self.diags.push(
                        Diagnostic::error(
                            span,
                            format!("integer literal `{text}` is out of range"),
                        )
                        .with_label("does not fit in 128 bits"),
                    );
                    ExprKind::Int {
                        value: 0,
                        text: text.into(),
                    }
                }
            },
            Rule::float_lit => ExprKind::Float(text.into()),
            Rule::char_lit => ExprKind::Char(
                unescape(strip_quotes(text, '\''))
                    .chars()
                    .next()
                    .map_or(0, u32::from),
            ),
            Rule::string => ExprKind::Str(self.string(p).value),
            Rule::ident => ExprKind::Ident(text.to_string()),
            Rule::sizeof_expr => {
                let mut inner = p.into_inner();
                match inner.next() {
                    Some(c) if c.as_rule() == Rule::type_spec => {
                        let spec = self.type_spec(c);
                        let pointers = inner.map(|x| self.ptr_op(x)).collect();
                        ExprKind::SizeofType(Box::new(TypeRef {
                            spec,
                            pointers,
                            span,
                        }))
                    }
                    Some(e) => ExprKind::SizeofExpr(Box::new(self.expr(e))),
                    None => ExprKind::Int {
                        value: 0,
                        text: "0".into(),
                    },
                }
            }
            _ => return self.expr(p),
        };
        Expr { kind, span }
    }

    fn first_string(&mut self, p: P) -> StrLit {
        let span = self.span(&p);
        match p.into_inner().find(|c| c.as_rule() == Rule::string) {
            Some(s) => self.string(s),
            None => StrLit {
                value: String::new(),
                span,
            },
        }
    }

    fn string(&mut self, p: P) -> StrLit {
        let span = self.span(&p);
        let value = p
            .into_inner()
            .map(|part| {
                let t = part.as_str();
                unescape(strip_quotes(t.strip_prefix('L').unwrap_or(t), '"'))
            })
            .collect();
        StrLit { value, span }
    }
}

/// Expressions are trees that later passes walk recursively; an IDL
/// expression with more operators than this is refused.
const MAX_OPERATORS: usize = 512;
/// The deepest expression tree built, counting nesting and operators.
const MAX_DEPTH: usize = 1024;

impl Builder<'_> {
    fn too_long(&mut self, span: Span) -> Expr {
        self.diags.push(
            Diagnostic::error(span, "expression too long").with_label(format!(
                "more than {MAX_OPERATORS} operators, or nested more than {MAX_DEPTH} deep"
            )),
        );
        zero(span)
    }
}

enum Prefix {
    Op(UnOp),
    Cast(Box<TypeRef>),
}

/// An operand of an `expr` as its children arrive: prefixes first, then
/// the primary, with postfixes applied to it.
#[derive(Default)]
struct Operand {
    prefixes: Vec<(Prefix, Span)>,
    value: Option<Expr>,
}

fn climb(
    mut lhs: Expr,
    rest: &mut std::iter::Peekable<std::vec::IntoIter<(BinOp, Expr)>>,
    min: u8,
) -> Expr {
    while let Some((op, _)) = rest.peek() {
        let op = *op;
        if op.precedence() < min {
            break;
        }
        let Some((_, mut rhs)) = rest.next() else {
            break;
        };
        while let Some((next, _)) = rest.peek() {
            if next.precedence() <= op.precedence() {
                break;
            }
            rhs = climb(rhs, rest, op.precedence() + 1);
        }
        let span = lhs.span.to(rhs.span);
        lhs = Expr {
            kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
            span,
        };
    }
    lhs
}

/// The operator a `binop` token spells (the grammar admits no other text).
fn bin_op(text: &str) -> BinOp {
    match text {
        "||" => BinOp::Or,
        "&&" => BinOp::And,
        "|" => BinOp::BitOr,
        "^" => BinOp::BitXor,
        "&" => BinOp::BitAnd,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        ">" => BinOp::Gt,
        "<=" => BinOp::Le,
        ">=" => BinOp::Ge,
        "<<" => BinOp::Shl,
        ">>" => BinOp::Shr,
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        _ => BinOp::Rem,
    }
}

/// The operator a `prefix_op` token spells.
fn un_op(text: &str) -> UnOp {
    match text {
        "-" => UnOp::Neg,
        "+" => UnOp::Plus,
        "!" => UnOp::Not,
        "~" => UnOp::BitNot,
        "*" => UnOp::Deref,
        _ => UnOp::AddrOf,
    }
}

fn tag_of(rule: Rule) -> Tag {
    match rule {
        Rule::kw_union => Tag::Union,
        Rule::kw_enum => Tag::Enum,
        _ => Tag::Struct,
    }
}

fn int_size(words: &[&str]) -> IntSize {
    // `unsigned` alone, `short int`, `long int`, `long long`: the last
    // significant word decides, `int` only when nothing else was said.
    let significant: Vec<&str> = words.iter().copied().filter(|w| *w != "int").collect();
    match significant.as_slice() {
        [] => IntSize::Int,
        ["long", "long"] => IntSize::LongLong,
        [.., w] => match *w {
            "small" => IntSize::Small,
            "short" => IntSize::Short,
            "long" => IntSize::Long,
            "hyper" => IntSize::Hyper,
            "char" => IntSize::Char,
            "__int8" => IntSize::Int8,
            "__int16" => IntSize::Int16,
            "__int32" => IntSize::Int32,
            "__int64" => IntSize::Int64,
            "__int3264" => IntSize::Int3264,
            _ => IntSize::Int,
        },
    }
}

fn void(span: Span) -> TypeSpec {
    TypeSpec {
        kind: TypeSpecKind::Base(BaseType::Void),
        is_const: false,
        span,
    }
}

fn zero(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Int {
            value: 0,
            text: "0".into(),
        },
        span,
    }
}

/// C integer literal: hex, octal (leading 0) or decimal, with u/l suffixes.
pub(crate) fn parse_int(text: &str) -> Option<u128> {
    let t = text.trim_end_matches(['u', 'U', 'l', 'L']);
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u128::from_str_radix(hex, 16).ok()
    } else if t.len() > 1 && t.starts_with('0') {
        u128::from_str_radix(&t[1..], 8).ok()
    } else {
        t.parse().ok()
    }
}

fn strip_quotes(text: &str, q: char) -> &str {
    let t = text.strip_prefix('L').unwrap_or(text);
    t.strip_prefix(q)
        .and_then(|t| t.strip_suffix(q))
        .unwrap_or(t)
}

/// C escapes in string and character literals.
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('x') => {
                let mut v = 0u32;
                while let Some(d) = chars.peek().and_then(|c| c.to_digit(16)) {
                    v = v.saturating_mul(16).saturating_add(d);
                    chars.next();
                }
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            Some(d @ '0'..='7') => {
                let mut v = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
