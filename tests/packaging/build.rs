fn main() -> Result<(), Box<dyn std::error::Error>> {
    // hello.idl imports ms-dcom.idl, which msrpc-codegen carries: no -I.
    msrpc_codegen::configure().compile(&["idl/hello.idl"], &[] as &[&str])?;
    Ok(())
}
