//! # brt — a bare-metal runtime for the simulated ccNUMA machine
//!
//! Everything a kernel-mode program linked in kseg0 (`guests/link/bare.ld`) needs to run on
//! the machine described in `docs/machine.md`, and nothing more:
//!
//! - `_start` (in `.text.start`): the entry of **every** CPU. CPU 0 arrives from the machine's
//!   boot (`$a0` = 0, `$sp` = top of node 0's memory); it clears `.bss` and calls the
//!   program's main (declared with [`entry!`]), whose result powers the machine off. A
//!   secondary CPU arrives from the interrupt controller's START mailbox ([`start_cpu`]) with
//!   `$a0` = its number and `$sp` = its own stack ([`stack_top`]), and calls the function
//!   [`start_cpu`] registered for it.
//! - [`print!`] / [`println!`]: formatted output on the console ([`console`]), one CPU at a
//!   time.
//! - [`power_off`], and a panic handler that prints the message and powers off with 101.
//! - Devices through kseg1 ([`mmio`]): [`info`] (who am I, how big is the machine, cycles),
//!   [`intc`] (IPIs, device interrupt routing, CPU start), [`disk`] (DMA requests).
//! - CPU state: [`cp0`] (Count/Compare, Status, Cause, WAIT) and [`trap`] (exception vectors
//!   and an interrupt handler hook); [`sync`]: a spinlock on LL/SC.
//! - [`params`]: words the host may write into memory before the run (test modes).
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! brt::entry!(main);
//! fn main(_cpu: u32) -> u32 {
//!     brt::println!("{} CPUs on {} nodes", brt::info::cpu_count(), brt::info::node_count());
//!     0 // the exit code
//! }
//! ```

#![no_std]
#![feature(asm_experimental_arch)]

pub mod console;
pub mod cp0;
pub mod disk;
pub mod info;
pub mod intc;
pub mod mmio;
pub mod params;
pub mod sync;
pub mod trap;

use core::sync::atomic::{AtomicUsize, Ordering};

core::arch::global_asm!(
    r#"
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
    .set push
    .set noreorder
_start:
    addiu   $t0, $zero, -8
    and     $sp, $sp, $t0       # o32: 8-byte aligned stack (the machine gives top - 16)
    jal     __brt_start         # $a0 = this CPU's number, as the machine set it
    nop
    break                       # __brt_start never returns
    .set pop
    .size _start, . - _start
"#
);

/// Stack bytes each secondary CPU gets below its node's top of memory (see [`stack_top`]).
pub const STACK_BYTES: u32 = 64 * 1024;

/// Most CPUs a machine can have (16 nodes of 4).
pub const MAX_CPUS: usize = 64;

unsafe extern "Rust" {
    /// The program's main, defined by [`entry!`].
    fn __brt_main(cpu: u32) -> u32;
}

unsafe extern "C" {
    static mut __bss_start: u8;
    static mut __bss_end: u8;
}

/// What each secondary CPU runs once started: a `fn(u32)` as an address, 0 for none.
static ENTRIES: [AtomicUsize; MAX_CPUS] = [const { AtomicUsize::new(0) }; MAX_CPUS];

/// Called by `_start` on every CPU with its number.
#[unsafe(no_mangle)]
extern "C" fn __brt_start(cpu: u32) -> ! {
    if cpu == 0 {
        // SAFETY: the linker script brackets .bss with these symbols; nothing has used .bss
        // yet, and no other CPU runs before CPU 0 starts one.
        unsafe {
            let start = &raw mut __bss_start;
            let len = (&raw mut __bss_end as usize) - (start as usize);
            core::ptr::write_bytes(start, 0, len);
        }
        // SAFETY: `__brt_main` is the program's main, defined by `entry!` with this signature.
        let code = unsafe { __brt_main(0) };
        power_off(code)
    }
    let f = ENTRIES.get(cpu as usize).map_or(0, |e| e.load(Ordering::Acquire));
    if f != 0 {
        // SAFETY: only `start_cpu` stores here, and it stores a `fn(u32)`.
        let f: fn(u32) = unsafe { core::mem::transmute::<usize, fn(u32)>(f) };
        f(cpu);
    }
    park()
}

/// Declares the program's main: `fn main(cpu: u32) -> u32`, run by CPU 0 (so `cpu` is 0);
/// its result is the exit code the machine powers off with.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        fn __brt_main(cpu: u32) -> u32 {
            let main: fn(u32) -> u32 = $main;
            main(cpu)
        }
    };
}

/// The initial stack pointer of CPU `cpu`: each node's CPUs take [`STACK_BYTES`] each from the
/// top of their node's memory down, so stacks are node-local. CPU 0's is the one the machine
/// boots it with (top of node 0's memory - 16). The 16 bytes above it are the o32 argument
/// save area of the first frame.
pub fn stack_top(cpu: u32) -> u32 {
    let per_node = info::cpus_per_node();
    let node = cpu / per_node;
    let index = cpu % per_node;
    mmio::KSEG0 + (node + 1) * info::node_bytes() - index * STACK_BYTES - 16
}

/// Starts secondary CPU `cpu` (not 0) running `f(cpu)` on its own stack ([`stack_top`]), in
/// kernel mode with Status = 0. When `f` returns, the CPU parks ([`park`]). The start
/// mailbox is shared: two CPUs must not start others at the same time.
pub fn start_cpu(cpu: u32, f: fn(u32)) {
    assert!(cpu != 0 && (cpu as usize) < MAX_CPUS && cpu < info::cpu_count(), "no CPU {cpu}");
    ENTRIES[cpu as usize].store(f as usize, Ordering::Release);
    unsafe extern "C" {
        fn _start();
    }
    intc::start(cpu, _start as *const () as usize as u32, stack_top(cpu));
}

/// Stops this CPU for good: interrupts masked, waiting forever (the machine charges the
/// time as idle, and skips it quickly).
pub fn park() -> ! {
    cp0::set_status(0);
    loop {
        cp0::wait();
    }
}

/// Halts the whole machine with exit code `code` (the power register).
pub fn power_off(code: u32) -> ! {
    mmio::write(mmio::POWER + abi::address_map::power::HALT, code);
    // The machine stops this CPU at the write; never reached.
    loop {
        core::hint::spin_loop();
    }
}

/// Prints the panic message and powers off with 101, as Rust's std exits.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let cpu = info::cpu_id();
    match info.location() {
        Some(at) => console::_print_unlocked(format_args!(
            "cpu {cpu} panicked at {at}:\n{}\n",
            info.message()
        )),
        None => console::_print_unlocked(format_args!("cpu {cpu} panicked:\n{}\n", info.message())),
    }
    power_off(101)
}
