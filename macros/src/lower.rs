//! Lowering a trait to MIDL, and the Rust-typed layer over what the code
//! generator writes for that MIDL.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemTrait, Pat, PathArguments, ReturnType, TraitItem, Type};

use crate::attrs::{self, Place};

/// What a Rust type is on the wire.
#[derive(Clone)]
enum Kind {
    /// A base type: its MIDL spelling.
    Scalar(&'static str, Type),
    /// `String`: `[string] wchar_t *`.
    Text,
    /// `Vec<T>` of a base type.
    List(&'static str, Type),
    /// `Option<T>` of a base type: a unique pointer.
    Maybe(&'static str, Type),
    /// `Box<T>` of a base type: a ref pointer.
    Boxed(&'static str, Type),
    /// `()`, as a result: nothing.
    Unit,
    /// A type of the user's with its own `Ndr` impl (`#[derive(msrpc::Ndr)]`
    /// or generated from IDL): its MIDL name, and its Rust type.
    Named(String, Type),
    /// `Option<MInterfacePointer>`: an interface pointer (`IUnknown *`).
    Interface,
}

pub(crate) fn scalar(t: &Type) -> Option<&'static str> {
    let Type::Path(p) = t else { return None };
    let id = p.path.get_ident()?.to_string();
    Some(match id.as_str() {
        "i8" => "small",
        "u8" => "byte",
        "i16" => "short",
        "u16" => "unsigned short",
        "i32" => "long",
        "u32" => "unsigned long",
        "i64" => "hyper",
        "u64" => "unsigned hyper",
        "f32" => "float",
        "f64" => "double",
        "bool" => "boolean",
        _ => return None,
    })
}

/// The one type argument of `Name<T>`, if `t` is that.
pub(crate) fn generic<'a>(t: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(p) = t else { return None };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    match a.args.first()? {
        GenericArgument::Type(t) if a.args.len() == 1 => Some(t),
        _ => None,
    }
}

fn kind(t: &Type) -> syn::Result<Kind> {
    let unsupported = || {
        syn::Error::new_spanned(
            t,
            "msrpc: unsupported type; use integers, floats, bool, String, or Vec, Option or Box of a number",
        )
    };
    if let Some(s) = scalar(t) {
        return Ok(Kind::Scalar(s, t.clone()));
    }
    if let Type::Tuple(tt) = t {
        if tt.elems.is_empty() {
            return Ok(Kind::Unit);
        }
    }
    if let Type::Path(p) = t {
        if p.path.is_ident("String") {
            return Ok(Kind::Text);
        }
    }
    if let Some(inner) = generic(t, "Option") {
        if matches!(inner, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "MInterfacePointer"))
        {
            return Ok(Kind::Interface);
        }
    }
    for (name, make) in [
        ("Vec", Kind::List as fn(&'static str, Type) -> Kind),
        ("Option", Kind::Maybe),
        ("Box", Kind::Boxed),
    ] {
        if let Some(inner) = generic(t, name) {
            let s = scalar(inner).ok_or_else(unsupported)?;
            return Ok(make(s, inner.clone()));
        }
    }
    // Any other plain path: a type with an `Ndr` impl of its own.
    if let Type::Path(p) = t {
        let last = p.path.segments.last().ok_or_else(unsupported)?;
        if p.qself.is_none() && last.arguments.is_none() {
            return Ok(Kind::Named(last.ident.to_string(), t.clone()));
        }
    }
    Err(unsupported())
}

struct Param {
    name: syn::Ident,
    ty: Type,
    kind: Kind,
    /// `#[msrpc(range(lo, hi))]`.
    range: Option<(syn::LitInt, syn::LitInt)>,
    /// `#[msrpc(size_is = count)]` on a `Vec`: the parameter that counts it.
    size_is: Option<syn::Ident>,
    /// For a count named by a `Vec`'s size_is: that `Vec`. Its value
    /// comes from the `Vec`'s length, and is checked against it.
    counts: Option<syn::Ident>,
}

struct Method {
    name: syn::Ident,
    /// The MIDL name (UpperCamelCase).
    idl: String,
    params: Vec<Param>,
    /// The values the method returns: none, one (`[out, retval] ret`), or a
    /// tuple's (`[out] ret0`, `ret1`, ...).
    rets: Vec<Kind>,
    ret_ty: Type,
    attrs: Vec<syn::Attribute>,
}

struct Args {
    uuid: String,
    object: bool,
}

fn args(attr: TokenStream) -> syn::Result<Args> {
    let a = attrs::of_args(attr, Place::Interface)?;
    let uuid = a.uuid.ok_or_else(|| {
        syn::Error::new(
            Span::call_site(),
            "msrpc: an interface needs `uuid = \"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\"`",
        )
    })?;
    Ok(Args {
        uuid,
        object: a.object,
    })
}

/// The `T` of `msrpc::Result<T>` (or `Result<T>`).
fn result_type(ret: &ReturnType, at: Span) -> syn::Result<Type> {
    let err = || syn::Error::new(at, "msrpc: a method returns `msrpc::Result<T>`");
    let ReturnType::Type(_, t) = ret else {
        return Err(err());
    };
    generic(t, "Result").cloned().ok_or_else(err)
}

/// Every method of the trait, or every error in them, at once.
fn methods(t: &ItemTrait) -> syn::Result<Vec<Method>> {
    let mut out = Vec::new();
    let mut errors = Errors::default();
    for item in &t.items {
        match method(item) {
            Ok(m) => out.push(m),
            Err(e) => errors.push(e),
        }
    }
    errors.or(out)
}

/// Errors gathered so that one compile shows all of them.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    pub(crate) fn or<T>(self, ok: T) -> syn::Result<T> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(ok),
        }
    }
}

