//! The `#[msrpc(...)]` attributes both front ends read, and the
//! `#[msrpc::interface(...)]` arguments: one parser, one set of messages,
//! whether the attribute sits on a derived struct's field, an interface
//! method's parameter, a derived enum or the interface itself.

use proc_macro2::TokenStream;
use syn::meta::ParseNestedMeta;

/// Where attributes sit, which decides which of them may.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A field of a `#[derive(Ndr)]` struct.
    Field,
    /// A parameter of an `#[msrpc::interface]` method.
    Param,
    /// A `#[derive(Ndr)]` enum.
    Enum,
    /// The arguments of `#[msrpc::interface(...)]`.
    Interface,
}

impl Place {
    /// What a count or a sized item is here, in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Place::Field => "field",
            Place::Param => "parameter",
            Place::Enum => "enum",
            Place::Interface => "interface",
        }
    }

    /// What `size_is` may size here.
    fn sized(self) -> &'static str {
        match self {
            // A derived struct's counted Vec holds numbers only (yet).
            Place::Field => "a `Vec` of numbers",
            _ => "a `Vec`",
        }
    }

    /// The attributes allowed here, as the "expected" message lists them.
    fn expected(self) -> String {
        match self {
            Place::Field | Place::Param => {
                format!("`range(lo, hi)`, `size_is = {}` or `string`", self.noun())
            }
            Place::Enum => "`v1_enum`".into(),
            Place::Interface => "`uuid = \"...\"` or `object`".into(),
        }
    }
}

/// What the attributes of one item said.
#[derive(Default)]
pub struct Attrs {
    /// `range(lo, hi)`: the bounds of a number.
    pub range: Option<(syn::LitInt, syn::LitInt)>,
    /// `size_is = name`: the field or parameter that counts a `Vec`.
    pub size_is: Option<syn::Ident>,
    /// `v1_enum`: a 32-bit NDR enum.
    pub v1_enum: bool,
    /// `uuid = "..."`: the interface's IID, checked to be a UUID.
    pub uuid: Option<String>,
    /// `object`: a DCOM interface.
    pub object: bool,
}

/// Reads the `#[msrpc(...)]` attributes among `attrs`, which sit at `place`.
pub fn of(attrs: &[syn::Attribute], place: Place) -> syn::Result<Attrs> {
    let mut out = Attrs::default();
    for a in attrs.iter().filter(|a| a.path().is_ident("msrpc")) {
        a.parse_nested_meta(|meta| one(meta, place, &mut out))?;
    }
    Ok(out)
}

/// Reads the arguments of an attribute macro, such as
/// `#[msrpc::interface(uuid = "...", object)]`.
pub fn of_args(args: TokenStream, place: Place) -> syn::Result<Attrs> {
    let mut out = Attrs::default();
    let parser = syn::meta::parser(|meta| one(meta, place, &mut out));
    syn::parse::Parser::parse2(parser, args)?;
    Ok(out)
}

fn one(meta: ParseNestedMeta<'_>, place: Place, out: &mut Attrs) -> syn::Result<()> {
    let key = |k: &str| meta.path.is_ident(k);
    match place {
        Place::Field | Place::Param if key("range") => {
            let content;
            syn::parenthesized!(content in meta.input);
            let lo: syn::LitInt = content.parse()?;
            content.parse::<syn::Token![,]>()?;
            let hi: syn::LitInt = content.parse()?;
            out.range = Some((lo, hi));
        }
        Place::Field | Place::Param if key("size_is") => {
            out.size_is = Some(meta.value()?.parse()?);
        }
        // `WString` and `String` are a `[string]` already.
        Place::Field | Place::Param if key("string") => {}
        Place::Enum if key("v1_enum") => out.v1_enum = true,
        Place::Interface if key("uuid") => {
            let s: syn::LitStr = meta.value()?.parse()?;
            if !uuid_ok(&s.value()) {
                return Err(syn::Error::new(s.span(), "msrpc: not a UUID"));
            }
            out.uuid = Some(s.value());
        }
        Place::Interface if key("object") => out.object = true,
        _ => return Err(meta.error(format!("msrpc: expected {}", place.expected()))),
    }
    Ok(())
}

fn uuid_ok(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `range` on something that is not a number.
pub fn range_not_a_number(on: impl quote::ToTokens) -> syn::Error {
    syn::Error::new_spanned(on, "msrpc: `range` bounds a number")
}

/// `size_is` on something it cannot size.
pub fn size_is_misplaced(on: impl quote::ToTokens, place: Place) -> syn::Error {
    syn::Error::new_spanned(on, format!("msrpc: `size_is` sizes {}", place.sized()))
}

/// `size_is` naming no sibling field or parameter.
pub fn no_count(count: &syn::Ident, sized: &syn::Ident, place: Place) -> syn::Error {
    syn::Error::new(
        count.span(),
        format!("msrpc: no {} `{count}` to size `{sized}`", place.noun()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn on(place: Place, attr: TokenStream) -> syn::Result<Attrs> {
        let field: syn::Field = syn::parse_quote!(#[msrpc(#attr)] x: u32);
        of(&field.attrs, place)
    }

    fn message(r: syn::Result<Attrs>) -> String {
        r.err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn fields_and_parameters_take_the_same_attributes() {
        for place in [Place::Field, Place::Param] {
            let a = on(place, quote!(range(1, 10), size_is = n, string)).expect("parses");
            assert!(a.range.is_some());
            assert_eq!(a.size_is.map(|i| i.to_string()).as_deref(), Some("n"));
        }
    }

    #[test]
    fn an_attribute_out_of_place_names_what_the_place_takes() {
        assert_eq!(
            message(on(Place::Field, quote!(v1_enum))),
            "msrpc: expected `range(lo, hi)`, `size_is = field` or `string`"
        );
        assert_eq!(
            message(on(Place::Param, quote!(object))),
            "msrpc: expected `range(lo, hi)`, `size_is = parameter` or `string`"
        );
        assert_eq!(
            message(on(Place::Enum, quote!(string))),
            "msrpc: expected `v1_enum`"
        );
        assert_eq!(
            message(of_args(quote!(range(1, 2)), Place::Interface)),
            "msrpc: expected `uuid = \"...\"` or `object`"
        );
    }

    #[test]
    fn an_interface_takes_a_uuid_and_object() {
        let uuid = "5b0f5f02-7c7e-4b1e-8f57-6ad3f7a1c2d4";
        let a = of_args(quote!(uuid = #uuid, object), Place::Interface).expect("parses");
        assert_eq!(a.uuid.as_deref(), Some(uuid));
        assert!(a.object);
        let bad = of_args(quote!(uuid = "5b0f5f02"), Place::Interface);
        assert_eq!(message(bad), "msrpc: not a UUID");
    }
}
