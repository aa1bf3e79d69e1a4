//! Unions: a Rust enum with a variant per arm, and the discriminant on the
//! wire before the arm. Each aligns to itself; an encapsulated union's arm
//! then aligns to the largest arm, as a struct member would.

use heck::ToUpperCamelCase;
use msrpc_idl::model::*;

use super::code::Code;
use super::names::ident;
use super::shape::scalar;
use super::support::Data;
use super::{unsupported, Gen, Result};

struct Arm<'u> {
    variant: String,
    cases: Vec<i128>,
    /// The variant carries the discriminant: several cases, or default.
    keeps_discriminant: bool,
    field: Option<&'u Field>,
}

impl<'m> Gen<'m> {
    pub(crate) fn union_def(&self, c: &mut Code, t: &'m TypeDef, u: &'m Union) -> Result<()> {
        let item = t.name.as_str();
        let (disc, encapsulated) = match &u.switch {
            UnionSwitch::Encapsulated { ty, .. } => (ty, true),
            UnionSwitch::NonEncapsulated { ty: Some(ty) } => (ty, false),
            // Refused by `support`: never generated.
            _ => return Ok(()),
        };
        let disc_ty = self.value_type(&[], disc, 0);
        // The discriminant as a number, and its Rust value from one.
        let (put, get, disc_align, to_value, from_value) = match self.support.data(disc) {
            Ok(Data::Scalar(s)) => {
                let (ty, io, size) = scalar(s);
                (
                    format!("e.{io}(d);"),
                    format!("d.{io}()?"),
                    size.to_string(),
                    "i128::from(*d)".to_string(),
                    format!("{ty}::try_from(self.discriminant())"),
                )
            }
            Ok(Data::Type(dt)) if matches!(dt.kind, TypeKind::Enum(_)) => {
                let repr = match &dt.kind {
                    TypeKind::Enum(e) if e.v1_enum => "u32",
                    _ => "u16",
                };
                (
                    "ndr::Ndr::encode_scalars(&d, e)?;".to_string(),
                    format!("<{disc_ty} as ndr::Ndr>::decode_scalars(d)?"),
                    format!("<{disc_ty} as ndr::Ndr>::ALIGN"),
                    "i128::from(*d)".to_string(),
                    format!("{repr}::try_from(self.discriminant()).map({disc_ty})"),
                )
            }
            _ => {
                return Err(unsupported(
                    item,
                    "a discriminant that is not an integer or enum",
                ))
            }
        };
        let arms = self.arms(item, u)?;
        let all_cases: Vec<i128> = arms.iter().flat_map(|a| a.cases.iter().copied()).collect();
        let name = &self.names.types[&t.name];

        c.doc(format!(
            "`{}` from the IDL: a union, one variant per arm.",
            t.name
        ));
        c.line("#[derive(Debug, Clone, PartialEq)]");
        self.type_attrs(c);
        c.open(format!("pub enum {name}"));
        for arm in &arms {
            let case_doc = if arm.cases.is_empty() {
                "The default arm.".to_string()
            } else {
                let list: Vec<String> = arm.cases.iter().map(i128::to_string).collect();
                format!("case {}", list.join(", "))
            };
            c.doc(case_doc);
            let mut fields = Vec::new();
            if arm.keeps_discriminant {
                fields.push(disc_ty.clone());
            }
            if let Some(f) = arm.field {
                fields.push(self.value_type(&f.layout.levels, &f.layout.data, 0));
            }
            if fields.is_empty() {
                c.line(format!("{},", arm.variant));
            } else {
                c.line(format!("{}({}),", arm.variant, fields.join(", ")));
            }
        }
        c.close();

        // Patterns binding the discriminant `d` and the value `x`.
        let pat = |arm: &Arm, d: bool, x: bool| -> String {
            let mut parts = Vec::new();
            if arm.keeps_discriminant {
                parts.push(if d { "d" } else { "_" });
            }
            if arm.field.is_some() {
                parts.push(if x { "x" } else { "_" });
            }
            if parts.is_empty() {
                format!("Self::{}", arm.variant)
            } else {
                format!("Self::{}({})", arm.variant, parts.join(", "))
            }
        };
        let list = |v: &[i128]| v.iter().map(i128::to_string).collect::<Vec<_>>().join(", ");

        c.open(format!("impl {name}"));
        c.doc("The discriminant this value travels with.");
        c.open("pub fn discriminant(&self) -> i128");
        c.open("match self");
        for arm in &arms {
            if arm.keeps_discriminant {
                c.line(format!("{} => {to_value},", pat(arm, true, false)));
            } else {
                c.line(format!(
                    "{} => {},",
                    pat(arm, false, false),
                    arm.cases.first().copied().unwrap_or(0)
                ));
            }
        }
        c.close().close();
        c.doc("Whether a variant that carries its discriminant carries one of its cases.");
        c.open("fn fits(&self) -> bool");
        c.open("match self");
        for arm in arms.iter().filter(|a| a.keeps_discriminant) {
            let d = to_value.clone();
            let test = if arm.cases.is_empty() {
                format!("![{}].contains(&{d})", list(&all_cases))
            } else {
                format!("[{}].contains(&{d})", list(&arm.cases))
            };
            c.line(format!("{} => {test},", pat(arm, true, false)));
        }
        if arms.iter().any(|a| !a.keeps_discriminant) {
            c.line("_ => true,");
        }
        c.close().close();
        c.close();

        let mut aligns = vec![disc_align];
        let mut buffers = Vec::new();
        for arm in &arms {
            if let Some(f) = arm.field {
                aligns.push(self.shape_const(&f.layout.levels, &f.layout.data, "ALIGN"));
                let b = self.shape_const(&f.layout.levels, &f.layout.data, "HAS_BUFFERS");
                if b != "false" {
                    buffers.push(b);
                }
            }
        }
        let has_buffers = if buffers.iter().any(|b| b == "true") {
            "true".into()
        } else if buffers.is_empty() {
            "false".into()
        } else {
            buffers.join(" || ")
        };
        let arm_align = format!("ndr::max_align(&[{}])", aligns[1..].join(", "));
        c.blank();
        c.open(format!("impl ndr::Ndr for {name}"));
        // In NDR20 the discriminant and the arm each align to themselves;
        // ALIGN (the largest) places the union as a pointee or a member.
        c.line(format!(
            "const ALIGN: usize = ndr::max_align(&[{}]);",
            aligns.join(", ")
        ));
        c.line(format!("const HAS_BUFFERS: bool = {has_buffers};"));
        c.open("fn encode_scalars(&self, e: &mut ndr::Encoder) -> ndr::Result<()>");
        c.open("if !self.fits()");
        c.line("return Err(e.mismatch(\"union discriminant against its arm\", 0, 0));");
        c.close();
        c.line(format!(
            "let d = {from_value}.map_err(|_| e.count_overflow(0))?;"
        ));
        c.line(put.clone());
        if encapsulated && aligns.len() > 1 {
            c.line(format!("e.align({arm_align});"));
        }
        c.open("match self");
        for arm in &arms {
            match arm.field {
                Some(f) => {
                    let shape = self.shape(&f.layout.levels, &f.layout.data, 0);
                    c.line(format!(
                        "{} => wire::put::<{shape}>(e, x, &[])?,",
                        pat(arm, false, true)
                    ));
                }
                None => {
                    c.line(format!("{} => {{}}", pat(arm, false, false)));
                }
            }
        }
        c.close();
        c.line("Ok(())");
        c.close();
        // Whether every variant has deferred data, so no `_` arm is left.
        let all_deferred = arms.iter().all(|a| {
            a.field
                .is_some_and(|f| self.has_buffers(&f.layout.levels, &f.layout.data) != Some(false))
        });
        if has_buffers != "false" {
            c.open("fn encode_buffers(&self, e: &mut ndr::Encoder) -> ndr::Result<()>");
            c.open("match self");
            for arm in &arms {
                if let Some(f) = arm.field {
                    if self.has_buffers(&f.layout.levels, &f.layout.data) != Some(false) {
                        let shape = self.shape(&f.layout.levels, &f.layout.data, 0);
                        c.line(format!(
                            "{} => wire::put_deferred::<{shape}>(e, x, &[])?,",
                            pat(arm, false, true)
                        ));
                    }
                }
            }
            if !all_deferred {
                c.line("_ => {}");
            }
            c.close();
            c.line("Ok(())");
            c.close();
        }
        c.open("fn decode_scalars(d: &mut ndr::Decoder<'_>) -> ndr::Result<Self>");
        c.line(format!("let disc = {get};"));
        c.line("let value = i128::from(disc);");
        if encapsulated && aligns.len() > 1 {
            c.line(format!("d.align({arm_align})?;"));
        }
        c.open("Ok(match value");
        let mut default = None;
        for arm in &arms {
            let mut parts = Vec::new();
            if arm.keeps_discriminant {
                parts.push("disc".to_string());
            }
            if let Some(f) = arm.field {
                let shape = self.shape(&f.layout.levels, &f.layout.data, 0);
                parts.push(format!("wire::get::<{shape}>(d, &[])?"));
            }
            let make = if parts.is_empty() {
                format!("Self::{}", arm.variant)
            } else {
                format!("Self::{}({})", arm.variant, parts.join(", "))
            };
            if arm.cases.is_empty() {
                default = Some(make);
            } else {
                let cases: Vec<String> = arm.cases.iter().map(i128::to_string).collect();
                c.line(format!("{} => {make},", cases.join(" | ")));
            }
        }
        match default {
            Some(make) => c.line(format!("_ => {make},")),
            None => c.line(
                "other => return Err(d.error(ndr::ErrorKind::BadDiscriminant(i64::try_from(other).unwrap_or(i64::MAX)))),",
            ),
        };
        c.close_with(")");
        c.close();
        if has_buffers != "false" {
            c.open("fn decode_buffers(&mut self, d: &mut ndr::Decoder<'_>) -> ndr::Result<()>");
            c.open("match self");
            for arm in &arms {
                if let Some(f) = arm.field {
                    if self.has_buffers(&f.layout.levels, &f.layout.data) != Some(false) {
                        let shape = self.shape(&f.layout.levels, &f.layout.data, 0);
                        c.line(format!(
                            "{} => wire::get_deferred::<{shape}>(d, x, &[])?,",
                            pat(arm, false, true)
                        ));
                    }
                }
            }
            if !all_deferred {
                c.line("_ => {}");
            }
            c.close();
            c.line("Ok(())");
            c.close();
        }
        c.open("fn placeholder() -> Self");
        let first = &arms[0];
        let mut parts = Vec::new();
        if first.keeps_discriminant {
            parts.push(format!("<{disc_ty} as ndr::Ndr>::placeholder()"));
        }
        if let Some(f) = first.field {
            parts.push(self.placeholder(&f.layout.levels, &f.layout.data, 0));
        }
        if parts.is_empty() {
            c.line(format!("Self::{}", first.variant));
        } else {
            c.line(format!("Self::{}({})", first.variant, parts.join(", ")));
        }
        c.close();
        c.close();
        Ok(())
    }

