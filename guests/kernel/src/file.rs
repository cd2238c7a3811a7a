//! Open files: what a file descriptor refers to (an inode with an offset, the console, a pipe
//! end), shared between descriptors after `dup` and between processes after `fork`.

use alloc::sync::Arc;

use crate::fs::{self, Ino};
use crate::pipe::Pipe;
use crate::spinlock::Spinlock;

/// Descriptors per process.
pub const NOFILE: usize = 32;

/// What an open file is.
pub enum Kind {
    /// A file or directory and the current offset.
    Inode {
        /// The inode (referenced).
        ip: Ino,
        /// Offset of the next read or write.
        off: u32,
    },
    /// A file or directory under the NFS server's `/export` (`export.rs`): its handle there and
    /// the current offset.
    Remote {
        /// The server's file handle.
        handle: u32,
        /// Offset of the next read or write.
        off: u32,
    },
    /// The console.
    Console,
    /// A pipe's reading end.
    PipeRead(Arc<Pipe>),
    /// A pipe's writing end.
    PipeWrite(Arc<Pipe>),
}

/// An open file.
pub struct File {
    /// What it is.
    pub kind: Kind,
    /// Opened for reading.
    pub readable: bool,
    /// Opened for writing.
    pub writable: bool,
    /// Appending.
    pub append: bool,
}

impl Drop for File {
    fn drop(&mut self) {
        match &self.kind {
            Kind::Inode { ip, .. } => fs::iput(*ip),
            Kind::PipeRead(p) => p.close(false),
            Kind::PipeWrite(p) => p.close(true),
            Kind::Console | Kind::Remote { .. } => {}
        }
    }
}

/// A shared open file.
pub type FileRef = Arc<Spinlock<File>>;

/// A process's descriptor table.
pub struct Files {
    /// Descriptors.
    pub fds: [Option<FileRef>; NOFILE],
}

impl Files {
    /// Descriptors 0, 1, 2 on the console.
    pub fn console() -> Files {
        let mut f = Files { fds: [const { None }; NOFILE] };
        for fd in 0..3 {
            f.fds[fd] = Some(Arc::new(Spinlock::new(
                "file",
                File { kind: Kind::Console, readable: fd == 0, writable: fd != 0, append: false },
            )));
        }
        f
    }

    /// A copy for a child (sharing the open files).
    pub fn fork(&self) -> Files {
        Files { fds: self.fds.clone() }
    }

    /// The lowest free descriptor.
    pub fn install(&mut self, f: FileRef) -> Option<usize> {
        let fd = self.fds.iter().position(|f| f.is_none())?;
        self.fds[fd] = Some(f);
        Some(fd)
    }

    /// The file of `fd`.
    pub fn get(&self, fd: u32) -> Option<FileRef> {
        self.fds.get(fd as usize)?.clone()
    }
}

/// Wraps a file.
pub fn new(kind: Kind, readable: bool, writable: bool, append: bool) -> FileRef {
    Arc::new(Spinlock::new("file", File { kind, readable, writable, append }))
}
