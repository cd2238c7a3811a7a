//! Per-CPU state: which process runs here, the scheduler's saved context, and the nesting of
//! interrupt-disabling sections (`push_off`/`pop_off`, as in xv6: taking a spinlock disables
//! interrupts until the outermost lock is released).

use core::cell::UnsafeCell;

use crate::entry::Context;
use crate::hal::{self, MonitorCycles};

/// Most CPUs the kernel supports (the machine has at most 64).
pub const MAX_CPUS: usize = 64;

/// One CPU's kernel state. Touched only by that CPU (with interrupts off where it matters).
/// `repr(C)`, so the host side can read it for debugging.
#[repr(C)]
pub struct Cpu {
    /// Index in the process table of the process running here, if any.
    pub current: Option<usize>,
    /// The scheduler loop's context; `swtch` here to get back to it.
    pub scheduler: Context,
    /// Depth of `push_off` nesting.
    pub noff: u32,
    /// Were interrupts enabled before the outermost `push_off`?
    pub intena: bool,
    /// ASID allocation: the next ASID and the current generation (see `vm.rs`).
    pub next_asid: u32,
    /// ASID generation; bumped when the ASIDs run out and the TLB is flushed.
    pub asid_generation: u32,
    /// High 32 bits of the extended Count (see `timer.rs`).
    pub count_high: u32,
    /// Last Count read, to notice wraparound.
    pub count_last: u32,
    /// Timer ticks taken on this CPU.
    pub ticks: u64,
    /// The running process's CPU time before it was last switched in, and this CPU's clock
    /// then: together its CPU time now, without the process table's lock (see
    /// `proc::cpu_time`).
    pub run_base: u64,
    /// This CPU's clock when the running process was switched in.
    pub run_start: u64,
    /// The same two for the monitor's cycles (`hal::monitor_cycles`; none natively): the
    /// running process's share of them without the lock (see `proc::monitor_time`).
    pub monitor_base: MonitorCycles,
    /// `hal::monitor_cycles` when the running process was switched in.
    pub monitor_start: MonitorCycles,
    /// The service whose return to user mode is under way (the code `stats::finishing` keeps;
    /// 0: none) and `hal::monitor_return_cycles` as it ended: the monitor's emulation of that
    /// return is added to it at the next entry (`stats::returned`).
    pub returning: u32,
    /// `hal::monitor_return_cycles` when `returning` was set.
    pub returning_mark: u32,
}

struct Cpus(UnsafeCell<[Cpu; MAX_CPUS]>);

// SAFETY: each CPU only ever touches its own element (indexed by its hardware CPU number).
unsafe impl Sync for Cpus {}

const IDLE: Cpu = Cpu {
    current: None,
    scheduler: Context { ra: 0, sp: 0, s: [0; 8], fp: 0, gp: 0 },
    noff: 0,
    intena: false,
    next_asid: 1,
    asid_generation: 1,
    count_high: 0,
    count_last: 0,
    ticks: 0,
    run_base: 0,
    run_start: 0,
    monitor_base: MonitorCycles::ZERO,
    monitor_start: MonitorCycles::ZERO,
    returning: 0,
    returning_mark: 0,
};

static CPUS: Cpus = Cpus(UnsafeCell::new([IDLE; MAX_CPUS]));

/// This CPU's state. Callers keep interrupts off while they hold the reference across anything
/// that could switch CPUs (nothing in the kernel migrates a thread while it runs kernel code
/// with interrupts off).
#[allow(clippy::mut_from_ref)]
pub fn this() -> &'static mut Cpu {
    // SAFETY: see `Cpus`: only this CPU touches its element.
    unsafe { &mut (*CPUS.0.get())[hal::cpu_id()] }
}

/// Disables interrupts, counting nesting.
pub fn push_off() {
    let was = hal::intr_off();
    let c = this();
    if c.noff == 0 {
        c.intena = was;
    }
    c.noff += 1;
}

/// Ends one `push_off`; re-enables interrupts after the outermost if they were on before.
pub fn pop_off() {
    let c = this();
    assert!(c.noff > 0, "pop_off without push_off");
    c.noff -= 1;
    if c.noff == 0 && c.intena {
        hal::intr_on();
    }
}
