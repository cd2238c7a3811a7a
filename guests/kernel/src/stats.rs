//! Kernel statistics the simulator reads: per kernel service a count and the cycles spent in
//! it (the services of the paper's Table 2), fault kinds, and TLB refills.
//!
//! They live in one `#[no_mangle]` static, [`KSTATS`], whose address the host finds in the
//! kernel's symbol table; the layout is `repr(C)` and part of the host interface:
//!
//! ```text
//! magic: u64 = "KSTATS01"   cpus: u32   row_bytes: u32   page_uses: u32 (physical)   pages: u32
//! rows[MAX_CPUS]: { syscalls[40]: u64, syscall_cycles[40]: u64, events[11]: u64,
//!                   event_cycles[11]: u64, current_pid: u64, utlb_misses: u64 }
//! ```
//! `page_uses` is the physical address of one byte per machine page saying what the kernel uses
//! it for (`kalloc::Use`: 0 free, 1 kernel, 2 page table, 3 user, 4 buffer cache); `current_pid`
//! is the process running on the CPU (0 when idle).
//! Each CPU writes only its own row (MIPS32 has no 64-bit atomics), with interrupts off for
//! the update; the host adds the rows up. User programs can copy the block with `kstats`.

use core::cell::UnsafeCell;

use crate::cpu::{self, MAX_CPUS};
use crate::hal;

/// Highest system-call number counted.
pub const MAX_SYSCALL: usize = 40;

/// Kernel events counted besides system calls.
#[derive(Clone, Copy, Debug)]
#[repr(usize)]
pub enum Event {
    /// A page allocated and zeroed on first touch (the paper's DEMAND_ZERO).
    DemandZero = 0,
    /// A copy-on-write fault (a shared page copied, or made writable for its last user).
    CopyOnWrite = 1,
    /// A TLB fault the refill fast path could not serve (no page-table page, or an invalid
    /// PTE) — the slow path through the general vector (IRIX's QUICK_FAULT / vfault).
    SlowFault = 2,
    /// A timer interrupt.
    Tick = 3,
    /// An inter-processor interrupt.
    Ipi = 4,
    /// A device interrupt.
    Device = 5,
    /// A context switch.
    Switch = 6,
    /// A process killed by an exception.
    Killed = 7,
    /// A buffer-cache hit.
    BufferHit = 8,
    /// A buffer-cache miss (a disk read).
    BufferMiss = 9,
    /// A disk write.
    DiskWrite = 10,
}

/// Number of [`Event`]s.
pub const EVENTS: usize = 11;

/// One CPU's counters.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Row {
    /// Calls per system-call number.
    pub syscalls: [u64; MAX_SYSCALL],
    /// CPU cycles per system-call number, entry to exit (time asleep excluded).
    pub syscall_cycles: [u64; MAX_SYSCALL],
    /// Counts per [`Event`].
    pub events: [u64; EVENTS],
    /// Cycles per [`Event`] where it has a duration.
    pub event_cycles: [u64; EVENTS],
    /// The pid running on this CPU now (0: none).
    pub current_pid: u64,
    /// TLB refills served by the fast path (copied from the PDA at each tick).
    pub utlb_misses: u64,
}

const ZERO_ROW: Row = Row {
    syscalls: [0; MAX_SYSCALL],
    syscall_cycles: [0; MAX_SYSCALL],
    events: [0; EVENTS],
    event_cycles: [0; EVENTS],
    current_pid: 0,
    utlb_misses: 0,
};

/// The statistics block (layout is part of the host interface).
#[repr(C)]
pub struct KStats {
    /// "KSTATS01", little-endian.
    pub magic: u64,
    /// CPUs with rows in use (set at boot).
    pub cpus: u32,
    /// Bytes per row.
    pub row_bytes: u32,
    /// Physical address of the page-use table.
    pub page_uses: u32,
    /// Pages in it.
    pub pages: u32,
    /// One row per CPU.
    pub rows: [Row; MAX_CPUS],
}

/// The block, shared: each CPU mutates only its own row.
pub struct Shared(UnsafeCell<KStats>);

// SAFETY: rows are per CPU and updated with interrupts off; the header is written once at boot.
unsafe impl Sync for Shared {}

/// The block.
#[unsafe(no_mangle)]
pub static KSTATS: Shared = Shared(UnsafeCell::new(KStats {
    magic: u64::from_le_bytes(*b"KSTATS01"),
    cpus: 0,
    row_bytes: core::mem::size_of::<Row>() as u32,
    page_uses: 0,
    pages: 0,
    rows: [ZERO_ROW; MAX_CPUS],
}));

/// Records the CPU count and the page-use table (boot).
pub fn init(cpus: usize) {
    let (uses, pages) = crate::kalloc::use_table();
    // SAFETY: boot, before other CPUs run.
    unsafe {
        let k = &mut *KSTATS.0.get();
        k.cpus = cpus as u32;
        k.page_uses = uses;
        k.pages = pages;
    }
}

/// Records the pid now running on this CPU (0: idle).
pub fn running(pid: u32) {
    with_row(|r| r.current_pid = u64::from(pid));
}

/// Copies this CPU's fast-path TLB refill count into its row.
pub fn sample_utlb(count: u32) {
    with_row(|r| r.utlb_misses = u64::from(count));
}

fn with_row(f: impl FnOnce(&mut Row)) {
    cpu::push_off();
    // SAFETY: only this CPU touches its row, and interrupts are off.
    f(unsafe { &mut (*KSTATS.0.get()).rows[hal::cpu_id()] });
    cpu::pop_off();
}

/// Counts an event.
pub fn count(e: Event) {
    with_row(|r| r.events[e as usize] += 1);
}

/// Adds cycles to an event.
pub fn time(e: Event, cycles: u64) {
    with_row(|r| r.event_cycles[e as usize] += cycles);
}

/// Counts a system call as it starts (so calls that never return, like exit, count too).
pub fn syscall_enter(nr: usize) {
    if nr < MAX_SYSCALL {
        with_row(|r| r.syscalls[nr] += 1);
    }
}

/// Adds the cycles a returning system call took.
pub fn syscall_cycles(nr: usize, cycles: u64) {
    if nr < MAX_SYSCALL {
        with_row(|r| r.syscall_cycles[nr] += cycles);
    }
}

/// The block as bytes (for the `kstats` system call).
pub fn as_bytes() -> &'static [u8] {
    // SAFETY: a racy snapshot of plain integers is harmless.
    unsafe {
        core::slice::from_raw_parts(KSTATS.0.get().cast::<u8>(), core::mem::size_of::<KStats>())
    }
}
