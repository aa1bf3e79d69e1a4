//! A method's request and response: exactly the stub data of the request
//! and response PDUs. Top-level parameters travel one after another, each
//! whole with its pointees (C706 14.3.12.1); a top-level `ref` pointer has
//! no wire form of its own, so the field holds its pointee. For `[object]`
//! interfaces ORPCTHIS leads every request and ORPCTHAT every response
//! (MS-DCOM 3.1.1.5.4, 3.2.4.2).

use std::collections::BTreeSet;

use msrpc_idl::model::*;

use super::code::Code;
use super::names::{camel, field_names};
use super::record::{bounds_slice, len_expr, local_name, outer_array, Slot};
use super::shape::scalar;
use super::Gen;

/// A method's two messages.
pub(crate) struct Messages<'m> {
    pub request: Vec<Slot<'m>>,
    pub response: Vec<Slot<'m>>,
    /// Request values the response's correlations name, in order:
    /// (parameter index, through `*`).
    pub context: Vec<(usize, bool)>,
}

/// A method's name for Rust: a `[call_as(X)]` method is X on the wire;
/// `[propget]`/`[propput]`/`[propputref]` methods share their IDL name, so
/// they get MIDL's `get_`/`put_`/`putref_`, and WinRT's `[eventadd]` and
/// `[eventremove]` widl's `add_` and `remove_`.
pub(crate) fn method_name(m: &Method) -> String {
    let has = |n: &str| m.attrs.iter().any(|a| a.name == n);
    let prefix = if has("propget") {
        "get_"
    } else if has("propputref") {
        "putref_"
    } else if has("propput") {
        "put_"
    } else if has("eventadd") {
        "add_"
    } else if has("eventremove") {
        "remove_"
    } else {
        ""
    };
    let base = m
        .attrs
        .iter()
        .find(|a| a.name == "call_as")
        .and_then(|a| a.args.as_ref()?.first().cloned())
        .unwrap_or_else(|| m.name.clone());
    format!("{prefix}{base}")
}

/// The request and response type names of a method.
pub(crate) fn message_types(m: &Method) -> (String, String) {
    let base = method_name(m);
    let base = super::names::bare(&camel(&base)).to_string();
    (format!("{base}Request"), format!("{base}Response"))
}

/// Whether a method travels: not IUnknown's (ORPC answers them through
/// IRemUnknown), not `[local]`, and not the spec's `OpnumNNotUsedOnWire`.
pub(crate) fn on_wire(iface: &Interface, m: &Method) -> bool {
    let placeholder = m
        .name
        .strip_prefix("Opnum")
        .and_then(|r| r.strip_suffix("NotUsedOnWire"))
        .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
    let iunknown = iface.object && iface.name == "IUnknown";
    // A [local] interface's methods never travel, even inherited by a
    // remotable one (Wine's ISchemaAttribute derives from a local base).
    let local = iface.local || m.attrs.iter().any(|a| a.name == "local");
    !(placeholder || iunknown || local)
}

/// A parameter's levels on the wire: a top-level `ref` pointer has none.
fn wire_levels(p: &Param) -> &[Level] {
    match p.layout.levels.split_first() {
        Some((Level::Pointer(ptr), rest)) if ptr.top_level && ptr.kind == PointerKind::Ref => rest,
        _ => &p.layout.levels,
    }
}

