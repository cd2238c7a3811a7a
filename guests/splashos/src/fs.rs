//! File input: dux's file system (guests/fsformat), read-only, straight from the virtual disk.
//!
//! No buffer cache and no writes: a file is read block by block with the monitor's disk calls
//! (`disk_start` of one 4 KB block into a page-aligned buffer, then `disk_wait`, which takes
//! the VCPU off its physical CPU until the transfer completes, and `disk_ack`). Enough to read
//! a program's input and its command line.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use fsformat::{BLOCK, BlockRef, DIRENT_BYTES, INODE_BYTES, Inode, ROOT_INUM, SECTORS_PER_BLOCK};
use fsformat::{Superblock, kind};

use crate::mon;

/// Why a file cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsError {
    /// The VM has no disk.
    NoDisk,
    /// Block 1 is not a dux superblock.
    NotAFileSystem,
    /// The monitor refused a request, or the disk reported an error.
    Io,
    /// A path component does not exist.
    NotFound,
    /// A path component that must be a directory is not one.
    NotADirectory,
    /// The path names a directory or a device.
    NotAFile,
    /// A block number outside the disk.
    Corrupt,
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FsError::NoDisk => "the VM has no disk",
            FsError::NotAFileSystem => "the disk holds no dux file system",
            FsError::Io => "disk error",
            FsError::NotFound => "no such file",
            FsError::NotADirectory => "not a directory",
            FsError::NotAFile => "not a regular file",
            FsError::Corrupt => "corrupt file system",
        })
    }
}

/// One block, aligned for DMA (the monitor wants 512-byte alignment; a page is the natural
/// unit).
#[repr(C, align(4096))]
struct Block([u8; BLOCK]);

/// The file system on disk 0.
pub struct Fs {
    sb: Superblock,
    buf: Box<Block>,
}

impl Fs {
    /// Reads the superblock.
    pub fn mount() -> Result<Fs, FsError> {
        if !mon::has_disk() {
            return Err(FsError::NoDisk);
        }
        let mut buf = Box::new(Block([0; BLOCK]));
        read_block(1, &mut buf)?;
        let sb = Superblock::decode(&buf.0).ok_or(FsError::NotAFileSystem)?;
        Ok(Fs { sb, buf })
    }

    fn read(&mut self, b: u32) -> Result<&[u8; BLOCK], FsError> {
        if b == 0 || b >= self.sb.blocks {
            return Err(FsError::Corrupt);
        }
        read_block(b, &mut self.buf)?;
        Ok(&self.buf.0)
    }

    fn inode(&mut self, inum: u32) -> Result<Inode, FsError> {
        if inum == 0 || inum >= self.sb.inodes {
            return Err(FsError::Corrupt);
        }
        let (b, off) = self.sb.inode_location(inum);
        let block = self.read(b)?;
        Ok(Inode::decode(&block[off..off + INODE_BYTES]))
    }

    /// The disk block of block `n` of a file (0: a hole).
    fn bmap(&mut self, ino: &Inode, n: usize) -> Result<u32, FsError> {
        let entry = |fs: &mut Fs, table: u32, i: usize| -> Result<u32, FsError> {
            if table == 0 {
                return Ok(0);
            }
            let b = fs.read(table)?;
            Ok(u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]))
        };
        match fsformat::block_ref(n).ok_or(FsError::Corrupt)? {
            BlockRef::Direct(i) => Ok(ino.direct[i]),
            BlockRef::Indirect(i) => entry(self, ino.indirect, i),
            BlockRef::DoubleIndirect(i, j) => {
                let table = entry(self, ino.dindirect, i)?;
                entry(self, table, j)
            }
        }
    }

    /// The whole contents of a file.
    fn contents(&mut self, ino: &Inode) -> Result<Vec<u8>, FsError> {
        let size = ino.size as usize;
        let mut out = Vec::with_capacity(size);
        let mut n = 0;
        while out.len() < size {
            let want = (size - out.len()).min(BLOCK);
            match self.bmap(ino, n)? {
                0 => out.resize(out.len() + want, 0),
                b => {
                    let block = self.read(b)?;
                    out.extend_from_slice(&block[..want]);
                }
            }
            n += 1;
        }
        Ok(out)
    }

    /// The inode an absolute path names.
    fn lookup(&mut self, path: &str) -> Result<Inode, FsError> {
        let mut ino = self.inode(ROOT_INUM)?;
        for name in path.split('/').filter(|c| !c.is_empty()) {
            if ino.kind != kind::DIR {
                return Err(FsError::NotADirectory);
            }
            let dir = self.contents(&ino)?;
            let found = dir.chunks_exact(DIRENT_BYTES).find_map(|e| {
                let (inum, n) = fsformat::dirent_decode(e);
                (inum != 0 && n == name.as_bytes()).then_some(inum)
            });
            ino = self.inode(found.ok_or(FsError::NotFound)?)?;
        }
        Ok(ino)
    }

    /// Reads the regular file at `path`.
    pub fn read_file(&mut self, path: &str) -> Result<Vec<u8>, FsError> {
        let ino = self.lookup(path)?;
        if ino.kind != kind::FILE {
            return Err(FsError::NotAFile);
        }
        self.contents(&ino)
    }
}

/// Reads disk block `b` into `buf`.
fn read_block(b: u32, buf: &mut Block) -> Result<(), FsError> {
    let pa = mon::gpa(buf.0.as_ptr());
    mon::disk_read_start(b * SECTORS_PER_BLOCK, pa, SECTORS_PER_BLOCK).map_err(|_| FsError::Io)?;
    loop {
        let s = mon::disk_wait();
        if s & 2 != 0 {
            mon::disk_ack();
            return if s & 4 == 0 { Ok(()) } else { Err(FsError::Io) };
        }
    }
}
