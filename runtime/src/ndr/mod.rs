//! NDR20: the Network Data Representation of DCE/RPC, transfer syntax
//! 8a885d04-1ceb-11c9-9fe8-08002b104860 version 2, little-endian
//! (C706 chapter 14, MS-RPCE 2.2.5).
//!
//! Values are written in two passes, as NDR orders them: the inline part
//! of a value ([`Ndr::encode_scalars`], with referent IDs for its pointers),
//! then the pointees it defers ([`Ndr::encode_buffers`]). Decoding mirrors
//! this. Generated code implements [`Ndr`] for every IDL type; the helpers
//! here are what it calls.

mod decode;
mod encode;
mod error;
mod full;
mod handle;
mod string;
pub mod wire;

pub use decode::{Decoder, MAX_DEPTH};
pub use encode::{Encoder, FIRST_REFERENT};
pub use error::{Error, ErrorKind, Result};
pub use handle::ContextHandle;
// The generated code's declaration macros, where it finds the rest of NDR.
pub use crate::{context_handle, ndr_enum};
pub use string::{AString, WString};

/// A type with an NDR20 representation.
pub trait Ndr: Sized {
    /// Alignment of the inline part: the largest of its members'.
    const ALIGN: usize;

    /// Whether values may have deferred pointees, so that the buffer pass
    /// over an array of them is worth making. `true` unless known otherwise.
    const HAS_BUFFERS: bool = true;

    /// The fewest bytes the inline part takes on the wire (at least 1):
    /// a count of these is checked against the bytes left before the
    /// elements are allocated.
    const WIRE_MIN: usize = 1;

    /// Writes the inline part, with a referent ID for each embedded pointer.
    fn encode_scalars(&self, e: &mut Encoder) -> Result<()>;

    /// Writes the pointees of embedded pointers, in NDR's deferred order.
    fn encode_buffers(&self, _e: &mut Encoder) -> Result<()> {
        Ok(())
    }

    /// Reads the inline part. A non-null embedded pointer comes back holding
    /// a [`Ndr::placeholder`], which [`Ndr::decode_buffers`] replaces.
    fn decode_scalars(d: &mut Decoder<'_>) -> Result<Self>;

    /// Reads the pointees the inline part referred to.
    fn decode_buffers(&mut self, _d: &mut Decoder<'_>) -> Result<()> {
        Ok(())
    }

    /// Any value of the type, cheap to make: it stands in for a pointee
    /// between the two decoding passes, and is never seen after them.
    #[doc(hidden)]
    fn placeholder() -> Self;

    /// For a conformant struct: the max_count its array needs, which NDR
    /// moves to the front of the outermost struct that contains it.
    fn conformance(&self) -> Option<usize> {
        None
    }

    /// The inline part without the leading max_count, which an enclosing
    /// conformant struct has written already.
    fn encode_scalars_hoisted(&self, e: &mut Encoder) -> Result<()> {
        self.encode_scalars(e)
    }

    /// The inline part when the enclosing struct has read the max_count.
    fn decode_scalars_hoisted(d: &mut Decoder<'_>, _max: u32) -> Result<Self> {
        Self::decode_scalars(d)
    }

    /// The inline parts of array elements, back to back (numbers override
    /// this with one copy of their bytes).
    fn encode_slice(vs: &[Self], e: &mut Encoder) -> Result<()> {
        for v in vs {
            v.encode_scalars(e)?;
        }
        Ok(())
    }

    /// Reads the inline parts of `n` array elements, once the bytes left
    /// show that many can follow.
    fn decode_vec(d: &mut Decoder<'_>, n: usize) -> Result<Vec<Self>> {
        let n = d.check_count(n as u64, Self::WIRE_MIN)?;
        (0..n).map(|_| Self::decode_scalars(d)).collect()
    }
}

/// Marshals `v` as one top-level parameter: its inline part, then its
/// deferred pointees.
///
/// # Panics
///
/// If an array holds more than `u32::MAX` elements, which NDR20 cannot
/// count; [`try_to_bytes`] returns that as an error instead.
pub fn to_bytes<T: Ndr>(v: &T) -> Vec<u8> {
    match try_to_bytes(v) {
        Ok(b) => b,
        Err(e) => panic!("cannot marshal: {e}"),
    }
}

/// [`to_bytes`], returning an error for counts NDR20 cannot express.
pub fn try_to_bytes<T: Ndr>(v: &T) -> Result<Vec<u8>> {
    let mut e = Encoder::new();
    v.encode_scalars(&mut e)?;
    v.encode_buffers(&mut e)?;
    Ok(e.into_bytes())
}

/// Stub data decoded as a named type, by a `decode_by_name` of generated
/// code (what `msidl ndr decode` prints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The value, printed with `{:#?}`.
    pub text: String,
    /// The value encoded again, by this runtime.
    pub again: Vec<u8>,
    /// Whether `again` decodes to the same value: the check that counts.
    /// The bytes may still differ from the input's where NDR leaves them
    /// to the encoder (padding, referent ids).
    pub same_value: bool,
}

/// Decodes `bytes` as a `T` and checks it survives a round trip.
pub fn decode_named<T: Ndr + std::fmt::Debug + PartialEq>(bytes: &[u8]) -> Result<Decoded> {
    let value: T = from_bytes(bytes)?;
    let again = try_to_bytes(&value)?;
    let same_value = from_bytes::<T>(&again).is_ok_and(|v| v == value);
    Ok(Decoded {
        text: format!("{value:#?}"),
        again,
        same_value,
    })
}

