//! The object exporter's tables (MS-DCOM 3.1.1.1): OIDs, IPIDs and their
//! reference counts, and the rules of IRemUnknown (3.1.1.5.6) and of
//! reclamation (3.1.1.6.2) over them. Plain data with the time passed in,
//! so tests drive every timer rule without waiting.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::objref::SORF_NOPING;
use crate::dcom::STDOBJREF;
use crate::rpc::Dispatch;
use crate::Hresult;

/// IID_IUnknown, which every object implements.
pub const IID_IUNKNOWN: Uuid = Uuid::from_u128(0x0000_0000_0000_0000_c000_0000_0000_0046);

/// A COM object as the exporter holds it: one stub per interface.
#[derive(Clone, Default)]
pub struct Object {
    /// A list, not a map: an object has a few interfaces, and a map per
    /// object cost more memory than the rest of its entry.
    stubs: Vec<(Uuid, Arc<dyn Dispatch>)>,
    no_ping: bool,
}

impl Object {
    /// An object with no interfaces but IUnknown.
    pub fn new() -> Object {
        Object::default()
    }

    /// Adds an interface, served by its generated stub (`ICalculatorStub(..)`).
    pub fn with(mut self, stub: impl Dispatch) -> Object {
        let iid = stub.syntax().uuid;
        self.stubs.retain(|(i, _)| *i != iid);
        self.stubs.push((iid, Arc::new(stub)));
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
        *iid == IID_IUNKNOWN || self.stubs.iter().any(|(i, _)| i == iid)
    }

    /// The interfaces the object's stubs serve.
    pub fn interfaces(&self) -> Vec<Uuid> {
        self.stubs.iter().map(|(i, _)| *i).collect()
    }

    /// The stub serving `iid`, to call the object in-process.
    pub fn stub(&self, iid: &Uuid) -> Option<Arc<dyn Dispatch>> {
        self.stubs
            .iter()
            .find(|(i, _)| i == iid)
            .map(|(_, s)| s.clone())
    }
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("interfaces", &self.interfaces())
            .finish()
    }
}

/// Who a call came from, for the limits per client: the caller's network
/// address, the only identity there is at authentication level NONE.
/// `None` (an in-process call, or an object the server makes on its own)
/// is held to the exporter's limits only.
pub type Caller = Option<IpAddr>;

/// What one exporter holds at most, in all and for each client, so that
/// no client can make the server hold more than it was sized for.
/// Beyond a limit, activation, QueryInterface and AddRef answer
/// E_OUTOFMEMORY, and what is already held keeps working.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectLimits {
    /// Objects (OIDs) in the exporter: 65536 by default.
    pub max_objects: usize,
    /// Objects made for one client (activated by it, or marshaled out of
    /// one of its calls): 16384 by default, a quarter of the exporter's, so
    /// that one client cannot fill it alone.
    pub max_objects_per_client: usize,
    /// References, public and private, that one client holds and has not
    /// released: 1 << 20 by default, 64 for each object it may have.
    pub max_refs_per_client: u64,
}

impl Default for ObjectLimits {
    fn default() -> ObjectLimits {
        ObjectLimits {
            max_objects: DEFAULT_MAX_OBJECTS,
            max_objects_per_client: DEFAULT_MAX_OBJECTS / 4,
            max_refs_per_client: 1 << 20,
        }
    }
}

/// What one client holds in an exporter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Objects made for it that are still alive.
    pub objects: usize,
    /// References it holds, public and private.
    pub refs: u64,
}

struct OidEntry {
    object: Object,
    ipids: Vec<Uuid>,
    /// The last ORPC call on, or ping of, the object.
    last_seen: Instant,
    no_ping: bool,
    /// The client the object was made for.
    owner: Caller,
}

/// References one client took on an IPID and has not released.
#[derive(Clone, Copy, Debug)]
struct Holding {
    client: IpAddr,
    public: u32,
    /// Private references are the client's alone (MS-DCOM 1.3.6).
    private: u32,
}

