//! Prints a line, does an ADDU and ADDIU that wrap silently and an ADD that does not overflow,
//! then an ADD that overflows: an Integer Overflow exception, which Linux turns into SIGFPE
//! (status: killed by signal 8).

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use core::arch::asm;
use core::hint::black_box as bb;
use lrt::println;

lrt::entry!(main);

fn main(_: lrt::Args) -> i32 {
    let max = bb(0x7fff_ffffu32);
    let (a, b, c): (u32, u32, u32);
    // SAFETY: register arithmetic; none of these overflows a signed add.
    unsafe {
        asm!("addu {a}, {m}, {m}", "addiu {b}, {m}, 1", "add {c}, {m}, $zero",
             m = in(reg) max, a = out(reg) a, b = out(reg) b, c = out(reg) c)
    };
    println!("addu {a:08x} addiu {b:08x} add {c:08x}");
    // SAFETY: this overflows; the kernel ends the process.
    unsafe { asm!("add {m}, {m}, {m}", m = in(reg) max, options(noreturn)) }
}
