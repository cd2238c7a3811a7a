//! The second-level software TLB: a large, direct-mapped cache of translations from guest
//! virtual pages to *machine* pages, per virtual CPU. A hardware TLB miss that hits here is
//! served without running the guest's refill handler; the guest's own (virtual) TLB is only
//! consulted, and the miss forwarded to the guest, when this misses (paper §4.2.2).
//!
//! Entries are tagged by VPN2 and ASID; global entries match any ASID. A slot is chosen by a
//! hash of the VPN2 *and* the ASID (global entries hash under a tag of their own), so the
//! address spaces of a multiprogrammed guest — whose processes all use the same virtual
//! addresses — do not evict each other: keyed by the page alone, a dozen processes
//! time-sharing a virtual CPU thrashed the cache whatever its size. A lookup probes the slot
//! of its ASID, then the global one.
//!
//! It is a cache: it may forget an entry at any time (a conflicting insert), but it never
//! returns a translation the guest has since replaced or invalidated — the monitor invalidates
//! it whenever the guest's TLB changes.

/// The hash tag of global entries (ASIDs are 0–255).
const GLOBAL: u32 = 256;

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

    /// The slot of `vpn2` under `tag` (an ASID, or [`GLOBAL`]).
    fn slot(&self, vpn2: u32, tag: u32) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        // A multiplicative hash spreads neighbouring pages over distinct slots (a scene or an
        // array of many pages does not collide with itself, as it would under a random
        // hash); each address space's pages are that same layout turned by an offset of its
        // own.
        let page = (vpn2.wrapping_mul(0x9E37_79B1) >> 7) as usize;
        let space = (tag.wrapping_add(1).wrapping_mul(0x85EB_CA6B) >> 11) as usize;
        Some(page.wrapping_add(space) % self.slots.len())
    }

    /// The slot holding `vpn2`'s entry for `asid` (not a global one), if any.
    fn find(&self, vpn2: u32, asid: u8) -> Option<usize> {
        self.slot(vpn2, u32::from(asid)).filter(|&i| {
            self.slots[i].is_some_and(|e| e.vpn2 == vpn2 && !e.global && e.asid == asid)
        })
    }

    /// The slot holding `vpn2`'s global entry, if any.
    fn find_global(&self, vpn2: u32) -> Option<usize> {
        self.slot(vpn2, GLOBAL)
            .filter(|&i| self.slots[i].is_some_and(|e| e.vpn2 == vpn2 && e.global))
    }

    /// Empties slot `i` if there is one.
    fn clear(&mut self, i: Option<usize>) {
        if let Some(i) = i {
            self.slots[i] = None;
        }
    }

    /// The translation of `va` for `asid`.
    pub fn lookup(&mut self, va: u32, asid: u8) -> Option<L2Entry> {
        let vpn2 = va >> 13;
        let hit =
            self.find(vpn2, asid).or_else(|| self.find_global(vpn2)).and_then(|i| self.slots[i]);
        if hit.is_some() {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
        hit
    }

    /// Caches a translation (replacing whatever shared its slot). A global entry replaces the
    /// page's translation in every address space, a private one the global one.
    pub fn insert(&mut self, e: L2Entry) {
        if e.global {
            self.invalidate_all_asids(e.vpn2);
        } else {
            let g = self.find_global(e.vpn2);
            self.clear(g);
        }
        let tag = if e.global { GLOBAL } else { u32::from(e.asid) };
        if let Some(i) = self.slot(e.vpn2, tag) {
            self.slots[i] = Some(e);
        }
    }

    /// Forgets the translation of `va`'s pair for `asid` (and a global one).
    pub fn invalidate(&mut self, va: u32, asid: u8) {
        let vpn2 = va >> 13;
        let (mine, global) = (self.find(vpn2, asid), self.find_global(vpn2));
        self.clear(mine);
        self.clear(global);
    }

    /// Forgets every translation of `vpn2` under any ASID (257 probes: for global entries
    /// and shootdowns, which do not know the address space).
    pub fn invalidate_all_asids(&mut self, vpn2: u32) {
        for asid in 0..=u8::MAX {
            let i = self.find(vpn2, asid);
            self.clear(i);
        }
        let g = self.find_global(vpn2);
        self.clear(g);
    }

    /// Points the cached translation of the 4 KB page `vpn` (va >> 12) under `asid` at another
    /// machine page: if the pair's entry is there and that half is valid and names machine
    /// frame `from`, its EntryLo becomes `to(lo)`. False (and the pair is dropped) if the entry
    /// is there but names something else; false if there is none.
    pub fn retarget(&mut self, vpn: u32, asid: u8, from: u32, to: impl Fn(u32) -> u32) -> bool {
        let vpn2 = vpn >> 1;
        let Some(i) = self.find(vpn2, asid).or_else(|| self.find_global(vpn2)) else {
            return false;
        };
        let Some(e) = self.slots[i].as_mut() else { return false };
        let lo = if vpn & 1 == 0 { &mut e.lo0 } else { &mut e.lo1 };
        if *lo & 2 != 0 && *lo >> 6 == from {
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
        assert!(!t.retarget(10, 4, 7, to), "no entry in address space 4");
        assert!(t.lookup(5 << 13, 3).is_some(), "address space 3's entry is not 4's to drop");
    }

    #[test]
    fn address_spaces_mapping_the_same_page_do_not_evict_each_other() {
        // Twelve processes of one program: the same virtual pages, twelve ASIDs.
        let mut t = L2Tlb::new(4096);
        for asid in 0..12u8 {
            for vpn2 in 0x200..0x240 {
                t.insert(L2Entry { vpn2, asid, global: false, lo0: u32::from(asid), lo1: vpn2 });
            }
        }
        let kept = (0..12u8)
            .flat_map(|a| (0x200..0x240u32).map(move |v| (a, v)))
            .filter(|&(a, v)| t.lookup(v << 13, a).is_some_and(|e| e.lo0 == u32::from(a)))
            .count();
        // 768 entries in 4 096 slots: a few collide, most stay.
        assert!(kept > 600, "{kept} of 768 kept");
        t.invalidate(0x200 << 13, 5);
        assert_eq!(t.lookup(0x200 << 13, 5), None);
        assert!(t.lookup(0x200 << 13, 6).is_some() || t.lookup(0x200 << 13, 7).is_some());
    }
}