struct IpidEntry {
    oid: u64,
    iid: Uuid,
    /// Public references, whoever took them: any client may release them.
    public: u32,
    /// Private references of callers with no address, which no client
    /// can release.
    private: u32,
    holdings: Vec<Holding>,
}

/// How many clients' holdings one IPID tracks: references from more
/// clients still count, but are charged to no one, and their private
/// references are released only when the object goes.
const MAX_HOLDERS: usize = 1024;

impl IpidEntry {
    /// Adds references `caller` takes. Returns what to charge it: the
    /// references actually added (counts saturate).
    fn take(&mut self, caller: Caller, public: u32, private: u32) -> u64 {
        let before = self.public;
        self.public = self.public.saturating_add(public);
        let public = self.public - before;
        let tracked = caller.filter(|c| {
            self.holdings.iter().any(|h| h.client == *c) || self.holdings.len() < MAX_HOLDERS
        });
        let Some(client) = tracked.filter(|_| public > 0 || private > 0) else {
            if caller.is_none() || tracked.is_none() {
                self.private = self.private.saturating_add(private);
            }
            return 0;
        };
        let at = match self.holdings.iter().position(|h| h.client == client) {
            Some(at) => at,
            None => {
                self.holdings.push(Holding {
                    client,
                    public: 0,
                    private: 0,
                });
                self.holdings.len() - 1
            }
        };
        let h = &mut self.holdings[at];
        // The holdings add up to at most the IPID's count (see
        // `holds_at_most_its_count`), so this cannot overflow.
        h.public += public;
        let before = h.private;
        h.private = h.private.saturating_add(private);
        u64::from(public) + u64::from(h.private - before)
    }

    /// Releases references for `caller`: public ones whoever took them,
    /// private ones only its own. Returns what to refund to whom.
    fn give_back(&mut self, caller: Caller, public: u32, private: u32) -> Vec<(IpAddr, u64)> {
        let mut refunds = Vec::new();
        self.public = self.public.saturating_sub(public);
        let mut public_left = public;
        match caller.and_then(|c| self.holdings.iter_mut().find(|h| h.client == c)) {
            Some(h) => {
                let (p, q) = (h.public.min(public), h.private.min(private));
                h.public -= p;
                h.private -= q;
                public_left -= p;
                refunds.push((h.client, u64::from(p) + u64::from(q)));
            }
            None if caller.is_none() => self.private = self.private.saturating_sub(private),
            None => {}
        }
        // Public references beyond the caller's own were someone else's
        // (handed on in an OBJREF, say): their takers get them back first,
        // so that no client stays charged for references that are gone.
        for h in &mut self.holdings {
            let d = h.public.min(public_left);
            if d > 0 {
                h.public -= d;
                public_left -= d;
                refunds.push((h.client, u64::from(d)));
            }
        }
        self.holdings.retain(|h| h.public > 0 || h.private > 0);
        debug_assert!(self.holds_at_most_its_count());
        refunds
    }

    /// The holdings' public references never add up to more than the
    /// IPID's: what [`IpidEntry::take`] relies on not to overflow.
    fn holds_at_most_its_count(&self) -> bool {
        self.holdings
            .iter()
            .map(|h| u64::from(h.public))
            .sum::<u64>()
            <= u64::from(self.public)
    }

    fn unreferenced(&self) -> bool {
        self.public == 0 && self.private == 0 && self.holdings.iter().all(|h| h.private == 0)
    }
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
    limits: ObjectLimits,
    oids: HashMap<u64, OidEntry>,
    ipids: HashMap<Uuid, IpidEntry>,
    /// How many IPIDs each interface has: binds ask, and a scan of every
    /// IPID per proposed context would let a client make binds expensive.
    iids: HashMap<Uuid, usize>,
    clients: HashMap<IpAddr, Usage>,
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

/// The default of [`ObjectLimits::max_objects`].
pub const DEFAULT_MAX_OBJECTS: usize = 1 << 16;

impl Exporter {
    /// Sets what the exporter holds at most.
    pub fn with_limits(mut self, limits: ObjectLimits) -> Exporter {
        self.limits = limits;
        self
    }

