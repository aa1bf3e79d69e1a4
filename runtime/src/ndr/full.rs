//! Full (`[ptr]`) pointers: two pointers to the same memory share one
//! referent ID, and the pointee crosses the wire once, at its first
//! occurrence in NDR order (C706 14.3.12.3).
//!
//! In Rust a full pointer is an `Option<Arc<T>>`, and aliasing is
//! [`Arc::ptr_eq`]: encoding two clones of one `Arc` sends one referent;
//! decoding a repeated referent ID hands out clones of one `Arc`.
//! A referent that (directly or not) contains itself cannot be built from
//! `Arc`s, and is rejected on decode.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{Decoder, Encoder, ErrorKind, Ndr, Result};

/// Per-message full-pointer state of an [`Encoder`].
#[derive(Debug, Default)]
pub(super) struct EncodeTable {
    /// `Arc` address → the referent ID it was given.
    ids: HashMap<usize, u32>,
    /// Addresses whose pointee has been written.
    written: HashSet<usize>,
}

/// Per-message full-pointer state of a [`Decoder`].
#[derive(Default)]
pub(super) struct DecodeTable {
    /// Referent ID → the decoded pointee, an `Arc<T>` behind `Any`.
    done: HashMap<u32, Box<dyn Any>>,
    /// Address of a placeholder `Arc` → the referent ID it stands for.
    pending: HashMap<usize, u32>,
    /// Referents being decoded right now: meeting one again is a cycle.
    open: HashSet<u32>,
}

impl std::fmt::Debug for DecodeTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodeTable")
            .field("done", &self.done.len())
            .field("pending", &self.pending.len())
            .finish()
    }
}

fn addr<T>(p: &Arc<T>) -> usize {
    Arc::as_ptr(p) as *const () as usize
}

impl Encoder {
    /// Writes a full pointer's referent ID: 0 for null, the ID already given
    /// to this `Arc` if it was seen before in the message, or a fresh one.
    pub fn full_referent<T>(&mut self, p: Option<&Arc<T>>) {
        let Some(p) = p else {
            self.u32(0);
            return;
        };
        let id = match self.full.ids.get(&addr(p)) {
            Some(&id) => id,
            None => {
                let id = self.next_referent();
                self.full.ids.insert(addr(p), id);
                id
            }
        };
        self.u32(id);
    }

    /// True the first time a full pointer's pointee is due in the deferred
    /// data, which is the only time it is written.
    pub fn full_first<T>(&mut self, p: &Arc<T>) -> bool {
        self.full.written.insert(addr(p))
    }
}

impl Decoder<'_> {
    /// Reads a full pointer's referent ID. A referent decoded earlier in the
    /// message is shared at once; a new one gets a placeholder that
    /// [`Decoder::full_pointee`] fills in with the deferred data.
    pub fn full_referent<T: Ndr + 'static>(&mut self) -> Result<Option<Arc<T>>> {
        self.full_referent_with(T::placeholder)
    }

    /// [`Decoder::full_referent`], with the placeholder made by `placeholder`.
    pub fn full_referent_with<T: 'static>(
        &mut self,
        placeholder: impl FnOnce() -> T,
    ) -> Result<Option<Arc<T>>> {
        let Some(id) = self.referent()? else {
            return Ok(None);
        };
        if let Some(done) = self.full.done.get(&id) {
            return self.shared(id, done.as_ref()).map(Some);
        }
        let p = Arc::new(placeholder());
        self.full.pending.insert(addr(&p), id);
        Ok(Some(p))
    }

    /// Reads the pointee of a full pointer at its place in the deferred
    /// data, unless its referent was read before: then the pointer shares it.
    pub fn full_pointee<T: 'static>(
        &mut self,
        slot: &mut Arc<T>,
        read: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<()> {
        let Some(id) = self.full.pending.remove(&addr(slot)) else {
            return Ok(()); // shared when its referent ID was read
        };
        if let Some(done) = self.full.done.get(&id) {
            *slot = self.shared(id, done.as_ref())?;
            return Ok(());
        }
        if !self.full.open.insert(id) {
            return Err(self.error(ErrorKind::CyclicReferent(id)));
        }
        let v = read(self);
        self.full.open.remove(&id);
        let p = Arc::new(v?);
        self.full.done.insert(id, Box::new(p.clone()));
        *slot = p;
        Ok(())
    }

    fn shared<T: 'static>(&self, id: u32, done: &dyn Any) -> Result<Arc<T>> {
        done.downcast_ref::<Arc<T>>()
            .cloned()
            .ok_or_else(|| self.error(ErrorKind::ReferentTypeMismatch(id)))
    }
}
