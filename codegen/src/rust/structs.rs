//! Structs and their `Ndr` impls. Each field is written in NDR's two
//! passes through its shape; a count its arrays imply is not a field but
//! is written from their length and checked against them; a conformant
//! struct's max_count goes first, where NDR puts it.

use msrpc_idl::model::*;

use super::code::Code;
use super::names::field_names;
use super::record::{bounds_slice, len_expr, local_name, outer_array, Slot};
use super::shape::scalar;
use super::unsupported;
use super::{Gen, Result};

/// How the last field of a conformant struct travels.
enum Tail {
    /// A conformant (or conformant varying) array: elements inline.
    Array { varying: bool },
    /// `[string] wchar_t name[]`: a conformant varying string inline.
    String,
    /// A struct that is itself conformant: its count moves out to ours.
    Struct,
}

impl<'m> Gen<'m> {
    pub(crate) fn struct_slots(&self, s: &'m Struct) -> Vec<Slot<'m>> {
        let names = field_names(s.fields.iter().map(|f| f.name.as_str()));
        let mut slots: Vec<Slot> = s
            .fields
            .iter()
            .zip(names)
            .enumerate()
            .map(|(i, (f, rust))| Slot {
                idl: &f.name,
                local: local_name(&rust),
                rust,
                levels: &f.layout.levels,
                data: &f.layout.data,
                layout: &f.layout,
                index: i,
                implied: Vec::new(),
                fixed: None,
            })
            .collect();
        self.imply(&mut slots, |s| self.opts.kept_counts.contains(s.idl));
        slots
    }

    /// The tail of a conformant struct, if this is one.
    fn tail(&self, slots: &[Slot<'m>]) -> Option<Tail> {
        let last = slots.last()?;
        match last.levels.first() {
            Some(Level::Array(a)) if a.fixed.is_none() && a.string && last.levels.len() == 1 => {
                Some(Tail::String)
            }
            Some(Level::Array(a)) if a.fixed.is_none() => Some(Tail::Array {
                varying: a.is_varying(),
            }),
            None if self.is_conformant(last.data, 0) => Some(Tail::Struct),
            _ => None,
        }
    }

    /// Whether a named type is a conformant struct.
    pub(crate) fn is_conformant(&self, d: &'m DataType, depth: usize) -> bool {
        self.support.is_conformant(d, depth)
    }

    pub(crate) fn struct_def(&self, c: &mut Code, t: &'m TypeDef, s: &'m Struct) -> Result<()> {
        let slots = self.struct_slots(s);
        let name = &self.names.types[&t.name];
        c.doc(format!("`{}` from the IDL.", t.name));
        let default = slots
            .iter()
            .filter(|s| !s.is_implied())
            .all(|s| self.has_default(s.levels, s.data, 0));
        c.line(format!(
            "#[derive(Debug, Clone, PartialEq{})]",
            if default { ", Default" } else { "" }
        ));
        self.type_attrs(c);
        let fields: Vec<&Slot> = slots.iter().filter(|s| !s.is_implied()).collect();
        if fields.is_empty() {
            c.line(format!("pub struct {name} {{}}"));
        } else {
            c.open(format!("pub struct {name}"));
            for f in fields {
                c.doc(format!("`{}`", f.idl));
                c.line(format!(
                    "pub {}: {},",
                    f.rust,
                    self.value_type(f.levels, f.data, 0)
                ));
            }
            c.close();
        }
        self.struct_impl(c, t, s)
    }

    /// The `Ndr` impl of a struct.
    pub(crate) fn struct_impl(&self, c: &mut Code, t: &'m TypeDef, s: &'m Struct) -> Result<()> {
        let slots = self.struct_slots(s);
        let tail = self.tail(&slots);
        // NDR has one place for a conformant member's count: the front of
        // the struct, for its last member (C706 14.3.7.1).
        let inner = slots.iter().rev().skip(1);
        if inner
            .into_iter()
            .any(|s| s.levels.is_empty() && self.is_conformant(s.data, 0))
        {
            return Err(unsupported(
                &t.name,
                "a conformant struct that is not the last member of a struct",
            ));
        }
        let name = match self.names.types.get(&t.name) {
            Some(n) => n.clone(),
            None => super::names::type_name(&t.name),
        };
        let mut aligns = Vec::new();
        let mut mins = Vec::new();
        let mut buffers = Vec::new();
        if tail.is_some() {
            aligns.push("4".to_string());
            mins.push("4".to_string());
        }
        for (j, sl) in slots.iter().enumerate() {
            let is_tail = tail.is_some() && j + 1 == slots.len();
            let (align, min) = match (&tail, is_tail) {
                (Some(Tail::String), true) => ("4".to_string(), "8".to_string()),
                (Some(Tail::Array { varying }), true) => {
                    let elem = self.shape_const(&sl.levels[1..], sl.data, "ALIGN");
                    let a = if *varying {
                        format!("ndr::max_align(&[4, {elem}])")
                    } else {
                        elem
                    };
                    (a, if *varying { "8".into() } else { "0".into() })
                }
                _ => (
                    self.shape_const(sl.levels, sl.data, "ALIGN"),
                    self.shape_const(sl.levels, sl.data, "WIRE_MIN"),
                ),
            };
            aligns.push(align);
            mins.push(min);
            let b = if is_tail && matches!(tail, Some(Tail::Array { .. })) {
                self.shape_const(&sl.levels[1..], sl.data, "HAS_BUFFERS")
            } else {
                self.shape_const(sl.levels, sl.data, "HAS_BUFFERS")
            };
            if b != "false" {
                buffers.push(b);
            }
        }
        let has_buffers = if buffers.iter().any(|b| b == "true") {
            "true".to_string()
        } else if buffers.is_empty() {
            "false".to_string()
        } else {
            buffers.join(" || ")
        };
        c.blank();
        c.open(format!("impl ndr::Ndr for {name}"));
        c.line(format!(
            "const ALIGN: usize = ndr::max_align(&[{}]);",
            aligns.join(", ")
        ));
        c.line(format!("const HAS_BUFFERS: bool = {has_buffers};"));
        c.line(format!(
            "const WIRE_MIN: usize = ndr::at_least_one({});",
            if mins.is_empty() {
                "0".to_string()
            } else {
                mins.join(" + ")
            }
        ));
        let scalars = if tail.is_some() {
            "encode_scalars_hoisted"
        } else {
            "encode_scalars"
        };
        if tail.is_some() {
            c.open("fn conformance(&self) -> Option<usize>");
            c.line(format!("Some({})", self.conformance(&slots, tail.as_ref())));
            c.close();
            c.open("fn encode_scalars(&self, e: &mut ndr::Encoder) -> ndr::Result<()>");
            c.line("e.align(4);");
            c.line(format!(
                "e.count({})?;",
                self.conformance(&slots, tail.as_ref())
            ));
            c.line("self.encode_scalars_hoisted(e)");
            c.close();
        }
        c.open(format!(
            "fn {scalars}(&self, e: &mut ndr::Encoder) -> ndr::Result<()>"
        ));
        self.encode_fields(c, &slots, tail.as_ref())?;
        c.line("Ok(())");
        c.close();
        if has_buffers != "false" {
            c.open("fn encode_buffers(&self, e: &mut ndr::Encoder) -> ndr::Result<()>");
            self.encode_field_buffers(c, &slots, tail.as_ref());
            c.line("Ok(())");
            c.close();
        }
        if tail.is_some() {
            c.open("fn decode_scalars(d: &mut ndr::Decoder<'_>) -> ndr::Result<Self>");
            c.line("d.align(4)?;");
            c.line("let max = d.count()?;");
            c.line("Self::decode_scalars_hoisted(d, max)");
            c.close();
            c.open("fn decode_scalars_hoisted(d: &mut ndr::Decoder<'_>, max: u32) -> ndr::Result<Self>");
        } else {
            c.open("fn decode_scalars(d: &mut ndr::Decoder<'_>) -> ndr::Result<Self>");
        }
        self.decode_fields(c, &slots, tail.as_ref());
        c.close();
        if has_buffers != "false" {
            c.open("fn decode_buffers(&mut self, d: &mut ndr::Decoder<'_>) -> ndr::Result<()>");
            self.decode_field_buffers(c, &slots, tail.as_ref());
            c.line("Ok(())");
            c.close();
        }
        c.open("fn placeholder() -> Self");
        let fields: Vec<String> = slots
            .iter()
            .filter(|s| !s.is_implied())
            .map(|s| format!("{}: {}", s.rust, self.placeholder(s.levels, s.data, 0)))
            .collect();
        if fields.is_empty() {
            c.line("Self {}");
        } else {
            c.open("Self");
            for f in fields {
                c.line(format!("{f},"));
            }
            c.close();
        }
        c.close();
        c.close();
        Ok(())
    }

    /// The max_count a conformant struct writes first.
    fn conformance(&self, slots: &[Slot<'m>], tail: Option<&Tail>) -> String {
        let Some(last) = slots.last() else {
            return "0".into();
        };
        let v = format!("self.{}", last.rust);
        let read = |index, deref| {
            self.reader(
                slots,
                &|s: &Slot| format!("self.{}", s.rust),
                &|_| true,
                "0",
            )(index, deref)
        };
        match tail {
            Some(Tail::String) => {
                // A `[string, size_is(n)]` tail says its maximum itself.
                match self.string_max(last, &read) {
                    Some(m) => format!("usize::try_from({m}).unwrap_or(usize::MAX)"),
                    None => format!("{v}.0.len() + 1"),
                }
            }
            Some(Tail::Array { varying }) => {
                let (b, _) = bounds_slice(&last.levels[..1], &read);
                format!("wire::tail_conformance({v}.len(), {varying}, {b})")
            }
            Some(Tail::Struct) => format!("ndr::Ndr::conformance(&{v}).unwrap_or(0)"),
            None => "0".into(),
        }
    }

    /// A string's `size_is`, as an i128 expression, if it has one.
    fn string_max(&self, s: &Slot<'m>, read: super::expr::Reader) -> Option<String> {
        let Some(Level::Array(a)) = s.levels.first() else {
            return None;
        };
        super::expr::render(a.size_is.as_ref()?, read)
    }

    fn encode_fields(&self, c: &mut Code, slots: &[Slot<'m>], tail: Option<&Tail>) -> Result<()> {
        let place = |s: &Slot| format!("self.{}", s.rust);
        let read =
            |index, deref| self.reader(slots, &place, &|_| true, "e.position()")(index, deref);
        c.line("e.align(Self::ALIGN);");
        for (j, s) in slots.iter().enumerate() {
            let is_tail = tail.is_some() && j + 1 == slots.len();
            if s.is_implied() {
                self.encode_implied(c, slots, s, "self.");
                continue;
            }
            let v = format!("self.{}", s.rust);
            if let Some(sc) = self.plain_scalar(s.levels, s.data) {
                if let Some((lo, hi)) = s.layout.range {
                    c.line(format!(
                        "wire::check_range(e.position(), i128::from({v}), {lo}, {hi})?;"
                    ));
                }
                c.line(format!("e.{}({v});", scalar(sc).1));
                continue;
            }
            if let Some(sw) = &s.layout.switch_is {
                if let Some(want) = super::expr::render(sw, &read) {
                    c.line(format!(
                        "wire::check_switch(e.position(), {want}, {v}.discriminant())?;"
                    ));
                }
            }
            match (tail, is_tail) {
                (Some(Tail::String), true) => {
                    c.line(format!(
                        "{v}.encode_varying(e, {})?;",
                        self.conformance(slots, tail)
                    ));
                }
                (Some(Tail::Array { varying }), true) => {
                    let (b, _) = bounds_slice(&s.levels[..1], &read);
                    let elem = self.shape(&s.levels[1..], s.data, 0);
                    c.line(format!(
                        "wire::put_tail::<{elem}>(e, &{v}, {varying}, {b})?;"
                    ));
                }
                (Some(Tail::Struct), true) => {
                    c.line(format!("{v}.encode_scalars_hoisted(e)?;"));
                }
                _ => {
                    let (b, _) = bounds_slice(s.levels, &read);
                    let shape = self.shape(s.levels, s.data, 0);
                    if self.plain(s.levels, s.data) && b == "&[]" {
                        c.line(format!("ndr::Ndr::encode_scalars(&{v}, e)?;"));
                    } else {
                        c.line(format!("wire::put::<{shape}>(e, &{v}, {b})?;"));
                    }
                }
            }
        }
        Ok(())
    }

    /// Writes an implied count: the length of the arrays it sizes, which
    /// must agree. `prefix` is where their values are (`self.`).
    pub(crate) fn encode_implied(
        &self,
        c: &mut Code,
        slots: &[Slot<'m>],
        s: &Slot<'m>,
        prefix: &str,
    ) {
        let Some(sc) = self.plain_scalar(s.levels, s.data) else {
            return;
        };
        let (ty, put, _) = scalar(sc);
        let lens: Vec<String> = s
            .implied
            .iter()
            .map(|&u| len_expr(&slots[u], &format!("{prefix}{}", slots[u].rust)))
            .collect();
        c.open("");
        c.line(format!("let n = {};", lens[0]));
        for other in &lens[1..] {
            c.line(format!("wire::same_len(e, n, {other})?;"));
        }
        if let Some((lo, hi)) = s.layout.range {
            c.line(format!(
                "wire::check_range(e.position(), n as i128, {lo}, {hi})?;"
            ));
        }
        c.line(format!("e.{put}(wire::implied::<{ty}>(e, n)?);"));
        c.close();
    }

    fn encode_field_buffers(&self, c: &mut Code, slots: &[Slot<'m>], tail: Option<&Tail>) {
        let place = |s: &Slot| format!("self.{}", s.rust);
        let read =
            |index, deref| self.reader(slots, &place, &|_| true, "e.position()")(index, deref);
        for (j, s) in slots.iter().enumerate() {
            if s.is_implied() || self.plain_scalar(s.levels, s.data).is_some() {
                continue;
            }
            let v = format!("self.{}", s.rust);
            let is_tail = tail.is_some() && j + 1 == slots.len();
            match (tail, is_tail) {
                (Some(Tail::Array { .. }), true) => {
                    if self.has_buffers(&s.levels[1..], s.data) != Some(false) {
                        let elem = self.shape(&s.levels[1..], s.data, 0);
                        c.line(format!("wire::put_tail_deferred::<{elem}>(e, &{v}, &[])?;"));
                    }
                }
                (Some(Tail::String), true) => {}
                _ => {
                    if self.has_buffers(s.levels, s.data) == Some(false) {
                        continue;
                    }
                    let (b, _) = bounds_slice(s.levels, &read);
                    let shape = self.shape(s.levels, s.data, 0);
                    c.line(format!("wire::put_deferred::<{shape}>(e, &{v}, {b})?;"));
                }
            }
        }
    }

    fn decode_fields(&self, c: &mut Code, slots: &[Slot<'m>], tail: Option<&Tail>) {
        c.line("d.align(Self::ALIGN)?;");
        let place = |s: &Slot| s.local.clone();
        let mut post = Vec::new();
        // Optional deferred arrays whose count came inline, promised below.
        // A [ref] one is made below; its inline part is just a referent.
        let promised = |j: usize, refs: bool| {
            let s = &slots[j];
            let is_ref =
                matches!(s.levels.first(), Some(Level::Pointer(p)) if p.kind == PointerKind::Ref);
            is_ref == refs
                && matches!(s.levels.first(), Some(Level::Pointer(_)))
                && outer_array(s.levels) == Some(1)
                && slots.iter().any(|x| x.implied.contains(&j))
        };
        for (j, s) in slots.iter().enumerate() {
            let ready = |k: usize| k < j;
            let read =
                |index, deref| self.reader(slots, &place, &ready, "d.position()")(index, deref);
            let local = &s.local;
            let binding = if promised(j, false) { "let mut" } else { "let" };
            let is_tail = tail.is_some() && j + 1 == slots.len();
            if let Some(sc) = self.plain_scalar(s.levels, s.data) {
                c.line(format!("let {local} = d.{}()?;", scalar(sc).1));
                if let Some((lo, hi)) = s.layout.range {
                    c.line(format!(
                        "wire::check_range(d.position(), i128::from({local}), {lo}, {hi})?;"
                    ));
                }
                continue;
            }
            match (tail, is_tail) {
                (Some(Tail::String), true) => {
                    let kind = self.string_kind(s.data).0;
                    if let Some(m) = self.string_max(s, &read) {
                        c.line(format!(
                            "wire::check_len_after(d.position(), \"string size_is\", wire::count({m}), max as usize)?;"
                        ));
                    }
                    c.line(format!(
                        "let {local} = ndr::{kind}::decode_varying(d, max.into())?;"
                    ));
                }
                (Some(Tail::Array { varying }), true) => {
                    let b = self.implied_bound(slots, j, &place, &read);
                    let elem = self.shape(&s.levels[1..], s.data, 0);
                    c.line(format!(
                        "let {local} = wire::get_tail::<{elem}>(d, max, {varying}, {b})?;"
                    ));
                }
                (Some(Tail::Struct), true) => {
                    let ty = self.value_type(s.levels, s.data, 0);
                    c.line(format!(
                        "let {local} = <{ty} as ndr::Ndr>::decode_scalars_hoisted(d, max)?;"
                    ));
                }
                _ => {
                    let (b, complete) = bounds_slice(s.levels, &read);
                    let shape = self.shape(s.levels, s.data, 0);
                    let pointee_first = matches!(s.levels.first(), Some(Level::Pointer(_)));
                    if self.plain(s.levels, s.data) && b == "&[]" {
                        c.line(format!(
                            "let {local} = <{shape} as ndr::Ndr>::decode_scalars(d)?;"
                        ));
                    } else if promised(j, true) {
                        c.line(format!("wire::get::<{shape}>(d, {b})?;"));
                    } else {
                        c.line(format!(
                            "{binding} {local} = wire::get::<{shape}>(d, {b})?;"
                        ));
                    }
                    // Inline arrays whose bounds name later fields.
                    if !complete && !pointee_first {
                        post.push(j);
                    }
                }
            }
        }
        // Deferred arrays whose count came inline: placeholders, promised.
        for s in slots.iter().filter(|s| s.is_implied()) {
            for &u in &s.implied {
                let user = &slots[u];
                if outer_array(user.levels) != Some(1) {
                    continue;
                }
                let elem = self.shape(&user.levels[2..], user.data, 0);
                let (ul, n) = (&user.local, &s.local);
                match user.levels.first() {
                    Some(Level::Pointer(p)) if p.kind == PointerKind::Ref => c.line(format!(
                        "let {ul} = wire::promise::<{elem}>(d, i128::from({n}))?;"
                    )),
                    _ => c.line(format!(
                        "wire::promise_opt::<{elem}>(d, &mut {ul}, i128::from({n}))?;"
                    )),
                };
            }
        }
        let read_all =
            |index, deref| self.reader(slots, &place, &|_| true, "d.position()")(index, deref);
        for s in slots {
            if let Some(sw) = &s.layout.switch_is {
                if let Some(want) = super::expr::render(sw, &read_all) {
                    c.line(format!(
                        "wire::check_switch(d.position(), {want}, {}.discriminant())?;",
                        s.local
                    ));
                }
            }
        }
        for j in post {
            self.check_outer_len(c, slots, j, &read_all, &slots[j].local);
        }
        let fields: Vec<String> = slots
            .iter()
            .filter(|s| !s.is_implied())
            .map(|s| {
                if s.local == s.rust {
                    s.rust.clone()
                } else {
                    format!("{}: {}", s.rust, s.local)
                }
            })
            .collect();
        c.line(format!("Ok(Self {{ {} }})", fields.join(", ")));
    }

    /// The bounds of slot `j`'s outermost array when an implied count
    /// sizes it (the count read earlier), else its own.
    fn implied_bound(
        &self,
        slots: &[Slot<'m>],
        j: usize,
        place: &dyn Fn(&Slot) -> String,
        read: super::expr::Reader,
    ) -> String {
        match slots.iter().find(|s| s.implied.contains(&j)) {
            Some(count) => format!("&[wire::Bound::size({})]", place(count)),
            None => bounds_slice(&slots[j].levels[..1], read).0,
        }
    }

    /// After decoding: an array's length against a correlation that names
    /// a later sibling (`len` is the array's value).
    pub(crate) fn check_outer_len(
        &self,
        c: &mut Code,
        slots: &[Slot<'m>],
        j: usize,
        read: super::expr::Reader,
        value: &str,
    ) {
        let s = &slots[j];
        let Some(k) = outer_array(s.levels) else {
            return;
        };
        let bounds = super::record::bounds_of(&s.levels[..=k]);
        let Some(b) = bounds.last().filter(|b| b.len.is_some()) else {
            return;
        };
        let Some(rendered) = b.render(read) else {
            return;
        };
        let len = len_expr(s, value);
        c.line(format!(
            "wire::check_bound_after(d.position(), {rendered}, {len})?;"
        ));
    }

    fn decode_field_buffers(&self, c: &mut Code, slots: &[Slot<'m>], tail: Option<&Tail>) {
        let place = |s: &Slot| format!("self.{}", s.rust);
        let ready_scalars = |k: usize| slots[k].levels.is_empty();
        let read =
            |index, deref| self.reader(slots, &place, &ready_scalars, "d.position()")(index, deref);
        let read_all =
            |index, deref| self.reader(slots, &place, &|_| true, "d.position()")(index, deref);
        let mut post = Vec::new();
        for (j, s) in slots.iter().enumerate() {
            if s.is_implied() || self.plain_scalar(s.levels, s.data).is_some() {
                continue;
            }
            let v = format!("self.{}", s.rust);
            let is_tail = tail.is_some() && j + 1 == slots.len();
            match (tail, is_tail) {
                (Some(Tail::Array { .. }), true) => {
                    if self.has_buffers(&s.levels[1..], s.data) != Some(false) {
                        let elem = self.shape(&s.levels[1..], s.data, 0);
                        c.line(format!(
                            "wire::get_tail_deferred::<{elem}>(d, &mut {v}, &[])?;"
                        ));
                    }
                }
                (Some(Tail::String), true) => {}
                _ => {
                    if self.has_buffers(s.levels, s.data) == Some(false) {
                        continue;
                    }
                    let shape = self.shape(s.levels, s.data, 0);
                    let promised = slots.iter().any(|x| x.implied.contains(&j))
                        && outer_array(s.levels) == Some(1);
                    if promised {
                        let elem = self.shape(&s.levels[2..], s.data, 0);
                        let len = len_expr(s, &v);
                        c.line(format!("let bound = wire::redeem::<{elem}>(d, {len});"));
                        c.line(format!(
                            "wire::get_deferred::<{shape}>(d, &mut {v}, &[bound])?;"
                        ));
                        continue;
                    }
                    let (b, complete) = bounds_slice(s.levels, &read);
                    c.line(format!("wire::get_deferred::<{shape}>(d, &mut {v}, {b})?;"));
                    if !complete {
                        post.push(j);
                    }
                }
            }
        }
        for j in post {
            let v = format!("self.{}", slots[j].rust);
            self.check_outer_len(c, slots, j, &read_all, &v);
        }
    }
}
