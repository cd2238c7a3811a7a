//! # mkfs — dux disk images from a directory tree
//!
//! [`Image::build`] lays out a file system (see the `fsformat` crate) holding the given
//! directories and files, deterministically: the same tree gives the same bytes. [`Image::read`]
//! and [`Image::list`] read an image back, for tests and tools; [`Image::extents`] says where a
//! file's bytes lie in the image.
//!
//! ```
//! let mut tree = mkfs::Tree::default();
//! tree.file("/etc/rc", b"echo hello\n".to_vec());
//! let image = mkfs::Image::build(&tree, 1024, 128).unwrap();
//! assert_eq!(image.read("/etc/rc").unwrap(), b"echo hello\n");
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use fsformat::{
    BLOCK, BlockRef, DIRENT_BYTES, INODE_BYTES, Inode, NAME_MAX, NDIRECT, NINDIRECT, ROOT_INUM,
    Superblock, block_ref, dirent_decode, dirent_encode, kind,
};

/// Why an image cannot be built or read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MkfsError {
    /// The tree does not fit.
    #[error("the tree needs more than the {0} blocks of the image")]
    NoSpace(u32),
    /// Too many files and directories for the inode count.
    #[error("the tree needs more than {0} inodes")]
    NoInodes(u32),
    /// A path component longer than the format allows.
    #[error("name too long ({0} bytes, at most {NAME_MAX}): {1}")]
    NameTooLong(usize, String),
    /// Not a dux image.
    #[error("not a dux file system (bad superblock)")]
    BadSuperblock,
    /// A path that does not exist in the image.
    #[error("no such file: {0}")]
    NotFound(String),
    /// A host file could not be read.
    #[error("{0}")]
    Io(String),
}

/// A directory tree to put on the disk: absolute paths of directories and files.
#[derive(Clone, Debug, Default)]
pub struct Tree {
    files: BTreeMap<String, Vec<u8>>,
    dirs: BTreeMap<String, ()>,
}

impl Tree {
    /// Adds a file (its parent directories are created).
    pub fn file(&mut self, path: &str, data: Vec<u8>) {
        let p = normalize(path);
        self.add_parents(&p);
        self.files.insert(p, data);
    }

    /// Adds an empty directory.
    pub fn dir(&mut self, path: &str) {
        let p = normalize(path);
        self.add_parents(&p);
        if p != "/" {
            self.dirs.insert(p, ());
        }
    }

    fn add_parents(&mut self, p: &str) {
        let mut cur = String::new();
        let parts: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            cur.push('/');
            cur.push_str(part);
            self.dirs.insert(cur.clone(), ());
        }
    }

    /// Adds everything under the host directory `root` (files and directories, sorted).
    pub fn from_dir(root: &Path) -> Result<Tree, MkfsError> {
        let mut t = Tree::default();
        walk(root, root, &mut t)?;
        Ok(t)
    }
}

fn walk(root: &Path, dir: &Path, t: &mut Tree) -> Result<(), MkfsError> {
    let io = |e: std::io::Error| MkfsError::Io(format!("{}: {e}", dir.display()));
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).map_err(io)?.collect::<Result<_, _>>().map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let rel = path.strip_prefix(root).map_err(|e| MkfsError::Io(e.to_string()))?;
        let name = format!("/{}", rel.to_string_lossy());
        if path.is_dir() {
            t.dir(&name);
            walk(root, &path, t)?;
        } else {
            let data = std::fs::read(&path)
                .map_err(|e| MkfsError::Io(format!("{}: {e}", path.display())))?;
            t.file(&name, data);
        }
    }
    Ok(())
}

fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    format!("/{}", parts.join("/"))
}

/// A disk image.
#[derive(Clone, Debug)]
pub struct Image {
    bytes: Vec<u8>,
    sb: Superblock,
}

struct Builder {
    bytes: Vec<u8>,
    sb: Superblock,
    next_block: u32,
    next_inode: u32,
}

impl Builder {
    fn block(&mut self, n: u32) -> &mut [u8] {
        let at = n as usize * BLOCK;
        &mut self.bytes[at..at + BLOCK]
    }

    fn alloc_block(&mut self) -> Result<u32, MkfsError> {
        if self.next_block >= self.sb.blocks {
            return Err(MkfsError::NoSpace(self.sb.blocks));
        }
        let b = self.next_block;
        self.next_block += 1;
        Ok(b)
    }

