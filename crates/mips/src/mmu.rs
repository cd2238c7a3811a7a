//! Address translation: the MIPS32 segments, the TLB, and a software translation cache in
//! front of them.
//!
//! Walking the segment rules and scanning 64 TLB entries on every load would dominate the
//! interpreter, so each translation is remembered per 4 KB page in a small direct-mapped
//! table, one table per privilege [`Mode`] (the same address is legal in one mode and not in
//! another). An entry says "page V maps to physical page P, readable, and writable if
//! `wtag` matches too". The tables are a cache of what the TLB and segment rules say, never a
//! second source of truth: a TLB write invalidates the pages of the old and new entry, an ASID
//! change or a TLB resize flushes everything.

use crate::cp0::Mode;
use crate::exception::{ExcCode, Fault};
use crate::tlb::{Lookup, Tlb, TlbEntry};

/// Entries per mode in the translation cache.
const FAST: usize = 256;
/// A tag no page-aligned address equals.
const INVALID: u32 = 1;
/// Low bit of `pbase`: the page is uncached.
const UNCACHED: u32 = 1;

/// Kind of access being translated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Instruction fetch.
    Fetch,
    /// Data load.
    Load,
    /// Data store.
    Store,
}

#[derive(Clone, Copy, Debug)]
struct FastEntry {
    rtag: u32,
    wtag: u32,
    pbase: u32,
}

const EMPTY: FastEntry = FastEntry { rtag: INVALID, wtag: INVALID, pbase: 0 };

/// The TLB plus the translation cache.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Mmu {
    /// The architectural TLB.
    pub tlb: Tlb,
    /// A cache of the TLB: rebuilt empty when a snapshot is restored.
    #[serde(skip, default = "empty_fast")]
    fast: Box<[FastEntry]>,
}

fn empty_fast() -> Box<[FastEntry]> {
    vec![EMPTY; FAST * 4].into_boxed_slice()
}

/// A successful translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Translation {
    /// Physical address.
    pub pa: u32,
    /// False for uncached accesses (kseg1, ERL kuseg, TLB C = 2).
    pub cached: bool,
}

impl Mmu {
    /// An MMU with a TLB of `tlb_entries` pairs.
    pub fn new(tlb_entries: usize) -> Mmu {
        Mmu { tlb: Tlb::new(tlb_entries), fast: empty_fast() }
    }

    #[inline(always)]
    fn slot(mode: Mode, va: u32) -> usize {
        (mode as usize) * FAST + ((va >> 12) as usize & (FAST - 1))
    }

    /// Translates a load or fetch.
    #[inline(always)]
    pub fn read(
        &mut self,
        mode: Mode,
        asid: u8,
        va: u32,
        acc: Access,
    ) -> Result<Translation, Fault> {
        let e = self.fast[Self::slot(mode, va)];
        if e.rtag == va & !0xFFF {
            return Ok(Translation {
                pa: (e.pbase & !0xFFF) | (va & 0xFFF),
                cached: e.pbase & UNCACHED == 0,
            });
        }
        self.slow(mode, asid, va, acc)
    }

    /// Translates a store.
    #[inline(always)]
    pub fn write(&mut self, mode: Mode, asid: u8, va: u32) -> Result<Translation, Fault> {
        let e = self.fast[Self::slot(mode, va)];
        if e.wtag == va & !0xFFF {
            return Ok(Translation {
                pa: (e.pbase & !0xFFF) | (va & 0xFFF),
                cached: e.pbase & UNCACHED == 0,
            });
        }
        self.slow(mode, asid, va, Access::Store)
    }

    /// The full translation: segment rules, then the TLB; fills the cache on success.
    #[cold]
    pub fn slow(
        &mut self,
        mode: Mode,
        asid: u8,
        va: u32,
        acc: Access,
    ) -> Result<Translation, Fault> {
        let store = acc == Access::Store;
        let adr = if store { ExcCode::AdES } else { ExcCode::AdEL };
        let (pbase, cached, writable) = match va >> 29 {
            0..=3 if mode == Mode::KernelErl => (va & !0xFFF, false, true),
            0..=3 => self.mapped(asid, va, store)?,
            4 if mode.is_kernel() => (va & 0x1FFF_F000, true, true),
            5 if mode.is_kernel() => (va & 0x1FFF_F000, false, true),
            6 if mode != Mode::User => self.mapped(asid, va, store)?,
            7 if mode.is_kernel() => self.mapped(asid, va, store)?,
            _ => return Err(Fault::at(adr, va)),
        };
        let tag = va & !0xFFF;
        self.fast[Self::slot(mode, va)] = FastEntry {
            rtag: tag,
            wtag: if writable { tag } else { INVALID },
            pbase: pbase | if cached { 0 } else { UNCACHED },
        };
        Ok(Translation { pa: pbase | (va & 0xFFF), cached })
    }

