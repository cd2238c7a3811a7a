//! The `syscall` instruction, and one safe wrapper per system call of the table in
//! docs/guest-os.md ([`crate::abi`] has the numbers). These are the raw calls: paths are
//! `&CStr`, results are numbers. The friendlier APIs ([`crate::fs`], [`crate::process`],
//! [`crate::thread`]) are built on them.

use core::arch::asm;
use core::ffi::CStr;

use crate::abi::*;
use crate::errno::{Errno, Result};

/// A system call with up to four arguments: `Ok($v0)`, or `Err` with the error number when
/// the kernel sets `$a3`. Also returns `$v1` (only `clock` uses it).
///
/// # Safety
/// The arguments must be valid for the call: pointers to memory of the sizes the call
/// expects, that the kernel may read or write.
#[inline(always)]
pub unsafe fn syscall4(n: u32, a0: usize, a1: usize, a2: usize, a3: usize) -> Result<(u32, u32)> {
    let v0: u32;
    let v1: u32;
    let failed: usize;
    // SAFETY: `syscall` enters the kernel, which preserves every register except $v0, $v1,
    // $a3 (the results), $at and $t0..$t9; the caller vouches for the arguments.
    unsafe {
        asm!(
            "syscall",
            inlateout("$2") n => v0,
            lateout("$3") v1,
            in("$4") a0,
            in("$5") a1,
            in("$6") a2,
            inlateout("$7") a3 => failed,
            lateout("$8") _, lateout("$9") _, lateout("$10") _, lateout("$11") _,
            lateout("$12") _, lateout("$13") _, lateout("$14") _, lateout("$15") _,
            lateout("$24") _, lateout("$25") _,
            options(nostack),
        );
    }
    if failed != 0 { Err(Errno(v0)) } else { Ok((v0, v1)) }
}

/// [`syscall4`] for calls with fewer arguments, giving only `$v0`.
///
/// # Safety
/// As for [`syscall4`].
#[inline(always)]
pub unsafe fn syscall(n: u32, a0: usize, a1: usize, a2: usize) -> Result<u32> {
    // SAFETY: passed on to the caller.
    unsafe { syscall4(n, a0, a1, a2, 0).map(|(v0, _)| v0) }
}

/// `exit(code)`: ends the process.
pub fn exit(code: i32) -> ! {
    // SAFETY: exit takes no pointers.
    let _ = unsafe { syscall(SYS_EXIT, code as usize, 0, 0) };
    // exit does not return; if a broken kernel let it, do not run on.
    loop {
        // SAFETY: `break` traps; the kernel kills the process.
        unsafe { asm!("break") };
    }
}

/// `fork()`: the child's pid in the parent, 0 in the child.
pub fn fork() -> Result<u32> {
    // SAFETY: fork takes no pointers.
    unsafe { syscall(SYS_FORK, 0, 0, 0) }
}

/// `wait(status)`: the pid of an exited child, storing its status.
pub fn wait(status: Option<&mut i32>) -> Result<u32> {
    let p = status.map_or(core::ptr::null_mut(), |s| s as *mut i32);
    // SAFETY: p is null or points to a writable i32.
    unsafe { syscall(SYS_WAIT, p as usize, 0, 0) }
}

/// `exec(path, argv)`: returns only on failure.
///
/// # Safety
/// `argv` must point to a NULL-terminated array of pointers to NUL-terminated strings.
pub unsafe fn exec(path: &CStr, argv: *const *const u8) -> Errno {
    // SAFETY: path is NUL-terminated; the caller vouches for argv.
    match unsafe { syscall(SYS_EXEC, path.as_ptr() as usize, argv as usize, 0) } {
        Err(e) => e,
        Ok(_) => Errno::EINVAL, // exec does not return on success
    }
}

/// `getpid()`.
pub fn getpid() -> u32 {
    // SAFETY: no pointers.
    unsafe { syscall(SYS_GETPID, 0, 0, 0) }.unwrap_or(0)
}

/// `sbrk(increment)`: the old break.
pub fn sbrk(increment: isize) -> Result<usize> {
    // SAFETY: no pointers; the memory it maps is the allocator's business.
    unsafe { syscall(SYS_SBRK, increment as usize, 0, 0) }.map(|v| v as usize)
}

/// `yield()`.
pub fn yield_now() {
    // SAFETY: no pointers.
    let _ = unsafe { syscall(SYS_YIELD, 0, 0, 0) };
}

