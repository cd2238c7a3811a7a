//! dux's system calls (docs/guest-os.md is the prose): `syscall` from user mode with the number
//! in `$v0` and up to four arguments in `$a0..$a3`; on return `$v0` holds the result and `$a3`
//! is 0 for success or 1 for failure, when `$v0` is a positive error number.

use crate::kstats::MAX_SYSCALL;

/// A system call, by number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Syscall {
    /// `exit(code)`: ends the process; the parent's `wait` sees `code & 0xFF`.
    Exit = 1,
    /// `fork()`: the child's pid in the parent, 0 in the child.
    Fork = 2,
    /// `wait(*mut i32 status or null)`: pid of a child that exited; ECHILD if there is none.
    Wait = 3,
    /// `exec(path, argv)`: argv is a NULL-terminated array of C strings; returns only on failure.
    Exec = 4,
    /// `getpid()`.
    Getpid = 5,
    /// `sbrk(increment)`: moves the program break; returns the old break.
    Sbrk = 6,
    /// `yield()`: gives up the CPU; 0.
    Yield = 7,
    /// `sleep(ms)`: milliseconds of simulated time; 0.
    Sleep = 8,
    /// `open(path, flags)`: a file descriptor.
    Open = 9,
    /// `close(fd)`.
    Close = 10,
    /// `read(fd, buf, len)`: bytes read, 0 at end of file.
    Read = 11,
    /// `write(fd, buf, len)`: bytes written.
    Write = 12,
    /// `lseek(fd, offset, whence)`: the new offset.
    Lseek = 13,
    /// `fstat(fd, *mut Stat)`.
    Fstat = 14,
    /// `stat(path, *mut Stat)`.
    Stat = 15,
    /// `unlink(path)`.
    Unlink = 16,
    /// `mkdir(path)`.
    Mkdir = 17,
    /// `readdir(fd, *mut Dirent)`: 1 if an entry was stored, 0 at the end.
    Readdir = 18,
    /// `dup(fd)`: a new descriptor for the same file.
    Dup = 19,
    /// `pipe(*mut [i32; 2])`: `fds[0]` reads, `fds[1]` writes.
    Pipe = 20,
    /// `chdir(path)`.
    Chdir = 21,
    /// `clock()`: simulated nanoseconds since boot, low half in `$v0`, high half in `$v1`.
    Clock = 22,
    /// `cpuid()`: the CPU the caller runs on.
    Cpuid = 23,
    /// `thread_create(entry, arg, stack_top)`: a thread id; the thread runs `entry(arg)`.
    ThreadCreate = 24,
    /// `thread_exit(code)`: ends the calling thread.
    ThreadExit = 25,
    /// `thread_join(tid)`: the thread's exit code, once it has exited.
    ThreadJoin = 26,
    /// `futex_wait(addr, expected)`: sleeps until woken; EAGAIN at once if `*addr != expected`.
    FutexWait = 27,
    /// `futex_wake(addr, count)`: wakes up to `count` waiters; how many were woken.
    FutexWake = 28,
    /// `shutdown(code)`: powers the machine off (init only; EPERM otherwise).
    Shutdown = 29,
    /// `kstats(buf, len)`: bytes of kernel statistics copied.
    Kstats = 30,
    /// `shm_attach(key, size) -> address`: map the shared-memory region `key` (created zeroed
    /// with `size` bytes by its first attach) at the same address in every process.
    ShmAttach = 31,
    /// `shm_remove(key)`: forget region `key` (mappings keep their pages until exit).
    ShmRemove = 32,
    /// `nfs(op)`: the NFS-like file service between VMs (kernel `nfs.rs`). [`NFS_START`]: on
    /// VM 0 of several, serve the file system to the others until each has stopped, then power
    /// the VM off (does not return); on any other VM, mount VM 0's file system (block reads go
    /// to it). [`NFS_STOP`]: a client tells the server it is done. Without a subnet (natively,
    /// one VM) both do nothing. Answers 0; [`NFS_WHOAMI`] answers this VM's address and the
    /// number of VMs. Once mounted, paths under `/export` are the server's files (writes over
    /// NFS, kernel `export.rs`).
    Nfs = 33,
}

/// `nfs` op: serve (VM 0) or mount (the others).
pub const NFS_START: u32 = 0;
/// `nfs` op: a client is done with the server.
pub const NFS_STOP: u32 = 1;
/// `nfs` op: this VM's address on the subnet (low 16 bits) and the number of VMs (high 16
/// bits); `1 << 16` without a subnet.
pub const NFS_WHOAMI: u32 = 2;
/// `nfs` op (a client): sends the raw request of four words at the second argument to the
/// server and stores the answer's four words there — what a faulty or hostile client could
/// send, to test the server's checks (`nfs probe`).
pub const NFS_PROBE: u32 = 3;

