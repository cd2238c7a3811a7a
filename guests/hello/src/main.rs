//! The smallest bare-metal guest for the simulated machine: it writes a line to the machine
//! console and powers the machine off with exit code 0. It runs in kernel mode from kseg0 and
//! reaches the devices through kseg1 (unmapped, uncached), as docs/machine.md describes.

#![no_std]
#![no_main]

use core::panic::PanicInfo;
use core::ptr::write_volatile;

use abi::address_map::{CONSOLE, POWER, console, power};
use abi::segments::KSEG1;

/// Console transmit register (its kseg1 address): a byte written is printed.
const CONSOLE_TX: *mut u32 = (KSEG1 + CONSOLE + console::TX) as *mut u32;
/// Power register (its kseg1 address): a word written halts the machine with that exit code.
const POWER_OFF: *mut u32 = (KSEG1 + POWER + power::HALT) as *mut u32;

fn put(s: &str) {
    for b in s.bytes() {
        // SAFETY: the console register is a device word that is always mapped through kseg1.
        unsafe { write_volatile(CONSOLE_TX, u32::from(b)) };
    }
}

fn power_off(code: u32) -> ! {
    // SAFETY: the power register is a device word that is always mapped through kseg1.
    unsafe { write_volatile(POWER_OFF, code) };
    loop {}
}

/// Entry point: the loader starts CPU 0 here with a stack pointer set up by the loader.
#[unsafe(no_mangle)]
#[unsafe(link_section = ".text.start")]
pub extern "C" fn _start() -> ! {
    put("Hello from the simulated MIPS machine!\n");
    power_off(0)
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    power_off(101)
}
