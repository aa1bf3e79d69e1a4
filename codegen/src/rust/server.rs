//! The server side of an interface: a trait taking each method's `[in]`
//! parameters as values, a dispatcher by opnum, and a stub that serves an
//! implementation of the trait.

use msrpc_idl::model::*;

use super::code::Code;
use super::messages::{message_types, method_name, Messages};
use super::names::{field_name, InterfaceNames};
use super::Gen;

impl<'m> Gen<'m> {
    /// The method names of the server trait, unique within it.
    pub(crate) fn server_methods(&self, own: &[(&'m Method, Messages<'m>)]) -> Vec<String> {
        let mut ns = super::names::Namespace::default();
        own.iter()
            .map(|(m, _)| ns.claim(&field_name(&method_name(m))))
            .collect()
    }

    fn call_context(&self, iface: &Interface) -> String {
        if iface.object {
            format!("{}::orpc::CallContext", self.rt)
        } else {
            format!("{}::rpc::CallContext", self.rt)
        }
    }

    pub(crate) fn dispatcher(
        &self,
        c: &mut Code,
        iface: &'m Interface,
        n: &InterfaceNames,
        own: &[(&'m Method, Messages<'m>)],
        base: Option<&'m Interface>,
    ) {
        let rt = self.rt;
        let methods = self.server_methods(own);
        c.blank();
        c.doc("Decodes a request for `ctx.opnum`, calls `server`, encodes the response.");
        c.open(format!(
            "pub async fn dispatch<T: super::{} + ?Sized>(server: &T, ctx: rpc::CallContext, stub: &[u8]) -> Result<Vec<u8>, rpc::Fault>",
            n.server
        ));
        c.open("match ctx.opnum");
        for ((m, msgs), method) in own.iter().zip(&methods) {
            let (req, _) = message_types(m);
            let args: Vec<String> = msgs
                .request
                .iter()
                .filter(|s| !s.is_implied() && s.fixed.is_none())
                .map(|s| format!("r.{}", s.rust))
                .collect();
            c.open(format!("{} =>", m.opnum));
            let uses_r = !args.is_empty() || iface.object || !msgs.context.is_empty();
            let r = if uses_r { "r" } else { "_r" };
            c.line(format!("let {r}: {req} = rpc::request(stub)?;"));
            let cx = if msgs.context.is_empty() {
                "&[]".to_string()
            } else {
                c.line("let cx = rpc::Request::context(&r);");
                "&cx".to_string()
            };
            if iface.object {
                c.line(format!(
                    "let ctx = {rt}::orpc::CallContext::new(ctx, r.orpcthis);"
                ));
            }
            let mut all = vec!["server".to_string(), "&ctx".to_string()];
            all.extend(args);
            c.line(format!(
                "rpc::reply(super::{}::{method}({}).await?, {cx})",
                n.server,
                all.join(", ")
            ));
            c.close();
        }
        match base {
            Some(b) => {
                let bn = self.interface_names(b);
                let path = self.interface_path(b, &bn.module, 1);
                c.line(format!("_ => {path}::dispatch(server, ctx, stub).await,"));
            }
            None => {
                c.line("_ => Err(rpc::Fault::new(rpc::status::NCA_S_OP_RNG_ERROR)),");
            }
        }
        c.close().close();
    }

    pub(crate) fn server_trait(
        &self,
        c: &mut Code,
        iface: &'m Interface,
        n: &InterfaceNames,
        own: &[(&'m Method, Messages<'m>)],
        base: Option<&'m Interface>,
    ) {
        let rt = self.rt;
        let supertrait = match base {
            Some(b) => self.interface_path(b, &self.interface_names(b).server, 0),
            None => "Send + Sync + 'static".to_string(),
        };
        let ctx = self.call_context(iface);
        c.blank();
        c.doc(format!(
            "The server side of `{}`: implement it, and serve it with [`{}`].",
            iface.name, n.stub
        ));
        c.open(format!("pub trait {}: {supertrait}", n.server));
        for ((m, msgs), method) in own.iter().zip(self.server_methods(own)) {
            let (_, resp) = message_types(m);
            let mut params = vec!["&self".to_string(), format!("ctx: &{ctx}")];
            for s in msgs
                .request
                .iter()
                .filter(|s| !s.is_implied() && s.fixed.is_none())
            {
                params.push(format!(
                    "{}: {}",
                    s.rust,
                    self.value_type(s.levels, s.data, 0)
                ));
            }
            c.doc(format!("`{}` (opnum {}).", m.name, m.opnum));
            c.line(format!(
                "fn {method}({}) -> impl std::future::Future<Output = Result<{}::{resp}, {rt}::rpc::Fault>> + Send;",
                params.join(", "),
                n.module
            ));
        }
        c.close();
    }

    pub(crate) fn stub(&self, c: &mut Code, n: &InterfaceNames) {
        let rt = self.rt;
        c.blank();
        c.doc(format!(
            "Serves a [`{}`] implementation: register it with `Server::add_interface`.",
            n.server
        ));
        c.line(format!("pub struct {}<T>(pub std::sync::Arc<T>);", n.stub));
        c.open(format!("impl<T> {}<T>", n.stub));
        c.doc("Serves `server`.");
        c.open("pub fn new(server: T) -> Self");
        c.line("Self(std::sync::Arc::new(server))");
        c.close().close();
        c.open(format!(
            "impl<T: {}> {rt}::rpc::Dispatch for {}<T>",
            n.server, n.stub
        ));
        c.open(format!("fn syntax(&self) -> {rt}::rpc::SyntaxId"));
        c.line(format!("{}::SYNTAX", n.identity));
        c.close();
        c.open(format!(
            "fn dispatch(&self, ctx: {rt}::rpc::CallContext, stub: Vec<u8>) -> {rt}::rpc::BoxFuture<'static, Result<Vec<u8>, {rt}::rpc::Fault>>"
        ));
        c.line("let server = self.0.clone();");
        c.line(format!(
            "Box::pin(async move {{ {}::dispatch(&*server, ctx, &stub).await }})",
            n.module
        ));
        c.close().close();
    }
}