/// [`from_bytes`] with the values outside `bytes` that its bounds name (a
/// response's request), checked as they are read.
pub fn from_bytes_in<T: Ndr>(bytes: &[u8], context: &[i128]) -> Result<T> {
    let mut d = Decoder::with_context(bytes, context);
    let v = decode_pointee(&mut d)?;
    d.finish()?;
    Ok(v)
}

/// Unmarshals a `T` that fills `bytes`, allowing only alignment padding after it.
pub fn from_bytes<T: Ndr>(bytes: &[u8]) -> Result<T> {
    let mut d = Decoder::new(bytes);
    let v = decode_pointee(&mut d)?;
    d.finish()?;
    Ok(v)
}

/// Writes a pointee (or a top-level value): aligned, inline part, buffers.
///
/// Every type aligns its own inline part, so nothing is aligned here: a
/// conformant struct puts its max_count at a 4-byte boundary and only then
/// aligns its members, the order pidl-generated marshalers use.
pub fn encode_pointee<T: Ndr>(e: &mut Encoder, v: &T) -> Result<()> {
    v.encode_scalars(e)?;
    v.encode_buffers(e)
}

/// Reads a pointee (or a top-level value), bounding how deep pointees nest.
pub fn decode_pointee<T: Ndr>(d: &mut Decoder<'_>) -> Result<T> {
    d.nested(|d| {
        let mut v = T::decode_scalars(d)?;
        v.decode_buffers(d)?;
        Ok(v)
    })
}

/// Checks a decoded value against `[range(min, max)]`.
pub fn check_range(d: &Decoder<'_>, value: i128, min: i128, max: i128) -> Result<()> {
    if value < min || value > max {
        return Err(d.error(ErrorKind::Range { value, min, max }));
    }
    Ok(())
}

/// Reads the offset and actual count of a varying array whose maximum is
/// `max`, checking that they fit unless consistency checks are off.
pub fn decode_variance(d: &mut Decoder<'_>, max: u64, check: bool) -> Result<(u32, u32)> {
    let offset = d.count()?;
    let actual = d.count()?;
    if check && u64::from(offset) + u64::from(actual) > max {
        return Err(d.error(ErrorKind::VarianceOutOfBounds {
            offset: offset.into(),
            actual: actual.into(),
            max,
        }));
    }
    Ok((offset, actual))
}

/// Checks that a count taken from the data agrees with the field that
/// correlates with it (`size_is(n)`: `n` must equal the array's length).
pub fn check_correlation(
    d: &Decoder<'_>,
    what: &'static str,
    expected: u64,
    found: u64,
) -> Result<()> {
    if expected != found {
        return Err(d.error(ErrorKind::Mismatch {
            what,
            expected,
            found,
        }));
    }
    Ok(())
}

/// `n`, or 1 if it is 0: a least wire size to divide the bytes left by.
pub const fn at_least_one(n: usize) -> usize {
    if n == 0 {
        1
    } else {
        n
    }
}

/// The largest of `aligns`: a struct's alignment from its members'.
pub const fn max_align(aligns: &[usize]) -> usize {
    let mut m = 1;
    let mut i = 0;
    while i < aligns.len() {
        if aligns[i] > m {
            m = aligns[i];
        }
        i += 1;
    }
    m
}

macro_rules! primitive {
    ($($ty:ty => $put:ident, $get:ident, $puts:ident, $gets:ident);* $(;)?) => {$(
        impl Ndr for $ty {
            const ALIGN: usize = std::mem::size_of::<$ty>();
            const HAS_BUFFERS: bool = false;
            const WIRE_MIN: usize = std::mem::size_of::<$ty>();
            #[inline]
            fn encode_scalars(&self, e: &mut Encoder) -> Result<()> {
                e.$put(*self);
                Ok(())
            }
            #[inline]
            fn decode_scalars(d: &mut Decoder<'_>) -> Result<Self> {
                d.$get()
            }
            fn placeholder() -> Self {
                Self::default()
            }
            #[inline]
            fn encode_slice(vs: &[Self], e: &mut Encoder) -> Result<()> {
                e.$puts(vs);
                Ok(())
            }
            #[inline]
            fn decode_vec(d: &mut Decoder<'_>, n: usize) -> Result<Vec<Self>> {
                d.$gets(n)
            }
        }
    )*};
}

primitive! {
    u8 => u8, u8, bytes, byte_vec; i8 => i8, i8, i8s, i8s;
    u16 => u16, u16, u16s, u16s; i16 => i16, i16, i16s, i16s;
    u32 => u32, u32, u32s, u32s; i32 => i32, i32, i32s, i32s;
    u64 => u64, u64, u64s, u64s; i64 => i64, i64, i64s, i64s;
    f32 => f32, f32, f32s, f32s; f64 => f64, f64, f64s, f64s;
    bool => boolean, boolean, booleans, booleans;
}

/// GUIDs: `Data1`, `Data2`, `Data3` little-endian, `Data4` as bytes.
impl Ndr for uuid::Uuid {
    const ALIGN: usize = 4;
    const HAS_BUFFERS: bool = false;
    const WIRE_MIN: usize = 16;
    #[inline]
    fn encode_scalars(&self, e: &mut Encoder) -> Result<()> {
        e.guid(self);
        Ok(())
    }
    #[inline]
    fn decode_scalars(d: &mut Decoder<'_>) -> Result<Self> {
        d.guid()
    }
    fn placeholder() -> Self {
        uuid::Uuid::nil()
    }
}
