//! `ulib`: the user runtime of dux programs (the contract is docs/guest-os.md).
//!
//! - [`entry!`]: declares `fn main(args: &[&str]) -> i32`; the ELF entry `__start` ([`start`])
//!   reads argc/argv from the initial stack, calls it, exits with its result.
//! - [`abi`]: system-call numbers, flags, `Stat`, `Dirent` — the ABI in one module;
//!   [`syscall`]: the `syscall` instruction and one raw wrapper per call; [`Errno`].
//! - [`print!`], [`println!`], [`eprint!`], [`eprintln!`] ([`io`]): formatted output, one
//!   `write` per call.
//! - A global allocator over `sbrk` ([`heap`]), so `alloc` (`Vec`, `String`, `Box`, `format!`)
//!   works.
//! - [`fs`]: `File` and functions on paths; [`process`]: fork, exec, wait, exit, time;
//!   [`thread`]: spawn and join; [`sync`]: `SpinLock`, `Mutex` (futex), `Barrier`.
//! - A panic handler: prints the message to standard error and exits with status 101.
//!
//! The shell's rules, with which `/init` runs `/etc/rc`, are documented (and implemented) in
//! the `shell` crate (guests/shell), shared by `/init` and `/bin/sh`.
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//! use ulib::{fs, println};
//! ulib::entry!(main);
//! fn main(args: &[&str]) -> i32 {
//!     match fs::read(args.get(1).copied().unwrap_or("/etc/rc")) {
//!         Ok(bytes) => { println!("{} bytes", bytes.len()); 0 }
//!         Err(e) => { ulib::eprintln!("cannot read: {e}"); 1 }
//!     }
//! }
//! ```

#![no_std]
#![feature(asm_experimental_arch)]

extern crate alloc;

pub mod abi;
pub mod errno;
pub mod fs;
pub mod heap;
pub mod io;
pub mod process;
pub mod start;
pub mod sync;
pub mod syscall;
pub mod thread;

pub use errno::{Errno, Result};

/// Prints the panic message to standard error and exits with status 101, as Rust's std does.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    match info.location() {
        Some(at) => eprintln!("panicked at {at}:\n{}", info.message()),
        None => eprintln!("panicked:\n{}", info.message()),
    }
    process::exit(101)
}
