//! The console: bytes written to TX appear on the machine's one output stream; RX hands out
//! input the host queued. [`print!`](crate::print) and [`println!`](crate::println) hold a
//! lock while they format, so lines from different CPUs do not interleave.

use core::fmt::{self, Write};

use abi::address_map::console as reg;

use crate::mmio::{CONSOLE, read, write};
use crate::sync::SpinLock;

/// Transmit register: the low byte of a word written is printed.
pub const TX: u32 = CONSOLE + reg::TX;
/// Receive register: the next input byte, or 0xFFFF_FFFF if none.
pub const RX: u32 = CONSOLE + reg::RX;
/// Status register: bit 0 = input available.
pub const STATUS: u32 = CONSOLE + reg::STATUS;
/// Control register: bit 0 = raise the device interrupt (source 0) while input is available.
pub const CTRL: u32 = CONSOLE + reg::CTRL;

static LOCK: SpinLock<()> = SpinLock::new(());

/// Prints raw bytes (no lock).
pub fn write_bytes(bytes: &[u8]) {
    for &b in bytes {
        write(TX, u32::from(b));
    }
}

/// The next input byte, if the host queued one.
pub fn getc() -> Option<u8> {
    let v = read(RX);
    (v != u32::MAX).then_some(v as u8)
}

/// The console as a [`fmt::Write`] (no lock).
pub struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_bytes(s.as_bytes());
        Ok(())
    }
}

/// Formats `args` to the console under the print lock (the macros' back end). Do not print
/// from an interrupt handler: the interrupted code may hold the lock.
#[doc(hidden)]
pub fn _print(args: fmt::Arguments<'_>) {
    let _guard = LOCK.lock();
    let _ = Console.write_fmt(args);
}

/// Formats `args` without taking the lock (for the panic handler: the panicking CPU may hold
/// it).
#[doc(hidden)]
pub fn _print_unlocked(args: fmt::Arguments<'_>) {
    let _ = Console.write_fmt(args);
}

/// Prints to the machine console.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::console::_print(format_args!($($arg)*)) };
}

/// Prints a line to the machine console.
#[macro_export]
macro_rules! println {
    () => { $crate::console::_print(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::console::_print(format_args!("{}\n", format_args!($($arg)*))) };
}
