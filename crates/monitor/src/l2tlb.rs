//! The second-level software TLB: a large, direct-mapped cache of translations from guest
//! virtual pages to *machine* pages, per virtual CPU. A hardware TLB miss that hits here is
//! served without running the guest's refill handler; the guest's own (virtual) TLB is only
//! consulted, and the miss forwarded to the guest, when this misses (paper §4.2.2).
//!
//! Entries are tagged by VPN2 and ASID; global entries match any ASID. It is a cache: it may
//! forget an entry at any time (a conflicting insert), but it never returns a translation the
//! guest has since replaced or invalidated — the monitor invalidates it whenever the guest's
//! TLB changes.

/// A cached translation of an even/odd page pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct L2Entry {
    /// VPN2 (va >> 13).
    pub vpn2: u32,
    /// ASID (ignored if `global`).
    pub asid: u8,
    /// Matches any ASID.
    pub global: bool,
    /// Machine EntryLo of the even page.
    pub lo0: u32,
    /// Machine EntryLo of the odd page.
    pub lo1: u32,
}

/// The cache.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct L2Tlb {
    slots: Vec<Option<L2Entry>>,
    /// Lookups that hit.
    pub hits: u64,
    /// Lookups that missed.
    pub misses: u64,
}

impl L2Tlb {
    /// A cache of `entries` slots (0 disables it: every lookup misses).
    pub fn new(entries: u32) -> L2Tlb {
        L2Tlb { slots: vec![None; entries as usize], hits: 0, misses: 0 }
    }

