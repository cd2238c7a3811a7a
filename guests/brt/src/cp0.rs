//! Coprocessor 0 registers this runtime uses: Count/Compare (the per-CPU timer on line IP7),
//! Status (interrupt enable and mask), Cause, EPC, BadVAddr, EBase; and WAIT.
//!
//! Count advances once every two CPU cycles. When Count reaches Compare the timer raises IP7
//! (Cause.TI) until Compare is written again.

use core::arch::asm;

/// Status.IE: interrupts enabled (unless EXL or ERL).
pub const STATUS_IE: u32 = 1;
/// Status.EXL: exception level (set on exception entry, cleared by ERET).
pub const STATUS_EXL: u32 = 1 << 1;
/// Status.IM2: device interrupts (the interrupt controller's route).
pub const IM_DEVICE: u32 = abi::address_map::irq::DEVICE;
/// Status.IM3: inter-processor interrupts.
pub const IM_IPI: u32 = abi::address_map::irq::IPI;
/// Status.IM7: the CP0 timer.
pub const IM_TIMER: u32 = abi::address_map::irq::TIMER;
/// The interrupt-pending / interrupt-mask field of Cause and Status.
pub const IP_MASK: u32 = 0xFF << 8;

macro_rules! mfc0 {
    ($reg:literal) => {{
        let v: u32;
        // SAFETY: reading a CP0 register has no side effect; the program runs in kernel mode.
        unsafe { asm!(
                ".set push",
                ".set noat",
                concat!("mfc0 {0}, ", $reg),
                ".set pop",
                out(reg) v,
                options(nomem, nostack)
            ) };
        v
    }};
}

macro_rules! mtc0 {
    ($reg:literal, $v:expr) => {{
        let v: u32 = $v;
        // SAFETY: kernel mode; the caller's contract (documented per function) covers the
        // effect. `ehb` clears the execution hazard, as MIPS32r2 requires after MTC0.
        unsafe { asm!(
                ".set push",
                ".set noat",
                concat!("mtc0 {0}, ", $reg),
                "ehb",
                ".set pop",
                in(reg) v,
                options(nostack)
            ) };
    }};
}

/// Count: advances every two cycles.
pub fn count() -> u32 {
    mfc0!("$9")
}

/// Compare.
pub fn compare() -> u32 {
    mfc0!("$11")
}

/// Sets Compare: the timer fires when Count reaches it; the write clears a pending timer
/// interrupt.
pub fn set_compare(v: u32) {
    mtc0!("$11", v);
}

/// Status.
pub fn status() -> u32 {
    mfc0!("$12")
}

/// Sets Status (interrupt enable and mask, mode). Status = 0 is kernel mode, interrupts off.
pub fn set_status(v: u32) {
    mtc0!("$12", v);
}

/// Cause: the pending lines (bits 15..8) and the last exception's code (bits 6..2).
pub fn cause() -> u32 {
    mfc0!("$13")
}

/// EPC: where the last exception happened.
pub fn epc() -> u32 {
    mfc0!("$14")
}

/// BadVAddr: the address of the last address or TLB fault.
pub fn bad_vaddr() -> u32 {
    mfc0!("$8")
}

/// EBase: exception base (0x8000_0000) and CPU number (bits 9..0).
pub fn ebase() -> u32 {
    mfc0!("$15, 1")
}

/// This CPU's number, from EBase.CPUNum: the same as [`crate::info::cpu_id`] for one cycle
/// instead of a device access.
pub fn cpu_num() -> u32 {
    ebase() & 0x3FF
}

/// Unmasks the interrupt lines in `mask` (`IM_*` bits) and enables interrupts.
pub fn enable_interrupts(mask: u32) {
    set_status(status() | (mask & IP_MASK) | STATUS_IE);
}

/// Disables interrupts; returns the previous Status for [`restore`].
pub fn disable() -> u32 {
    let old: u32;
    // SAFETY: DI only clears Status.IE; kernel mode.
    unsafe {
        asm!(".set push", ".set noat", "di {0}", "ehb", ".set pop", out(reg) old, options(nostack))
    };
    old
}

/// Re-enables interrupts if `old` (from [`disable`]) had them enabled.
pub fn restore(old: u32) {
    if old & STATUS_IE != 0 {
        // SAFETY: EI only sets Status.IE; kernel mode.
        unsafe { asm!("ei", "ehb", options(nostack)) };
    }
}

/// Waits (WAIT) until an unmasked interrupt line is pending — even with interrupts disabled,
/// in which case execution just continues after it.
pub fn wait() {
    // SAFETY: WAIT has no effect on memory or registers; kernel mode.
    unsafe { asm!("wait", options(nostack)) };
}

/// Sleeps until `done()` is true, without the lost-wakeup race: `done` is checked with
/// interrupts disabled, WAIT ends on a pending line even so, and the interrupt is then taken
/// at the re-enable. The lines of the handler that makes `done` true must be unmasked.
pub fn wait_until(mut done: impl FnMut() -> bool) {
    loop {
        let old = disable();
        if done() {
            restore(old);
            return;
        }
        wait();
        // SAFETY: EI only sets Status.IE; kernel mode. The pending interrupt is taken here.
        unsafe { asm!("ei", "ehb", options(nostack)) };
        if old & STATUS_IE == 0 {
            disable();
        }
    }
}
