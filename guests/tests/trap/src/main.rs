//! Prints a line, passes a TNE and a TEQ that do not trap, then ends by `teq $zero, $zero`: a
//! Trap exception, which Linux turns into SIGTRAP (status: killed by signal 5).

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use core::arch::asm;
use core::hint::black_box as bb;
use lrt::println;

lrt::entry!(main);

fn main(_: lrt::Args) -> i32 {
    println!("before the trap");
    // SAFETY: conditions that are false: no trap.
    unsafe { asm!("tne {a}, {a}", "teq {a}, $zero", "tgeiu {a}, -1", a = in(reg) bb(5u32)) };
    println!("untaken traps passed");
    // SAFETY: this traps; the kernel ends the process.
    unsafe { asm!("teq $zero, $zero", options(noreturn)) }
}
