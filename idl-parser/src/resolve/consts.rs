//! Constants: `const` declarations and enumerators, evaluated on demand so
//! that order of declaration does not matter and cycles are reported.

use std::collections::HashMap;

use super::layout::MAX_DEFINITION_DEPTH;
use super::{ConstSource, Resolver, State};
use crate::ast::{self, ExprKind};
use crate::diagnostic::Diagnostic;
use crate::eval::{self, base_width, wrap, EvalError};
use crate::model::{ConstValue, Constant, DataType, TypeKind};

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
            State::Pending if self.nesting >= MAX_DEFINITION_DEPTH => {
                let span = self.consts[idx].span;
                self.error(
                    Diagnostic::error(span, "constant definitions nested too deeply").with_label(
                        format!("more than {MAX_DEFINITION_DEPTH} constants lead here"),
                    ),
                );
                return None;
            }
            State::Pending => {}
        }
        self.consts[idx].state = State::InProgress;
        self.nesting += 1;
        let value = match self.consts[idx].source {
            ConstSource::Decl(c) => self.decl_value(c),
            ConstSource::Enumerator { def, index } => {
                self.enumerator_value(def, index).map(ConstValue::Int)
            }
        };
        self.nesting -= 1;
        self.consts[idx].state = State::Done;
        self.consts[idx].value = value.clone();
        value
    }

    fn decl_value(&mut self, c: &'a ast::ConstDecl) -> Option<ConstValue> {
        if let ExprKind::Str(s) = &c.value.kind {
            return Some(ConstValue::Str(s.clone()));
        }
        if let Some(f) = float_text(&c.value) {
            return Some(ConstValue::Float(f));
        }
        let floating = matches!(
            &c.ty.kind,
            ast::TypeSpecKind::Base(ast::BaseType::Float | ast::BaseType::Double)
        );
        if floating || has_float(&c.value) {
            return self
                .eval_float(&c.value)
                .map(|v| ConstValue::Float(format!("{v:?}")));
        }
        let v = self.eval_int(&c.value)?;
        // A constant takes its declared type's width, as a C conversion would.
        let width = match &c.ty.kind {
            _ if !c.pointers.is_empty() => None,
            ast::TypeSpecKind::Base(b) => base_width(*b),
            ast::TypeSpecKind::Named(n) => self.named_width(&n.name),
            _ => None,
        };
        let v = match width {
            Some((bits, signed)) => wrap(v, bits, signed),
            None => v,
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
        // Settle the implicit run before this one in order, so a long enum
        // costs no recursion: each item then finds its predecessor done.
        let done = |r: &Self, k: usize| {
            r.const_names
                .get(&r.enumerator_key(def, k))
                .is_some_and(|&i| r.consts[i].state != State::Pending)
        };
        let mut start = index - 1;
        while start > 0 && def.items[start].value.is_none() && !done(self, start) {
            start -= 1;
        }
        for k in start..index - 1 {
            if let Some(&i) = self.const_names.get(&self.enumerator_key(def, k)) {
                if self.consts[i].state == State::Pending {
                    self.const_value(i);
                }
            }
        }
        let prev = self.enumerator_key(def, index - 1);
        let prev_idx = *self.const_names.get(&prev)?;
        match self.const_value(prev_idx)? {
            ConstValue::Int(v) => v.checked_add(1),
            _ => None,
        }
    }

    /// Width and signedness of a typedef that renames an integer type.
    fn named_width(&mut self, name: &str) -> Option<(u32, bool)> {
        let mut id = *self.type_names.get(name)?;
        for _ in 0..64 {
            self.define_type(id);
            match &self.model.types[id.0].kind {
                TypeKind::Alias(l) if l.levels.is_empty() => match &l.data {
                    DataType::Base(s) => return s.width(),
                    DataType::Named(n) => id = n.id,
                    _ => return None,
                },
                _ => return None,
            }
        }
        None
    }

    /// Evaluates an integer constant expression, reporting failures.
    pub(super) fn eval_int(&mut self, e: &ast::Expr) -> Option<i128> {
        // Evaluate every name the expression uses first, then the expression.
        let mut names = Names::default();
        names.collect(e);
        let mut env = Values::default();
        for name in names.constants {
            if self.type_names.contains_key(&name) {
                env.types.insert(name.clone());
            }
            let Some(&idx) = self.const_names.get(&name) else {
                continue;
            };
            if let Some(ConstValue::Int(v)) = self.const_value(idx) {
                env.constants.insert(name, v);
            }
        }
        for name in names.sized {
            if let Some((bits, _)) = self.named_width(&name) {
                env.sizes.insert(name, i128::from(bits / 8));
            }
        }
        match eval::eval(e, &env) {
            Ok(v) => Some(v),
            Err(err) => {
                self.report_eval(&err);
                None
            }
        }
    }

    /// Evaluates a floating-point constant expression (`1/1024.0`,
    /// `1000.0 * NUM / DEN`), as C would in double precision.
    fn eval_float(&mut self, e: &ast::Expr) -> Option<f64> {
        let v = self.float_value(e);
        if v.is_none() {
            self.error(
                Diagnostic::error(e.span, "not a floating-point constant expression")
                    .with_label("numbers, constants and + - * / only"),
            );
        }
        v
    }

    fn float_value(&mut self, e: &ast::Expr) -> Option<f64> {
        match &e.kind {
            ExprKind::Float(f) => f.trim_end_matches(['f', 'F', 'l', 'L']).parse().ok(),
            ExprKind::Int { value, .. } => Some(*value as f64),
            ExprKind::Char(c) => Some(f64::from(*c)),
            ExprKind::Ident(n) => {
                let idx = *self.const_names.get(n)?;
                match self.const_value(idx) {
                    Some(ConstValue::Int(v)) => Some(v as f64),
                    Some(ConstValue::Float(f)) => f.parse().ok(),
                    _ => None,
                }
            }
            ExprKind::Unary(ast::UnOp::Neg, a) => self.float_value(a).map(|v| -v),
            ExprKind::Unary(ast::UnOp::Plus, a) | ExprKind::Cast(_, a) => self.float_value(a),
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.float_value(a)?, self.float_value(b)?);
                match op {
                    ast::BinOp::Add => Some(a + b),
                    ast::BinOp::Sub => Some(a - b),
                    ast::BinOp::Mul => Some(a * b),
                    ast::BinOp::Div => Some(a / b),
                    _ => None,
                }
            }
            _ => None,
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

/// Names an expression reads: constants, and types under `sizeof`.
#[derive(Default)]
struct Names {
    constants: Vec<String>,
    sized: Vec<String>,
}

impl Names {
    fn collect(&mut self, e: &ast::Expr) {
        match &e.kind {
            ExprKind::Ident(n) => self.constants.push(n.clone()),
            ExprKind::SizeofType(t) => {
                if let ast::TypeSpecKind::Named(n) = &t.spec.kind {
                    self.sized.push(n.name.clone());
                }
            }
            ExprKind::Unary(_, a)
            | ExprKind::Cast(_, a)
            | ExprKind::SizeofExpr(a)
            | ExprKind::Member(a, _)
            | ExprKind::Arrow(a, _) => self.collect(a),
            ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
                self.collect(a);
                self.collect(b);
            }
            ExprKind::Cond(a, b, c) => {
                self.collect(a);
                self.collect(b);
                self.collect(c);
            }
            _ => {}
        }
    }
}

