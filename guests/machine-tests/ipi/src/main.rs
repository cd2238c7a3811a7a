//! Inter-processor interrupts: CPU 0 installs the exception vectors, starts every other CPU
//! (each on its own node-local stack), waits until all have enabled interrupts, then sends an
//! IPI to each CPU — itself last. Each CPU's handler acknowledges the IPI and records it; the
//! CPUs report through shared memory, and CPU 0 prints one line per CPU:
//! `ipi cpuC received latency=L entries=E` (L = receive cycle minus send cycle, E = handler
//! entries, counting those with nothing left to do) and a summary `ipi received=K/N`.

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};

use brt::{cp0, info, intc, println, trap};

brt::entry!(main);

const ZERO: AtomicU32 = AtomicU32::new(0);
static READY: [AtomicU32; brt::MAX_CPUS] = [ZERO; brt::MAX_CPUS];
static GOT: [AtomicU32; brt::MAX_CPUS] = [ZERO; brt::MAX_CPUS];
static ENTRIES: [AtomicU32; brt::MAX_CPUS] = [ZERO; brt::MAX_CPUS];
static SENT_AT: [AtomicU32; brt::MAX_CPUS] = [ZERO; brt::MAX_CPUS];
static RECEIVED_AT: [AtomicU32; brt::MAX_CPUS] = [ZERO; brt::MAX_CPUS];

fn main(_cpu: u32) -> u32 {
    let n = info::cpu_count() as usize;
    trap::install();
    trap::set_handler(on_interrupt);
    for c in 1..n as u32 {
        brt::start_cpu(c, secondary);
    }
    while READY[1..n].iter().any(|r| r.load(Ordering::Acquire) == 0) {
        core::hint::spin_loop();
    }
    cp0::enable_interrupts(cp0::IM_IPI);
    // Others first, then CPU 0 itself.
    for c in (1..n).chain(0..1) {
        SENT_AT[c].store(info::cycles_lo(), Ordering::Relaxed);
        intc::send_ipi(c as u32);
    }
    cp0::wait_until(|| GOT[0].load(Ordering::Acquire) != 0);
    // Give up after a while rather than hang if an IPI never arrives.
    let start = info::cycles_lo();
    while GOT[..n].iter().any(|g| g.load(Ordering::Acquire) == 0)
        && info::cycles_lo().wrapping_sub(start) < 10_000_000
    {
        core::hint::spin_loop();
    }
    cp0::disable();
    let mut received = 0;
    for c in 0..n {
        if GOT[c].load(Ordering::Acquire) != 0 {
            received += 1;
            let latency = RECEIVED_AT[c].load(Ordering::Relaxed) as i32
                - SENT_AT[c].load(Ordering::Relaxed) as i32;
            println!(
                "ipi cpu{c} received latency={latency} entries={}",
                ENTRIES[c].load(Ordering::Relaxed)
            );
        } else {
            println!("ipi cpu{c} MISSING");
        }
    }
    println!("ipi received={received}/{n}");
    u32::from(received != n)
}

/// A secondary CPU: enable the IPI line, say so, sleep until the IPI came, then park.
fn secondary(cpu: u32) {
    cp0::enable_interrupts(cp0::IM_IPI);
    READY[cpu as usize].store(1, Ordering::Release);
    cp0::wait_until(|| GOT[cpu as usize].load(Ordering::Acquire) != 0);
}

/// Interrupts: acknowledge an IPI and record it.
fn on_interrupt(pending: u32) {
    let cpu = cp0::cpu_num() as usize;
    ENTRIES[cpu].fetch_add(1, Ordering::Relaxed);
    if pending & cp0::IM_IPI != 0 && intc::ipi_pending() {
        RECEIVED_AT[cpu].store(info::cycles_lo(), Ordering::Relaxed);
        intc::ack_ipi();
        GOT[cpu].store(1, Ordering::Release);
    }
}
