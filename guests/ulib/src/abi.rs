//! The system-call ABI of dux, in one place: call numbers, flags, and the structures the kernel
//! reads and writes. The call numbers, `open` flags and `lseek` whence values are the `abi`
//! crate's (as are the error numbers of [`crate::errno`]), which the kernel compiles against
//! too; the rest is the Rust transcription of docs/guest-os.md (when the two disagree, the
//! document is right and this file has a bug).
//!
//! Calling convention: `syscall` with the number in `$v0` and up to four arguments in
//! `$a0..$a3`. On return `$v0` holds the result and `$a3` is 0 for success or 1 for failure,
//! in which case `$v0` is a positive error number ([`crate::Errno`]). The kernel may change
//! `$v1`, `$at` and `$t0..$t9`; everything else is preserved. See [`crate::syscall`].

pub use ::abi::syscall::Syscall;

// The numbers under ulib's names (`SYS_*`), for `syscall`: `Syscall` documents each call.
/// [`Syscall::Exit`].
pub const SYS_EXIT: u32 = Syscall::Exit as u32;
/// [`Syscall::Fork`].
pub const SYS_FORK: u32 = Syscall::Fork as u32;
/// [`Syscall::Wait`].
pub const SYS_WAIT: u32 = Syscall::Wait as u32;
/// [`Syscall::Exec`].
pub const SYS_EXEC: u32 = Syscall::Exec as u32;
/// [`Syscall::Getpid`].
pub const SYS_GETPID: u32 = Syscall::Getpid as u32;
/// [`Syscall::Sbrk`].
pub const SYS_SBRK: u32 = Syscall::Sbrk as u32;
/// [`Syscall::Yield`].
pub const SYS_YIELD: u32 = Syscall::Yield as u32;
/// [`Syscall::Sleep`].
pub const SYS_SLEEP: u32 = Syscall::Sleep as u32;
/// [`Syscall::Open`].
pub const SYS_OPEN: u32 = Syscall::Open as u32;
/// [`Syscall::Close`].
pub const SYS_CLOSE: u32 = Syscall::Close as u32;
/// [`Syscall::Read`].
pub const SYS_READ: u32 = Syscall::Read as u32;
/// [`Syscall::Write`].
pub const SYS_WRITE: u32 = Syscall::Write as u32;
/// [`Syscall::Lseek`].
pub const SYS_LSEEK: u32 = Syscall::Lseek as u32;
/// [`Syscall::Fstat`].
pub const SYS_FSTAT: u32 = Syscall::Fstat as u32;
/// [`Syscall::Stat`].
pub const SYS_STAT: u32 = Syscall::Stat as u32;
/// [`Syscall::Unlink`].
pub const SYS_UNLINK: u32 = Syscall::Unlink as u32;
/// [`Syscall::Mkdir`].
pub const SYS_MKDIR: u32 = Syscall::Mkdir as u32;
/// [`Syscall::Readdir`].
pub const SYS_READDIR: u32 = Syscall::Readdir as u32;
/// [`Syscall::Dup`].
pub const SYS_DUP: u32 = Syscall::Dup as u32;
/// [`Syscall::Pipe`].
pub const SYS_PIPE: u32 = Syscall::Pipe as u32;
/// [`Syscall::Chdir`].
pub const SYS_CHDIR: u32 = Syscall::Chdir as u32;
/// [`Syscall::Clock`].
pub const SYS_CLOCK: u32 = Syscall::Clock as u32;
/// [`Syscall::Cpuid`].
pub const SYS_CPUID: u32 = Syscall::Cpuid as u32;
/// [`Syscall::ThreadCreate`].
pub const SYS_THREAD_CREATE: u32 = Syscall::ThreadCreate as u32;
/// [`Syscall::ThreadExit`].
pub const SYS_THREAD_EXIT: u32 = Syscall::ThreadExit as u32;
/// [`Syscall::ThreadJoin`].
pub const SYS_THREAD_JOIN: u32 = Syscall::ThreadJoin as u32;
/// [`Syscall::FutexWait`].
pub const SYS_FUTEX_WAIT: u32 = Syscall::FutexWait as u32;
/// [`Syscall::FutexWake`].
pub const SYS_FUTEX_WAKE: u32 = Syscall::FutexWake as u32;
/// [`Syscall::Shutdown`].
pub const SYS_SHUTDOWN: u32 = Syscall::Shutdown as u32;
/// [`Syscall::Kstats`].
pub const SYS_KSTATS: u32 = Syscall::Kstats as u32;
/// [`Syscall::ShmAttach`].
pub const SYS_SHM_ATTACH: u32 = Syscall::ShmAttach as u32;
/// [`Syscall::ShmRemove`].
pub const SYS_SHM_REMOVE: u32 = Syscall::ShmRemove as u32;
/// [`Syscall::Nfs`].
pub const SYS_NFS: u32 = Syscall::Nfs as u32;

// `open` flags and `lseek` whence values.
pub use ::abi::syscall::{
    NFS_PROBE, NFS_START, NFS_STOP, NFS_WHOAMI, O_APPEND, O_CREATE, O_RDONLY, O_RDWR, O_TRUNC,
    O_WRONLY, SEEK_CUR, SEEK_END, SEEK_SET,
};

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
