//! Kernel statistics the simulator reads: per kernel service a count and the cycles spent in
//! it (the services of the paper's Table 2), fault kinds, and TLB refills.
//!
//! They live in one `#[no_mangle]` static, [`KSTATS`], whose address the host finds in the
//! kernel's symbol table. The layout is part of the host interface and is `abi::kstats`'s: a
//! [`Header`], then one [`Row`] per CPU; crates/sim reads the fields at the offsets of the same
//! types. `page_uses` is the physical address of one byte per machine page saying what the
//! kernel uses it for ([`crate::kalloc::Use`]); `current_pid` is the process running on the CPU
//! (0 when idle).
//! Each CPU writes only its own row (MIPS32 has no 64-bit atomics), with interrupts off for
//! the update; the host adds the rows up. User programs can copy the block with `kstats`.
//!
//! Where this kernel counts each service (abi's [`Event`] says what each one is):
//!
//! | service | counted in | cycles ([`time`]) |
//! |---|---|---|
//! | each system call, by number | `syscall::dispatch` | CPU time from entry to return |
//! | `DEMAND_ZERO` | `vm`, the fault path, when it zeroes a fresh page | the whole fault |
//! | `COPY_ON_WRITE` | `vm`, the fault path, when it copies a shared page | the whole fault |
//! | `SLOW_FAULT` | `trap::page_fault`: a fault the refill path left that zeroed or copied nothing | the whole fault |
//! | `INTERRUPT` | `trap::interrupt`, for the device line | the device line's work |
//! | `IPI` | `trap::interrupt`, for the inter-processor line | the IPI's work |
//! | `TICK` | `trap::interrupt`, for the timer line | the tick's work |
//! | `SWITCH` | `proc::sched`, each switch to the scheduler | — |
//! | `KILLED` | `trap::kill`, a program ended by an exception | — |
//! | `BUFFER_HIT`, `BUFFER_MISS` | `bio::bread`, each block looked up | — |
//! | `DISK_WRITE` | `disk::rw`, each write request | — |
//! | `K2_FLUSH` | `k2`, a TLB flush for the mapped kernel segment's reclaim | — |
//! | `K2_FULL` | `k2::map`, a page table left in the direct map for want of a slot | — |
//!
//! Under the monitor each service's cycles are also split as the paper's Table 2 does: the
//! monitor's cycles on the kernel's TLB faults and its other cycles (`Row::syscall_tlb_cycles`,
//! `Row::syscall_monitor_cycles` and the events' likewise; [`monitor_start`],
//! [`monitor_since`]), from the totals the monitor keeps in the special page; the rest is the
//! kernel's own execution. A service ends with its return to user mode: [`syscall_finishing`]
//! / [`event_finishing`] arm the monitor to count the emulated ERET that follows, and
//! [`returned`] adds it to the service at the next entry from user mode.
//!
//! Every service is timed from the exception that entered the kernel ([`crate::trap::TrapFrame`]'s
//! `entry_count`). A system call's cycles are CPU time, not elapsed time: a call that sleeps (`wait`, a disk
//! read) is charged only for the work it did, as the paper's Table 2 times kernel services. A
//! fault's cycles run from the trap to the return, so the trap itself is part of the service
//! (as the paper counts DEMAND_ZERO), and under the monitor they include the monitor's work for
//! it, which the guest's clock sees too. An interrupt's lines are timed each to its own service, so
//! that `INTERRUPT`'s time is that of its own calls: the ticks an idle CPU takes are `TICK`'s.
//!
//! Outside the services: [`running`] records the process each CPU runs (the scheduler calls
//! it), and [`sample_utlb`] copies the count of TLB refills that the refill vector in
//! `entry.rs` keeps in the per-CPU area: that path is a dozen instructions of assembly and
//! cannot take the row's interrupts-off update, so the timer copies its count at each tick.
//!
//! The host turns the rows into the kernel-services panel and `disco run --services`; the
//! event names there are abi's ([`Event::name`]), the system calls' names abi's `Syscall`'s.

use core::cell::UnsafeCell;

pub use abi::kstats::{Event, MAX_SYSCALL, Row};
use abi::kstats::{Header, MAGIC, SYMBOL};

use crate::cpu::{self, MAX_CPUS};
use crate::hal::{self, MonitorCycles};

/// The statistics block (layout is part of the host interface).
#[repr(C)]
pub struct KStats {
    /// Magic, CPUs in use, bytes per row, the page-use table.
    pub header: Header,
    /// One row per CPU.
    pub rows: [Row; MAX_CPUS],
}

// The host finds the rows right after the header, `row_bytes` apart.
const _: () = assert!(core::mem::offset_of!(KStats, rows) == core::mem::size_of::<Header>());

/// The block, shared: each CPU mutates only its own row.
pub struct Shared(UnsafeCell<KStats>);

