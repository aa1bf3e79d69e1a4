//! The object resolver's ping sets (MS-DCOM 3.1.2.5.1.2, 3.1.2.5.1.3):
//! a client names the OIDs it holds once, then pings the set; each ping
//! keeps them alive. Plain data with the time passed in.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::exporter::{random_id, Caller};
use crate::Hresult;

struct PingSet {
    oids: HashSet<u64>,
    seq: u16,
    last: Instant,
    /// The client that made the set.
    owner: Caller,
}

/// What the resolver holds for one client at most. A client process
/// usually keeps one set per server, so one address may well hold many;
/// what bounds the memory is the OIDs they name together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PingLimits {
    /// Ping sets of one client: 4096 by default.
    pub sets_per_client: usize,
    /// OIDs one client's sets name, all together: 1 << 18 by default.
    pub oids_per_client: usize,
}

impl Default for PingLimits {
    fn default() -> PingLimits {
        PingLimits {
            sets_per_client: 4096,
            oids_per_client: 1 << 18,
        }
    }
}

/// What one client's sets hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct SetUsage {
    sets: usize,
    oids: usize,
}

/// The SETID table.
pub struct PingSets {
    period: Duration,
    sets: HashMap<u64, PingSet>,
    /// Bounds what one set can make the resolver hold.
    max_oids: usize,
    limits: PingLimits,
    usage: HashMap<IpAddr, SetUsage>,
}

impl PingSets {
    /// An empty table whose sets expire after three `period`s unpinged.
    pub fn new(period: Duration) -> PingSets {
        PingSets {
            period,
            sets: HashMap::new(),
            max_oids: 1 << 16,
            limits: PingLimits::default(),
            usage: HashMap::new(),
        }
    }

    /// Sets what one client's sets hold at most.
    pub fn with_limits(mut self, limits: PingLimits) -> PingSets {
        self.limits = limits;
        self
    }

    /// How many sets `client` holds, and how many OIDs they name.
    pub fn usage_of(&self, client: IpAddr) -> (usize, usize) {
        let u = self.usage.get(&client).copied().unwrap_or_default();
        (u.sets, u.oids)
    }

    fn charge(usage: &mut HashMap<IpAddr, SetUsage>, owner: Caller, sets: isize, oids: isize) {
        let Some(c) = owner else { return };
        let u = usage.entry(c).or_default();
        u.sets = u.sets.saturating_add_signed(sets);
        u.oids = u.oids.saturating_add_signed(oids);
        if *u == SetUsage::default() {
            usage.remove(&c);
        }
    }

    /// Whether `owner` may hold `sets` more sets naming `oids` more OIDs.
    fn allows(&self, owner: Caller, sets: usize, oids: usize) -> bool {
        owner.is_none_or(|c| {
            let u = self.usage.get(&c).copied().unwrap_or_default();
            u.sets + sets <= self.limits.sets_per_client
                && u.oids + oids <= self.limits.oids_per_client
        })
    }

    /// SimplePing: the OIDs the set keeps alive, or OR_INVALID_SET.
    pub fn simple_ping(&mut self, setid: u64, now: Instant) -> Result<Vec<u64>, Hresult> {
        let s = self.sets.get_mut(&setid).ok_or(Hresult::OR_INVALID_SET)?;
        s.last = now;
        Ok(s.oids.iter().copied().collect())
    }

    /// ComplexPing: creates a set (SETID 0) or changes one. `known` says
    /// whether an OID exists. Returns the SETID and the OIDs to keep alive.
    ///
    /// A set's stored sequence number newer than the request's makes the
    /// request a stale one, answered with success and no change. Unknown
    /// OIDs in DelFromSet are ignored: impacket, for one, sends OXIDs there.
    /// A change past the limits of the set's owner is refused whole, with
    /// E_OUTOFMEMORY, as is one naming an OID that does not exist
    /// (OR_INVALID_OID).
    #[allow(clippy::too_many_arguments)] // ComplexPing's own arguments, and the clock
    pub fn complex_ping(
        &mut self,
        setid: u64,
        seq: u16,
        add: &[u64],
        del: &[u64],
        known: &dyn Fn(u64) -> bool,
        now: Instant,
        caller: Caller,
    ) -> Result<(u64, Vec<u64>), Hresult> {
        if setid == 0 {
            let oids: HashSet<u64> = add.iter().copied().filter(|o| known(*o)).collect();
            if oids.len() > self.max_oids {
                return Err(Hresult::E_INVALIDARG);
            }
            if !self.allows(caller, 1, oids.len()) {
                return Err(Hresult::E_OUTOFMEMORY);
            }
            let id = random_id();
            let alive = oids.iter().copied().collect();
            Self::charge(&mut self.usage, caller, 1, oids.len() as isize);
            self.sets.insert(
                id,
                PingSet {
                    oids,
                    seq,
                    last: now,
                    owner: caller,
                },
            );
            return Ok((id, alive));
        }
        let s = self.sets.get(&setid).ok_or(Hresult::OR_INVALID_SET)?;
        if s.seq > seq {
            return Ok((setid, Vec::new()));
        }
        let new: HashSet<u64> = add
            .iter()
            .copied()
            .filter(|o| !s.oids.contains(o))
            .collect();
        if new.iter().any(|o| !known(*o)) {
            return Err(Hresult::OR_INVALID_OID);
        }
        if s.oids.len() + new.len() > self.max_oids {
            return Err(Hresult::E_INVALIDARG);
        }
        let owner = s.owner;
        if !self.allows(owner, 0, new.len()) {
            return Err(Hresult::E_OUTOFMEMORY);
        }
        let Some(s) = self.sets.get_mut(&setid) else {
            return Err(Hresult::OR_INVALID_SET);
        };
        let before = s.oids.len();
        s.oids.extend(new);
        for oid in del {
            s.oids.remove(oid);
        }
        s.seq = seq;
        s.last = now;
        let grown = s.oids.len() as isize - before as isize;
        let alive = s.oids.iter().copied().collect();
        Self::charge(&mut self.usage, owner, 0, grown);
        Ok((setid, alive))
    }

