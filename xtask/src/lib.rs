//! The generated Rust that is checked in, and how each file is made: one
//! list that `cargo xtask regen` writes and the staleness tests compare.

use std::path::{Path, PathBuf};

use msrpc_codegen::rust::{self, Options};

/// What runtime/src/dcom.rs puts on every type, for fuzzing and proptests.
pub const ARBITRARY: &str = r#"#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]"#;

/// One checked-in generated file.
pub struct Generated {
    /// Where it is, from the workspace root.
    pub path: &'static str,
    /// The IDL it is generated from, from the workspace root.
    pub idl: &'static str,
    options: fn() -> Options,
}

/// Every checked-in generated file.
pub const CHECKED_IN: &[Generated] = &[
    // MS-DCOM with the MS-DTYP types it imports: the runtime's own protocol.
    Generated {
        path: "runtime/src/dcom.rs",
        idl: "codegen/idl/ms-dcom.idl",
        options: || Options {
            runtime: "crate".into(),
            builtin_externs: false,
            type_attributes: vec![ARBITRARY.into()],
            ..Options::default()
        },
    },
    Generated {
        path: "runtime/src/com.rs",
        idl: "codegen/idl/ms-com.idl",
        options: || Options {
            runtime: "crate".into(),
            root_only: true,
            ..Options::default()
        },
    },
    // OLE Automation: BSTR, VARIANT, SAFEARRAY, IDispatch and the rest.
    Generated {
        path: "runtime/src/oaut/generated.rs",
        idl: "codegen/idl/ms-oaut.idl",
        options: || Options {
            runtime: "crate".into(),
            root_only: true,
            ..Options::default()
        },
    },
    Generated {
        path: "examples/calculator/calculator_idl.rs",
        idl: "examples/idl/calculator.idl",
        options: || Options {
            root_only: true,
            ..Options::default()
        },
    },
];

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

impl Generated {
    /// The file as the generator writes it now.
    pub fn generate(&self) -> Result<String, String> {
        let idl = workspace().join(self.idl);
        let out = msrpc_idl::load(&[idl], &msrpc_codegen::builtin::front_end());
        let model = out
            .model
            .as_ref()
            .ok_or_else(|| format!("{} does not resolve:\n{}", self.idl, out.render()))?;
        let opts = Options {
            source_name: file_name(self.idl).into(),
            ..(self.options)()
        };
        rust::generate(model, &opts).map_err(|e| format!("{}: {e}", self.idl))
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
