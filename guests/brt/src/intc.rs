//! The interrupt controller: inter-processor interrupts (line IP3 of the target CPU), the
//! device interrupt sources (line IP2 of one CPU, the route) and the mailbox that starts
//! secondary CPUs.
//!
//! Lines reach a CPU's Cause register only at the machine's quantum boundaries — raising
//! *and* lowering. After an acknowledgement the line can stay up for the rest of the quantum,
//! so an interrupt handler must expect to be entered again with nothing pending (check
//! [`ipi_pending`] / [`pending`], and return).

use abi::address_map::{intc as reg, source};

use crate::mmio::{INTC, read, write};

/// Write: raise an IPI on CPU `value`.
pub const IPI_SEND: u32 = INTC + reg::IPI_SEND;
/// Write: clear the writing CPU's IPI.
pub const IPI_ACK: u32 = INTC + reg::IPI_ACK;
/// Read: 1 if the reading CPU has an IPI pending.
pub const IPI_PENDING: u32 = INTC + reg::IPI_PENDING;
/// Read: pending device sources.
pub const PENDING: u32 = INTC + reg::PENDING;
/// Sources allowed to raise IP2 (default all).
pub const ENABLE: u32 = INTC + reg::ENABLE;
/// The CPU that receives IP2 (default 0).
pub const ROUTE: u32 = INTC + reg::ROUTE;
/// Address a started CPU begins at.
pub const START_PC: u32 = INTC + reg::START_PC;
/// Stack pointer a started CPU begins with.
pub const START_SP: u32 = INTC + reg::START_SP;
/// Write: start CPU `value` at START_PC with `$sp` = START_SP and `$a0` = its number.
pub const START: u32 = INTC + reg::START;

/// Device source bit: console input.
pub const SRC_CONSOLE: u32 = source::CONSOLE;
/// Device source bit: network interface.
pub const SRC_NET: u32 = source::NET;

/// Device source bit of disk unit `unit`.
pub const fn src_disk(unit: u32) -> u32 {
    source::disk(unit)
}

/// Raises an inter-processor interrupt on CPU `cpu`.
pub fn send_ipi(cpu: u32) {
    write(IPI_SEND, cpu);
}

/// Clears this CPU's inter-processor interrupt.
pub fn ack_ipi() {
    write(IPI_ACK, 0);
}

/// True if this CPU has an inter-processor interrupt pending.
pub fn ipi_pending() -> bool {
    read(IPI_PENDING) & 1 != 0
}

/// Pending device sources (see the `SRC_*` bits).
pub fn pending() -> u32 {
    read(PENDING)
}

/// The device sources allowed to raise IP2.
pub fn enabled() -> u32 {
    read(ENABLE)
}

/// Sets the device sources allowed to raise IP2.
pub fn set_enabled(mask: u32) {
    write(ENABLE, mask);
}

/// The CPU that receives device interrupts.
pub fn route() -> u32 {
    read(ROUTE)
}

/// Sends device interrupts to CPU `cpu` (ignored if there is no such CPU).
pub fn set_route(cpu: u32) {
    write(ROUTE, cpu);
}

/// Starts CPU `cpu` at `pc` with `$sp` = `sp` and `$a0` = `cpu`, kernel mode, Status = 0.
/// (Prefer [`crate::start_cpu`], which gives it a stack and a Rust entry.) The machine starts
/// the CPU at once: the writing CPU stops at the START write and the new one runs from the
/// same quantum.
pub fn start(cpu: u32, pc: u32, sp: u32) {
    write(START_PC, pc);
    write(START_SP, sp);
    write(START, cpu);
}
