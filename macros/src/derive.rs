//! `#[derive(msrpc::Ndr)]`: a struct lowered to a MIDL typedef, whose `Ndr`
//! impl the code generator writes (only the impl: the struct is the user's).

use proc_macro2::TokenStream;
use syn::{Data, DeriveInput, Fields, Type};

use crate::attrs::{self, Place};
use crate::lower::{generic, scalar};

/// The MIDL member declaration of a field, and any hidden count before it.
fn member(name: &str, t: &Type) -> syn::Result<String> {
    let unsupported = || {
        syn::Error::new_spanned(
            t,
            "msrpc: unsupported field type; use numbers, bool, [number; N], msrpc::uuid::Uuid, WString, or Vec, Box or Option of those",
        )
    };
    if let Some(s) = scalar(t) {
        return Ok(format!("{s} {name};"));
    }
    if is(t, "Uuid") {
        return Ok(format!("GUID {name};"));
    }
    if is(t, "WString") {
        return Ok(format!("[string, ref] wchar_t *{name};"));
    }
    if let Type::Array(a) = t {
        let s = scalar(&a.elem).ok_or_else(unsupported)?;
        let n = &a.len;
        return Ok(format!("{s} {name}[{}];", quote::quote!(#n)));
    }
    let (inner, ptr) = match generic(t, "Option") {
        Some(inner) => (inner, "unique"),
        None => (t, "ref"),
    };
    if is(inner, "WString") && ptr == "unique" {
        return Ok(format!("[string, unique] wchar_t *{name};"));
    }
    if let Some(e) = generic(inner, "Vec") {
        let s = scalar(e).ok_or_else(unsupported)?;
        return Ok(format!(
            "unsigned long __{name}_count; [size_is(__{name}_count), {ptr}] {s} *{name};"
        ));
    }
    if let Some(e) = generic(inner, "Box") {
        let s = scalar(e).ok_or_else(unsupported)?;
        return Ok(format!("[{ptr}] {s} *{name};"));
    }
    // Another type with an `Ndr` impl of its own, inline.
    if let (Type::Path(p), "ref") = (t, ptr) {
        if let Some(last) = p.path.segments.last().filter(|s| s.arguments.is_none()) {
            return Ok(format!("{} {name};", last.ident));
        }
    }
    Err(unsupported())
}

/// The types of other `Ndr` impls a struct's fields name: MIDL name, Rust type.
fn named_fields(fields: &syn::FieldsNamed) -> Vec<(String, String)> {
    fields
        .named
        .iter()
        .filter_map(|f| {
            let Type::Path(p) = &f.ty else { return None };
            let last = p.path.segments.last()?;
            let plain = last.arguments.is_none()
                && scalar(&f.ty).is_none()
                && !is(&f.ty, "Uuid")
                && !is(&f.ty, "WString");
            plain.then(|| (last.ident.to_string(), quote::quote!(#p).to_string()))
        })
        .collect()
}

fn is(t: &Type, name: &str) -> bool {
    matches!(t, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name && s.arguments.is_none()))
}

pub fn expand(item: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(item)?;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "msrpc: Ndr structs have no generic parameters",
        ));
    }
    let s = match &input.data {
        Data::Struct(s) => s,
        Data::Enum(e) => return enumeration(&input, e),
        Data::Union(_) => {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "msrpc: derive(Ndr) is for structs and enums",
            ))
        }
    };
    let Fields::Named(fields) = &s.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "msrpc: derive(Ndr) needs named fields",
        ));
    };
    let mut members = String::new();
    let mut kept = std::collections::BTreeSet::new();
    for f in &fields.named {
        let Some(id) = &f.ident else { continue };
        members += "    ";
        let attrs = attrs::of(&f.attrs, Place::Field)?;
        if let Some((lo, hi)) = attrs.range {
            if scalar(&f.ty).is_none() {
                return Err(attrs::range_not_a_number(&f.ty));
            }
            members += &format!("[range({lo}, {hi})] ");
        }
        match &attrs.size_is {
            Some(count) => {
                // The count is the user's field, kept and checked.
                let known = fields.named.iter().any(|g| g.ident.as_ref() == Some(count));
                if !known {
                    return Err(attrs::no_count(count, id, Place::Field));
                }
                let elem = generic(&f.ty, "Vec")
                    .and_then(scalar)
                    .ok_or_else(|| attrs::size_is_misplaced(&f.ty, Place::Field))?;
                kept.insert(count.to_string());
                members += &format!("[size_is({count}), ref] {elem} *{id};");
            }
            None => members += &member(&id.to_string(), &f.ty)?,
        }
        members += "\n";
    }
    let name = input.ident.to_string();
    let named = named_fields(fields);
    // MIDL needs each named type declared; the impl refers to the Rust one.
    let declared: String = named
        .iter()
        .map(|(n, _)| format!("typedef struct {{ long __msrpc_external; }} {n};\n"))
        .collect();
    let idl = format!(
        "import \"ms-dtyp.idl\";\n\n{declared}typedef struct _{name} {{\n{members}}} {name};\n"
    );
    crate::lower::generate_keeping(
        &idl,
        input.ident.span(),
        true,
        named.into_iter().collect(),
        kept,
    )
}