    /// TLB translation of a mapped address: (physical page base, cached, writable).
    fn mapped(&self, asid: u8, va: u32, store: bool) -> Result<(u32, bool, bool), Fault> {
        let (tlbx, refill_code) =
            if store { (ExcCode::TlbS, ExcCode::TlbS) } else { (ExcCode::TlbL, ExcCode::TlbL) };
        match self.tlb.lookup(va, asid) {
            Lookup::Miss => Err(Fault { code: refill_code, vaddr: va, refill: true, ce: 0 }),
            Lookup::Hit { lo, page_size } => {
                if lo & 2 == 0 {
                    return Err(Fault::at(tlbx, va));
                }
                let dirty = lo & 4 != 0;
                if store && !dirty {
                    return Err(Fault::at(ExcCode::Mod, va));
                }
                let page = ((lo >> 6) & 0xF_FFFF) << 12;
                let off = va & (page_size - 1);
                let pbase = (page & !(page_size - 1)) | (off & !0xFFF);
                let cached = (lo >> 3) & 7 != 2;
                Ok((pbase, cached, dirty))
            }
        }
    }

    /// Forgets every cached translation (ASID change, TLB reconfiguration).
    pub fn flush(&mut self) {
        self.fast.fill(EMPTY);
    }

    /// Forgets cached translations that `e` could have produced (call with the old and the
    /// new entry around a TLB write).
    pub fn forget_entry(&mut self, e: &TlbEntry) {
        let span = e.page_size().saturating_mul(2);
        if span > 2 * 4096 {
            self.flush();
            return;
        }
        let base = e.hi & !0x1FFF;
        for page in [base, base + 4096] {
            for mode in [Mode::Kernel, Mode::Supervisor, Mode::User, Mode::KernelErl] {
                let slot = Self::slot(mode, page);
                if self.fast[slot].rtag == page {
                    self.fast[slot] = EMPTY;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_by_mode() {
        let mut m = Mmu::new(4);
        let k0 = m.read(Mode::Kernel, 0, 0x8000_1234, Access::Load).expect("kseg0");
        assert_eq!(k0, Translation { pa: 0x1234, cached: true });
        let k1 = m.read(Mode::Kernel, 0, 0xBF00_0010, Access::Load).expect("kseg1");
        assert_eq!(k1, Translation { pa: 0x1F00_0010, cached: false });
        assert_eq!(
            m.read(Mode::Supervisor, 0, 0x8000_1234, Access::Load).map_err(|f| f.code),
            Err(ExcCode::AdEL)
        );
        assert_eq!(m.write(Mode::User, 0, 0xC000_0000).map_err(|f| f.code), Err(ExcCode::AdES));
        // Supervisor may use sseg (mapped: a miss here, not an address error).
        let f = m.read(Mode::Supervisor, 0, 0xC000_0000, Access::Load).expect_err("unmapped");
        assert_eq!((f.code, f.refill), (ExcCode::TlbL, true));
        // With ERL, kuseg is unmapped and uncached.
        let erl = m.read(Mode::KernelErl, 0, 0x0000_2000, Access::Load).expect("erl");
        assert_eq!(erl, Translation { pa: 0x2000, cached: false });
    }

    #[test]
    fn tlb_faults_and_cache_invalidation() {
        let mut m = Mmu::new(4);
        let e = TlbEntry {
            hi: 0x0040_0000 | 3,
            mask: 0,
            lo0: 0x100 << 6 | 3 << 3 | 2,
            lo1: 0x101 << 6 | 3 << 3 | 6,
        };
        m.tlb.set(0, e);
        // Even page: valid, not dirty.
        assert_eq!(m.read(Mode::User, 3, 0x0040_0010, Access::Load).map(|t| t.pa), Ok(0x0010_0010));
        let f = m.write(Mode::User, 3, 0x0040_0010).expect_err("clean page");
        assert_eq!((f.code, f.refill), (ExcCode::Mod, false));
        // Odd page: valid and dirty.
        assert_eq!(m.write(Mode::User, 3, 0x0040_1010).map(|t| t.pa), Ok(0x0010_1010));
        // Rewrite the entry invalid: the cached translation must go.
        let old = m.tlb.get(0);
        let new = TlbEntry { lo0: 0, ..e };
        m.tlb.set(0, new);
        m.forget_entry(&old);
        m.forget_entry(&new);
        let f = m.read(Mode::User, 3, 0x0040_0010, Access::Load).expect_err("invalid");
        assert_eq!((f.code, f.refill), (ExcCode::TlbL, false));
    }
}
