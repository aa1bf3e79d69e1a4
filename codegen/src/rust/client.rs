//! The client proxy of an interface: one async method per method on the
//! wire, inherited ones included, calling through any `rpc::Channel`.

use msrpc_idl::model::*;

use super::code::Code;
use super::messages::{message_types, method_name, on_wire};
use super::names::{field_name, InterfaceNames, Namespace};
use super::{Gen, Result};

impl<'m> Gen<'m> {
    pub(crate) fn client(
        &self,
        c: &mut Code,
        iface: &'m Interface,
        n: &InterfaceNames,
    ) -> Result<()> {
        let rt = self.rt;
        let client = &n.client;
        c.blank();
        c.doc(format!(
            "A client of `{}`, calling through any `msrpc::rpc::Channel`.",
            iface.name
        ));
        c.line("#[derive(Clone)]");
        c.open(format!("pub struct {client}<C>"));
        c.line("channel: C,");
        c.line(format!("object: Option<{rt}::uuid::Uuid>,"));
        c.close();
        c.open(format!(
            "impl<C: {rt}::rpc::Channel> {rt}::rpc::Proxy<C> for {client}<C>"
        ));
        c.line(format!(
            "const SYNTAX: {rt}::rpc::SyntaxId = {}::SYNTAX;",
            n.identity
        ));
        c.open(format!(
            "fn connect(channel: C, object: Option<{rt}::uuid::Uuid>) -> Self"
        ));
        c.line("Self { channel, object }");
        c.close().close();
        c.open(format!("impl<C: {rt}::rpc::Channel> {client}<C>"));
        c.doc("A client calling through `channel`, with no object UUID.");
        c.open("pub fn new(channel: C) -> Self");
        c.line("Self { channel, object: None }");
        c.close();
        c.doc("Calls on `object` (for ORPC, the IPID) in every request.");
        c.open(format!(
            "pub fn with_object(channel: C, object: {rt}::uuid::Uuid) -> Self"
        ));
        c.line("Self { channel, object: Some(object) }");
        c.close();
        c.doc("The channel this client calls through.");
        c.open("pub fn channel(&self) -> &C");
        c.line("&self.channel");
        c.close();
        let mut ns = Namespace::default();
        for taken in ["new", "with_object", "channel", "connect"] {
            ns.claim(taken);
        }
        for m in self.m.all_methods(iface) {
            let owner = self.owner(iface, m);
            if !on_wire(owner, m) || nocode(owner, m) {
                continue;
            }
            let Ok(msgs) = self.messages(owner, m) else {
                continue;
            };
            let on = self.interface_names(owner);
            let module = self.interface_path(owner, &on.module, 0);
            let (req, resp) = message_types(m);
            let method = ns.claim(&field_name(&method_name(m)));
            let mut params = vec!["&self".to_string()];
            let mut fields = Vec::new();
            for s in msgs.request.iter().filter(|s| !s.is_implied()) {
                if s.fixed.is_some() {
                    fields.push(format!("{}: {rt}::orpc::orpcthis()", s.rust));
                    continue;
                }
                params.push(format!(
                    "{}: {}",
                    s.rust,
                    self.value_type(s.levels, s.data, 0)
                ));
                fields.push(s.rust.clone());
            }
            c.doc(format!("Calls `{}` (opnum {}).", m.name, m.opnum));
            let has = |name: &str| m.attrs.iter().any(|a| a.name == name);
            let (fault, comm) = (has("fault_status"), has("comm_status"));
            // The ACF's status attributes act on an error_status_t return.
            let acf_status = (fault || comm) && m.returns_error_status();
            if acf_status {
                let which = match (fault, comm) {
                    (true, true) => "a server fault or a failed connection",
                    (true, false) => "a server fault",
                    _ => "a failed connection",
                };
                c.doc(format!(
                    "\nThe ACF says `[{}]`: {which} comes back as the \
                     response's `return_value`, as MIDL's stub returns it.",
                    [
                        fault.then_some("fault_status"),
                        comm.then_some("comm_status")
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ")
                ));
            }
            c.open(format!(
                "pub async fn {method}({}) -> Result<{module}::{resp}, {rt}::rpc::CallError>",
                params.join(", ")
            ));
            c.line(format!(
                "let request = {module}::{req} {{ {} }};",
                fields.join(", ")
            ));
            let call = format!(
                "{rt}::rpc::invoke(&self.channel, {}::SYNTAX, {}, self.object, &request).await",
                n.identity, m.opnum
            );
            let ret_field = msgs
                .response
                .iter()
                .find(|s| s.idl == "return value")
                .map(|s| s.rust.clone());
            if let (true, Some(ret_field)) = (acf_status, ret_field) {
                c.line(format!("let r = {call};"));
                c.open(format!(
                    "match r.as_ref().err().and_then(|e| {rt}::rpc::acf_status(e, {fault}, {comm}))"
                ));
                c.line(format!(
                    "Some(status) => Ok({module}::{resp} {{ {ret_field}: status, ..Default::default() }}),"
                ));
                c.line("None => r,");
                c.close();
            } else {
                c.line(call);
            }
            c.close();
        }
        c.close();
        Ok(())
    }
}

/// The ACF's `[nocode]`: no client stub for this method, as MIDL writes
/// none. On the interface it covers every method but those marked `[code]`.
fn nocode(iface: &Interface, m: &Method) -> bool {
    let has = |attrs: &[Attribute], name: &str| attrs.iter().any(|a| a.name == name);
    has(&m.attrs, "nocode") || (has(&iface.attrs, "nocode") && !has(&m.attrs, "code"))
}
