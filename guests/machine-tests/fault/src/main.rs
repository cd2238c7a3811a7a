//! Faults, one per run (parameter word 0 picks it), each ending in `brt`'s exception handler
//! (which prints the exception and powers off with 102) or its panic handler (101):
//!
//! | word 0 | fault | expected |
//! |---|---|---|
//! | 0 | a cached load from the device window (kseg0 0x9F00_0000) | DBE |
//! | 1 | an uncached load from a hole in the device window | DBE |
//! | 2 | a load from kuseg with an empty TLB (TLB refill vector) | TLBL |
//! | 3 | a jump to kseg1 0xBE00_0000 (physical 0x1E00_0000), where nothing is | IBE |
//! | 4 | a misaligned load | AdEL |
//! | 5 | a panic | exit 101 |

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use brt::{mmio, params, println, trap};

brt::entry!(main);

fn load(va: u32) -> u32 {
    // SAFETY: not safe at all: this program exists to fault here.
    unsafe { core::ptr::read_volatile(core::hint::black_box(va) as usize as *const u32) }
}

fn main(_cpu: u32) -> u32 {
    trap::install();
    let which = params::word(0);
    println!("fault {which}");
    match which {
        0 => load(mmio::KSEG0 + mmio::DEVICE_BASE),
        1 => load(mmio::KSEG1 + mmio::INTC + 0x1000), // deliberately a hole: no device there
        2 => load(0x0040_0000),
        3 => {
            // SAFETY: see `load`. (Deliberately nowhere: neither RAM nor a device.)
            let f: extern "C" fn() -> u32 = unsafe { core::mem::transmute(0xBE00_0000usize) };
            core::hint::black_box(f)()
        }
        4 => {
            // SAFETY: see `load`.
            unsafe { core::arch::asm!("lw $zero, 2($sp)") };
            0
        }
        _ => panic!("on purpose"),
    };
    println!("fault {which}: no exception");
    1
}
