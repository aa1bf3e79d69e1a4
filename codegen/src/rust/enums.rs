//! Enums: a number in a newtype with a constant per item, so that values
//! the IDL does not list survive a round trip.

use msrpc_idl::model::*;

use super::code::Code;
use super::names::ident;
use super::Gen;

impl Gen<'_> {
    pub(crate) fn enum_def(&self, c: &mut Code, t: &TypeDef, e: &Enum) {
        let name = &self.names.types[&t.name];
        let (repr, width) = if e.v1_enum { ("u32", 32) } else { ("u16", 16) };
        c.doc(format!(
            "`{}`: an NDR enum, {width} bits on the wire.",
            t.name
        ));
        c.line("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]");
        self.type_attrs(c);
        c.line(format!("pub struct {name}(pub {repr});"));
        if !e.items.is_empty() {
            c.open(format!("impl {name}"));
            for (n, v) in &e.items {
                // The wire's unsigned form, as C's conversion gives it: -1 is 0xffff.
                let v = (*v as u64) & ((1u64 << width) - 1);
                c.line(format!("pub const {}: Self = Self({v});", ident(n)));
            }
            c.close();
        }
        c.line(format!("ndr::ndr_enum!({name}, {repr});"));
    }
}