    /// `rem_unknown` is the object that serves IRemUnknown and IRemUnknown2.
    pub fn new(ping_period: Duration, rem_unknown: Object) -> Exporter {
        Exporter {
            oxid: random_id(),
            ping_period,
            initial_refs: 5,
            limits: ObjectLimits::default(),
            oids: HashMap::new(),
            ipids: HashMap::new(),
            iids: HashMap::new(),
            clients: HashMap::new(),
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

    /// What `client` holds here.
    pub fn usage(&self, client: IpAddr) -> Usage {
        self.clients.get(&client).copied().unwrap_or_default()
    }

    /// Whether `caller` may take `refs` more references.
    fn refs_allowed(&self, caller: Caller, refs: u64) -> bool {
        caller.is_none_or(|c| self.usage(c).refs + refs <= self.limits.max_refs_per_client)
    }

    fn charge(&mut self, client: IpAddr, objects: isize, refs: i64) {
        let u = self.clients.entry(client).or_default();
        u.objects = u.objects.saturating_add_signed(objects);
        u.refs = u.refs.saturating_add_signed(refs);
        if *u == Usage::default() {
            self.clients.remove(&client);
        }
    }

    /// Marshals a new object for `iid` (3.1.1.5.1): an OID, an IPID, and
    /// the STDOBJREF that hands out the initial references to `caller`.
    pub fn export(
        &mut self,
        object: Object,
        iid: Uuid,
        now: Instant,
        caller: Caller,
    ) -> Result<STDOBJREF, Hresult> {
        self.export_many(object, &[iid], now, caller)
            .pop()
            .unwrap_or(Err(Hresult::E_NOINTERFACE))
    }

    /// Marshals a new object for each of `iids` (activation): one OID, an
    /// IPID per interface it implements, E_NOINTERFACE for the others.
    /// Past a limit, every interface gets E_OUTOFMEMORY.
    pub fn export_many(
        &mut self,
        object: Object,
        iids: &[Uuid],
        now: Instant,
        caller: Caller,
    ) -> Vec<Result<STDOBJREF, Hresult>> {
        let refs = u64::from(self.initial_refs) * iids.len() as u64;
        let per_client =
            caller.is_none_or(|c| self.usage(c).objects < self.limits.max_objects_per_client);
        if self.oids.len() >= self.limits.max_objects
            || !per_client
            || !self.refs_allowed(caller, refs)
        {
            return vec![Err(Hresult::E_OUTOFMEMORY); iids.len()];
        }
        let oid = random_id();
        self.oids.insert(
            oid,
            OidEntry {
                object: object.clone(),
                ipids: Vec::new(),
                last_seen: now,
                no_ping: object.no_ping,
                owner: caller,
            },
        );
        if let Some(c) = caller {
            self.charge(c, 1, 0);
        }
        let out: Vec<_> = iids
            .iter()
            .map(|iid| {
                if object.implements(iid) {
                    Ok(self.add_ipid(oid, *iid, self.initial_refs, caller))
                } else {
                    Err(Hresult::E_NOINTERFACE)
                }
            })
            .collect();
        if out.iter().all(|r| r.is_err()) {
            self.remove_oid(oid);
        }
        out
    }

    /// The IPID of `iid` on object `oid`, created if needed, with `refs`
    /// more public references held by `caller`.
    fn add_ipid(&mut self, oid: u64, iid: Uuid, refs: u32, caller: Caller) -> STDOBJREF {
        let existing = self
            .oids
            .get(&oid)
            .and_then(|o| {
                o.ipids
                    .iter()
                    .find(|i| self.ipids.get(i).is_some_and(|e| e.iid == iid))
            })
            .copied();
        let ipid = existing.unwrap_or_else(Uuid::new_v4);
        let e = self.ipids.entry(ipid).or_insert_with(|| IpidEntry {
            oid,
            iid,
            public: 0,
            private: 0,
            holdings: Vec::new(),
        });
        let charged = e.take(caller, refs, 0);
        if let Some(c) = caller {
            self.charge(c, 0, charged as i64);
        }
        if existing.is_none() {
            *self.iids.entry(iid).or_default() += 1;
            if let Some(o) = self.oids.get_mut(&oid) {
                o.ipids.push(ipid);
            }
        }
        let no_ping = self.oids.get(&oid).is_some_and(|o| o.no_ping);
        STDOBJREF {
            flags: if no_ping { SORF_NOPING } else { 0 },
            c_public_refs: refs,
            oxid: self.oxid,
            oid,
            ipid,
        }
    }

    /// Removes an IPID and what its holders were charged for it; then the
    /// object too, if that was its last IPID.
    fn remove_ipid(&mut self, ipid: &Uuid) {
        let Some(e) = self.ipids.remove(ipid) else {
            return;
        };
        self.forget(&e);
        let empty = self.oids.get_mut(&e.oid).is_some_and(|o| {
            o.ipids.retain(|i| i != ipid);
            o.ipids.is_empty()
        });
        if empty {
            self.remove_oid(e.oid);
        }
    }

    /// Accounts for a removed IPID: its interface's count, and what its
    /// holders were charged for it.
    fn forget(&mut self, e: &IpidEntry) {
        if let Some(n) = self.iids.get_mut(&e.iid) {
            *n -= 1;
            if *n == 0 {
                self.iids.remove(&e.iid);
            }
        }
        for h in &e.holdings {
            self.charge(h.client, 0, -(i64::from(h.public) + i64::from(h.private)));
        }
    }

    /// Removes an object, its IPIDs, and its owner's charge for it.
    fn remove_oid(&mut self, oid: u64) {
        let Some(o) = self.oids.remove(&oid) else {
            return;
        };
        if let Some(c) = o.owner {
            self.charge(c, -1, 0);
        }
        for ipid in &o.ipids {
            if let Some(e) = self.ipids.remove(ipid) {
                self.forget(&e);
            }
        }
    }

    /// The stub that serves a call on `ipid` through interface `iid`
    /// (3.1.1.5.4), noting the call as a sign of life.
    pub fn lookup(
        &mut self,
        ipid: &Uuid,
        iid: &Uuid,
        now: Instant,
    ) -> Result<Arc<dyn Dispatch>, Hresult> {
        if *ipid == self.rem_unknown {
            return self
                .rem_unknown_object
                .stub(iid)
                .ok_or(Hresult::RPC_E_DISCONNECTED);
        }
        let e = self.ipids.get(ipid).ok_or(Hresult::RPC_E_DISCONNECTED)?;
        if e.iid != *iid {
            return Err(Hresult::RPC_E_DISCONNECTED);
        }
        let o = self
            .oids
            .get_mut(&e.oid)
            .ok_or(Hresult::RPC_E_DISCONNECTED)?;
        o.last_seen = now;
        o.object.stub(iid).ok_or(Hresult::RPC_E_DISCONNECTED)
    }

    /// Unmarshals a reference to one of this exporter's own objects, which
    /// `caller` passed back `[in]` (3.1.1.5.3): the references it carried
    /// are given back, and the object and interface are returned.
    pub fn unmarshal(
        &mut self,
        ipid: &Uuid,
        refs: u32,
        caller: Caller,
    ) -> Result<(Object, Uuid), Hresult> {
        let e = self.ipids.get(ipid).ok_or(Hresult::E_NOINTERFACE)?;
        let (oid, iid) = (e.oid, e.iid);
        let object = self
            .oids
            .get(&oid)
            .map(|o| o.object.clone())
            .ok_or(Hresult::E_NOINTERFACE)?;
        let back = RefChange {
            ipid: *ipid,
            public: refs,
            private: 0,
        };
        self.release(&[back], caller);
        Ok((object, iid))
    }

    /// RemQueryInterface (3.1.1.5.6.1.1): a result per IID, or
    /// RPC_E_INVALID_OBJECT for an unknown IPID and E_INVALIDARG for no
    /// references. An IID past `caller`'s reference limit gets E_OUTOFMEMORY.
    pub fn query_interface(
        &mut self,
        ipid: &Uuid,
        refs: u32,
        iids: &[Uuid],
        now: Instant,
        caller: Caller,
    ) -> Result<Vec<Result<STDOBJREF, Hresult>>, Hresult> {
        let oid = self
            .ipids
            .get(ipid)
            .map(|e| e.oid)
            .ok_or(Hresult::RPC_E_INVALID_OBJECT)?;
        // An interface with no references would never be released.
        if refs == 0 {
            return Err(Hresult::E_INVALIDARG);
        }
        let object = match self.oids.get_mut(&oid) {
            Some(o) => {
                o.last_seen = now;
                o.object.clone()
            }
            None => return Err(Hresult::RPC_E_INVALID_OBJECT),
        };
        Ok(iids
            .iter()
            .map(|iid| {
                if !object.implements(iid) {
                    Err(Hresult::E_NOINTERFACE)
                } else if !self.refs_allowed(caller, u64::from(refs)) {
                    Err(Hresult::E_OUTOFMEMORY)
                } else {
                    Ok(self.add_ipid(oid, *iid, refs, caller))
                }
            })
            .collect())
    }

    /// The references QueryInterface2 hands out, which has no count of its own.
    pub fn initial_refs(&self) -> u32 {
        self.initial_refs
    }

    /// RemAddRef (3.1.1.5.6.1.2): a result per reference. Private
    /// references belong to `caller`; past its limit, E_OUTOFMEMORY.
    pub fn add_ref(&mut self, changes: &[RefChange], caller: Caller) -> Vec<Hresult> {
        changes
            .iter()
            .map(|c| {
                let wanted = u64::from(c.public) + u64::from(c.private);
                if !self.ipids.contains_key(&c.ipid) {
                    return Hresult::CO_E_OBJNOTREG;
                }
                if !self.refs_allowed(caller, wanted) {
                    return Hresult::E_OUTOFMEMORY;
                }
                let Some(e) = self.ipids.get_mut(&c.ipid) else {
                    return Hresult::CO_E_OBJNOTREG;
                };
                let charged = e.take(caller, c.public, c.private);
                if let Some(client) = caller {
                    self.charge(client, 0, charged as i64);
                }
                Hresult::S_OK
            })
            .collect()
    }

    /// RemRelease (3.1.1.5.6.1.3): public references are released by
    /// whoever asks, private ones only by the client holding them, each
    /// clamped at what is held; an IPID with no references left is
    /// removed, and an object with no IPIDs left is released.
    pub fn release(&mut self, changes: &[RefChange], caller: Caller) {
        for c in changes {
            let Some(e) = self.ipids.get_mut(&c.ipid) else {
                continue;
            };
            let refunds = e.give_back(caller, c.public, c.private);
            let gone = e.unreferenced();
            for (client, n) in refunds {
                self.charge(client, 0, -(n as i64));
            }
            if gone {
                self.remove_ipid(&c.ipid);
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
        self.iids.contains_key(iid)
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
        for &oid in &dead {
            self.remove_oid(oid);
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

    fn change(ipid: Uuid, public: u32, private: u32) -> RefChange {
        RefChange {
            ipid,
            public,
            private,
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
    fn an_object_serves_each_interface_once_and_the_last_stub_given_wins() {
        let o = Object::new().with(Stub(A)).with(Stub(B)).with(Stub(A));
        let mut iids = o.interfaces();
        iids.sort();
        assert_eq!(iids, vec![A, B]);
        assert!(o.implements(&A) && o.implements(&IID_IUNKNOWN));
        assert!(!o.implements(&Uuid::from_u128(0xc)));
        assert!(o.stub(&B).is_some() && o.stub(&Uuid::from_u128(0xc)).is_none());
    }

    #[test]
    fn export_hands_out_five_public_references_on_a_random_ipid() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)), A, t, None)
            .expect("exports");
        assert_eq!((std.c_public_refs, std.oxid, std.flags), (5, e.oxid(), 0));
        assert!(e.lookup(&std.ipid, &A, t).is_ok());
        assert_eq!(
            e.lookup(&std.ipid, &B, t).err(),
            Some(Hresult::RPC_E_DISCONNECTED)
        );
        assert_eq!(
            e.export(Object::new(), A, t, None).err(),
            Some(Hresult::E_NOINTERFACE)
        );
    }

    #[test]
    fn query_interface_reuses_an_ipid_and_refuses_what_the_object_lacks() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)).with(Stub(B)), A, t, None)
            .expect("exports");
        let r = e
            .query_interface(&std.ipid, 2, &[B, A, Uuid::from_u128(9)], t, None)
            .expect("known");
        let b = r[0].as_ref().expect("B");
        assert_eq!((b.oid, b.c_public_refs), (std.oid, 2));
        assert_eq!(r[1].as_ref().expect("A").ipid, std.ipid, "A's IPID again");
        assert_eq!(r[2], Err(Hresult::E_NOINTERFACE));
        assert_eq!(
            e.query_interface(&Uuid::from_u128(77), 1, &[A], t, None)
                .err(),
            Some(Hresult::RPC_E_INVALID_OBJECT)
        );
    }

