//! Integer constant evaluation, shared by `#if`, `const`, enums and
//! attribute arguments such as `range(1, MAX_REQUESTED_INTERFACES)`.

use crate::ast::{BaseType, BinOp, Expr, ExprKind, IntSize, TypeRef, TypeSpecKind, UnOp};
use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    pub kind: EvalErrorKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum EvalErrorKind {
    Unknown(String),
    NotConstant(&'static str),
    Overflow,
    DivideByZero,
    ShiftRange,
}

impl EvalError {
    pub fn message(&self) -> String {
        match &self.kind {
            EvalErrorKind::Unknown(n) => format!("`{n}` is not a known constant"),
            EvalErrorKind::NotConstant(what) => {
                format!("{what} is not allowed in a constant expression")
            }
            EvalErrorKind::Overflow => "arithmetic overflow in constant expression".into(),
            EvalErrorKind::DivideByZero => "division by zero in constant expression".into(),
            EvalErrorKind::ShiftRange => "shift amount out of range".into(),
        }
    }
}

fn err(kind: EvalErrorKind, span: Span) -> EvalError {
    EvalError { kind, span }
}

/// What an expression's names mean.
pub trait Env {
    /// The value of a named constant.
    fn constant(&self, name: &str) -> Option<i128>;
    /// The size in bytes of a named type, for `sizeof(T)`.
    fn size_of(&self, _name: &str) -> Option<i128> {
        None
    }
    /// Whether `name` is a type, so that `(ULONG)-1`, which parses as a
    /// subtraction, can be read as the cast it is.
    fn is_type(&self, _name: &str) -> bool {
        false
    }
}

impl<F: Fn(&str) -> Option<i128>> Env for F {
    fn constant(&self, name: &str) -> Option<i128> {
        self(name)
    }
}

/// Evaluates `e`, asking `lookup` for the value of each identifier.
pub fn eval(e: &Expr, lookup: &dyn Env) -> Result<i128, EvalError> {
    let span = e.span;
    let overflow = || err(EvalErrorKind::Overflow, span);
    Ok(match &e.kind {
        ExprKind::Int { value, .. } => i128::try_from(*value).map_err(|_| overflow())?,
        ExprKind::Char(c) => i128::from(*c),
        ExprKind::Ident(name) => lookup
            .constant(name)
            .ok_or_else(|| err(EvalErrorKind::Unknown(name.clone()), span))?,
        ExprKind::Float(_) => {
            return Err(err(
                EvalErrorKind::NotConstant("a floating-point number"),
                span,
            ))
        }
        ExprKind::Str(_) => return Err(err(EvalErrorKind::NotConstant("a string"), span)),
        ExprKind::Unary(op, a) => {
            let v = eval(a, lookup)?;
            match op {
                UnOp::Neg => v.checked_neg().ok_or_else(overflow)?,
                UnOp::Plus => v,
                UnOp::Not => i128::from(v == 0),
                UnOp::BitNot => !v,
                UnOp::Deref => return Err(err(EvalErrorKind::NotConstant("`*`"), span)),
                UnOp::AddrOf => return Err(err(EvalErrorKind::NotConstant("`&`"), span)),
            }
        }
        ExprKind::Binary(op @ (BinOp::Sub | BinOp::Add), a, b) if matches!(&a.kind, ExprKind::Ident(n) if lookup.is_type(n)) =>
        {
            let v = eval(b, lookup)?;
            if *op == BinOp::Sub {
                v.checked_neg().ok_or_else(overflow)?
            } else {
                v
            }
        }
        ExprKind::Binary(op, a, b) => {
            let l = eval(a, lookup)?;
            // `&&` and `||` short-circuit, so `defined(X) && X > 1` works.
            match op {
                BinOp::And if l == 0 => return Ok(0),
                BinOp::Or if l != 0 => return Ok(1),
                _ => {}
            }
            let r = eval(b, lookup)?;
            binary(*op, l, r).ok_or_else(|| {
                let kind = match op {
                    BinOp::Div | BinOp::Rem if r == 0 => EvalErrorKind::DivideByZero,
                    BinOp::Shl | BinOp::Shr => EvalErrorKind::ShiftRange,
                    _ => EvalErrorKind::Overflow,
                };
                err(kind, span)
            })?
        }
        ExprKind::Cond(c, a, b) => {
            if eval(c, lookup)? != 0 {
                eval(a, lookup)?
            } else {
                eval(b, lookup)?
            }
        }
        ExprKind::Cast(t, a) => {
            let v = eval(a, lookup)?;
            match int_width(t) {
                Some((bits, signed)) => wrap(v, bits, signed),
                // A typedef's width is the resolver's business; the value
                // passes through, and a `const` takes its declared width.
                None if matches!(t.spec.kind, TypeSpecKind::Named(_)) || !t.pointers.is_empty() => {
                    v
                }
                None => {
                    return Err(err(
                        EvalErrorKind::NotConstant("a cast to a non-integer type"),
                        span,
                    ))
                }
            }
        }
        ExprKind::SizeofType(t) => match (int_width(t), &t.spec.kind) {
            (Some((bits, _)), _) => i128::from(bits / 8),
            (None, TypeSpecKind::Base(BaseType::Float)) => 4,
            (None, TypeSpecKind::Base(BaseType::Double)) => 8,
            (None, TypeSpecKind::Named(n))
                if t.pointers.is_empty() && lookup.size_of(&n.name).is_some() =>
            {
                lookup.size_of(&n.name).unwrap_or(0)
            }
            _ => {
                return Err(err(
                    EvalErrorKind::NotConstant("`sizeof` of this type"),
                    span,
                ))
            }
        },
        ExprKind::SizeofExpr(_) => {
            return Err(err(
                EvalErrorKind::NotConstant("`sizeof` of an expression"),
                span,
            ))
        }
        ExprKind::Member(..) | ExprKind::Arrow(..) | ExprKind::Index(..) => {
            return Err(err(
                EvalErrorKind::NotConstant("a member or element access"),
                span,
            ))
        }
    })
}

fn binary(op: BinOp, l: i128, r: i128) -> Option<i128> {
    Some(match op {
        BinOp::Or => i128::from(l != 0 || r != 0),
        BinOp::And => i128::from(l != 0 && r != 0),
        BinOp::BitOr => l | r,
        BinOp::BitXor => l ^ r,
        BinOp::BitAnd => l & r,
        BinOp::Eq => i128::from(l == r),
        BinOp::Ne => i128::from(l != r),
        BinOp::Lt => i128::from(l < r),
        BinOp::Gt => i128::from(l > r),
        BinOp::Le => i128::from(l <= r),
        BinOp::Ge => i128::from(l >= r),
        BinOp::Shl => l.checked_shl(u32::try_from(r).ok().filter(|s| *s < 127)?)?,
        BinOp::Shr => l.checked_shr(u32::try_from(r).ok().filter(|s| *s < 128)?)?,
        BinOp::Add => l.checked_add(r)?,
        BinOp::Sub => l.checked_sub(r)?,
        BinOp::Mul => l.checked_mul(r)?,
        BinOp::Div => l.checked_div(r)?,
        BinOp::Rem => l.checked_rem(r)?,
    })
}

/// Width in bits and signedness of an integer type written in a cast.
fn int_width(t: &TypeRef) -> Option<(u32, bool)> {
    if !t.pointers.is_empty() {
        return None;
    }
    match &t.spec.kind {
        TypeSpecKind::Base(b) => base_width(*b),
        _ => None,
    }
}

/// Width in bits and signedness of an integer base type, as MIDL defines them.
pub fn base_width(b: BaseType) -> Option<(u32, bool)> {
    Some(match b {
        BaseType::Int { signed, size } => {
            let bits = match size {
                IntSize::Small | IntSize::Char | IntSize::Int8 => 8,
                IntSize::Short | IntSize::Int16 => 16,
                IntSize::Long | IntSize::Int | IntSize::Int32 => 32,
                IntSize::Hyper | IntSize::Int64 | IntSize::LongLong | IntSize::Int3264 => 64,
            };
            // Plain `char` is unsigned in MIDL; every other size is signed.
            let default_signed = size != IntSize::Char;
            (bits, signed.unwrap_or(default_signed))
        }
        BaseType::Boolean | BaseType::Byte => (8, false),
        BaseType::WChar => (16, false),
        BaseType::ErrorStatus => (32, false),
        _ => return None,
    })
}

/// C's conversion of an integer value to a type of `bits` width.
pub fn wrap(v: i128, bits: u32, signed: bool) -> i128 {
    if bits >= 128 {
        return v;
    }
    let mask = (1i128 << bits) - 1;
    let u = v & mask;
    if signed && u >> (bits - 1) & 1 == 1 {
        u - (1i128 << bits)
    } else {
        u
    }
}
