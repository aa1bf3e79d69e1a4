//! Reading NDR20 from untrusted bytes: every read is bounds-checked, every
//! count is checked against the bytes left before anything is allocated.

use super::error::{Error, ErrorKind, Result};
use super::full::DecodeTable;

/// How deep pointers may nest before decoding gives up.
pub const MAX_DEPTH: u32 = 256;

/// Reads NDR20 stub data, tracking the position (for alignment and error
/// offsets), how deep pointees nest, and the `[ptr]` referents seen.
#[derive(Debug)]
pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: u32,
    /// Bytes that pointees announced but not yet read must still occupy.
    promised: usize,
    pub(super) full: DecodeTable,
    /// Values from outside the bytes that bounds in them name: a
    /// response's decoder holds its request's (`[out, size_is(n)]`).
    context: Vec<i128>,
}

macro_rules! get {
    ($($name:ident: $ty:ty),* $(,)?) => {$(
        #[doc = concat!("Reads a `", stringify!($ty), "` at its natural alignment.")]
        #[inline]
        pub fn $name(&mut self) -> Result<$ty> {
            const N: usize = std::mem::size_of::<$ty>();
            self.align(N)?;
            let b = self.take(N)?;
            let mut a = [0u8; N];
            a.copy_from_slice(b);
            Ok(<$ty>::from_le_bytes(a))
        }
    )*};
}

macro_rules! get_vec {
    ($($name:ident: $ty:ty),* $(,)?) => {$(
        #[doc = concat!("Reads `n` `", stringify!($ty), "` elements, aligned once.")]
        pub fn $name(&mut self, n: usize) -> Result<Vec<$ty>> {
            const N: usize = std::mem::size_of::<$ty>();
            self.align(N)?;
            self.check_count(n as u64, N)?;
            let b = self.take(n * N)?;
            Ok(b.chunks_exact(N).map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                <$ty>::from_le_bytes(a)
            }).collect())
        }
    )*};
}

