//! Interfaces: identity constants, a request and a response type per
//! method (its stub data, with an `Ndr` impl), a server trait, a stub that
//! dispatches by opnum, and a client proxy.
//!
//! Top-level parameters are marshaled one after another, each complete
//! with its pointees (C706 14.3.12.1); a top-level `ref` pointer has no
//! wire form of its own, so it is stripped and the parameter holds its
//! pointee. For `[object]` interfaces, ORPCTHIS leads every request and
//! ORPCTHAT every response (MS-DCOM 3.1.1.5.4, 3.2.4.2).

use heck::ToSnakeCase;
use msrpc_idl::model::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{field_name, type_name, unsupported, Data, Gen, Result};

/// One field of a request or response.
struct Slot {
    id: proc_macro2::Ident,
    /// The parameter's index in the method (correlations name it), if any.
    param: Option<usize>,
    levels: Vec<Level>,
    data: DataType,
    range: Option<(i128, i128)>,
    check: bool,
    /// A count the arrays of this message imply: not a field; the
    /// indices (in this message) of the arrays it sizes.
    implied: Option<Vec<usize>>,
    /// Set for ORPCTHIS/ORPCTHAT, whose Rust type is the runtime's.
    fixed_type: Option<TokenStream>,
}

/// A method's two messages.
struct Messages {
    request: Vec<Slot>,
    response: Vec<Slot>,
}

/// A method's name for Rust: `[propget]`/`[propput]`/`[propputref]`
/// methods share their IDL name, so they get MIDL's `get_`/`put_`/`putref_`.
fn method_name(m: &Method) -> String {
    let prefix = if has_attr(&m.attrs, "propget") {
        "get_"
    } else if has_attr(&m.attrs, "propputref") {
        "putref_"
    } else if has_attr(&m.attrs, "propput") {
        "put_"
    } else {
        ""
    };
    format!("{prefix}{}", m.name)
}

/// The request and response type names of a method.
fn message_idents(m: &Method) -> (proc_macro2::Ident, proc_macro2::Ident) {
    use heck::ToUpperCamelCase;
    let base = method_name(m);
    let base = if base.contains('_') {
        base.to_upper_camel_case()
    } else {
        base
    };
    (
        format_ident!("{base}Request"),
        format_ident!("{base}Response"),
    )
}

/// The Rust module that holds an interface's message types.
pub(crate) fn module_name(iface: &str) -> proc_macro2::Ident {
    format_ident!("{}", iface.to_snake_case())
}

/// Methods that never travel: IUnknown's (ORPC answers them through
/// IRemUnknown) and the spec's `OpnumNNotUsedOnWire` placeholders.
fn on_wire(iface: &Interface, m: &Method) -> bool {
    let placeholder = m
        .name
        .strip_prefix("Opnum")
        .and_then(|r| r.strip_suffix("NotUsedOnWire"))
        .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
    let iunknown = iface.object && iface.name == "IUnknown";
    !(placeholder || iunknown || has_attr(&m.attrs, "local"))
}

fn has_attr(attrs: &[Attribute], name: &str) -> bool {
    attrs.iter().any(|a| a.name == name)
}

/// The array level whose length a slot's value shows directly: the first
/// level, or the one behind a first unique/full pointer.
fn array_level(levels: &[Level]) -> Option<(usize, &Array)> {
    match levels {
        [Level::Array(a), ..] => Some((0, a)),
        [Level::Pointer(p), Level::Array(a), ..] if p.kind != PointerKind::Ref => Some((1, a)),
        _ => None,
    }
}

