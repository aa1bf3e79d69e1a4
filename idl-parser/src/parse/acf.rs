//! ACF files: the grammar's `acf_file` to [`ast::AcfFile`].

use pest::iterators::Pair;
use pest::Parser;

use super::{syntax_error, MidlParser, Rule};
use crate::ast::{AcfAttr, AcfFile, AcfInterface, AcfMethod, AcfTarget, Ident};
use crate::diagnostic::Diagnostic;
use crate::preprocess::Preprocessed;

type P<'i> = Pair<'i, Rule>;

/// Parses one preprocessed ACF file; a syntax error is reported and gives
/// an empty file.
pub fn parse_acf(pp: &Preprocessed, diags: &mut Vec<Diagnostic>) -> AcfFile {
    let file = match MidlParser::parse(Rule::acf_file, &pp.text) {
        Ok(mut pairs) => pairs.next(),
        Err(e) => {
            diags.push(syntax_error(pp, 0, &e));
            return AcfFile::default();
        }
    };
    let mut out = AcfFile::default();
    for item in file.into_iter().flat_map(Pair::into_inner) {
        match item.as_rule() {
            Rule::acf_interface => out.interfaces.push(interface(pp, item)),
            Rule::acf_typedef => out.typedefs.extend(typedef(pp, item)),
            // Imports and includes name C headers and other ACFs, for
            // MIDL's C output; cpp_quote is C too.
            _ => {}
        }
    }
    out
}

fn ident(pp: &Preprocessed, p: &P) -> Ident {
    let s = p.as_span();
    Ident {
        name: p.as_str().to_string(),
        span: pp.origins.span(s.start(), s.end()),
    }
}

fn attrs(pp: &Preprocessed, p: P) -> Vec<AcfAttr> {
    p.into_inner()
        .map(|a| {
            let mut inner = a.into_inner();
            let name = inner.next().map(|n| ident(pp, &n));
            AcfAttr {
                name: name.unwrap_or_else(|| Ident {
                    name: String::new(),
                    span: Default::default(),
                }),
                args: inner.map(|x| x.as_str().trim().to_string()).collect(),
            }
        })
        .collect()
}

/// Splits a rule's children into its attributes and the rest.
fn attrs_then<'i>(pp: &Preprocessed, p: P<'i>) -> (Vec<AcfAttr>, Vec<P<'i>>) {
    let mut list = Vec::new();
    let mut rest = Vec::new();
    for c in p.into_inner() {
        if c.as_rule() == Rule::acf_attrs {
            list.extend(attrs(pp, c));
        } else {
            rest.push(c);
        }
    }
    (list, rest)
}

fn typedef(pp: &Preprocessed, p: P) -> Vec<AcfTarget> {
    let (list, names) = attrs_then(pp, p);
    names
        .iter()
        .map(|n| AcfTarget {
            name: ident(pp, n),
            attrs: list.clone(),
        })
        .collect()
}

fn interface(pp: &Preprocessed, p: P) -> AcfInterface {
    let (list, rest) = attrs_then(pp, p);
    let mut it = AcfInterface {
        name: rest.first().map(|n| ident(pp, n)).unwrap_or_else(|| Ident {
            name: String::new(),
            span: Default::default(),
        }),
        attrs: list,
        typedefs: Vec::new(),
        methods: Vec::new(),
    };
    for c in rest.into_iter().skip(1) {
        match c.as_rule() {
            Rule::acf_typedef => it.typedefs.extend(typedef(pp, c)),
            Rule::acf_method => {
                let (attrs, rest) = attrs_then(pp, c);
                let mut rest = rest.into_iter();
                let Some(name) = rest.next() else { continue };
                let params = rest
                    .map(|param| {
                        let (attrs, names) = attrs_then(pp, param);
                        AcfTarget {
                            name: names
                                .first()
                                .map(|n| ident(pp, n))
                                .unwrap_or_else(|| Ident {
                                    name: String::new(),
                                    span: Default::default(),
                                }),
                            attrs,
                        }
                    })
                    .collect();
                it.methods.push(AcfMethod {
                    name: ident(pp, &name),
                    attrs,
                    params,
                });
            }
            _ => {}
        }
    }
    it
}
