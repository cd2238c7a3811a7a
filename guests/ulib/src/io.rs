//! Console and file-descriptor output: [`print!`](crate::print), [`println!`](crate::println),
//! [`eprint!`](crate::eprint), [`eprintln!`](crate::eprintln), and a line reader for input.
//!
//! Each macro call formats into a buffer on the stack and writes it with as few `write` calls
//! as possible (one, for anything up to 512 bytes), so lines from different processes or
//! threads do not interleave mid-line.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};

use crate::errno::{Errno, Result};
use crate::syscall;

/// Standard input.
pub const STDIN: u32 = 0;
/// Standard output.
pub const STDOUT: u32 = 1;
/// Standard error.
pub const STDERR: u32 = 2;

/// Writes all of `buf` to `fd`, retrying short writes.
pub fn write_all(fd: u32, mut buf: &[u8]) -> Result<()> {
    while !buf.is_empty() {
        match syscall::write(fd, buf)? {
            0 => return Err(Errno::EIO),
            n => buf = &buf[n.min(buf.len())..],
        }
    }
    Ok(())
}

/// A formatter that collects output in a stack buffer and writes it to a descriptor.
struct FdWriter {
    fd: u32,
    buf: [u8; 512],
    len: usize,
}

impl FdWriter {
    fn flush(&mut self) {
        // Output errors (a closed descriptor) are ignored, as printing has nowhere to report.
        let _ = write_all(self.fd, &self.buf[..self.len]);
        self.len = 0;
    }
}

impl Write for FdWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut bytes = s.as_bytes();
        while !bytes.is_empty() {
            if self.len == self.buf.len() {
                self.flush();
            }
            let n = bytes.len().min(self.buf.len() - self.len);
            self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
            self.len += n;
            bytes = &bytes[n..];
        }
        Ok(())
    }
}

/// Formats `args` to descriptor `fd` (the print macros' back end).
pub fn print_to(fd: u32, args: fmt::Arguments<'_>) {
    let mut w = FdWriter { fd, buf: [0; 512], len: 0 };
    let _ = w.write_fmt(args);
    w.flush();
}

/// Prints to standard output.
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::io::print_to($crate::io::STDOUT, format_args!($($arg)*)) };
}

/// Prints a line to standard output.
#[macro_export]
macro_rules! println {
    () => { $crate::io::print_to($crate::io::STDOUT, format_args!("\n")) };
    ($($arg:tt)*) => { $crate::io::print_to($crate::io::STDOUT, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints to standard error.
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::io::print_to($crate::io::STDERR, format_args!($($arg)*)) };
}

/// Prints a line to standard error.
#[macro_export]
macro_rules! eprintln {
    () => { $crate::io::print_to($crate::io::STDERR, format_args!("\n")) };
    ($($arg:tt)*) => { $crate::io::print_to($crate::io::STDERR, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Reads a descriptor line by line (for the shell's standard input).
pub struct LineReader {
    fd: u32,
    pending: Vec<u8>,
    at_end: bool,
}

impl LineReader {
    /// A reader of `fd`.
    pub fn new(fd: u32) -> Self {
        LineReader { fd, pending: Vec::new(), at_end: false }
    }

    /// The next line without its newline; `None` at the end of the input. Bytes that are not
    /// UTF-8 become U+FFFD.
    pub fn next_line(&mut self) -> Result<Option<String>> {
        loop {
            if let Some(i) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=i).collect();
                return Ok(Some(String::from_utf8_lossy(&line[..i]).into_owned()));
            }
            if self.at_end {
                if self.pending.is_empty() {
                    return Ok(None);
                }
                let line = core::mem::take(&mut self.pending);
                return Ok(Some(String::from_utf8_lossy(&line).into_owned()));
            }
            let mut chunk = [0u8; 256];
            let n = syscall::read(self.fd, &mut chunk)?;
            if n == 0 {
                self.at_end = true;
            }
            self.pending.extend_from_slice(&chunk[..n]);
        }
    }
}
