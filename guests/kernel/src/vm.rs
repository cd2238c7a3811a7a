//! Address spaces: two-level page tables, ASIDs, demand-zero and copy-on-write pages.
//!
//! ## Page tables
//! A page directory (one page) points at page-table pages (1024 PTEs each). The kernel's own
//! code reaches both through the mapped kernel segment ([`crate::k2`]), as IRIX reached its
//! page tables, so its page-table work takes kernel TLB misses; the TLB-refill handler, which
//! must not miss itself, walks them through the direct map. So the directory holds each table
//! twice: entry `d` (for `d` < 512, a user address's top bits) its direct-map address for the
//! refill handler, entry `512 + d` its mapped-segment address for the kernel. A PTE *is* an
//! EntryLo — PFN, cache attribute, D(irty = writable), V(alid) — so the TLB-refill handler in
//! `entry.rs` copies the even/odd pair into EntryLo0/1 with no conversion. The top bits, which
//! EntryLo ignores, are the kernel's own: [`PTE_W`] (the page may be written) and [`PTE_COW`]
//! (shared after fork: copy before the first write).
//!
//! ## Faults
//! A missing page-table page or an invalid PTE comes back as a TLB-invalid exception, a
//! store to a page with D clear as a TLB-modified one. [`AddrSpace::fault`] then allocates a
//! zeroed page inside the heap, stack or a writable segment (**demand zero**), or copies a
//! shared page for its writer (**copy on write**, or just sets D if the writer is its only
//! user); anything else is the program's fault.
//!
//! ## ASIDs
//! Each CPU hands out its own ASIDs (1..=255) with a generation number; an address space
//! remembers, per CPU, the ASID it got and in which generation. When a CPU runs out it flushes
//! its TLB and starts a new generation, so stale ASIDs never match. To drop an address space's
//! translations on another CPU it is enough to forget its ASID there — and, if it is running
//! there right now (threads), to send that CPU an IPI so it takes a new one at once (TLB
//! shootdown).

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::bcopy::{self, bcopy};
use crate::cpu::{self, MAX_CPUS};
use crate::kalloc::{self, PAGE};
use crate::spinlock::Spinlock;
use crate::{hal, k2, pda, stats};

/// PTE: the page may be written (D may be set).
pub const PTE_W: u32 = 1 << 31;
/// PTE: copy-on-write (shared by fork).
pub const PTE_COW: u32 = 1 << 30;
/// PTE: a shared-memory page ([`crate::shm`]): fork shares it as it is.
pub const PTE_SHARED: u32 = 1 << 29;
const PTE_D: u32 = 1 << 2;
const PTE_V: u32 = 1 << 1;
/// Cacheable, non-coherent... (C = 3: cacheable, the machine's only cached attribute).
const PTE_CACHED: u32 = 3 << 3;

/// Top of the user stack (exclusive).
pub const STACK_TOP: u32 = 0x7FFF_0000;
/// Largest user stack.
pub const STACK_MAX: u32 = 8 << 20;
/// Highest user address + 1.
pub const USER_TOP: u32 = abi::segments::KSEG0;

/// Why a fault could not be resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultError {
    /// The address is not part of the address space (or the access is not allowed).
    BadAddress,
    /// No memory for the page.
    OutOfMemory,
}

/// What resolved a fault (for the kernel statistics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// A zeroed page was allocated.
    DemandZero,
    /// A shared page was copied.
    CopyOnWrite,
    /// A copy-on-write page was made writable for its last user: no page allocated or copied
    /// (with [`FaultKind::Spurious`], IRIX's QUICK_FAULT).
    MadeWritable,
    /// The translation was already fine (another thread resolved it, or the TLB was stale).
    Spurious,
}

/// An address space as processes hold it: the translation state the scheduler and the TLB
/// code use without a lock, and the page tables and layout behind one.
pub struct Mm {
    /// ASIDs, activity and the page directory.
    pub tlb: TlbState,
    /// Page tables and layout.
    pub space: Spinlock<AddrSpace>,
}

