//! The mapped kernel segment (IRIX's K2): kernel virtual memory the page tables live in.
//!
//! IRIX, like the MIPS kernels of its day, reached its page tables and other per-process
//! kernel data through a mapped kernel segment, not through the unmapped kseg0. Its misses are
//! the kernel's own: the TLB-refill handler in `entry.rs` serves them from [`PTES`], one
//! EntryLo pair per 8 KB of the segment. Under Disco that matters (paper §5.3, Table 2's
//! "kernel TLB faults"): the monitor can refill the direct map by itself, but a K2 page is
//! known only to the guest, so a miss there that the guest's TLB no longer holds goes through
//! the guest's own refill handler, its TLB write emulated.
//!
//! ## Slots
//! The segment is [`SLOTS`] slots of one 8 KB TLB pair each, holding one 4 KB page in the
//! even half (the odd half stays invalid, a guard). A page is mapped at the next free slot
//! after a cursor.
//!
//! ## Lazy reclaim
//! Unmapping only marks the slot stale: another CPU may still hold its translation, and
//! shooting it down at every unmap would cost an IPI per freed page table. A stale slot is not
//! reused until every CPU has flushed its TLB since the unmap. Every quarter of the way round,
//! if every CPU has caught up with the current *epoch*, a new one begins and every CPU is
//! asked (by IPI) to flush its TLB and report the epoch it saw (any full flush reports, as at
//! the end of a CPU's ASID generation); a slot freed in epoch `e` is free again once every CPU
//! reported an epoch above `e`. Nothing waits for the flushes: while no slot is free, a page
//! falls back to its direct-map address, which needs no slot (counted as `K2_FULL`).

use core::sync::atomic::{AtomicU32, Ordering};

use abi::segments::{K2_BASE, K2_BYTES};

use crate::cpu::MAX_CPUS;
use crate::spinlock::Spinlock;
use crate::{hal, ipi, stats};

/// Slots in the segment (8 KB each).
pub const SLOTS: usize = (K2_BYTES >> 13) as usize;

/// An EntryLo that is global and invalid: a free slot's even half, and every odd half (an
/// entry is global only if both halves say so).
const FREE: u32 = 1;
/// Marks a stale slot (V clear, so never a live entry's PFN bit); the epoch it was freed in
/// sits above it.
const STALE: u32 = 1 << 7;

/// The segment's EntryLo pairs, read by the TLB-refill handler (by symbol, through the direct
/// map) and written by [`map`] and [`unmap`] under [`SPACE`]'s lock.
#[unsafe(no_mangle)]
pub static mut PTES: [u32; 2 * SLOTS] = [0; 2 * SLOTS];

/// The allocation cursor and the epoch.
struct Space {
    cursor: usize,
    epoch: u32,
}

static SPACE: Spinlock<Space> = Spinlock::new("k2", Space { cursor: 0, epoch: 0 });
/// The current epoch, for the IPI handler (which must not take [`SPACE`]'s lock).
static EPOCH: AtomicU32 = AtomicU32::new(0);
/// The epoch each CPU saw before its last full TLB flush.
static FLUSHED: [AtomicU32; MAX_CPUS] = [const { AtomicU32::new(0) }; MAX_CPUS];

fn pte_ptr(slot: usize, half: usize) -> *mut u32 {
    // SAFETY: in bounds; the callers hold SPACE's lock (or are the single boot CPU).
    unsafe { core::ptr::addr_of_mut!(PTES).cast::<u32>().add(2 * slot + half) }
}

/// Marks every slot free (at boot, before any other CPU runs: .bss is not cleared).
pub fn init() {
    for slot in 0..SLOTS {
        for half in 0..2 {
            // SAFETY: boot, one CPU.
            unsafe { pte_ptr(slot, half).write_volatile(FREE) };
        }
    }
}

/// Maps the physical page `pa` into the segment and returns its address there, or its
/// direct-map address if no slot is free just now.
pub fn map(pa: u32) -> u32 {
    let mut s = SPACE.lock();
    let cpus = hal::cpu_count().min(MAX_CPUS);
    let mut done = (0..cpus).map(|c| FLUSHED[c].load(Ordering::Acquire)).min().unwrap_or(0);
    for _ in 0..SLOTS {
        let slot = s.cursor;
        s.cursor = (s.cursor + 1) % SLOTS;
        // A new epoch every quarter of the way round, so that the flushes it asks for are
        // done by the time the cursor reaches the slots freed before it (asked for at the
        // wrap itself, they came too late for the slots just after it: measured, ktest's
        // 300 short processes on 4 CPUs then found no slot free three times). And only once
        // every CPU has flushed for the current epoch: until then its requests are out.
        if s.cursor % (SLOTS / 4) == 0 && done >= s.epoch {
            s.epoch += 1;
            EPOCH.store(s.epoch, Ordering::Release);
            flush_here();
            stats::count(stats::Event::K2Flush);
            for c in (0..cpus).filter(|&c| c != hal::cpu_id()) {
                ipi::request_k2_flush(c);
            }
            done = (0..cpus).map(|c| FLUSHED[c].load(Ordering::Acquire)).min().unwrap_or(0);
        }
        let p = pte_ptr(slot, 0);
        // SAFETY: under the lock.
        let e = unsafe { p.read_volatile() };
        if e == FREE || (e & 0b10 == 0 && e & STALE != 0 && e >> 8 < done) {
            let lo = (pa >> 12) << 6 | 3 << 3 | 0b111;
            // SAFETY: under the lock.
            unsafe { p.write_volatile(lo) };
            return K2_BASE + ((slot as u32) << 13);
        }
    }
    stats::count(stats::Event::K2Full);
    hal::p2v(pa)
}

/// Unmaps the page at kernel address `va` if it is in the segment (a direct-map address, from
/// [`map`]'s fallback, needs nothing).
pub fn unmap(va: u32) {
    if !(K2_BASE..K2_BASE + K2_BYTES).contains(&va) {
        return;
    }
    let s = SPACE.lock();
    let slot = ((va - K2_BASE) >> 13) as usize;
    // SAFETY: under the lock.
    unsafe { pte_ptr(slot, 0).write_volatile(s.epoch << 8 | STALE | FREE) };
}

/// The physical address behind kernel address `va` (in the segment or the direct map).
pub fn v2p(va: u32) -> u32 {
    if !(K2_BASE..K2_BASE + K2_BYTES).contains(&va) {
        return hal::v2p(va);
    }
    let slot = ((va - K2_BASE) >> 13) as usize;
    // SAFETY: a live slot's entry does not change while its owner holds the page.
    let lo = unsafe { pte_ptr(slot, 0).read_volatile() };
    ((lo >> 6) & 0xF_FFFF) << 12 | (va & 0xFFF)
}

/// Flushes this CPU's TLB and reports the epoch it saw before: the IPI's request, the wrap on
/// this CPU, or any other reason to flush the whole TLB.
pub fn flush_here() {
    let e = EPOCH.load(Ordering::Acquire);
    hal::tlb_flush_all();
    FLUSHED[hal::cpu_id()].store(e, Ordering::Release);
}
