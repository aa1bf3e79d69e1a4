//! Interfaces: identity constants, a module of request and response types
//! with the dispatcher, a server trait, a stub and a client proxy.

use msrpc_idl::model::*;

use super::code::Code;
use super::messages::{on_wire, Messages};
use super::names::InterfaceNames;
use super::{Gen, Generated, Result};

impl<'m> Gen<'m> {
    pub(crate) fn interface_def(
        &self,
        c: &mut Code,
        iface: &'m Interface,
        out: &mut Generated,
    ) -> Result<()> {
        let n = self.names.interfaces[&iface.name].clone();
        self.identity(c, iface, &n);
        if iface.local {
            return Ok(());
        }
        // Every method that travels, with its messages, or why it cannot.
        let mut own: Vec<(&'m Method, Messages<'m>)> = Vec::new();
        let mut left_out = Vec::new();
        for m in &iface.methods {
            if !on_wire(iface, m) {
                continue;
            }
            match self.messages(iface, m) {
                Ok(msgs) => own.push((m, msgs)),
                Err(why) => {
                    out.skipped
                        .push(format!("method `{}::{}`: {why}", iface.name, m.name));
                    left_out.push((m, why));
                }
            }
        }
        let base = self.base(iface);
        if own.is_empty() && base.is_none() {
            return Ok(());
        }
        let module = &n.module;
        c.blank();
        c.doc(format!("Request and response types of `{}`.", iface.name));
        c.open(format!("pub mod {module}"));
        c.line("#[allow(unused_imports)]");
        c.line(format!("use {}::ndr::{{self, wire}};", self.rt));
        c.line(format!("use {}::rpc;", self.rt));
        for (m, msgs) in &own {
            self.message_type(c, m, msgs, true);
            self.message_type(c, m, msgs, false);
            let (req, resp) = super::messages::message_types(m);
            let key = super::messages::method_name(m);
            for (dir, ty) in [("in", req), ("out", resp)] {
                out.type_names.push(format!("{module}::{ty}"));
                out.registry.push((
                    format!("{}.{key}:{dir}", iface.name),
                    format!("{module}::{ty}"),
                ));
            }
        }
        if self.opts.server {
            self.dispatcher(c, iface, &n, &own, base);
        }
        c.close();
        for (m, why) in left_out {
            c.line(format!(
                "// `{}::{}` (opnum {}) is not generated: {why}.",
                iface.name, m.name, m.opnum
            ));
        }
        if self.opts.server {
            self.server_trait(c, iface, &n, &own, base);
            self.stub(c, &n);
        }
        if self.opts.client {
            self.client(c, iface, &n)?;
        }
        Ok(())
    }

    fn identity(&self, c: &mut Code, iface: &Interface, n: &InterfaceNames) {
        let rt = self.rt;
        let uuid = iface.uuid.unwrap_or_default();
        let (major, minor) = iface.version.unwrap_or((0, 0));
        c.blank();
        c.doc(format!("`{}` from the IDL: its identity.", iface.name));
        c.line("#[derive(Debug, Clone, Copy)]");
        c.line(format!("pub struct {};", n.identity));
        c.open(format!("impl {}", n.identity));
        c.doc(if iface.uuid.is_some() {
            uuid.to_string()
        } else {
            "The IDL gives no uuid: nil.".to_string()
        });
        c.line(format!(
            "pub const IID: {rt}::uuid::Uuid = {rt}::uuid::Uuid::from_u128(0x{:032x});",
            uuid.as_u128()
        ));
        c.doc("The interface version, (major, minor).");
        c.line(format!(
            "pub const VERSION: (u16, u16) = ({major}, {minor});"
        ));
        c.doc("The IID and version, as RPC binds them.");
        c.line(format!(
            "pub const SYNTAX: {rt}::rpc::SyntaxId = {rt}::rpc::SyntaxId {{ uuid: Self::IID, major: {major}, minor: {minor} }};"
        ));
        c.close();
    }

    /// The interface this one derives from, unless that is IUnknown (whose
    /// methods ORPC never dispatches) or has no method that travels.
    pub(crate) fn base(&self, iface: &Interface) -> Option<&'m Interface> {
        let b = self.m.interface(iface.base.as_deref()?)?;
        let travels = self
            .m
            .all_methods(b)
            .iter()
            .any(|m| on_wire(self.owner(b, m), m));
        (travels && !b.local).then_some(b)
    }

    /// The interface in `iface`'s chain that declares `m`.
    pub(crate) fn owner(&self, iface: &'m Interface, m: &Method) -> &'m Interface {
        let mut cur = iface;
        for _ in 0..64 {
            if cur.methods.iter().any(|x| std::ptr::eq(x, m)) {
                return cur;
            }
            match cur.base.as_deref().and_then(|b| self.m.interface(b)) {
                Some(b) => cur = b,
                None => break,
            }
        }
        iface
    }

    /// The Rust names of an interface, wherever it is generated.
    pub(crate) fn interface_names(&self, iface: &Interface) -> InterfaceNames {
        match self.names.interfaces.get(&iface.name) {
            Some(n) if self.wanted(iface.file) => n.clone(),
            _ => {
                let base = super::names::type_name(&iface.name);
                let bare = super::names::bare(&base);
                InterfaceNames {
                    identity: base.clone(),
                    module: super::names::field_name(&iface.name),
                    server: format!("{bare}Server"),
                    stub: format!("{bare}Stub"),
                    client: format!("{bare}Client"),
                }
            }
        }
    }

    /// `name`, qualified by where `iface` is generated, from a module
    /// `depth` levels below the generated file's.
    pub(crate) fn interface_path(&self, iface: &Interface, name: &str, depth: usize) -> String {
        match self.externs.get(&(iface.file.0 as usize)) {
            Some(m) => format!("{m}::{name}"),
            None => format!("{}{name}", "super::".repeat(depth)),
        }
    }
}
