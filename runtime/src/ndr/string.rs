//! `[string]` arrays: conformant-varying, terminated, and for `wchar_t`
//! kept as UTF-16 code units so that no string from the wire is altered.

use std::fmt;

use super::{decode_variance, Decoder, Encoder, ErrorKind, Result};

/// A `[string] wchar_t` value, without its terminator. Not every sequence
/// of UTF-16 code units is valid Unicode, and Windows sends such strings;
/// keeping the units loses nothing.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct WString(pub Vec<u16>);

impl WString {
    pub fn as_units(&self) -> &[u16] {
        &self.0
    }

    /// The text, with U+FFFD where the units are not valid UTF-16.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf16_lossy(&self.0)
    }

    /// Writes a conformant-varying terminated string (a `[string] wchar_t *` pointee).
    pub fn encode(&self, e: &mut Encoder) -> Result<()> {
        let n = self.0.len() + 1;
        e.count(n)?;
        e.count(0)?;
        e.count(n)?;
        e.u16s(&self.0);
        e.u16(0);
        Ok(())
    }

    /// Reads what [`WString::encode`] writes, checking the counts and the terminator.
    pub fn decode(d: &mut Decoder<'_>) -> Result<WString> {
        let max = d.count()?;
        let (_, actual) = decode_variance(d, max.into(), true)?;
        let mut units = d.u16s(actual as usize)?;
        match units.pop() {
            Some(0) => Ok(WString(units)),
            _ => Err(d.error(ErrorKind::Unterminated)),
        }
    }
}

impl From<&str> for WString {
    fn from(s: &str) -> WString {
        WString(s.encode_utf16().collect())
    }
}

impl From<String> for WString {
    fn from(s: String) -> WString {
        WString::from(s.as_str())
    }
}

impl TryFrom<WString> for String {
    type Error = std::string::FromUtf16Error;
    fn try_from(w: WString) -> std::result::Result<String, Self::Error> {
        String::from_utf16(&w.0)
    }
}

impl fmt::Debug for WString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match String::from_utf16(&self.0) {
            Ok(s) => write!(f, "{s:?}"),
            Err(_) => write!(f, "WString({:?} /* not valid UTF-16 */)", self.0),
        }
    }
}

impl fmt::Display for WString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}
