//! The object exporter's tables (MS-DCOM 3.1.1.1): OIDs, IPIDs and their
//! reference counts, and the rules of IRemUnknown (3.1.1.5.6) and of
//! reclamation (3.1.1.6.2) over them. Plain data with the time passed in,
//! so tests drive every timer rule without waiting.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::hresult;
use super::objref::{StdObjRef, SORF_NOPING};
use crate::rpc::Dispatch;

/// IID_IUnknown, which every object implements.
pub const IID_IUNKNOWN: Uuid = Uuid::from_u128(0x0000_0000_0000_0000_c000_0000_0000_0046);

/// A COM object as the exporter holds it: one stub per interface.
#[derive(Clone, Default)]
pub struct Object {
    stubs: HashMap<Uuid, Arc<dyn Dispatch>>,
    no_ping: bool,
}

impl Object {
    /// An object with no interfaces but IUnknown.
    pub fn new() -> Object {
        Object::default()
    }

    /// Adds an interface, served by its generated stub (`ICalculatorStub(..)`).
    pub fn with(mut self, stub: impl Dispatch) -> Object {
        self.stubs.insert(stub.syntax().uuid, Arc::new(stub));
        self
    }

    /// Marks the object as one clients need not ping (SORF_NOPING): it
    /// lives until its references are released, however long that takes.
    pub fn without_pinging(mut self) -> Object {
        self.no_ping = true;
        self
    }

    /// Every object implements IUnknown, whose calls IRemUnknown answers.
    pub fn implements(&self, iid: &Uuid) -> bool {
        *iid == IID_IUNKNOWN || self.stubs.contains_key(iid)
    }

    /// The interfaces the object's stubs serve.
    pub fn interfaces(&self) -> Vec<Uuid> {
        self.stubs.keys().copied().collect()
    }

    /// The stub serving `iid`, to call the object in-process.
    pub fn stub(&self, iid: &Uuid) -> Option<Arc<dyn Dispatch>> {
        self.stubs.get(iid).cloned()
    }
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("interfaces", &self.stubs.keys().collect::<Vec<_>>())
            .finish()
    }
}

struct OidEntry {
    object: Object,
    ipids: Vec<Uuid>,
    /// The last ORPC call on, or ping of, the object.
    last_seen: Instant,
    no_ping: bool,
}

struct IpidEntry {
    oid: u64,
    iid: Uuid,
    public: u32,
    private: u32,
}

/// What a REMINTERFACEREF asks for.
#[derive(Clone, Copy, Debug)]
pub struct RefChange {
    /// The interface whose references change.
    pub ipid: Uuid,
    /// `cPublicRefs`: public references to add or release.
    pub public: u32,
    /// `cPrivateRefs`: private references to add or release.
    pub private: u32,
}

/// The object exporter's tables for one OXID.
pub struct Exporter {
    oxid: u64,
    ping_period: Duration,
    /// References given with each marshaled interface (3.1.1.5.1: SHOULD be 5).
    initial_refs: u32,
    /// How many objects the exporter holds at most: activations and
    /// marshals beyond it fail with E_OUTOFMEMORY, so that clients cannot
    /// make the server hold more than it was sized for.
    max_objects: usize,
    oids: HashMap<u64, OidEntry>,
    ipids: HashMap<Uuid, IpidEntry>,
    /// The IPID of the exporter's own IRemUnknown (and IRemUnknown2).
    rem_unknown: Uuid,
    rem_unknown_object: Object,
}

/// A fresh random 64-bit identifier (OXIDs, OIDs, SETIDs): unpredictable,
/// so a client cannot guess another's objects.
pub fn random_id() -> u64 {
    let (a, _) = Uuid::new_v4().as_u64_pair();
    a.max(1)
}

/// The default of [`Exporter::with_max_objects`].
pub const DEFAULT_MAX_OBJECTS: usize = 1 << 16;

impl Exporter {
    /// Limits how many objects the exporter holds at once.
    pub fn with_max_objects(mut self, max: usize) -> Exporter {
        self.max_objects = max;
        self
    }

    /// `rem_unknown` is the object that serves IRemUnknown and IRemUnknown2.
    pub fn new(ping_period: Duration, rem_unknown: Object) -> Exporter {
        Exporter {
            oxid: random_id(),
            ping_period,
            initial_refs: 5,
            max_objects: DEFAULT_MAX_OBJECTS,
            oids: HashMap::new(),
            ipids: HashMap::new(),
            rem_unknown: Uuid::new_v4(),
            rem_unknown_object: rem_unknown,
        }
    }

    /// The exporter's OXID, random and fixed for its life.
    pub fn oxid(&self) -> u64 {
        self.oxid
    }

