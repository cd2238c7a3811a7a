//! Trap handling: the frame the assembly saves, and the dispatch of exceptions, interrupts and
//! system calls.

/// The registers of an interrupted context, as `entry.rs` saves them.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TrapFrame {
    /// General registers ($0 unused; $26/$27 not saved).
    pub regs: [u32; 32],
    /// HI.
    pub hi: u32,
    /// LO.
    pub lo: u32,
    /// EPC.
    pub epc: u32,
    /// Status at the exception.
    pub status: u32,
    /// Cause.
    pub cause: u32,
    /// BadVAddr.
    pub badvaddr: u32,
    /// EntryHi.
    pub entryhi: u32,
}

/// Called by the assembly with the saved frame.
#[unsafe(no_mangle)]
extern "C" fn trap_entry(tf: &mut TrapFrame) {
    panic!(
        "unexpected exception: cause {:#x} epc {:#x} badvaddr {:#x}",
        tf.cause, tf.epc, tf.badvaddr
    );
}

/// Where a new process starts in the kernel (see `entry.rs`); processes arrive with `proc.rs`.
#[unsafe(no_mangle)]
extern "C" fn forkret() {
    panic!("forkret: no processes yet");
}