    fn alloc_inode(&mut self) -> Result<u32, MkfsError> {
        if self.next_inode >= self.sb.inodes {
            return Err(MkfsError::NoInodes(self.sb.inodes));
        }
        let i = self.next_inode;
        self.next_inode += 1;
        Ok(i)
    }

    fn put_inode(&mut self, inum: u32, ino: &Inode) {
        let (blk, off) = self.sb.inode_location(inum);
        ino.encode(&mut self.block(blk)[off..off + INODE_BYTES]);
    }

    /// Writes `data` as the contents of a new inode of `kind` and returns the inode.
    fn write_file(&mut self, kind: u16, nlink: u16, data: &[u8]) -> Result<Inode, MkfsError> {
        let mut ino = Inode { kind, nlink, size: data.len() as u32, ..Inode::default() };
        for (n, chunk) in data.chunks(BLOCK).enumerate() {
            let b = self.alloc_block()?;
            self.block(b)[..chunk.len()].copy_from_slice(chunk);
            let slot = block_ref(n).ok_or(MkfsError::NoSpace(self.sb.blocks))?;
            match slot {
                BlockRef::Direct(i) => ino.direct[i] = b,
                BlockRef::Indirect(i) => {
                    if ino.indirect == 0 {
                        ino.indirect = self.alloc_block()?;
                    }
                    let ind = ino.indirect;
                    self.block(ind)[4 * i..4 * i + 4].copy_from_slice(&b.to_le_bytes());
                }
                BlockRef::DoubleIndirect(i, j) => {
                    if ino.dindirect == 0 {
                        ino.dindirect = self.alloc_block()?;
                    }
                    let dind = ino.dindirect;
                    let mut mid = u32::from_le_bytes(
                        self.block(dind)[4 * i..4 * i + 4].try_into().unwrap_or([0; 4]),
                    );
                    if mid == 0 {
                        mid = self.alloc_block()?;
                        self.block(dind)[4 * i..4 * i + 4].copy_from_slice(&mid.to_le_bytes());
                    }
                    self.block(mid)[4 * j..4 * j + 4].copy_from_slice(&b.to_le_bytes());
                }
            }
        }
        Ok(ino)
    }
}

impl Image {
    /// Builds an image of `blocks` 4 KB blocks with room for `inodes` inodes holding `tree`.
    pub fn build(tree: &Tree, blocks: u32, inodes: u32) -> Result<Image, MkfsError> {
        let sb = Superblock::layout(blocks, inodes.max(2));
        if sb.data_start >= blocks {
            return Err(MkfsError::NoSpace(blocks));
        }
        let mut b = Builder {
            bytes: vec![0; blocks as usize * BLOCK],
            sb,
            next_block: sb.data_start,
            next_inode: ROOT_INUM + 1,
        };
        // Assign inode numbers: directories (sorted, so parents first) then files.
        let mut inums: BTreeMap<String, u32> = BTreeMap::new();
        inums.insert("/".into(), ROOT_INUM);
        for d in tree.dirs.keys() {
            check_names(d)?;
            let i = b.alloc_inode()?;
            inums.insert(d.clone(), i);
        }
        for f in tree.files.keys() {
            check_names(f)?;
            let i = b.alloc_inode()?;
            inums.insert(f.clone(), i);
        }
        // Files first (their blocks), then directories with their entries.
        for (path, data) in &tree.files {
            let ino = b.write_file(kind::FILE, 1, data)?;
            b.put_inode(inums[path], &ino);
        }
        let mut dirs: Vec<String> = vec!["/".into()];
        dirs.extend(tree.dirs.keys().cloned());
        for d in &dirs {
            let me = inums[d];
            let parent = if d == "/" { ROOT_INUM } else { inums[&parent_of(d)] };
            let mut entries = vec![(me, ".".to_string()), (parent, "..".to_string())];
            let children: Vec<&String> =
                inums.keys().filter(|p| p.as_str() != "/" && parent_of(p) == *d).collect();
            let mut subdirs = 0;
            for c in children {
                if tree.dirs.contains_key(c) {
                    subdirs += 1;
                }
                entries.push((inums[c], c.rsplit('/').next().unwrap_or("").to_string()));
            }
            let mut data = vec![0u8; entries.len() * DIRENT_BYTES];
            for (k, (inum, name)) in entries.iter().enumerate() {
                dirent_encode(
                    &mut data[k * DIRENT_BYTES..(k + 1) * DIRENT_BYTES],
                    *inum,
                    name.as_bytes(),
                );
            }
            let ino = b.write_file(kind::DIR, 2 + subdirs, &data)?;
            b.put_inode(me, &ino);
        }
        // Bitmap: every block below next_block is in use.
        for blk in 0..b.next_block {
            let (bb, bit) = b.sb.bitmap_location(blk);
            b.block(bb)[bit / 8] |= 1 << (bit % 8);
        }
        sb.encode(b.block(1));
        Ok(Image { bytes: b.bytes, sb })
    }