    fn slot(&self, vpn2: u32) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        // A multiplicative hash spreads neighbouring pages.
        Some((vpn2.wrapping_mul(0x9E37_79B1) >> 7) as usize % self.slots.len())
    }

    /// The translation of `va` for `asid`.
    pub fn lookup(&mut self, va: u32, asid: u8) -> Option<L2Entry> {
        let vpn2 = va >> 13;
        let hit = self
            .slot(vpn2)
            .and_then(|i| self.slots[i])
            .filter(|e| e.vpn2 == vpn2 && (e.global || e.asid == asid));
        if hit.is_some() {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
        hit
    }

    /// Caches a translation (replacing whatever shared its slot).
    pub fn insert(&mut self, e: L2Entry) {
        if let Some(i) = self.slot(e.vpn2) {
            self.slots[i] = Some(e);
        }
    }

    /// Forgets the translation of `va`'s pair for `asid` (and a global one).
    pub fn invalidate(&mut self, va: u32, asid: u8) {
        let vpn2 = va >> 13;
        if let Some(i) = self.slot(vpn2)
            && self.slots[i].is_some_and(|e| e.vpn2 == vpn2 && (e.global || e.asid == asid))
        {
            self.slots[i] = None;
        }
    }

    /// Forgets every translation of `vpn2` under any ASID.
    pub fn invalidate_all_asids(&mut self, vpn2: u32) {
        if let Some(i) = self.slot(vpn2)
            && self.slots[i].is_some_and(|e| e.vpn2 == vpn2)
        {
            self.slots[i] = None;
        }
    }

    /// Points the cached translation of the 4 KB page `vpn` (va >> 12) under `asid` at another
    /// machine page: if the pair's entry is there and that half is valid and names machine
    /// frame `from`, its EntryLo becomes `to(lo)`. False (and the pair is dropped) if the entry
    /// is there but names something else; false if there is none.
    pub fn retarget(&mut self, vpn: u32, asid: u8, from: u32, to: impl Fn(u32) -> u32) -> bool {
        let vpn2 = vpn >> 1;
        let Some(i) = self.slot(vpn2) else { return false };
        let Some(e) = self.slots[i].as_mut().filter(|e| e.vpn2 == vpn2) else { return false };
        let lo = if vpn & 1 == 0 { &mut e.lo0 } else { &mut e.lo1 };
        if (e.global || e.asid == asid) && *lo & 2 != 0 && *lo >> 6 == from {
            *lo = to(*lo);
            true
        } else {
            self.slots[i] = None;
            false
        }
    }

    /// The cached translations.
    pub fn entries(&self) -> impl Iterator<Item = &L2Entry> {
        self.slots.iter().flatten()
    }

    /// Forgets everything.
    pub fn flush(&mut self) {
        self.slots.fill(None);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    #[derive(Clone, Debug)]
    enum Op {
        Insert(u32, u8, bool, u32),
        Lookup(u32, u8),
        Invalidate(u32, u8),
        Flush,
    }

    fn op() -> impl Strategy<Value = Op> {
        let vpn2 = 0u32..64;
        prop_oneof![
            4 => (vpn2.clone(), 0u8..3, prop::bool::weighted(0.2), any::<u32>()).prop_map(|(v, a, g, lo)| Op::Insert(v, a, g, lo)),
            6 => (vpn2.clone(), 0u8..3).prop_map(|(v, a)| Op::Lookup(v, a)),
            2 => (vpn2, 0u8..3).prop_map(|(v, a)| Op::Invalidate(v, a)),
            1 => Just(Op::Flush),
        ]
    }

    proptest! {
        /// A naive oracle: a map of everything inserted and not invalidated. The cache may
        /// miss where the oracle has an entry (it forgets), but a hit must be exactly the
        /// oracle's latest entry for that page and ASID.
        #[test]
        fn never_returns_a_stale_translation(ops in prop::collection::vec(op(), 1..300), size in 1u32..40) {
            let mut t = L2Tlb::new(size);
            let mut oracle: HashMap<(u32, Option<u8>), u32> = HashMap::new();
            for o in ops {
                match o {
                    Op::Insert(v, a, g, lo) => {
                        // An insert replaces the pair's translation for that ASID (and a
                        // global insert replaces every ASID's view).
                        if g {
                            oracle.retain(|k, _| k.0 != v);
                        } else {
                            oracle.remove(&(v, None));
                        }
                        oracle.insert((v, if g { None } else { Some(a) }), lo);
                        t.insert(L2Entry { vpn2: v, asid: a, global: g, lo0: lo, lo1: !lo });
                    }
                    Op::Lookup(v, a) => {
                        if let Some(e) = t.lookup(v << 13, a) {
                            let want = oracle.get(&(v, Some(a))).or_else(|| oracle.get(&(v, None)));
                            prop_assert_eq!(Some(&e.lo0), want, "vpn2 {} asid {}", v, a);
                            prop_assert_eq!(e.lo1, !e.lo0);
                        }
                    }
                    Op::Invalidate(v, a) => {
                        oracle.remove(&(v, Some(a)));
                        oracle.remove(&(v, None));
                        t.invalidate(v << 13, a);
                    }
                    Op::Flush => {
                        oracle.clear();
                        t.flush();
                    }
                }
            }
        }
    }

    #[test]
    fn disabled_cache_always_misses() {
        let mut t = L2Tlb::new(0);
        t.insert(L2Entry { vpn2: 1, asid: 0, global: true, lo0: 1, lo1: 1 });
        assert_eq!(t.lookup(1 << 13, 0), None);
        assert_eq!(t.misses, 1);
    }

    #[test]
    fn retarget_repoints_one_half_of_the_pair_that_names_the_old_page() {
        let mut t = L2Tlb::new(64);
        // vpn2 5: the even page (vpn 10) is machine frame 7, the odd one (vpn 11) frame 9.
        let (even, odd) = (7 << 6 | 0b110, 9 << 6 | 0b110);
        t.insert(L2Entry { vpn2: 5, asid: 3, global: false, lo0: even, lo1: odd });
        let to = |lo: u32| 40 << 6 | (lo & 0b011);
        assert!(t.retarget(10, 3, 7, to), "the even half named frame 7");
        let e = t.lookup(5 << 13, 3).expect("kept");
        assert_eq!((e.lo0, e.lo1), (40 << 6 | 0b010, odd), "the odd half untouched");
        assert!(!t.retarget(12, 3, 7, to), "no entry for vpn 12");
        assert!(!t.retarget(11, 3, 7, to), "the odd half names frame 9, not 7: the pair goes");
        assert_eq!(t.lookup(5 << 13, 3), None);
        t.insert(L2Entry { vpn2: 5, asid: 3, global: false, lo0: even, lo1: odd });
        assert!(!t.retarget(10, 4, 7, to), "another address space's entry: the pair goes");
        assert_eq!(t.lookup(5 << 13, 3), None);
    }
}