    #[test]
    fn releasing_every_reference_releases_the_object_and_more_is_clamped() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)), A, t, None)
            .expect("exports");
        let r = |public| change(std.ipid, public, 0);
        assert_eq!(e.add_ref(&[r(1)], None), [Hresult::S_OK]);
        e.release(&[r(3)], None);
        assert!(e.lookup(&std.ipid, &A, t).is_ok(), "3 of 6 left");
        e.release(&[r(100)], None);
        assert_eq!(e.objects(), 0);
        assert_eq!(
            e.lookup(&std.ipid, &A, t).err(),
            Some(Hresult::RPC_E_DISCONNECTED)
        );
        assert_eq!(e.add_ref(&[r(1)], None), [Hresult::CO_E_OBJNOTREG]);
    }

    #[test]
    fn objects_beyond_the_limit_are_refused_until_some_go() {
        let (e, t) = exporter();
        let mut e = e.with_limits(ObjectLimits {
            max_objects: 2,
            ..ObjectLimits::default()
        });
        let a = e
            .export(Object::new().with(Stub(A)), A, t, None)
            .expect("first");
        e.export(Object::new().with(Stub(A)), A, t, None)
            .expect("second");
        assert_eq!(
            e.export(Object::new().with(Stub(A)), A, t, None).err(),
            Some(Hresult::E_OUTOFMEMORY)
        );
        assert_eq!(
            e.export_many(Object::new().with(Stub(A)), &[A], t, None),
            [Err(Hresult::E_OUTOFMEMORY)]
        );
        e.release(&[change(a.ipid, 5, 0)], None);
        assert!(e.export(Object::new().with(Stub(A)), A, t, None).is_ok());
    }

    #[test]
    fn a_no_ping_object_says_so_and_is_never_reclaimed() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)).without_pinging(), A, t, None)
            .expect("exports");
        assert_eq!(std.flags, SORF_NOPING);
        assert!(e.reclaim(t + Duration::from_secs(86400)).is_empty());
    }

    #[test]
    fn unmarshaling_an_own_reference_gives_its_references_back() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)), A, t, None)
            .expect("exports");
        let (object, iid) = e.unmarshal(&std.ipid, 2, None).expect("ours");
        assert!(object.implements(&A) && iid == A);
        e.unmarshal(&std.ipid, 3, None).expect("ours");
        assert_eq!(e.objects(), 0, "all five references came back");
        assert!(e.unmarshal(&std.ipid, 1, None).is_err());
    }

    #[test]
    fn an_object_nobody_pings_is_reclaimed_after_three_periods_and_not_before() {
        let (mut e, t) = exporter();
        let period = Duration::from_secs(120);
        let lonely = e
            .export(Object::new().with(Stub(A)), A, t, None)
            .expect("exports");
        let pinged = e
            .export(Object::new().with(Stub(A)), A, t, None)
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
            Some(Hresult::RPC_E_DISCONNECTED)
        );
        assert!(e.lookup(&pinged.ipid, &A, t + period * 4).is_ok());
    }

    const ALICE: Caller = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)));
    const BOB: Caller = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2)));

    fn limited(limits: ObjectLimits) -> (Exporter, Instant) {
        let (e, t) = exporter();
        (e.with_limits(limits), t)
    }

    fn usage(e: &Exporter, c: Caller) -> Usage {
        e.usage(c.expect("a client"))
    }

    #[test]
    fn one_client_makes_a_limited_number_of_objects_and_others_are_not_held_back() {
        let (mut e, t) = limited(ObjectLimits {
            max_objects_per_client: 2,
            ..ObjectLimits::default()
        });
        let first = e
            .export(Object::new().with(Stub(A)), A, t, ALICE)
            .expect("1");
        e.export(Object::new().with(Stub(A)), A, t, ALICE)
            .expect("2");
        assert_eq!(
            e.export(Object::new().with(Stub(A)), A, t, ALICE).err(),
            Some(Hresult::E_OUTOFMEMORY)
        );
        assert!(e.export(Object::new().with(Stub(A)), A, t, BOB).is_ok());
        assert_eq!(usage(&e, ALICE).objects, 2);
        let all = change(first.ipid, 5, 0);
        e.release(&[all], ALICE);
        assert_eq!(
            usage(&e, ALICE).objects,
            1,
            "a released object is no longer charged"
        );
        assert!(e.export(Object::new().with(Stub(A)), A, t, ALICE).is_ok());
    }

    #[test]
    fn one_client_holds_a_limited_number_of_references() {
        let (mut e, t) = limited(ObjectLimits {
            max_refs_per_client: 8,
            ..ObjectLimits::default()
        });
        let std = e
            .export(Object::new().with(Stub(A)).with(Stub(B)), A, t, ALICE)
            .expect("five references");
        let r = |public, private| change(std.ipid, public, private);
        assert_eq!(
            e.add_ref(&[r(2, 1), r(1, 0)], ALICE),
            [Hresult::S_OK, Hresult::E_OUTOFMEMORY]
        );
        assert_eq!(usage(&e, ALICE).refs, 8);
        let qi = e
            .query_interface(&std.ipid, 1, &[B], t, ALICE)
            .expect("known");
        assert_eq!(qi, [Err(Hresult::E_OUTOFMEMORY)]);
        assert_eq!(
            e.add_ref(&[r(8, 0)], BOB),
            [Hresult::S_OK],
            "Bob has an allowance of his own"
        );
        e.release(&[r(3, 0)], ALICE);
        assert_eq!(usage(&e, ALICE).refs, 5);
        assert!(e
            .query_interface(&std.ipid, 1, &[B], t, ALICE)
            .expect("known")[0]
            .is_ok());
    }

    #[test]
    fn private_references_are_released_only_by_the_client_that_holds_them() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)), A, t, ALICE)
            .expect("exports");
        let r = |public, private| change(std.ipid, public, private);
        assert_eq!(e.add_ref(&[r(0, 2)], ALICE), [Hresult::S_OK]);
        e.release(&[r(5, 2)], BOB);
        assert!(
            e.lookup(&std.ipid, &A, t).is_ok(),
            "Bob released the public references, not Alice's private ones"
        );
        e.release(&[r(0, 2)], ALICE);
        assert_eq!(e.objects(), 0);
        assert_eq!(usage(&e, ALICE), Usage::default());
    }

    #[test]
    fn what_a_client_is_charged_goes_when_its_objects_are_reclaimed() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)).with(Stub(B)), A, t, ALICE)
            .expect("exports");
        e.query_interface(&std.ipid, 2, &[B], t, BOB)
            .expect("known");
        assert_eq!(usage(&e, BOB).refs, 2);
        e.reclaim(t + Duration::from_secs(1000));
        assert_eq!(e.objects(), 0);
        assert_eq!(
            (usage(&e, ALICE), usage(&e, BOB)),
            (Usage::default(), Usage::default())
        );
        assert!(e.clients.is_empty(), "no entry is left behind for a client");
    }

    #[test]
    fn an_interface_is_bindable_while_some_ipid_has_it_and_not_after() {
        let (mut e, t) = exporter();
        let one = e
            .export(Object::new().with(Stub(A)), A, t, None)
            .expect("one");
        let two = e
            .export(Object::new().with(Stub(A)), A, t, None)
            .expect("two");
        assert!(e.has_interface(&A) && !e.has_interface(&B));
        let all = |std: STDOBJREF| change(std.ipid, 5, 0);
        e.release(&[all(one)], None);
        assert!(e.has_interface(&A), "the second object still has it");
        e.release(&[all(two)], None);
        assert!(!e.has_interface(&A));
        e.export(Object::new().with(Stub(A)), A, t, None)
            .expect("three");
        e.reclaim(t + Duration::from_secs(1000));
        assert!(!e.has_interface(&A) && e.iids.is_empty());
    }

    fn holders(e: &Exporter, ipid: &Uuid) -> usize {
        e.ipids.get(ipid).map_or(0, |i| i.holdings.len())
    }

    #[test]
    fn public_references_released_by_another_client_are_refunded_to_their_taker() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)), A, t, None)
            .expect("exports");
        let r = |public| change(std.ipid, public, 0);
        assert_eq!(e.add_ref(&[r(5)], ALICE), [Hresult::S_OK]);
        // Alice handed her references to Bob, who releases them.
        e.release(&[r(5)], BOB);
        assert_eq!(
            usage(&e, ALICE),
            Usage::default(),
            "nothing is left charged"
        );
        assert!(
            e.lookup(&std.ipid, &A, t).is_ok(),
            "the server's own five remain"
        );
    }

    #[test]
    fn taking_no_references_leaves_no_trace() {
        let (mut e, t) = exporter();
        let std = e
            .export(Object::new().with(Stub(A)), A, t, None)
            .expect("exports");
        let none = change(std.ipid, 0, 0);
        assert_eq!(e.add_ref(&[none], ALICE), [Hresult::S_OK]);
        assert_eq!(holders(&e, &std.ipid), 0);
        assert!(e.clients.is_empty());
        assert_eq!(
            e.query_interface(&std.ipid, 0, &[A], t, ALICE),
            Err(Hresult::E_INVALIDARG),
            "an interface with no references would never be released"
        );
    }

    #[test]
    fn a_client_is_charged_what_was_added_when_counts_saturate() {
        let (mut e, t) = limited(ObjectLimits {
            max_refs_per_client: u64::MAX,
            ..ObjectLimits::default()
        });
        let std = e
            .export(Object::new().with(Stub(A)), A, t, None)
            .expect("exports");
        let most = change(std.ipid, u32::MAX, u32::MAX);
        e.add_ref(&[most, most], ALICE);
        let public_room = u64::from(u32::MAX - 5);
        assert_eq!(usage(&e, ALICE).refs, public_room + u64::from(u32::MAX));
        e.release(&[most, most], ALICE);
        assert_eq!(usage(&e, ALICE), Usage::default());
    }
}
