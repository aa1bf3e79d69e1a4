//! Typed NDR errors: what was wrong, and the byte offset where it was found.

/// A decoding or encoding failure at `offset` bytes into the stub data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("NDR error at byte {offset}: {kind}")]
pub struct Error {
    /// Where in the stub data: the read position when decoding, the
    /// length written so far when encoding.
    pub offset: usize,
    /// What was wrong.
    pub kind: ErrorKind,
}

/// What was wrong with a value or its bytes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The bytes end before a read does.
    #[error("needed {needed} more bytes, but only {remaining} remain")]
    Truncated {
        /// The bytes the read needed.
        needed: usize,
        /// The bytes that were left.
        remaining: usize,
    },
    /// A count from the data promises more elements than the bytes left
    /// can hold; refused before anything is allocated for them.
    #[error(
        "{count} elements of {elem_size} bytes cannot fit in the {remaining} bytes that remain"
    )]
    CountTooLarge {
        /// The count read.
        count: u64,
        /// The smallest size an element can have on the wire.
        elem_size: usize,
        /// The bytes left, less those earlier counts promised.
        remaining: usize,
    },
    /// Two values that must agree do not: a `size_is` and an array's
    /// length, a union's `switch_is` and its discriminant, and the like.
    #[error("{what}: expected {expected}, found {found}")]
    Mismatch {
        /// Which check failed.
        what: &'static str,
        /// The value required.
        expected: u64,
        /// The value found.
        found: u64,
    },
    /// A varying array's offset and actual count run past its maximum
    /// count.
    #[error("offset {offset} plus actual_count {actual} exceeds max_count {max}")]
    VarianceOutOfBounds {
        /// The offset read.
        offset: u64,
        /// The actual count read.
        actual: u64,
        /// The maximum count.
        max: u64,
    },
    /// A value outside its `[range(min, max)]`.
    #[error("{value} is outside the range [{min}, {max}]")]
    Range {
        /// The value.
        value: i128,
        /// The range's lower bound.
        min: i128,
        /// The range's upper bound.
        max: i128,
    },
    /// A `[ref]` pointer arrived as null.
    #[error("a [ref] pointer is null")]
    NullRef,
    /// A union's discriminant selects no arm, and the union has no default.
    #[error("no union arm for discriminant {0}")]
    BadDiscriminant(i64),
    /// A `[string]` does not end with its terminator.
    #[error("a [string] is not terminated")]
    Unterminated,
    /// Pointees nest deeper than the limit ([`MAX_DEPTH`](crate::ndr::MAX_DEPTH)).
    #[error("pointers nested more than {0} deep")]
    TooDeep(u32),
    /// Bytes other than alignment padding follow the value.
    #[error("{0} bytes follow the value")]
    TrailingBytes(usize),
    /// A `[ptr]` referent is reached again while it is being read.
    #[error("full pointer referent {0:#x} contains itself")]
    CyclicReferent(u32),
    /// One `[ptr]` referent ID is used for values of two different types.
    #[error("full pointer referent {0:#x} is used for two different types")]
    ReferentTypeMismatch(u32),
    /// A length too large for the 32-bit count NDR20 sends, or for the
    /// IDL field that carries it.
    #[error("{0} does not fit in the 32-bit count NDR20 sends")]
    CountOverflow(usize),
}

/// An NDR result.
pub type Result<T> = std::result::Result<T, Error>;
