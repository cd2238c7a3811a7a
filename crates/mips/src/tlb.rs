//! The software-managed TLB: entry pairs mapping an even and an odd virtual page, matched by
//! VPN2 under a page mask and by ASID unless global. Software fills it (TLBWI/TLBWR); the CPU
//! only looks things up.

/// One TLB entry pair, as TLBR/TLBWI see it through the CP0 registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TlbEntry {
    /// EntryHi: VPN2 (bits 31..13) and ASID (7..0).
    pub hi: u32,
    /// PageMask (bits 28..13).
    pub mask: u32,
    /// EntryLo0 (even page): PFN 25..6, C 5..3, D 2, V 1, G 0.
    pub lo0: u32,
    /// EntryLo1 (odd page).
    pub lo1: u32,
}

impl TlbEntry {
    /// An entry that matches nothing a program can reach: a unique address in kseg0 (which is
    /// never translated) with V = 0, as operating systems initialise theirs.
    pub fn unused(i: usize) -> TlbEntry {
        TlbEntry { hi: 0x8000_0000 + ((i as u32) << 13), mask: 0, lo0: 0, lo1: 0 }
    }

    /// Global: G was set in both EntryLo registers when the entry was written.
    pub fn global(&self) -> bool {
        self.lo0 & self.lo1 & 1 != 0
    }

    /// Does this entry translate `va` for `asid`?
    #[inline]
    pub fn matches(&self, va: u32, asid: u8) -> bool {
        let cmp = !(self.mask | 0x1FFF);
        (va ^ self.hi) & cmp == 0 && (self.global() || self.hi as u8 == asid)
    }

    /// The EntryLo for `va` (even or odd half, chosen by the bit just above the page offset).
    #[inline]
    pub fn lo_for(&self, va: u32) -> u32 {
        let odd_bit = ((self.mask | 0x1FFF) + 1) >> 1;
        if va & odd_bit != 0 { self.lo1 } else { self.lo0 }
    }

    /// Size in bytes of each of the entry's two pages.
    pub fn page_size(&self) -> u32 {
        (self.mask | 0x1FFF).wrapping_add(1) >> 1
    }
}

/// Result of looking up an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// No entry matches: a TLB refill exception.
    Miss,
    /// An entry matches with this EntryLo (V may be 0: a TLB invalid exception).
    Hit {
        /// EntryLo of the matching half.
        lo: u32,
        /// Page size of the matching entry.
        page_size: u32,
    },
}

/// Buckets of the TLB's index: a power of two, four times the largest TLB, so that a lookup
/// usually finds at most one candidate in its bucket.
const BUCKETS: usize = 256;

/// The TLB: a fixed number of entry pairs, with an index that finds the entries that may match
/// an address without comparing it against all of them.
///
/// A lookup on every TLB miss of the interpreter and on every refill the monitor serves from a
/// guest's virtual TLB used to compare the address with all 64 entries (about a tenth of the
/// host time of a refill-heavy preset). The index keeps, per hash bucket of VPN2, a bit set of
/// the 4 KB-page entries whose VPN2 falls in that bucket, and a bit set of the entries with
/// larger pages (whose VPN2 comparison ignores low bits, so any bucket may hold their
/// addresses). A lookup compares only those candidates, lowest index first — the same entry the
/// full scan finds. The index is derived from the entries alone: it is not serialised, and is
/// rebuilt when a snapshot is read.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "TlbEntries", into = "TlbEntries")]
pub struct Tlb {
    entries: Vec<TlbEntry>,
    /// Per bucket of VPN2: bit `i` set if entry `i` has 4 KB pages and its VPN2 hashes here.
    buckets: Box<[u64; BUCKETS]>,
    /// Bit `i` set if entry `i` has pages larger than 4 KB.
    large: u64,
}

/// The serialised form of a [`Tlb`]: its entries only (the index follows from them).
#[derive(serde::Serialize, serde::Deserialize)]
struct TlbEntries {
    entries: Vec<TlbEntry>,
}

impl From<TlbEntries> for Tlb {
    fn from(t: TlbEntries) -> Tlb {
        let mut entries = t.entries;
        // A snapshot cannot hold more entries than a bit set has bits, nor none.
        entries.truncate(64);
        if entries.is_empty() {
            entries.push(TlbEntry::unused(0));
        }
        Tlb::with_entries(entries)
    }
}

impl From<Tlb> for TlbEntries {
    fn from(t: Tlb) -> TlbEntries {
        TlbEntries { entries: t.entries }
    }
}

impl std::fmt::Debug for Tlb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The index is a function of the entries: printing it would only add noise.
        f.debug_struct("Tlb").field("entries", &self.entries).finish()
    }
}

/// The index bucket of a VPN2 (the address bits above the 8 KB pair). Folding the higher bits
/// in keeps pairs 1 MB apart (a kernel's and a user's) from sharing buckets.
#[inline(always)]
fn bucket(va: u32) -> usize {
    let vpn2 = va >> 13;
    ((vpn2 ^ (vpn2 >> 8) ^ (vpn2 >> 16)) as usize) & (BUCKETS - 1)
}

/// Does `e` have pages larger than 4 KB (a VPN2 comparison that ignores low bits)?
#[inline(always)]
fn is_large(e: &TlbEntry) -> bool {
    e.mask & !0x1FFF != 0
}

impl Tlb {
    /// A TLB of `n` entry pairs (1..=64), all unused.
    pub fn new(n: usize) -> Tlb {
        let n = n.clamp(1, 64);
        Tlb::with_entries((0..n).map(TlbEntry::unused).collect())
    }

