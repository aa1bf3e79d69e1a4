//! What structs and messages share: slots (fields or parameters) with
//! levels, the counts their arrays imply, and the bounds their
//! correlations give each array level, as Rust.

use msrpc_idl::model::*;

use super::expr::{self, plain_ref};
use super::support::Data;
use super::Gen;

/// One field of a struct, or one parameter of a message.
pub(crate) struct Slot<'m> {
    /// The IDL name.
    pub idl: &'m str,
    /// The Rust field name.
    pub rust: String,
    /// The local variable decoding reads it into.
    pub local: String,
    /// Levels on the wire (a parameter's top-level `ref` pointer removed).
    pub levels: &'m [Level],
    pub data: &'m DataType,
    pub layout: &'m Layout,
    /// What correlations call it: its index among the fields, or the
    /// parameter's index in the method.
    pub index: usize,
    /// A count the arrays imply: not a field of the Rust type; the slots
    /// (positions in this record) whose outermost array it sizes.
    pub implied: Vec<usize>,
    /// A runtime type that stands for the slot whole (ORPCTHIS, ORPCTHAT).
    pub fixed: Option<String>,
}

impl Slot<'_> {
    pub fn is_implied(&self) -> bool {
        !self.implied.is_empty()
    }
}

/// Locals the generated code names itself.
const TAKEN_LOCALS: &[&str] = &["d", "e", "cx", "max", "v"];

pub(crate) fn local_name(rust: &str) -> String {
    if TAKEN_LOCALS.contains(&rust) {
        format!("{rust}_")
    } else {
        rust.to_string()
    }
}

/// The correlations of one array level, as expressions.
#[derive(Default)]
pub(crate) struct BoundExprs<'m> {
    pub max: Option<BoundExpr<'m>>,
    pub offset: Option<BoundExpr<'m>>,
    pub len: Option<BoundExpr<'m>>,
}

/// An expression, plus what is added to it (`max_is + 1`,
/// `last_is - first_is + 1`, `N - first_is`).
#[derive(Clone)]
pub(crate) enum BoundExpr<'m> {
    Plain(&'m Expr),
    PlusOne(&'m Expr),
    /// `last - first + 1`.
    Span(&'m Expr, Option<&'m Expr>),
    /// `from - first` (the elements from `first` to the end).
    Rest(Box<BoundExpr<'m>>, Option<&'m Expr>),
    /// `n - first`, for a fixed size `n`.
    FixedRest(u64, Option<&'m Expr>),
}

/// The array levels of `levels`, outermost first, with their bounds.
pub(crate) fn bounds_of(levels: &[Level]) -> Vec<BoundExprs<'_>> {
    levels
        .iter()
        .filter_map(|l| match l {
            Level::Array(a) => Some(array_bounds(a)),
            Level::Pointer(_) => None,
        })
        .collect()
}

fn array_bounds(a: &Array) -> BoundExprs<'_> {
    let size = match (&a.size_is, &a.max_is) {
        (Some(e), _) => Some(BoundExpr::Plain(e)),
        (None, Some(e)) => Some(BoundExpr::PlusOne(e)),
        (None, None) => None,
    };
    let first = a.first_is.as_ref();
    let varying = a.is_varying() && !a.string;
    let len = match (&a.length_is, &a.last_is) {
        (Some(e), _) => Some(BoundExpr::Plain(e)),
        (None, Some(last)) => Some(BoundExpr::Span(last, first)),
        (None, None) if varying => match (a.fixed, &size) {
            (Some(n), _) => Some(BoundExpr::FixedRest(n, first)),
            (None, Some(s)) => Some(BoundExpr::Rest(Box::new(s.clone()), first)),
            (None, None) => None,
        },
        // A conformant array sends all of itself.
        (None, None) if !a.string => size.clone(),
        (None, None) => None,
    };
    BoundExprs {
        max: if a.fixed.is_some() { None } else { size },
        offset: first.map(BoundExpr::Plain),
        len,
    }
}