    /// Wraps existing image bytes.
    pub fn open(bytes: Vec<u8>) -> Result<Image, MkfsError> {
        let sb = bytes
            .get(BLOCK..2 * BLOCK)
            .and_then(Superblock::decode)
            .ok_or(MkfsError::BadSuperblock)?;
        if bytes.len() < sb.blocks as usize * BLOCK {
            return Err(MkfsError::BadSuperblock);
        }
        Ok(Image { bytes, sb })
    }

    /// The image's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Consumes the image into its bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    fn block(&self, n: u32) -> &[u8] {
        let at = n as usize * BLOCK;
        self.bytes.get(at..at + BLOCK).unwrap_or(&[])
    }

    fn word(&self, blk: u32, i: usize) -> u32 {
        let b = self.block(blk);
        b.get(4 * i..4 * i + 4).map_or(0, |w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
    }

    fn inode(&self, inum: u32) -> Inode {
        let (blk, off) = self.sb.inode_location(inum);
        Inode::decode(&self.block(blk)[off..off + INODE_BYTES])
    }

    /// The block numbers holding the contents of `ino`, in file order.
    fn data_blocks(&self, ino: &Inode) -> Vec<u32> {
        let blocks = (ino.size as usize).div_ceil(BLOCK);
        (0..blocks)
            .map(|n| match block_ref(n) {
                Some(BlockRef::Direct(i)) => ino.direct[i],
                Some(BlockRef::Indirect(i)) => self.word(ino.indirect, i),
                Some(BlockRef::DoubleIndirect(i, j)) => self.word(self.word(ino.dindirect, i), j),
                None => 0,
            })
            .collect()
    }

    fn contents(&self, ino: &Inode) -> Vec<u8> {
        let mut out = Vec::with_capacity(ino.size as usize);
        for blk in self.data_blocks(ino) {
            let take = (ino.size as usize - out.len()).min(BLOCK);
            out.extend_from_slice(&self.block(blk)[..take]);
        }
        out
    }

    fn lookup(&self, path: &str) -> Option<u32> {
        let mut inum = ROOT_INUM;
        for part in path.split('/').filter(|s| !s.is_empty()) {
            let dir = self.inode(inum);
            if dir.kind != kind::DIR {
                return None;
            }
            let data = self.contents(&dir);
            inum = data
                .chunks(DIRENT_BYTES)
                .map(dirent_decode)
                .find(|(i, n)| *i != 0 && *n == part.as_bytes())?
                .0;
        }
        Some(inum)
    }

    /// The contents of the file at `path`.
    pub fn read(&self, path: &str) -> Result<Vec<u8>, MkfsError> {
        let inum = self.lookup(path).ok_or_else(|| MkfsError::NotFound(path.to_string()))?;
        Ok(self.contents(&self.inode(inum)))
    }

    /// Where the contents of the file at `path` lie in the image's bytes: `(offset, length)`
    /// ranges in file order, adjacent blocks merged into one range, together exactly the file's
    /// size (the last range stops where the file does, inside its last block). Reading the
    /// ranges one after the other gives [`Image::read`]'s bytes; a tool that ships the image
    /// without a file's bytes (`cargo xtask web`) writes them back there.
    pub fn extents(&self, path: &str) -> Result<Vec<(u64, u64)>, MkfsError> {
        let inum = self.lookup(path).ok_or_else(|| MkfsError::NotFound(path.to_string()))?;
        let ino = self.inode(inum);
        if ino.kind != kind::FILE {
            return Err(MkfsError::NotFound(path.to_string()));
        }
        let mut ranges: Vec<(u64, u64)> = Vec::new();
        let mut left = u64::from(ino.size);
        for blk in self.data_blocks(&ino) {
            let (at, len) = (u64::from(blk) * BLOCK as u64, left.min(BLOCK as u64));
            left -= len;
            match ranges.last_mut() {
                Some((start, n)) if *start + *n == at => *n += len,
                _ => ranges.push((at, len)),
            }
        }
        Ok(ranges)
    }

    /// Names in the directory at `path` (without `.` and `..`).
    pub fn list(&self, path: &str) -> Result<Vec<String>, MkfsError> {
        let inum = self.lookup(path).ok_or_else(|| MkfsError::NotFound(path.to_string()))?;
        let data = self.contents(&self.inode(inum));
        Ok(data
            .chunks(DIRENT_BYTES)
            .map(dirent_decode)
            .filter(|(i, n)| *i != 0 && *n != b"." && *n != b"..")
            .map(|(_, n)| String::from_utf8_lossy(n).into_owned())
            .collect())
    }

    /// Blocks in use (per the bitmap).
    pub fn used_blocks(&self) -> u32 {
        (0..self.sb.blocks)
            .filter(|&b| {
                let (bb, bit) = self.sb.bitmap_location(b);
                self.block(bb)[bit / 8] & (1 << (bit % 8)) != 0
            })
            .count() as u32
    }
}

