//! The object resolver's ping sets (MS-DCOM 3.1.2.5.1.2, 3.1.2.5.1.3):
//! a client names the OIDs it holds once, then pings the set; each ping
//! keeps them alive. Plain data with the time passed in.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::exporter::random_id;
use super::hresult;

struct PingSet {
    oids: HashSet<u64>,
    seq: u16,
    last: Instant,
}

/// The SETID table.
pub struct PingSets {
    period: Duration,
    sets: HashMap<u64, PingSet>,
    /// Bounds what one client can make the resolver hold.
    max_oids: usize,
}

impl PingSets {
    /// An empty table whose sets expire after three `period`s unpinged.
    pub fn new(period: Duration) -> PingSets {
        PingSets {
            period,
            sets: HashMap::new(),
            max_oids: 1 << 16,
        }
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
    pub fn complex_ping(
        &mut self,
        setid: u64,
        seq: u16,
        add: &[u64],
        del: &[u64],
        known: &dyn Fn(u64) -> bool,
        now: Instant,
    ) -> Result<(u64, Vec<u64>), u32> {
        if setid == 0 {
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
                },
            );
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
        self.sets
            .retain(|_, s| now.saturating_duration_since(s.last) <= limit);
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
            .complex_ping(0, 0, &[1, 2, 99], &[], &|o| o < 10, t)
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
        let (id, _) = p.complex_ping(0, 1, &[1], &[], &|_| true, t).expect("set");
        let (same, mut alive) = p
            .complex_ping(id, 2, &[2], &[1, 0xdead], &|_| true, t)
            .expect("change");
        alive.sort();
        assert_eq!((same, alive), (id, vec![2]));
        assert_eq!(
            p.complex_ping(id, 3, &[7], &[], &|o| o != 7, t),
            Err(hresult::OR_INVALID_OID)
        );
        // A stale sequence number changes nothing.
        let (_, none) = p
            .complex_ping(id, 1, &[5], &[], &|_| true, t)
            .expect("stale");
        assert!(none.is_empty());
        assert_eq!(p.simple_ping(id, t).expect("set"), [2]);
    }

    #[test]
    fn a_set_nobody_pings_for_three_periods_expires() {
        let period = Duration::from_secs(120);
        let mut p = PingSets::new(period);
        let t = Instant::now();
        let (id, _) = p.complex_ping(0, 0, &[1], &[], &|_| true, t).expect("set");
        p.expire(t + period * 3);
        assert_eq!(p.len(), 1);
        p.expire(t + period * 3 + Duration::from_millis(1));
        assert_eq!(p.simple_ping(id, t), Err(hresult::OR_INVALID_SET));
    }
}