/// An enum: the code generator's NDR enum (16 bits, or 32 with
/// `#[msrpc(v1_enum)]`), converted to and from the Rust variants; a value
/// no variant has is `BadDiscriminant`.
fn enumeration(input: &DeriveInput, e: &syn::DataEnum) -> syn::Result<TokenStream> {
    let v1 = attrs::of(&input.attrs, Place::Enum)?.v1_enum;
    let mut items = Vec::new();
    let mut values = Vec::new();
    for v in &e.variants {
        if !matches!(v.fields, Fields::Unit) {
            return Err(syn::Error::new_spanned(
                v,
                "msrpc: Ndr enums have unit variants",
            ));
        }
        let Some((
            _,
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(n),
                ..
            }),
        )) = &v.discriminant
        else {
            return Err(syn::Error::new_spanned(
                v,
                "msrpc: give each variant its value (`Red = 1`)",
            ));
        };
        items.push(format!("{} = {}", v.ident, n.base10_digits()));
        values.push((v.ident.clone(), n.clone()));
    }
    let name = &input.ident;
    let Some((first, _)) = values.first() else {
        return Err(syn::Error::new_spanned(
            name,
            "msrpc: an Ndr enum needs a variant",
        ));
    };
    let placeholder = quote::quote!(#name::#first);
    let attr = if v1 { "[v1_enum] " } else { "" };
    let idl = format!("typedef {attr}enum {{ {} }} {name};\n", items.join(", "));
    // The generator's own type and impl, in a module of their own.
    let wire = crate::lower::generate_with(&idl, name.span(), false, Default::default())?;
    let module = quote::format_ident!("__msrpc_{}", name.to_string().to_lowercase());
    let repr = if v1 {
        quote::quote!(u32)
    } else {
        quote::quote!(u16)
    };
    let to_wire = values.iter().map(|(v, n)| quote::quote!(#name::#v => #n,));
    let from_wire = values
        .iter()
        .map(|(v, n)| quote::quote!(#n => Ok(#name::#v),));
    Ok(quote::quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, non_snake_case, dead_code, clippy::all)]
        mod #module {
            #wire
        }

        impl ::msrpc::ndr::Ndr for #name {
            const ALIGN: usize = <#module::#name as ::msrpc::ndr::Ndr>::ALIGN;
            fn encode_scalars(&self, e: &mut ::msrpc::ndr::Encoder) -> ::msrpc::ndr::Result<()> {
                let v: #repr = match self { #(#to_wire)* };
                ::msrpc::ndr::Ndr::encode_scalars(&#module::#name(v), e)
            }
            fn decode_scalars(d: &mut ::msrpc::ndr::Decoder<'_>) -> ::msrpc::ndr::Result<Self> {
                let w = <#module::#name as ::msrpc::ndr::Ndr>::decode_scalars(d)?;
                match w.0 {
                    #(#from_wire)*
                    other => Err(d.error(::msrpc::ndr::ErrorKind::BadDiscriminant(i64::from(other)))),
                }
            }
            fn placeholder() -> Self {
                #placeholder
            }
        }
    })
}
