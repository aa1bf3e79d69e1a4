//! `#[derive(oxidl::Ndr)]`: a struct lowered to a MIDL typedef, whose `Ndr`
//! impl the code generator writes (only the impl: the struct is the user's).

use proc_macro2::TokenStream;
use syn::{Data, DeriveInput, Fields, Type};

use crate::lower::{generic, scalar};

/// The MIDL member declaration of a field, and any hidden count before it.
fn member(name: &str, t: &Type) -> syn::Result<String> {
    let unsupported = || {
        syn::Error::new_spanned(
            t,
            "oxidl: unsupported field type; use numbers, bool, [number; N], oxidl::uuid::Uuid, WString, or Vec, Box or Option of those",
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
    Err(unsupported())
}

fn is(t: &Type, name: &str) -> bool {
    matches!(t, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name && s.arguments.is_none()))
}

pub fn expand(item: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(item)?;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "oxidl: Ndr structs have no generic parameters",
        ));
    }
    let Data::Struct(s) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "oxidl: derive(Ndr) is for structs",
        ));
    };
    let Fields::Named(fields) = &s.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "oxidl: derive(Ndr) needs named fields",
        ));
    };
    let mut members = String::new();
    for f in &fields.named {
        let Some(id) = &f.ident else { continue };
        members += "    ";
        members += &member(&id.to_string(), &f.ty)?;
        members += "\n";
    }
    let name = input.ident.to_string();
    let idl =
        format!("import \"ms-dtyp.idl\";\n\ntypedef struct _{name} {{\n{members}}} {name};\n");
    crate::lower::generate_with(&idl, input.ident.span(), true, Default::default())
}