/// What the TLB code needs of an address space; immutable or atomic, so no lock.
pub struct TlbState {
    /// Direct-mapped address of the page directory.
    pub pgdir: u32,
    asids: [AtomicU32; MAX_CPUS],
    /// CPUs running this address space now (a bit per CPU, two words: no 64-bit atomics here).
    active: [AtomicU32; 2],
}

/// Page tables and layout of a user address space.
pub struct AddrSpace {
    /// Direct-mapped address of the page directory (the refill handler's).
    pub pgdir: u32,
    /// The page directory's address in the mapped kernel segment (the kernel's).
    kdir: u32,
    /// Start of the heap (first page after the loaded segments).
    pub brk_start: u32,
    /// Current program break.
    pub brk: u32,
    /// Loaded segments: [start, end) and writable.
    pub segments: Vec<(u32, u32, bool)>,
}

// SAFETY: an address space is plain page-table memory owned by the Mm; sharing it between
// threads is serialised by the Mm's lock.
unsafe impl Send for AddrSpace {}

impl Mm {
    /// Wraps an address space.
    pub fn new(space: AddrSpace) -> Mm {
        Mm {
            tlb: TlbState {
                pgdir: space.pgdir,
                asids: [const { AtomicU32::new(0) }; MAX_CPUS],
                active: [AtomicU32::new(0), AtomicU32::new(0)],
            },
            space: Spinlock::new("mm", space),
        }
    }

    /// See [`TlbState::activate`].
    pub fn activate(&self) {
        self.tlb.activate();
    }

    /// See [`TlbState::deactivate`].
    pub fn deactivate(&self) {
        self.tlb.deactivate();
    }
}

impl Drop for Mm {
    fn drop(&mut self) {
        self.space.lock().free();
    }
}

fn pte_of(pa: u32, writable: bool) -> u32 {
    (pa >> 12) << 6 | PTE_CACHED | PTE_V | if writable { PTE_W | PTE_D } else { 0 }
}

fn pte_pa(pte: u32) -> u32 {
    ((pte >> 6) & 0xF_FFFF) << 12
}

impl AddrSpace {
    /// An empty address space.
    pub fn new() -> Option<AddrSpace> {
        let dir = kalloc::alloc_zeroed(kalloc::Use::PageTable)?;
        Some(AddrSpace {
            pgdir: hal::p2v(dir),
            kdir: k2::map(dir),
            brk_start: 0,
            brk: 0,
            segments: Vec::new(),
        })
    }

    /// The kernel's address of page table `d` (0 if none).
    fn table(&self, d: usize) -> u32 {
        // SAFETY: the directory is our page; its upper half holds the kernel's addresses.
        unsafe { *(self.kdir as *const u32).add(512 + d) }
    }

    /// The PTE slot for `va`, allocating the page-table page if `create`.
    fn slot(&self, va: u32, create: bool) -> Option<*mut u32> {
        let d = (va >> 22) as usize;
        let mut table = self.table(d);
        if table == 0 {
            if !create {
                return None;
            }
            let pa = kalloc::alloc_zeroed(kalloc::Use::PageTable)?;
            table = k2::map(pa);
            let dir = self.kdir as *mut u32;
            // SAFETY: the directory is ours; d < 512 for user addresses.
            unsafe {
                *dir.add(d) = hal::p2v(pa);
                *dir.add(512 + d) = table;
            }
        }
        // SAFETY: the table is a page we allocated.
        Some(unsafe { (table as *mut u32).add(((va >> 12) & 1023) as usize) })
    }

    /// The PTE for `va` (0 if none).
    pub fn pte(&self, va: u32) -> u32 {
        // SAFETY: `slot` returns a valid PTE slot.
        self.slot(va, false).map_or(0, |p| unsafe { *p })
    }

    /// Maps the shared pages `pages` (a reference on each already taken) writable at `va`,
    /// unless something is mapped there already (then drops the references and leaves it).
    pub fn map_shared(&mut self, va: u32, pages: &[u32]) -> Result<(), FaultError> {
        for (k, &pa) in pages.iter().enumerate() {
            let page_va = va + k as u32 * PAGE;
            let Some(slot) = self.slot(page_va, true) else {
                pages[k..].iter().for_each(|&p| kalloc::decref(p));
                return Err(FaultError::OutOfMemory);
            };
            // SAFETY: a valid PTE slot.
            let old = unsafe { *slot };
            if old & PTE_V != 0 {
                kalloc::decref(pa);
                continue;
            }
            // SAFETY: as above.
            unsafe { *slot = pte_of(pa, true) | PTE_SHARED };
        }
        Ok(())
    }