impl Syscall {
    /// Every call, by number order.
    pub const ALL: [Syscall; 33] = [
        Syscall::Exit,
        Syscall::Fork,
        Syscall::Wait,
        Syscall::Exec,
        Syscall::Getpid,
        Syscall::Sbrk,
        Syscall::Yield,
        Syscall::Sleep,
        Syscall::Open,
        Syscall::Close,
        Syscall::Read,
        Syscall::Write,
        Syscall::Lseek,
        Syscall::Fstat,
        Syscall::Stat,
        Syscall::Unlink,
        Syscall::Mkdir,
        Syscall::Readdir,
        Syscall::Dup,
        Syscall::Pipe,
        Syscall::Chdir,
        Syscall::Clock,
        Syscall::Cpuid,
        Syscall::ThreadCreate,
        Syscall::ThreadExit,
        Syscall::ThreadJoin,
        Syscall::FutexWait,
        Syscall::FutexWake,
        Syscall::Shutdown,
        Syscall::Kstats,
        Syscall::ShmAttach,
        Syscall::ShmRemove,
        Syscall::Nfs,
    ];

    /// Its name (docs/guest-os.md; the kernel-services panel and Table 2 use it).
    pub const fn name(self) -> &'static str {
        match self {
            Syscall::Exit => "exit",
            Syscall::Fork => "fork",
            Syscall::Wait => "wait",
            Syscall::Exec => "exec",
            Syscall::Getpid => "getpid",
            Syscall::Sbrk => "sbrk",
            Syscall::Yield => "yield",
            Syscall::Sleep => "sleep",
            Syscall::Open => "open",
            Syscall::Close => "close",
            Syscall::Read => "read",
            Syscall::Write => "write",
            Syscall::Lseek => "lseek",
            Syscall::Fstat => "fstat",
            Syscall::Stat => "stat",
            Syscall::Unlink => "unlink",
            Syscall::Mkdir => "mkdir",
            Syscall::Readdir => "readdir",
            Syscall::Dup => "dup",
            Syscall::Pipe => "pipe",
            Syscall::Chdir => "chdir",
            Syscall::Clock => "clock",
            Syscall::Cpuid => "cpuid",
            Syscall::ThreadCreate => "thread_create",
            Syscall::ThreadExit => "thread_exit",
            Syscall::ThreadJoin => "thread_join",
            Syscall::FutexWait => "futex_wait",
            Syscall::FutexWake => "futex_wake",
            Syscall::Shutdown => "shutdown",
            Syscall::Kstats => "kstats",
            Syscall::ShmAttach => "shm_attach",
            Syscall::ShmRemove => "shm_remove",
            Syscall::Nfs => "nfs",
        }
    }

    /// The name of call number `nr`, if it is one.
    pub fn name_of(nr: usize) -> Option<&'static str> {
        u32::try_from(nr).ok().and_then(|n| Syscall::try_from(n).ok()).map(Syscall::name)
    }
}

impl TryFrom<u32> for Syscall {
    /// The number, which names no call (the kernel answers ENOSYS).
    type Error = u32;

    fn try_from(n: u32) -> Result<Syscall, u32> {
        Syscall::ALL.iter().copied().find(|c| *c as u32 == n).ok_or(n)
    }
}

/// `open` flags: read only.
pub const O_RDONLY: u32 = 0;
/// `open` flags: write only.
pub const O_WRONLY: u32 = 1;
/// `open` flags: read and write.
pub const O_RDWR: u32 = 2;
/// `open` flags: create the file if it does not exist.
pub const O_CREATE: u32 = 0x200;
/// `open` flags: truncate the file to length 0.
pub const O_TRUNC: u32 = 0x400;
/// `open` flags: every write goes to the end of the file.
pub const O_APPEND: u32 = 0x800;

/// `lseek` whence: from the start.
pub const SEEK_SET: u32 = 0;
/// `lseek` whence: from the current offset.
pub const SEEK_CUR: u32 = 1;
/// `lseek` whence: from the end.
pub const SEEK_END: u32 = 2;

// Every call is counted in the kernel statistics.
const _: () = assert!((Syscall::Nfs as usize) < MAX_SYSCALL);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for c in Syscall::ALL {
            assert_eq!(Syscall::try_from(c as u32), Ok(c));
            assert_eq!(Syscall::name_of(c as usize), Some(c.name()));
        }
        assert_eq!(Syscall::try_from(0), Err(0));
        assert_eq!(Syscall::try_from(99), Err(99));
    }
}
