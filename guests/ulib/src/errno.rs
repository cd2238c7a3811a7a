//! Error numbers: what a failed system call leaves in `$v0` (POSIX values, from the `abi` crate,
//! which the kernel returns them by).

use core::fmt;

/// A system-call error.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(pub u32);

/// Result of a system call or of a library function built on them.
pub type Result<T> = core::result::Result<T, Errno>;

macro_rules! errnos {
    ($($name:ident, $msg:literal;)*) => {
        impl Errno {
            $(
                #[doc = $msg]
                pub const $name: Errno = Errno(::abi::errno::$name);
            )*

            /// The symbolic name (`"ENOENT"`), or `"E?"` for a number the table does not know.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $(::abi::errno::$name => stringify!($name),)*
                    _ => "E?",
                }
            }

            /// A short description (`"no such file or directory"`).
            pub fn message(self) -> &'static str {
                match self.0 {
                    $(::abi::errno::$name => $msg,)*
                    _ => "unknown error",
                }
            }
        }
    };
}

errnos! {
    EPERM, "operation not permitted";
    ENOENT, "no such file or directory";
    ESRCH, "no such process";
    EINTR, "interrupted system call";
    EIO, "input/output error";
    E2BIG, "argument list too long";
    ENOEXEC, "exec format error";
    EBADF, "bad file descriptor";
    ECHILD, "no child processes";
    EAGAIN, "resource temporarily unavailable";
    ENOMEM, "out of memory";
    EFAULT, "bad address";
    EEXIST, "file exists";
    ENOTDIR, "not a directory";
    EISDIR, "is a directory";
    EINVAL, "invalid argument";
    ENFILE, "too many open files in system";
    EMFILE, "too many open files";
    EFBIG, "file too large";
    ENOSPC, "no space left on device";
    ESPIPE, "illegal seek";
    ENAMETOOLONG, "file name too long";
    ENOSYS, "function not implemented";
    ENOTEMPTY, "directory not empty";
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
