//! Processes: [`fork`], [`exec`], [`wait`], [`exit`] and the small calls about time and place
//! ([`getpid`], [`yield_now`], [`sleep_ms`], [`clock_ns`], [`cpuid`], [`shutdown`]).

use alloc::vec::Vec;

use crate::errno::{Errno, Result};
use crate::syscall;

/// Creates a child process, a copy of this one: the child's pid in the parent, 0 in the child.
pub fn fork() -> Result<u32> {
    syscall::fork()
}

/// Replaces this program with the one at `path`, passing `args` (`args[0]` is by convention
/// the program's name). Returns only if it fails, with the reason.
pub fn exec(path: &str, args: &[&str]) -> Errno {
    // argv: every argument NUL-terminated in one buffer, and a NULL-terminated pointer array.
    let mut strings: Vec<u8> = Vec::new();
    let mut offsets = Vec::with_capacity(args.len());
    for a in args {
        if a.as_bytes().contains(&0) {
            return Errno::EINVAL;
        }
        offsets.push(strings.len());
        strings.extend_from_slice(a.as_bytes());
        strings.push(0);
    }
    let mut argv: Vec<*const u8> = offsets.iter().map(|&o| strings[o..].as_ptr()).collect();
    argv.push(core::ptr::null());
    // SAFETY: argv is a NULL-terminated array of pointers to NUL-terminated strings, alive
    // until exec returns (it only returns on failure).
    match crate::fs::with_cstr(path, |p| Err::<(), _>(unsafe { syscall::exec(p, argv.as_ptr()) })) {
        Err(e) => e,
        Ok(()) => Errno::EINVAL,
    }
}

/// Waits for a child to exit: its pid and exit status (0..=255, or 128 + the exception code
/// if it was killed). `ECHILD` if there are no children.
pub fn wait() -> Result<(u32, i32)> {
    let mut status = 0;
    let pid = syscall::wait(Some(&mut status))?;
    Ok((pid, status))
}

/// Ends the process; its parent's `wait` sees `code & 0xFF`.
pub fn exit(code: i32) -> ! {
    syscall::exit(code)
}

/// This process's id.
pub fn getpid() -> u32 {
    syscall::getpid()
}

/// Lets another thread or process run.
pub fn yield_now() {
    syscall::yield_now()
}

/// Sleeps for `ms` milliseconds of simulated time.
pub fn sleep_ms(ms: u32) {
    syscall::sleep(ms)
}

/// Simulated nanoseconds since boot.
pub fn clock_ns() -> u64 {
    syscall::clock()
}

/// The CPU this thread is running on (it may move at any time).
pub fn cpuid() -> u32 {
    syscall::cpuid()
}

/// Powers the machine off with `code` as its exit code. Only init may; for others it returns
/// `EPERM`.
pub fn shutdown(code: i32) -> Errno {
    syscall::shutdown(code)
}

/// Copies the kernel's statistics into `buf`; how many bytes (layout: the kernel's `stats.rs`).
pub fn kstats(buf: &mut [u8]) -> Result<usize> {
    syscall::kstats(buf)
}

/// The CPUs the kernel runs on, from the header of its statistics block (`abi::kstats`); 1 if
/// the kernel keeps none. Parallel programs run a thread on each unless told otherwise.
pub fn cpus() -> usize {
    use ::abi::kstats::Header;
    let mut head = [0u8; core::mem::size_of::<Header>()];
    match kstats(&mut head) {
        Ok(n) if n == head.len() => {
            let at = core::mem::offset_of!(Header, cpus);
            u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]) as usize
        }
        _ => 1,
    }
}

/// Duplicates a descriptor: the new one is the lowest free number.
pub fn dup(fd: u32) -> Result<u32> {
    syscall::dup(fd)
}

/// Closes a descriptor.
pub fn close(fd: u32) -> Result<()> {
    syscall::close(fd)
}

/// A pipe: (read end, write end).
pub fn pipe() -> Result<(u32, u32)> {
    syscall::pipe()
}
