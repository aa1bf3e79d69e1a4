//! NDR levels as types: how one field, parameter or element travels.
//!
//! A field's levels, outermost first (pidl's model), are written as nested
//! shape types: `[size_is(n)] long *p` (a unique pointer to a conformant
//! array of longs) is `Unique<Conformant<i32>>`, whose value is
//! `Option<Vec<i32>>`. Every [`Ndr`] type is a shape of itself. Generated
//! code calls [`put`]/[`put_deferred`] and [`get`]/[`get_deferred`] with
//! the shape of each field, so one generic walk here serves every field of
//! every type instead of a loop written out for each.
//!
//! What the correlations of a field say (`size_is`, `length_is`,
//! `first_is`, one [`Bound`] per array level, outermost first) is computed
//! by the generated code and passed in: the encoder checks the value
//! against it, the decoder checks the wire against it.

use std::marker::PhantomData;
use std::sync::Arc;

use super::{decode_variance, AString, Decoder, Encoder, ErrorKind, Ndr, Result, WString};

/// What a correlation says of one array level; `None` where nothing does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bound {
    /// The conformance (max_count): `size_is`, `max_is`.
    pub max: Option<u64>,
    /// The first element sent: `first_is`.
    pub offset: Option<u64>,
    /// The elements sent: `length_is`, `last_is`, or a conformant array's
    /// `size_is`.
    pub len: Option<u64>,
}

impl Bound {
    /// Nothing known.
    pub const NONE: Bound = Bound {
        max: None,
        offset: None,
        len: None,
    };

    /// A conformant array of exactly `n` elements.
    pub fn size(n: impl TryInto<u64>) -> Bound {
        let n = n.try_into().ok().or(Some(u64::MAX));
        Bound {
            max: n,
            offset: None,
            len: n,
        }
    }
}

/// The bound of the outermost level, and the rest for the levels inside.
fn split(b: &[Bound]) -> (Bound, &[Bound]) {
    match b.split_first() {
        Some((first, rest)) => (*first, rest),
        None => (Bound::NONE, &[]),
    }
}

/// A correlation value as a count: a negative or oversized one cannot be
/// satisfied, and becomes `u64::MAX` so that every comparison fails.
pub fn count(v: i128) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

/// How one value travels: its Rust form and its two NDR passes.
pub trait Wire {
    /// The Rust value.
    type Value;
    /// What a pointer to it holds: a `Box` for data, the value itself for
    /// arrays and strings, which live on the heap already.
    type Heap;
    /// Alignment of the inline part.
    const ALIGN: usize;
    /// The fewest bytes the inline part takes (at least 1).
    const WIRE_MIN: usize;
    /// Whether values may have deferred pointees.
    const HAS_BUFFERS: bool;