    /// A TLB holding `entries` (1..=64 of them), with its index built.
    fn with_entries(entries: Vec<TlbEntry>) -> Tlb {
        let mut t = Tlb { entries, buckets: Box::new([0; BUCKETS]), large: 0 };
        for i in 0..t.entries.len() {
            t.index(i);
        }
        t
    }

    /// Adds entry `i` to the index.
    #[inline]
    fn index(&mut self, i: usize) {
        let e = &self.entries[i];
        if is_large(e) {
            self.large |= 1 << i;
        } else {
            self.buckets[bucket(e.hi)] |= 1 << i;
        }
    }

    /// Removes entry `i` from the index.
    #[inline]
    fn unindex(&mut self, i: usize) {
        let e = &self.entries[i];
        if is_large(e) {
            self.large &= !(1 << i);
        } else {
            self.buckets[bucket(e.hi)] &= !(1 << i);
        }
    }

    /// Number of entry pairs.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Never true: a TLB has at least one entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entry `i` (wrapping at the TLB size, as the index field does).
    pub fn get(&self, i: usize) -> TlbEntry {
        self.entries[i % self.entries.len()]
    }

    /// Writes entry `i` (wrapping at the TLB size).
    pub fn set(&mut self, i: usize, e: TlbEntry) {
        let i = i % self.entries.len();
        self.unindex(i);
        self.entries[i] = e;
        self.index(i);
    }

    /// All entries.
    pub fn entries(&self) -> &[TlbEntry] {
        &self.entries
    }

    /// The lowest-numbered entry that translates `va` for `asid`, if any: what a scan of
    /// [`Tlb::entries`] with [`TlbEntry::matches`] finds, through the index.
    #[inline]
    pub fn find(&self, va: u32, asid: u8) -> Option<usize> {
        let mut candidates = self.buckets[bucket(va)] | self.large;
        while candidates != 0 {
            let i = candidates.trailing_zeros() as usize;
            if self.entries[i].matches(va, asid) {
                return Some(i);
            }
            candidates &= candidates - 1;
        }
        None
    }

    /// Translates `va` for `asid`. If several entries match (the guest's mistake; a machine
    /// check on real hardware) the lowest-numbered wins.
    pub fn lookup(&self, va: u32, asid: u8) -> Lookup {
        match self.find(va, asid) {
            Some(i) => {
                let e = &self.entries[i];
                Lookup::Hit { lo: e.lo_for(va), page_size: e.page_size() }
            }
            None => Lookup::Miss,
        }
    }

    /// TLBP: the index of the entry matching EntryHi (VPN2 and ASID), if any.
    pub fn probe(&self, entry_hi: u32) -> Option<usize> {
        self.find(entry_hi & 0xFFFF_E000, entry_hi as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lo(pfn: u32, d: bool, v: bool, g: bool) -> u32 {
        pfn << 6 | 3 << 3 | (d as u32) << 2 | (v as u32) << 1 | g as u32
    }

    #[test]
    fn even_odd_pages_and_asids() {
        let mut t = Tlb::new(4);
        t.set(
            1,
            TlbEntry {
                hi: 0x0040_0000 | 5,
                mask: 0,
                lo0: lo(0x100, true, true, false),
                lo1: lo(0x200, false, true, false),
            },
        );
        assert_eq!(
            t.lookup(0x0040_0123, 5),
            Lookup::Hit { lo: lo(0x100, true, true, false), page_size: 4096 }
        );
        assert_eq!(
            t.lookup(0x0040_1123, 5),
            Lookup::Hit { lo: lo(0x200, false, true, false), page_size: 4096 }
        );
        assert_eq!(t.lookup(0x0040_1123, 6), Lookup::Miss, "other ASID");
        assert_eq!(t.lookup(0x0040_2000, 5), Lookup::Miss, "next pair");
        assert_eq!(t.probe(0x0040_1000 | 5), Some(1));
        assert_eq!(t.probe(0x0040_1000 | 6), None);
    }

    #[test]
    fn global_needs_both_g_bits() {
        let mut t = Tlb::new(2);
        t.set(
            0,
            TlbEntry {
                hi: 0x1000_0000 | 1,
                mask: 0,
                lo0: lo(1, true, true, true),
                lo1: lo(2, true, true, true),
            },
        );
        assert!(matches!(t.lookup(0x1000_0000, 77), Lookup::Hit { .. }));
        t.set(
            0,
            TlbEntry {
                hi: 0x1000_0000 | 1,
                mask: 0,
                lo0: lo(1, true, true, true),
                lo1: lo(2, true, true, false),
            },
        );
        assert_eq!(t.lookup(0x1000_0000, 77), Lookup::Miss);
    }

    #[test]
    fn large_pages() {
        let mut t = Tlb::new(2);
        // 16 KB pages: mask 0x6000.
        t.set(
            0,
            TlbEntry {
                hi: 0x2000_0000 | 1,
                mask: 0x6000,
                lo0: lo(0x40, true, true, false),
                lo1: lo(0x80, true, true, false),
            },
        );
        assert!(
            matches!(t.lookup(0x2000_3FFC, 1), Lookup::Hit { lo, page_size: 0x4000 } if lo >> 6 == 0x40)
        );
        assert!(
            matches!(t.lookup(0x2000_4000, 1), Lookup::Hit { lo, page_size: 0x4000 } if lo >> 6 == 0x80)
        );
        assert_eq!(t.lookup(0x2000_8000, 1), Lookup::Miss);
    }
}