impl<'a> Decoder<'a> {
    /// A decoder at the start of `buf`, whose alignment is measured from it.
    pub fn new(buf: &'a [u8]) -> Decoder<'a> {
        Decoder {
            buf,
            pos: 0,
            depth: 0,
            promised: 0,
            full: DecodeTable::default(),
            context: Vec::new(),
        }
    }

    /// A decoder that knows `context`, the request values a response's
    /// bounds name, so that it checks them as it reads.
    pub fn with_context(buf: &'a [u8], context: &[i128]) -> Decoder<'a> {
        Decoder {
            context: context.to_vec(),
            ..Decoder::new(buf)
        }
    }

    /// The values [`Decoder::with_context`] gave; empty otherwise.
    pub fn context(&self) -> &[i128] {
        &self.context
    }

    /// The bytes read so far.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The bytes not yet read.
    #[inline]
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// An error of `kind` at the current position.
    pub fn error(&self, kind: ErrorKind) -> Error {
        Error {
            offset: self.pos,
            kind,
        }
    }

    #[inline]
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.error(ErrorKind::Truncated {
                needed: n,
                remaining: self.remaining(),
            }));
        }
        let b = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(b)
    }

    /// Skips padding to a multiple of `n` (a power of two) from the start.
    #[inline]
    pub fn align(&mut self, n: usize) -> Result<()> {
        let pad = self.pos.wrapping_neg() & (n - 1);
        self.take(pad).map(|_| ())
    }

    get!(u8: u8, i8: i8, u16: u16, i16: i16, u32: u32, i32: i32, u64: u64, i64: i64, f32: f32, f64: f64);
    get_vec!(u16s: u16, i16s: i16, u32s: u32, i32s: i32, u64s: u64, i64s: i64, f32s: f32, f64s: f64);

    /// `n` bytes, copied out: a `byte` array's elements.
    pub fn byte_vec(&mut self, n: usize) -> Result<Vec<u8>> {
        Ok(self.take(n)?.to_vec())
    }

    /// `n` signed bytes.
    pub fn i8s(&mut self, n: usize) -> Result<Vec<i8>> {
        Ok(self.take(n)?.iter().map(|&b| b as i8).collect())
    }

    /// `n` booleans, any non-zero byte true.
    pub fn booleans(&mut self, n: usize) -> Result<Vec<bool>> {
        Ok(self.take(n)?.iter().map(|&b| b != 0).collect())
    }

    /// `n` raw bytes, no alignment.
    #[inline]
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        self.take(n)
    }

    /// NDR's boolean: any non-zero byte is true, as Windows reads it.
    #[inline]
    pub fn boolean(&mut self) -> Result<bool> {
        Ok(self.u8()? != 0)
    }

    /// A conformance, variance or count.
    #[inline]
    pub fn count(&mut self) -> Result<u32> {
        self.u32()
    }

    /// Fails unless `count` elements of at least `elem_size` bytes each can
    /// still be in the buffer: call it before allocating for them.
    #[inline]
    pub fn check_count(&self, count: u64, elem_size: usize) -> Result<usize> {
        let remaining = self.remaining();
        let fits = usize::try_from(count)
            .ok()
            .and_then(|c| c.checked_mul(elem_size.max(1)))
            .is_some_and(|bytes| bytes <= remaining);
        if !fits {
            return Err(self.error(ErrorKind::CountTooLarge {
                count,
                elem_size,
                remaining,
            }));
        }
        Ok(count as usize)
    }

    /// A referent ID: `None` for a null pointer.
    #[inline]
    pub fn referent(&mut self) -> Result<Option<u32>> {
        Ok(Some(self.u32()?).filter(|&id| id != 0))
    }

    /// A GUID in its mixed-endian wire form.
    #[inline]
    pub fn guid(&mut self) -> Result<uuid::Uuid> {
        self.align(4)?;
        let b = self.take(16)?;
        let mut a = [0u8; 16];
        a.copy_from_slice(b);
        Ok(uuid::Uuid::from_bytes_le(a))
    }

    /// Enters a pointee; fails past [`MAX_DEPTH`] levels, so hostile input
    /// cannot recurse the stack away. Pair with [`Decoder::leave`].
    #[inline]
    pub fn enter(&mut self) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(ErrorKind::TooDeep(MAX_DEPTH)));
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves a pointee that [`Decoder::enter`] entered.
    #[inline]
    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Runs `f` one pointee deeper, and comes back up however `f` ends.
    #[inline]
    pub fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.enter()?;
        let r = f(self);
        self.leave();
        r
    }

    /// Notes that `count` elements of at least `elem_size` bytes will be
    /// read later (a deferred array whose count is already known), failing
    /// if they and every earlier such promise cannot fit in what is left.
    /// This keeps placeholders made ahead of time in proportion to the input.
    pub fn promise(&mut self, count: u64, elem_size: usize) -> Result<usize> {
        let n = self.check_count(count, elem_size)?;
        let bytes = n * elem_size.max(1);
        let total = self.promised.saturating_add(bytes);
        if total > self.remaining() {
            return Err(self.error(ErrorKind::CountTooLarge {
                count,
                elem_size,
                remaining: self.remaining().saturating_sub(self.promised),
            }));
        }
        self.promised = total;
        Ok(n)
    }

    /// Releases a promise once its elements are read.
    pub fn fulfil(&mut self, count: usize, elem_size: usize) {
        self.promised = self
            .promised
            .saturating_sub(count.saturating_mul(elem_size.max(1)));
    }

    /// Succeeds if only alignment padding (fewer than 8 zero bytes) is left.
    pub fn finish(&self) -> Result<()> {
        let rest = &self.buf[self.pos..];
        if rest.len() < 8 && rest.iter().all(|&b| b == 0) {
            Ok(())
        } else {
            Err(self.error(ErrorKind::TrailingBytes(rest.len())))
        }
    }
}