impl<'m> Gen<'m> {
    /// The two messages of `m`, or why it cannot travel.
    pub(crate) fn messages(
        &self,
        iface: &Interface,
        m: &'m Method,
    ) -> Result<Messages<'m>, String> {
        let mut names_in = vec![];
        let mut names_out = vec![];
        if iface.object {
            names_in.push("orpcthis");
            names_out.push("orpcthat");
        }
        let params: Vec<(usize, &'m Param)> = m
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.binding)
            .collect();
        for (_, p) in &params {
            self.support
                .of_layout(&p.layout)
                .map_err(|why| format!("parameter `{}`: {why}", p.name))?;
            if p.direction.is_in() {
                names_in.push(&p.name);
            }
            if p.direction.is_out() {
                names_out.push(&p.name);
            }
        }
        if let Some(ret) = &m.ret {
            self.support
                .of_layout(ret)
                .map_err(|why| format!("its return value: {why}"))?;
            names_out.push("return_value");
        }
        let mut fields_in = field_names(names_in).into_iter();
        let mut fields_out = field_names(names_out).into_iter();
        let mut request = Vec::new();
        let mut response = Vec::new();
        let empty: &'m Layout = self.empty_layout();
        if iface.object {
            let dcom = |n: &str| match self.m.type_named(n) {
                Some(t) => self.type_path(t, 1),
                None => format!("{}::dcom::{n}", self.rt),
            };
            for (list, fields, name, ty) in [
                (&mut request, &mut fields_in, "orpcthis", dcom("ORPCTHIS")),
                (&mut response, &mut fields_out, "orpcthat", dcom("ORPCTHAT")),
            ] {
                let rust = fields.next().unwrap_or_else(|| name.into());
                list.push(Slot {
                    idl: name,
                    local: local_name(&rust),
                    rust,
                    levels: &[],
                    data: &empty.data,
                    layout: empty,
                    index: usize::MAX,
                    implied: Vec::new(),
                    fixed: Some(ty),
                });
            }
        }
        for (i, p) in params {
            let slot = |fields: &mut std::vec::IntoIter<String>| {
                let rust = fields
                    .next()
                    .unwrap_or_else(|| super::names::field_name(&p.name));
                Slot {
                    idl: &p.name,
                    local: local_name(&rust),
                    rust,
                    levels: wire_levels(p),
                    data: &p.layout.data,
                    layout: &p.layout,
                    index: i,
                    implied: Vec::new(),
                    fixed: None,
                }
            };
            if p.direction.is_in() {
                request.push(slot(&mut fields_in));
            }
            if p.direction.is_out() {
                response.push(slot(&mut fields_out));
            }
        }
        if let Some(ret) = &m.ret {
            let rust = fields_out.next().unwrap_or_else(|| "return_value".into());
            response.push(Slot {
                idl: "return value",
                local: local_name(&rust),
                rust,
                levels: &ret.levels,
                data: &ret.data,
                layout: ret,
                index: usize::MAX - 1,
                implied: Vec::new(),
                fixed: None,
            });
        }
        // A count is implied only by arrays of its own message: one the
        // other message names, or an [in, out] one, is kept.
        let named_by = |slots: &[Slot]| -> BTreeSet<usize> {
            slots
                .iter()
                .flat_map(|s| {
                    super::record::bounds_of(s.levels)
                        .iter()
                        .flat_map(|b| {
                            b.exprs()
                                .into_iter()
                                .flat_map(Expr::refs)
                                .collect::<Vec<_>>()
                        })
                        .chain(s.layout.switch_is.iter().flat_map(Expr::refs))
                        .chain(s.layout.iid_is.iter().flat_map(Expr::refs))
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        let by_response = named_by(&response);
        let by_request = named_by(&request);
        let in_out = |s: &Slot| {
            m.params
                .get(s.index)
                .is_some_and(|p| p.direction == Direction::InOut)
        };
        self.imply(&mut request, |s| {
            in_out(s) || by_response.contains(&s.index)
        });
        self.imply(&mut response, |s| {
            in_out(s) || by_request.contains(&s.index)
        });
        // What the response's correlations read from the request.
        let mut context = Vec::new();
        for s in &response {
            for b in super::record::bounds_of(s.levels) {
                for e in b.exprs() {
                    collect_context(e, &response, &request, &mut context);
                }
            }
        }
        Ok(Messages {
            request,
            response,
            context,
        })
    }

    /// A layout standing for ORPCTHIS and ORPCTHAT, which are `fixed`.
    fn empty_layout(&self) -> &'m Layout {
        // Any layout does: `fixed` slots never look at it.
        static EMPTY: std::sync::OnceLock<Layout> = std::sync::OnceLock::new();
        EMPTY.get_or_init(|| Layout {
            c_type: String::new(),
            levels: Vec::new(),
            data: DataType::Base(Scalar::Void),
            range: None,
            switch_is: None,
            iid_is: None,
            disable_consistency_check: false,
            bit_width: None,
            attrs: Vec::new(),
        })
    }

    /// The request or response type of one method, with its impls.
    pub(crate) fn message_type(
        &self,
        c: &mut Code,
        m: &Method,
        msgs: &Messages<'m>,
        request: bool,
    ) {
        let (req_name, resp_name) = message_types(m);
        let (name, slots) = if request {
            (&req_name, &msgs.request)
        } else {
            (&resp_name, &msgs.response)
        };
        c.blank();
        c.doc(format!(
            "The stub data of a `{}` {} (opnum {}).",
            m.name,
            if request { "request" } else { "response" },
            m.opnum
        ));
        let fields: Vec<&Slot> = slots.iter().filter(|s| !s.is_implied()).collect();
        let default = fields
            .iter()
            .all(|s| s.fixed.is_some() || self.has_default(s.levels, s.data, 1));
        c.line(format!(
            "#[derive(Debug, Clone, PartialEq{})]",
            if default { ", Default" } else { "" }
        ));
        self.type_attrs(c);
        if fields.is_empty() {
            c.line(format!("pub struct {name} {{}}"));
        } else {
            c.open(format!("pub struct {name}"));
            for s in &fields {
                match (&s.fixed, s.idl) {
                    (Some(_), "orpcthis") => c.doc("The ORPCTHIS an ORPC request starts with."),
                    (Some(_), _) => c.doc("The ORPCTHAT an ORPC response starts with."),
                    (None, "return value") => c.doc("The method's return value."),
                    (None, n) => c.doc(format!("`{n}`")),
                };
                c.line(format!("pub {}: {},", s.rust, self.slot_type(s)));
            }
            c.close();
        }
        let with_context = !request && !msgs.context.is_empty();
        c.blank();
        c.open(format!("impl ndr::Ndr for {name}"));
        c.doc("Each parameter aligns itself.");
        c.line("const ALIGN: usize = 1;");
        let e = if slots.is_empty() { "_e" } else { "e" };
        c.open(format!(
            "fn encode_scalars(&self, {e}: &mut ndr::Encoder) -> ndr::Result<()>"
        ));
        if with_context {
            c.line("self.encode_in(e, &[])");
        } else {
            self.encode_message(c, slots, &[]);
            c.line("Ok(())");
        }
        c.close();
        let d = if slots.is_empty() { "_d" } else { "d" };
        c.open(format!(
            "fn decode_scalars({d}: &mut ndr::Decoder<'_>) -> ndr::Result<Self>"
        ));
        let context: &[(usize, bool)] = if with_context { &msgs.context } else { &[] };
        self.decode_message(c, slots, context);
        c.close();
        c.open("fn placeholder() -> Self");
        let phs: Vec<String> = fields
            .iter()
            .map(|s| match &s.fixed {
                Some(t) => format!("{}: <{t} as ndr::Ndr>::placeholder()", s.rust),
                None => format!("{}: {}", s.rust, self.placeholder(s.levels, s.data, 1)),
            })
            .collect();
        c.line(format!("Self {{ {} }}", phs.join(", ")));
        c.close();
        c.close();
        if request {
            if msgs.context.is_empty() {
                c.line(format!("impl rpc::Request for {name} {{}}"));
            } else {
                c.open(format!("impl rpc::Request for {name}"));
                c.open("fn context(&self) -> Vec<i128>");
                let vals: Vec<String> = msgs
                    .context
                    .iter()
                    .map(|&(i, deref)| {
                        let s = slots.iter().find(|s| s.index == i && s.fixed.is_none());
                        match s {
                            Some(s) if deref && !s.levels.is_empty() => {
                                format!("self.{}.as_deref().map_or(0, |v| i128::from(*v))", s.rust)
                            }
                            Some(s) => format!("i128::from(self.{})", s.rust),
                            None => "0".into(),
                        }
                    })
                    .collect();
                c.line(format!("vec![{}]", vals.join(", ")));
                c.close().close();
            }
        } else if !with_context {
            c.line(format!("impl rpc::Response for {name} {{}}"));
        } else {
            c.open(format!("impl {name}"));
            c.open("fn encode_in(&self, e: &mut ndr::Encoder, cx: &[i128]) -> ndr::Result<()>");
            self.encode_message(c, slots, &msgs.context);
            c.line("Ok(())");
            c.close().close();
            c.open(format!("impl rpc::Response for {name}"));
            c.open("fn check(&self, cx: &[i128]) -> ndr::Result<()>");
            let place = |s: &Slot| format!("self.{}", s.rust);
            let read = |index, deref| {
                self.message_reader(slots, &place, &|_| true, &msgs.context, index, deref)
            };
            for s in slots.iter().filter(|s| !s.is_implied()) {
                let Some(k) = outer_array(s.levels) else {
                    continue;
                };
                let all = super::record::bounds_of(&s.levels[..=k]);
                let Some(bound) = all.last().and_then(|x| x.render(&read)) else {
                    continue;
                };
                if !bound.contains("cx.get(") {
                    continue;
                }
                let check = |len: &str| {
                    format!("wire::check_bound_after(0, wire::maybe(|| Some({bound})), {len})?;")
                };
                match s.levels.first() {
                    // A null pointer holds no array, so no length to check.
                    Some(Level::Pointer(p)) if p.kind != PointerKind::Ref => {
                        c.open(format!("if let Some(v) = &self.{}", s.rust));
                        c.line(check("v.len()"));
                        c.close();
                    }
                    _ => {
                        c.line(check(&len_expr(s, &format!("self.{}", s.rust))));
                    }
                }
            }
            c.line("Ok(())");
            c.close();
            c.open("fn encode_for(&self, e: &mut ndr::Encoder, cx: &[i128]) -> ndr::Result<()>");
            c.line("self.encode_in(e, cx)");
            c.close().close();
        }
    }

    /// The Rust type of a message field.
    pub(crate) fn slot_type(&self, s: &Slot<'m>) -> String {
        match &s.fixed {
            Some(t) => t.clone(),
            None => self.value_type(s.levels, s.data, 1),
        }
    }

    /// Reads sibling values for a message's correlations: its own slots,
    /// then (in a response) the request's values in `cx`.
    fn message_reader(
        &self,
        slots: &[Slot<'m>],
        place: &dyn Fn(&Slot) -> String,
        ready: &dyn Fn(usize) -> bool,
        context: &[(usize, bool)],
        index: usize,
        deref: bool,
    ) -> Option<String> {
        if slots.iter().any(|s| s.index == index && s.fixed.is_none()) {
            return self.reader(slots, place, ready, "e.position()")(index, deref);
        }
        let k = context.iter().position(|&c| c == (index, deref))?;
        Some(format!("cx.get({k}).copied()?"))
    }

    fn encode_message(&self, c: &mut Code, slots: &[Slot<'m>], context: &[(usize, bool)]) {
        let place = |s: &Slot| format!("self.{}", s.rust);
        let read =
            |index, deref| self.message_reader(slots, &place, &|_| true, context, index, deref);
        for s in slots {
            let v = format!("self.{}", s.rust);
            if s.fixed.is_some() {
                c.line(format!("ndr::encode_pointee(e, &{v})?;"));
                continue;
            }
            if s.is_implied() {
                self.encode_implied(c, slots, s, "self.");
                continue;
            }
            if let Some(sc) = self.plain_scalar(s.levels, s.data) {
                if let Some((lo, hi)) = s.layout.range {
                    c.line(format!(
                        "wire::check_range(e.position(), i128::from({v}), {lo}, {hi})?;"
                    ));
                }
                c.line(format!("e.{}({v});", scalar(sc).1));
                continue;
            }
            if let (Some(sw), true) = (&s.layout.switch_is, s.levels.is_empty()) {
                if let Some(want) = super::expr::render(sw, &read) {
                    c.line(format!(
                        "wire::check_switch(e.position(), {want}, {v}.discriminant())?;"
                    ));
                }
            }
            let (b, _) = bounds_slice(s.levels, &read);
            let b = wrap_context(&b);
            if self.plain(s.levels, s.data) && b == "&[]" {
                c.line(format!("ndr::encode_pointee(e, &{v})?;"));
            } else {
                let shape = self.shape(s.levels, s.data, 1);
                c.line(format!("wire::put_whole::<{shape}>(e, &{v}, {b})?;"));
            }
        }
    }

    /// `context`: the request values this response's bounds name, which
    /// the decoder holds when the client decodes (`ndr::from_bytes_in`).
    fn decode_message(&self, c: &mut Code, slots: &[Slot<'m>], context: &[(usize, bool)]) {
        let mut body = Code::new();
        self.decode_walk(&mut body, slots, context);
        if body.contains("cx.get(") {
            // A copy: the bounds are built while `d` is lent to the walk.
            c.line("let cx = d.context().to_vec();");
        }
        c.append(&body);
    }

    fn decode_walk(&self, c: &mut Code, slots: &[Slot<'m>], context: &[(usize, bool)]) {
        let place = |s: &Slot| s.local.clone();
        let mut post = Vec::new();
        let in_context = |index: usize, deref: bool| {
            let k = context.iter().position(|&x| x == (index, deref))?;
            Some(format!("cx.get({k}).copied()?"))
        };
        let is_slot = |index: usize| slots.iter().any(|s| s.index == index && s.fixed.is_none());
        for (j, s) in slots.iter().enumerate() {
            let local = &s.local;
            if let Some(t) = &s.fixed {
                c.line(format!("let {local} = ndr::decode_pointee::<{t}>(d)?;"));
                continue;
            }
            if let Some(sc) = self.plain_scalar(s.levels, s.data) {
                c.line(format!("let {local} = d.{}()?;", scalar(sc).1));
                if let Some((lo, hi)) = s.layout.range {
                    c.line(format!(
                        "wire::check_range(d.position(), i128::from({local}), {lo}, {hi})?;"
                    ));
                }
                continue;
            }
            let ready = |k: usize| k < j;
            let read = |index, deref| match is_slot(index) {
                true => self.reader(slots, &place, &ready, "d.position()")(index, deref),
                false => in_context(index, deref),
            };
            // A count implied earlier bounds this array now; a later one
            // is checked once it is read.
            let count = slots.iter().position(|x| x.implied.contains(&j));
            let (b, complete) = match count {
                Some(k) if k < j => (format!("&[wire::Bound::size({})]", slots[k].local), true),
                Some(_) => ("&[]".to_string(), false),
                None => {
                    let (b, complete) = bounds_slice(s.levels, &read);
                    (wrap_context(&b), complete)
                }
            };
            if self.plain(s.levels, s.data) && b == "&[]" {
                let ty = self.value_type(s.levels, s.data, 1);
                c.line(format!("let {local} = ndr::decode_pointee::<{ty}>(d)?;"));
            } else {
                let shape = self.shape(s.levels, s.data, 1);
                c.line(format!(
                    "let {local} = wire::get_whole::<{shape}>(d, {b})?;"
                ));
            }
            if !complete {
                post.push(j);
            }
        }
        let read_all =
            |index, deref| self.reader(slots, &place, &|_| true, "d.position()")(index, deref);
        for j in post {
            let s = &slots[j];
            match slots.iter().position(|x| x.implied.contains(&j)) {
                Some(k) => {
                    let len = len_expr(s, &s.local);
                    c.line(format!(
                        "wire::check_len_after(d.position(), \"size_is\", wire::count(i128::from({})), {len})?;",
                        slots[k].local
                    ));
                }
                None => self.check_outer_len(c, slots, j, &read_all, &s.local),
            }
        }
        for s in slots {
            if let (Some(sw), true) = (&s.layout.switch_is, s.levels.is_empty()) {
                if let Some(want) = super::expr::render(sw, &read_all) {
                    c.line(format!(
                        "wire::check_switch(d.position(), {want}, {}.discriminant())?;",
                        s.local
                    ));
                }
            }
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
}

/// A bound that reads the request's values can be computed only where
/// they are given: without them it says nothing.
fn wrap_context(b: &str) -> String {
    if !b.contains("cx.get(") {
        return b.to_string();
    }
    let inner = b.trim_start_matches("&[").trim_end_matches(']');
    // Each level's bound is one top-level `wire::` call.
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, ch) in inner.char_indices() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(inner[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(inner[start..].trim().to_string());
    let parts: Vec<String> = parts
        .into_iter()
        .map(|p| {
            if p.contains("cx.get(") {
                format!("wire::maybe(|| Some({p}))")
            } else {
                p
            }
        })
        .collect();
    format!("&[{}]", parts.join(", "))
}

/// The request parameters a response's correlation `e` reads.
fn collect_context(e: &Expr, response: &[Slot], request: &[Slot], out: &mut Vec<(usize, bool)>) {
    let mut visit = |index: usize, deref: bool| {
        let own = response
            .iter()
            .any(|s| s.index == index && s.fixed.is_none());
        let theirs = request
            .iter()
            .any(|s| s.index == index && s.fixed.is_none());
        if !own && theirs && !out.contains(&(index, deref)) {
            out.push((index, deref));
        }
    };
    fn walk(e: &Expr, visit: &mut dyn FnMut(usize, bool)) {
        match e {
            Expr::Ref { index, .. } => visit(*index, false),
            Expr::Unary(UnOp::Deref, a) => match a.as_ref() {
                Expr::Ref { index, .. } => visit(*index, true),
                other => walk(other, visit),
            },
            Expr::Unary(_, a) | Expr::Member { base: a, .. } => walk(a, visit),
            Expr::Binary(_, a, b) => {
                walk(a, visit);
                walk(b, visit);
            }
            Expr::Cond(a, b, c) => {
                walk(a, visit);
                walk(b, visit);
                walk(c, visit);
            }
            _ => {}
        }
    }
    walk(e, &mut visit);
}