    /// Maps `va` (page-aligned) to the physical page `pa`.
    pub fn map(&mut self, va: u32, pa: u32, writable: bool) -> Result<(), FaultError> {
        let slot = self.slot(va, true).ok_or(FaultError::OutOfMemory)?;
        // SAFETY: a valid PTE slot.
        unsafe { *slot = pte_of(pa, writable) };
        Ok(())
    }

    /// True if `va` may hold a page: a loaded segment, the heap, or the stack.
    fn in_bounds(&self, va: u32) -> Option<bool> {
        if let Some(&(_, _, w)) = self.segments.iter().find(|s| va >= s.0 && va < s.1) {
            return Some(w);
        }
        if va >= self.brk_start && va < self.brk {
            return Some(true);
        }
        if (STACK_TOP - STACK_MAX..STACK_TOP).contains(&va) {
            return Some(true);
        }
        None
    }

    /// Resolves a fault at `va`; `write` for stores. Updates the TLB of this CPU (and others
    /// through `shootdown` when a shared page moved).
    pub fn fault(&mut self, tlb: &TlbState, va: u32, write: bool) -> Result<FaultKind, FaultError> {
        if va >= USER_TOP {
            return Err(FaultError::BadAddress);
        }
        let writable = self.in_bounds(va).ok_or(FaultError::BadAddress)?;
        if write && !writable {
            return Err(FaultError::BadAddress);
        }
        let page = va & !0xFFF;
        let slot = self.slot(page, true).ok_or(FaultError::OutOfMemory)?;
        // SAFETY: a valid PTE slot.
        let pte = unsafe { *slot };
        let kind = if pte & PTE_V == 0 {
            let pa = kalloc::alloc_zeroed(kalloc::Use::User).ok_or(FaultError::OutOfMemory)?;
            // SAFETY: as above.
            unsafe { *slot = pte_of(pa, writable) };
            stats::count(stats::Event::DemandZero);
            FaultKind::DemandZero
        } else if write && pte & PTE_D == 0 {
            if pte & PTE_W == 0 {
                return Err(FaultError::BadAddress);
            }
            let old = pte_pa(pte);
            if kalloc::refcount(old) == 1 {
                // SAFETY: as above.
                unsafe { *slot = (pte | PTE_D) & !PTE_COW };
                tlb.invalidate_local(page);
                return Ok(FaultKind::MadeWritable);
            } else {
                let new = kalloc::alloc(kalloc::Use::User).ok_or(FaultError::OutOfMemory)?;
                // SAFETY: both pages are whole pages in the direct map.
                unsafe {
                    bcopy::copy(hal::p2v(new) as *mut u8, hal::p2v(old) as *const u8, PAGE as usize)
                };
                // SAFETY: as above.
                unsafe { *slot = pte_of(new, true) };
                tlb.shootdown(page);
                kalloc::decref(old);
            }
            stats::count(stats::Event::CopyOnWrite);
            FaultKind::CopyOnWrite
        } else {
            FaultKind::Spurious
        };
        tlb.invalidate_local(page);
        Ok(kind)
    }

