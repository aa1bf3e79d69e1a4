//! Constants: integers in the smallest type that holds them, strings,
//! and floating-point values.

use msrpc_idl::model::*;

use super::code::Code;
use super::Gen;

impl Gen<'_> {
    pub(crate) fn constant(&self, c: &mut Code, k: &Constant) {
        let name = &self.names.constants[&k.name];
        let (ty, value) = match &k.value {
            ConstValue::Int(v) => {
                if let Ok(v) = i32::try_from(*v) {
                    ("i32", v.to_string())
                } else if let Ok(v) = i64::try_from(*v) {
                    ("i64", v.to_string())
                } else {
                    ("u64", (*v as u64).to_string())
                }
            }
            ConstValue::Str(s) => ("&str", format!("{s:?}")),
            ConstValue::Float(f) => {
                let f = f.trim_end_matches(['f', 'F', 'l', 'L']);
                let v: f64 = f.parse().unwrap_or(0.0);
                ("f64", format!("{v:?}"))
            }
        };
        c.doc(format!("`{}` from the IDL.", k.name));
        c.line(format!("pub const {name}: {ty} = {value};"));
    }
}
