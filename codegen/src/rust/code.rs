//! Rust source written as text, indented as rustfmt would: generating text
//! directly costs a fraction of building token trees and pretty-printing
//! them, and the output reads the same.

use std::fmt::Write;

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

    /// One line at the current indentation.
    pub fn line(&mut self, text: impl AsRef<str>) -> &mut Self {
        let text = text.as_ref();
        if text.is_empty() {
            self.out.push('\n');
            return self;
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

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    pub fn into_string(self) -> String {
        self.out
    }
}

impl Write for Code {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for (i, l) in s.split('\n').enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            self.out.push_str(l);
        }
        Ok(())
    }
}
