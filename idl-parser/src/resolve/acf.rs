//! ACF files: MIDL's attributes that shape the stubs, not the wire,
//! attached to the IDL's interfaces, methods, parameters and types by
//! name. They join those declarations' `attrs`, where the back end reads
//! them (`nocode`, `comm_status`…). A name the IDL does not declare is an
//! error, as it is to MIDL.

use super::Resolver;
use crate::ast::{AcfAttr, AcfFile, AcfTarget, Ident};
use crate::diagnostic::Diagnostic;
use crate::model::Attribute;

/// What an ACF may say, and where (MIDL's ACF attribute list).
const ON_INTERFACE: &[&str] = &[
    "implicit_handle",
    "explicit_handle",
    "auto_handle",
    "code",
    "nocode",
    "strict_context_handle",
    "type_strict_context_handle",
    "context_handle_noserialize",
    "context_handle_serialize",
    "optimize",
    "encode",
    "decode",
    "enable_allocate",
];
const ON_METHOD: &[&str] = &[
    "code",
    "nocode",
    "comm_status",
    "fault_status",
    "explicit_handle",
    "context_handle_noserialize",
    "context_handle_serialize",
    "optimize",
    "async",
    "notify",
    "notify_flag",
    "encode",
    "decode",
    "enable_allocate",
    "strict_context_handle",
];
const ON_PARAM: &[&str] = &[
    "comm_status",
    "fault_status",
    "context_handle_noserialize",
    "context_handle_serialize",
    "allocate",
    "force_allocate",
    "byte_count",
    "cs_char",
    "cs_drtag",
    "cs_rtag",
    "cs_stag",
    "partial_ignore",
];
const ON_TYPE: &[&str] = &[
    "represent_as",
    "allocate",
    "heap",
    "context_handle_noserialize",
    "context_handle_serialize",
    "strict_context_handle",
    "encode",
    "decode",
    "cs_char",
    "user_marshal",
];

impl Resolver<'_, '_> {
    pub(super) fn apply_acf(&mut self, acf: &AcfFile) {
        for t in &acf.typedefs {
            self.acf_type(t);
        }
        for i in &acf.interfaces {
            let Some(at) = self
                .model
                .interfaces
                .iter()
                .position(|x| x.name == i.name.name)
            else {
                self.not_declared("interface", &i.name);
                continue;
            };
            let attrs = self.acf_attrs(&i.attrs, ON_INTERFACE, "an interface");
            self.model.interfaces[at].attrs.extend(attrs);
            for t in &i.typedefs {
                self.acf_type(t);
            }
            for m in &i.methods {
                let Some(k) = self.model.interfaces[at]
                    .methods
                    .iter()
                    .position(|x| x.name == m.name.name)
                else {
                    self.not_declared("method", &m.name);
                    continue;
                };
                let attrs = self.acf_attrs(&m.attrs, ON_METHOD, "a method");
                let status = attrs
                    .iter()
                    .find(|a| a.name == "comm_status" || a.name == "fault_status");
                let returns_status = self.model.interfaces[at].methods[k].returns_error_status();
                if let (Some(a), false) = (status, returns_status) {
                    let d = Diagnostic::warning(
                        m.name.span,
                        format!(
                            "`[{}]` on `{}`, which does not return error_status_t",
                            a.name, m.name.name
                        ),
                    )
                    .with_label("no status to return")
                    .with_note("a failed call stays an error of the generated method");
                    self.error(d);
                }
                self.model.interfaces[at].methods[k].attrs.extend(attrs);
                for p in &m.params {
                    let method = &self.model.interfaces[at].methods[k];
                    let Some(j) = method.params.iter().position(|x| x.name == p.name.name) else {
                        // MIDL lets an ACF add an error_status_t parameter
                        // for the status; it never travels.
                        let status = p.attrs.iter().any(|a| {
                            matches!(a.name.name.as_str(), "comm_status" | "fault_status")
                        });
                        if status {
                            self.error(Diagnostic::warning(
                                p.name.span,
                                format!(
                                    "`{}` adds a status parameter to `{}`, which msrpc leaves out: \
                                     the generated method returns the status in its `Result`",
                                    p.name.name, m.name.name
                                ),
                            ));
                        } else {
                            self.not_declared("parameter", &p.name);
                        }
                        continue;
                    };
                    let attrs = self.acf_attrs(&p.attrs, ON_PARAM, "a parameter");
                    self.model.interfaces[at].methods[k].params[j]
                        .attrs
                        .extend(attrs);
                }
            }
        }
    }

    fn acf_type(&mut self, t: &AcfTarget) {
        let Some(&id) = self.type_names.get(&t.name.name) else {
            self.not_declared("type", &t.name);
            return;
        };
        let attrs = self.acf_attrs(&t.attrs, ON_TYPE, "a type");
        self.model.types[id.0].attrs.extend(attrs);
    }

    fn acf_attrs(&mut self, list: &[AcfAttr], allowed: &[&str], place: &str) -> Vec<Attribute> {
        let mut out = Vec::new();
        for a in list {
            if !allowed.contains(&a.name.name.as_str()) {
                self.error(
                    Diagnostic::warning(
                        a.name.span,
                        format!("`{}` is not an ACF attribute of {place}", a.name.name),
                    )
                    .with_label("ignored")
                    .with_note(format!("ACF attributes of {place}: {}", allowed.join(", "))),
                );
                continue;
            }
            out.push(Attribute {
                name: a.name.name.clone(),
                args: (!a.args.is_empty()).then(|| a.args.clone()),
            });
        }
        out
    }

    fn not_declared(&mut self, what: &str, name: &Ident) {
        self.error(
            Diagnostic::error(
                name.span,
                format!(
                    "the ACF names {what} `{}`, which the IDL does not declare",
                    name.name
                ),
            )
            .with_label("not in the IDL"),
        );
    }
}