#[derive(Default)]
struct Values {
    constants: HashMap<String, i128>,
    sizes: HashMap<String, i128>,
    types: std::collections::HashSet<String>,
}

impl eval::Env for Values {
    fn constant(&self, name: &str) -> Option<i128> {
        // MIDL knows TRUE, FALSE and NULL without any header.
        self.constants.get(name).copied().or(match name {
            "TRUE" => Some(1),
            "FALSE" | "NULL" => Some(0),
            _ => None,
        })
    }

    fn size_of(&self, name: &str) -> Option<i128> {
        self.sizes.get(name).copied()
    }

    fn is_type(&self, name: &str) -> bool {
        self.types.contains(name)
    }
}

/// Whether a floating literal appears in `e`.
fn has_float(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Float(_) => true,
        ExprKind::Unary(_, a) | ExprKind::Cast(_, a) => has_float(a),
        ExprKind::Binary(_, a, b) => has_float(a) || has_float(b),
        _ => false,
    }
}

/// `1.5`, `-16.0`: a floating constant, kept as written.
fn float_text(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Float(f) => Some(f.to_string()),
        ExprKind::Unary(op @ (ast::UnOp::Neg | ast::UnOp::Plus), a) => {
            float_text(a).map(|f| format!("{}{f}", op.symbol()))
        }
        _ => None,
    }
}
