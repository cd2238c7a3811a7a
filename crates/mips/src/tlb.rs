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

/// The TLB: a fixed number of entry pairs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tlb {
    entries: Vec<TlbEntry>,
}

impl Tlb {
    /// A TLB of `n` entry pairs (1..=64), all unused.
    pub fn new(n: usize) -> Tlb {
        let n = n.clamp(1, 64);
        Tlb { entries: (0..n).map(TlbEntry::unused).collect() }
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
        let n = self.entries.len();
        self.entries[i % n] = e;
    }

    /// All entries.
    pub fn entries(&self) -> &[TlbEntry] {
        &self.entries
    }

    /// Translates `va` for `asid`. If several entries match (the guest's mistake; a machine
    /// check on real hardware) the lowest-numbered wins.
    pub fn lookup(&self, va: u32, asid: u8) -> Lookup {
        for e in &self.entries {
            if e.matches(va, asid) {
                return Lookup::Hit { lo: e.lo_for(va), page_size: e.page_size() };
            }
        }
        Lookup::Miss
    }

    /// TLBP: the index of the entry matching EntryHi (VPN2 and ASID), if any.
    pub fn probe(&self, entry_hi: u32) -> Option<usize> {
        let asid = entry_hi as u8;
        self.entries.iter().position(|e| e.matches(entry_hi & 0xFFFF_E000, asid))
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