impl BoundExpr<'_> {
    fn render(&self, read: expr::Reader) -> Option<String> {
        let r = |e: &Expr| expr::render(e, read);
        Some(match self {
            BoundExpr::Plain(e) => r(e)?,
            BoundExpr::PlusOne(e) => format!("({}).wrapping_add(1)", r(e)?),
            BoundExpr::Span(last, first) => match first {
                Some(f) => format!("({}).wrapping_sub({}).wrapping_add(1)", r(last)?, r(f)?),
                None => format!("({}).wrapping_add(1)", r(last)?),
            },
            BoundExpr::Rest(from, first) => match first {
                Some(f) => format!("({}).wrapping_sub({})", from.render(read)?, r(f)?),
                None => from.render(read)?,
            },
            BoundExpr::FixedRest(n, first) => match first {
                Some(f) => format!("{n}i128.wrapping_sub({})", r(f)?),
                None => format!("{n}i128"),
            },
        })
    }

    fn exprs(&self) -> Vec<&Expr> {
        match self {
            BoundExpr::Plain(e) | BoundExpr::PlusOne(e) => vec![e],
            BoundExpr::Span(a, b) => std::iter::once(*a).chain(*b).collect(),
            BoundExpr::Rest(from, b) => from.exprs().into_iter().chain(*b).collect(),
            BoundExpr::FixedRest(_, b) => b.iter().copied().collect(),
        }
    }
}

impl BoundExprs<'_> {
    pub fn is_empty(&self) -> bool {
        self.max.is_none() && self.offset.is_none() && self.len.is_none()
    }

    /// Every expression this level's bounds read.
    pub fn exprs(&self) -> Vec<&Expr> {
        [&self.max, &self.offset, &self.len]
            .into_iter()
            .flatten()
            .flat_map(BoundExpr::exprs)
            .collect()
    }

    /// The level's `wire::Bound`, or `None` if it reads what is not
    /// available.
    pub fn render(&self, read: expr::Reader) -> Option<String> {
        if self.is_empty() {
            return Some("wire::Bound::NONE".into());
        }
        // A conformant array's usual case: one count, all of it sent.
        if let (Some(BoundExpr::Plain(a)), None, Some(BoundExpr::Plain(b))) =
            (&self.max, &self.offset, &self.len)
        {
            if std::ptr::eq(*a, *b) {
                return Some(format!("wire::Bound::size({})", expr::render(a, read)?));
            }
        }
        let part = |b: &Option<BoundExpr>| -> Option<String> {
            match b {
                Some(b) => Some(format!("Some({})", b.render(read)?)),
                None => Some("None".into()),
            }
        };
        Some(format!(
            "wire::bound({}, {}, {})",
            part(&self.max)?,
            part(&self.offset)?,
            part(&self.len)?
        ))
    }
}

/// The bounds of a slot as a Rust slice expression (`&[]` when it has
/// none), and whether every one of them could be rendered.
pub(crate) fn bounds_slice(levels: &[Level], read: expr::Reader) -> (String, bool) {
    let all = bounds_of(levels);
    if all.iter().all(BoundExprs::is_empty) {
        return ("&[]".into(), true);
    }
    let mut complete = true;
    let parts: Vec<String> = all
        .iter()
        .map(|b| {
            b.render(read).unwrap_or_else(|| {
                complete = false;
                "wire::Bound::NONE".into()
            })
        })
        .collect();
    // Trailing levels with nothing to say need not be written.
    let mut parts = parts;
    while parts.last().is_some_and(|p| p == "wire::Bound::NONE") {
        parts.pop();
    }
    if parts.is_empty() {
        return ("&[]".into(), complete);
    }
    (format!("&[{}]", parts.join(", ")), complete)
}

