//! The console: formatted lines written with the monitor's `console_write` call, one whole line
//! per call under a lock, so that lines of different VCPUs never interleave.

use core::fmt::{self, Write};

use crate::mon;
use crate::sync::SpinLock;

static LOCK: SpinLock<()> = SpinLock::new(());

/// A line being formatted on the stack; written out when full and when dropped.
pub struct Line {
    buf: [u8; 256],
    len: usize,
}

impl Line {
    /// An empty line.
    pub const fn new() -> Line {
        Line { buf: [0; 256], len: 0 }
    }

    /// Writes what is buffered.
    pub fn flush(&mut self) {
        if self.len > 0 {
            mon::console_write(&self.buf[..self.len]);
            self.len = 0;
        }
    }
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if self.len == self.buf.len() {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Prints one line (what `println!` expands to).
pub fn print_line(args: fmt::Arguments<'_>) {
    let _guard = LOCK.lock();
    let mut line = Line::new();
    let _ = line.write_fmt(args);
    let _ = line.write_str("\n");
}

/// Prints a formatted line on the console.
#[macro_export]
macro_rules! println {
    ($($t:tt)*) => { $crate::console::print_line(format_args!($($t)*)) };
}