    /// A copy of this address space sharing every page copy-on-write (fork).
    pub fn fork(&mut self, tlb: &TlbState) -> Option<AddrSpace> {
        let mut child = AddrSpace::new()?;
        child.brk_start = self.brk_start;
        child.brk = self.brk;
        child.segments = self.segments.clone();
        for d in 0..512 {
            let table = self.table(d);
            if table == 0 {
                continue;
            }
            for i in 0..1024 {
                // SAFETY: the table is ours.
                let slot = unsafe { (table as *mut u32).add(i) };
                // SAFETY: as above.
                let pte = unsafe { *slot };
                if pte & PTE_V == 0 {
                    continue;
                }
                let shared = if pte & PTE_SHARED != 0 || pte & PTE_W == 0 {
                    pte
                } else {
                    (pte & !PTE_D) | PTE_COW
                };
                // SAFETY: as above.
                unsafe { *slot = shared };
                let va = (d as u32) << 22 | (i as u32) << 12;
                let Some(cslot) = child.slot(va, true) else {
                    child.free();
                    return None;
                };
                // SAFETY: the child's slot.
                unsafe { *cslot = shared };
                kalloc::incref(pte_pa(pte));
            }
        }
        // Our writable pages lost D: drop every translation of this space (new ASIDs).
        tlb.shootdown_all();
        Some(child)
    }

    /// Releases every page and table (the address space must not be active anywhere).
    pub fn free(&mut self) {
        // The pages go back a batch at a time, one hold of the memory lock per batch.
        let mut batch = [0u32; 64];
        let mut n = 0;
        let mut give = |pa: u32| {
            batch[n] = pa;
            n += 1;
            if n == batch.len() {
                kalloc::decref_all(&batch);
                n = 0;
            }
        };
        for d in 0..512 {
            let table = self.table(d);
            if table == 0 {
                continue;
            }
            for i in 0..1024 {
                // SAFETY: the table is ours.
                let pte = unsafe { *(table as *const u32).add(i) };
                if pte & PTE_V != 0 {
                    give(pte_pa(pte));
                }
            }
            give(k2::v2p(table));
            k2::unmap(table);
        }
        give(hal::v2p(self.pgdir));
        k2::unmap(self.kdir);
        kalloc::decref_all(&batch[..n]);
        self.pgdir = 0;
        self.kdir = 0;
    }

    /// Unmaps [from, to) (page-aligned), freeing the pages (shrinking the heap).
    pub fn unmap_range(&mut self, tlb: &TlbState, from: u32, to: u32) {
        let mut va = from;
        while va < to {
            if let Some(slot) = self.slot(va, false) {
                // SAFETY: a valid PTE slot.
                let pte = unsafe { *slot };
                if pte & PTE_V != 0 {
                    // SAFETY: as above.
                    unsafe { *slot = 0 };
                    tlb.shootdown(va);
                    kalloc::decref(pte_pa(pte));
                }
            }
            va += PAGE;
        }
    }

    /// Physical address of user address `va`, faulting the page in (for a store: writable).
    pub fn resolve(&mut self, tlb: &TlbState, va: u32, write: bool) -> Result<u32, FaultError> {
        let pte = self.pte(va);
        let ok = pte & PTE_V != 0 && (!write || pte & PTE_D != 0);
        if !ok {
            self.fault(tlb, va, write)?;
        }
        Ok(pte_pa(self.pte(va)) | (va & 0xFFF))
    }

    /// Copies user memory at `va` into `dst`.
    pub fn copy_in(&mut self, tlb: &TlbState, dst: &mut [u8], va: u32) -> Result<(), FaultError> {
        let mut done = 0;
        while done < dst.len() {
            let a = va.checked_add(done as u32).ok_or(FaultError::BadAddress)?;
            let pa = self.resolve(tlb, a, false)?;
            let n = (PAGE - (a & 0xFFF)).min((dst.len() - done) as u32) as usize;
            // SAFETY: `pa..pa+n` is within one resolved user page, in the direct map.
            let src = unsafe { core::slice::from_raw_parts(hal::p2v(pa) as *const u8, n) };
            bcopy(&mut dst[done..done + n], src);
            done += n;
        }
        Ok(())
    }

    /// Copies `src` into user memory at `va`.
    pub fn copy_out(&mut self, tlb: &TlbState, va: u32, src: &[u8]) -> Result<(), FaultError> {
        let mut done = 0;
        while done < src.len() {
            let a = va.checked_add(done as u32).ok_or(FaultError::BadAddress)?;
            let pa = self.resolve(tlb, a, true)?;
            let n = (PAGE - (a & 0xFFF)).min((src.len() - done) as u32) as usize;
            // SAFETY: as in `copy_in`, for a writable page.
            let dst = unsafe { core::slice::from_raw_parts_mut(hal::p2v(pa) as *mut u8, n) };
            bcopy(dst, &src[done..done + n]);
            done += n;
        }
        Ok(())
    }

