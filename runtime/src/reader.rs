//! A bounds-checked little-endian reader over untrusted bytes, for the
//! layouts that are not NDR (PDU headers and bodies, OBJREFs, the error
//! object): every read checks what is left, and running out is a typed
//! error that names the structure being read, never a panic.

use uuid::Uuid;

/// The bytes end inside `part`, `at` bytes in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Truncated {
    /// The structure being read, as set by [`Reader::part`].
    pub part: &'static str,
    /// The offset of the read that did not fit.
    pub at: usize,
}

/// Reads little-endian values from the front of a byte slice.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    part: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`, which alignment is measured from,
    /// reading `part`.
    pub fn new(bytes: &'a [u8], part: &'static str) -> Reader<'a> {
        Reader {
            bytes,
            pos: 0,
            part,
        }
    }

    /// Names the structure the next reads belong to, for their errors.
    pub fn part(&mut self, part: &'static str) -> &mut Reader<'a> {
        self.part = part;
        self
    }

    /// The bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// What is left, without reading it.
    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos..]
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Truncated> {
        let truncated = Truncated {
            part: self.part,
            at: self.pos,
        };
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or(truncated)?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Result<(), Truncated> {
        self.take(n).map(|_| ())
    }

    /// Skips to a multiple of `n` (a power of two) from the start.
    pub fn align(&mut self, n: usize) -> Result<(), Truncated> {
        self.skip(self.pos.wrapping_neg() & (n - 1))
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Truncated> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub fn u8(&mut self) -> Result<u8, Truncated> {
        Ok(self.take(1)?[0])
    }

    pub fn u16(&mut self) -> Result<u16, Truncated> {
        self.array().map(u16::from_le_bytes)
    }

    pub fn u32(&mut self) -> Result<u32, Truncated> {
        self.array().map(u32::from_le_bytes)
    }

    pub fn u64(&mut self) -> Result<u64, Truncated> {
        self.array().map(u64::from_le_bytes)
    }

    /// A GUID in its little-endian wire form.
    pub fn guid(&mut self) -> Result<Uuid, Truncated> {
        self.array().map(Uuid::from_bytes_le)
    }

    /// `n` u16 units, such as UTF-16 text; checked against the bytes left
    /// before anything is allocated.
    pub fn u16s(&mut self, n: usize) -> Result<Vec<u16>, Truncated> {
        let at = self.pos;
        let bytes = n
            .checked_mul(2)
            .ok_or(Truncated {
                part: self.part,
                at,
            })
            .and_then(|len| self.take(len))?;
        Ok(bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_little_endian_in_order() {
        let mut r = Reader::new(&[1, 2, 0, 3, 0, 0, 0, 9], "test");
        assert_eq!(r.u8(), Ok(1));
        assert_eq!(r.u16(), Ok(2));
        assert_eq!(r.u32(), Ok(3));
        assert_eq!(r.rest(), [9]);
    }

    #[test]
    fn running_out_names_the_part_and_the_offset() {
        let mut r = Reader::new(&[0; 6], "header");
        r.u32().expect("four bytes");
        r.part("body");
        assert_eq!(
            r.u32(),
            Err(Truncated {
                part: "body",
                at: 4
            })
        );
        // A failed read consumes nothing.
        assert_eq!(r.remaining(), 2);
        assert!(r.u16s(usize::MAX).is_err());
        assert!(r.take(usize::MAX).is_err());
    }

    #[test]
    fn alignment_is_measured_from_the_start() {
        let mut r = Reader::new(&[0; 8], "test");
        r.u8().expect("a byte");
        r.align(4).expect("pads");
        assert_eq!(r.remaining(), 4);
        r.align(4).expect("aligned already");
        assert_eq!(r.remaining(), 4);
    }
}
