//! The object resolver's ping sets (MS-DCOM 3.1.2.5.1.2, 3.1.2.5.1.3):
//! a client names the OIDs it holds once, then pings the set; each ping
//! keeps them alive. Plain data with the time passed in.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::time::{Duration, Instant};

use super::exporter::{random_id, Caller};
use super::hresult;

struct PingSet {
    oids: HashSet<u64>,
    seq: u16,
    last: Instant,
    /// The client that made the set.
    owner: Caller,
}

/// The default of [`PingSets::with_max_sets_per_client`].
pub const DEFAULT_MAX_SETS_PER_CLIENT: usize = 16;

/// The SETID table.
pub struct PingSets {
    period: Duration,
    sets: HashMap<u64, PingSet>,
    /// Bounds what one set can make the resolver hold.
    max_oids: usize,
    /// Bounds how many sets one client holds: a set costs up to
    /// `max_oids` entries, and ComplexPing makes one per call.
    max_sets_per_client: usize,
    sets_of: HashMap<IpAddr, usize>,
}

impl PingSets {
    /// An empty table whose sets expire after three `period`s unpinged.
    pub fn new(period: Duration) -> PingSets {
        PingSets {
            period,
            sets: HashMap::new(),
            max_oids: 1 << 16,
            max_sets_per_client: DEFAULT_MAX_SETS_PER_CLIENT,
            sets_of: HashMap::new(),
        }
    }

    /// Limits the sets one client holds at once.
    pub fn with_max_sets_per_client(mut self, max: usize) -> PingSets {
        self.max_sets_per_client = max;
        self
    }

    /// How many sets `client` holds.
    pub fn sets_of(&self, client: IpAddr) -> usize {
        self.sets_of.get(&client).copied().unwrap_or(0)
    }

    /// SimplePing: the OIDs the set keeps alive, or OR_INVALID_SET.
    pub fn simple_ping(&mut self, setid: u64, now: Instant) -> Result<Vec<u64>, u32> {
        let s = self.sets.get_mut(&setid).ok_or(hresult::OR_INVALID_SET)?;
        s.last = now;
        Ok(s.oids.iter().copied().collect())
    }

    /// ComplexPing: creates a set (SETID 0) or changes one. `known` says
    /// whether an OID exists. Returns the SETID and the OIDs to keep alive.
    ///
    /// A set's stored sequence number newer than the request's makes the
    /// request a stale one, answered with success and no change. Unknown
    /// OIDs in DelFromSet are ignored: impacket, for one, sends OXIDs there.
    /// A new set beyond the `caller`'s limit is refused with E_OUTOFMEMORY.
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
    ) -> Result<(u64, Vec<u64>), u32> {
        if setid == 0 {
            if caller.is_some_and(|c| self.sets_of(c) >= self.max_sets_per_client) {
                return Err(hresult::E_OUTOFMEMORY);
            }
            let id = random_id();
            let oids: HashSet<u64> = add.iter().copied().filter(|o| known(*o)).collect();
            if oids.len() > self.max_oids {
                return Err(hresult::E_INVALIDARG);
            }
            let alive = oids.iter().copied().collect();
            self.sets.insert(
                id,
                PingSet {
                    oids,
                    seq,
                    last: now,
                    owner: caller,
                },
            );
            if let Some(c) = caller {
                *self.sets_of.entry(c).or_default() += 1;
            }
            return Ok((id, alive));
        }
        let s = self.sets.get_mut(&setid).ok_or(hresult::OR_INVALID_SET)?;
        if s.seq > seq {
            return Ok((setid, Vec::new()));
        }
        for oid in add {
            if !s.oids.contains(oid) {
                if !known(*oid) {
                    return Err(hresult::OR_INVALID_OID);
                }
                if s.oids.len() >= self.max_oids {
                    return Err(hresult::E_INVALIDARG);
                }
                s.oids.insert(*oid);
            }
        }
        for oid in del {
            s.oids.remove(oid);
        }
        s.seq = seq;
        s.last = now;
        Ok((setid, s.oids.iter().copied().collect()))
    }

    /// Drops sets not pinged for three periods (3.1.2.6).
    pub fn expire(&mut self, now: Instant) {
        let limit = self.period * 3;
        let sets_of = &mut self.sets_of;
        self.sets.retain(|_, s| {
            let alive = now.saturating_duration_since(s.last) <= limit;
            if let (false, Some(c)) = (alive, s.owner) {
                if let Some(n) = sets_of.get_mut(&c) {
                    *n -= 1;
                    if *n == 0 {
                        sets_of.remove(&c);
                    }
                }
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
        assert_eq!(p.simple_ping(id + 1, t), Err(hresult::OR_INVALID_SET));
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
            Err(hresult::OR_INVALID_OID)
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
        assert_eq!(p.simple_ping(id, t), Err(hresult::OR_INVALID_SET));
    }

    #[test]
    fn one_client_holds_a_limited_number_of_sets_and_regains_them_as_they_expire() {
        let period = Duration::from_secs(120);
        let mut p = PingSets::new(period).with_max_sets_per_client(2);
        let t = Instant::now();
        let (a, b) = (Some([192, 0, 2, 1].into()), Some([192, 0, 2, 2].into()));
        for _ in 0..2 {
            p.complex_ping(0, 0, &[], &[], &|_| true, t, a)
                .expect("within the limit");
        }
        assert_eq!(
            p.complex_ping(0, 0, &[], &[], &|_| true, t, a),
            Err(hresult::E_OUTOFMEMORY)
        );
        assert!(
            p.complex_ping(0, 0, &[], &[], &|_| true, t, b).is_ok(),
            "another client"
        );
        p.expire(t + period * 4);
        assert!(p.is_empty());
        assert_eq!(p.sets_of([192, 0, 2, 1].into()), 0);
        assert!(p.complex_ping(0, 0, &[], &[], &|_| true, t, a).is_ok());
    }
}