    /// The IPID of the exporter's IRemUnknown, which activation replies
    /// and ResolveOxid2 hand out.
    pub fn ipid_rem_unknown(&self) -> Uuid {
        self.rem_unknown
    }

    /// How many objects (OIDs) the exporter holds.
    pub fn objects(&self) -> usize {
        self.oids.len()
    }

    /// Marshals a new object for `iid` (3.1.1.5.1): an OID, an IPID, and
    /// the STDOBJREF that hands out the initial references.
    pub fn export(&mut self, object: Object, iid: Uuid, now: Instant) -> Result<StdObjRef, u32> {
        self.export_many(object, &[iid], now)
            .pop()
            .unwrap_or(Err(hresult::E_NOINTERFACE))
    }

    /// Marshals a new object for each of `iids` (activation): one OID, an
    /// IPID per interface it implements, E_NOINTERFACE for the others.
    pub fn export_many(
        &mut self,
        object: Object,
        iids: &[Uuid],
        now: Instant,
    ) -> Vec<Result<StdObjRef, u32>> {
        if self.oids.len() >= self.max_objects {
            return vec![Err(hresult::E_OUTOFMEMORY); iids.len()];
        }
        let oid = random_id();
        self.oids.insert(
            oid,
            OidEntry {
                object: object.clone(),
                ipids: Vec::new(),
                last_seen: now,
                no_ping: object.no_ping,
            },
        );
        let out: Vec<_> = iids
            .iter()
            .map(|iid| {
                if object.implements(iid) {
                    Ok(self.add_ipid(oid, *iid, self.initial_refs))
                } else {
                    Err(hresult::E_NOINTERFACE)
                }
            })
            .collect();
        if out.iter().all(|r| r.is_err()) {
            self.oids.remove(&oid);
        }
        out
    }

    /// The IPID of `iid` on object `oid`, created if needed, with `refs`
    /// more public references.
    fn add_ipid(&mut self, oid: u64, iid: Uuid, refs: u32) -> StdObjRef {
        let existing = self
            .oids
            .get(&oid)
            .and_then(|o| {
                o.ipids
                    .iter()
                    .find(|i| self.ipids.get(i).is_some_and(|e| e.iid == iid))
            })
            .copied();
        let ipid = match existing {
            Some(ipid) => {
                if let Some(e) = self.ipids.get_mut(&ipid) {
                    e.public = e.public.saturating_add(refs);
                }
                ipid
            }
            None => {
                let ipid = Uuid::new_v4();
                self.ipids.insert(
                    ipid,
                    IpidEntry {
                        oid,
                        iid,
                        public: refs,
                        private: 0,
                    },
                );
                if let Some(o) = self.oids.get_mut(&oid) {
                    o.ipids.push(ipid);
                }
                ipid
            }
        };
        let no_ping = self.oids.get(&oid).is_some_and(|o| o.no_ping);
        StdObjRef {
            flags: if no_ping { SORF_NOPING } else { 0 },
            public_refs: refs,
            oxid: self.oxid,
            oid,
            ipid,
        }
    }

    /// The stub that serves a call on `ipid` through interface `iid`
    /// (3.1.1.5.4), noting the call as a sign of life.
    pub fn lookup(
        &mut self,
        ipid: &Uuid,
        iid: &Uuid,
        now: Instant,
    ) -> Result<Arc<dyn Dispatch>, u32> {
        if *ipid == self.rem_unknown {
            return self
                .rem_unknown_object
                .stub(iid)
                .ok_or(hresult::RPC_E_DISCONNECTED);
        }
        let e = self.ipids.get(ipid).ok_or(hresult::RPC_E_DISCONNECTED)?;
        if e.iid != *iid {
            return Err(hresult::RPC_E_DISCONNECTED);
        }
        let o = self
            .oids
            .get_mut(&e.oid)
            .ok_or(hresult::RPC_E_DISCONNECTED)?;
        o.last_seen = now;
        o.object.stub(iid).ok_or(hresult::RPC_E_DISCONNECTED)
    }

    /// Unmarshals a reference to one of this exporter's own objects, which
    /// came back `[in]` (3.1.1.5.3): the references it carried are given
    /// back, and the object and interface are returned.
    pub fn unmarshal(&mut self, ipid: &Uuid, refs: u32) -> Result<(Object, Uuid), u32> {
        let e = self.ipids.get(ipid).ok_or(hresult::E_NOINTERFACE)?;
        let (oid, iid) = (e.oid, e.iid);
        let object = self
            .oids
            .get(&oid)
            .map(|o| o.object.clone())
            .ok_or(hresult::E_NOINTERFACE)?;
        self.release(&[RefChange {
            ipid: *ipid,
            public: refs,
            private: 0,
        }]);
        Ok((object, iid))
    }

