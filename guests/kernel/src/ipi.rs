//! Inter-processor interrupts: why one CPU interrupts another. A request sets a bit in the
//! target's mailbox and raises its IPI line; the target's handler takes the bits and acts.

use core::sync::atomic::{AtomicU32, Ordering};

use crate::cpu::MAX_CPUS;
use crate::hal;

/// Drop the current address space's translations (TLB shootdown).
pub const TLB_RELOAD: u32 = 1;
/// Look at the run queue (work arrived, or a process should be preempted).
pub const RESCHEDULE: u32 = 2;
/// Flush the whole TLB and report the mapped kernel segment's epoch ([`crate::k2`]).
pub const K2_FLUSH: u32 = 4;

static MAILBOX: [AtomicU32; MAX_CPUS] = [const { AtomicU32::new(0) }; MAX_CPUS];

fn send(cpu: usize, what: u32) {
    if cpu < MAX_CPUS {
        MAILBOX[cpu].fetch_or(what, Ordering::AcqRel);
        hal::send_ipi(cpu);
    }
}

/// Asks `cpu` to drop the translations of the address space it runs.
pub fn request_tlb_reload(cpu: usize) {
    send(cpu, TLB_RELOAD);
}

/// Asks `cpu` to flush its TLB for the mapped kernel segment's lazy reclaim.
pub fn request_k2_flush(cpu: usize) {
    send(cpu, K2_FLUSH);
}

/// Asks `cpu` to look for work.
pub fn request_reschedule(cpu: usize) {
    send(cpu, RESCHEDULE);
}

/// Acknowledges this CPU's IPI and returns the requests in its mailbox.
pub fn take() -> u32 {
    hal::ack_ipi();
    MAILBOX[hal::cpu_id()].swap(0, Ordering::AcqRel)
}
