//! Generates the Rust for idl/greeter.idl into OUT_DIR; src/lib.rs
//! includes it with `msrpc::include_idl!("greeter")`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    msrpc_codegen::configure()
        .client(true)
        .server(true)
        // ms-dcom.idl, which greeter.idl imports, is built into msrpc-codegen.
        .compile(&["idl/greeter.idl"], &["idl"])?;
    Ok(())
}
