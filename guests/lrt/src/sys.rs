//! Raw Linux o32 system calls: the number (4000 + n) in `$v0`, arguments in `$a0..$a3`; the
//! result comes back in `$v0`, and `$a3` ≠ 0 says it is an error (then `$v0` is the positive
//! errno).

use core::arch::asm;

/// `exit` (4001): ends the calling thread; for these single-threaded programs, the process.
pub const SYS_EXIT: u32 = 4001;
/// `write` (4004).
pub const SYS_WRITE: u32 = 4004;
/// `brk` (4045).
pub const SYS_BRK: u32 = 4045;
/// `exit_group` (4246): ends the process.
pub const SYS_EXIT_GROUP: u32 = 4246;

/// A system call with up to three arguments: `Ok(v0)`, or `Err(errno)` when the kernel sets `$a3`.
///
/// # Safety
/// The arguments must be valid for the call (pointers to memory of the given lengths).
pub unsafe fn syscall3(n: u32, a0: usize, a1: usize, a2: usize) -> Result<usize, usize> {
    let v0: usize;
    let err: usize;
    // SAFETY: `syscall` enters the kernel; the caller vouches for the arguments. The kernel may
    // clobber $v1, $a3 and the temporaries $t0..$t9, as glibc assumes.
    unsafe {
        asm!(
            "syscall",
            inlateout("$2") n as usize => v0,
            in("$4") a0,
            in("$5") a1,
            in("$6") a2,
            lateout("$7") err,
            lateout("$3") _,
            lateout("$8") _, lateout("$9") _, lateout("$10") _, lateout("$11") _,
            lateout("$12") _, lateout("$13") _, lateout("$14") _, lateout("$15") _,
            lateout("$24") _, lateout("$25") _,
            options(nostack),
        );
    }
    if err != 0 { Err(v0) } else { Ok(v0) }
}

/// `write(fd, buf)`: bytes written, or the errno.
pub fn write(fd: i32, buf: &[u8]) -> Result<usize, usize> {
    // SAFETY: the pointer and length describe `buf`.
    unsafe { syscall3(SYS_WRITE, fd as usize, buf.as_ptr() as usize, buf.len()) }
}

/// Writes all of `buf` to `fd`, retrying short writes; gives up on an error.
pub fn write_all(fd: i32, mut buf: &[u8]) {
    while !buf.is_empty() {
        match write(fd, buf) {
            Ok(n) if n > 0 => buf = &buf[n.min(buf.len())..],
            _ => return,
        }
    }
}

/// `exit_group(code)`: ends the process with status `code & 0xff`.
pub fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group takes no pointers and does not return.
    let _ = unsafe { syscall3(SYS_EXIT_GROUP, code as usize, 0, 0) };
    // SAFETY: exit takes no pointers; reached only if exit_group were unknown.
    let _ = unsafe { syscall3(SYS_EXIT, code as usize, 0, 0) };
    loop {}
}

/// `exit(code)`: ends the calling thread (here the whole process) with status `code & 0xff`.
pub fn exit(code: i32) -> ! {
    // SAFETY: exit takes no pointers and does not return.
    let _ = unsafe { syscall3(SYS_EXIT, code as usize, 0, 0) };
    loop {}
}

/// `brk(addr)`: asks for the program break at `addr` and returns the break the kernel set (the
/// old one if it refused; `brk(0)` asks for the current one).
pub fn brk(addr: usize) -> usize {
    // SAFETY: brk takes no pointers to memory it reads or writes.
    match unsafe { syscall3(SYS_BRK, addr, 0, 0) } {
        Ok(v) => v,
        Err(_) => 0,
    }
}