impl Gen<'_> {
    /// Everything generated for one interface.
    pub(crate) fn interface_def(&self, iface: &Interface) -> Result<TokenStream> {
        let rt = &self.rt;
        let name = type_name(&iface.name);
        let module = module_name(&iface.name);
        let uuid = iface.uuid.map(|u| u.as_u128()).unwrap_or(0);
        let uuid: TokenStream = format!("0x{uuid:032x}")
            .parse()
            .map_err(|_| unsupported(&iface.name, "its uuid"))?;
        let uuid_text = iface.uuid.map(|u| u.to_string()).unwrap_or_default();
        let (major, minor) = iface.version.unwrap_or((0, 0));
        let doc = format!("`{}` from the IDL: its identity.", iface.name);
        let own: Vec<&Method> = iface.methods.iter().filter(|m| on_wire(iface, m)).collect();
        let mut messages = Vec::new();
        let mut traits = Vec::new();
        let mut arms = Vec::new();
        for m in &own {
            let msgs = self.messages(iface, m)?;
            messages.push(self.message_types(iface, m, &msgs)?);
            traits.push(self.trait_method(iface, m, &msgs)?);
            arms.push(self.dispatch_arm(iface, m, &msgs)?);
        }
        let base = self.base(iface);
        let identity = quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Copy)]
            pub struct #name;

            impl #name {
                #[doc = #uuid_text]
                pub const IID: #rt::uuid::Uuid = #rt::uuid::Uuid::from_u128(#uuid);
                /// The interface version, (major, minor).
                pub const VERSION: (u16, u16) = (#major, #minor);
                /// The IID and version, as RPC binds them.
                pub const SYNTAX: #rt::rpc::SyntaxId = #rt::rpc::SyntaxId { uuid: Self::IID, major: #major, minor: #minor };
            }
        };
        if own.is_empty() && base.is_none() {
            return Ok(identity);
        }
        let supertrait = match &base {
            Some(b) => {
                let path = self.interface_path(b, &format!("{}Server", b.name));
                quote!(#path)
            }
            None => quote!(Send + Sync + 'static),
        };
        let fallback = match &base {
            Some(b) => {
                let m = self.interface_path(b, &module_name(&b.name).to_string());
                quote!(_ => #m::dispatch(server, ctx, stub).await,)
            }
            None => quote!(_ => Err(#rt::rpc::Fault::new(#rt::rpc::status::NCA_S_OP_RNG_ERROR)),),
        };
        let server = format_ident!("{}Server", iface.name);
        let stub_ty = format_ident!("{}Stub", iface.name);
        let client = self.client(iface)?;
        let trait_doc = format!(
            "The server side of `{}`: implement it, and serve it with [`{}Stub`].",
            iface.name, iface.name
        );
        let module_doc = format!("Request and response types of `{}`.", iface.name);
        let stub_doc = format!(
            "Serves a [`{}Server`] implementation: register it with `Server::add_interface`.",
            iface.name
        );
        let client = if self.with_client { client } else { quote!() };
        if !self.with_server {
            return Ok(quote! {
                #identity

                #[doc = #module_doc]
                pub mod #module {
                    use super::*;
                    #(#messages)*
                }

                #client
            });
        }
        Ok(quote! {
            #identity

            #[doc = #module_doc]
            pub mod #module {
                use super::*;
                #(#messages)*

                /// Decodes a request for `ctx.opnum`, calls `server`, encodes the response.
                pub async fn dispatch<T: #server + ?Sized>(server: &T, ctx: #rt::rpc::CallContext, stub: &[u8]) -> Result<Vec<u8>, #rt::rpc::Fault> {
                    match ctx.opnum {
                        #(#arms)*
                        #fallback
                    }
                }
            }

            #[doc = #trait_doc]
            pub trait #server: #supertrait {
                #(#traits)*
            }

            #[doc = #stub_doc]
            pub struct #stub_ty<T>(pub std::sync::Arc<T>);

            impl<T> #stub_ty<T> {
                /// Serves `server`.
                pub fn new(server: T) -> Self {
                    Self(std::sync::Arc::new(server))
                }
            }

            impl<T: #server> #rt::rpc::Dispatch for #stub_ty<T> {
                fn syntax(&self) -> #rt::rpc::SyntaxId {
                    #name::SYNTAX
                }
                fn dispatch(&self, ctx: #rt::rpc::CallContext, stub: Vec<u8>) -> #rt::rpc::BoxFuture<'static, Result<Vec<u8>, #rt::rpc::Fault>> {
                    let server = self.0.clone();
                    Box::pin(async move { #module::dispatch(&*server, ctx, &stub).await })
                }
            }

            #client
        })
    }

    /// The interface this one derives from, unless that is IUnknown (whose
    /// methods ORPC never dispatches) or unknown.
    fn base(&self, iface: &Interface) -> Option<&Interface> {
        let b = self.m.interface(iface.base.as_deref()?)?;
        let has_methods = self.m.all_methods(b).iter().any(|m| {
            let owner = self.owner(b, m);
            on_wire(owner, m)
        });
        has_methods.then_some(b)
    }

    /// The interface in `iface`'s chain that declares `m`.
    fn owner<'a>(&'a self, iface: &'a Interface, m: &Method) -> &'a Interface {
        let mut cur = iface;
        for _ in 0..64 {
            if cur.methods.iter().any(|x| std::ptr::eq(x, m)) {
                return cur;
            }
            match cur.base.as_deref().and_then(|b| self.m.interface(b)) {
                Some(b) => cur = b,
                None => break,
            }
        }
        iface
    }

    /// `name`, qualified by the module of the file that declares `iface`
    /// when that file's items are not generated here.
    fn interface_path(&self, iface: &Interface, name: &str) -> TokenStream {
        let id = format_ident!("{}", name);
        match self.externs.get(&(iface.file.0 as usize)) {
            Some(path) => quote!(#path::#id),
            None => quote!(#id),
        }
    }

    fn messages(&self, iface: &Interface, m: &Method) -> Result<Messages> {
        let rt = &self.rt;
        let item = format!("{}::{}", iface.name, m.name);
        let mut request = Vec::new();
        let mut response = Vec::new();
        if iface.object {
            let orpc = |name: &str, ty: TokenStream| Slot {
                id: format_ident!("{}", name),
                param: None,
                levels: Vec::new(),
                data: DataType::Base(Scalar::Void),
                range: None,
                check: true,
                implied: None,
                fixed_type: Some(ty),
            };
            request.push(orpc("orpcthis", quote!(#rt::dcom::ORPCTHIS)));
            response.push(orpc("orpcthat", quote!(#rt::dcom::ORPCTHAT)));
        }
        for (i, p) in m.params.iter().enumerate() {
            if p.binding {
                continue;
            }
            let mut levels = p.layout.levels.clone();
            if let Some(Level::Pointer(ptr)) = levels.first() {
                if ptr.top_level && ptr.kind == PointerKind::Ref {
                    levels.remove(0);
                }
            }
            if let DataType::Base(Scalar::Handle | Scalar::Void) = p.layout.data {
                return Err(unsupported(&item, &format!("the parameter `{}`", p.name)));
            }
            self.check_supported(&item, &p.layout)?;
            let slot = |m: &mut Vec<Slot>| {
                m.push(Slot {
                    id: field_name(&p.name),
                    param: Some(i),
                    levels: levels.clone(),
                    data: p.layout.data.clone(),
                    range: p.layout.range,
                    check: !p.layout.disable_consistency_check,
                    implied: None,
                    fixed_type: None,
                })
            };
            if p.direction.is_in() {
                slot(&mut request);
            }
            if p.direction.is_out() {
                slot(&mut response);
            }
        }
        if let Some(ret) = &m.ret {
            response.push(Slot {
                id: format_ident!("return_value"),
                param: None,
                levels: ret.levels.clone(),
                data: ret.data.clone(),
                range: None,
                check: true,
                implied: None,
                fixed_type: None,
            });
        }
        self.imply(m, &mut request, &mut response, &item)?;
        Ok(Messages { request, response })
    }

    /// Marks the counts a message's arrays imply: an integer parameter of
    /// this message alone, used only as the plain `size_is` of arrays in
    /// this message.
    fn imply(
        &self,
        m: &Method,
        request: &mut [Slot],
        response: &mut [Slot],
        item: &str,
    ) -> Result<()> {
        // Every use of each parameter, anywhere in the method.
        let mut uses: std::collections::BTreeMap<usize, Vec<(bool, usize, bool)>> =
            Default::default();
        for (is_request, msg) in [(true, &*request), (false, &*response)] {
            for (j, s) in msg.iter().enumerate() {
                for lv in &s.levels {
                    let Level::Array(a) = lv else { continue };
                    for (attr, e) in a.bounds() {
                        // A count is implied only by a plain conformant array.
                        let plain = attr == "size"
                            && matches!(e, Expr::Ref { .. })
                            && !a.is_varying()
                            && a.max_is.is_none()
                            && a.min_is.is_none()
                            && array_level(&s.levels).is_some_and(|(_, x)| std::ptr::eq(x, a));
                        for r in e.refs() {
                            uses.entry(r).or_default().push((is_request, j, plain));
                        }
                    }
                }
            }
        }
        for (is_request, msg) in [(true, &mut *request), (false, &mut *response)] {
            for slot in msg.iter_mut() {
                let Some(p) = slot.param else { continue };
                let in_both = m.params[p].direction == Direction::InOut;
                let integer = slot.levels.is_empty()
                    && matches!(self.data(&slot.data, item), Ok(Data::Scalar(s)) if s.is_integer());
                let Some(users) = uses.get(&p) else { continue };
                let ok = !in_both
                    && integer
                    && users.iter().all(|&(r, _, plain)| r == is_request && plain);
                if ok {
                    slot.implied = Some(users.iter().map(|u| u.1).collect());
                }
            }
        }
        Ok(())
    }

    fn slot_type(&self, item: &str, s: &Slot) -> Result<TokenStream> {
        match &s.fixed_type {
            Some(t) => Ok(t.clone()),
            None => self.rtype(item, &s.levels, &s.data),
        }
    }

    /// The request and response structs of one method, with their `Ndr` impls.
    fn message_types(&self, iface: &Interface, m: &Method, msgs: &Messages) -> Result<TokenStream> {
        let item = format!("{}::{}", iface.name, m.name);
        let (req, resp) = message_idents(m);
        let req = self.message_type(&item, &req, &msgs.request, m, true)?;
        let resp = self.message_type(&item, &resp, &msgs.response, m, false)?;
        Ok(quote!(#req #resp))
    }

    fn message_type(
        &self,
        item: &str,
        ty: &proc_macro2::Ident,
        slots: &[Slot],
        m: &Method,
        request: bool,
    ) -> Result<TokenStream> {
        let rt = &self.rt;
        let doc = format!(
            "The stub data of a `{}` {} (opnum {}).",
            m.name,
            if request { "request" } else { "response" },
            m.opnum
        );
        let mut decl = Vec::new();
        let mut placeholders = Vec::new();
        let mut default = true;
        for s in slots.iter().filter(|s| s.implied.is_none()) {
            let id = &s.id;
            let t = self.slot_type(item, s)?;
            let doc = match s.param {
                Some(i) => format!("`{}`", m.params[i].name),
                None if s.fixed_type.is_some() && request => {
                    "The ORPCTHIS an ORPC request starts with.".into()
                }
                None if s.fixed_type.is_some() => {
                    "The ORPCTHAT an ORPC response starts with.".into()
                }
                None => "The method's return value.".into(),
            };
            decl.push(quote!(#[doc = #doc] pub #id: #t));
            let ph = match &s.fixed_type {
                Some(t) => quote!(<#t as #rt::ndr::Ndr>::placeholder()),
                None => self.placeholder(item, &s.levels, &s.data)?,
            };
            placeholders.push(quote!(#id: #ph));
            default &= s.fixed_type.is_some() || self.has_default(&s.levels, &s.data, 0);
        }
        let enc = self.encode_message(item, slots)?;
        let dec = self.decode_message(item, slots)?;
        // An empty message (`ServerAlive`'s) reads and writes nothing.
        let (e, d) = if slots.is_empty() {
            (quote!(_e), quote!(_d))
        } else {
            (quote!(e), quote!(d))
        };
        let derive_default = if default { quote!(Default,) } else { quote!() };
        let attrs = &self.attrs;
        Ok(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq, #derive_default)]
            #attrs
            pub struct #ty { #(#decl,)* }

            impl #rt::ndr::Ndr for #ty {
                /// Each parameter aligns itself.
                const ALIGN: usize = 1;
                fn encode_scalars(&self, #e: &mut #rt::ndr::Encoder) -> #rt::ndr::Result<()> {
                    #enc
                    Ok(())
                }
                fn decode_scalars(#d: &mut #rt::ndr::Decoder<'_>) -> #rt::ndr::Result<Self> {
                    #dec
                }
                fn placeholder() -> Self {
                    Self { #(#placeholders,)* }
                }
            }
        })
    }

    /// The length of the array slot `j` holds, as `usize` (0 for null).
    fn slot_len(slots: &[Slot], j: usize) -> TokenStream {
        let id = &slots[j].id;
        match array_level(&slots[j].levels) {
            Some((0, _)) => quote!(self.#id.len()),
            _ => quote!(self.#id.as_ref().map_or(0, |v| v.len())),
        }
    }

    fn encode_message(&self, item: &str, slots: &[Slot]) -> Result<TokenStream> {
        let rt = &self.rt;
        let mut out = Vec::new();
        for (j, s) in slots.iter().enumerate() {
            let id = &s.id;
            if s.fixed_type.is_some() {
                out.push(quote!(#rt::ndr::encode_pointee(e, &self.#id)?;));
                continue;
            }
            if let Some(users) = &s.implied {
                let Ok(Data::Scalar(sc)) = self.data(&s.data, item) else {
                    continue;
                };
                let first = Self::slot_len(slots, users[0]);
                let mut checks = Vec::new();
                for &u in &users[1..] {
                    let other = Self::slot_len(slots, u);
                    checks.push(quote!(if #other != n { return Err(e.mismatch("arrays sized by one count", n, #other)); }));
                }
                if let Some((lo, hi)) = s.range {
                    checks.push(quote!(if !(#lo..=#hi).contains(&(n as i128)) { return Err(e.range(n as i128, #lo, #hi)); }));
                }
                let (put, _) = super::scalar_io(sc);
                let t = super::scalar_type(sc);
                out.push(quote!({
                    let n: usize = #first;
                    #(#checks)*
                    e.#put(#t::try_from(n).map_err(|_| e.count_overflow(n))?);
                }));
                continue;
            }
            if let (Some((lo, hi)), true) = (s.range, s.levels.is_empty()) {
                out.push(quote!(if !(#lo..=#hi).contains(&i128::from(self.#id)) { return Err(e.range(i128::from(self.#id), #lo, #hi)); }));
            }
            if let Some(code) = self.bounded_array(item, slots, j, true)? {
                out.push(code);
                continue;
            }
            // A kept count must agree with the arrays of this message it sizes.
            if let Some(check) = self.kept_count_check(item, slots, j, true)? {
                out.push(check);
            }
            out.push(self.ep(item, quote!(&self.#id), &s.levels, &s.data)?);
        }
        Ok(quote!(#(#out)*))
    }

    /// For an array slot sized by a plain reference to another slot of the
    /// same message that is kept as a field: the length check, on encode
    /// (`encode`) or decode.
    fn kept_count_check(
        &self,
        item: &str,
        slots: &[Slot],
        j: usize,
        encode: bool,
    ) -> Result<Option<TokenStream>> {
        let rt = &self.rt;
        let Some((_, a)) = array_level(&slots[j].levels) else {
            return Ok(None);
        };
        let Some(size) = &a.size_is else {
            return Ok(None);
        };
        // Every parameter the expression names must be in this message.
        let mut names = Vec::new();
        for r in size.refs() {
            match slots.iter().find(|s| s.param == Some(r)) {
                Some(s) if s.implied.is_none() && s.levels.is_empty() => {
                    names.push((r, s.id.clone()))
                }
                _ => return Ok(None),
            }
        }
        let value = |i: usize| {
            let id = names
                .iter()
                .find(|(r, _)| *r == i)
                .map(|(_, id)| id.clone());
            match (id, encode) {
                (Some(id), true) => quote!(self.#id),
                (Some(id), false) => quote!(#id),
                (None, _) => quote!(0),
            }
        };
        let want = self.corr(item, size, &value)?;
        let id = &slots[j].id;
        let present_len = match array_level(&slots[j].levels) {
            Some((0, _)) if encode => quote!(Some(self.#id.len())),
            Some((0, _)) => quote!(Some(#id.len())),
            _ if encode => quote!(self.#id.as_ref().map(|v| v.len())),
            _ => quote!(#id.as_ref().map(|v| v.len())),
        };
        Ok(Some(if encode {
            quote! {
                if let Some(have) = #present_len {
                    let want = #want;
                    if i128::try_from(have).ok() != Some(want) {
                        return Err(e.mismatch("array length against its size_is", usize::try_from(want).unwrap_or(usize::MAX), have));
                    }
                }
            }
        } else {
            quote! {
                if let Some(have) = #present_len {
                    #rt::ndr::check_correlation(d, "size_is", u64::try_from(#want).unwrap_or(u64::MAX), have as u64)?;
                }
            }
        }))
    }

    fn decode_message(&self, item: &str, slots: &[Slot]) -> Result<TokenStream> {
        let rt = &self.rt;
        let mut reads = Vec::new();
        let mut checks = Vec::new();
        for (j, s) in slots.iter().enumerate() {
            let id = &s.id;
            if let Some(t) = &s.fixed_type {
                reads.push(quote!(let #id = #rt::ndr::decode_pointee::<#t>(d)?;));
                continue;
            }
            if let Some(read) = self.bounded_array(item, slots, j, false)? {
                reads.push(quote!(let #id = #read;));
                continue;
            }
            let read = self.dp(item, &s.levels, &s.data, s.check)?;
            reads.push(quote!(let #id = #read;));
            if let (Some((lo, hi)), true) = (s.range, s.levels.is_empty()) {
                reads.push(quote!(#rt::ndr::check_range(d, i128::from(#id), #lo, #hi)?;));
            }
            if let Some(users) = &s.implied {
                for &u in users {
                    let uid = &slots[u].id;
                    let len = match array_level(&slots[u].levels) {
                        Some((0, _)) => quote!(#uid.len()),
                        _ => quote!(#uid.as_ref().map_or(0, |v| v.len())),
                    };
                    checks.push(quote!(#rt::ndr::check_correlation(d, "size_is", u64::try_from(#id).unwrap_or(u64::MAX), #len as u64)?;));
                }
            } else if let Some(check) = self.kept_count_check(item, slots, j, false)? {
                checks.push(check);
            }
        }
        let fields = slots.iter().filter(|s| s.implied.is_none()).map(|s| &s.id);
        Ok(quote! {
            #(#reads)*
            #(#checks)*
            Ok(Self { #(#fields,)* })
        })
    }

    /// A top-level array whose bounds other parameters give: varying
    /// (`length_is`, `first_is`, `last_is`), or sized by `max_is`. Its
    /// max_count, offset and actual count come from those parameters and
    /// are checked against the data both ways. Encode code, or a decode
    /// expression.
    fn bounded_array(
        &self,
        item: &str,
        slots: &[Slot],
        j: usize,
        encode: bool,
    ) -> Result<Option<TokenStream>> {
        let rt = &self.rt;
        let s = &slots[j];
        let Some((Level::Array(a), rest)) = s.levels.split_first() else {
            return Ok(None);
        };
        if a.string || (!a.is_varying() && a.max_is.is_none() && a.min_is.is_none()) {
            return Ok(None);
        }
        let mut known = Vec::new();
        for r in a.bounds().flat_map(|(_, e)| e.refs()) {
            match slots[..j].iter().find(|x| x.param == Some(r)) {
                Some(x) if x.implied.is_none() && x.levels.is_empty() => {
                    known.push((r, x.id.clone()))
                }
                _ => {
                    return Err(unsupported(
                        item,
                        "an array bounded by a parameter that does not precede it in its message",
                    ))
                }
            }
        }
        let value = |i: usize| match known.iter().find(|(r, _)| *r == i) {
            Some((_, id)) if encode => quote!(self.#id),
            Some((_, id)) => quote!(#id),
            None => quote!(0),
        };
        let max = match (a.fixed, &a.size_is, &a.max_is) {
            (Some(n), _, _) => {
                let n = n as i128;
                quote!(#n)
            }
            (None, Some(e), _) => self.corr(item, e, &value)?,
            (None, None, Some(e)) => {
                let m = self.corr(item, e, &value)?;
                quote!((#m).wrapping_add(1))
            }
            (None, None, None) => return Ok(None),
        };
        let min = match &a.min_is {
            Some(e) => self.corr(item, e, &value)?,
            None => quote!(0i128),
        };
        let first = match &a.first_is {
            Some(e) => self.corr(item, e, &value)?,
            None => quote!(0i128),
        };
        let count = match (&a.length_is, &a.last_is) {
            (Some(e), _) => self.corr(item, e, &value)?,
            (None, Some(e)) => {
                let last = self.corr(item, e, &value)?;
                quote!((#last).wrapping_sub(first).wrapping_add(1))
            }
            _ => quote!(max.wrapping_sub(first)),
        };
        let conformant = a.fixed.is_none();
        let varying = a.is_varying();
        let id = &s.id;
        if encode {
            let put_max = if conformant {
                quote!(e.count(usize::try_from(max).unwrap_or(usize::MAX))?;)
            } else {
                quote!()
            };
            let put_window = if varying {
                quote!(e.count(usize::try_from(first).unwrap_or(0))?; e.count(len)?;)
            } else {
                quote!()
            };
            let elems = self.elements_scalars(item, quote!(&self.#id), rest, &s.data)?;
            let bufs = self.buffers_loop(rest, &s.data, || {
                let each = self.eb(item, quote!(x), rest, &s.data)?;
                Ok(quote!(for x in self.#id.iter() { #each }))
            })?;
            return Ok(Some(quote! {{
                let (max, min): (i128, i128) = (#max, #min);
                let first: i128 = #first;
                let count: i128 = #count;
                let len = self.#id.len();
                let fits = min == 0 && first >= 0 && i128::try_from(len).is_ok_and(|l| first + l <= max);
                if i128::try_from(len).ok() != Some(count) || !fits {
                    return Err(e.mismatch("array against its size_is/length_is/first_is", usize::try_from(count).unwrap_or(usize::MAX), len));
                }
                #put_max
                #put_window
                #elems
                #bufs
            }}));
        }
        let check = s.check;
        let get_max = if conformant {
            quote!(i128::from(d.count()?))
        } else {
            quote!(max)
        };
        let get_window = if varying {
            quote!(#rt::ndr::decode_variance(d, u64::try_from(max).unwrap_or(0), #check)?)
        } else {
            quote!((0u32, u32::try_from(max).unwrap_or(0)))
        };
        let elems = self.elements(item, quote!(actual), rest, &s.data)?;
        let bufs = self.buffers_loop(rest, &s.data, || {
            let each = self.db(item, quote!(x), rest, &s.data, check)?;
            Ok(quote!(for x in v.iter_mut() { #each }))
        })?;
        Ok(Some(quote!({
            let (max, min): (i128, i128) = (#max, #min);
            let first: i128 = #first;
            let count: i128 = #count;
            let wire_max = #get_max;
            let (offset, actual) = #get_window;
            if wire_max != max || min != 0 || i128::from(offset) != first || i128::from(actual) != count {
                return Err(d.error(#rt::ndr::ErrorKind::Mismatch {
                    what: "array bounds against size_is/length_is/first_is",
                    expected: u64::try_from(count).unwrap_or(u64::MAX),
                    found: u64::from(actual),
                }));
            }
            #[allow(unused_mut)]
            let mut v = #elems;
            #bufs
            v
        })))
    }

    /// The server trait's method for `m`: its `[in]` parameters as values.
    fn trait_method(&self, iface: &Interface, m: &Method, msgs: &Messages) -> Result<TokenStream> {
        let rt = &self.rt;
        let item = format!("{}::{}", iface.name, m.name);
        let method = field_name(&method_name(m));
        let module = module_name(&iface.name);
        let (_, resp) = message_idents(m);
        let mut params = Vec::new();
        for s in msgs
            .request
            .iter()
            .filter(|s| s.implied.is_none() && s.fixed_type.is_none())
        {
            let id = &s.id;
            let t = self.slot_type(&item, s)?;
            params.push(quote!(#id: #t));
        }
        let doc = format!("`{}` (opnum {}).", m.name, m.opnum);
        // ORPC calls know their ORPCTHIS too; plain MS-RPC ones do not.
        let ctx = if iface.object {
            quote!(#rt::orpc::CallContext)
        } else {
            quote!(#rt::rpc::CallContext)
        };
        Ok(quote! {
            #[doc = #doc]
            fn #method(&self, ctx: &#ctx, #(#params),*) -> impl std::future::Future<Output = Result<#module::#resp, #rt::rpc::Fault>> + Send;
        })
    }

    fn dispatch_arm(&self, iface: &Interface, m: &Method, msgs: &Messages) -> Result<TokenStream> {
        let rt = &self.rt;
        let method = field_name(&method_name(m));
        let (req, _) = message_idents(m);
        let opnum = u16::try_from(m.opnum).map_err(|_| {
            unsupported(
                &format!("{}::{}", iface.name, m.name),
                "an opnum above 65535",
            )
        })?;
        let args: Vec<_> = msgs
            .request
            .iter()
            .filter(|s| s.implied.is_none() && s.fixed_type.is_none())
            .map(|s| {
                let id = &s.id;
                quote!(req.#id)
            })
            .collect();
        let binding = if args.is_empty() && !iface.object {
            quote!(_req)
        } else {
            quote!(req)
        };
        let orpc = if iface.object {
            quote!(let ctx = #rt::orpc::CallContext::new(ctx, req.orpcthis);)
        } else {
            quote!()
        };
        Ok(quote! {
            #opnum => {
                let #binding: #req = #rt::ndr::from_bytes(stub).map_err(#rt::rpc::Fault::from_ndr)?;
                #orpc
                let resp = server.#method(&ctx, #(#args),*).await?;
                #rt::ndr::try_to_bytes(&resp).map_err(#rt::rpc::Fault::from_ndr)
            }
        })
    }

    /// The client proxy: one async method per method on the wire,
    /// inherited ones included.
    fn client(&self, iface: &Interface) -> Result<TokenStream> {
        let rt = &self.rt;
        let name = type_name(&iface.name);
        let client = format_ident!("{}Client", iface.name);
        let mut methods = Vec::new();
        for m in self.m.all_methods(iface) {
            let owner = self.owner(iface, m);
            if !on_wire(owner, m) {
                continue;
            }
            let item = format!("{}::{}", owner.name, m.name);
            let msgs = self.messages(owner, m)?;
            let module = self.interface_path(owner, &module_name(&owner.name).to_string());
            let (req, resp) = message_idents(m);
            let method = field_name(&method_name(m));
            let opnum = m.opnum as u16;
            let mut params = Vec::new();
            let mut fields = Vec::new();
            for s in msgs.request.iter().filter(|s| s.implied.is_none()) {
                let id = &s.id;
                if s.fixed_type.is_some() {
                    fields.push(quote!(#id: #rt::orpc::orpcthis()));
                    continue;
                }
                let t = self.slot_type(&item, s)?;
                params.push(quote!(#id: #t));
                fields.push(quote!(#id));
            }
            let doc = format!("Calls `{}` (opnum {}).", m.name, m.opnum);
            methods.push(quote! {
                #[doc = #doc]
                pub async fn #method(&self, #(#params),*) -> Result<#module::#resp, #rt::rpc::CallError> {
                    let request = #module::#req { #(#fields,)* };
                    let stub = #rt::ndr::try_to_bytes(&request)?;
                    let reply = self.channel.call(#name::SYNTAX, #opnum, self.object, stub).await?;
                    Ok(#rt::ndr::from_bytes(&reply)?)
                }
            });
        }
        let doc = format!(
            "A client of `{}`, calling through any `msrpc::rpc::Channel`.",
            iface.name
        );
        Ok(quote! {
            #[doc = #doc]
            #[derive(Clone)]
            pub struct #client<C> {
                channel: C,
                object: Option<#rt::uuid::Uuid>,
            }

            impl<C: #rt::rpc::Channel> #rt::rpc::Proxy<C> for #client<C> {
                const SYNTAX: #rt::rpc::SyntaxId = #name::SYNTAX;
                fn connect(channel: C, object: Option<#rt::uuid::Uuid>) -> Self {
                    Self { channel, object }
                }
            }

            impl<C: #rt::rpc::Channel> #client<C> {
                /// A client calling through `channel`, with no object UUID.
                pub fn new(channel: C) -> Self {
                    Self { channel, object: None }
                }

                /// Calls on `object` (for ORPC, the IPID) in every request.
                pub fn with_object(channel: C, object: #rt::uuid::Uuid) -> Self {
                    Self { channel, object: Some(object) }
                }

                /// The channel this client calls through.
                pub fn channel(&self) -> &C {
                    &self.channel
                }

                #(#methods)*
            }
        })
    }

    /// Message types for `msidl ndr decode`: (`Iface.Method:in`, type path).
    pub(crate) fn message_names(&self, iface: &Interface) -> Vec<(String, TokenStream)> {
        let module = module_name(&iface.name);
        let mut out = Vec::new();
        for m in iface.methods.iter().filter(|m| on_wire(iface, m)) {
            let (req, resp) = message_idents(m);
            let name = method_name(m);
            for (dir, ty) in [("in", req), ("out", resp)] {
                out.push((format!("{}.{name}:{dir}", iface.name), quote!(#module::#ty)));
            }
        }
        out
    }

    /// Whether a value with these levels has a `Default` in Rust.
    pub(crate) fn has_default(&self, levels: &[Level], data: &DataType, depth: usize) -> bool {
        if depth > 32 {
            return false;
        }
        match levels.split_first() {
            None => match data {
                DataType::Base(_) | DataType::Interface(_) => true,
                DataType::Function | DataType::ContextHandle => false,
                // A Rust type of the user's may have no Default.
                DataType::Named(n) if self.extern_types.contains_key(&n.name) => false,
                DataType::Named(n) => {
                    let t = &self.m.types[self.m.resolve_alias(n.id).0];
                    match &t.kind {
                        _ if super::is_guid(t) => true,
                        TypeKind::Struct(s) => s
                            .fields
                            .iter()
                            .all(|f| self.has_default(&f.layout.levels, &f.layout.data, depth + 1)),
                        TypeKind::Enum(_) => true,
                        TypeKind::Alias(l) => self.has_default(&l.levels, &l.data, depth + 1),
                        _ => false,
                    }
                }
            },
            Some((Level::Pointer(p), rest)) => {
                p.kind != PointerKind::Ref
                    || matches!(rest.first(), Some(Level::Array(a)) if a.fixed.is_none())
                    || self.has_default(rest, data, depth + 1)
            }
            Some((Level::Array(a), rest)) => match a.fixed {
                Some(n) if !a.string && !a.is_varying() => {
                    n <= 32 && self.has_default(rest, data, depth + 1)
                }
                _ => true,
            },
        }
    }
}
