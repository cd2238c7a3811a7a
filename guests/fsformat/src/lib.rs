//! The on-disk format of dux's file system, shared by the kernel (`guests/kernel/src/fs.rs`)
//! and the host-side image builder (`cargo xtask guests` builds disk images with it).
//!
//! A simple UNIX file system in the spirit of xv6's, with page-sized blocks: a 4 KB block is
//! one page of the buffer cache, and a disk read is a page-aligned, page-sized DMA — the case
//! in which Disco's copy-on-write disks can share one machine page between virtual machines
//! (paper §4.2.5).
//!
//! ```text
//! block 0            unused (boot block)
//! block 1            superblock
//! inode_start ..     inodes, 64 per block (inode 0 is never used; 1 is the root directory)
//! bitmap_start ..    free-block bitmap, one bit per block (1 = in use)
//! data_start ..      data blocks
//! ```
//! An inode has 12 direct block numbers, one single-indirect and one double-indirect block
//! (1024 numbers per block): files up to about 4 GB. A directory is a file of 64-byte entries:
//! inode number (0 = free slot) and a NUL-padded name of at most 59 bytes.

#![no_std]

/// Bytes per block.
pub const BLOCK: usize = 4096;
/// Sectors (of the disk's 512 bytes) per block.
pub const SECTORS_PER_BLOCK: u32 = (BLOCK / 512) as u32;
/// Superblock magic: "DUXFS" and a format version.
pub const MAGIC: [u8; 8] = *b"DUXFS\0\0\x01";
/// Inode number of the root directory.
pub const ROOT_INUM: u32 = 1;
/// Direct block numbers in an inode.
pub const NDIRECT: usize = 12;
/// Block numbers in an indirect block.
pub const NINDIRECT: usize = BLOCK / 4;
/// Largest file, in blocks.
pub const MAX_FILE_BLOCKS: usize = NDIRECT + NINDIRECT + NINDIRECT * NINDIRECT;
/// Bytes of an on-disk inode.
pub const INODE_BYTES: usize = 64;
/// Inodes per block.
pub const INODES_PER_BLOCK: usize = BLOCK / INODE_BYTES;
/// Bytes of a directory entry.
pub const DIRENT_BYTES: usize = 64;
/// Longest name.
pub const NAME_MAX: usize = 59;
/// Bits per bitmap block.
pub const BITS_PER_BLOCK: usize = BLOCK * 8;

/// Inode kinds.
pub mod kind {
    /// A free inode.
    pub const FREE: u16 = 0;
    /// A directory.
    pub const DIR: u16 = 1;
    /// A regular file.
    pub const FILE: u16 = 2;
    /// A device (the console).
    pub const DEVICE: u16 = 3;
}

/// The superblock (block 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Superblock {
    /// Blocks in the file system.
    pub blocks: u32,
    /// Number of inodes.
    pub inodes: u32,
    /// First inode block.
    pub inode_start: u32,
    /// First bitmap block.
    pub bitmap_start: u32,
    /// First data block.
    pub data_start: u32,
}

#[inline]
fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[inline]
fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

impl Superblock {
    /// The layout for a disk of `blocks` blocks with `inodes` inodes.
    pub fn layout(blocks: u32, inodes: u32) -> Superblock {
        let inode_blocks = (inodes as usize).div_ceil(INODES_PER_BLOCK) as u32;
        let bitmap_blocks = (blocks as usize).div_ceil(BITS_PER_BLOCK) as u32;
        let inode_start = 2;
        let bitmap_start = inode_start + inode_blocks;
        Superblock {
            blocks,
            inodes,
            inode_start,
            bitmap_start,
            data_start: bitmap_start + bitmap_blocks,
        }
    }

    /// Reads a superblock from its block; `None` if the magic is wrong or it is inconsistent.
    pub fn decode(b: &[u8]) -> Option<Superblock> {
        if b.len() < 28 || b[..8] != MAGIC {
            return None;
        }
        let sb = Superblock {
            blocks: le32(b, 8),
            inodes: le32(b, 12),
            inode_start: le32(b, 16),
            bitmap_start: le32(b, 20),
            data_start: le32(b, 24),
        };
        let ok = sb == Superblock::layout(sb.blocks, sb.inodes) && sb.data_start < sb.blocks;
        ok.then_some(sb)
    }

    /// Writes the superblock into a block buffer.
    pub fn encode(&self, b: &mut [u8]) {
        b[..8].copy_from_slice(&MAGIC);
        put32(b, 8, self.blocks);
        put32(b, 12, self.inodes);
        put32(b, 16, self.inode_start);
        put32(b, 20, self.bitmap_start);
        put32(b, 24, self.data_start);
    }

    /// The block holding inode `inum`, and its byte offset there.
    pub fn inode_location(&self, inum: u32) -> (u32, usize) {
        let i = inum as usize;
        (self.inode_start + (i / INODES_PER_BLOCK) as u32, (i % INODES_PER_BLOCK) * INODE_BYTES)
    }

    /// The bitmap block covering block `b`, and the bit index in it.
    pub fn bitmap_location(&self, b: u32) -> (u32, usize) {
        (self.bitmap_start + b / BITS_PER_BLOCK as u32, b as usize % BITS_PER_BLOCK)
    }
}

/// An on-disk inode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inode {
    /// [`kind`].
    pub kind: u16,
    /// Directory entries naming it.
    pub nlink: u16,
    /// Bytes.
    pub size: u32,
    /// Direct blocks (0 = none).
    pub direct: [u32; NDIRECT],
    /// Single-indirect block.
    pub indirect: u32,
    /// Double-indirect block.
    pub dindirect: u32,
}

