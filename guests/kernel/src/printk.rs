//! Kernel console output: `kprintln!` formats into the console under a lock, so lines from
//! different CPUs do not interleave.

use core::fmt::{self, Write};

use crate::hal;
use crate::spinlock::Spinlock;

static CONSOLE_OUT: Spinlock<()> = Spinlock::new("console", ());

struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        hal::console_write(s.as_bytes());
        Ok(())
    }
}

/// Prints formatted text on the console (used by the macros).
pub fn print(args: fmt::Arguments<'_>) {
    let _g = CONSOLE_OUT.lock();
    let _ = Console.write_fmt(args);
}

/// Prints bytes on the console (user writes to fd 1 and 2).
pub fn write_bytes(data: &[u8]) {
    let _g = CONSOLE_OUT.lock();
    hal::console_write(data);
}

/// Prints formatted text on the console.
#[macro_export]
macro_rules! kprint {
    ($($arg:tt)*) => { $crate::printk::print(format_args!($($arg)*)) };
}

/// Prints a formatted line on the console.
#[macro_export]
macro_rules! kprintln {
    () => { $crate::kprint!("\n") };
    ($($arg:tt)*) => { $crate::printk::print(format_args!("{}\n", format_args!($($arg)*))) };
}