    /// RemQueryInterface (3.1.1.5.6.1.1): a result per IID, or
    /// RPC_E_INVALID_OBJECT for an unknown IPID.
    pub fn query_interface(
        &mut self,
        ipid: &Uuid,
        refs: u32,
        iids: &[Uuid],
        now: Instant,
    ) -> Result<Vec<Result<StdObjRef, u32>>, u32> {
        let oid = self
            .ipids
            .get(ipid)
            .map(|e| e.oid)
            .ok_or(hresult::RPC_E_INVALID_OBJECT)?;
        let object = match self.oids.get_mut(&oid) {
            Some(o) => {
                o.last_seen = now;
                o.object.clone()
            }
            None => return Err(hresult::RPC_E_INVALID_OBJECT),
        };
        Ok(iids
            .iter()
            .map(|iid| {
                if object.implements(iid) {
                    Ok(self.add_ipid(oid, *iid, refs))
                } else {
                    Err(hresult::E_NOINTERFACE)
                }
            })
            .collect())
    }

    /// The references QueryInterface2 hands out, which has no count of its own.
    pub fn initial_refs(&self) -> u32 {
        self.initial_refs
    }

    /// RemAddRef (3.1.1.5.6.1.2): a result per reference.
    pub fn add_ref(&mut self, changes: &[RefChange]) -> Vec<u32> {
        changes
            .iter()
            .map(|c| match self.ipids.get_mut(&c.ipid) {
                Some(e) => {
                    e.public = e.public.saturating_add(c.public);
                    e.private = e.private.saturating_add(c.private);
                    hresult::S_OK
                }
                None => hresult::CO_E_OBJNOTREG,
            })
            .collect()
    }

    /// RemRelease (3.1.1.5.6.1.3): releasing more than is held clamps at 0;
    /// an IPID with no references left is removed, and an object with no
    /// IPIDs left is released.
    pub fn release(&mut self, changes: &[RefChange]) {
        for c in changes {
            let Some(e) = self.ipids.get_mut(&c.ipid) else {
                continue;
            };
            e.public = e.public.saturating_sub(c.public);
            e.private = e.private.saturating_sub(c.private);
            if e.public == 0 && e.private == 0 {
                let oid = e.oid;
                self.ipids.remove(&c.ipid);
                let empty = self.oids.get_mut(&oid).is_some_and(|o| {
                    o.ipids.retain(|i| *i != c.ipid);
                    o.ipids.is_empty()
                });
                if empty {
                    self.oids.remove(&oid);
                }
            }
        }
    }

    /// Pings keep these objects alive.
    pub fn pinged(&mut self, oids: impl IntoIterator<Item = u64>, now: Instant) {
        for oid in oids {
            if let Some(o) = self.oids.get_mut(&oid) {
                o.last_seen = now;
            }
        }
    }

    /// Whether some live object here has an IPID for `iid`, so that a
    /// client may bind to the interface (objects marshaled by methods are
    /// of no registered class).
    pub fn has_interface(&self, iid: &Uuid) -> bool {
        self.ipids.values().any(|e| e.iid == *iid)
    }

    /// Whether the exporter still holds the object `oid`.
    pub fn knows_oid(&self, oid: u64) -> bool {
        self.oids.contains_key(&oid)
    }

    /// Reclaims objects neither called nor pinged for three ping periods
    /// (3.1.1.6.2, 3.1.2.2): their IPIDs go, and later calls on them get
    /// RPC_E_DISCONNECTED. Returns the OIDs reclaimed.
    pub fn reclaim(&mut self, now: Instant) -> Vec<u64> {
        let limit = self.ping_period * 3;
        let dead: Vec<u64> = self
            .oids
            .iter()
            .filter(|(_, o)| !o.no_ping && now.saturating_duration_since(o.last_seen) > limit)
            .map(|(&oid, _)| oid)
            .collect();
        for oid in &dead {
            if let Some(o) = self.oids.remove(oid) {
                for ipid in o.ipids {
                    self.ipids.remove(&ipid);
                }
            }
        }
        dead
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::{BoxFuture, CallContext, Fault, SyntaxId};

    struct Stub(Uuid);
    impl Dispatch for Stub {
        fn syntax(&self) -> SyntaxId {
            SyntaxId {
                uuid: self.0,
                major: 0,
                minor: 0,
            }
        }
        fn dispatch(
            &self,
            _: CallContext,
            _: Vec<u8>,
        ) -> BoxFuture<'static, Result<Vec<u8>, Fault>> {
            Box::pin(async { Ok(Vec::new()) })
        }
    }

    const A: Uuid = Uuid::from_u128(0xa);
    const B: Uuid = Uuid::from_u128(0xb);

    fn exporter() -> (Exporter, Instant) {
        let e = Exporter::new(
            Duration::from_secs(120),
            Object::new().with(Stub(Uuid::from_u128(0x131))),
        );
        (e, Instant::now())
    }

