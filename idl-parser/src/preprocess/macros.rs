//! Macro expansion with hide sets: a macro is not expanded again inside its
//! own expansion, and a budget stops expansions that explode.

use std::collections::VecDeque;
use std::ops::Range;
use std::rc::Rc;

use super::lex::{tokenize, Kind, Token};
use crate::source::Span;

/// The macros in force, by name. Every identifier of the text is looked
/// up, so the hash is foldhash (randomly seeded, as SipHash is, and some
/// five times faster on short names).
pub type Macros = foldhash::HashMap<String, Macro>;

#[derive(Clone, Debug)]
pub struct Macro {
    /// `None` for an object-like macro.
    pub params: Option<Vec<String>>,
    pub variadic: bool,
    pub body: Vec<Token>,
    pub defined_at: Option<Span>,
}

impl Macro {
    pub fn object(body: &str) -> Macro {
        Macro {
            params: None,
            variadic: false,
            body: strip_at(tokenize(body, 0)),
            defined_at: None,
        }
    }

    /// Same definition, as C's rule for harmless redefinition puts it.
    pub fn same_as(&self, other: &Macro) -> bool {
        let body = |m: &Macro| -> Vec<String> {
            m.body
                .iter()
                .map(|t| {
                    if t.kind == Kind::Space {
                        " ".into()
                    } else {
                        t.text.to_string()
                    }
                })
                .collect()
        };
        self.params == other.params && self.variadic == other.variadic && body(self) == body(other)
    }
}

fn strip_at(tokens: Vec<Token>) -> Vec<Token> {
    tokens
        .into_iter()
        .map(|t| Token { at: None, ..t })
        .collect()
}

/// A token on its way through expansion.
#[derive(Clone, Debug)]
pub struct PpToken {
    pub tok: Token,
    /// Its place in the file, or the invocation it came from.
    pub origin: Range<usize>,
    pub expanded: bool,
    hide: HideSet,
}

impl PpToken {
    pub fn verbatim(tok: Token) -> PpToken {
        let origin = tok.at.clone().unwrap_or(0..0);
        PpToken {
            tok,
            origin,
            expanded: false,
            hide: HideSet::default(),
        }
    }

    fn hidden(&self, name: &str) -> bool {
        self.hide.contains(name)
    }
}

/// The macros a token came through, shared between tokens: adding a name
/// is O(1), where copying a list per expansion made deep chains quadratic.
#[derive(Clone, Debug, Default)]
struct HideSet(Option<Rc<HideNode>>);

#[derive(Debug)]
struct HideNode {
    name: String,
    depth: usize,
    parent: HideSet,
}

impl HideSet {
    fn contains(&self, name: &str) -> bool {
        let mut cur = &self.0;
        while let Some(node) = cur {
            if node.name == name {
                return true;
            }
            cur = &node.parent.0;
        }
        false
    }

    fn depth(&self) -> usize {
        self.0.as_ref().map_or(0, |n| n.depth)
    }

    fn with(&self, name: &str) -> HideSet {
        HideSet(Some(Rc::new(HideNode {
            name: name.to_string(),
            depth: self.depth() + 1,
            parent: self.clone(),
        })))
    }
}

#[derive(Debug)]
#[non_exhaustive]
pub enum ExpandError {
    Unterminated {
        name: String,
        at: Range<usize>,
    },
    ArgCount {
        name: String,
        at: Range<usize>,
        expected: usize,
        found: usize,
    },
    TooLarge {
        at: Range<usize>,
    },
}

impl ExpandError {
    /// Gives a budget error, raised deep inside substitution, its invocation.
    fn at(self, invocation: &Range<usize>) -> ExpandError {
        match self {
            ExpandError::TooLarge { at } if at.is_empty() => ExpandError::TooLarge {
                at: invocation.clone(),
            },
            other => other,
        }
    }
}

pub struct Expander<'a> {
    pub macros: &'a Macros,
    /// Bytes that expansion may still produce in this run.
    pub budget: usize,
    depth: usize,
    condition: bool,
}

pub(crate) const MAX_DEPTH: usize = 128;

