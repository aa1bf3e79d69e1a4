//! The IDL files msrpc carries, and the runtime modules generated from
//! them. `import "ms-dcom.idl";` finds them with no include path, from any
//! crate; a file of the same name on the include path wins.

use msrpc_idl::BuiltinFile;

/// Every built-in file, found by name after the include path.
pub const FILES: &[BuiltinFile] = &[
    BuiltinFile {
        name: "ms-dtyp.idl",
        text: include_str!("../idl/ms-dtyp.idl"),
    },
    BuiltinFile {
        name: "ms-dcom.idl",
        text: include_str!("../idl/ms-dcom.idl"),
    },
    BuiltinFile {
        name: "ms-com.idl",
        text: include_str!("../idl/ms-com.idl"),
    },
    BuiltinFile {
        name: "ms-oaut.idl",
        text: include_str!("../idl/ms-oaut.idl"),
    },
    // The Windows SDK's name for OLE Automation. Its declarations are
    // ms-oaut.idl's, so that both names lead to one `msrpc::oaut`.
    BuiltinFile {
        name: "oaidl.idl",
        text: "import \"ms-oaut.idl\";\n",
    },
];

/// The runtime module each built-in file's declarations live in, under
/// the runtime's path: an IDL that imports ms-dcom.idl refers to
/// `::msrpc::dcom` rather than generating MS-DCOM again.
pub const MODULES: &[(&str, &str)] = &[
    ("ms-dtyp.idl", "dcom"),
    ("ms-dcom.idl", "dcom"),
    ("ms-com.idl", "com"),
    ("ms-oaut.idl", "oaut"),
];

/// Front-end options with the built-in files: what the CLI, build scripts
/// and the macros start from.
pub fn front_end() -> msrpc_idl::Options {
    msrpc_idl::Options {
        builtins: FILES,
        ..Default::default()
    }
}