fn method(item: &TraitItem) -> syn::Result<Method> {
    {
        let TraitItem::Fn(f) = item else {
            return Err(syn::Error::new(
                item.span(),
                "msrpc: an interface holds methods only",
            ));
        };
        let sig = &f.sig;
        if sig.asyncness.is_none() {
            return Err(syn::Error::new(
                sig.ident.span(),
                "msrpc: interface methods are `async fn`",
            ));
        }
        let mut params = Vec::new();
        let mut inputs = sig.inputs.iter();
        match inputs.next() {
            Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none() => {}
            _ => {
                return Err(syn::Error::new(
                    sig.ident.span(),
                    "msrpc: a method takes `&self` first",
                ))
            }
        }
        for arg in inputs {
            let FnArg::Typed(pt) = arg else {
                return Err(syn::Error::new(arg.span(), "msrpc: unexpected receiver"));
            };
            let Pat::Ident(id) = &*pt.pat else {
                return Err(syn::Error::new(pt.pat.span(), "msrpc: name each parameter"));
            };
            let kind = kind(&pt.ty)?;
            if matches!(kind, Kind::Unit) {
                return Err(syn::Error::new(
                    pt.ty.span(),
                    "msrpc: a parameter cannot be `()`",
                ));
            }
            let attrs::Attrs { range, size_is, .. } = attrs::of(&pt.attrs, Place::Param)?;
            if range.is_some() && !matches!(kind, Kind::Scalar(..)) {
                return Err(attrs::range_not_a_number(&pt.ty));
            }
            if let Some(n) = &size_is {
                if !matches!(kind, Kind::List(..)) {
                    return Err(attrs::size_is_misplaced(n, Place::Param));
                }
            }
            params.push(Param {
                name: id.ident.clone(),
                ty: (*pt.ty).clone(),
                kind,
                range,
                size_is,
                counts: None,
            });
        }
        // Each size_is names an unsigned integer parameter of the method.
        for i in 0..params.len() {
            let Some(n) = params[i].size_is.clone() else {
                continue;
            };
            let vec = params[i].name.clone();
            let Some(c) = params.iter_mut().find(|p| p.name == n) else {
                return Err(attrs::no_count(&n, &vec, Place::Param));
            };
            if !matches!(c.kind, Kind::Scalar(s, _) if s.starts_with("unsigned") && s != "unsigned hyper")
            {
                return Err(syn::Error::new(
                    n.span(),
                    format!("msrpc: `{n}` must be a u16 or u32 to count `{vec}`"),
                ));
            }
            c.counts = Some(vec);
        }
        let ret_ty = result_type(&sig.output, sig.ident.span())?;
        // A tuple returns several [out] values; `()` none.
        let elems: Vec<Type> = match &ret_ty {
            Type::Tuple(t) => t.elems.iter().cloned().collect(),
            t => vec![t.clone()],
        };
        let mut rets = Vec::new();
        for t in &elems {
            let k = kind(t)?;
            if matches!(k, Kind::Maybe(..) | Kind::Boxed(..) | Kind::Unit) {
                return Err(syn::Error::new_spanned(
                    t,
                    "msrpc: return the value itself, not a pointer or ()",
                ));
            }
            rets.push(k);
        }
        Ok(Method {
            name: sig.ident.clone(),
            idl: sig.ident.to_string().to_upper_camel_case(),
            params,
            rets,
            ret_ty,
            attrs: f.attrs.clone(),
        })
    }
}

