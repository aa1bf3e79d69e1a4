//! Unions: a Rust enum with a variant per arm, and the discriminant on the
//! wire before the arm (for an encapsulated union, the arm then aligns to
//! the largest arm, as a struct member would).

use heck::ToUpperCamelCase;
use msrpc_idl::model::*;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{scalar_io, type_name, unsupported, Data, Gen, Result};

struct Arm<'u> {
    variant: proc_macro2::Ident,
    cases: Vec<i128>,
    /// The variant carries the discriminant: several cases, or default.
    keeps_discriminant: bool,
    field: Option<&'u Field>,
}

impl<'m> Gen<'m> {
    pub(crate) fn union_def(&self, t: &TypeDef, u: &Union) -> Result<TokenStream> {
        let item = t.name.as_str();
        let rt = &self.rt;
        let (disc, encapsulated) = match &u.switch {
            UnionSwitch::Encapsulated { ty, .. } => (ty, true),
            UnionSwitch::NonEncapsulated { ty: Some(ty) } => (ty, false),
            UnionSwitch::NonEncapsulated { ty: None } => {
                return Err(unsupported(item, "a union without [switch_type]"))
            }
            // A C union has no NDR form; it is for [local] code only.
            UnionSwitch::Plain => return Ok(quote!()),
        };
        let disc_ty = self.rtype(item, &[], disc)?;
        let (put_disc, get_disc, disc_value, disc_align, make_disc) = match self.data(disc, item)? {
            Data::Scalar(s) => {
                let (io, size) = scalar_io(s);
                let make = quote!(<#disc_ty>::try_from(self.discriminant()));
                (
                    quote!(e.#io(*d);),
                    quote!(d.#io()?),
                    quote!(i128::from(*d)),
                    quote!(#size),
                    make,
                )
            }
            // An enum discriminant: a number in a newtype.
            Data::Type => (
                quote!(#rt::ndr::Ndr::encode_scalars(d, e)?;),
                quote!(<#disc_ty as #rt::ndr::Ndr>::decode_scalars(d)?),
                quote!(i128::from(d.0)),
                quote!(<#disc_ty as #rt::ndr::Ndr>::ALIGN),
                {
                    let repr = if self.is_v1_enum(disc) {
                        quote!(u32)
                    } else {
                        quote!(u16)
                    };
                    quote!(#repr::try_from(self.discriminant()).map(#disc_ty))
                },
            ),
        };
        let arms = self.arms(item, u)?;
        for arm in &arms {
            if let Some(f) = arm.field {
                self.check_supported(item, &f.layout)?;
            }
        }
        // Every explicit case, which a default arm's discriminant must avoid.
        let all_cases: Vec<i128> = arms.iter().flat_map(|a| a.cases.iter().copied()).collect();
        let name = type_name(&t.name);
        let doc = format!("`{}` from the IDL: a union, one variant per arm.", t.name);

        let mut variants = Vec::new();
        let mut discriminants = Vec::new();
        let mut valid = Vec::new();
        let mut enc_s = Vec::new();
        let mut enc_b = Vec::new();
        let mut dec_s = Vec::new();
        let mut dec_b = Vec::new();
        let mut aligns = vec![disc_align.clone()];
        let mut default_arm = None;
        for arm in &arms {
            let v = &arm.variant;
            let cases: Vec<TokenStream> = arm.cases.iter().map(|c| quote!(#c)).collect();
            let case_doc = match (arm.cases.is_empty(), arm.keeps_discriminant) {
                (true, _) => "The default arm.".to_string(),
                _ => format!(
                    "case {}",
                    arm.cases
                        .iter()
                        .map(i128::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let value_ty = match arm.field {
                Some(f) => Some(self.rtype(item, &f.layout.levels, &f.layout.data)?),
                None => None,
            };
            let fields: Vec<TokenStream> = arm
                .keeps_discriminant
                .then(|| disc_ty.clone())
                .into_iter()
                .chain(value_ty)
                .collect();
            variants.push(if fields.is_empty() {
                quote!(#[doc = #case_doc] #v)
            } else {
                quote!(#[doc = #case_doc] #v(#(#fields),*))
            });

            // Patterns binding the discriminant `d` and the value `x`.
            let (pat_d, pat_x) = match (arm.keeps_discriminant, arm.field.is_some()) {
                (true, true) => (quote!(Self::#v(d, _)), quote!(Self::#v(_, x))),
                (true, false) => (quote!(Self::#v(d)), quote!(Self::#v(_))),
                (false, true) => (quote!(Self::#v(_)), quote!(Self::#v(x))),
                (false, false) => (quote!(Self::#v), quote!(Self::#v)),
            };
            let first = arm.cases.first().copied().unwrap_or(0);
            // A variant that carries its discriminant must carry a fitting one.
            valid.push(match (arm.keeps_discriminant, arm.cases.is_empty()) {
                (true, false) => {
                    quote!(#pat_d => { let d = d; [#(#cases),*].contains(&#disc_value) })
                }
                (true, true) => {
                    quote!(#pat_d => { let d = d; ![#(#all_cases),*].contains(&#disc_value) })
                }
                _ => quote!(#pat_d => true),
            });
            discriminants.push(if arm.keeps_discriminant {
                quote!(#pat_d => { let d = d; #disc_value })
            } else {
                quote!(#pat_d => #first)
            });
            match arm.field {
                Some(f) => {
                    let (l, data) = (&f.layout.levels, &f.layout.data);
                    aligns.push(self.align_of(item, l, data)?);
                    let s = self.es(item, quote!(x), l, data)?;
                    let b = self.eb(item, quote!(x), l, data)?;
                    // An arm with nothing deferred binds nothing.
                    let arm_pat = |body: &TokenStream| {
                        if body.is_empty() {
                            quote!(Self::#v { .. })
                        } else {
                            pat_x.clone()
                        }
                    };
                    enc_s.push(quote!(#pat_x => { #s }));
                    let pat = arm_pat(&b);
                    enc_b.push(quote!(#pat => { #b }));
                    let read = self.ds(item, l, data)?;
                    let make = if arm.keeps_discriminant {
                        quote!(Self::#v(disc, #read))
                    } else {
                        quote!(Self::#v(#read))
                    };
                    let db = self.db(item, quote!(x), l, data, true)?;
                    let pat = arm_pat(&db);
                    dec_b.push(quote!(#pat => { #db }));
                    if arm.cases.is_empty() {
                        default_arm = Some(make);
                    } else {
                        dec_s.push(quote!(#(#cases)|* => #make,));
                    }
                }
                None => {
                    enc_s.push(quote!(#pat_x => {}));
                    enc_b.push(quote!(#pat_x => {}));
                    dec_b.push(quote!(#pat_x => {}));
                    let make = if arm.keeps_discriminant {
                        quote!(Self::#v(disc))
                    } else {
                        quote!(Self::#v)
                    };
                    if arm.cases.is_empty() {
                        default_arm = Some(make);
                    } else {
                        dec_s.push(quote!(#(#cases)|* => #make,));
                    }
                }
            }
        }
        let fallback = match default_arm {
            Some(make) => quote!(_ => #make,),
            None => {
                quote!(other => return Err(d.error(#rt::ndr::ErrorKind::BadDiscriminant(i64::try_from(other).unwrap_or(i64::MAX)))),)
            }
        };
        // An encapsulated union's arm aligns to the largest arm, as a struct
        // member would after the discriminant.
        let arm_align = aligns[1..].to_vec();
        let (enc_gap, dec_gap) = if encapsulated && !arm_align.is_empty() {
            (
                quote!(e.align(#rt::ndr::max_align(&[#(#arm_align),*]));),
                quote!(d.align(#rt::ndr::max_align(&[#(#arm_align),*]))?;),
            )
        } else {
            (quote!(), quote!())
        };
        let placeholder = self.union_placeholder(item, &arms[0], &disc_ty)?;
        let attrs = &self.attrs;
        Ok(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq)]
            #attrs
            pub enum #name { #(#variants,)* }

            impl #name {
                /// The discriminant this value travels with.
                pub fn discriminant(&self) -> i128 {
                    match self { #(#discriminants,)* }
                }
            }

            impl #rt::ndr::Ndr for #name {
                const ALIGN: usize = #rt::ndr::max_align(&[#(#aligns),*]);
                                // In NDR20 the discriminant and the arm each align to
                // themselves; ALIGN (the largest) places the union as a
                // pointee or struct member, as impacket does too.
                                fn encode_scalars(&self, e: &mut #rt::ndr::Encoder) -> #rt::ndr::Result<()> {
                    let fits = match self { #(#valid,)* };
                    if !fits {
                        return Err(e.mismatch("union discriminant against its arm", 0, 0));
                    }
                    let d = &#make_disc.map_err(|_| e.count_overflow(0))?;
                    #put_disc
                    #enc_gap
                    match self { #(#enc_s)* }
                    Ok(())
                }
                fn encode_buffers(&self, e: &mut #rt::ndr::Encoder) -> #rt::ndr::Result<()> {
                    let _ = &e;
                    match self { #(#enc_b)* }
                    Ok(())
                }
                                fn decode_scalars(d: &mut #rt::ndr::Decoder<'_>) -> #rt::ndr::Result<Self> {
                    let disc = #get_disc;
                    let value = { let d = &disc; #disc_value };
                    #dec_gap
                    Ok(match value {
                        #(#dec_s)*
                        #fallback
                    })
                }
                fn decode_buffers(&mut self, d: &mut #rt::ndr::Decoder<'_>) -> #rt::ndr::Result<()> {
                    let _ = &d;
                    match self { #(#dec_b)* }
                    Ok(())
                }
                fn placeholder() -> Self {
                    #placeholder
                }
            }
        })
    }

    fn is_v1_enum(&self, d: &DataType) -> bool {
        match d {
            DataType::Named(n) => {
                matches!(&self.m.types[self.m.resolve_alias(n.id).0].kind, TypeKind::Enum(e) if e.v1_enum)
            }
            _ => false,
        }
    }

    fn arms<'u>(&self, item: &str, u: &'u Union) -> Result<Vec<Arm<'u>>> {
        let mut used = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for arm in &u.arms {
            let base = match &arm.field {
                Some(f) if !f.name.is_empty() => f.name.to_upper_camel_case(),
                _ if arm.default => "Default".to_string(),
                _ => match arm.cases.first() {
                    Some(c) if *c < 0 => format!("CaseMinus{}", c.unsigned_abs()),
                    Some(c) => format!("Case{c}"),
                    None => "Arm".to_string(),
                },
            };
            let mut name = base.clone();
            let mut k = 2;
            while !used.insert(name.clone()) {
                name = format!("{base}{k}");
                k += 1;
            }
            if arm.cases.is_empty() && !arm.default {
                return Err(unsupported(item, "a union arm with no case"));
            }
            out.push(Arm {
                variant: format_ident!("{}", name),
                // A default arm that also has cases is matched by its cases first.
                cases: if arm.default {
                    Vec::new()
                } else {
                    arm.cases.clone()
                },
                keeps_discriminant: arm.default || arm.cases.len() > 1,
                field: arm.field.as_ref(),
            });
        }
        if out.is_empty() {
            return Err(unsupported(item, "a union with no arms"));
        }
        Ok(out)
    }

    fn union_placeholder(
        &self,
        item: &str,
        arm: &Arm,
        disc_ty: &TokenStream,
    ) -> Result<TokenStream> {
        let v = &arm.variant;
        let rt = &self.rt;
        let d = quote!(<#disc_ty as #rt::ndr::Ndr>::placeholder());
        Ok(match (arm.keeps_discriminant, arm.field) {
            (true, Some(f)) => {
                let ph = self.placeholder(item, &f.layout.levels, &f.layout.data)?;
                quote!(Self::#v(#d, #ph))
            }
            (true, None) => quote!(Self::#v(#d)),
            (false, Some(f)) => {
                let ph = self.placeholder(item, &f.layout.levels, &f.layout.data)?;
                quote!(Self::#v(#ph))
            }
            (false, None) => quote!(Self::#v),
        })
    }
}
