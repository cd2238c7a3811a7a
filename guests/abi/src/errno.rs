//! dux's error numbers (POSIX values): what a failed system call leaves in `$v0`, with `$a3` = 1
//! ([`crate::syscall`]). The kernel returns them; ulib's `Errno` names and describes them.

/// Operation not permitted.
pub const EPERM: u32 = 1;
/// No such file or directory.
pub const ENOENT: u32 = 2;
/// No such process.
pub const ESRCH: u32 = 3;
/// Interrupted system call.
pub const EINTR: u32 = 4;
/// Input/output error.
pub const EIO: u32 = 5;
/// Argument list too long.
pub const E2BIG: u32 = 7;
/// Exec format error.
pub const ENOEXEC: u32 = 8;
/// Bad file descriptor.
pub const EBADF: u32 = 9;
/// No child processes.
pub const ECHILD: u32 = 10;
/// Resource temporarily unavailable.
pub const EAGAIN: u32 = 11;
/// Out of memory.
pub const ENOMEM: u32 = 12;
/// Bad address.
pub const EFAULT: u32 = 14;
/// File exists.
pub const EEXIST: u32 = 17;
/// Not a directory.
pub const ENOTDIR: u32 = 20;
/// Is a directory.
pub const EISDIR: u32 = 21;
/// Invalid argument.
pub const EINVAL: u32 = 22;
/// Too many open files in the system.
pub const ENFILE: u32 = 23;
/// Too many open files.
pub const EMFILE: u32 = 24;
/// File too large.
pub const EFBIG: u32 = 27;
/// No space left on device.
pub const ENOSPC: u32 = 28;
/// Illegal seek.
pub const ESPIPE: u32 = 29;
/// File name too long.
pub const ENAMETOOLONG: u32 = 36;
/// Function not implemented (no such system call).
pub const ENOSYS: u32 = 38;
/// Directory not empty.
pub const ENOTEMPTY: u32 = 39;
