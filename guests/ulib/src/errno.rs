//! Error numbers: what a failed system call leaves in `$v0` (POSIX values).

use core::fmt;

/// A system-call error.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(pub u32);

/// Result of a system call or of a library function built on them.
pub type Result<T> = core::result::Result<T, Errno>;

macro_rules! errnos {
    ($($name:ident = $n:literal, $msg:literal;)*) => {
        impl Errno {
            $(
                #[doc = $msg]
                pub const $name: Errno = Errno($n);
            )*

            /// The symbolic name (`"ENOENT"`), or `"E?"` for a number the table does not know.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($n => stringify!($name),)*
                    _ => "E?",
                }
            }

            /// A short description (`"no such file or directory"`).
            pub fn message(self) -> &'static str {
                match self.0 {
                    $($n => $msg,)*
                    _ => "unknown error",
                }
            }
        }
    };
}

errnos! {
    EPERM = 1, "operation not permitted";
    ENOENT = 2, "no such file or directory";
    ESRCH = 3, "no such process";
    EINTR = 4, "interrupted system call";
    EIO = 5, "input/output error";
    E2BIG = 7, "argument list too long";
    ENOEXEC = 8, "exec format error";
    EBADF = 9, "bad file descriptor";
    ECHILD = 10, "no child processes";
    EAGAIN = 11, "resource temporarily unavailable";
    ENOMEM = 12, "out of memory";
    EFAULT = 14, "bad address";
    EEXIST = 17, "file exists";
    ENOTDIR = 20, "not a directory";
    EISDIR = 21, "is a directory";
    EINVAL = 22, "invalid argument";
    ENFILE = 23, "too many open files in system";
    EMFILE = 24, "too many open files";
    EFBIG = 27, "file too large";
    ENOSPC = 28, "no space left on device";
    ESPIPE = 29, "illegal seek";
    ENAMETOOLONG = 36, "file name too long";
    ENOSYS = 38, "function not implemented";
    ENOTEMPTY = 39, "directory not empty";
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.0)
    }
}