    #[test]
    fn export_hands_out_five_public_references_on_a_random_ipid() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)), A, t)
            .expect("exports");
        assert_eq!((std.public_refs, std.oxid, std.flags), (5, e.oxid(), 0));
        assert!(e.lookup(&std.ipid, &A, t).is_ok());
        assert_eq!(
            e.lookup(&std.ipid, &B, t).err(),
            Some(hresult::RPC_E_DISCONNECTED)
        );
        assert_eq!(
            e.export(Object::new(), A, t).err(),
            Some(hresult::E_NOINTERFACE)
        );
    }

    #[test]
    fn query_interface_reuses_an_ipid_and_refuses_what_the_object_lacks() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)).with(Stub(B)), A, t)
            .expect("exports");
        let r = e
            .query_interface(&std.ipid, 2, &[B, A, Uuid::from_u128(9)], t)
            .expect("known");
        let b = r[0].expect("B");
        assert_eq!((b.oid, b.public_refs), (std.oid, 2));
        assert_eq!(r[1].expect("A").ipid, std.ipid, "A's IPID again");
        assert_eq!(r[2], Err(hresult::E_NOINTERFACE));
        assert_eq!(
            e.query_interface(&Uuid::from_u128(77), 1, &[A], t).err(),
            Some(hresult::RPC_E_INVALID_OBJECT)
        );
    }

    #[test]
    fn releasing_every_reference_releases_the_object_and_more_is_clamped() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)), A, t)
            .expect("exports");
        let r = |public| RefChange {
            ipid: std.ipid,
            public,
            private: 0,
        };
        assert_eq!(e.add_ref(&[r(1)]), [hresult::S_OK]);
        e.release(&[r(3)]);
        assert!(e.lookup(&std.ipid, &A, t).is_ok(), "3 of 6 left");
        e.release(&[r(100)]);
        assert_eq!(e.objects(), 0);
        assert_eq!(
            e.lookup(&std.ipid, &A, t).err(),
            Some(hresult::RPC_E_DISCONNECTED)
        );
        assert_eq!(e.add_ref(&[r(1)]), [hresult::CO_E_OBJNOTREG]);
    }

    #[test]
    fn objects_beyond_the_limit_are_refused_until_some_go() {
        let (e, t) = exporter();
        let mut e = e.with_max_objects(2);
        let a = e.export(Object::new().with(Stub(A)), A, t).expect("first");
        e.export(Object::new().with(Stub(A)), A, t).expect("second");
        assert_eq!(
            e.export(Object::new().with(Stub(A)), A, t).err(),
            Some(hresult::E_OUTOFMEMORY)
        );
        assert_eq!(
            e.export_many(Object::new().with(Stub(A)), &[A], t),
            [Err(hresult::E_OUTOFMEMORY)]
        );
        e.release(&[RefChange {
            ipid: a.ipid,
            public: 5,
            private: 0,
        }]);
        assert!(e.export(Object::new().with(Stub(A)), A, t).is_ok());
    }

    #[test]
    fn a_no_ping_object_says_so_and_is_never_reclaimed() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)).without_pinging(), A, t)
            .expect("exports");
        assert_eq!(std.flags, SORF_NOPING);
        assert!(e.reclaim(t + Duration::from_secs(86400)).is_empty());
    }

    #[test]
    fn unmarshaling_an_own_reference_gives_its_references_back() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)), A, t)
            .expect("exports");
        let (object, iid) = e.unmarshal(&std.ipid, 2).expect("ours");
        assert!(object.implements(&A) && iid == A);
        e.unmarshal(&std.ipid, 3).expect("ours");
        assert_eq!(e.objects(), 0, "all five references came back");
        assert!(e.unmarshal(&std.ipid, 1).is_err());
    }

    #[test]
    fn an_object_nobody_pings_is_reclaimed_after_three_periods_and_not_before() {
        let (mut e, t) = exporter();
        let period = Duration::from_secs(120);
        let lonely = e
            .export(Object::new().with(Stub(A)), A, t)
            .expect("exports");
        let pinged = e
            .export(Object::new().with(Stub(A)), A, t)
            .expect("exports");
        for k in 1..=3 {
            e.pinged([pinged.oid], t + period * k);
        }
        assert!(
            e.reclaim(t + period * 3).is_empty(),
            "three periods exactly: not yet"
        );
        let gone = e.reclaim(t + period * 3 + Duration::from_millis(1));
        assert_eq!(gone, [lonely.oid]);
        assert_eq!(
            e.lookup(&lonely.ipid, &A, t + period * 4).err(),
            Some(hresult::RPC_E_DISCONNECTED)
        );
        assert!(e.lookup(&pinged.ipid, &A, t + period * 4).is_ok());
    }
}
