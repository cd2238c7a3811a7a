//! The per-CPU data area: one page per CPU, reached at the same virtual address ([`hal::PDA`])
//! on every CPU through a wired, global TLB entry (as IRIX's PDA). The exception handlers read
//! the current page directory and kernel stack from it with a single load, without needing to
//! know which CPU they run on.

use crate::{hal, kalloc};

/// The layout the assembly in `entry.rs` relies on.
#[repr(C)]
pub struct Pda {
    /// Direct-mapped address of the current address space's page directory.
    pub pgdir: u32,
    /// Top of the current process's kernel stack (where a trap from user mode starts).
    pub kstack_top: u32,
    /// TLB refills handled by the fast path on this CPU (the paper's UTLB_MISS).
    pub utlb_misses: u32,
    /// This CPU's number.
    pub cpu: u32,
    /// A word the Disco HAL's TLB-refill path keeps the PTE pair's address in while it stores
    /// the pair into the special page (the handler has only `$k0` and `$k1`).
    pub scratch: u32,
}

/// Allocates this CPU's PDA page and wires the TLB entry that maps it. `empty_pgdir` is the
/// page directory used while no process runs.
pub fn init(cpu: usize, empty_pgdir: u32) {
    let pa = kalloc::alloc_zeroed(kalloc::Use::Kernel).expect("no memory for the per-CPU area");
    // EntryLo: PFN, cacheable (3), dirty, valid, global; the odd half is global and invalid
    // (an entry is global only if both halves say so).
    let lo0 = (pa >> 12) << 6 | 3 << 3 | 0b111;
    hal::tlb_flush_all();
    hal::set_wired(hal::WIRED);
    hal::tlb_write(0, hal::PDA & !0x1FFF, lo0, 1);
    let p = this();
    p.pgdir = empty_pgdir;
    p.kstack_top = 0;
    p.utlb_misses = 0;
    p.cpu = cpu as u32;
    p.scratch = 0;
}

/// This CPU's PDA.
#[allow(clippy::mut_from_ref)]
pub fn this() -> &'static mut Pda {
    // SAFETY: the wired entry maps PDA to this CPU's own page, used by nothing else.
    unsafe { &mut *(hal::PDA as *mut Pda) }
}