    /// Drops sets not pinged for three periods (3.1.2.6).
    pub fn expire(&mut self, now: Instant) {
        let limit = self.period * 3;
        let usage = &mut self.usage;
        self.sets.retain(|_, s| {
            let alive = now.saturating_duration_since(s.last) <= limit;
            if !alive {
                Self::charge(usage, s.owner, -1, -(s.oids.len() as isize));
            }
            alive
        });
    }

    /// How many ping sets are alive.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// Whether no ping set is alive.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_set_keeps_the_known_oids_alive_and_simple_ping_repeats_them() {
        let mut p = PingSets::new(Duration::from_secs(120));
        let t = Instant::now();
        let (id, alive) = p
            .complex_ping(0, 0, &[1, 2, 99], &[], &|o| o < 10, t, None)
            .expect("new set");
        assert_ne!(id, 0);
        let mut alive = alive;
        alive.sort();
        assert_eq!(alive, [1, 2]);
        let mut again = p.simple_ping(id, t).expect("known set");
        again.sort();
        assert_eq!(again, [1, 2]);
        assert_eq!(p.simple_ping(id + 1, t), Err(Hresult::OR_INVALID_SET));
    }

    #[test]
    fn complex_ping_adds_and_deletes_and_refuses_unknown_oids_to_add() {
        let mut p = PingSets::new(Duration::from_secs(120));
        let t = Instant::now();
        let (id, _) = p
            .complex_ping(0, 1, &[1], &[], &|_| true, t, None)
            .expect("set");
        let (same, mut alive) = p
            .complex_ping(id, 2, &[2], &[1, 0xdead], &|_| true, t, None)
            .expect("change");
        alive.sort();
        assert_eq!((same, alive), (id, vec![2]));
        assert_eq!(
            p.complex_ping(id, 3, &[7], &[], &|o| o != 7, t, None),
            Err(Hresult::OR_INVALID_OID)
        );
        // A stale sequence number changes nothing.
        let (_, none) = p
            .complex_ping(id, 1, &[5], &[], &|_| true, t, None)
            .expect("stale");
        assert!(none.is_empty());
        assert_eq!(p.simple_ping(id, t).expect("set"), [2]);
    }

    #[test]
    fn a_set_nobody_pings_for_three_periods_expires() {
        let period = Duration::from_secs(120);
        let mut p = PingSets::new(period);
        let t = Instant::now();
        let (id, _) = p
            .complex_ping(0, 0, &[1], &[], &|_| true, t, None)
            .expect("set");
        p.expire(t + period * 3);
        assert_eq!(p.len(), 1);
        p.expire(t + period * 3 + Duration::from_millis(1));
        assert_eq!(p.simple_ping(id, t), Err(Hresult::OR_INVALID_SET));
    }

    #[test]
    fn one_client_is_held_to_its_sets_and_oids_and_regains_them_as_they_expire() {
        let period = Duration::from_secs(120);
        let limits = PingLimits {
            sets_per_client: 2,
            oids_per_client: 3,
        };
        let mut p = PingSets::new(period).with_limits(limits);
        let t = Instant::now();
        let (a, b) = (Some([192, 0, 2, 1].into()), Some([192, 0, 2, 2].into()));
        let ping = |p: &mut PingSets, set, seq, add: &[u64], who| {
            p.complex_ping(set, seq, add, &[], &|_| true, t, who)
        };
        let (first, _) = ping(&mut p, 0, 0, &[1, 2], a).expect("within the limits");
        assert_eq!(
            ping(&mut p, 0, 0, &[3, 4], a),
            Err(Hresult::E_OUTOFMEMORY),
            "four OIDs"
        );
        ping(&mut p, 0, 0, &[3], a).expect("a second set, three OIDs");
        assert_eq!(
            ping(&mut p, 0, 0, &[], a),
            Err(Hresult::E_OUTOFMEMORY),
            "a third set"
        );
        assert_eq!(
            ping(&mut p, first, 1, &[5], a),
            Err(Hresult::E_OUTOFMEMORY),
            "growing a set"
        );
        assert!(ping(&mut p, 0, 0, &[1, 2, 3], b).is_ok(), "another client");
        assert_eq!(p.usage_of([192, 0, 2, 1].into()), (2, 3));
        p.expire(t + period * 4);
        assert!(p.is_empty());
        assert_eq!(p.usage_of([192, 0, 2, 1].into()), (0, 0));
        assert!(p.usage.is_empty());
    }

    #[test]
    fn a_refused_change_leaves_the_set_as_it_was() {
        let mut p = PingSets::new(Duration::from_secs(120));
        let t = Instant::now();
        let (id, _) = p
            .complex_ping(0, 0, &[1], &[], &|_| true, t, None)
            .expect("set");
        let r = p.complex_ping(id, 1, &[2, 9], &[1], &|o| o != 9, t, None);
        assert_eq!(r, Err(Hresult::OR_INVALID_OID));
        assert_eq!(
            p.simple_ping(id, t),
            Ok(vec![1]),
            "neither 2 added nor 1 removed"
        );
    }
}