/// `sleep(ms)`.
pub fn sleep(ms: u32) {
    // SAFETY: no pointers.
    let _ = unsafe { syscall(SYS_SLEEP, ms as usize, 0, 0) };
}

/// `open(path, flags)`: a file descriptor.
pub fn open(path: &CStr, flags: u32) -> Result<u32> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall(SYS_OPEN, path.as_ptr() as usize, flags as usize, 0) }
}

/// `close(fd)`.
pub fn close(fd: u32) -> Result<()> {
    // SAFETY: no pointers.
    unsafe { syscall(SYS_CLOSE, fd as usize, 0, 0) }.map(|_| ())
}

/// `read(fd, buf)`: bytes read, 0 at the end.
pub fn read(fd: u32, buf: &mut [u8]) -> Result<usize> {
    // SAFETY: the kernel writes at most buf.len() bytes into buf.
    unsafe { syscall(SYS_READ, fd as usize, buf.as_mut_ptr() as usize, buf.len()) }
        .map(|n| n as usize)
}

/// `write(fd, buf)`: bytes written.
pub fn write(fd: u32, buf: &[u8]) -> Result<usize> {
    // SAFETY: the kernel reads at most buf.len() bytes from buf.
    unsafe { syscall(SYS_WRITE, fd as usize, buf.as_ptr() as usize, buf.len()) }.map(|n| n as usize)
}

/// `lseek(fd, offset, whence)`: the new offset.
pub fn lseek(fd: u32, offset: i32, whence: u32) -> Result<u32> {
    // SAFETY: no pointers.
    unsafe { syscall(SYS_LSEEK, fd as usize, offset as usize, whence as usize) }
}

/// `fstat(fd)`.
pub fn fstat(fd: u32) -> Result<Stat> {
    let mut st = Stat::default();
    // SAFETY: the kernel writes one Stat.
    unsafe { syscall(SYS_FSTAT, fd as usize, &mut st as *mut Stat as usize, 0) }?;
    Ok(st)
}

/// `stat(path)`.
pub fn stat(path: &CStr) -> Result<Stat> {
    let mut st = Stat::default();
    // SAFETY: path is NUL-terminated; the kernel writes one Stat.
    unsafe { syscall(SYS_STAT, path.as_ptr() as usize, &mut st as *mut Stat as usize, 0) }?;
    Ok(st)
}

/// `unlink(path)`.
pub fn unlink(path: &CStr) -> Result<()> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall(SYS_UNLINK, path.as_ptr() as usize, 0, 0) }.map(|_| ())
}

/// `mkdir(path)`.
pub fn mkdir(path: &CStr) -> Result<()> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall(SYS_MKDIR, path.as_ptr() as usize, 0, 0) }.map(|_| ())
}

/// `readdir(fd)`: the next entry, or `None` at the end.
pub fn readdir(fd: u32) -> Result<Option<Dirent>> {
    let mut d = Dirent::default();
    // SAFETY: the kernel writes one Dirent.
    let stored = unsafe { syscall(SYS_READDIR, fd as usize, &mut d as *mut Dirent as usize, 0) }?;
    Ok(if stored == 1 { Some(d) } else { None })
}

/// `dup(fd)`: a new descriptor.
pub fn dup(fd: u32) -> Result<u32> {
    // SAFETY: no pointers.
    unsafe { syscall(SYS_DUP, fd as usize, 0, 0) }
}

/// `pipe()`: (read end, write end).
pub fn pipe() -> Result<(u32, u32)> {
    let mut fds = [0i32; 2];
    // SAFETY: the kernel writes two i32.
    unsafe { syscall(SYS_PIPE, fds.as_mut_ptr() as usize, 0, 0) }?;
    Ok((fds[0] as u32, fds[1] as u32))
}

/// `chdir(path)`.
pub fn chdir(path: &CStr) -> Result<()> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall(SYS_CHDIR, path.as_ptr() as usize, 0, 0) }.map(|_| ())
}

/// `clock()`: simulated nanoseconds since boot.
pub fn clock() -> u64 {
    // SAFETY: no pointers.
    match unsafe { syscall4(SYS_CLOCK, 0, 0, 0, 0) } {
        Ok((lo, hi)) => u64::from(hi) << 32 | u64::from(lo),
        Err(_) => 0,
    }
}

/// `cpuid()`.
pub fn cpuid() -> u32 {
    // SAFETY: no pointers.
    unsafe { syscall(SYS_CPUID, 0, 0, 0) }.unwrap_or(0)
}

