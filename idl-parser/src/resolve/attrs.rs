//! What MIDL's attributes mean to this model: which ones are known, which
//! shape their arguments take, and helpers to read them.

use crate::ast::{Attr, AttrArg, ExprKind};
use crate::diagnostic::Diagnostic;
use crate::model::Attribute;

/// Attributes that change what goes on the wire; their arguments are checked.
pub const WIRE: &[&str] = &[
    "in",
    "out",
    "ref",
    "unique",
    "ptr",
    "string",
    "size_is",
    "length_is",
    "first_is",
    "last_is",
    "max_is",
    "min_is",
    "switch_is",
    "switch_type",
    "case",
    "default",
    "iid_is",
    "range",
    "v1_enum",
    "object",
    "uuid",
    "version",
    "pointer_default",
    "local",
    "context_handle",
    "disable_consistency_check",
    "transmit_as",
    "wire_marshal",
    "represent_as",
    "user_marshal",
    "ignore",
    "retval",
    "handle",
    "call_as",
    "idempotent",
    "broadcast",
    "maybe",
    "byte_count",
    "partial_ignore",
    "force_allocate",
    "ms_union",
    "strict_context_handle",
    "async_uuid",
    "endpoint",
    "context_handle_noserialize",
    "context_handle_serialize",
    "bstring",
    "lcid",
];

/// Attributes MIDL knows that only matter to headers, type libraries or
/// automation; kept in the model, not interpreted.
pub const OTHER: &[&str] = &[
    "helpstring",
    "helpcontext",
    "helpfile",
    "helpstringdll",
    "helpstringcontext",
    "id",
    "propget",
    "propput",
    "propputref",
    "dual",
    "oleautomation",
    "nonextensible",
    "hidden",
    "restricted",
    "source",
    "public",
    "appobject",
    "control",
    "licensed",
    "noncreatable",
    "aggregatable",
    "bindable",
    "defaultbind",
    "defaultcollelem",
    "defaultvalue",
    "displaybind",
    "immediatebind",
    "optional",
    "readonly",
    "requestedit",
    "vararg",
    "usesgetlasterror",
    "entry",
    "dllname",
    "custom",
    "annotation",
    "threading",
    "progid",
    "vi_progid",
    "replaceable",
    "nonbrowsable",
    "uidefault",
    "defaultvtable",
    "predeclid",
    "odl",
    "cpp_quote",
    "async",
    "notify",
    "notify_flag",
    "encode",
    "decode",
    "auto_handle",
    "implicit_handle",
    "explicit_handle",
    "code",
    "nocode",
    "comm_status",
    "fault_status",
    "allocate",
    "enable_allocate",
    "heap",
    "message",
    "optimize",
    "callback",
    "system_handle",
    "proxy",
    "marshaling_behavior",
    "event_add",
    "event_remove",
    "overload",
    "eventadd",
    "eventremove",
    "size_is_hint",
    "string_hint",
    "exclusiveto",
    "activatable",
    "static",
    "composable",
    "contract",
    "contractversion",
    "deprecated",
    "flags",
    "protected",
    "apicontract",
    "default_overload",
    "noexcept",
    "length_hint",
    "soft_annotation",
];

pub fn is_known(name: &str) -> bool {
    // A set: every attribute of every declaration is looked up, and the
    // lists hold some 150 names.
    static KNOWN: std::sync::OnceLock<std::collections::HashSet<&str>> = std::sync::OnceLock::new();
    KNOWN
        .get_or_init(|| WIRE.iter().chain(OTHER).copied().collect())
        .contains(name)
}

/// The known attribute nearest to a misspelt one.
pub fn similar_known(name: &str) -> Option<&'static str> {
    super::suggest::similar(name, WIRE.iter().chain(OTHER).copied())
}

pub fn find<'a>(attrs: &'a [Attr], name: &str) -> Option<&'a Attr> {
    attrs.iter().find(|a| a.name.name == name)
}

pub fn has(attrs: &[Attr], name: &str) -> bool {
    find(attrs, name).is_some()
}

/// The attribute as the model keeps it: name and argument text.
pub fn describe(a: &Attr) -> Attribute {
    Attribute {
        name: a.name.name.clone(),
        args: a
            .args
            .as_ref()
            .map(|args| args.iter().map(arg_text).collect()),
    }
}

fn arg_text(arg: &AttrArg) -> String {
    match arg {
        AttrArg::Empty(_) => String::new(),
        AttrArg::Uuid(u, _) => u.clone(),
        AttrArg::Type(t) => crate::resolve::c_type_ref(t),
        AttrArg::Expr(e) => crate::resolve::expr_text(e),
    }
}

/// Checks the attribute's argument count; reports and returns false if wrong.
pub fn expect_args(a: &Attr, min: usize, max: usize, diags: &mut Vec<Diagnostic>) -> bool {
    let n = a.args.as_ref().map_or(0, Vec::len);
    if n < min || n > max {
        let want = match (min, max) {
            (0, 0) => "no arguments".to_string(),
            (a, b) if a == b => format!("{a} argument(s)"),
            (a, usize::MAX) => format!("at least {a} argument(s)"),
            (a, b) => format!("{a} to {b} arguments"),
        };
        diags.push(
            Diagnostic::error(
                a.span,
                format!("attribute `{}` takes {want}, found {n}", a.name.name),
            )
            .with_label("wrong number of arguments"),
        );
        return false;
    }
    true
}

/// A string or bare-uuid argument's text.
pub fn uuid_text(arg: &AttrArg) -> Option<&str> {
    match arg {
        AttrArg::Uuid(u, _) => Some(u),
        AttrArg::Expr(e) => match &e.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}