    fn arms<'u>(&self, item: &str, u: &'u Union) -> Result<Vec<Arm<'u>>> {
        let mut used = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        for arm in &u.arms {
            let base = match &arm.field {
                Some(f) if !f.name.is_empty() => f.name.to_upper_camel_case(),
                _ if arm.default => "Default".to_string(),
                _ => match arm.cases.first() {
                    Some(c) if *c < 0 => format!("CaseMinus{}", c.unsigned_abs()),
                    Some(c) => format!("Case{c}"),
                    None => "Arm".to_string(),
                },
            };
            let base = ident(if base.is_empty() { "Arm" } else { &base });
            let mut name = base.clone();
            let mut k = 2;
            while !used.insert(name.clone()) {
                name = format!("{}{k}", super::names::bare(&base));
                k += 1;
            }
            if arm.cases.is_empty() && !arm.default {
                return Err(unsupported(item, "a union arm with no case"));
            }
            out.push(Arm {
                variant: name,
                // A default arm that also has cases is matched by its cases first.
                cases: if arm.default {
                    Vec::new()
                } else {
                    arm.cases.clone()
                },
                keeps_discriminant: arm.default || arm.cases.len() > 1,
                field: arm.field.as_ref(),
            });
        }
        if out.is_empty() {
            return Err(unsupported(item, "a union with no arms"));
        }
        Ok(out)
    }
}
