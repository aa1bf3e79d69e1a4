//! Writing NDR20, little-endian, with alignment measured from the start of
//! the stub data.

use super::error::{Error, ErrorKind, Result};
use super::full::EncodeTable;

/// The first referent ID Windows uses; each new one adds 4.
pub const FIRST_REFERENT: u32 = 0x0002_0000;

/// Writes NDR20 stub data, handing out referent IDs as Windows does and
/// remembering the `[ptr]` referents written.
#[derive(Debug)]
pub struct Encoder {
    buf: Vec<u8>,
    next_referent: u32,
    pub(super) full: EncodeTable,
}

macro_rules! put {
    ($($name:ident: $ty:ty),* $(,)?) => {$(
        #[doc = concat!("Writes a `", stringify!($ty), "` at its natural alignment.")]
        #[inline]
        pub fn $name(&mut self, v: $ty) {
            self.align(std::mem::size_of::<$ty>());
            self.buf.extend_from_slice(&v.to_le_bytes());
        }
    )*};
}

macro_rules! put_slice {
    ($($name:ident: $ty:ty),* $(,)?) => {$(
        #[doc = concat!("Writes `", stringify!($ty), "` elements back to back, aligned once.")]
                pub fn $name(&mut self, v: &[$ty]) {
            const N: usize = std::mem::size_of::<$ty>();
            self.align(N);
            if cfg!(target_endian = "little") {
                // In memory the elements already are their wire bytes.
                self.buf.extend_from_slice(bytemuck::cast_slice(v));
                return;
            }
            // Grow once, then fill fixed-size chunks: the compiler turns
            // this into wide moves, where pushing element by element is
            // several times slower (see BENCHMARKS.md).
            let start = self.buf.len();
            self.buf.resize(start + N * v.len(), 0);
            for (dst, x) in self.buf[start..].chunks_exact_mut(N).zip(v) {
                dst.copy_from_slice(&x.to_le_bytes());
            }
        }
    )*};
}

// Not derived: a derived default would start referent IDs at 0, which is null.
impl Default for Encoder {
    fn default() -> Encoder {
        Encoder::new()
    }
}

impl Encoder {
    /// An empty encoder whose first referent ID is [`FIRST_REFERENT`].
    pub fn new() -> Encoder {
        Encoder {
            buf: Vec::new(),
            next_referent: FIRST_REFERENT,
            full: EncodeTable::default(),
        }
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// The bytes written so far.
    #[inline]
    pub fn position(&self) -> usize {
        self.buf.len()
    }

    /// Pads with zeros to a multiple of `n` (a power of two) from the start.
    #[inline]
    pub fn align(&mut self, n: usize) {
        let pad = self.buf.len().wrapping_neg() & (n - 1);
        self.buf.resize(self.buf.len() + pad, 0);
    }

    put!(u8: u8, i8: i8, u16: u16, i16: i16, u32: u32, i32: i32, u64: u64, i64: i64, f32: f32, f64: f64);
    put_slice!(u16s: u16, i16s: i16, u32s: u32, i32s: i32, u64s: u64, i64s: i64, f32s: f32, f64s: f64);

    /// Raw bytes, no alignment: `byte` arrays and already-encoded data.
    #[inline]
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Signed bytes, no alignment.
    #[inline]
    pub fn i8s(&mut self, v: &[i8]) {
        self.buf.extend(v.iter().map(|&b| b as u8));
    }

    /// Booleans, a byte each.
    #[inline]
    pub fn booleans(&mut self, v: &[bool]) {
        self.buf.extend(v.iter().map(|&b| u8::from(b)));
    }

    /// NDR's boolean: one byte, 0 or 1.
    #[inline]
    pub fn boolean(&mut self, v: bool) {
        self.buf.push(u8::from(v));
    }

    /// A conformance, variance or count: 32 bits in NDR20.
    #[inline]
    pub fn count(&mut self, n: usize) -> Result<()> {
        let v = u32::try_from(n).map_err(|_| self.error(ErrorKind::CountOverflow(n)))?;
        self.u32(v);
        Ok(())
    }

    /// A pointer's referent ID: 0 for null, otherwise a fresh one.
    #[inline]
    pub fn referent(&mut self, present: bool) -> u32 {
        let id = if present { self.next_referent() } else { 0 };
        self.u32(id);
        id
    }

    #[inline]
    pub(super) fn next_referent(&mut self) -> u32 {
        let id = self.next_referent;
        self.next_referent = self.next_referent.wrapping_add(4);
        id
    }

    /// A GUID in its mixed-endian wire form.
    #[inline]
    pub fn guid(&mut self, g: &uuid::Uuid) {
        self.align(4);
        self.buf.extend_from_slice(&g.to_bytes_le());
    }

    /// A length that does not fit the IDL field that carries it.
    pub fn count_overflow(&self, n: usize) -> Error {
        self.error(ErrorKind::CountOverflow(n))
    }

    /// A value outside its `[range(min, max)]`.
    pub fn range(&self, value: i128, min: i128, max: i128) -> Error {
        self.error(ErrorKind::Range { value, min, max })
    }

    /// Two arrays sized by the same field hold different numbers of elements.
    pub fn mismatch(&self, what: &'static str, expected: usize, found: usize) -> Error {
        self.error(ErrorKind::Mismatch {
            what,
            expected: expected as u64,
            found: found as u64,
        })
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error {
            offset: self.buf.len(),
            kind,
        }
    }
}