impl Inode {
    /// Decodes the 64 bytes at `b`.
    pub fn decode(b: &[u8]) -> Inode {
        let mut direct = [0; NDIRECT];
        for (i, d) in direct.iter_mut().enumerate() {
            *d = le32(b, 8 + 4 * i);
        }
        Inode {
            kind: u16::from_le_bytes([b[0], b[1]]),
            nlink: u16::from_le_bytes([b[2], b[3]]),
            size: le32(b, 4),
            direct,
            indirect: le32(b, 56),
            dindirect: le32(b, 60),
        }
    }

    /// Encodes into the 64 bytes at `b`.
    pub fn encode(&self, b: &mut [u8]) {
        b[0..2].copy_from_slice(&self.kind.to_le_bytes());
        b[2..4].copy_from_slice(&self.nlink.to_le_bytes());
        put32(b, 4, self.size);
        for (i, d) in self.direct.iter().enumerate() {
            put32(b, 8 + 4 * i, *d);
        }
        put32(b, 56, self.indirect);
        put32(b, 60, self.dindirect);
    }
}

/// Where block number `n` of a file is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockRef {
    /// `direct[i]`.
    Direct(usize),
    /// Entry `i` of the single-indirect block.
    Indirect(usize),
    /// Entry `i` of the double-indirect block, then entry `j` of that block.
    DoubleIndirect(usize, usize),
}

/// Where block `n` of a file lives, or `None` beyond the largest file.
pub fn block_ref(n: usize) -> Option<BlockRef> {
    if n < NDIRECT {
        return Some(BlockRef::Direct(n));
    }
    let n = n - NDIRECT;
    if n < NINDIRECT {
        return Some(BlockRef::Indirect(n));
    }
    let n = n - NINDIRECT;
    (n < NINDIRECT * NINDIRECT).then_some(BlockRef::DoubleIndirect(n / NINDIRECT, n % NINDIRECT))
}

/// Decodes the directory entry at `b` (64 bytes): inode number and name.
pub fn dirent_decode(b: &[u8]) -> (u32, &[u8]) {
    let inum = le32(b, 0);
    let name = &b[4..DIRENT_BYTES];
    let len = name.iter().position(|&c| c == 0).unwrap_or(name.len());
    (inum, &name[..len])
}

/// The inode number of the directory entry at `b` (0: the entry is free).
#[inline]
pub fn dirent_inum(b: &[u8]) -> u32 {
    le32(b, 0)
}

/// The [`kind`] of the encoded inode at `b`, without decoding the rest (an inode search
/// looks only for a free one).
#[inline]
pub fn inode_kind(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

/// The inode number of the directory entry at `b` (64 bytes) if it is in use and names `name`.
/// Compares in place: a directory search looks at every entry, and finding each entry's name
/// length first (as [`dirent_decode`] does) scanned its whole 60-byte field.
#[inline]
pub fn dirent_matches(b: &[u8], name: &[u8]) -> Option<u32> {
    let inum = le32(b, 0);
    let field = &b[4..DIRENT_BYTES];
    let n = name.len();
    let ends = n < field.len() && field[n] == 0;
    (inum != 0 && ends && &field[..n] == name).then_some(inum)
}

/// Encodes a directory entry into `b` (64 bytes). The name must be at most [`NAME_MAX`].
pub fn dirent_encode(b: &mut [u8], inum: u32, name: &[u8]) {
    b[..DIRENT_BYTES].fill(0);
    put32(b, 0, inum);
    let n = name.len().min(NAME_MAX);
    b[4..4 + n].copy_from_slice(&name[..n]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_entry_matches_its_own_name_only() {
        let mut e = [0u8; DIRENT_BYTES];
        dirent_encode(&mut e, 7, b"cc1");
        assert_eq!(dirent_matches(&e, b"cc1"), Some(7));
        for other in [&b"cc"[..], b"cc12", b"", b"cc2"] {
            assert_eq!(dirent_matches(&e, other), None, "{other:?}");
        }
        let long = [b'x'; NAME_MAX];
        dirent_encode(&mut e, 9, &long);
        assert_eq!(dirent_matches(&e, &long), Some(9));
        assert_eq!(dirent_matches(&e, &long[..NAME_MAX - 1]), None);
        assert_eq!(dirent_inum(&e), 9);
        dirent_encode(&mut e, 0, b"cc1");
        assert_eq!(dirent_matches(&e, b"cc1"), None, "a free entry matches nothing");
        assert_eq!(dirent_inum(&e), 0);
    }

    #[test]
    fn round_trips() {
        let sb = Superblock::layout(10_000, 1000);
        let mut b = [0u8; BLOCK];
        sb.encode(&mut b);
        assert_eq!(Superblock::decode(&b), Some(sb));
        b[0] = b'X';
        assert_eq!(Superblock::decode(&b), None);
        let ino = Inode {
            kind: kind::FILE,
            nlink: 1,
            size: 12345,
            direct: [7; NDIRECT],
            indirect: 8,
            dindirect: 9,
        };
        let mut e = [0u8; INODE_BYTES];
        ino.encode(&mut e);
        assert_eq!(Inode::decode(&e), ino);
        assert_eq!(inode_kind(&e), ino.kind);
        let mut d = [0u8; DIRENT_BYTES];
        dirent_encode(&mut d, 42, b"hello.c");
        assert_eq!(dirent_decode(&d), (42, &b"hello.c"[..]));
        assert_eq!(block_ref(0), Some(BlockRef::Direct(0)));
        assert_eq!(block_ref(12), Some(BlockRef::Indirect(0)));
        assert_eq!(block_ref(12 + 1024 + 1025), Some(BlockRef::DoubleIndirect(1, 1)));
        assert_eq!(block_ref(MAX_FILE_BLOCKS), None);
    }
}
