//! Decoding by name, for tools such as `msidl ndr decode`: every type with
//! an `Ndr` impl, and each method's request (`Interface.Method:in`) and
//! response (`:out`).

use super::code::Code;
use super::Gen;

impl Gen<'_> {
    pub(crate) fn registry(&self, c: &mut Code, entries: &[(String, String)]) {
        c.blank();
        c.doc("The names [`decode_by_name`] knows: types, and each method's");
        c.doc("request (`Interface.Method:in`) and response (`:out`).");
        c.open_list("pub const TYPE_NAMES: &[&str] = &[");
        for (name, _) in entries {
            c.line(format!("{name:?},"));
        }
        c.close_list("];");
        c.blank();
        c.doc("Decodes `bytes` as the type called `name`: the value, printed,");
        c.doc("and its encoding again. `None` for an unknown name.");
        c.open(
            "pub fn decode_by_name(name: &str, bytes: &[u8]) -> Option<ndr::Result<ndr::Decoded>>",
        );
        c.open("Some(match name");
        for (name, path) in entries {
            c.line(format!("{name:?} => ndr::decode_named::<{path}>(bytes),"));
        }
        c.line("_ => return None,");
        c.close_with(")");
        c.close();
    }
}