/// `thread_create(entry, arg, stack_top)`: the new thread's id.
///
/// # Safety
/// `entry` must be the address of code that can start a thread with `arg` in `$a0` and
/// `stack_top` in `$sp` (see [`crate::thread`]), and the stack must stay valid until the
/// thread exits.
pub unsafe fn thread_create(entry: usize, arg: usize, stack_top: usize) -> Result<u32> {
    // SAFETY: passed on to the caller.
    unsafe { syscall(SYS_THREAD_CREATE, entry, arg, stack_top) }
}

/// `thread_exit(code)`: ends the calling thread.
pub fn thread_exit(code: i32) -> ! {
    // SAFETY: no pointers.
    let _ = unsafe { syscall(SYS_THREAD_EXIT, code as usize, 0, 0) };
    exit(code)
}

/// `thread_join(tid)`: the thread's exit code.
pub fn thread_join(tid: u32) -> Result<i32> {
    // SAFETY: no pointers.
    unsafe { syscall(SYS_THREAD_JOIN, tid as usize, 0, 0) }.map(|v| v as i32)
}

/// `futex_wait(addr, expected)`: sleeps while `*addr == expected`, until a wake.
pub fn futex_wait(addr: &core::sync::atomic::AtomicU32, expected: u32) -> Result<()> {
    // SAFETY: addr is a valid, aligned word.
    unsafe { syscall(SYS_FUTEX_WAIT, addr.as_ptr() as usize, expected as usize, 0) }.map(|_| ())
}

/// `futex_wake(addr, count)`: how many waiters were woken.
pub fn futex_wake(addr: &core::sync::atomic::AtomicU32, count: u32) -> Result<u32> {
    // SAFETY: the kernel only uses the address as a key.
    unsafe { syscall(SYS_FUTEX_WAKE, addr.as_ptr() as usize, count as usize, 0) }
}

/// `shutdown(code)`: powers the machine off; returns only on failure (EPERM if not init).
pub fn shutdown(code: i32) -> Errno {
    // SAFETY: no pointers.
    match unsafe { syscall(SYS_SHUTDOWN, code as usize, 0, 0) } {
        Err(e) => e,
        Ok(_) => Errno::EINVAL,
    }
}

/// `shm_attach(key, size)`: the address of shared-memory region `key` in this process (the
/// same in every process), creating it with `size` zeroed bytes if it does not exist.
pub fn shm_attach(key: u32, size: usize) -> Result<*mut u8> {
    // SAFETY: the kernel maps whole pages; no memory of ours is touched.
    unsafe { syscall(SYS_SHM_ATTACH, key as usize, size, 0) }.map(|a| a as usize as *mut u8)
}

/// `shm_remove(key)`: removes shared-memory region `key`.
pub fn shm_remove(key: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall(SYS_SHM_REMOVE, key as usize, 0, 0) }.map(|_| ())
}

/// `kstats(buf)`: bytes of kernel statistics copied into `buf`.
pub fn kstats(buf: &mut [u8]) -> Result<usize> {
    // SAFETY: the kernel writes at most buf.len() bytes.
    unsafe { syscall(SYS_KSTATS, buf.as_mut_ptr() as usize, buf.len(), 0) }.map(|n| n as usize)
}

/// `nfs(op)`: starts ([`NFS_START`]: serve on VM 0, mount VM 0's file system
/// elsewhere) or stops ([`NFS_STOP`]) the file service between VMs.
pub fn nfs(op: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall(SYS_NFS, op as usize, 0, 0) }.map(|_| ())
}

/// Sends the raw request `req` to the NFS server (a client only) and returns its answer: a
/// test of the server's checks.
pub fn nfs_probe(req: [u32; 4]) -> Result<[u32; 4]> {
    let mut w = req;
    // SAFETY: the kernel reads and writes the four words of `w`, which lives across the call.
    unsafe { syscall(SYS_NFS, crate::abi::NFS_PROBE as usize, w.as_mut_ptr() as usize, 0) }?;
    Ok(w)
}

/// This VM's address on the virtual subnet and the number of VMs on it (`(0, 1)` natively).
pub fn nfs_whoami() -> Result<(u32, u32)> {
    // SAFETY: no memory is passed.
    let v = unsafe { syscall(SYS_NFS, crate::abi::NFS_WHOAMI as usize, 0, 0) }?;
    Ok((v & 0xFFFF, v >> 16))
}
