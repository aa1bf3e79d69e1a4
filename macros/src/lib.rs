//! msrpc-macros: the Rust-trait front end of msrpc.
//!
//! `#[msrpc::interface(uuid = "…", object)]` on a trait lowers the trait to
//! MIDL, runs it through the same front end and code generator as an IDL
//! file, and adds a thin layer that speaks the trait's Rust types. There is
//! no second marshaler: the bytes are those of the IDL the trait means.
#![forbid(unsafe_code)]

mod attrs;
mod derive;
mod lower;

use proc_macro::TokenStream;

/// Declares a DCOM interface as a Rust trait.
///
/// ```ignore
/// #[msrpc::interface(uuid = "5b0f5f02-7c7e-4b1e-8f57-6ad3f7a1c2d4", object)]
/// pub trait IGreeter {
///     async fn greet(&self, name: String) -> msrpc::Result<String>;
///     async fn scores(&self, ids: Vec<u32>) -> msrpc::Result<Vec<i64>>;
/// }
/// ```
///
/// Types map to MIDL as follows: integers and floats to the base types,
/// `bool` to `boolean`, `String` to `[string] wchar_t *`, `Vec<T>` to a
/// conformant array with a hidden count, `Option<T>` to a unique pointer,
/// `Box<T>` to a ref pointer. A method returns `msrpc::Result<T>`: `T` is
/// its `[out, retval]` parameter, and a failing HRESULT is the error.
///
/// Beside the trait (now `Send + Sync` with `Send` futures), it generates
/// `IGreeterStub` (serves an implementation), `IGreeterClient` (calls
/// one, through any `msrpc::rpc::Channel`), and a module `igreeter` with the
/// IID and the wire types, which are those of the MIDL the trait lowers to.
#[proc_macro_attribute]
pub fn interface(attr: TokenStream, item: TokenStream) -> TokenStream {
    match lower::expand(attr.into(), item.into()) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Gives a struct an NDR20 representation, as the MIDL struct its fields
/// mean: numbers, `bool`, `[number; N]`, `msrpc::uuid::Uuid` (GUID),
/// `msrpc::ndr::WString` (`[string] wchar_t *`), and `Vec`, `Box` and
/// `Option` of those (a `Vec` is a conformant array with a hidden count;
/// `Option` a unique pointer); `#[msrpc(range(lo, hi))]` bounds a number
/// field. The impl is the code generator's, written for that MIDL, so the
/// bytes are what the IDL would give.
///
/// On an enum of unit variants with values (`Red = 1`), it is an NDR enum:
/// 16 bits, or 32 with `#[msrpc(v1_enum)]`; a value no variant has is
/// refused on decode.
#[proc_macro_derive(Ndr, attributes(msrpc))]
pub fn derive_ndr(item: TokenStream) -> TokenStream {
    match derive::expand(item.into()) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}
