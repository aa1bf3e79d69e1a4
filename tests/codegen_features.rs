//! Snapshots of the Rust generated from small IDLs, one feature each, so
//! that a change in what one construct generates shows up as its own
//! reviewed diff (`cargo insta review`, or INSTA_UPDATE=always).

use msrpc_codegen::rust::{generate, Options};

fn gen(name: &str, idl: &str) -> String {
    let out = msrpc_idl::load_str(
        &format!("{name}.idl"),
        idl,
        &msrpc_codegen::builtin::front_end(),
    );
    let rendered = out.render();
    let model = out.model.unwrap_or_else(|| panic!("{name}: {rendered}"));
    let opts = Options {
        root_only: true,
        source_name: format!("{name}.idl"),
        ..Options::default()
    };
    generate(&model, &opts).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const HEAD: &str =
    "[uuid(7a1c2e3f-4b5d-4e6f-8a9b-0c1d2e3f4a5b), version(1.0), pointer_default(unique)]\n";

#[test]
fn context_handles() {
    let idl = format!(
        "{HEAD}interface store {{\n\
         typedef [context_handle] void *STORE_HANDLE;\n\
         long Open([in] handle_t h, [out] STORE_HANDLE *ph);\n\
         long Use([in] STORE_HANDLE hs, [in] long v);\n\
         long Close([in, out] STORE_HANDLE *ph);\n}}\n"
    );
    insta::assert_snapshot!(gen("context_handles", &idl));
}

#[test]
fn correlations_through_pointers_and_arithmetic() {
    let idl = format!(
        "{HEAD}interface sizes {{\n\
         long Read([in] handle_t h, [in] long cb, [out, size_is(cb/2)] short *half,\n\
         [in, out] long *pc, [out, size_is(, *pc)] long **many);\n}}\n"
    );
    insta::assert_snapshot!(gen("correlations", &idl));
}

#[test]
fn unions_without_switch_type_and_with_default_arms() {
    let idl = format!(
        "{HEAD}interface shapes {{\n\
         typedef union {{ [case(1)] long n; [case(2)] double d; [default] ; }} NUMBER;\n\
         typedef struct {{ short kind; [switch_is(kind)] NUMBER value; }} TAGGED;\n\
         long Put([in] handle_t h, [in] TAGGED *t);\n}}\n"
    );
    insta::assert_snapshot!(gen("unions", &idl));
}

#[test]
fn strings_sized_and_varying() {
    let idl = format!(
        "{HEAD}interface text {{\n\
         long Get([in] handle_t h, [in] long max, [out, size_is(max), string] wchar_t *name,\n\
         [in, string] char *ascii);\n}}\n"
    );
    insta::assert_snapshot!(gen("strings", &idl));
}

#[test]
fn inheritance_from_idispatch() {
    let idl = "import \"oaidl.idl\";\n\
               [object, uuid(6d1e3d16-5a0c-4a43-9d61-6b1b8b0b5a02), dual]\n\
               interface IGreeter : IDispatch {\n\
               HRESULT Greet([in] BSTR name, [out, retval] BSTR *reply);\n}\n";
    insta::assert_snapshot!(gen("inheritance", idl));
}

#[test]
fn names_that_rust_reserves_or_that_collide() {
    let idl = format!(
        "{HEAD}interface r#match {{\n\
         typedef struct {{ long type; long r#fn; long Self_; }} loop;\n\
         long move([in] handle_t h, [in] loop *r#ref, [out] long *Loop);\n}}\n"
    )
    .replace("r#", "");
    insta::assert_snapshot!(gen("names", &idl));
}