/// The MIDL the trait means.
fn midl(iface: &str, a: &Args, ms: &[Method]) -> String {
    let mut types = String::new();
    let mut body = String::new();
    for m in ms {
        let mut ps = Vec::new();
        if !a.object {
            ps.push("[in] handle_t binding".to_string());
        }
        for p in &m.params {
            let n = p.name.to_string();
            ps.push(match &p.kind {
                Kind::Scalar(s, _) => match &p.range {
                    Some((lo, hi)) => format!("[in, range({lo}, {hi})] {s} {n}"),
                    None => format!("[in] {s} {n}"),
                },
                Kind::Text => format!("[in, string] wchar_t *{n}"),
                Kind::List(s, _) => match &p.size_is {
                    Some(c) => format!("[in, size_is({c})] {s} {n}[]"),
                    None => {
                        format!("[in] unsigned long {n}_count, [in, size_is({n}_count)] {s} {n}[]")
                    }
                },
                Kind::Maybe(s, _) => format!("[in, unique] {s} *{n}"),
                Kind::Boxed(s, _) => format!("[in, ref] {s} *{n}"),
                Kind::Named(t, _) => format!("[in] {t} *{n}"),
                Kind::Interface => format!("[in] IUnknown *{n}"),
                Kind::Unit => String::new(),
            });
        }
        let single = m.rets.len() == 1;
        for (i, k) in m.rets.iter().enumerate() {
            let (n, dir) = if single {
                ("ret".to_string(), "out, retval")
            } else {
                (format!("ret{i}"), "out")
            };
            match k {
                Kind::Scalar(s, _) => ps.push(format!("[{dir}] {s} *{n}")),
                Kind::Named(t, _) => ps.push(format!("[{dir}] {t} *{n}")),
                Kind::Interface => ps.push(format!("[{dir}] IUnknown **{n}")),
                Kind::Text => ps.push(format!("[{dir}, string] wchar_t **{n}")),
                Kind::List(s, _) => {
                    let t = format!("{iface}_{}_{n}", m.idl);
                    types += &format!(
                        "typedef struct {{ unsigned long count; [size_is(count)] {s} *items; }} {t};\n"
                    );
                    ps.push(format!("[{dir}] {t} *{n}"));
                }
                _ => {}
            }
        }
        body += &format!("    HRESULT {}({});\n", m.idl, ps.join(", "));
    }
    let head = if a.object {
        format!(
            "[object, uuid({}), pointer_default(unique)]\ninterface {iface} : IUnknown",
            a.uuid
        )
    } else {
        format!(
            "[uuid({}), version(1.0), pointer_default(unique)]\ninterface {iface}",
            a.uuid
        )
    };
    // A named type is the user's: MIDL needs a declaration, the code
    // generator refers to the Rust type (`extern_types`).
    let mut declared = Vec::new();
    for m in ms {
        let kinds = m.params.iter().map(|p| &p.kind).chain(&m.rets);
        for k in kinds {
            if let Kind::Named(t, _) = k {
                if !declared.contains(t) {
                    types = format!("typedef struct {{ long __msrpc_external; }} {t};\n{types}");
                    declared.push(t.clone());
                }
            }
        }
    }
    format!("import \"ms-dcom.idl\";\n\n{types}\n{head}\n{{\n{body}}}\n")
}

