//! The system-call ABI of dux, in one place: call numbers, flags, and the structures the kernel
//! reads and writes. This module is the Rust transcription of docs/guest-os.md; when the two
//! disagree, the document is right and this file has a bug.
//!
//! Calling convention: `syscall` with the number in `$v0` and up to four arguments in
//! `$a0..$a3`. On return `$v0` holds the result and `$a3` is 0 for success or 1 for failure,
//! in which case `$v0` is a positive error number ([`crate::Errno`]). The kernel may change
//! `$v1`, `$at` and `$t0..$t9`; everything else is preserved. See [`crate::syscall`].

/// `exit(code)`: ends the process; the parent's `wait` sees `code & 0xFF`.
pub const SYS_EXIT: u32 = 1;
/// `fork()`: the child's pid in the parent, 0 in the child.
pub const SYS_FORK: u32 = 2;
/// `wait(*mut i32 status or null)`: pid of a child that exited; ECHILD if there is none.
pub const SYS_WAIT: u32 = 3;
/// `exec(path, argv)`: argv is a NULL-terminated array of C strings; returns only on failure.
pub const SYS_EXEC: u32 = 4;
/// `getpid()`.
pub const SYS_GETPID: u32 = 5;
/// `sbrk(increment)`: moves the program break; returns the old break.
pub const SYS_SBRK: u32 = 6;
/// `yield()`: gives up the CPU; 0.
pub const SYS_YIELD: u32 = 7;
/// `sleep(ms)`: milliseconds of simulated time; 0.
pub const SYS_SLEEP: u32 = 8;
/// `open(path, flags)`: a file descriptor.
pub const SYS_OPEN: u32 = 9;
/// `close(fd)`.
pub const SYS_CLOSE: u32 = 10;
/// `read(fd, buf, len)`: bytes read, 0 at end of file.
pub const SYS_READ: u32 = 11;
/// `write(fd, buf, len)`: bytes written.
pub const SYS_WRITE: u32 = 12;
/// `lseek(fd, offset, whence)`: the new offset.
pub const SYS_LSEEK: u32 = 13;
/// `fstat(fd, *mut Stat)`.
pub const SYS_FSTAT: u32 = 14;
/// `stat(path, *mut Stat)`.
pub const SYS_STAT: u32 = 15;
/// `unlink(path)`.
pub const SYS_UNLINK: u32 = 16;
/// `mkdir(path)`.
pub const SYS_MKDIR: u32 = 17;
/// `readdir(fd, *mut Dirent)`: 1 if an entry was stored, 0 at the end.
pub const SYS_READDIR: u32 = 18;
/// `dup(fd)`: a new descriptor for the same file.
pub const SYS_DUP: u32 = 19;
/// `pipe(*mut [i32; 2])`: `fds[0]` reads, `fds[1]` writes.
pub const SYS_PIPE: u32 = 20;
/// `chdir(path)`.
pub const SYS_CHDIR: u32 = 21;
/// `clock()`: simulated nanoseconds since boot, low half in `$v0`, high half in `$v1`.
pub const SYS_CLOCK: u32 = 22;
/// `cpuid()`: the CPU the caller runs on.
pub const SYS_CPUID: u32 = 23;
/// `thread_create(entry, arg, stack_top)`: a thread id; the thread runs `entry(arg)`.
pub const SYS_THREAD_CREATE: u32 = 24;
/// `thread_exit(code)`: ends the calling thread.
pub const SYS_THREAD_EXIT: u32 = 25;
/// `thread_join(tid)`: the thread's exit code, once it has exited.
pub const SYS_THREAD_JOIN: u32 = 26;
/// `futex_wait(addr, expected)`: sleeps until woken; EAGAIN at once if `*addr != expected`.
pub const SYS_FUTEX_WAIT: u32 = 27;
/// `futex_wake(addr, count)`: wakes up to `count` waiters; how many were woken.
pub const SYS_FUTEX_WAKE: u32 = 28;
/// `shutdown(code)`: powers the machine off (init only; EPERM otherwise).
pub const SYS_SHUTDOWN: u32 = 29;
/// `kstats(buf, len)`: bytes of kernel statistics copied.
pub const SYS_KSTATS: u32 = 30;
/// `shm_attach(key, size) -> address`: map the shared-memory region `key` (created zeroed
/// with `size` bytes by its first attach) at the same address in every process.
pub const SYS_SHM_ATTACH: u32 = 31;
/// `shm_remove(key)`: forget region `key` (mappings keep their pages until exit).
pub const SYS_SHM_REMOVE: u32 = 32;

/// `open` flags: read only.
pub const O_RDONLY: u32 = 0;
/// Write only.
pub const O_WRONLY: u32 = 1;
/// Read and write.
pub const O_RDWR: u32 = 2;
/// Create the file if it does not exist.
pub const O_CREATE: u32 = 0x200;
/// Truncate the file to length 0.
pub const O_TRUNC: u32 = 0x400;
/// Every write goes to the end of the file.
pub const O_APPEND: u32 = 0x800;

/// `lseek` whence: from the start.
pub const SEEK_SET: u32 = 0;
/// From the current offset.
pub const SEEK_CUR: u32 = 1;
/// From the end.
pub const SEEK_END: u32 = 2;

/// [`Stat::kind`] of a directory.
pub const KIND_DIR: u16 = 1;
/// [`Stat::kind`] of a regular file.
pub const KIND_FILE: u16 = 2;
/// [`Stat::kind`] of a device (the console).
pub const KIND_DEVICE: u16 = 3;

/// What `stat` and `fstat` store.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    /// Device (disk unit) of the file.
    pub dev: u32,
    /// Inode number.
    pub ino: u32,
    /// [`KIND_DIR`], [`KIND_FILE`] or [`KIND_DEVICE`].
    pub kind: u16,
    /// Number of links (directory entries) to it.
    pub nlink: u16,
    /// Size in bytes.
    pub size: u32,
}

/// The longest name a directory entry holds (its buffer keeps one byte for the NUL).
pub const NAME_MAX: usize = 59;

/// What `readdir` stores: an inode number and a NUL-terminated name.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dirent {
    /// Inode number.
    pub ino: u32,
    /// The name, NUL-terminated.
    pub name: [u8; 60],
}

impl Default for Dirent {
    fn default() -> Self {
        Dirent { ino: 0, name: [0; 60] }
    }
}

impl Dirent {
    /// The name's bytes, up to the NUL.
    pub fn name_bytes(&self) -> &[u8] {
        let len = self.name.iter().position(|&b| b == 0).unwrap_or(self.name.len());
        &self.name[..len]
    }
}

// The kernel and user space must agree on these layouts.
const _: () = assert!(core::mem::size_of::<Stat>() == 16);
const _: () = assert!(core::mem::size_of::<Dirent>() == 64);
