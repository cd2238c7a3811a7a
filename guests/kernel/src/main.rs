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
//! - between VMs (under Disco): `net` (the virtual subnet), `nfs` (the block-level export of
//!   VM 0's file system), `export` (writes over NFS: the server's `/export`, file by file);
//! - [`printk`], [`spinlock`], `stats`.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

extern crate alloc;

pub mod bcopy;
pub mod bio;
pub mod cpu;
pub mod disk;
pub mod dnlc;
pub mod entry;
pub mod exec;
pub mod export;
pub mod file;
pub mod fs;
pub mod hal;
pub mod heap;
pub mod ipi;
pub mod k2;
pub mod kalloc;
pub mod net;
pub mod nfs;
pub mod pda;
pub mod pipe;
pub mod printk;
pub mod proc;
pub mod shm;
pub mod spinlock;
pub mod stats;
pub mod syscall;
pub mod timer;
pub mod trap;
pub mod vm;

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU32, Ordering};

/// CPUs that have finished booting.
static STARTED: AtomicU32 = AtomicU32::new(0);

/// Secondary CPUs' boot stacks (the scheduler loop and interrupts run on them).
const CPU_STACK: usize = 16384;

#[repr(align(16))]
#[allow(dead_code)] // only its address is used
struct CpuStack([u8; CPU_STACK]);

/// CPU 0's entry from `_start`.
#[unsafe(no_mangle)]
extern "C" fn kmain() -> ! {
    // .bss arrives zeroed: the machine's ELF loader natively, and the monitor under Disco,
    // write a segment's memory size beyond its file bytes as zeros, as an ELF loader must.
    // Clearing it again cost a native boot 2 MB of stores and made the monitor back the whole
    // heap in every VM; neither run clears it, so Fig. 5 compares like with like.
    heap::init();
    let kernel_end = hal::v2p(core::ptr::addr_of!(entry::__kernel_end) as u32);
    let cpus = hal::cpu_count().min(cpu::MAX_CPUS);
    let memory = hal::memory_bytes();
    kalloc::init(kernel_end, memory, hal::node_bytes());
    k2::init();
    kprintln!("dux: {} CPUs, {} MB, {} free pages", cpus, memory >> 20, kalloc::free_pages());
    per_cpu_init(0);
    proc::init(cpus);
    stats::init(cpus);
    bio::init();
    if !fs::mount() {
        kprintln!("dux: no file system on disk 0");
        hal::power_off(1);
    }
    user_init();
    // Before any CPU can run init: from here on a process that reads the disk must sleep
    // (a secondary may pick init up before CPU 0 gets to its own scheduler).
    disk::SLEEPING.store(true, Ordering::Release);
    for c in 1..cpus {
        let stack = Box::leak(Box::new(CpuStack([0; CPU_STACK])));
        let top = stack as *mut CpuStack as u32 + CPU_STACK as u32;
        hal::start_cpu(c, _secondary as *const () as usize as u32, top);
    }
    while STARTED.load(Ordering::Acquire) < cpus as u32 {
        core::hint::spin_loop();
    }
    proc::scheduler()
}

unsafe extern "C" {
    fn _secondary();
}

/// A secondary CPU's entry from `_secondary`, on the stack CPU 0 gave it.
#[unsafe(no_mangle)]
extern "C" fn kmain_secondary(cpu: u32) -> ! {
    per_cpu_init(cpu as usize);
    proc::scheduler()
}

fn per_cpu_init(cpu: usize) {
    let empty =
        kalloc::alloc_zeroed(kalloc::Use::PageTable).expect("no memory for a page directory");
    pda::init(cpu, hal::p2v(empty));
    // SAFETY: __vectors is the start of the vector section.
    hal::set_ebase(core::ptr::addr_of!(entry::__vectors) as u32);
    hal::enable_interrupt_lines();
    timer::init();
    STARTED.fetch_add(1, Ordering::Release);
}

/// Creates process 1 from /init.
fn user_init() {
    let (mm, entry, sp) = match exec::load(b"/init", fsformat::ROOT_INUM, &[b"init".to_vec()]) {
        Ok(x) => x,
        Err(e) => {
            kprintln!("dux: cannot start /init: {:?}", e);
            hal::power_off(1);
        }
    };
    let mut t = proc::PTABLE.lock();
    let i = t.alloc().expect("a free slot for init");
    assert_eq!(i, proc::INIT);
    {
        let p = &mut t.procs[i];
        p.mm = Some(mm);
        p.files = Some(Arc::new(spinlock::Spinlock::new("files", file::Files::console())));
        p.cwd = fsformat::ROOT_INUM;
        proc::set_name(p, b"init");
    }
    proc::set_start(&mut t, i, &trap::TrapFrame::user(entry, sp));
    t.make_runnable(i, 0);
}

/// Init exited (or called `shutdown`): write the buffer cache back, print the statistics and
/// power the machine off with `code`.
pub fn shutdown(code: u32) -> ! {
    bio::sync();
    let (name, taken, spins) = kalloc::lock_stats();
    kprintln!(
        "dux: shutdown, code {}; {} pages allocated; {} taken {} times, {} spins",
        code,
        kalloc::ALLOCATED.load(Ordering::Relaxed),
        name,
        taken,
        spins
    );
    hal::power_off(code)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    kprintln!("dux panic on cpu{}: {}", hal::cpu_id(), info);
    hal::power_off(255)
}