/// The Rust types behind the MIDL names of named types.
fn extern_types(ms: &[Method]) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for m in ms {
        for k in m.params.iter().map(|p| &p.kind).chain(&m.rets) {
            if let Kind::Named(name, t) = k {
                out.insert(name.clone(), quote!(#t).to_string());
            }
        }
    }
    out
}

/// Generated code for the MIDL, through the same front end and back end
/// as an IDL file.
fn generate(
    idl: &str,
    at: Span,
    externs: std::collections::BTreeMap<String, String>,
) -> syn::Result<TokenStream> {
    generate_with(idl, at, false, externs)
}

/// [`generate`], or only the `Ndr` impls (`impls_only`) for `derive(Ndr)`.
pub(crate) fn generate_with(
    idl: &str,
    at: Span,
    impls_only: bool,
    extern_types: std::collections::BTreeMap<String, String>,
) -> syn::Result<TokenStream> {
    generate_keeping(idl, at, impls_only, extern_types, Default::default())
}

/// [`generate_with`], keeping the named count fields as fields.
pub(crate) fn generate_keeping(
    idl: &str,
    at: Span,
    impls_only: bool,
    extern_types: std::collections::BTreeMap<String, String>,
    kept_counts: std::collections::BTreeSet<String>,
) -> syn::Result<TokenStream> {
    let err = |m: String| syn::Error::new(at, m);
    let front = msrpc_codegen::builtin::front_end();
    let out = msrpc_idl::load_str("interface.idl", idl, &front);
    let rendered = out.render();
    let model = out.model.ok_or_else(|| {
        err(format!(
            "msrpc: the lowered MIDL does not resolve:\n{rendered}\n{idl}"
        ))
    })?;
    let opts = msrpc_codegen::rust::Options {
        root_only: true,
        impls_only,
        extern_types,
        kept_counts,
        ..Default::default()
    };
    let code =
        msrpc_codegen::rust::generate(&model, &opts).map_err(|e| err(format!("msrpc: {e}")))?;
    // Impls alone go in a block of their own, so that the generated file's
    // `use` lines do not clash between two derives in one module.
    let code = match impls_only {
        true => format!("const _: () = {{\n{code}\n}};"),
        false => code,
    };
    code.parse()
        .map_err(|e| err(format!("msrpc: generated code does not parse: {e}")))
}

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let t: ItemTrait = syn::parse2(item)?;
    // Every error at once: the attribute's, the bases', each method's.
    let mut errors = Errors::default();
    let a = args(attr).map_err(|e| errors.push(e)).ok();
    // `: IUnknown` is what `object` means already; other bases are not
    // lowered (yet).
    for b in &t.supertraits {
        let iunknown = matches!(b, syn::TypeParamBound::Trait(tb) if tb.path.is_ident("IUnknown"));
        if !iunknown {
            errors.push(syn::Error::new_spanned(
                b,
                "msrpc: the only base an interface trait takes is IUnknown",
            ));
        }
    }
    let ms = methods(&t).map_err(|e| errors.push(e)).ok();
    errors.or(())?;
    let (Some(a), Some(ms)) = (a, ms) else {
        return Err(syn::Error::new(Span::call_site(), "msrpc: no interface"));
    };
    let iface = t.ident.to_string();
    let idl = midl(&iface, &a, &ms);
    let generated = generate(&idl, t.ident.span(), extern_types(&ms))?;

    let vis = &t.vis;
    let name = &t.ident;
    // The generated code goes in a module named like the codegen's own
    // per-interface module, which then sits inside it.
    let module = format_ident!("{}", iface.to_snake_case());
    let wire_mod = quote!(#module::#module);
    let server = format_ident!("{iface}Server");
    let wire_stub = format_ident!("{iface}Stub");
    let wire_client = format_ident!("{iface}Client");
    let stub = format_ident!("{iface}Stub");
    let client = format_ident!("{iface}Client");
    let trait_attrs = &t.attrs;
    let adapter = format_ident!("__{iface}Adapter");
    // The generated server trait's context: ORPC's for an `[object]` one.
    let ctx = if a.object {
        quote!(::msrpc::orpc::CallContext)
    } else {
        quote!(::msrpc::rpc::CallContext)
    };

    let mut trait_fns = Vec::new();
    let mut server_fns = Vec::new();
    let mut client_fns = Vec::new();
    for m in &ms {
        let fname = &m.name;
        let attrs = &m.attrs;
        let wire_fn = format_ident!("{}", m.idl.to_snake_case());
        let resp = format_ident!("{}Response", m.idl);
        let ret_ty = &m.ret_ty;
        let decl: Vec<_> = m
            .params
            .iter()
            .map(|p| {
                let (n, ty) = (&p.name, &p.ty);
                quote!(#n: #ty)
            })
            .collect();
        trait_fns.push(quote! {
            #(#attrs)*
            fn #fname(&self, #(#decl),*) -> impl ::std::future::Future<Output = ::msrpc::Result<#ret_ty>> + Send;
        });
        // The server side: wire values in, Rust values to the trait.
        let wire_params: Vec<_> = m
            .params
            .iter()
            .filter(|p| p.counts.is_none())
            .map(|p| {
                let n = &p.name;
                let ty = wire_type(&p.kind);
                quote!(#n: #ty)
            })
            .collect();
        // A count the codegen implies from its Vec comes from the Vec's length.
        let counts: Vec<_> = m
            .params
            .iter()
            .filter_map(|p| {
                let (n, ty, v) = (&p.name, &p.ty, p.counts.as_ref()?);
                Some(quote!(let #n = #v.len() as #ty;))
            })
            .collect();
        let to_rust: Vec<_> = m.params.iter().map(|p| to_rust(&p.name, &p.kind)).collect();
        let single = m.rets.len() == 1;
        let field = |i: usize| {
            if single {
                format_ident!("ret")
            } else {
                format_ident!("ret{i}")
            }
        };
        let vars: Vec<_> = (0..m.rets.len()).map(|i| format_ident!("v{i}")).collect();
        let ret_field: Vec<_> = m
            .rets
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let (f, v) = (field(i), &vars[i]);
                match k {
                    Kind::Text => quote!(r.#f = Some(::msrpc::ndr::WString::from(#v.as_str()));),
                    Kind::List(..) => {
                        let t = format_ident!("{}_{}_{}", iface, m.idl, f.to_string());
                        quote!(r.#f = #module::#t { items: Some(#v) };)
                    }
                    Kind::Interface => quote!(r.#f = #v.map(Box::new);),
                    _ => quote!(r.#f = #v;),
                }
            })
            .collect();
        let bind = match vars.as_slice() {
            [] => quote!(()),
            [v] => quote!(#v),
            vs => quote!((#(#vs),*)),
        };
        let ret_field = quote!(#(#ret_field)*);
        server_fns.push(quote! {
            async fn #wire_fn(&self, _ctx: &#ctx, #(#wire_params),*) -> ::std::result::Result<#wire_mod::#resp, ::msrpc::rpc::Fault> {
                #(#counts)*
                // Not every response has a Default (a user's type may not):
                // start from the codegen's placeholder and fill it in.
                let mut r = <#wire_mod::#resp as ::msrpc::ndr::Ndr>::placeholder();
                match self.0.#fname(#(#to_rust),*).await {
                    Ok(#bind) => { #ret_field }
                    Err(e) => r.return_value = e.hresult().into(),
                }
                Ok(r)
            }
        });
        // The client side: Rust values out, the result back.
        let to_wire: Vec<_> = m
            .params
            .iter()
            .filter(|p| p.counts.is_none())
            .map(|p| to_wire(&p.name, &p.kind))
            .collect();
        // A count must agree with the Vec it counts: the wire sends the length.
        let checks: Vec<_> = m
            .params
            .iter()
            .filter_map(|p| {
                let (n, v) = (&p.name, p.counts.as_ref()?);
                Some(quote! {
                    if #n as usize != #v.len() {
                        return Err(::msrpc::Error::Hresult(::msrpc::Hresult::E_INVALIDARG));
                    }
                })
            })
            .collect();
        let gets: Vec<_> = m
            .rets
            .iter()
            .enumerate()
            .map(|(i, k)| {
                let f = field(i);
                match k {
                    Kind::Text => quote!(r.#f.map(|w| w.to_string_lossy()).unwrap_or_default()),
                    Kind::List(..) => quote!(r.#f.items.unwrap_or_default()),
                    Kind::Interface => quote!(r.#f.map(|b| *b)),
                    _ => quote!(r.#f),
                }
            })
            .collect();
        let from_ret = match gets.as_slice() {
            [] => quote!(()),
            [g] => quote!(#g),
            gs => quote!((#(#gs),*)),
        };
        client_fns.push(quote! {
            #(#attrs)*
            pub async fn #fname(&self, #(#decl),*) -> ::msrpc::Result<#ret_ty> {
                #(#checks)*
                let r = self.0.#wire_fn(#(#to_wire),*).await?;
                ::msrpc::check(r.return_value)?;
                Ok(#from_ret)
            }
        });
    }
    let doc_module =
        format!("The wire side of `{iface}`: its IID and the MIDL types it lowers to.");
    Ok(quote! {
        #[doc = #doc_module]
        #[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
        #vis mod #module {
            use super::*;
            #generated
        }

        #(#trait_attrs)*
        #vis trait #name: Send + Sync + 'static {
            #(#trait_fns)*
        }

        /// Serves an implementation of the trait: register it as an
        /// `msrpc::orpc::Object` interface, or with `msrpc::rpc::Server`.
        #vis struct #stub<T>(#module::#wire_stub<#adapter<T>>);

        impl<T: #name> #stub<T> {
            pub fn new(server: T) -> Self {
                Self(#module::#wire_stub::new(#adapter(server)))
            }
        }

        impl<T: #name> ::msrpc::rpc::Dispatch for #stub<T> {
            fn syntax(&self) -> ::msrpc::rpc::SyntaxId {
                ::msrpc::rpc::Dispatch::syntax(&self.0)
            }
            fn dispatch(&self, ctx: ::msrpc::rpc::CallContext, stub: Vec<u8>) -> ::msrpc::rpc::BoxFuture<'static, ::std::result::Result<Vec<u8>, ::msrpc::rpc::Fault>> {
                ::msrpc::rpc::Dispatch::dispatch(&self.0, ctx, stub)
            }
        }

        #[doc(hidden)]
        #vis struct #adapter<T>(T);

        impl<T: #name> #module::#server for #adapter<T> {
            #(#server_fns)*
        }

        /// Calls the interface through any `msrpc::rpc::Channel`.
        #[derive(Clone)]
        #vis struct #client<C>(#module::#wire_client<C>);

        impl<C: ::msrpc::rpc::Channel> ::msrpc::rpc::Proxy<C> for #client<C> {
            const SYNTAX: ::msrpc::rpc::SyntaxId = <#module::#wire_client<C> as ::msrpc::rpc::Proxy<C>>::SYNTAX;
            fn connect(channel: C, object: Option<::msrpc::uuid::Uuid>) -> Self {
                Self(<#module::#wire_client<C> as ::msrpc::rpc::Proxy<C>>::connect(channel, object))
            }
        }

        impl<C: ::msrpc::rpc::Channel> #client<C> {
            #(#client_fns)*
        }
    })
}

/// The generated (wire) type of a parameter.
fn wire_type(k: &Kind) -> TokenStream {
    match k {
        Kind::Scalar(_, t) => quote!(#t),
        Kind::Text => quote!(::msrpc::ndr::WString),
        Kind::List(_, t) => quote!(Vec<#t>),
        Kind::Maybe(_, t) => quote!(Option<Box<#t>>),
        Kind::Boxed(_, t) => quote!(#t),
        Kind::Named(_, t) => quote!(#t),
        Kind::Interface => quote!(Option<Box<::msrpc::dcom::MInterfacePointer>>),
        Kind::Unit => quote!(()),
    }
}

fn to_rust(n: &syn::Ident, k: &Kind) -> TokenStream {
    match k {
        Kind::Text => quote!(#n.to_string_lossy()),
        Kind::Maybe(..) | Kind::Interface => quote!(#n.map(|b| *b)),
        Kind::Boxed(..) => quote!(Box::new(#n)),
        _ => quote!(#n),
    }
}

fn to_wire(n: &syn::Ident, k: &Kind) -> TokenStream {
    match k {
        Kind::Text => quote!(::msrpc::ndr::WString::from(#n.as_str())),
        Kind::Maybe(..) | Kind::Interface => quote!(#n.map(Box::new)),
        Kind::Boxed(..) => quote!(*#n),
        _ => quote!(#n),
    }
}
