//! A tiny runtime for static Linux (o32) user programs on MIPS32: what the differential test
//! programs in `guests/tests/` need to run under `qemu-mipsel` and under the simulator's
//! user-mode runner, and nothing more.
//!
//! - `__start`: the ELF entry point. It reads argc and argv from the initial stack as the kernel
//!   lays it out (`$sp` → argc, argv[0..argc], NULL, envp…, NULL, auxv…), sets `$gp`, aligns the
//!   stack and calls the program's main (declared with [`entry!`]); main's return value becomes
//!   the exit status.
//! - [`sys`]: raw system calls (write, exit, exit_group, brk) through `syscall`.
//! - [`print!`], [`println!`], [`eprint!`], [`eprintln!`]: formatted output to fd 1 / fd 2.
//! - A panic handler that prints the message to fd 2 and exits with status 101.
//! - A global allocator over `brk`, so programs can use `alloc` (`Vec`, `String`, `format!`).
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! lrt::entry!(main);
//! fn main(args: lrt::Args) -> i32 {
//!     lrt::println!("{} arguments", args.len());
//!     0
//! }
//! ```

#![no_std]
#![feature(asm_experimental_arch)]

pub mod heap;
pub mod sys;

use core::fmt::{self, Write};

core::arch::global_asm!(
    r#"
    .section .text.start, "ax", @progbits
    .globl __start
    .type __start, @function
    .set push
    .set noreorder
__start:
    lui     $gp, %hi(_gp)
    addiu   $gp, $gp, %lo(_gp)
    lw      $a0, 0($sp)         # argc
    addiu   $a1, $sp, 4         # argv
    addiu   $t0, $zero, -8
    and     $sp, $sp, $t0       # o32: 8-byte aligned stack
    addiu   $sp, $sp, -16       # the callee's argument save area
    jal     __lrt_start
    nop
    break                       # __lrt_start never returns
    .set pop
    .size __start, . - __start
"#
);

unsafe extern "Rust" {
    /// The program's main, defined by [`entry!`].
    fn __lrt_main(args: Args) -> i32;
}

/// Called by `__start` with the kernel's argc and argv; runs main and exits with its result.
#[unsafe(no_mangle)]
extern "C" fn __lrt_start(argc: i32, argv: *const *const u8) -> ! {
    let args = Args { argv, len: usize::try_from(argc).unwrap_or(0), next: 0 };
    // SAFETY: `__lrt_main` is the program's main, defined by `entry!` with this signature.
    let code = unsafe { __lrt_main(args) };
    sys::exit_group(code)
}

/// Declares the program's main: `fn main(args: lrt::Args) -> i32`, whose result is the exit
/// status.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        fn __lrt_main(args: $crate::Args) -> i32 {
            $main(args)
        }
    };
}

/// The program's arguments (argv[0] is the program name), as the kernel passed them.
#[derive(Clone)]
pub struct Args {
    argv: *const *const u8,
    len: usize,
    next: usize,
}

impl Args {
    /// How many arguments are left (argc for a fresh `Args`).
    pub fn len(&self) -> usize {
        self.len - self.next
    }

    /// Whether no arguments are left.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Iterator for Args {
    type Item = &'static [u8];

    /// The next argument's bytes, without the terminating NUL.
    fn next(&mut self) -> Option<&'static [u8]> {
        if self.next >= self.len {
            return None;
        }
        // SAFETY: the kernel passes argc valid pointers to NUL-terminated strings that live for
        // the whole run.
        let arg = unsafe {
            let p = *self.argv.add(self.next);
            let mut n = 0;
            while *p.add(n) != 0 {
                n += 1;
            }
            core::slice::from_raw_parts(p, n)
        };
        self.next += 1;
        Some(arg)
    }
}

/// A buffered writer to a file descriptor: collects up to 256 bytes per `write` system call.
pub struct FdWriter {
    fd: i32,
    buf: [u8; 256],
    len: usize,
}

impl FdWriter {
    /// A writer to `fd` with an empty buffer.
    pub const fn new(fd: i32) -> Self {
        FdWriter { fd, buf: [0; 256], len: 0 }
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) {
        sys::write_all(self.fd, &self.buf[..self.len]);
        self.len = 0;
    }
}

impl Write for FdWriter {
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

/// Formats `args` to file descriptor `fd` (the macros' back end).
#[doc(hidden)]
pub fn _print(fd: i32, args: fmt::Arguments<'_>) {
    let mut w = FdWriter::new(fd);
    let _ = w.write_fmt(args);
    w.flush();
}

/// Prints to standard output (fd 1).
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => { $crate::_print(1, format_args!($($arg)*)) };
}

/// Prints a line to standard output (fd 1).
#[macro_export]
macro_rules! println {
    () => { $crate::_print(1, format_args!("\n")) };
    ($($arg:tt)*) => { $crate::_print(1, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints to standard error (fd 2).
#[macro_export]
macro_rules! eprint {
    ($($arg:tt)*) => { $crate::_print(2, format_args!($($arg)*)) };
}

/// Prints a line to standard error (fd 2).
#[macro_export]
macro_rules! eprintln {
    () => { $crate::_print(2, format_args!("\n")) };
    ($($arg:tt)*) => { $crate::_print(2, format_args!("{}\n", format_args!($($arg)*))) };
}

/// Prints the panic message to standard error and exits with status 101, as Rust's std does.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    match info.location() {
        Some(at) => eprintln!("panicked at {at}:\n{}", info.message()),
        None => eprintln!("panicked:\n{}", info.message()),
    }
    sys::exit_group(101)
}
