//! Correlation expressions as Rust: `size_is(cb / 2)` over the fields or
//! parameters it names, computed in `i128` as C would compute it in wide
//! enough integers, with division by zero and oversized shifts as 0.

use msrpc_idl::model::{BinOp, Expr, UnOp};

/// How the generated code reads sibling `index`: as a number (`deref`
/// false) or through one `*` (`deref` true); `None` where the value is not
/// available at that point (a parameter that comes later).
pub(crate) type Reader<'a> = &'a dyn Fn(usize, bool) -> Option<String>;

/// `e` as an `i128` Rust expression, or `None` if it reads a value that is
/// not available, or names what no Rust code can compute.
pub(crate) fn render(e: &Expr, read: Reader) -> Option<String> {
    Some(match e {
        Expr::Int(v) | Expr::Const { value: v, .. } => format!("{v}i128"),
        Expr::Ref { index, .. } => read(*index, false)?,
        Expr::Unary(UnOp::Deref, a) => match a.as_ref() {
            Expr::Ref { index, .. } => read(*index, true)?,
            _ => return None,
        },
        Expr::Unary(op, a) => {
            let a = render(a, read)?;
            match op {
                UnOp::Neg => format!("({a}).wrapping_neg()"),
                UnOp::Plus => a,
                UnOp::BitNot => format!("!({a})"),
                UnOp::Not => format!("i128::from(({a}) == 0)"),
                UnOp::Deref | UnOp::AddrOf => return None,
            }
        }
        Expr::Binary(op, a, b) => {
            let (a, b) = (render(a, read)?, render(b, read)?);
            match op {
                BinOp::Add => format!("({a}).wrapping_add({b})"),
                BinOp::Sub => format!("({a}).wrapping_sub({b})"),
                BinOp::Mul => format!("({a}).wrapping_mul({b})"),
                BinOp::Div => format!("({a}).checked_div({b}).unwrap_or(0)"),
                BinOp::Rem => format!("({a}).checked_rem({b}).unwrap_or(0)"),
                BinOp::Shl => format!("wire::shl({a}, {b})"),
                BinOp::Shr => format!("wire::shr({a}, {b})"),
                BinOp::BitAnd => format!("({a}) & ({b})"),
                BinOp::BitOr => format!("({a}) | ({b})"),
                BinOp::BitXor => format!("({a}) ^ ({b})"),
                BinOp::And => format!("i128::from(({a}) != 0 && ({b}) != 0)"),
                BinOp::Or => format!("i128::from(({a}) != 0 || ({b}) != 0)"),
                BinOp::Eq => format!("i128::from(({a}) == ({b}))"),
                BinOp::Ne => format!("i128::from(({a}) != ({b}))"),
                BinOp::Lt => format!("i128::from(({a}) < ({b}))"),
                BinOp::Gt => format!("i128::from(({a}) > ({b}))"),
                BinOp::Le => format!("i128::from(({a}) <= ({b}))"),
                BinOp::Ge => format!("i128::from(({a}) >= ({b}))"),
            }
        }
        Expr::Cond(c, a, b) => {
            let (c, a, b) = (render(c, read)?, render(a, read)?, render(b, read)?);
            format!("if ({c}) != 0 {{ {a} }} else {{ {b} }}")
        }
        // `a.b`, `a->b`: not generated (no correlation in the corpus needs it).
        Expr::Member { .. } | Expr::Unknown(_) => return None,
    })
}

/// Whether `e` is a plain name: the only form an implied count takes.
pub(crate) fn plain_ref(e: &Expr) -> Option<usize> {
    match e {
        Expr::Ref { index, .. } => Some(*index),
        _ => None,
    }
}