impl<'a> Expander<'a> {
    pub fn new(macros: &'a Macros, budget: usize) -> Expander<'a> {
        Expander {
            macros,
            budget,
            depth: 0,
            condition: false,
        }
    }

    /// Expansion for `#if`: the operand of `defined` stays as written, even
    /// when `defined` itself came out of a macro.
    pub fn for_condition(mut self) -> Self {
        self.condition = true;
        self
    }

    pub fn expand(&mut self, input: Vec<PpToken>) -> Result<Vec<PpToken>, ExpandError> {
        let mut queue: VecDeque<PpToken> = input.into();
        let mut out = Vec::with_capacity(queue.len());
        while let Some(t) = queue.pop_front() {
            if self.condition && t.tok.kind == Kind::Ident && &*t.tok.text == "defined" {
                out.push(t);
                while queue.front().is_some_and(|p| p.tok.kind == Kind::Space) {
                    queue.pop_front();
                }
                let parens = queue.front().is_some_and(|p| p.tok.is("("));
                // `defined X` or `defined ( X )`: move them through unexpanded.
                let take = if parens { 3 } else { 1 };
                let mut moved = 0;
                while moved < take {
                    let Some(p) = queue.pop_front() else { break };
                    if p.tok.kind != Kind::Space {
                        moved += 1;
                    }
                    out.push(p);
                }
                continue;
            }
            let name = &*t.tok.text;
            let mac = match self.macros.get(name) {
                Some(m) if t.tok.kind == Kind::Ident && !t.hidden(name) => m,
                _ => {
                    out.push(t);
                    continue;
                }
            };
            let Some(params) = &mac.params else {
                let produced = self
                    .substitute(mac, &[], &[])
                    .map_err(|e| e.at(&t.origin))?;
                self.push_front(&mut queue, produced, &t, t.origin.clone(), name)?;
                continue;
            };
            // A function-like macro name without `(` is an ordinary identifier.
            let next = queue.iter().position(|p| p.tok.kind != Kind::Space);
            if !next.is_some_and(|i| queue[i].tok.is("(")) {
                out.push(t);
                continue;
            }
            let (args, end) =
                collect_args(&mut queue).ok_or_else(|| ExpandError::Unterminated {
                    name: name.to_string(),
                    at: t.origin.clone(),
                })?;
            let origin = t.origin.start..end.max(t.origin.end);
            let args = match_args(name, params.len(), mac.variadic, args, &origin)?;
            if self.depth >= MAX_DEPTH {
                return Err(ExpandError::TooLarge { at: origin });
            }
            self.depth += 1;
            let mut expanded_args = Vec::with_capacity(args.len());
            for a in &args {
                expanded_args.push(self.expand(a.clone())?);
            }
            self.depth -= 1;
            let raw: Vec<Vec<Token>> = args
                .iter()
                .map(|a| a.iter().map(|p| p.tok.clone()).collect())
                .collect();
            let cooked: Vec<Vec<Token>> = expanded_args
                .iter()
                .map(|a| a.iter().map(|p| p.tok.clone()).collect())
                .collect();
            let produced = self
                .substitute(mac, &raw, &cooked)
                .map_err(|e| e.at(&origin))?;
            self.push_front(&mut queue, produced, &t, origin, name)?;
        }
        Ok(out)
    }

    fn push_front(
        &mut self,
        queue: &mut VecDeque<PpToken>,
        produced: Vec<Token>,
        from: &PpToken,
        origin: Range<usize>,
        name: &str,
    ) -> Result<(), ExpandError> {
        // Bounded, so that neither rescanning nor dropping the chain runs deep.
        if from.hide.depth() >= MAX_DEPTH {
            return Err(ExpandError::TooLarge { at: origin });
        }
        let hide = from.hide.with(name);
        for tok in produced.into_iter().rev() {
            queue.push_front(PpToken {
                tok,
                origin: origin.clone(),
                expanded: true,
                hide: hide.clone(),
            });
        }
        Ok(())
    }

    /// The macro's body with parameters replaced, `#` and `##` applied.
    fn substitute(
        &mut self,
        mac: &Macro,
        raw: &[Vec<Token>],
        cooked: &[Vec<Token>],
    ) -> Result<Vec<Token>, ExpandError> {
        let param_index = |t: &Token| -> Option<usize> {
            let params = mac.params.as_ref()?;
            if t.kind != Kind::Ident {
                return None;
            }
            if t.is("__VA_ARGS__") && mac.variadic {
                return Some(params.len());
            }
            params.iter().position(|p| t.is(p))
        };
        let body = &mac.body;
        let mut out: Vec<Token> = Vec::new();
        let mut i = 0;
        while i < body.len() {
            let t = &body[i];
            let next_sig = body[i + 1..]
                .iter()
                .position(|x| x.kind != Kind::Space)
                .map(|k| i + 1 + k);
            let prev_is_paste = out
                .iter()
                .rev()
                .find(|x| x.kind != Kind::Space)
                .is_some_and(|x| x.kind == Kind::Paste);
            if t.is("#") && mac.params.is_some() {
                if let Some(p) = next_sig.and_then(|j| param_index(&body[j]).map(|p| (j, p))) {
                    out.push(stringify(raw.get(p.1).map(Vec::as_slice).unwrap_or(&[])));
                    i = p.0 + 1;
                    continue;
                }
            }
            if let Some(p) = param_index(t) {
                let next_is_paste = next_sig.is_some_and(|j| body[j].kind == Kind::Paste);
                let source = if prev_is_paste || next_is_paste {
                    raw
                } else {
                    cooked
                };
                out.extend(source.get(p).cloned().unwrap_or_default());
            } else {
                out.push(t.clone());
            }
            i += 1;
        }
        let out = paste(out);
        self.budget = self
            .budget
            .checked_sub(out.iter().map(|t| t.text.len().max(1)).sum())
            .ok_or(ExpandError::TooLarge { at: 0..0 })?;
        Ok(out)
    }
}

/// Consumes `( a, b, ... )` from the queue. Returns the arguments and the
/// end of the closing parenthesis, or `None` when it never closes.
fn collect_args(queue: &mut VecDeque<PpToken>) -> Option<(Vec<Vec<PpToken>>, usize)> {
    while queue.front()?.tok.kind == Kind::Space {
        queue.pop_front();
    }
    let close_paren = {
        let mut depth = 0usize;
        let mut found = None;
        for (i, p) in queue.iter().enumerate() {
            if p.tok.is("(") {
                depth += 1;
            } else if p.tok.is(")") {
                depth -= 1;
                if depth == 0 {
                    found = Some(i);
                    break;
                }
            }
        }
        found?
    };
    let mut inner: Vec<PpToken> = queue.drain(..=close_paren).collect();
    let end = inner.last().map_or(0, |p| p.origin.end);
    inner.pop();
    inner.remove(0);
    let mut args = vec![Vec::new()];
    let mut depth = 0usize;
    for p in inner {
        if p.tok.is("(") {
            depth += 1;
        } else if p.tok.is(")") {
            depth = depth.saturating_sub(1);
        } else if p.tok.is(",") && depth == 0 {
            args.push(Vec::new());
            continue;
        }
        if let Some(last) = args.last_mut() {
            last.push(p);
        }
    }
    Some((args, end))
}

fn match_args(
    name: &str,
    params: usize,
    variadic: bool,
    mut args: Vec<Vec<PpToken>>,
    at: &Range<usize>,
) -> Result<Vec<Vec<PpToken>>, ExpandError> {
    // `F()` passes one empty argument, which is no argument for `F()`.
    if params == 0 && args.len() == 1 && args[0].iter().all(|p| p.tok.kind == Kind::Space) {
        args.clear();
    }
    if variadic && args.len() > params {
        let rest = args.split_off(params);
        let mut joined = Vec::new();
        for (i, a) in rest.into_iter().enumerate() {
            if i > 0 {
                joined.push(PpToken::verbatim(Token {
                    kind: Kind::Punct,
                    text: ",".into(),
                    at: None,
                }));
            }
            joined.extend(a);
        }
        args.push(joined);
    } else if variadic && args.len() == params {
        args.push(Vec::new());
    }
    let expected = params + usize::from(variadic);
    if args.len() != expected {
        return Err(ExpandError::ArgCount {
            name: name.to_string(),
            at: at.clone(),
            expected: params,
            found: args.len(),
        });
    }
    Ok(args)
}

fn stringify(arg: &[Token]) -> Token {
    let mut s = String::from("\"");
    let mut pending_space = false;
    for t in arg {
        if t.kind == Kind::Space {
            pending_space = s.len() > 1;
            continue;
        }
        if pending_space {
            s.push(' ');
            pending_space = false;
        }
        if matches!(t.kind, Kind::Str | Kind::Char) {
            for c in t.text.chars() {
                if c == '"' || c == '\\' {
                    s.push('\\');
                }
                s.push(c);
            }
        } else {
            s.push_str(&t.text);
        }
    }
    s.push('"');
    Token {
        kind: Kind::Str,
        text: s.into(),
        at: None,
    }
}

/// Applies `##`: glues the tokens on either side and lexes the result again.
fn paste(tokens: Vec<Token>) -> Vec<Token> {
    if !tokens.iter().any(|t| t.kind == Kind::Paste) {
        return tokens;
    }
    let mut out: Vec<Token> = Vec::new();
    let mut glue = false;
    for t in tokens {
        match t.kind {
            Kind::Paste => {
                while out.last().is_some_and(|x| x.kind == Kind::Space) {
                    out.pop();
                }
                glue = true;
            }
            Kind::Space if glue => {}
            _ if glue => {
                glue = false;
                let left = out.pop().map(|x| x.text).unwrap_or_default();
                out.extend(strip_at(tokenize(&format!("{left}{}", t.text), 0)));
            }
            _ => out.push(t),
        }
    }
    out
}