impl<'m> Gen<'m> {
    /// Which integer slots are counts their arrays imply: named only as
    /// the plain `size_is` of a conformant array at the slot's outermost
    /// array level (directly, or behind a first non-`ref` pointer), and by
    /// nothing else. `in_scope(a, b)` says whether slot `a` may imply the
    /// size of slot `b` (messages: the same message).
    pub fn imply(&self, slots: &mut [Slot<'m>], kept: impl Fn(&Slot) -> bool) {
        // For each sibling index: the slots it plainly sizes, and whether
        // anything else reads it.
        let mut users: Vec<(usize, Vec<usize>, bool)> = Vec::new();
        let mut note = |index: usize, user: Option<usize>| {
            let entry = match users.iter_mut().find(|(i, ..)| *i == index) {
                Some(e) => e,
                None => {
                    users.push((index, Vec::new(), false));
                    users.last_mut().expect("pushed")
                }
            };
            match user {
                Some(u) => entry.1.push(u),
                None => entry.2 = true,
            }
        };
        for (j, s) in slots.iter().enumerate() {
            for e in [&s.layout.switch_is, &s.layout.iid_is]
                .into_iter()
                .flatten()
            {
                for r in e.refs() {
                    note(r, None);
                }
            }
            let outer = outer_array(s.levels);
            for (k, lv) in s.levels.iter().enumerate() {
                let Level::Array(a) = lv else { continue };
                for (attr, e) in a.bounds() {
                    let plain = attr == "size"
                        && Some(k) == outer
                        && !a.is_varying()
                        && a.max_is.is_none()
                        && a.min_is.is_none();
                    match (plain, plain_ref(e)) {
                        (true, Some(r)) => note(r, Some(j)),
                        _ => e.refs().into_iter().for_each(|r| note(r, None)),
                    }
                }
            }
        }
        for (index, used_by, other) in users {
            if other || used_by.is_empty() {
                continue;
            }
            let Some(pos) = slots
                .iter()
                .position(|s| s.index == index && s.fixed.is_none())
            else {
                continue;
            };
            let s = &slots[pos];
            let integer = s.levels.is_empty()
                && matches!(self.support.data(s.data), Ok(Data::Scalar(sc)) if sc.is_integer());
            if integer && !kept(s) {
                slots[pos].implied = used_by;
            }
        }
    }

    /// How generated code reads slot values for correlations, from
    /// `place(slot)` (`self.x`, or a local), for the slots `ready` says
    /// are available; `pos` is the position for a null-pointer error.
    pub fn reader<'s>(
        &'s self,
        slots: &'s [Slot<'m>],
        place: &'s dyn Fn(&Slot) -> String,
        ready: &'s dyn Fn(usize) -> bool,
        pos: &'s str,
    ) -> impl Fn(usize, bool) -> Option<String> + 's {
        move |index, deref| {
            let (j, s) = slots
                .iter()
                .enumerate()
                .find(|(_, s)| s.index == index && s.fixed.is_none())?;
            if !ready(j) || s.is_implied() {
                return None;
            }
            let v = place(s);
            match (deref, s.levels) {
                (false, []) | (true, []) => Some(format!("i128::from({v})")),
                (true, [Level::Pointer(p)]) if p.kind == PointerKind::Ref => {
                    Some(format!("i128::from(*{v})"))
                }
                (true, [Level::Pointer(_)]) => Some(format!("wire::deref({pos}, {v}.as_deref())?")),
                _ => None,
            }
        }
    }
}

/// The level of the array whose length a value shows directly: the first
/// level, or the one behind a first unique or full pointer.
pub(crate) fn outer_array(levels: &[Level]) -> Option<usize> {
    match levels {
        [Level::Array(_), ..] => Some(0),
        [Level::Pointer(p), Level::Array(_), ..] if p.kind != PointerKind::Ref => Some(1),
        [Level::Pointer(_), Level::Array(_), ..] => Some(1),
        _ => None,
    }
}

/// The length of the array a slot's value shows, as a `usize` expression.
pub(crate) fn len_expr(s: &Slot, v: &str) -> String {
    match s.levels.first() {
        Some(Level::Pointer(p)) if p.kind != PointerKind::Ref => {
            format!("{v}.as_ref().map_or(0, |v| v.len())")
        }
        _ => format!("{v}.len()"),
    }
}
