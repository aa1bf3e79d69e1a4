//! Rust source written as text, indented as rustfmt would: generating text
//! directly costs a fraction of building token trees and pretty-printing
//! them, and the output reads the same.

/// Lines of Rust, with the indentation of the block being written.
#[derive(Default)]
pub(crate) struct Code {
    out: String,
    depth: usize,
}

impl Code {
    pub fn new() -> Code {
        Code::default()
    }

    /// One line at the current indentation; one too long is broken at the
    /// list it ends with, an item a line, as rustfmt would.
    pub fn line(&mut self, text: impl AsRef<str>) -> &mut Self {
        let text = text.as_ref();
        if text.is_empty() {
            self.out.push('\n');
            return self;
        }
        if self.depth * 4 + text.len() > WIDTH {
            if let Some((head, items, tail)) = split_list(text) {
                self.line(head);
                self.depth += 1;
                for item in items {
                    // A struct literal's `..base` takes no comma after it.
                    match item.starts_with("..") {
                        true => self.line(item),
                        false => self.line(format!("{item},")),
                    };
                }
                self.depth -= 1;
                return self.line(tail);
            }
        }
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
        self
    }

    /// `head {`, then everything until [`Code::close`] one level deeper.
    pub fn open(&mut self, head: impl AsRef<str>) -> &mut Self {
        let head = head.as_ref();
        if head.is_empty() {
            self.line("{");
        } else {
            self.line(format!("{head} {{"));
        }
        self.depth += 1;
        self
    }

    /// Opens a bracketed list: `head` ends with its own bracket, and
    /// [`Code::close_list`] writes the closing one.
    pub fn open_list(&mut self, head: impl AsRef<str>) -> &mut Self {
        self.line(head);
        self.depth += 1;
        self
    }

    pub fn close_list(&mut self, tail: &str) -> &mut Self {
        self.depth = self.depth.saturating_sub(1);
        self.line(tail)
    }

    /// Closes the block [`Code::open`] opened, with `tail` after the brace.
    pub fn close_with(&mut self, tail: &str) -> &mut Self {
        self.depth = self.depth.saturating_sub(1);
        self.line(format!("}}{tail}"))
    }

    pub fn close(&mut self) -> &mut Self {
        self.close_with("")
    }

    /// A doc comment, one `///` line per line of `text`.
    pub fn doc(&mut self, text: impl AsRef<str>) -> &mut Self {
        for l in text.as_ref().lines() {
            if l.is_empty() {
                self.line("///");
            } else {
                self.line(format!("/// {l}"));
            }
        }
        self
    }

    /// Whether the text so far contains `s`.
    pub fn contains(&self, s: &str) -> bool {
        self.out.contains(s)
    }

    /// Lines written elsewhere, indented to this block.
    pub fn append(&mut self, other: &Code) -> &mut Self {
        for l in other.out.lines() {
            self.line(l);
        }
        self
    }

    pub fn blank(&mut self) -> &mut Self {
        if !self.out.is_empty() && !self.out.ends_with("{\n") && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
        self
    }

    pub fn into_string(self) -> String {
        self.out
    }
}

/// The width lines are kept to, as rustfmt's default.
const WIDTH: usize = 100;

/// `head(a, b, c)tail` split at the outermost bracket whose list runs to
/// the end of the line (but for punctuation): the head with its opening
/// bracket, the items, and the closing bracket with the tail.
fn split_list(text: &str) -> Option<(&str, Vec<&str>, &str)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut opens: Vec<usize> = Vec::new();
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_str {
            match b {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_str = true,
                b'(' | b'[' | b'{' => {
                    opens.push(i);
                    depth += 1;
                }
                b')' | b']' | b'}' => {
                    if let Some(o) = opens.pop() {
                        pairs.push((o, i));
                    }
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            }
        }
        i += 1;
    }
    pairs.sort();
    // A function's parameters break first, as rustfmt breaks them.
    if let Some(at) = text.find("fn ") {
        if let Some(&(o, c)) = pairs.iter().find(|(o, _)| *o > at && bytes[*o] == b'(') {
            let items = split_top(&text[o + 1..c]);
            if items.len() > 1 {
                return Some((&text[..=o], items, &text[c..]));
            }
        }
    }
    // Else the first (outermost) pair whose tail is only punctuation and
    // whose contents hold a comma at their own level.
    for (o, c) in pairs {
        let tail = &text[c + 1..];
        let short_tail = tail.len() <= 12 && !tail.contains(['(', '{', '[']);
        if !short_tail {
            continue;
        }
        let items = split_top(&text[o + 1..c]);
        if items.len() > 1 {
            return Some((&text[..=o], items, &text[c..]));
        }
    }
    None
}

/// `a, b(c, d), e` to `a`, `b(c, d)`, `e`.
fn split_top(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut in_str = false;
    let mut start = 0;
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_str {
            match b {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_str = true,
                b'(' | b'[' | b'{' | b'<' => depth += 1,
                b')' | b']' | b'}' | b'>' => depth -= 1,
                b',' if depth == 0 => {
                    out.push(inner[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    let last = inner[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}