    /// Writes the inline part, with referent IDs for pointers.
    fn put(v: &Self::Value, e: &mut Encoder, b: &[Bound]) -> Result<()>;
    /// Writes the deferred pointees.
    fn put_deferred(_v: &Self::Value, _e: &mut Encoder, _b: &[Bound]) -> Result<()> {
        Ok(())
    }
    /// Writes several values back to back, as array elements.
    fn put_all(vs: &[Self::Value], e: &mut Encoder, b: &[Bound]) -> Result<()> {
        for v in vs {
            Self::put(v, e, b)?;
        }
        Ok(())
    }
    /// Reads the inline part; pointers come back holding placeholders.
    fn get(d: &mut Decoder<'_>, b: &[Bound]) -> Result<Self::Value>;
    /// Reads the deferred pointees into the placeholders.
    fn get_deferred(_v: &mut Self::Value, _d: &mut Decoder<'_>, _b: &[Bound]) -> Result<()> {
        Ok(())
    }
    /// Reads `n` values back to back, as array elements.
    fn get_all(d: &mut Decoder<'_>, n: usize, b: &[Bound]) -> Result<Vec<Self::Value>> {
        let n = d.check_count(n as u64, Self::WIRE_MIN)?;
        (0..n).map(|_| Self::get(d, b)).collect()
    }
    /// A value to stand in for a pointee between the two passes.
    fn placeholder() -> Self::Value;
    /// The value, as a pointer holds it.
    fn into_heap(v: Self::Value) -> Self::Heap;
    /// The value a pointer holds.
    fn heap(h: &Self::Heap) -> &Self::Value;
    /// The value a pointer holds, to fill in.
    fn heap_mut(h: &mut Self::Heap) -> &mut Self::Value;
}

/// Writes the inline part of `v` as shape `S`.
#[inline]
pub fn put<S: Wire>(e: &mut Encoder, v: &S::Value, b: &[Bound]) -> Result<()> {
    S::put(v, e, b)
}

/// Writes the deferred part of `v` as shape `S`.
#[inline]
pub fn put_deferred<S: Wire>(e: &mut Encoder, v: &S::Value, b: &[Bound]) -> Result<()> {
    S::put_deferred(v, e, b)
}

/// Writes `v` whole: a top-level parameter, or a pointee.
#[inline]
pub fn put_whole<S: Wire>(e: &mut Encoder, v: &S::Value, b: &[Bound]) -> Result<()> {
    S::put(v, e, b)?;
    S::put_deferred(v, e, b)
}

/// Reads the inline part of a value of shape `S`.
#[inline]
pub fn get<S: Wire>(d: &mut Decoder<'_>, b: &[Bound]) -> Result<S::Value> {
    S::get(d, b)
}

/// Reads the deferred part of `v`, of shape `S`.
#[inline]
pub fn get_deferred<S: Wire>(d: &mut Decoder<'_>, v: &mut S::Value, b: &[Bound]) -> Result<()> {
    S::get_deferred(v, d, b)
}

/// A placeholder of shape `S`, for generated `Ndr::placeholder`s.
pub fn placeholder<S: Wire>() -> S::Value {
    S::placeholder()
}

/// Reads a value of shape `S` whole, one pointee deeper.
#[inline]
pub fn get_whole<S: Wire>(d: &mut Decoder<'_>, b: &[Bound]) -> Result<S::Value> {
    d.nested(|d| {
        let mut v = S::get(d, b)?;
        S::get_deferred(&mut v, d, b)?;
        Ok(v)
    })
}

impl<T: Ndr> Wire for T {
    type Value = T;
    type Heap = Box<T>;
    const ALIGN: usize = T::ALIGN;
    const WIRE_MIN: usize = T::WIRE_MIN;
    const HAS_BUFFERS: bool = T::HAS_BUFFERS;

