//! Files and directories: [`File`] (an open descriptor, closed when dropped) and functions on
//! paths. Paths are `&str`; they are copied into a NUL-terminated buffer on the stack for the
//! kernel, so a path is at most [`PATH_MAX`] bytes.

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;
use core::fmt;

use crate::abi::{self, Stat};
use crate::errno::{Errno, Result};
use crate::syscall;

/// The longest path the library passes to the kernel.
pub const PATH_MAX: usize = 255;

/// Calls `f` with `path` as a C string.
pub fn with_cstr<R>(path: &str, f: impl FnOnce(&CStr) -> Result<R>) -> Result<R> {
    let mut buf = [0u8; PATH_MAX + 1];
    if path.len() > PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    buf[..path.len()].copy_from_slice(path.as_bytes());
    let c = CStr::from_bytes_until_nul(&buf).map_err(|_| Errno::EINVAL)?;
    if c.to_bytes().len() != path.len() {
        return Err(Errno::EINVAL); // a NUL inside the path
    }
    f(c)
}

/// Where [`File::seek`] counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekFrom {
    /// From the start of the file.
    Start(u32),
    /// From the current offset.
    Current(i32),
    /// From the end of the file.
    End(i32),
}

/// An open file (or directory, or the console). Closed when dropped.
#[derive(Debug)]
pub struct File {
    fd: u32,
}

impl File {
    /// Opens with raw `open` flags ([`abi::O_RDONLY`], ...).
    pub fn open_with(path: &str, flags: u32) -> Result<File> {
        with_cstr(path, |p| syscall::open(p, flags)).map(|fd| File { fd })
    }

    /// Opens for reading.
    pub fn open(path: &str) -> Result<File> {
        Self::open_with(path, abi::O_RDONLY)
    }

    /// Creates (or truncates) for writing.
    pub fn create(path: &str) -> Result<File> {
        Self::open_with(path, abi::O_WRONLY | abi::O_CREATE | abi::O_TRUNC)
    }

    /// Opens for writing at the end, creating it if needed.
    pub fn append(path: &str) -> Result<File> {
        Self::open_with(path, abi::O_WRONLY | abi::O_CREATE | abi::O_APPEND)
    }

    /// Takes ownership of a descriptor.
    pub fn from_raw_fd(fd: u32) -> File {
        File { fd }
    }

    /// The descriptor.
    pub fn fd(&self) -> u32 {
        self.fd
    }

    /// Gives up ownership: the descriptor stays open.
    pub fn into_raw_fd(self) -> u32 {
        let fd = self.fd;
        core::mem::forget(self);
        fd
    }

    /// Reads up to `buf.len()` bytes; 0 at the end.
    pub fn read(&self, buf: &mut [u8]) -> Result<usize> {
        syscall::read(self.fd, buf)
    }

    /// Writes some of `buf`; how much.
    pub fn write(&self, buf: &[u8]) -> Result<usize> {
        syscall::write(self.fd, buf)
    }

    /// Writes all of `buf`.
    pub fn write_all(&self, buf: &[u8]) -> Result<()> {
        crate::io::write_all(self.fd, buf)
    }

    /// Reads to the end, appending to `out`; how many bytes. Asks the file's size first, so a
    /// whole file arrives in one buffer of the right size.
    pub fn read_to_end(&self, out: &mut Vec<u8>) -> Result<usize> {
        let start = out.len();
        if let Ok(st) = self.stat() {
            out.reserve(st.size as usize);
        }
        loop {
            if out.capacity() == out.len() {
                out.reserve(64 * 1024);
            }
            let len = out.len();
            let spare = out.capacity() - len;
            out.resize(len + spare, 0);
            match self.read(&mut out[len..]) {
                Ok(0) => {
                    out.truncate(len);
                    return Ok(len - start);
                }
                Ok(n) => out.truncate(len + n),
                Err(e) => {
                    out.truncate(len);
                    return Err(e);
                }
            }
        }
    }

    /// Moves the offset; the new offset.
    pub fn seek(&self, pos: SeekFrom) -> Result<u32> {
        match pos {
            SeekFrom::Start(n) => syscall::lseek(self.fd, n as i32, abi::SEEK_SET),
            SeekFrom::Current(n) => syscall::lseek(self.fd, n, abi::SEEK_CUR),
            SeekFrom::End(n) => syscall::lseek(self.fd, n, abi::SEEK_END),
        }
    }

    /// `fstat`.
    pub fn stat(&self) -> Result<Stat> {
        syscall::fstat(self.fd)
    }
}

impl Drop for File {
    fn drop(&mut self) {
        let _ = syscall::close(self.fd);
    }
}

impl fmt::Write for File {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_all(s.as_bytes()).map_err(|_| fmt::Error)
    }
}

/// The whole contents of a file.
pub fn read(path: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    File::open(path)?.read_to_end(&mut out)?;
    Ok(out)
}

/// Creates or replaces a file with `data`.
pub fn write(path: &str, data: &[u8]) -> Result<()> {
    File::create(path)?.write_all(data)
}

/// `stat`.
pub fn stat(path: &str) -> Result<Stat> {
    with_cstr(path, syscall::stat)
}

/// Whether `path` names something.
pub fn exists(path: &str) -> bool {
    stat(path).is_ok()
}

/// Removes a directory entry.
pub fn unlink(path: &str) -> Result<()> {
    with_cstr(path, syscall::unlink)
}

/// Creates a directory.
pub fn mkdir(path: &str) -> Result<()> {
    with_cstr(path, syscall::mkdir)
}

/// Changes the current directory.
pub fn chdir(path: &str) -> Result<()> {
    with_cstr(path, syscall::chdir)
}

/// An entry of a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// Inode number.
    pub ino: u32,
    /// Name (not UTF-8 bytes shown as U+FFFD).
    pub name: String,
}

/// The entries of a directory, in the order the kernel gives them.
pub fn read_dir(path: &str) -> Result<Vec<DirEntry>> {
    let dir = File::open(path)?;
    let mut entries = Vec::new();
    while let Some(d) = syscall::readdir(dir.fd)? {
        entries.push(DirEntry {
            ino: d.ino,
            name: String::from_utf8_lossy(d.name_bytes()).into_owned(),
        });
    }
    Ok(entries)
}
