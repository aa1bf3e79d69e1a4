//! The preprocessor's view of text: comments blanked, then pp-tokens.

use std::ops::Range;
use std::rc::Rc;

/// Replaces comments and line splices with spaces, keeping every newline
/// and every byte offset, so spans into the result are spans into the file.
/// Returns the blanked text and the start of an unterminated block comment.
pub fn blank_comments(text: &str) -> (String, Option<usize>) {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    let mut unterminated = None;
    // A literal ends at its closing quote or, unterminated, at the end of the
    // line: apostrophes in prose (inside `#if 0`, `#error`) must not swallow code.
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' && matches!(bytes.get(i + 1), Some(b'\n')) {
            out[i] = b' ';
            out[i + 1] = b' ';
            i += 2;
            continue;
        }
        if b == b'\\' && bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') {
            out[i..i + 3].fill(b' ');
            i += 3;
            continue;
        }
        if let Some(q) = quote {
            if b == b'\\' && i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                i += 2;
                continue;
            }
            if b == q || b == b'\n' {
                quote = None;
            }
            i += 1;
            continue;
        }
        match (b, bytes.get(i + 1)) {
            (b'"' | b'\'', _) => {
                quote = Some(b);
                i += 1;
            }
            (b'/', Some(b'/')) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    // A splice continues a line comment onto the next line.
                    if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'\n') {
                        out[i] = b' ';
                        i += 2;
                        continue;
                    }
                    if bytes[i] == b'\\'
                        && bytes.get(i + 1) == Some(&b'\r')
                        && bytes.get(i + 2) == Some(&b'\n')
                    {
                        out[i] = b' ';
                        out[i + 1] = b' ';
                        i += 3;
                        continue;
                    }
                    out[i] = b' ';
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                let start = i;
                out[i] = b' ';
                out[i + 1] = b' ';
                i += 2;
                loop {
                    if i >= bytes.len() {
                        unterminated = Some(start);
                        break;
                    }
                    if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        out[i] = b' ';
                        out[i + 1] = b' ';
                        i += 2;
                        break;
                    }
                    if bytes[i] != b'\n' {
                        out[i] = b' ';
                    }
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    // Only ASCII bytes were replaced, and only with ASCII, except inside
    // comments, where a multi-byte character's bytes all became spaces.
    let blanked = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    (blanked, unterminated)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Ident,
    Number,
    Str,
    Char,
    Space,
    Punct,
    /// `##`
    Paste,
}

/// A pp-token: its kind and its bytes in the file (or in macro text).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// Shared: every expansion of a macro copies its body's tokens, and
    /// copying a `String` each was a third of the expander's time.
    pub text: Rc<str>,
    /// Where it came from in the current file; `None` for macro output.
    pub at: Option<Range<usize>>,
}

impl Token {
    pub fn is(&self, s: &str) -> bool {
        &*self.text == s
    }
}

/// Splits `text` (a slice of the file starting at `base`) into pp-tokens.
pub fn tokenize(text: &str, base: usize) -> Vec<Token> {
    scan(text)
        .map(|(kind, r)| Token {
            kind,
            text: text[r.clone()].into(),
            at: Some(base + r.start..base + r.end),
        })
        .collect()
}

/// The pp-tokens of `text` as kinds and byte ranges, without copying them:
/// most text is only looked at (does it name a macro? are its parentheses
/// balanced?), and one `String` per token was a quarter of the front end's
/// time on large files.
pub fn scan(text: &str) -> impl Iterator<Item = (Kind, Range<usize>)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        let b = bytes[i];
        let kind = if b.is_ascii_alphabetic() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            Kind::Ident
        } else if b.is_ascii_digit()
            || (b == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            i += 1;
            while i < bytes.len() {
                let c = bytes[i];
                let exp_sign =
                    (c == b'+' || c == b'-') && matches!(bytes[i - 1], b'e' | b'E' | b'p' | b'P');
                if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || exp_sign {
                    i += 1;
                } else {
                    break;
                }
            }
            Kind::Number
        } else if b == b'"' || b == b'\'' {
            i += 1;
            while i < bytes.len() && bytes[i] != b && bytes[i] != b'\n' {
                i += if bytes[i] == b'\\' && i + 1 < bytes.len() {
                    2
                } else {
                    1
                };
            }
            i = (i + 1).min(bytes.len());
            if b == b'"' {
                Kind::Str
            } else {
                Kind::Char
            }
        } else if b.is_ascii_whitespace() {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            Kind::Space
        } else if b == b'#' && bytes.get(i + 1) == Some(&b'#') {
            i += 2;
            Kind::Paste
        } else {
            // One character, however many bytes it takes.
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            Kind::Punct
        };
        i = i.min(bytes.len());
        while !text.is_char_boundary(i) {
            i += 1;
        }
        Some((kind, start..i))
    })
}
