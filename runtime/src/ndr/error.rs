//! Typed NDR errors: what was wrong, and the byte offset where it was found.

/// A decoding or encoding failure at `offset` bytes into the stub data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("NDR error at byte {offset}: {kind}")]
pub struct Error {
    pub offset: usize,
    pub kind: ErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    #[error("needed {needed} more bytes, but only {remaining} remain")]
    Truncated { needed: usize, remaining: usize },
    #[error(
        "{count} elements of {elem_size} bytes cannot fit in the {remaining} bytes that remain"
    )]
    CountTooLarge {
        count: u64,
        elem_size: usize,
        remaining: usize,
    },
    #[error("{what}: expected {expected}, found {found}")]
    Mismatch {
        what: &'static str,
        expected: u64,
        found: u64,
    },
    #[error("offset {offset} plus actual_count {actual} exceeds max_count {max}")]
    VarianceOutOfBounds { offset: u64, actual: u64, max: u64 },
    #[error("{value} is outside the range [{min}, {max}]")]
    Range { value: i128, min: i128, max: i128 },
    #[error("a [ref] pointer is null")]
    NullRef,
    #[error("no union arm for discriminant {0}")]
    BadDiscriminant(i64),
    #[error("a [string] is not terminated")]
    Unterminated,
    #[error("pointers nested more than {0} deep")]
    TooDeep(u32),
    #[error("{0} bytes follow the value")]
    TrailingBytes(usize),
    #[error("full pointer referent {0:#x} contains itself")]
    CyclicReferent(u32),
    #[error("full pointer referent {0:#x} is used for two different types")]
    ReferentTypeMismatch(u32),
    #[error("{0} does not fit in the 32-bit count NDR20 sends")]
    CountOverflow(usize),
}

pub type Result<T> = std::result::Result<T, Error>;