    #[inline]
    fn put(v: &T, e: &mut Encoder, _: &[Bound]) -> Result<()> {
        v.encode_scalars(e)
    }
    #[inline]
    fn put_deferred(v: &T, e: &mut Encoder, _: &[Bound]) -> Result<()> {
        if T::HAS_BUFFERS {
            v.encode_buffers(e)?;
        }
        Ok(())
    }
    #[inline]
    fn put_all(vs: &[T], e: &mut Encoder, _: &[Bound]) -> Result<()> {
        T::encode_slice(vs, e)
    }
    #[inline]
    fn get(d: &mut Decoder<'_>, _: &[Bound]) -> Result<T> {
        T::decode_scalars(d)
    }
    #[inline]
    fn get_deferred(v: &mut T, d: &mut Decoder<'_>, _: &[Bound]) -> Result<()> {
        if T::HAS_BUFFERS {
            v.decode_buffers(d)?;
        }
        Ok(())
    }
    #[inline]
    fn get_all(d: &mut Decoder<'_>, n: usize, _: &[Bound]) -> Result<Vec<T>> {
        T::decode_vec(d, n)
    }
    fn placeholder() -> T {
        T::placeholder()
    }
    fn into_heap(v: T) -> Box<T> {
        Box::new(v)
    }
    fn heap(h: &Box<T>) -> &T {
        h
    }
    fn heap_mut(h: &mut Box<T>) -> &mut T {
        h
    }
}

/// Array elements' deferred parts, after all their inline parts.
fn put_elements_deferred<S: Wire>(vs: &[S::Value], e: &mut Encoder, b: &[Bound]) -> Result<()> {
    if S::HAS_BUFFERS {
        for v in vs {
            S::put_deferred(v, e, b)?;
        }
    }
    Ok(())
}

fn get_elements_deferred<S: Wire>(
    vs: &mut [S::Value],
    d: &mut Decoder<'_>,
    b: &[Bound],
) -> Result<()> {
    if S::HAS_BUFFERS {
        for v in vs {
            S::get_deferred(v, d, b)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- pointers

/// An embedded `[ref]` pointer: never null, its pointee deferred.
pub struct Ref<S>(PhantomData<S>);
/// A `[unique]` pointer: `None` is null.
pub struct Unique<S>(PhantomData<S>);
/// A `[ptr]` (full) pointer: clones of one `Arc` are one referent.
pub struct Full<S>(PhantomData<S>);

impl<S: Wire> Wire for Ref<S> {
    type Value = S::Heap;
    type Heap = Box<S::Heap>;
    const ALIGN: usize = 4;
    const WIRE_MIN: usize = 4;
    const HAS_BUFFERS: bool = true;

    fn put(_: &S::Heap, e: &mut Encoder, _: &[Bound]) -> Result<()> {
        e.referent(true);
        Ok(())
    }
    fn put_deferred(v: &S::Heap, e: &mut Encoder, b: &[Bound]) -> Result<()> {
        put_whole::<S>(e, S::heap(v), b)
    }
    fn get(d: &mut Decoder<'_>, _: &[Bound]) -> Result<S::Heap> {
        match d.referent()? {
            Some(_) => Ok(S::into_heap(S::placeholder())),
            None => Err(d.error(ErrorKind::NullRef)),
        }
    }
    fn get_deferred(v: &mut S::Heap, d: &mut Decoder<'_>, b: &[Bound]) -> Result<()> {
        fill::<S>(S::heap_mut(v), d, b)
    }
    fn placeholder() -> S::Heap {
        S::into_heap(S::placeholder())
    }
    fn into_heap(v: S::Heap) -> Box<S::Heap> {
        Box::new(v)
    }
    fn heap(h: &Box<S::Heap>) -> &S::Heap {
        h
    }
    fn heap_mut(h: &mut Box<S::Heap>) -> &mut S::Heap {
        h
    }
}

/// Reads a pointee into the placeholder `slot`, one level deeper.
fn fill<S: Wire>(slot: &mut S::Value, d: &mut Decoder<'_>, b: &[Bound]) -> Result<()> {
    d.nested(|d| {
        *slot = S::get(d, b)?;
        S::get_deferred(slot, d, b)
    })
}

impl<S: Wire> Wire for Unique<S> {
    type Value = Option<S::Heap>;
    type Heap = Box<Option<S::Heap>>;
    const ALIGN: usize = 4;
    const WIRE_MIN: usize = 4;
    const HAS_BUFFERS: bool = true;

    fn put(v: &Option<S::Heap>, e: &mut Encoder, _: &[Bound]) -> Result<()> {
        e.referent(v.is_some());
        Ok(())
    }
    fn put_deferred(v: &Option<S::Heap>, e: &mut Encoder, b: &[Bound]) -> Result<()> {
        match v {
            Some(v) => put_whole::<S>(e, S::heap(v), b),
            None => Ok(()),
        }
    }
    fn get(d: &mut Decoder<'_>, _: &[Bound]) -> Result<Option<S::Heap>> {
        Ok(d.referent()?.map(|_| S::into_heap(S::placeholder())))
    }
    fn get_deferred(v: &mut Option<S::Heap>, d: &mut Decoder<'_>, b: &[Bound]) -> Result<()> {
        match v {
            Some(v) => fill::<S>(S::heap_mut(v), d, b),
            None => Ok(()),
        }
    }
    fn placeholder() -> Option<S::Heap> {
        None
    }
    fn into_heap(v: Option<S::Heap>) -> Box<Option<S::Heap>> {
        Box::new(v)
    }
    fn heap(h: &Box<Option<S::Heap>>) -> &Option<S::Heap> {
        h
    }
    fn heap_mut(h: &mut Box<Option<S::Heap>>) -> &mut Option<S::Heap> {
        h
    }
}

impl<S: Wire> Wire for Full<S>
where
    S::Value: 'static,
{
    type Value = Option<Arc<S::Value>>;
    type Heap = Box<Option<Arc<S::Value>>>;
    const ALIGN: usize = 4;
    const WIRE_MIN: usize = 4;
    const HAS_BUFFERS: bool = true;

    fn put(v: &Self::Value, e: &mut Encoder, _: &[Bound]) -> Result<()> {
        e.full_referent(v.as_ref());
        Ok(())
    }
    fn put_deferred(v: &Self::Value, e: &mut Encoder, b: &[Bound]) -> Result<()> {
        match v {
            Some(p) if e.full_first(p) => put_whole::<S>(e, p, b),
            _ => Ok(()),
        }
    }
    fn get(d: &mut Decoder<'_>, _: &[Bound]) -> Result<Self::Value> {
        d.full_referent_with(S::placeholder)
    }
    fn get_deferred(v: &mut Self::Value, d: &mut Decoder<'_>, b: &[Bound]) -> Result<()> {
        match v {
            Some(p) => d.full_pointee(p, |d| get_whole::<S>(d, b)),
            None => Ok(()),
        }
    }
    fn placeholder() -> Self::Value {
        None
    }
    fn into_heap(v: Self::Value) -> Self::Heap {
        Box::new(v)
    }
    fn heap(h: &Self::Heap) -> &Self::Value {
        h
    }
    fn heap_mut(h: &mut Self::Heap) -> &mut Self::Value {
        h
    }
}

// ---------------------------------------------------------------- arrays

/// Checks a value's length against what its correlations say, on encode.
fn check_len(e: &Encoder, b: Bound, len: usize) -> Result<()> {
    match b.len {
        Some(want) if want != len as u64 => Err(e.mismatch(
            "array length against its size_is/length_is",
            usize::try_from(want).unwrap_or(usize::MAX),
            len,
        )),
        _ => Ok(()),
    }
}

/// Checks bounds read from the wire against what the correlations say.
fn check_wire(d: &Decoder<'_>, b: Bound, max: Option<u64>, offset: u64, len: u64) -> Result<()> {
    let mismatch = |what, expected: u64, found: u64| {
        Err(d.error(ErrorKind::Mismatch {
            what,
            expected,
            found,
        }))
    };
    if let (Some(want), Some(max)) = (b.max, max) {
        if want != max {
            return mismatch("max_count against its size_is", want, max);
        }
    }
    if let Some(want) = b.offset {
        if want != offset {
            return mismatch("offset against its first_is", want, offset);
        }
    }
    if let Some(want) = b.len {
        if want != len {
            return mismatch("actual_count against its size_is/length_is", want, len);
        }
    }
    Ok(())
}

macro_rules! heap_is_value {
    () => {
        fn into_heap(v: Self::Value) -> Self::Value {
            v
        }
        fn heap(h: &Self::Value) -> &Self::Value {
            h
        }
        fn heap_mut(h: &mut Self::Value) -> &mut Self::Value {
            h
        }
    };
}

/// A conformant array (`[size_is(n)] T *p`, `T a[]` as a parameter): its
/// max_count, then the elements. Complete in the inline pass.
pub struct Conformant<S>(PhantomData<S>);

impl<S: Wire> Wire for Conformant<S> {
    type Value = Vec<S::Value>;
    type Heap = Vec<S::Value>;
    const ALIGN: usize = super::max_align(&[4, S::ALIGN]);
    const WIRE_MIN: usize = 4;
    const HAS_BUFFERS: bool = false;

    fn put(v: &Vec<S::Value>, e: &mut Encoder, b: &[Bound]) -> Result<()> {
        let (here, inner) = split(b);
        check_len(e, here, v.len())?;
        e.align(4);
        e.count(v.len())?;
        S::put_all(v, e, inner)?;
        put_elements_deferred::<S>(v, e, inner)
    }
    fn get(d: &mut Decoder<'_>, b: &[Bound]) -> Result<Vec<S::Value>> {
        let (here, inner) = split(b);
        d.align(4)?;
        let n = d.count()?;
        check_wire(d, here, Some(n.into()), 0, n.into())?;
        let mut v = S::get_all(d, n as usize, inner)?;
        get_elements_deferred::<S>(&mut v, d, inner)?;
        Ok(v)
    }
    fn placeholder() -> Vec<S::Value> {
        Vec::new()
    }
    heap_is_value!();
}

/// A conformant varying array (`[size_is(m), length_is(n)] T *p`): its
/// max_count, offset and actual count, then the elements sent.
pub struct ConfVarying<S>(PhantomData<S>);

/// A varying array's offset and count from its bounds, checked on encode.
fn window(e: &Encoder, b: Bound, len: usize, max: Option<u64>) -> Result<(u64, u64)> {
    check_len(e, b, len)?;
    let offset = b.offset.unwrap_or(0);
    let max = max.or(b.max).unwrap_or(offset.saturating_add(len as u64));
    if offset.saturating_add(len as u64) > max {
        return Err(e.mismatch(
            "offset and length against the array's maximum",
            usize::try_from(max).unwrap_or(usize::MAX),
            len,
        ));
    }
    Ok((offset, max))
}

impl<S: Wire> Wire for ConfVarying<S> {
    type Value = Vec<S::Value>;
    type Heap = Vec<S::Value>;
    const ALIGN: usize = super::max_align(&[4, S::ALIGN]);
    const WIRE_MIN: usize = 12;
    const HAS_BUFFERS: bool = false;

    fn put(v: &Vec<S::Value>, e: &mut Encoder, b: &[Bound]) -> Result<()> {
        let (here, inner) = split(b);
        let (offset, max) = window(e, here, v.len(), None)?;
        e.align(4);
        e.count(usize::try_from(max).unwrap_or(usize::MAX))?;
        put_window::<S>(v, e, offset, inner)
    }
    fn get(d: &mut Decoder<'_>, b: &[Bound]) -> Result<Vec<S::Value>> {
        d.align(4)?;
        let max = d.count()?;
        get_window::<S>(d, max.into(), true, b)
    }
    fn placeholder() -> Vec<S::Value> {
        Vec::new()
    }
    heap_is_value!();
}

/// Offset, actual count and the elements of a varying array.
fn put_window<S: Wire>(
    v: &[S::Value],
    e: &mut Encoder,
    offset: u64,
    inner: &[Bound],
) -> Result<()> {
    e.align(4);
    e.count(usize::try_from(offset).unwrap_or(usize::MAX))?;
    e.count(v.len())?;
    S::put_all(v, e, inner)?;
    put_elements_deferred::<S>(v, e, inner)
}

/// Reads what [`put_window`] writes, for an array of at most `max`.
fn get_window<S: Wire>(
    d: &mut Decoder<'_>,
    max: u64,
    conformant: bool,
    b: &[Bound],
) -> Result<Vec<S::Value>> {
    let (here, inner) = split(b);
    let (offset, len) = decode_variance(d, max, true)?;
    check_wire(
        d,
        here,
        conformant.then_some(max),
        offset.into(),
        len.into(),
    )?;
    let mut v = S::get_all(d, len as usize, inner)?;
    get_elements_deferred::<S>(&mut v, d, inner)?;
    Ok(v)
}

/// A fixed-size array sending only part of itself (`[length_is(n)] T a[N]`),
/// inline: offset, actual count, then the elements sent.
pub struct Varying<S, const N: usize>(PhantomData<S>);

impl<S: Wire, const N: usize> Wire for Varying<S, N> {
    type Value = Vec<S::Value>;
    type Heap = Vec<S::Value>;
    const ALIGN: usize = super::max_align(&[4, S::ALIGN]);
    const WIRE_MIN: usize = 8;
    const HAS_BUFFERS: bool = S::HAS_BUFFERS;

    fn put(v: &Vec<S::Value>, e: &mut Encoder, b: &[Bound]) -> Result<()> {
        let (here, inner) = split(b);
        let (offset, _) = window(e, here, v.len(), Some(N as u64))?;
        e.align(4);
        e.count(usize::try_from(offset).unwrap_or(usize::MAX))?;
        e.count(v.len())?;
        S::put_all(v, e, inner)
    }
    fn put_deferred(v: &Vec<S::Value>, e: &mut Encoder, b: &[Bound]) -> Result<()> {
        put_elements_deferred::<S>(v, e, split(b).1)
    }
    fn get(d: &mut Decoder<'_>, b: &[Bound]) -> Result<Vec<S::Value>> {
        let (here, inner) = split(b);
        d.align(4)?;
        let (offset, len) = decode_variance(d, N as u64, true)?;
        check_wire(d, here, None, offset.into(), len.into())?;
        S::get_all(d, len as usize, inner)
    }
    fn get_deferred(v: &mut Vec<S::Value>, d: &mut Decoder<'_>, b: &[Bound]) -> Result<()> {
        get_elements_deferred::<S>(v, d, split(b).1)
    }
    fn placeholder() -> Vec<S::Value> {
        Vec::new()
    }
    heap_is_value!();
}

/// A fixed-size array (`T a[N]`), inline.
pub struct Fixed<S, const N: usize>(PhantomData<S>);

impl<S: Wire, const N: usize> Wire for Fixed<S, N> {
    type Value = [S::Value; N];
    type Heap = Box<[S::Value; N]>;
    const ALIGN: usize = S::ALIGN;
    const WIRE_MIN: usize = super::at_least_one(S::WIRE_MIN * N);
    const HAS_BUFFERS: bool = S::HAS_BUFFERS;

    fn put(v: &[S::Value; N], e: &mut Encoder, b: &[Bound]) -> Result<()> {
        S::put_all(v, e, split(b).1)
    }
    fn put_deferred(v: &[S::Value; N], e: &mut Encoder, b: &[Bound]) -> Result<()> {
        put_elements_deferred::<S>(v, e, split(b).1)
    }
    fn get(d: &mut Decoder<'_>, b: &[Bound]) -> Result<[S::Value; N]> {
        let v = S::get_all(d, N, split(b).1)?;
        // get_all read exactly N elements or failed.
        v.try_into()
            .map_err(|v: Vec<_>| d.error(ErrorKind::CountOverflow(v.len())))
    }
    fn get_deferred(v: &mut [S::Value; N], d: &mut Decoder<'_>, b: &[Bound]) -> Result<()> {
        get_elements_deferred::<S>(v, d, split(b).1)
    }
    fn placeholder() -> [S::Value; N] {
        std::array::from_fn(|_| S::placeholder())
    }
    fn into_heap(v: [S::Value; N]) -> Box<[S::Value; N]> {
        Box::new(v)
    }
    fn heap(h: &Box<[S::Value; N]>) -> &[S::Value; N] {
        h
    }
    fn heap_mut(h: &mut Box<[S::Value; N]>) -> &mut [S::Value; N] {
        h
    }
}

/// The last member of a conformant struct: its max_count has gone to the
/// front of the outermost struct ([`Ndr::conformance`]), so only the
/// elements, or the offset, count and elements of a varying one, are here.
/// Their pointees come in the struct's deferred pass ([`put_tail_deferred`]).
pub fn put_tail<S: Wire>(
    e: &mut Encoder,
    v: &[S::Value],
    varying: bool,
    b: &[Bound],
) -> Result<()> {
    let (here, inner) = split(b);
    if varying {
        let (offset, _) = window(e, here, v.len(), None)?;
        e.align(4);
        e.count(usize::try_from(offset).unwrap_or(usize::MAX))?;
        e.count(v.len())?;
    } else {
        check_len(e, here, v.len())?;
    }
    S::put_all(v, e, inner)
}

/// The pointees of a conformant struct's tail.
pub fn put_tail_deferred<S: Wire>(e: &mut Encoder, v: &[S::Value], b: &[Bound]) -> Result<()> {
    put_elements_deferred::<S>(v, e, split(b).1)
}

/// Reads what [`put_tail`] writes, for the max_count `max` read earlier.
pub fn get_tail<S: Wire>(
    d: &mut Decoder<'_>,
    max: u32,
    varying: bool,
    b: &[Bound],
) -> Result<Vec<S::Value>> {
    let (here, inner) = split(b);
    let (offset, len) = if varying {
        d.align(4)?;
        decode_variance(d, max.into(), true)?
    } else {
        (0, max)
    };
    check_wire(d, here, Some(max.into()), offset.into(), len.into())?;
    S::get_all(d, len as usize, inner)
}

/// The pointees of a conformant struct's tail.
pub fn get_tail_deferred<S: Wire>(
    d: &mut Decoder<'_>,
    v: &mut [S::Value],
    b: &[Bound],
) -> Result<()> {
    get_elements_deferred::<S>(v, d, split(b).1)
}

/// The max_count a conformant struct's tail needs: its length, or the
/// `size_is` when that says more (a conformant varying tail).
pub fn tail_conformance(len: usize, varying: bool, b: &[Bound]) -> usize {
    let (here, _) = split(b);
    let least = here.offset.unwrap_or(0).saturating_add(len as u64);
    match (varying, here.max) {
        (true, Some(max)) => usize::try_from(max.max(least)).unwrap_or(usize::MAX),
        (true, None) => usize::try_from(least).unwrap_or(usize::MAX),
        (false, _) => len,
    }
}

// ---------------------------------------------------------------- strings

macro_rules! string_shapes {
    ($(#[$doc:meta])* $conf:ident, $(#[$doc2:meta])* $inline:ident, $ty:ty, $unit:ty, $size:expr) => {
        $(#[$doc])*
        pub struct $conf;

        impl Wire for $conf {
            type Value = $ty;
            type Heap = $ty;
            const ALIGN: usize = 4;
            const WIRE_MIN: usize = 12 + $size;
            const HAS_BUFFERS: bool = false;

            fn put(v: &$ty, e: &mut Encoder, b: &[Bound]) -> Result<()> {
                let (here, _) = split(b);
                let n = v.0.len() + 1;
                let max = match here.max {
                    Some(m) if m < n as u64 => {
                        return Err(e.mismatch("string length against its size_is", usize::try_from(m).unwrap_or(0), n));
                    }
                    Some(m) => usize::try_from(m).unwrap_or(usize::MAX),
                    None => n,
                };
                e.align(4);
                e.count(max)?;
                v.encode_varying(e, max)
            }
            fn get(d: &mut Decoder<'_>, b: &[Bound]) -> Result<$ty> {
                let (here, _) = split(b);
                d.align(4)?;
                let max = d.count()?;
                if let Some(want) = here.max {
                    if want != u64::from(max) {
                        return Err(d.error(ErrorKind::Mismatch { what: "string max_count against its size_is", expected: want, found: max.into() }));
                    }
                }
                <$ty>::decode_varying(d, max.into())
            }
            fn placeholder() -> $ty {
                <$ty>::default()
            }
            heap_is_value!();
        }

        $(#[$doc2])*
        pub struct $inline<const N: usize>;

        impl<const N: usize> Wire for $inline<N> {
            type Value = $ty;
            type Heap = Box<$ty>;
            const ALIGN: usize = 4;
            const WIRE_MIN: usize = 8 + $size;
            const HAS_BUFFERS: bool = false;

            fn put(v: &$ty, e: &mut Encoder, _: &[Bound]) -> Result<()> {
                e.align(4);
                v.encode_varying(e, N)
            }
            fn get(d: &mut Decoder<'_>, _: &[Bound]) -> Result<$ty> {
                d.align(4)?;
                <$ty>::decode_varying(d, N as u64)
            }
            fn placeholder() -> $ty {
                <$ty>::default()
            }
            fn into_heap(v: $ty) -> Box<$ty> {
                Box::new(v)
            }
            fn heap(h: &Box<$ty>) -> &$ty {
                h
            }
            fn heap_mut(h: &mut Box<$ty>) -> &mut $ty {
                h
            }
        }
    };
}

string_shapes!(
    /// A `[string] wchar_t` pointee: conformant, varying, terminated.
    WStr,
    /// `[string] wchar_t name[N]` inline: varying, terminated, at most N.
    WStrIn,
    WString,
    u16,
    2
);
string_shapes!(
    /// A `[string] char` pointee: conformant, varying, terminated.
    AStr,
    /// `[string] char name[N]` inline: varying, terminated, at most N.
    AStrIn,
    AString,
    u8,
    1
);

// ---------------------------------------------------------------- checks

/// Fails unless `value` is within `[range(min, max)]`.
pub fn check_range(at: usize, value: i128, min: i128, max: i128) -> Result<()> {
    if value < min || value > max {
        return Err(super::Error {
            offset: at,
            kind: ErrorKind::Range { value, min, max },
        });
    }
    Ok(())
}

/// Fails unless a value's length agrees with its correlation, after the
/// value is whole (for correlations that name later parameters).
pub fn check_len_after(at: usize, what: &'static str, want: u64, len: usize) -> Result<()> {
    if want != len as u64 {
        return Err(super::Error {
            offset: at,
            kind: ErrorKind::Mismatch {
                what,
                expected: want,
                found: len as u64,
            },
        });
    }
    Ok(())
}

/// Fails unless a value's length agrees with the bound its correlations
/// give, checked once the value is whole (for correlations that name later
/// fields or parameters).
pub fn check_bound_after(at: usize, b: Bound, len: usize) -> Result<()> {
    match b.len {
        Some(want) => check_len_after(at, "array length against its size_is/length_is", want, len),
        None => Ok(()),
    }
}

/// The value `*p` names in a correlation: a null pointer cannot be read.
pub fn deref<T: Copy + Into<i128>>(at: usize, p: Option<&T>) -> Result<i128> {
    p.map(|v| (*v).into()).ok_or(super::Error {
        offset: at,
        kind: ErrorKind::NullRef,
    })
}

/// `n` placeholders for the elements of a deferred array whose count came
/// in the inline part (an implied `size_is`), once the bytes left show
/// that many can follow. The deferred pass reads the elements with that
/// count as their bound, after [`redeem`].
pub fn promise<S: Wire>(d: &mut Decoder<'_>, n: i128) -> Result<Vec<S::Value>> {
    let n = d.promise(count(n), S::WIRE_MIN)?;
    Ok((0..n).map(|_| S::placeholder()).collect())
}

/// [`promise`] for a unique or full pointer's array: a null pointer sends
/// no elements, so its count must be 0.
pub fn promise_opt<S: Wire>(
    d: &mut Decoder<'_>,
    slot: &mut Option<Vec<S::Value>>,
    n: i128,
) -> Result<()> {
    match slot {
        Some(v) => *v = promise::<S>(d, n)?,
        None if n != 0 => {
            return Err(d.error(ErrorKind::Mismatch {
                what: "count of a null pointer's array",
                expected: 0,
                found: count(n),
            }))
        }
        None => {}
    }
    Ok(())
}

/// Releases the promise of `n` elements before they are read, so that
/// promises inside them are measured against the bytes really left.
pub fn redeem<S: Wire>(d: &mut Decoder<'_>, n: usize) -> Bound {
    d.fulfil(n, S::WIRE_MIN);
    Bound::size(n)
}

/// A count field's value for the length `n` of the arrays it sizes.
pub fn implied<T: TryFrom<usize>>(e: &Encoder, n: usize) -> Result<T> {
    T::try_from(n).map_err(|_| e.count_overflow(n))
}

/// Arrays one count sizes must agree in length.
pub fn same_len(e: &Encoder, n: usize, other: usize) -> Result<()> {
    if n != other {
        return Err(e.mismatch("arrays sized by one count", n, other));
    }
    Ok(())
}

/// A union's discriminant against the `switch_is` that selects it.
pub fn check_switch(at: usize, want: i128, have: i128) -> Result<()> {
    if want != have {
        return Err(super::Error {
            offset: at,
            kind: ErrorKind::Mismatch {
                what: "switch_is",
                expected: count(want),
                found: count(have),
            },
        });
    }
    Ok(())
}

/// `a << b` for correlations: 0 past the width.
pub fn shl(a: i128, b: i128) -> i128 {
    u32::try_from(b)
        .ok()
        .and_then(|b| a.checked_shl(b))
        .unwrap_or(0)
}

/// `a >> b` for correlations: 0 past the width.
pub fn shr(a: i128, b: i128) -> i128 {
    u32::try_from(b)
        .ok()
        .and_then(|b| a.checked_shr(b))
        .unwrap_or(0)
}

/// A [`Bound`] from correlation values (`size_is`, `first_is`, the
/// elements sent), each `None` where no attribute gives it.
pub fn bound(max: Option<i128>, offset: Option<i128>, len: Option<i128>) -> Bound {
    Bound {
        max: max.map(count),
        offset: offset.map(count),
        len: len.map(count),
    }
}

/// A bound that can be computed only from values a caller may not have
/// (a response's `[in]` counts): [`Bound::NONE`] without them.
pub fn maybe(f: impl FnOnce() -> Option<Bound>) -> Bound {
    f().unwrap_or(Bound::NONE)
}
