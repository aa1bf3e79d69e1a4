//! Constants: `const` declarations and enumerators, evaluated on demand so
//! that order of declaration does not matter and cycles are reported.

use super::{ConstSource, Resolver, State};
use crate::ast::{self, ExprKind};
use crate::diagnostic::Diagnostic;
use crate::eval::{self, base_width, wrap, EvalError};
use crate::model::{ConstValue, Constant};

impl<'a> Resolver<'a, '_> {
    pub(super) fn evaluate_constants(&mut self) {
        for idx in 0..self.consts.len() {
            self.const_value(idx);
        }
        let names: Vec<(String, usize)> = self
            .const_names
            .iter()
            .map(|(n, i)| (n.clone(), *i))
            .collect();
        let mut list: Vec<(usize, Constant)> = names
            .into_iter()
            .filter_map(|(name, idx)| {
                let c = &self.consts[idx];
                Some((
                    idx,
                    Constant {
                        name,
                        value: c.value.clone()?,
                        file: c.file,
                        span: c.span,
                    },
                ))
            })
            .collect();
        list.sort_by_key(|(i, _)| *i);
        self.model.constants = list.into_iter().map(|(_, c)| c).collect();
    }

    /// The value of constant `idx`, evaluating it (and what it uses) once.
    fn const_value(&mut self, idx: usize) -> Option<ConstValue> {
        match self.consts[idx].state {
            State::Done => return self.consts[idx].value.clone(),
            State::InProgress => {
                let span = self.consts[idx].span;
                self.error(
                    Diagnostic::error(span, "constant is defined in terms of itself")
                        .with_label("this definition is circular"),
                );
                return None;
            }
            State::Pending => {}
        }
        self.consts[idx].state = State::InProgress;
        let value = match self.consts[idx].source {
            ConstSource::Decl(c) => self.decl_value(c),
            ConstSource::Enumerator { def, index } => {
                self.enumerator_value(def, index).map(ConstValue::Int)
            }
        };
        self.consts[idx].state = State::Done;
        self.consts[idx].value = value.clone();
        value
    }

    fn decl_value(&mut self, c: &'a ast::ConstDecl) -> Option<ConstValue> {
        match &c.value.kind {
            ExprKind::Str(s) => return Some(ConstValue::Str(s.clone())),
            ExprKind::Float(f) => return Some(ConstValue::Float(f.clone())),
            _ => {}
        }
        let v = self.eval_int(&c.value)?;
        // A constant takes its declared type's width, as a C conversion would.
        let v = match &c.ty.kind {
            ast::TypeSpecKind::Base(b) if c.pointers.is_empty() => match base_width(*b) {
                Some((bits, signed)) => wrap(v, bits, signed),
                None => v,
            },
            _ => v,
        };
        Some(ConstValue::Int(v))
    }

    fn enumerator_value(&mut self, def: &'a ast::EnumDef, index: usize) -> Option<i128> {
        let item = def.items.get(index)?;
        if let Some(e) = &item.value {
            return self.eval_int(e);
        }
        if index == 0 {
            return Some(0);
        }
        let prev = &def.items[index - 1].name.name;
        let prev_idx = *self.const_names.get(prev)?;
        match self.const_value(prev_idx)? {
            ConstValue::Int(v) => v.checked_add(1),
            _ => None,
        }
    }

    /// Evaluates an integer constant expression, reporting failures.
    pub(super) fn eval_int(&mut self, e: &ast::Expr) -> Option<i128> {
        let names = self.const_names.clone();
        // Evaluate every identifier first, then the expression over them.
        let mut values = std::collections::HashMap::new();
        collect_idents(e, &mut |name| {
            if let Some(&idx) = names.get(name) {
                values.insert(name.to_string(), idx);
            }
        });
        let mut resolved = std::collections::HashMap::new();
        for (name, idx) in values {
            if let Some(ConstValue::Int(v)) = self.const_value(idx) {
                resolved.insert(name, v);
            }
        }
        match eval::eval(e, &|n| resolved.get(n).copied()) {
            Ok(v) => Some(v),
            Err(err) => {
                self.report_eval(&err);
                None
            }
        }
    }

    fn report_eval(&mut self, err: &EvalError) {
        let label = match &err.kind {
            eval::EvalErrorKind::Unknown(_) => "not declared, imported or defined as a constant",
            _ => "in this constant expression",
        };
        self.error(Diagnostic::error(err.span, err.message()).with_label(label));
    }
}

fn collect_idents(e: &ast::Expr, f: &mut dyn FnMut(&str)) {
    match &e.kind {
        ExprKind::Ident(n) => f(n),
        ExprKind::Unary(_, a)
        | ExprKind::Cast(_, a)
        | ExprKind::SizeofExpr(a)
        | ExprKind::Member(a, _)
        | ExprKind::Arrow(a, _) => collect_idents(a, f),
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            collect_idents(a, f);
            collect_idents(b, f);
        }
        ExprKind::Cond(a, b, c) => {
            collect_idents(a, f);
            collect_idents(b, f);
            collect_idents(c, f);
        }
        _ => {}
    }
}