fn parent_of(p: &str) -> String {
    match p.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => p[..i].to_string(),
    }
}

fn check_names(p: &str) -> Result<(), MkfsError> {
    for part in p.split('/') {
        if part.len() > NAME_MAX {
            return Err(MkfsError::NameTooLong(part.len(), p.to_string()));
        }
    }
    Ok(())
}

// The on-disk constants the reader relies on.
const _: () = assert!(NDIRECT == 12 && NINDIRECT == 1024);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_every_size_round_trip() {
        let mut t = Tree::default();
        let sizes = [0usize, 1, 4095, 4096, 4097, 12 * 4096, 12 * 4096 + 1, (12 + 1024) * 4096 + 5];
        for (k, &n) in sizes.iter().enumerate() {
            let data: Vec<u8> = (0..n).map(|i| (i * 7 + k) as u8).collect();
            t.file(&format!("/d{k}/f"), data);
        }
        t.dir("/empty");
        let img = Image::build(&t, 2048, 64).expect("fits");
        for (k, &n) in sizes.iter().enumerate() {
            let got = img.read(&format!("/d{k}/f")).expect("present");
            assert_eq!(got.len(), n);
            assert!(got.iter().enumerate().all(|(i, &b)| b == (i * 7 + k) as u8));
        }
        assert_eq!(img.list("/empty").expect("dir"), Vec::<String>::new());
        assert_eq!(img.list("/").expect("root").len(), sizes.len() + 1);
        // Reopening the bytes finds the same content.
        let again = Image::open(img.bytes().to_vec()).expect("valid");
        assert_eq!(again.read("/d1/f").expect("f"), vec![1]);
        assert_eq!(again.used_blocks(), img.used_blocks());
        // The extents hold exactly each file's bytes, in order, and only whole blocks but the
        // last; the indirect blocks between data blocks split them.
        for k in 0..sizes.len() {
            let path = format!("/d{k}/f");
            let extents = img.extents(&path).expect("a file");
            let mut bytes = Vec::new();
            for &(at, len) in &extents {
                assert_eq!(at % BLOCK as u64, 0, "{path}: starts on a block");
                bytes.extend_from_slice(&img.bytes()[at as usize..(at + len) as usize]);
            }
            assert_eq!(bytes, img.read(&path).expect("present"), "{path}");
        }
        assert_eq!(img.extents("/d7/f").expect("a file").len(), 2, "split by the indirect block");
        assert_eq!(img.extents("/d0/f").expect("empty"), vec![]);
        assert_eq!(img.extents("/empty"), Err(MkfsError::NotFound("/empty".into())));
    }

    #[test]
    fn deterministic_and_checked() {
        let mut t = Tree::default();
        t.file("/b", vec![1; 10]);
        t.file("/a/x", vec![2; 10]);
        let a = Image::build(&t, 64, 16).expect("fits");
        let b = Image::build(&t, 64, 16).expect("fits");
        assert_eq!(a.bytes(), b.bytes());
        assert_eq!(
            Image::build(&t, 8, 16).map(|_| ()),
            Ok(()),
            "exactly fits: 4 metadata + 4 data blocks"
        );
        assert_eq!(Image::build(&t, 7, 16).map(|_| ()), Err(MkfsError::NoSpace(7)));
        assert_eq!(Image::build(&t, 64, 3).map(|_| ()), Err(MkfsError::NoInodes(3)));
        let mut long = Tree::default();
        long.file(&format!("/{}", "n".repeat(60)), vec![]);
        assert!(matches!(Image::build(&long, 64, 16), Err(MkfsError::NameTooLong(60, _))));
        assert_eq!(Image::open(vec![0; 8192]).map(|_| ()), Err(MkfsError::BadSuperblock));
        assert_eq!(a.read("/nope"), Err(MkfsError::NotFound("/nope".into())));
    }
}
