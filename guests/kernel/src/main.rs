//! # dux — a small SMP UNIX for the simulated MIPS machine
//!
//! The "commodity operating system" of Disco in the browser: like IRIX 5.3 in the paper, a
//! multiprocessor UNIX that knows nothing of NUMA, which the Disco monitor later runs
//! unmodified but for its HAL. Read it like xv6: one concept per file.
//!
//! - boot: [`entry`] (assembly: vectors, traps, context switch), this file's `kmain`;
//! - machine: [`hal`] (the only file that differs under Disco), [`pda`], [`cpu`];
//! - memory: [`kalloc`] (pages, the global *memlock*), [`heap`], `vm` (page tables, ASIDs,
//!   copy-on-write, demand-zero);
//! - processes: `proc`, `sched`, `trap`, `syscall`, `exec`;
//! - files: `disk`, `bio` (the buffer cache), `fs`, `file`, `pipe`, `console`;
//! - [`printk`], [`spinlock`], `stats`.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

extern crate alloc;

pub mod cpu;
pub mod entry;
pub mod hal;
pub mod heap;
pub mod kalloc;
pub mod pda;
pub mod printk;
pub mod spinlock;
pub mod trap;

use core::sync::atomic::{AtomicU32, Ordering};

/// CPUs that have finished booting.
static STARTED: AtomicU32 = AtomicU32::new(0);

/// CPU 0's entry from `_start`.
#[unsafe(no_mangle)]
extern "C" fn kmain() -> ! {
    // SAFETY: .bss is ours to clear before anything uses it; nothing has yet.
    unsafe {
        let start = core::ptr::addr_of_mut!(entry::__bss_start);
        let end = core::ptr::addr_of_mut!(entry::__bss_end);
        core::ptr::write_bytes(start, 0, end as usize - start as usize);
    }
    heap::init();
    let kernel_end = hal::v2p(core::ptr::addr_of!(entry::__kernel_end) as u32);
    let cpus = hal::cpu_count();
    let memory = hal::memory_bytes();
    kalloc::init(kernel_end, memory, memory / node_count(cpus));
    kprintln!("dux: {} CPUs, {} MB, {} free pages", cpus, memory >> 20, kalloc::free_pages());
    per_cpu_init(0);
    for cpu in 1..cpus {
        let stack = kalloc::alloc().expect("no memory for a boot stack");
        // SAFETY: _secondary is the secondary entry in entry.rs.
        let pc = _secondary as *const () as usize as u32;
        hal::start_cpu(cpu, pc, hal::p2v(stack) + kalloc::PAGE);
    }
    while STARTED.load(Ordering::Acquire) < cpus as u32 {
        core::hint::spin_loop();
    }
    kprintln!("dux: all CPUs up");
    hal::power_off(0)
}

unsafe extern "C" {
    fn _secondary();
}

fn node_count(cpus: usize) -> u32 {
    // The information device tells the node size directly; see hal.
    let _ = cpus;
    1
}

/// A secondary CPU's entry from `_secondary`, on the stack CPU 0 gave it.
#[unsafe(no_mangle)]
extern "C" fn kmain_secondary(cpu: u32) -> ! {
    per_cpu_init(cpu as usize);
    loop {
        hal::idle();
    }
}

fn per_cpu_init(cpu: usize) {
    let empty = kalloc::alloc_zeroed().expect("no memory for a page directory");
    pda::init(cpu, hal::p2v(empty));
    // SAFETY: __vectors is the start of the vector section.
    hal::set_ebase(core::ptr::addr_of!(entry::__vectors) as u32);
    kprintln!("cpu{}: up", cpu);
    STARTED.fetch_add(1, Ordering::Release);
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    kprintln!("dux panic on cpu{}: {}", hal::cpu_id(), info);
    hal::power_off(255)
}
