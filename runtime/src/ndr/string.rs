//! `[string]` arrays: varying, terminated. Behind a pointer they are also
//! conformant; inline in a struct (`[string] wchar_t name[16]`) the array's
//! declared size is the maximum. `wchar_t` strings keep their UTF-16 code
//! units, so that no string from the wire is altered.

use std::fmt;

use super::{decode_variance, Decoder, Encoder, ErrorKind, Result};

macro_rules! string_type {
    ($(#[$doc:meta])* $name:ident, $unit:ty, $write:ident, $read:ident) => {
        $(#[$doc])*
        #[derive(Clone, Default, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        pub struct $name(pub Vec<$unit>);

        impl $name {
            /// The code units, without the terminator.
            pub fn as_units(&self) -> &[$unit] {
                &self.0
            }

            /// Writes a conformant-varying terminated string (a pointee).
            pub fn encode(&self, e: &mut Encoder) -> Result<()> {
                e.count(self.0.len() + 1)?;
                self.encode_varying(e, usize::MAX)
            }

            /// Reads what [`Self::encode`] writes, checking counts and terminator.
            pub fn decode(d: &mut Decoder<'_>) -> Result<$name> {
                let max = d.count()?;
                Self::decode_varying(d, max.into())
            }

            /// Writes a varying terminated string whose array holds at most
            /// `max` units with the terminator (`[string] wchar_t name[max]`).
            pub fn encode_varying(&self, e: &mut Encoder, max: usize) -> Result<()> {
                let n = self.0.len() + 1;
                if n > max {
                    return Err(e.mismatch("string length against its array", max, n));
                }
                e.count(0)?;
                e.count(n)?;
                e.$write(&self.0);
                e.$write(&[0]);
                Ok(())
            }

            /// Reads what [`Self::encode_varying`] writes.
            pub fn decode_varying(d: &mut Decoder<'_>, max: u64) -> Result<$name> {
                                let (offset, actual) = decode_variance(d, max, true)?;
                // A string starts at its first unit: offset 0, always.
                if offset != 0 {
                    return Err(d.error(ErrorKind::Mismatch { what: "string offset", expected: 0, found: offset.into() }));
                }
                let mut units = d.$read(actual as usize)?;
                match units.pop() {
                    Some(0) => Ok($name(units)),
                    _ => Err(d.error(ErrorKind::Unterminated)),
                }
            }
        }
    };
}

string_type!(
    /// A `[string] wchar_t` value, without its terminator. Not every sequence
    /// of UTF-16 code units is valid Unicode, and Windows sends such strings;
    /// keeping the units loses nothing.
    WString, u16, u16s, u16s
);

string_type!(
    /// A `[string] char` (or `byte`) value, without its terminator: bytes in
    /// whatever code page the peer uses.
    AString, u8, bytes, byte_vec
);

impl WString {
    /// The text, with U+FFFD where the units are not valid UTF-16.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf16_lossy(&self.0)
    }
}

impl AString {
    /// The text, with U+FFFD where the bytes are not valid UTF-8.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
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

impl From<&str> for AString {
    fn from(s: &str) -> AString {
        AString(s.as_bytes().to_vec())
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

impl fmt::Debug for AString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(s) => write!(f, "{s:?}"),
            Err(_) => write!(f, "AString({:?})", self.0),
        }
    }
}

impl fmt::Display for WString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

impl fmt::Display for AString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}
