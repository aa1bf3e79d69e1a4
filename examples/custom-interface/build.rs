//! Generates the Rust for idl/greeter.idl into OUT_DIR; src/lib.rs
//! includes it with `oxidl::include_idl!("greeter")`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    oxidl_codegen::configure()
        .client(true)
        .server(true)
        // ms-dcom.idl, which greeter.idl imports, lives in the oxidl repository's idl/.
        .compile(&["idl/greeter.idl"], &["idl", "../../idl"])?;
    Ok(())
}