// SAFETY: rows are per CPU and updated with interrupts off; the header is written once at boot.
unsafe impl Sync for Shared {}

/// The block. `no_mangle` takes no path, so its name is spelled here: the host looks it up as
/// [`SYMBOL`], and the assertion below keeps the two equal.
#[unsafe(no_mangle)]
pub static KSTATS: Shared = Shared(UnsafeCell::new(KStats {
    header: Header {
        magic: MAGIC,
        cpus: 0,
        row_bytes: core::mem::size_of::<Row>() as u32,
        page_uses: 0,
        pages: 0,
    },
    rows: [Row::ZERO; MAX_CPUS],
}));

const _: () = assert!(matches!(SYMBOL.as_bytes(), b"KSTATS"));

/// Records the CPU count and the page-use table (boot).
pub fn init(cpus: usize) {
    let (uses, pages) = crate::kalloc::use_table();
    // SAFETY: boot, before other CPUs run.
    unsafe {
        let k = &mut (*KSTATS.0.get()).header;
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

/// Counts an event.
pub fn count(e: Event) {
    with_row(|r| r.events[e as usize] += 1);
}

/// Adds cycles to an event.
pub fn time(e: Event, cycles: u64) {
    with_row(|r| r.event_cycles[e as usize] += cycles);
}

/// Where a service's monitor cycles start: `now` less what the monitor charged since the
/// exception was delivered (`at_entry`), so that taking and forwarding the trap count.
pub fn monitor_start(now: MonitorCycles, at_entry: MonitorCycles) -> MonitorCycles {
    now - (hal::monitor_cycles() - at_entry)
}

/// The monitor's cycles from `start` to `now` (wrapping totals).
pub fn monitor_since(now: MonitorCycles, start: MonitorCycles) -> [u64; 2] {
    (now - start).widen()
}

/// A service finished, its return to user mode still to come (`cpu::Cpu::returning`).
const RETURNING_EVENT: u32 = 0x100;

/// Notes that system call `nr` (or, with [`RETURNING_EVENT`], event `e`) has finished and
/// only its return to user mode is left: under the monitor that ERET traps and is emulated,
/// and its cycles belong to the service, as the paper times a service from its trap to its
/// return (natively the ERET is one instruction, already inside).
fn finishing(code: u32) {
    if hal::MONITORED {
        let c = cpu::this();
        c.returning = code;
        c.returning_mark = hal::monitor_return_cycles();
        hal::arm_return();
    }
}

/// Notes that system call `nr` returns to user mode next.
pub fn syscall_finishing(nr: usize) {
    if nr < MAX_SYSCALL {
        finishing(1 + nr as u32);
    }
}

/// Notes that event `e` (a fault) returns to user mode next.
pub fn event_finishing(e: Event) {
    finishing(RETURNING_EVENT + e as u32);
}

/// At a kernel entry: adds the monitor's emulation of the last service's return to user mode
/// (if one was under way) to that service — to its cycles and to its monitor share.
pub fn returned() {
    if !hal::MONITORED {
        return;
    }
    let c = cpu::this();
    let code = core::mem::take(&mut c.returning);
    if code == 0 {
        return;
    }
    let took = u64::from(hal::monitor_return_cycles().wrapping_sub(c.returning_mark));
    with_row(|r| {
        if code >= RETURNING_EVENT {
            let e = (code - RETURNING_EVENT) as usize;
            if e < r.event_cycles.len() {
                r.event_cycles[e] += took;
                r.event_monitor_cycles[e] += took;
            }
        } else {
            let nr = (code - 1) as usize;
            r.syscall_cycles[nr] += took;
            r.syscall_monitor_cycles[nr] += took;
        }
    });
}

/// Adds the monitor's share of an event's cycles ([kernel TLB faults, other]).
pub fn time_monitor(e: Event, m: [u64; 2]) {
    if !hal::MONITORED {
        return;
    }
    with_row(|r| {
        r.event_tlb_cycles[e as usize] += m[0];
        r.event_monitor_cycles[e as usize] += m[1];
    });
}

/// Adds the monitor's share of a returning system call's cycles.
pub fn syscall_monitor(nr: usize, m: [u64; 2]) {
    if hal::MONITORED && nr < MAX_SYSCALL {
        with_row(|r| {
            r.syscall_tlb_cycles[nr] += m[0];
            r.syscall_monitor_cycles[nr] += m[1];
        });
    }
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

/// Runs `f` on this CPU's row, with interrupts off: an interrupt handler may count too.
fn with_row(f: impl FnOnce(&mut Row)) {
    cpu::push_off();
    // SAFETY: only this CPU touches its row, and interrupts are off.
    f(unsafe { &mut (*KSTATS.0.get()).rows[hal::cpu_id()] });
    cpu::pop_off();
}