    /// A NUL-terminated string from user memory (at most `max` bytes).
    pub fn copy_in_str(
        &mut self,
        tlb: &TlbState,
        va: u32,
        max: usize,
    ) -> Result<Vec<u8>, FaultError> {
        // A page at a time: resolve the page once and look for the NUL in it (the string
        // used to be copied a byte at a time, each byte a page-table walk).
        let mut out = Vec::new();
        let mut a = va;
        loop {
            let pa = self.resolve(tlb, a, false)?;
            let n = (PAGE - (a & 0xFFF)) as usize;
            // SAFETY: `pa..pa+n` is the rest of one resolved user page, in the direct map.
            let bytes = unsafe { core::slice::from_raw_parts(hal::p2v(pa) as *const u8, n) };
            let end = bytes.iter().position(|&b| b == 0);
            let piece = &bytes[..end.unwrap_or(n)];
            if out.len() + piece.len() > max {
                return Err(FaultError::BadAddress);
            }
            out.extend_from_slice(piece);
            if end.is_some() {
                return Ok(out);
            }
            a = a.checked_add(n as u32).ok_or(FaultError::BadAddress)?;
        }
    }

    /// A user word.
    pub fn read_u32(&mut self, tlb: &TlbState, va: u32) -> Result<u32, FaultError> {
        let mut b = [0u8; 4];
        self.copy_in(tlb, &mut b, va)?;
        Ok(u32::from_le_bytes(b))
    }
}

impl TlbState {
    /// Makes this the address space of this CPU: its page directory for the refill handler
    /// and its ASID (a new one if its ASID here is from an old generation or was dropped).
    pub fn activate(&self) {
        let c = cpu::this();
        let me = hal::cpu_id();
        let held = self.asids[me].load(Ordering::Acquire);
        let asid = if held >> 8 == c.asid_generation && held & 0xFF != 0 {
            held & 0xFF
        } else {
            if c.next_asid > 255 {
                // A full flush: it also retires the mapped kernel segment's stale slots.
                k2::flush_here();
                c.asid_generation += 1;
                c.next_asid = 1;
            }
            let a = c.next_asid;
            c.next_asid += 1;
            self.asids[me].store(c.asid_generation << 8 | a, Ordering::Release);
            a
        };
        self.active[me / 32].fetch_or(1 << (me % 32), Ordering::AcqRel);
        pda::this().pgdir = self.pgdir;
        hal::set_asid(asid);
    }

    /// This CPU stops running the address space.
    pub fn deactivate(&self) {
        let me = hal::cpu_id();
        self.active[me / 32].fetch_and(!(1 << (me % 32)), Ordering::AcqRel);
    }

    fn is_active(&self, cpu: usize) -> bool {
        self.active[cpu / 32].load(Ordering::Acquire) & (1 << (cpu % 32)) != 0
    }

    fn invalidate_local(&self, va: u32) {
        let me = hal::cpu_id();
        let held = self.asids[me].load(Ordering::Acquire);
        if held != 0 {
            hal::tlb_invalidate(va, held & 0xFF);
        }
    }

    /// Drops the translation of `va` everywhere: here directly, elsewhere by forgetting the
    /// ASID there, and by IPI where the space is running right now.
    fn shootdown(&self, va: u32) {
        self.invalidate_local(va);
        self.forget_elsewhere();
    }

    /// Drops every translation of this space on every CPU (new ASIDs everywhere).
    fn shootdown_all(&self) {
        let me = hal::cpu_id();
        self.asids[me].store(0, Ordering::Release);
        if self.is_active(me) {
            self.activate();
        }
        self.forget_elsewhere();
    }

    fn forget_elsewhere(&self) {
        let me = hal::cpu_id();
        for c in 0..MAX_CPUS.min(hal::cpu_count()) {
            if c != me {
                self.asids[c].store(0, Ordering::Release);
                if self.is_active(c) {
                    crate::ipi::request_tlb_reload(c);
                }
            }
        }
    }
}
