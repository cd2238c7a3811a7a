//! Decoded instructions, kept per physical page.
//!
//! Each slot of a page starts [`Op::Undecoded`](crate::decode::Op::Undecoded); the first time
//! it executes, the CPU fetches and decodes the word and stores the result, so later passes
//! dispatch straight on the decoded record. A page's decodes are trusted only while the bus
//! reports the same write generation for it (see [`crate::Bus::code_generation`]): a write by
//! anyone — this CPU, another CPU, a DMA transfer — changes the generation and the page is
//! decoded afresh.
//!
//! The cache is direct-mapped by physical page number and owned per CPU: small (a few hundred
//! pages of 8 KB), no sharing, no locks. The decodes of every page sit in one flat array, so
//! an instruction is one load from a base the run loop keeps in a register, at the index
//! [`Predecode::enter`] returned plus the word's index in its page (no page record to follow
//! first: that chain of dependent loads sat in front of every instruction's dispatch).

use crate::decode::Insn;

/// Instructions per 4 KB page.
pub const PAGE_INSNS: usize = 1024;
/// Pages kept (a power of two).
const PAGES: usize = 256;

/// The per-CPU decoded-page cache.
#[derive(Clone)]
pub struct Predecode {
    /// Per slot: the physical page number held, or `u32::MAX` if none.
    ppn: Box<[u32]>,
    /// Per slot: the bus's write generation of the page when it was decoded.
    generation: Box<[u32]>,
    /// The decoded instructions, slot after slot, [`PAGE_INSNS`] each.
    insns: Box<[Insn]>,
}

impl Default for Predecode {
    fn default() -> Self {
        Self::new()
    }
}

impl Predecode {
    /// An empty cache.
    pub fn new() -> Predecode {
        Predecode {
            ppn: vec![u32::MAX; PAGES].into_boxed_slice(),
            generation: vec![0; PAGES].into_boxed_slice(),
            insns: vec![Insn::default(); PAGES * PAGE_INSNS].into_boxed_slice(),
        }
    }

    /// A cache with no slots, which costs nothing to make: what a CPU holds while its real
    /// cache is lent to the run loop.
    pub(crate) fn none() -> Predecode {
        Predecode { ppn: Box::new([]), generation: Box::new([]), insns: Box::new([]) }
    }

    /// The base index of physical page `ppn`'s decodes, made current for `generation`: if
    /// its slot holds another page or an older generation, the slot is cleared.
    pub fn enter(&mut self, ppn: u32, generation: u32) -> usize {
        let slot = ppn as usize & (PAGES - 1);
        if self.ppn[slot] != ppn || self.generation[slot] != generation {
            self.ppn[slot] = ppn;
            self.generation[slot] = generation;
            self.insns[slot * PAGE_INSNS..(slot + 1) * PAGE_INSNS].fill(Insn::default());
        }
        slot * PAGE_INSNS
    }

    /// True if the page whose decodes start at `base` is physical page `ppn`.
    #[inline]
    pub fn holds(&self, base: usize, ppn: u32) -> bool {
        self.ppn.get(base / PAGE_INSNS).is_some_and(|&p| p == ppn)
    }

    /// The decode of word `index` (0..1024) of the page at `base`.
    #[inline(always)]
    pub fn get(&self, base: usize, index: usize) -> Insn {
        self.insns[base | (index & (PAGE_INSNS - 1))]
    }

    /// Stores the decode of word `index` of the page at `base`.
    #[inline]
    pub fn store(&mut self, base: usize, index: usize, insn: Insn) {
        self.insns[base | (index & (PAGE_INSNS - 1))] = insn;
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.ppn.fill(u32::MAX);
    }
}
