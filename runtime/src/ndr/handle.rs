//! Context handles (C706 14.3.9, MS-RPCE 2.2.5.3.5.1): 20 bytes, a 32-bit
//! attributes word and a GUID, which a server hands out in an `[out]`
//! parameter, a client passes back, and a null (all-zero) one closes.

use super::{Decoder, Encoder, Ndr, Result};

/// The wire form of a context handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct ContextHandle {
    /// `context_handle_attributes`: 0 in every handle Windows makes.
    pub attributes: u32,
    /// `context_handle_uuid`: the server's name for the state.
    pub uuid: uuid::Uuid,
}

impl ContextHandle {
    /// The null handle: what closing returns, and what no state has.
    pub const NULL: ContextHandle = ContextHandle {
        attributes: 0,
        uuid: uuid::Uuid::nil(),
    };

    /// A fresh handle for new server state.
    pub fn new() -> ContextHandle {
        ContextHandle {
            attributes: 0,
            uuid: uuid::Uuid::new_v4(),
        }
    }

    pub fn is_null(&self) -> bool {
        *self == ContextHandle::NULL
    }
}

impl Ndr for ContextHandle {
    const ALIGN: usize = 4;
    const HAS_BUFFERS: bool = false;
    const WIRE_MIN: usize = 20;
    #[inline]
    fn encode_scalars(&self, e: &mut Encoder) -> Result<()> {
        e.u32(self.attributes);
        e.guid(&self.uuid);
        Ok(())
    }
    #[inline]
    fn decode_scalars(d: &mut Decoder<'_>) -> Result<Self> {
        Ok(ContextHandle {
            attributes: d.u32()?,
            uuid: d.guid()?,
        })
    }
    fn placeholder() -> Self {
        ContextHandle::NULL
    }
}

/// Declares a context-handle type of an IDL (`typedef [context_handle]
/// void *H;`): a newtype over [`ContextHandle`], so that one protocol's
/// handles are not mistaken for another's.
///
/// ```
/// msrpc::context_handle! {
///     /// A handle to an open policy.
///     pub struct PolicyHandle;
/// }
/// assert!(PolicyHandle::default().0.is_null());
/// ```
#[macro_export]
macro_rules! context_handle {
    ($(#[$m:meta])* $vis:vis struct $name:ident;) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
        $vis struct $name(pub $crate::ndr::ContextHandle);

        impl $crate::ndr::Ndr for $name {
            const ALIGN: usize = 4;
            const HAS_BUFFERS: bool = false;
            const WIRE_MIN: usize = 20;
            fn encode_scalars(&self, e: &mut $crate::ndr::Encoder) -> $crate::ndr::Result<()> {
                self.0.encode_scalars(e)
            }
            fn decode_scalars(d: &mut $crate::ndr::Decoder<'_>) -> $crate::ndr::Result<Self> {
                <$crate::ndr::ContextHandle as $crate::ndr::Ndr>::decode_scalars(d).map($name)
            }
            fn placeholder() -> Self {
                $name($crate::ndr::ContextHandle::NULL)
            }
        }
    };
}

/// Declares the `Ndr` impl of an IDL enum held as its number (so values the
/// IDL does not list survive): 16 bits on the wire, or 32 for `[v1_enum]`.
#[macro_export]
macro_rules! ndr_enum {
    ($name:ident, $repr:ident) => {
        impl From<$name> for i128 {
            fn from(v: $name) -> i128 {
                i128::from(v.0)
            }
        }

        impl $crate::ndr::Ndr for $name {
            const ALIGN: usize = std::mem::size_of::<$repr>();
            const HAS_BUFFERS: bool = false;
            const WIRE_MIN: usize = std::mem::size_of::<$repr>();
            fn encode_scalars(&self, e: &mut $crate::ndr::Encoder) -> $crate::ndr::Result<()> {
                e.$repr(self.0);
                Ok(())
            }
            fn decode_scalars(d: &mut $crate::ndr::Decoder<'_>) -> $crate::ndr::Result<Self> {
                Ok(Self(d.$repr()?))
            }
            fn placeholder() -> Self {
                Self(0)
            }
        }
    };
}
