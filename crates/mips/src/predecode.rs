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
//! pages of 8 KB), no sharing, no locks.

use crate::decode::Insn;

/// Instructions per 4 KB page.
pub const PAGE_INSNS: usize = 1024;
/// Pages kept (a power of two).
const PAGES: usize = 256;

/// One page of decoded instructions.
#[derive(Clone)]
pub struct DecodedPage {
    /// Physical page number, or `u32::MAX` if the slot holds nothing.
    pub ppn: u32,
    /// The bus's write generation of the page when it was decoded.
    pub generation: u32,
    /// The decoded slots.
    pub insns: Box<[Insn; PAGE_INSNS]>,
}

/// The per-CPU decoded-page cache.
#[derive(Clone)]
pub struct Predecode {
    pages: Vec<DecodedPage>,
}

impl Default for Predecode {
    fn default() -> Self {
        Self::new()
    }
}

impl Predecode {
    /// An empty cache.
    pub fn new() -> Predecode {
        let page = DecodedPage {
            ppn: u32::MAX,
            generation: 0,
            insns: Box::new([Insn::default(); PAGE_INSNS]),
        };
        Predecode { pages: vec![page; PAGES] }
    }

    /// The slot index for physical page `ppn`, made current for `generation`: if the slot
    /// holds another page or an older generation, it is cleared.
    pub fn enter(&mut self, ppn: u32, generation: u32) -> usize {
        let slot = ppn as usize & (PAGES - 1);
        let p = &mut self.pages[slot];
        if p.ppn != ppn || p.generation != generation {
            p.ppn = ppn;
            p.generation = generation;
            p.insns.fill(Insn::default());
        }
        slot
    }

    /// True if `slot` holds physical page `ppn`.
    #[inline]
    pub fn holds(&self, slot: usize, ppn: u32) -> bool {
        self.pages.get(slot).is_some_and(|p| p.ppn == ppn)
    }

    /// The decoded page in `slot`.
    #[inline(always)]
    pub fn page(&self, slot: usize) -> &[Insn; PAGE_INSNS] {
        &self.pages[slot].insns
    }

    /// Stores a decode into `slot`.
    #[inline]
    pub fn store(&mut self, slot: usize, index: usize, insn: Insn) {
        self.pages[slot].insns[index & (PAGE_INSNS - 1)] = insn;
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        for p in &mut self.pages {
            p.ppn = u32::MAX;
        }
    }
}
