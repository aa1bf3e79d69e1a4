//! Structs and their `Ndr` impls. Four walks over a field's levels write
//! the code: encode inline parts, encode deferred pointees, and the same
//! two for decoding, with placeholders standing in between the passes.

use std::collections::BTreeMap;

use msrpc_idl::model::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{field_name, scalar_io, type_name, unsupported, Buffers, Data, Gen, Result};

/// The arrays a count field sizes: (field index, level index).
type Users = Vec<(usize, usize)>;

struct Plan<'s> {
    item: &'s str,
    fields: &'s [Field],
    /// Count fields the data implies, with the arrays they size.
    implied: BTreeMap<usize, Users>,
    /// The last field is an embedded conformant array: its max_count leads the struct.
    conformant: bool,
}

impl<'m> Gen<'m> {
    pub(crate) fn struct_def(&self, t: &TypeDef, s: &Struct) -> Result<TokenStream> {
        let plan = self.plan(&t.name, &s.fields)?;
        let rt = &self.rt;
        let name = type_name(&t.name);
        let doc = format!("`{}` from the IDL.", t.name);
        let mut decl = Vec::new();
        for (i, f) in s.fields.iter().enumerate() {
            if plan.implied.contains_key(&i) {
                continue;
            }
            let id = field_name(&f.name);
            let ty = self.rtype(&t.name, &f.layout.levels, &f.layout.data)?;
            let doc = format!("`{}`", f.name);
            decl.push(quote!(#[doc = #doc] pub #id: #ty));
        }
        let align = self.struct_align(&plan)?;
        let has_buffers = self.struct_has_buffers(&plan);
        // A few members of fixed place and size (REMINTERFACEREF, STDOBJREF):
        // inlined into the loops over arrays of them, which run about half
        // again as fast (BENCHMARKS.md); the compiler declines on its own.
        let flat = !plan.conformant
            && s.fields.len() <= 8
            && s.fields.iter().all(|f| f.layout.levels.is_empty());
        let inline = if flat {
            quote!(#[inline(always)])
        } else {
            quote!(#[inline])
        };
        let wire_min = self.struct_wire_min(&plan);
        let enc_body = self.encode_scalars(&plan)?;
        let dec_body = self.decode_scalars(&plan)?;
        // A conformant struct writes its max_count first, unless a struct
        // around it has hoisted the count further out.
        let (enc_scalars, dec_scalars, hoisted) = if plan.conformant {
            let count = self.conformance_expr(&plan);
            (
                quote! {
                    e.align(4);
                    e.count(#count)?;
                    #rt::ndr::Ndr::encode_scalars_hoisted(self, e)
                },
                quote! {
                    d.align(4)?;
                    let max = d.count()?;
                    <Self as #rt::ndr::Ndr>::decode_scalars_hoisted(d, max)
                },
                quote! {
                    fn conformance(&self) -> Option<usize> {
                        Some(#count)
                    }
                    fn encode_scalars_hoisted(&self, e: &mut #rt::ndr::Encoder) -> #rt::ndr::Result<()> {
                        #enc_body
                        Ok(())
                    }
                    fn decode_scalars_hoisted(d: &mut #rt::ndr::Decoder<'_>, __max: u32) -> #rt::ndr::Result<Self> {
                        #dec_body
                    }
                },
            )
        } else {
            (quote!(#enc_body Ok(())), dec_body, quote!())
        };
        // Types with no pointees keep the trait's empty buffer passes.
        let enc_buffers = self.encode_buffers(&plan)?;
        let enc_buffers = if enc_buffers.is_empty() {
            quote!()
        } else {
            quote! {
                fn encode_buffers(&self, e: &mut #rt::ndr::Encoder) -> #rt::ndr::Result<()> {
                    #enc_buffers
                    Ok(())
                }
            }
        };
        let dec_buffers = self.decode_buffers(&plan)?;
        let dec_buffers = if dec_buffers.is_empty() {
            quote!()
        } else {
            quote! {
                fn decode_buffers(&mut self, d: &mut #rt::ndr::Decoder<'_>) -> #rt::ndr::Result<()> {
                    #dec_buffers
                    Ok(())
                }
            }
        };
        let placeholders = s
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| !plan.implied.contains_key(i))
            .map(|(_, f)| {
                let id = field_name(&f.name);
                let ph = self.placeholder(&t.name, &f.layout.levels, &f.layout.data)?;
                Ok(quote!(#id: #ph))
            })
            .collect::<Result<Vec<_>>>()?;
        let attrs = &self.attrs;
        let default = s
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| !plan.implied.contains_key(i))
            .all(|(_, f)| self.has_default(&f.layout.levels, &f.layout.data, 0));
        let default = if default { quote!(Default,) } else { quote!() };
        let definition = if self.impls_only {
            quote!()
        } else {
            quote! {
                #[doc = #doc]
                #[derive(Debug, Clone, PartialEq, #default)]
                #attrs
                pub struct #name { #(#decl,)* }
            }
        };
        Ok(quote! {
            #definition

            impl #rt::ndr::Ndr for #name {
                const ALIGN: usize = #align;
                const HAS_BUFFERS: bool = #has_buffers;
                const WIRE_MIN: usize = #wire_min;
                #inline
                fn encode_scalars(&self, e: &mut #rt::ndr::Encoder) -> #rt::ndr::Result<()> {
                    #enc_scalars
                }
                #enc_buffers
                #inline
                fn decode_scalars(d: &mut #rt::ndr::Decoder<'_>) -> #rt::ndr::Result<Self> {
                    #dec_scalars
                }
                #dec_buffers
                fn placeholder() -> Self {
                    Self { #(#placeholders,)* }
                }
                #hoisted
            }
        })
    }

    /// Which count fields the data implies, and whether the struct is conformant.
    fn plan<'s>(&self, item: &'s str, fields: &'s [Field]) -> Result<Plan<'s>> {
        let mut refs: BTreeMap<usize, (Users, bool)> = BTreeMap::new();
        for (j, f) in fields.iter().enumerate() {
            let l = &f.layout;
            for e in [&l.switch_is, &l.iid_is].into_iter().flatten() {
                for r in e.refs() {
                    refs.entry(r).or_default().1 = true;
                }
            }
            for (k, level) in l.levels.iter().enumerate() {
                let Level::Array(a) = level else { continue };
                for (attr, e) in a.bounds() {
                    let plain = matches!(e, Expr::Ref { .. }) && attr == "size";
                    for r in e.refs() {
                        let entry = refs.entry(r).or_default();
                        if plain {
                            entry.0.push((j, k));
                        } else {
                            entry.1 = true;
                        }
                    }
                }
            }
        }
        let implied = refs
            .into_iter()
            .filter(|(i, (users, other))| {
                !other
                    && !users.is_empty()
                    && fields.get(*i).is_some_and(|f| f.layout.levels.is_empty() && matches!(self.data(&f.layout.data, item), Ok(Data::Scalar(s)) if s.is_integer()))
                    && users.iter().all(|(_, k)| *k <= 1)
                    && fields.get(*i).is_none_or(|f| !self.kept_counts.contains(&f.name))
            })
            .map(|(i, (users, _))| (i, users))
            .collect();
        for (i, f) in fields.iter().enumerate() {
            if let Some(Level::Array(a)) = f.layout.levels.first() {
                if a.fixed.is_none() && i + 1 != fields.len() {
                    return Err(unsupported(
                        item,
                        "an embedded conformant array that is not the last field",
                    ));
                }
            }
            // The last member may be a conformant struct (its count is hoisted).
            let ends = i + 1 == fields.len() && f.layout.levels.is_empty();
            if !ends {
                self.check_supported(item, &f.layout)?;
            }
        }
        // Conformant: the last member is a conformant array, or itself a
        // conformant struct whose max_count moves out to ours.
        let conformant = fields
            .last()
            .is_some_and(|f| match f.layout.levels.first() {
                Some(Level::Array(a)) => a.fixed.is_none(),
                Some(Level::Pointer(_)) => false,
                None => self.is_conformant(&f.layout.data, 0),
            });
        Ok(Plan {
            item,
            fields,
            implied,
            conformant,
        })
    }

    /// `HAS_BUFFERS` of a struct: whether any member has pointees.
    fn struct_has_buffers(&self, plan: &Plan) -> TokenStream {
        let mut conds = Vec::new();
        for f in plan.fields {
            match self.buffers_when(&f.layout.levels, &f.layout.data) {
                Buffers::Never => {}
                Buffers::Always => return quote!(true),
                Buffers::If(c) => conds.push(c),
            }
        }
        if conds.is_empty() {
            quote!(false)
        } else {
            quote!(#(#conds)||*)
        }
    }

    fn struct_align(&self, plan: &Plan) -> Result<TokenStream> {
        let rt = &self.rt;
        let mut aligns = Vec::new();
        if plan.conformant {
            aligns.push(quote!(4));
        }
        for f in plan.fields {
            aligns.push(self.align_of(plan.item, &f.layout.levels, &f.layout.data)?);
        }
        Ok(quote!(#rt::ndr::max_align(&[#(#aligns),*])))
    }

    /// The alignment of a value's inline part.
    pub(crate) fn align_of(
        &self,
        item: &str,
        levels: &[Level],
        data: &DataType,
    ) -> Result<TokenStream> {
        let rt = &self.rt;
        Ok(match levels.split_first() {
            None => match self.data(data, item)? {
                Data::Scalar(s) => {
                    let n = scalar_io(s).1;
                    quote!(#n)
                }
                Data::Type => {
                    let ty = self.data_type(data, item)?;
                    quote!(<#ty as #rt::ndr::Ndr>::ALIGN)
                }
            },
            Some((Level::Pointer(_), _)) => quote!(4),
            Some((Level::Array(a), rest)) => {
                let inner = self.align_of(item, rest, data)?;
                if a.is_varying() {
                    quote!(#rt::ndr::max_align(&[4, #inner]))
                } else {
                    inner
                }
            }
        })
    }

    // ---------------------------------------------------------------- counts

    /// The length of the array a count field sizes, read from the value.
    fn user_len(&self, plan: &Plan, (j, k): (usize, usize)) -> Result<TokenStream> {
        let f = &plan.fields[j];
        let id = field_name(&f.name);
        match (k, f.layout.levels.first()) {
            (0, _) => Ok(quote!(self.#id.len())),
            (1, Some(Level::Pointer(p))) if p.kind == PointerKind::Ref => {
                Ok(quote!(self.#id.len()))
            }
            (1, Some(Level::Pointer(_))) => Ok(quote!(self.#id.as_ref().map_or(0, |v| v.len()))),
            _ => Err(unsupported(plan.item, "a count that sizes a deeper level")),
        }
    }

    /// A correlation expression as Rust, over `value(i)` for field `i`.
    pub(crate) fn corr(
        &self,
        item: &str,
        e: &Expr,
        value: &dyn Fn(usize) -> TokenStream,
    ) -> Result<TokenStream> {
        Ok(match e {
            Expr::Int(v) | Expr::Const { value: v, .. } => quote!(#v),
            Expr::Ref { index, .. } => {
                let v = value(*index);
                quote!(i128::from(#v))
            }
            Expr::Unary(op, a) => {
                let a = self.corr(item, a, value)?;
                match op {
                    UnOp::Neg => quote!((#a).wrapping_neg()),
                    UnOp::Plus => a,
                    UnOp::BitNot => quote!(!(#a)),
                    UnOp::Not => quote!(i128::from((#a) == 0)),
                    UnOp::Deref | UnOp::AddrOf => {
                        return Err(unsupported(item, "`*` or `&` in a correlation"))
                    }
                }
            }
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.corr(item, a, value)?, self.corr(item, b, value)?);
                match op {
                    BinOp::Add => quote!((#a).wrapping_add(#b)),
                    BinOp::Sub => quote!((#a).wrapping_sub(#b)),
                    BinOp::Mul => quote!((#a).wrapping_mul(#b)),
                    BinOp::Div => quote!((#a).checked_div(#b).unwrap_or(0)),
                    BinOp::Rem => quote!((#a).checked_rem(#b).unwrap_or(0)),
                    BinOp::Shl => {
                        quote!((#a).checked_shl(u32::try_from(#b).unwrap_or(u32::MAX)).unwrap_or(0))
                    }
                    BinOp::Shr => {
                        quote!((#a).checked_shr(u32::try_from(#b).unwrap_or(u32::MAX)).unwrap_or(0))
                    }
                    BinOp::BitAnd => quote!((#a) & (#b)),
                    BinOp::BitOr => quote!((#a) | (#b)),
                    BinOp::BitXor => quote!((#a) ^ (#b)),
                    BinOp::And => quote!(i128::from((#a) != 0 && (#b) != 0)),
                    BinOp::Or => quote!(i128::from((#a) != 0 || (#b) != 0)),
                    BinOp::Eq => quote!(i128::from((#a) == (#b))),
                    BinOp::Ne => quote!(i128::from((#a) != (#b))),
                    BinOp::Lt => quote!(i128::from((#a) < (#b))),
                    BinOp::Gt => quote!(i128::from((#a) > (#b))),
                    BinOp::Le => quote!(i128::from((#a) <= (#b))),
                    BinOp::Ge => quote!(i128::from((#a) >= (#b))),
                }
            }
            Expr::Cond(c, a, b) => {
                let (c, a, b) = (
                    self.corr(item, c, value)?,
                    self.corr(item, a, value)?,
                    self.corr(item, b, value)?,
                );
                quote!(if (#c) != 0 { #a } else { #b })
            }
            Expr::Member { .. } => {
                return Err(unsupported(item, "a member access in a correlation"))
            }
            Expr::Unknown(n) => return Err(unsupported(item, &format!("the unknown name `{n}`"))),
        })
    }

    /// The `size_is` or `length_is` that fixes the length of the array at
    /// level `k` of field `j`, when it is an expression rather than an implied count.
    fn sized_by<'e>(&self, plan: &'e Plan, j: usize, k: usize) -> Option<&'e Expr> {
        let Some(Level::Array(a)) = plan.fields[j].layout.levels.get(k) else {
            return None;
        };
        let e = a.size_is.as_ref().or(a.length_is.as_ref())?;
        match e {
            Expr::Ref { index, .. } if plan.implied.contains_key(index) => None,
            e => Some(e),
        }
    }

    // ---------------------------------------------------------------- encode

    fn encode_scalars(&self, plan: &Plan) -> Result<TokenStream> {
        let mut out = Vec::new();
        // Implied counts come from the arrays; arrays sized alike must agree.
        for (i, users) in &plan.implied {
            let local = local_name(&plan.fields[*i]);
            let first = self.user_len(plan, users[0])?;
            out.push(quote!(let #local: usize = #first;));
            for u in &users[1..] {
                let other = self.user_len(plan, *u)?;
                let what = "arrays sized by one count";
                out.push(
                    quote!(if #other != #local { return Err(e.mismatch(#what, #local, #other)); }),
                );
            }
        }
        out.push(quote!(e.align(<Self as ndr_::Ndr>::ALIGN);));
        for (i, f) in plan.fields.iter().enumerate() {
            if plan.implied.contains_key(&i) {
                let local = local_name(&plan.fields[i]);
                let Ok(Data::Scalar(s)) = self.data(&f.layout.data, plan.item) else {
                    continue;
                };
                let (put, _) = scalar_io(s);
                let ty = super::scalar_type(s);
                if let Some((lo, hi)) = f.layout.range {
                    out.push(quote!(if !(#lo..=#hi).contains(&(#local as i128)) { return Err(e.range(#local as i128, #lo, #hi)); }));
                }
                out.push(
                    quote!(e.#put(#ty::try_from(#local).map_err(|_| e.count_overflow(#local))?);),
                );
                continue;
            }
            let id = field_name(&f.name);
            out.push(self.check_expr_len_encode(plan, i)?);
            if let (Some(e), true) = (&f.layout.switch_is, f.layout.levels.is_empty()) {
                // The union's own variant decides its discriminant; the
                // field that switch_is names must agree with it.
                let value = self_field(plan);
                let want = self.corr(plan.item, e, &value)?;
                out.push(quote! {
                    let (want, have) = (#want, self.#id.discriminant());
                    if want != have {
                        return Err(e.mismatch("union discriminant against its switch_is", usize::try_from(want).unwrap_or(usize::MAX), usize::try_from(have).unwrap_or(usize::MAX)));
                    }
                });
            }
            if let (Some((lo, hi)), true) = (f.layout.range, f.layout.levels.is_empty()) {
                out.push(quote!(if !(#lo..=#hi).contains(&i128::from(self.#id)) { return Err(e.range(i128::from(self.#id), #lo, #hi)); }));
            }
            if let Some(window) = self.varying_fixed_encode(plan, i)? {
                out.push(window);
                continue;
            }
            let nested =
                plan.conformant && i + 1 == plan.fields.len() && f.layout.levels.is_empty();
            if nested {
                let rt = &self.rt;
                out.push(quote!(#rt::ndr::Ndr::encode_scalars_hoisted(&self.#id, e)?;));
                continue;
            }
            out.push(self.es(
                plan.item,
                quote!(&self.#id),
                &f.layout.levels,
                &f.layout.data,
            )?);
        }
        let rt = &self.rt;
        Ok(quote!(use #rt::ndr as ndr_; #(#out)*))
    }

    /// The first index and the count a varying array's attributes give,
    /// as i128 expressions over `value(i)`.
    pub(crate) fn window_exprs(
        &self,
        item: &str,
        a: &Array,
        value: &dyn Fn(usize) -> TokenStream,
    ) -> Result<(TokenStream, TokenStream)> {
        let first = match &a.first_is {
            Some(e) => self.corr(item, e, value)?,
            None => quote!(0i128),
        };
        let count = match (&a.length_is, &a.last_is) {
            (Some(e), _) => self.corr(item, e, value)?,
            (None, Some(e)) => {
                let last = self.corr(item, e, value)?;
                quote!((#last).wrapping_sub(#first).wrapping_add(1))
            }
            // first_is alone: everything from there to the end.
            (None, None) => {
                let n = a.fixed.unwrap_or(0) as i128;
                quote!(#n.wrapping_sub(#first))
            }
        };
        Ok((first, count))
    }

    /// A varying fixed array (`[length_is(n)] short a[8]`) inline in a
    /// struct: offset, actual count, then the elements sent.
    fn varying_fixed_encode(&self, plan: &Plan, i: usize) -> Result<Option<TokenStream>> {
        let f = &plan.fields[i];
        let Some((a, rest)) = varying_fixed(&f.layout) else {
            return Ok(None);
        };
        let id = field_name(&f.name);
        let max = a.fixed.unwrap_or(0) as usize;
        let value = self_field(plan);
        let (first, count) = self.window_exprs(plan.item, a, &value)?;
        let elems = self.elements_scalars(plan.item, quote!(&self.#id), rest, &f.layout.data)?;
        Ok(Some(quote! {{
            let (first, count) = (#first, #count);
            let len = self.#id.len();
                        let fits = usize::try_from(first).ok().and_then(|first| first.checked_add(len)).is_some_and(|end| end <= #max);
            if i128::try_from(len).ok() != Some(count) || !fits {
                return Err(e.mismatch("varying array against first_is/length_is/last_is", usize::try_from(count).unwrap_or(usize::MAX), len));
            }
                        e.count(usize::try_from(first).unwrap_or(0))?;
            e.count(len)?;
            #elems
        }}))
    }

    /// A pointer to a conformant-varying array whose bounds are expressions
    /// (`[size_is(MaximumLength/2), length_is(Length/2)] WCHAR *Buffer`):
    /// max_count, offset and actual count come from the fields and are
    /// checked against the data, both ways. Encode and decode code.
    fn bounded_pointee(&self, plan: &Plan, j: usize) -> Result<Option<(TokenStream, TokenStream)>> {
        let rt = &self.rt;
        let f = &plan.fields[j];
        let l = &f.layout;
        let (Some(Level::Pointer(p)), Some(Level::Array(a))) = (l.levels.first(), l.levels.get(1))
        else {
            return Ok(None);
        };
        if a.fixed.is_some() || !a.is_varying() || a.string {
            return Ok(None);
        }
        let implied = plan.implied.values().any(|users| users.contains(&(j, 1)));
        let Some(size) = a.size_is.as_ref().filter(|_| !implied) else {
            return Ok(None);
        };
        let rest = &l.levels[2..];
        let value = self_field(plan);
        let max = self.corr(plan.item, size, &value)?;
        let (first, count) = self.window_exprs(
            plan.item,
            &Array {
                fixed: None,
                ..a.clone()
            },
            &value,
        )?;
        // With no length_is/last_is, window_exprs' fallback uses the fixed size; use max here.
        let count = if a.length_is.is_none() && a.last_is.is_none() {
            quote!((#max).wrapping_sub(#first))
        } else {
            count
        };
        let id = field_name(&f.name);
        let check = !l.disable_consistency_check;
        let elems_out = self.elements_scalars(plan.item, quote!(v), rest, &l.data)?;
        let bufs_out = self.buffers_loop(rest, &l.data, || {
            let each = self.eb(plan.item, quote!(x), rest, &l.data)?;
            Ok(quote!(for x in v.iter() { #each }))
        })?;
        let (open, open_mut) = match p.kind {
            PointerKind::Ref => (quote!(let v = &self.#id;), quote!(let v = &mut self.#id;)),
            _ => (
                quote!(if let Some(v) = &self.#id),
                quote!(if let Some(v) = &mut self.#id),
            ),
        };
        let enc = quote! {{
            let (max, first, count) = (#max, #first, #count);
            #open {
            let len = v.len();
            let fits = usize::try_from(first).ok().and_then(|f| f.checked_add(len)).is_some_and(|end| i128::try_from(end).is_ok_and(|end| end <= max));
            if i128::try_from(len).ok() != Some(count) || !fits {
                return Err(e.mismatch("array against its size_is/length_is", usize::try_from(count).unwrap_or(usize::MAX), len));
            }
            e.count(usize::try_from(max).unwrap_or(usize::MAX))?;
            e.count(usize::try_from(first).unwrap_or(0))?;
                        e.count(len)?;
            #elems_out
            #bufs_out
            }
        }};
        let elems_in = self.elements(plan.item, quote!(actual), rest, &l.data)?;
        let bufs_in = self.buffers_loop(rest, &l.data, || {
            let each = self.db(plan.item, quote!(x), rest, &l.data, check)?;
            Ok(quote!(for x in v.iter_mut() { #each }))
        })?;
        let binding = if bufs_in.is_empty() {
            quote!(let v)
        } else {
            quote!(let mut v)
        };
        let read = quote!(d.nested(|d| {
            let __max = d.count()?;
            let (offset, actual) = #rt::ndr::decode_variance(d, u64::from(__max), #check)?;
            if i128::from(__max) != max || i128::from(offset) != first || i128::from(actual) != count {
                return Err(d.error(#rt::ndr::ErrorKind::Mismatch {
                    what: "array bounds against size_is/length_is",
                    expected: count as u64,
                    found: u64::from(actual),
                }));
            }
            #binding = #elems_in;
            #bufs_in
            Ok(v)
        })?);
        // The bounds are computed before `self`'s field is borrowed.
        let dec = match p.kind {
            PointerKind::Ref => {
                quote!({ let (max, first, count) = (#max, #first, #count); #open_mut *v = #read; })
            }
            _ => {
                quote!({ let (max, first, count) = (#max, #first, #count); #open_mut { *v = #read; } })
            }
        };
        Ok(Some((enc, dec)))
    }

    /// On encode, an array sized by an expression must have that length.
    fn check_expr_len_encode(&self, plan: &Plan, j: usize) -> Result<TokenStream> {
        let f = &plan.fields[j];
        let mut out = Vec::new();
        for k in 0..f.layout.levels.len().min(2) {
            let Some(e) = self.sized_by(plan, j, k) else {
                continue;
            };
            if k == 1 && self.bounded_pointee(plan, j)?.is_some() {
                continue;
            }
            let value = self_field(plan);
            let want = self.corr(plan.item, e, &value)?;
            let len = self.user_len(plan, (j, k))?;
            let present = if k == 0 {
                quote!(true)
            } else {
                let id = field_name(&f.name);
                match f.layout.levels.first() {
                    Some(Level::Pointer(p)) if p.kind != PointerKind::Ref => {
                        quote!(self.#id.is_some())
                    }
                    _ => quote!(true),
                }
            };
            out.push(quote! {
                if #present {
                    let want = #want;
                    let have = #len;
                    if i128::try_from(have).ok() != Some(want) {
                        return Err(e.mismatch("array length against its size_is", usize::try_from(want).unwrap_or(usize::MAX), have));
                    }
                }
            });
        }
        Ok(quote!(#(#out)*))
    }

    fn encode_buffers(&self, plan: &Plan) -> Result<TokenStream> {
        let mut out = Vec::new();
        for (i, f) in plan.fields.iter().enumerate() {
            if plan.implied.contains_key(&i) {
                continue;
            }
            if let Some((enc, _)) = self.bounded_pointee(plan, i)? {
                out.push(enc);
                continue;
            }
            let id = field_name(&f.name);
            out.push(self.eb(
                plan.item,
                quote!(&self.#id),
                &f.layout.levels,
                &f.layout.data,
            )?);
        }
        Ok(quote!(#(#out)*))
    }

    /// Inline part of a value at `place` (an expression of type `&T`).
    pub(crate) fn es(
        &self,
        item: &str,
        place: TokenStream,
        levels: &[Level],
        data: &DataType,
    ) -> Result<TokenStream> {
        let rt = &self.rt;
        Ok(match levels.split_first() {
            None => match self.data(data, item)? {
                Data::Scalar(s) => {
                    let (put, _) = scalar_io(s);
                    let v = value_of(&place);
                    quote!(e.#put(#v);)
                }
                Data::Type => quote!(#rt::ndr::Ndr::encode_scalars(#place, e)?;),
            },
            Some((Level::Pointer(p), _)) => match p.kind {
                PointerKind::Ref => quote!(e.referent(true);),
                PointerKind::Full => {
                    let r = recv(&place);
                    quote!(e.full_referent(#r.as_ref());)
                }
                PointerKind::Unique => {
                    let r = recv(&place);
                    quote!(e.referent(#r.is_some());)
                }
            },
            Some((Level::Array(a), _)) if a.fixed.is_some() && a.is_varying() && !a.string => {
                return Err(unsupported(
                    item,
                    "a varying fixed-size array outside a struct",
                ));
            }
            // `[string] wchar_t name[16]`: a varying string inline.
            Some((Level::Array(a), [])) if a.string => {
                let max = a.fixed.unwrap_or(u64::from(u32::MAX)) as usize;
                let r = recv(&place);
                quote!(#r.encode_varying(e, #max)?;)
            }
            Some((Level::Array(a), rest)) => {
                let mut out = Vec::new();
                if a.fixed.is_none() && a.is_varying() {
                    let r = recv(&place);
                    out.push(quote!(e.count(0)?; e.count(#r.len())?;));
                }
                out.push(self.elements_scalars(item, place, rest, data)?);
                quote!(#(#out)*)
            }
        })
    }

    pub(crate) fn elements_scalars(
        &self,
        item: &str,
        place: TokenStream,
        rest: &[Level],
        data: &DataType,
    ) -> Result<TokenStream> {
        if rest.is_empty() {
            if let Data::Scalar(s) = self.data(data, item)? {
                if let Some(bulk) = bulk_put(s) {
                    return Ok(quote!(e.#bulk(#place);));
                }
            }
        }
        let each = self.es(item, quote!(x), rest, data)?;
        let r = recv(&place);
        Ok(quote!(for x in #r.iter() { #each }))
    }

    /// Deferred pointees of a value at `place`.
    pub(crate) fn eb(
        &self,
        item: &str,
        place: TokenStream,
        levels: &[Level],
        data: &DataType,
    ) -> Result<TokenStream> {
        let rt = &self.rt;
        Ok(match levels.split_first() {
            None => match self.data(data, item)? {
                Data::Scalar(_) => quote!(),
                Data::Type => quote!(#rt::ndr::Ndr::encode_buffers(#place, e)?;),
            },
            Some((Level::Pointer(p), rest)) => {
                let deref = if pointee_is_vec(rest) {
                    quote!(v)
                } else {
                    quote!(&**v)
                };
                let body = self.ep(item, deref, rest, data)?;
                match p.kind {
                    PointerKind::Ref => quote!({ let v = #place; #body }),
                    PointerKind::Full => {
                        quote!(if let Some(v) = #place { if e.full_first(v) { #body } })
                    }
                    PointerKind::Unique => quote!(if let Some(v) = #place { #body }),
                }
            }
            Some((Level::Array(_), rest)) => self.buffers_loop(rest, data, || {
                let each = self.eb(item, quote!(x), rest, data)?;
                let r = recv(&place);
                Ok(quote!(for x in #r.iter() { #each }))
            })?,
        })
    }

    /// A complete pointee at `v` (an expression of type `&T`).
    pub(crate) fn ep(
        &self,
        item: &str,
        v: TokenStream,
        levels: &[Level],
        data: &DataType,
    ) -> Result<TokenStream> {
        let rt = &self.rt;
        Ok(match levels.split_first() {
            None => match self.data(data, item)? {
                Data::Scalar(s) => {
                    let (put, _) = scalar_io(s);
                    let v = value_of(&v);
                    quote!(e.#put(#v);)
                }
                Data::Type => quote!(#rt::ndr::encode_pointee(e, #v)?;),
            },
            Some((Level::Array(a), rest)) => {
                if a.string && rest.is_empty() {
                    return Ok(quote!((#v).encode(e)?;));
                }
                let mut out = Vec::new();
                if a.fixed.is_none() {
                    out.push(quote!(e.count((#v).len())?;));
                }
                if a.is_varying() {
                    out.push(quote!(e.count(0)?; e.count((#v).len())?;));
                }
                out.push(self.elements_scalars(item, v.clone(), rest, data)?);
                out.push(self.buffers_loop(rest, data, || {
                    let each = self.eb(item, quote!(x), rest, data)?;
                    Ok(quote!(for x in (#v).iter() { #each }))
                })?);
                quote!(#(#out)*)
            }
            Some((Level::Pointer(_), _)) => {
                let s = self.es(item, v.clone(), levels, data)?;
                let b = self.eb(item, v, levels, data)?;
                quote!(e.align(4); #s #b)
            }
        })
    }

    /// Whether values of `levels` over `data` have deferred pointees: a
    /// pointer level says so here; a named type says so through its
    /// `HAS_BUFFERS`, when the Rust compiles.
    pub(crate) fn buffers_when(&self, levels: &[Level], data: &DataType) -> Buffers {
        if levels.iter().any(|l| matches!(l, Level::Pointer(_))) {
            return Buffers::Always;
        }
        match (self.data(data, ""), self.data_type(data, "")) {
            (Ok(Data::Type), Ok(ty)) => {
                let rt = &self.rt;
                Buffers::If(quote!(<#ty as #rt::ndr::Ndr>::HAS_BUFFERS))
            }
            (Ok(Data::Type), Err(_)) => Buffers::Always,
            _ => Buffers::Never,
        }
    }

    /// The buffer pass `pass` makes over elements of `levels` over `data`:
    /// nothing if they have no pointees, and behind the type's
    /// `HAS_BUFFERS` if only it knows, so that arrays of flat structs skip
    /// a loop of empty calls.
    pub(crate) fn buffers_loop(
        &self,
        levels: &[Level],
        data: &DataType,
        pass: impl FnOnce() -> Result<TokenStream>,
    ) -> Result<TokenStream> {
        Ok(match self.buffers_when(levels, data) {
            Buffers::Never => quote!(),
            Buffers::Always => pass()?,
            Buffers::If(cond) => {
                let pass = pass()?;
                quote!(if #cond { #pass })
            }
        })
    }

    // ---------------------------------------------------------------- decode

    fn decode_scalars(&self, plan: &Plan) -> Result<TokenStream> {
        let rt = &self.rt;
        let mut out = Vec::new();
        out.push(quote!(d.align(<Self as #rt::ndr::Ndr>::ALIGN)?;));
        let local = |i: usize| local_name(&plan.fields[i]);
        for (i, f) in plan.fields.iter().enumerate() {
            let name = local(i);
            let l = &f.layout;
            let value = if i + 1 == plan.fields.len() && plan.conformant {
                self.embedded_conformant(plan.item, l)?
            } else if let Some((a, rest)) = varying_fixed(l) {
                // Offset and actual count, checked against their fields below.
                let max = a.fixed.unwrap_or(0);
                let (off, len) = window_locals(f);
                let check = !l.disable_consistency_check;
                let elems = self.elements(plan.item, quote!(#len), rest, &l.data)?;
                out.push(quote!(let (#off, #len) = #rt::ndr::decode_variance(d, #max, #check)?;));
                elems
            } else {
                self.ds(plan.item, &l.levels, &l.data)?
            };
            // Only a sized pointee's placeholder is written to after this.
            let filled = plan.implied.values().any(|users| users.contains(&(i, 1)));
            out.push(if filled {
                quote!(let mut #name = #value;)
            } else {
                quote!(let #name = #value;)
            });
            if let Some((lo, hi)) = l.range {
                out.push(quote!(#rt::ndr::check_range(d, i128::from(#name), #lo, #hi)?;));
            }
        }
        // Counts against the arrays they size.
        let value = |i: usize| {
            let n = local(i);
            quote!(#n)
        };
        // Varying arrays' offsets and counts against first_is, length_is, last_is.
        for f in plan.fields {
            let Some((a, _)) = varying_fixed(&f.layout) else {
                continue;
            };
            let (off, len) = window_locals(f);
            let (first, count) = self.window_exprs(plan.item, a, &value)?;
            out.push(quote! {{
                let (first, count) = (#first, #count);
                if i128::from(#off) != first || i128::from(#len) != count {
                    return Err(d.error(#rt::ndr::ErrorKind::Mismatch {
                        what: "varying array bounds against first_is/length_is/last_is",
                        expected: count as u64,
                        found: u64::from(#len),
                    }));
                }
            }});
        }
        for (i, users) in &plan.implied {
            let count = local_name(&plan.fields[*i]);
            for &(j, k) in users {
                let arr = local(j);
                if k == 0 {
                    out.push(quote!(#rt::ndr::check_correlation(d, "size_is", u64::try_from(#count).unwrap_or(u64::MAX), #arr.len() as u64)?;));
                } else {
                    // The pointee comes later; its placeholder carries the count,
                    // once the bytes left show that many elements can follow.
                    let levels = &plan.fields[j].layout.levels;
                    let each = self.placeholder(
                        plan.item,
                        levels.get(2..).unwrap_or(&[]),
                        &plan.fields[j].layout.data,
                    )?;
                    let min =
                        self.min_size(levels.get(2..).unwrap_or(&[]), &plan.fields[j].layout.data);
                    let fill = quote!({
                        let n = d.promise(u64::try_from(#count).unwrap_or(u64::MAX), #min)?;
                        (0..n).map(|_| #each).collect()
                    });
                    let set = match levels.first() {
                        Some(Level::Pointer(p)) if p.kind == PointerKind::Ref => {
                            quote!(#arr = #fill;)
                        }
                        // A null pointer sends no elements, so its count must be 0.
                        _ => quote!(match &mut #arr {
                            Some(v) => *v = #fill,
                            None if #count != 0 => return Err(d.error(#rt::ndr::ErrorKind::Mismatch {
                                what: "count of a null pointer's array", expected: 0, found: u64::try_from(#count).unwrap_or(u64::MAX),
                            })),
                            None => {}
                        }),
                    };
                    out.push(set);
                }
            }
        }
        for (i, f) in plan.fields.iter().enumerate() {
            if let (Some(e), true) = (&f.layout.switch_is, f.layout.levels.is_empty()) {
                let want = self.corr(plan.item, e, &value)?;
                let have = local(i);
                out.push(quote! {
                    let (want, have) = (#want, #have.discriminant());
                    if want != have {
                        return Err(d.error(#rt::ndr::ErrorKind::Mismatch { what: "switch_is", expected: want as u64, found: have as u64 }));
                    }
                });
            }
        }
        if plan.conformant {
            let last = plan.fields.len() - 1;
            if let Some(e) = self.sized_by(plan, last, 0) {
                let want = self.corr(plan.item, e, &value)?;
                out.push(quote!(#rt::ndr::check_correlation(d, "size_is", u64::try_from(#want).unwrap_or(u64::MAX), u64::from(__max))?;));
            }
        }
        let inits = plan
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| !plan.implied.contains_key(i))
            .map(|(i, f)| {
                let id = field_name(&f.name);
                let n = local(i);
                if id == n {
                    quote!(#id)
                } else {
                    quote!(#id: #n)
                }
            });
        Ok(quote! {
            #(#out)*
            Ok(Self { #(#inits,)* })
        })
    }

    /// The max_count of a conformant struct: its array's length (a string's
    /// with the terminator), or the conformance of the struct it ends with.
    fn conformance_expr(&self, plan: &Plan) -> TokenStream {
        let rt = &self.rt;
        let last = &plan.fields[plan.fields.len() - 1];
        let id = field_name(&last.name);
        match last.layout.levels.first() {
            Some(Level::Array(a)) if a.string => quote!(self.#id.as_units().len() + 1),
            Some(_) => quote!(self.#id.len()),
            None => quote!(#rt::ndr::Ndr::conformance(&self.#id).unwrap_or(0)),
        }
    }

    /// The last field's conformant array, whose max_count led the struct.
    fn embedded_conformant(&self, item: &str, l: &Layout) -> Result<TokenStream> {
        let rt = &self.rt;
        let Some((Level::Array(a), rest)) = l.levels.split_first() else {
            // A conformant struct as the last member: it reads on with our count.
            let ty = self.data_type(&l.data, item)?;
            return Ok(quote!(<#ty as #rt::ndr::Ndr>::decode_scalars_hoisted(d, __max)?));
        };
        if a.string && rest.is_empty() {
            let s = self.string_type(item, &l.data)?;
            return Ok(quote!(#rt::ndr::#s::decode_varying(d, u64::from(__max))?));
        }
        let check = !l.disable_consistency_check;
        let count = if a.is_varying() {
            quote!({ let (_, actual) = #rt::ndr::decode_variance(d, u64::from(__max), #check)?; actual })
        } else {
            quote!(__max)
        };
        self.elements(item, count, rest, &l.data)
    }

    /// `n` elements' inline parts (n: a u32 expression).
    pub(crate) fn elements(
        &self,
        item: &str,
        n: TokenStream,
        rest: &[Level],
        data: &DataType,
    ) -> Result<TokenStream> {
        if rest.is_empty() {
            if let Data::Scalar(s) = self.data(data, item)? {
                if matches!(s, Scalar::UInt8 | Scalar::Byte | Scalar::Char) {
                    return Ok(quote!({ let n: u32 = #n; d.bytes(n as usize)?.to_vec() }));
                }
                if let Some(bulk) = bulk_get(s) {
                    return Ok(quote!({ let n: u32 = #n; d.#bulk(n as usize)? }));
                }
            }
        }
        let each = self.ds(item, rest, data)?;
        let min = self.min_size(rest, data);
        Ok(quote!({
            let n: u32 = #n;
            let n = d.check_count(u64::from(n), #min)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n { v.push(#each); }
            v
        }))
    }

    /// Reads the inline part of a value with these levels (an expression).
    pub(crate) fn ds(&self, item: &str, levels: &[Level], data: &DataType) -> Result<TokenStream> {
        let rt = &self.rt;
        Ok(match levels.split_first() {
            None => match self.data(data, item)? {
                Data::Scalar(s) => {
                    let (get, _) = scalar_io(s);
                    quote!(d.#get()?)
                }
                Data::Type => {
                    let ty = self.data_type(data, item)?;
                    quote!(<#ty as #rt::ndr::Ndr>::decode_scalars(d)?)
                }
            },
            Some((Level::Pointer(p), rest)) => {
                let ph = self.pointee_placeholder(item, rest, data)?;
                match p.kind {
                    PointerKind::Ref => quote!({
                        if d.referent()?.is_none() { return Err(d.error(#rt::ndr::ErrorKind::NullRef)); }
                        #ph
                    }),
                    PointerKind::Full => quote!(d.full_referent()?),
                    PointerKind::Unique => {
                        quote!(match d.referent()? { Some(_) => Some(#ph), None => None })
                    }
                }
            }
            Some((Level::Array(a), _)) if a.fixed.is_some() && a.is_varying() && !a.string => {
                return Err(unsupported(
                    item,
                    "a varying fixed-size array outside a struct",
                ));
            }
            Some((Level::Array(a), [])) if a.string => {
                let s = self.string_type(item, data)?;
                let max = a.fixed.unwrap_or(u64::from(u32::MAX));
                quote!(#rt::ndr::#s::decode_varying(d, #max)?)
            }
            Some((Level::Array(a), rest)) => match a.fixed {
                Some(n) => {
                    let n = n as usize;
                    let each = self.ds(item, rest, data)?;
                    quote!({
                        let mut v = Vec::with_capacity(#n);
                        for _ in 0..#n { v.push(#each); }
                        <[_; #n]>::try_from(v).map_err(|v: Vec<_>| d.error(#rt::ndr::ErrorKind::Mismatch {
                            what: "fixed array", expected: #n as u64, found: v.len() as u64,
                        }))?
                    })
                }
                None => {
                    return Err(unsupported(
                        item,
                        "a conformant array that is not the last field",
                    ))
                }
            },
        })
    }

    fn pointee_placeholder(
        &self,
        item: &str,
        rest: &[Level],
        data: &DataType,
    ) -> Result<TokenStream> {
        let ph = self.placeholder(item, rest, data)?;
        Ok(if pointee_is_vec(rest) {
            ph
        } else {
            quote!(Box::new(#ph))
        })
    }

    /// A stand-in value of a type with these levels.
    pub(crate) fn placeholder(
        &self,
        item: &str,
        levels: &[Level],
        data: &DataType,
    ) -> Result<TokenStream> {
        let rt = &self.rt;
        Ok(match levels.split_first() {
            None => match self.data(data, item)? {
                Data::Scalar(_) => quote!(Default::default()),
                Data::Type => {
                    let ty = self.data_type(data, item)?;
                    quote!(<#ty as #rt::ndr::Ndr>::placeholder())
                }
            },
            Some((Level::Pointer(p), rest)) => match p.kind {
                PointerKind::Ref => self.pointee_placeholder(item, rest, data)?,
                _ => quote!(None),
            },
            Some((Level::Array(a), [])) if a.string => quote!(Default::default()),
            Some((Level::Array(a), rest)) => match a.fixed {
                Some(_) if !a.is_varying() => {
                    let each = self.placeholder(item, rest, data)?;
                    quote!(std::array::from_fn(|_| #each))
                }
                _ => quote!(Default::default()),
            },
        })
    }

    fn decode_buffers(&self, plan: &Plan) -> Result<TokenStream> {
        let rt = &self.rt;
        let mut out = Vec::new();
        for (j, f) in plan.fields.iter().enumerate() {
            if plan.implied.contains_key(&j) {
                continue;
            }
            if let Some((_, dec)) = self.bounded_pointee(plan, j)? {
                out.push(dec);
                continue;
            }
            let id = field_name(&f.name);
            let l = &f.layout;
            // A sized pointee is checked against its count once read.
            let implied = plan.implied.values().any(|users| users.contains(&(j, 1)));
            let expr = self.sized_by(plan, j, 1);
            let check = if implied {
                quote!(#rt::ndr::check_correlation(d, "size_is", expected as u64, v.len() as u64)?;)
            } else if let Some(e) = expr {
                let value = self_field(plan);
                let want = self.corr(plan.item, e, &value)?;
                quote!(#rt::ndr::check_correlation(d, "size_is", u64::try_from(#want).unwrap_or(u64::MAX), v.len() as u64)?;)
            } else {
                quote!()
            };
            match (l.levels.split_first(), check.is_empty()) {
                (Some((Level::Pointer(p), rest)), false) => {
                    let read = self.dp(plan.item, rest, &l.data, !l.disable_consistency_check)?;
                    let min = self.min_size(rest.get(1..).unwrap_or(&[]), &l.data);
                    let release = if implied {
                        quote!(d.fulfil(expected, #min);)
                    } else {
                        quote!()
                    };
                    // The promise made for the placeholders ends as the real elements
                    // start to be read: they consume the bytes it reserved.
                    let body = quote!({ let expected = v.len(); let _ = expected; #release *v = #read; #check });
                    out.push(match p.kind {
                        PointerKind::Ref => quote!({ let v = &mut self.#id; #body }),
                        _ => quote!(if let Some(v) = &mut self.#id #body),
                    });
                }
                _ => out.push(self.db(
                    plan.item,
                    quote!(&mut self.#id),
                    &l.levels,
                    &l.data,
                    !l.disable_consistency_check,
                )?),
            }
        }
        Ok(quote!(#(#out)*))
    }

    /// Reads the deferred pointees of a value at `place` (type `&mut T`).
    pub(crate) fn db(
        &self,
        item: &str,
        place: TokenStream,
        levels: &[Level],
        data: &DataType,
        check: bool,
    ) -> Result<TokenStream> {
        let rt = &self.rt;
        Ok(match levels.split_first() {
            None => match self.data(data, item)? {
                Data::Scalar(_) => quote!(),
                Data::Type => quote!(#rt::ndr::Ndr::decode_buffers(#place, d)?;),
            },
            Some((Level::Pointer(p), rest)) => {
                let read = self.dp(item, rest, data, check)?;
                let assign = if pointee_is_vec(rest) {
                    quote!(*v = #read;)
                } else {
                    quote!(**v = #read;)
                };
                match p.kind {
                    PointerKind::Ref => quote!({ let v = #place; #assign }),
                    PointerKind::Full => {
                        quote!(if let Some(v) = #place { d.full_pointee(v, |d| Ok(#read))?; })
                    }
                    PointerKind::Unique => quote!(if let Some(v) = #place { #assign }),
                }
            }
            Some((Level::Array(_), rest)) => self.buffers_loop(rest, data, || {
                let each = self.db(item, quote!(x), rest, data, check)?;
                let r = recv(&place);
                Ok(quote!(for x in #r.iter_mut() { #each }))
            })?,
        })
    }

    /// Reads a complete pointee (an expression).
    pub(crate) fn dp(
        &self,
        item: &str,
        levels: &[Level],
        data: &DataType,
        check: bool,
    ) -> Result<TokenStream> {
        let rt = &self.rt;
        Ok(match levels.split_first() {
            None => match self.data(data, item)? {
                Data::Scalar(s) => {
                    let (get, _) = scalar_io(s);
                    quote!(d.#get()?)
                }
                Data::Type => {
                    let ty = self.data_type(data, item)?;
                    quote!(#rt::ndr::decode_pointee::<#ty>(d)?)
                }
            },
            Some((Level::Array(a), rest)) => {
                if a.string && rest.is_empty() {
                    let s = self.string_type(item, data)?;
                    return Ok(quote!(#rt::ndr::#s::decode(d)?));
                }
                if a.fixed.is_some() && a.is_varying() {
                    return Err(unsupported(item, "a pointer to a varying fixed-size array"));
                }
                if a.fixed.is_some() {
                    // A fixed array: its elements, then their pointees.
                    let s = self.ds(item, levels, data)?;
                    let b = self.db(item, quote!(&mut v), levels, data, check)?;
                    return Ok(quote!({ #[allow(unused_mut)] let mut v = #s; #b v }));
                }
                let count = if a.is_varying() {
                    quote!({ let (_, actual) = #rt::ndr::decode_variance(d, u64::from(__max), #check)?; actual })
                } else {
                    quote!(__max)
                };
                let elems = self.elements(item, count, rest, data)?;
                let buffers = self.buffers_loop(rest, data, || {
                    let each = self.db(item, quote!(x), rest, data, check)?;
                    Ok(quote!(for x in v.iter_mut() { #each }))
                })?;
                let binding = if buffers.is_empty() {
                    quote!(let v)
                } else {
                    quote!(let mut v)
                };
                // Elements may hold pointers to more of the same: one level deeper.
                quote!(d.nested(|d| {
                    let __max = d.count()?;
                    #binding = #elems;
                    #buffers
                    Ok(v)
                })?)
            }
            Some((Level::Pointer(_), _)) => {
                let s = self.ds(item, levels, data)?;
                let b = self.db(item, quote!(&mut p), levels, data, check)?;
                quote!({ d.align(4)?; let mut p = #s; #b p })
            }
        })
    }
}

impl Gen<'_> {
    /// Shapes the back end does not write yet, reported rather than
    /// generated wrong.
    pub(crate) fn check_supported(&self, item: &str, l: &Layout) -> Result<()> {
        // A full pointer is an `Option<Arc<T>>` whose `T` is one value.
        let full_to_more = l
            .levels
            .iter()
            .rev()
            .skip(1)
            .any(|lv| matches!(lv, Level::Pointer(p) if p.kind == PointerKind::Full));
        if full_to_more {
            return Err(unsupported(
                item,
                "a full ([ptr]) pointer to an array or a pointer",
            ));
        }
        for level in &l.levels {
            if let Level::Array(a) = level {
                let sized = a.size_is.is_some()
                    || a.length_is.is_some()
                    || a.max_is.is_some()
                    || a.first_is.is_some()
                    || a.last_is.is_some();
                if a.string && sized {
                    return Err(unsupported(
                        item,
                        "a [string] that also has size_is or length_is",
                    ));
                }
            }
        }
        // A conformant struct inline (not behind a pointer) would need its
        // max_count hoisted to the front of the enclosing struct.
        let inline = l
            .levels
            .iter()
            .all(|lv| matches!(lv, Level::Array(a) if a.fixed.is_some()));
        if inline && self.is_conformant(&l.data, 0) {
            return Err(unsupported(
                item,
                "a conformant struct that is not the last member of a struct",
            ));
        }
        Ok(())
    }

    fn is_conformant(&self, data: &DataType, depth: usize) -> bool {
        let DataType::Named(n) = data else {
            return false;
        };
        let t = &self.m.types[self.m.resolve_alias(n.id).0];
        let TypeKind::Struct(s) = &t.kind else {
            return false;
        };
        match s.fields.last() {
            Some(f) => match f.layout.levels.first() {
                Some(Level::Array(a)) => a.fixed.is_none(),
                None => depth < 16 && self.is_conformant(&f.layout.data, depth + 1),
                _ => false,
            },
            None => false,
        }
    }

    /// The fewest bytes one value with these levels takes on the wire, at
    /// least 1: counts are checked against it before anything is allocated,
    /// so that a hostile count cannot reserve more than the input can fill.
    pub(crate) fn min_size(&self, levels: &[Level], data: &DataType) -> TokenStream {
        let rt = &self.rt;
        let n = self.wire_min(levels, data);
        quote!(#rt::ndr::at_least_one(#n))
    }

    /// A lower bound of the wire size (possibly 0), as a const expression.
    fn wire_min(&self, levels: &[Level], data: &DataType) -> TokenStream {
        let rt = &self.rt;
        match levels.split_first() {
            None => match (self.data(data, ""), self.data_type(data, "")) {
                (Ok(Data::Scalar(s)), _) => {
                    let n = scalar_io(s).1;
                    quote!(#n)
                }
                (Ok(Data::Type), Ok(ty)) => quote!(<#ty as #rt::ndr::Ndr>::WIRE_MIN),
                _ => quote!(1usize),
            },
            Some((Level::Pointer(_), _)) => quote!(4usize),
            Some((Level::Array(a), rest)) => match a.fixed {
                // A varying fixed array may send no elements.
                Some(n) if !a.is_varying() => {
                    let each = self.wire_min(rest, data);
                    quote!((#n as usize) * #each)
                }
                _ => quote!(0usize),
            },
        }
    }

    /// `WIRE_MIN` of a struct: the sum of its members' least sizes.
    fn struct_wire_min(&self, plan: &Plan) -> TokenStream {
        let rt = &self.rt;
        let parts: Vec<_> = plan
            .fields
            .iter()
            .map(|f| self.wire_min(&f.layout.levels, &f.layout.data))
            .collect();
        if parts.is_empty() {
            return quote!(1);
        }
        quote!(#rt::ndr::at_least_one(#(#parts)+*))
    }
}

/// A sibling field's value in encode and decode_buffers, for correlations.
fn self_field<'p>(plan: &'p Plan) -> impl Fn(usize) -> TokenStream + 'p {
    move |i| {
        let id = field_name(&plan.fields[i].name);
        quote!(self.#id)
    }
}

/// A fixed-size array that sends only part of itself, inline in a struct.
fn varying_fixed(l: &Layout) -> Option<(&Array, &[Level])> {
    match l.levels.split_first() {
        Some((Level::Array(a), rest)) if a.fixed.is_some() && a.is_varying() && !a.string => {
            Some((a, rest))
        }
        _ => None,
    }
}

/// Locals for a varying array's offset and actual count, named after it.
fn window_locals(f: &Field) -> (proc_macro2::Ident, proc_macro2::Ident) {
    let base = local_name(f).to_string();
    let base = base.trim_start_matches("r#");
    (
        // `__` keeps them apart from fields such as `name_len`.
        format_ident!("__{}_offset", base),
        format_ident!("__{}_len", base),
    )
}

/// The local a field is decoded into, or its count computed into: the
/// field's own name, unless that would hide a name the generated code uses.
fn local_name(f: &Field) -> proc_macro2::Ident {
    let id = field_name(&f.name);
    let text = id.to_string();
    const TAKEN: &[&str] = &[
        "d", "e", "n", "v", "x", "p", "disc", "value", "want", "have", "expected", "ndr_",
    ];
    if TAKEN.contains(&text.as_str()) || text.starts_with("__") {
        format_ident!("{}_", text)
    } else {
        id
    }
}

/// `self.x` for a place written `&self.x`; `*x` for a reference `x`.
fn value_of(place: &TokenStream) -> TokenStream {
    match deref(place) {
        Some(v) => v.parse().unwrap_or_else(|_| quote!(*#place)),
        None => quote!(*#place),
    }
}

/// The place as a method receiver: `self.x.len()` rather than `(&self.x).len()`.
fn recv(place: &TokenStream) -> TokenStream {
    match deref(place) {
        // `&**v` becomes `(**v)`, so that a method call binds after the derefs.
        Some(v) if v.starts_with('*') => format!("({v})").parse().unwrap_or_else(|_| place.clone()),
        Some(v) => v.parse().unwrap_or_else(|_| place.clone()),
        None => place.clone(),
    }
}

/// The text of `place` without its leading `&` or `&mut`.
fn deref(place: &TokenStream) -> Option<String> {
    let text = place.to_string();
    let rest = text
        .strip_prefix("& mut ")
        .or_else(|| text.strip_prefix("& "))?;
    Some(rest.to_string())
}

/// Whether a pointer with these remaining levels points at a Vec (or a
/// string), which the Rust type holds without a Box.
fn pointee_is_vec(rest: &[Level]) -> bool {
    matches!(rest.first(), Some(Level::Array(a)) if a.fixed.is_none())
}

fn bulk_put(s: Scalar) -> Option<proc_macro2::Ident> {
    let name = match s {
        Scalar::UInt8 | Scalar::Byte | Scalar::Char => "bytes",
        Scalar::Int16 => "i16s",
        Scalar::UInt16 | Scalar::WChar => "u16s",
        Scalar::Int32 | Scalar::Int3264 => "i32s",
        Scalar::UInt32 | Scalar::UInt3264 | Scalar::ErrorStatus => "u32s",
        Scalar::Int64 => "i64s",
        Scalar::UInt64 => "u64s",
        Scalar::Float => "f32s",
        Scalar::Double => "f64s",
        _ => return None,
    };
    Some(format_ident!("{}", name))
}

fn bulk_get(s: Scalar) -> Option<proc_macro2::Ident> {
    match s {
        Scalar::UInt8 | Scalar::Byte | Scalar::Char => None,
        _ => bulk_put(s),
    }
}
