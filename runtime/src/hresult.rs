//! HRESULTs (MS-ERREF 2.1): one type for the status every COM method
//! returns, printed in hex with its name, as MS-ERREF lists them.

use std::fmt;

/// An HRESULT (MS-ERREF 2.1.1), or, where MS-DCOM's resolver returns an
/// `error_status_t`, a Win32 error code (MS-ERREF 2.2) such as
/// [`Hresult::OR_INVALID_OXID`]: both are 32-bit values in the same slot.
///
/// The value is held unsigned, the way MS-ERREF writes it
/// (`0x80004002`), so the constants read as the spec does; the IDL's
/// `HRESULT` is a `long`, and `From<i32>` and `From<Hresult> for i32`
/// carry the same bits across.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hresult(pub u32);

macro_rules! names {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        impl Hresult {
            $($(#[$doc])* pub const $name: Hresult = Hresult($value);)*

            /// The MS-ERREF name of a value msrpc knows, such as
            /// `"E_NOINTERFACE"`.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }
    };
}

names! {
    /// Success.
    S_OK = 0;
    /// Success, with the answer "no" (a method's `false`).
    S_FALSE = 1;
    /// The method is not implemented.
    E_NOTIMPL = 0x8000_4001;
    /// The object does not implement the interface asked for.
    E_NOINTERFACE = 0x8000_4002;
    /// A pointer that must not be null is.
    E_POINTER = 0x8000_4003;
    /// The operation was aborted.
    E_ABORT = 0x8000_4004;
    /// The call failed, for no reason it names; also what a call that did
    /// not complete is answered with.
    E_FAIL = 0x8000_4005;
    /// A failure nobody expected.
    E_UNEXPECTED = 0x8000_FFFF;
    /// Access is denied.
    E_ACCESSDENIED = 0x8007_0005;
    /// Out of memory: here, a server limit on objects is reached.
    E_OUTOFMEMORY = 0x8007_000E;
    /// An argument is not valid.
    E_INVALIDARG = 0x8007_0057;
    /// The object called has been disconnected from its clients, or its
    /// IPID is not known.
    RPC_E_DISCONNECTED = 0x8001_0108;
    /// The caller's COM version is not one the server speaks.
    RPC_E_VERSION_MISMATCH = 0x8001_0110;
    /// The ORPC call's header (ORPCTHIS) is not valid.
    RPC_E_INVALID_HEADER = 0x8001_0111;
    /// The object named does not exist.
    RPC_E_INVALID_OBJECT = 0x8001_0114;
    /// An OBJREF is malformed or of an unknown kind.
    RPC_E_INVALID_OBJREF = 0x8001_011D;
    /// The class does not support aggregation.
    CLASS_E_NOAGGREGATION = 0x8004_0110;
    /// The class is not registered with the server.
    REGDB_E_CLASSNOTREG = 0x8004_0154;
    /// The object is not registered: an OID or IPID the exporter no
    /// longer holds.
    CO_E_OBJNOTREG = 0x8004_01FB;
    /// Win32 (an `error_status_t`, not an HRESULT): an OXID the resolver
    /// does not know.
    OR_INVALID_OXID = 1910;
    /// Win32: an OID the resolver does not know.
    OR_INVALID_OID = 1911;
    /// Win32: a ping set the resolver does not know.
    OR_INVALID_SET = 1912;
}

impl Hresult {
    /// Whether the severity bit is clear: S_OK, S_FALSE and the like.
    pub const fn is_success(self) -> bool {
        self.0 & 0x8000_0000 == 0
    }

    /// Whether the severity bit is set. A Win32 code from an
    /// `error_status_t` has it clear: there, anything but S_OK fails.
    pub const fn is_failure(self) -> bool {
        !self.is_success()
    }
}

impl From<u32> for Hresult {
    fn from(v: u32) -> Hresult {
        Hresult(v)
    }
}

impl From<i32> for Hresult {
    /// The IDL's `HRESULT` (a `long`), bit for bit.
    fn from(v: i32) -> Hresult {
        Hresult(u32::from_le_bytes(v.to_le_bytes()))
    }
}

impl From<Hresult> for u32 {
    fn from(h: Hresult) -> u32 {
        h.0
    }
}

impl From<Hresult> for i32 {
    /// As the IDL's `HRESULT` (a `long`), bit for bit.
    fn from(h: Hresult) -> i32 {
        i32::from_le_bytes(h.0.to_le_bytes())
    }
}

impl fmt::Display for Hresult {
    /// `E_NOINTERFACE (0x80004002)`, or `0x80004002` for a value msrpc
    /// has no name for.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({:#010x})", self.0),
            None => write!(f, "{:#010x}", self.0),
        }
    }
}

impl fmt::Debug for Hresult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::LowerHex for Hresult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::LowerHex::fmt(&self.0, f)
    }
}

impl fmt::UpperHex for Hresult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::UpperHex::fmt(&self.0, f)
    }
}

impl std::error::Error for Hresult {}

#[cfg(test)]
mod tests {
    use super::Hresult;

    #[test]
    fn a_known_hresult_prints_its_name_and_hex() {
        let h = Hresult::E_NOINTERFACE;
        assert_eq!(h.to_string(), "E_NOINTERFACE (0x80004002)");
        assert_eq!(format!("{h:?}"), "E_NOINTERFACE (0x80004002)");
        assert_eq!(
            format!("{:?}", Some(Hresult(0x8000_1234))),
            "Some(0x80001234)"
        );
    }

    #[test]
    fn the_severity_bit_decides_success() {
        assert!(Hresult::S_OK.is_success());
        assert!(Hresult::S_FALSE.is_success());
        assert!(Hresult::E_FAIL.is_failure());
    }

    #[test]
    fn the_idl_long_converts_bit_for_bit() {
        assert_eq!(Hresult::from(-2147467262_i32), Hresult::E_NOINTERFACE);
        assert_eq!(i32::from(Hresult::E_NOINTERFACE), -2147467262);
        assert_eq!(u32::from(Hresult::from(0x8007_0057_u32)), 0x8007_0057);
    }
}
