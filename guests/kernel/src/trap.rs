//! Trap handling: what happens after the assembly in `entry.rs` saved the interrupted
//! context. System calls go to `syscall.rs`; TLB faults the refill fast path could not serve
//! go to the address space (demand zero, copy on write) or kill the program; interrupts go to
//! the timer, the IPI mailbox and the device drivers. A timer tick in user mode preempts.

use crate::hal::MonitorCycles;
use crate::proc::{self, PTABLE};
use crate::vm::FaultKind;
use crate::{disk, hal, ipi, stats, syscall, timer};

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
    /// Count when the exception was taken: natively read by the entry code, under the
    /// monitor the special page's, which the monitor sets as it delivers the exception —
    /// so a service's time includes the monitor's work to take and forward its trap.
    pub entry_count: u32,
}

impl TrapFrame {
    /// A frame that starts user code at `entry` with stack `sp`, interrupts on.
    pub fn user(entry: u32, sp: u32) -> TrapFrame {
        let mut regs = [0; 32];
        regs[29] = sp;
        // Status on return: the kernel's interrupt mask, user mode, EXL (ERET clears it), IE.
        let status = (hal::status() & 0xFF00) | 0x10 | 0x2 | 0x1;
        TrapFrame {
            regs,
            hi: 0,
            lo: 0,
            epc: entry,
            status,
            cause: 0,
            badvaddr: 0,
            entryhi: 0,
            entry_count: 0,
        }
    }
}

const EXC_NAMES: [&str; 14] = [
    "Int", "Mod", "TLBL", "TLBS", "AdEL", "AdES", "IBE", "DBE", "Sys", "Bp", "RI", "CpU", "Ov",
    "Tr",
];

/// Called by the assembly with the saved frame.
#[unsafe(no_mangle)]
extern "C" fn trap_entry(tf: &mut TrapFrame) {
    let code = (tf.cause >> 2) & 0x1F;
    let user = tf.status & 0x10 != 0;
    // The monitor's cycles as this exception was delivered (none natively), for the services'
    // breakdown: read before interrupts go on, when another delivery would replace them.
    let monitor_at_entry = hal::monitor_cycles_at_entry();
    // The return to user mode of the service before (under Disco, an emulated ERET) is that
    // service's: an entry from user mode comes after it.
    if user {
        stats::returned();
    }
    match code {
        0 => interrupt(tf, user),
        8 if user => {
            tf.epc = tf.epc.wrapping_add(4);
            hal::intr_on();
            syscall::dispatch(tf, monitor_at_entry);
        }
        1..=3 if user => page_fault(tf, code, monitor_at_entry),
        _ if user => kill(tf, code),
        _ => panic!(
            "kernel exception {} ({}) at pc {:#x}, address {:#x}",
            code,
            EXC_NAMES.get(code as usize).unwrap_or(&"?"),
            tf.epc,
            tf.badvaddr
        ),
    }
    if user {
        let killed = cpu_current_killed();
        if killed {
            proc::exit(-1);
        }
    }
}

fn cpu_current_killed() -> bool {
    match crate::cpu::this().current {
        Some(i) => PTABLE.lock().procs[i].killed,
        None => false,
    }
}

/// Adds the cycles since `since` to event `e` and returns the time now: each interrupt line's
/// work is its own service's. (Timing a whole interrupt under `INTERRUPT`, which counts only
/// device interrupts, charged every timer tick of an idle CPU to the few disk interrupts: a
/// waiting shell's INTERRUPT grew to milliseconds per call.)
fn lap(e: stats::Event, since: u64) -> u64 {
    let now = timer::cycles();
    stats::time(e, now - since);
    now
}

fn interrupt(tf: &TrapFrame, user: bool) {
    let pending = tf.cause & tf.status & 0xFF00;
    let mut at = timer::cycles();
    if pending & abi::address_map::irq::DEVICE != 0 {
        stats::count(stats::Event::Device);
        let sources = hal::device_pending();
        if sources & abi::address_map::source::DISKS != 0 {
            disk::interrupt();
        }
        if sources & abi::address_map::source::NET != 0 {
            crate::net::interrupt();
        }
        at = lap(stats::Event::Device, at);
    }
    if pending & abi::address_map::irq::IPI != 0 {
        stats::count(stats::Event::Ipi);
        let req = ipi::take();
        if req & ipi::K2_FLUSH != 0 {
            crate::k2::flush_here();
            stats::count(stats::Event::K2Flush);
        }
        if req & ipi::TLB_RELOAD != 0
            && let Some(i) = crate::cpu::this().current
        {
            let mm = PTABLE.lock().procs[i].mm.clone();
            if let Some(mm) = mm {
                mm.activate();
            }
        }
        at = lap(stats::Event::Ipi, at);
    }
    let tick = pending & abi::address_map::irq::TIMER != 0;
    if tick {
        stats::count(stats::Event::Tick);
        timer::tick();
        lap(stats::Event::Tick, at);
    }
    if tick && user {
        proc::yield_now();
    }
}

fn page_fault(tf: &TrapFrame, code: u32, monitor_at_entry: MonitorCycles) {
    let start = timer::cycles().saturating_sub(timer::cycles_since(tf.entry_count));
    let monitor_start = stats::monitor_start(hal::monitor_cycles(), monitor_at_entry);
    let i = proc::current();
    let mm = PTABLE.lock().procs[i].mm.clone();
    let result = match mm {
        Some(mm) => mm.space.lock().fault(&mm.tlb, tf.badvaddr, code != 2).ok(),
        None => None,
    };
    let ok = result.is_some();
    let took = timer::cycles() - start;
    let monitor = stats::monitor_since(hal::monitor_cycles(), monitor_start);
    // The whole fault, from the exception on, is the service's time (the paper's
    // DEMAND_ZERO counts the trap too). A fault that neither zeroed nor copied a page only
    // loaded a translation the refill path could not: IRIX's QUICK_FAULT, our SLOW_FAULT.
    let event = match result {
        Some(FaultKind::DemandZero) => stats::Event::DemandZero,
        Some(FaultKind::CopyOnWrite) => stats::Event::CopyOnWrite,
        _ => {
            stats::count(stats::Event::SlowFault);
            stats::Event::SlowFault
        }
    };
    stats::time(event, took);
    stats::time_monitor(event, monitor);
    stats::event_finishing(event);
    if !ok {
        kill(tf, code);
    }
}

/// A user program did something illegal: report it and end it with status 128 + the code.
fn kill(tf: &TrapFrame, code: u32) -> ! {
    stats::count(stats::Event::Killed);
    let i = proc::current();
    let (pid, name) = {
        let t = PTABLE.lock();
        let p = &t.procs[i];
        let mut n = [0u8; 16];
        n.copy_from_slice(&p.name);
        (p.pid, n)
    };
    let nlen = name.iter().position(|&c| c == 0).unwrap_or(16);
    crate::kprintln!(
        "dux: pid {} ({}) killed: {} at pc {:#010x}, address {:#010x}",
        pid,
        core::str::from_utf8(&name[..nlen]).unwrap_or("?"),
        EXC_NAMES.get(code as usize).unwrap_or(&"exception"),
        tf.epc,
        tf.badvaddr
    );
    proc::exit(128 + code as i32)
}
