//! The file system: inodes, directories and path names on top of the buffer cache (the
//! on-disk format is the `fsformat` crate's).
//!
//! In memory, an inode table caches the inodes in use: a spinlock guards the table (lookups,
//! reference counts), and each inode has a sleep lock that a process holds while it reads or
//! changes the inode or its contents. Inode numbers are handles ([`Ino`] = table slot).
//! Blocks and inodes are allocated by scanning the bitmap and inode blocks under their buffer
//! locks, so two allocators never pick the same one. Each scan starts where the last one of its
//! kind ended (a rotor, as UNIX file systems keep, IRIX's EFS among them) and skips a full
//! bitmap byte at once: scanning from the start every time made a write or a create cost in
//! proportion to how full the disk was (a `write` in the full pmake tree took 310 µs).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use fsformat::{
    BLOCK, BlockRef, DIRENT_BYTES, INODE_BYTES, Inode, NAME_MAX, NINDIRECT, ROOT_INUM, Superblock,
    block_ref, dirent_decode, dirent_encode, dirent_inum, dirent_matches, inode_kind, kind,
};

use crate::bio::{self, BufRef};
use crate::spinlock::Spinlock;
use crate::{dnlc, proc};

/// Inodes in memory at once.
pub const NINODE: usize = 128;

/// A file-system error (mapped to errno by the system calls).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FsError {
    /// No such file or directory.
    NotFound,
    /// Exists already.
    Exists,
    /// A path component is not a directory.
    NotDir,
    /// A directory where a file is needed.
    IsDir,
    /// Directory not empty.
    NotEmpty,
    /// No free block or inode.
    NoSpace,
    /// Name too long.
    NameTooLong,
    /// File too large.
    TooBig,
    /// Bad user address.
    Fault,
    /// Too many inodes in use.
    NoInodes,
}

/// An in-memory inode (a slot of the table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ino(usize);

struct MemInode {
    inum: u32,
    refs: u32,
    valid: bool,
    locked: bool,
    /// Someone sleeps until the inode is unlocked: only then does unlocking it wake anyone
    /// (as the buffer cache's `wanted`; every unlock used to scan the process table).
    wanted: bool,
    d: Inode,
}

struct Table {
    sb: Option<Superblock>,
    inodes: Vec<MemInode>,
    /// Inode number → slot, for every slot in use (referenced): a lookup is a few compares,
    /// not a scan of the table (which was a seventh of an `open`).
    index: BTreeMap<u32, usize>,
    /// The slots nobody references.
    free: Vec<usize>,
}

static ITABLE: Spinlock<Table> = Spinlock::new(
    "itable",
    Table { sb: None, inodes: Vec::new(), index: BTreeMap::new(), free: Vec::new() },
);

fn sb() -> Superblock {
    ITABLE.lock().sb.expect("file system not mounted")
}

/// Blocks in the mounted file system.
pub fn blocks() -> u32 {
    sb().blocks
}

fn chan(ip: Ino) -> usize {
    core::ptr::addr_of!(ITABLE) as usize + 1 + ip.0
}

/// Reads the superblock of disk 0 (boot). Returns false if there is no dux file system.
pub fn mount() -> bool {
    let b = bio::bread(1);
    let sb = Superblock::decode(b.data());
    bio::brelse(b);
    let mut t = ITABLE.lock();
    t.sb = sb;
    for _ in 0..NINODE {
        t.inodes.push(MemInode {
            inum: 0,
            refs: 0,
            valid: false,
            locked: false,
            wanted: false,
            d: Inode::default(),
        });
    }
    t.free = (0..NINODE).rev().collect();
    sb.is_some()
}

/// The in-memory inode for `inum` (not locked; reference counted).
pub fn iget(inum: u32) -> Result<Ino, FsError> {
    let mut t = ITABLE.lock();
    if let Some(&i) = t.index.get(&inum) {
        t.inodes[i].refs += 1;
        return Ok(Ino(i));
    }
    let i = t.free.pop().ok_or(FsError::NoInodes)?;
    t.index.insert(inum, i);
    let m = &mut t.inodes[i];
    m.inum = inum;
    m.refs = 1;
    m.valid = false;
    Ok(Ino(i))
}

/// Another reference to an in-memory inode.
pub fn idup(ip: Ino) -> Ino {
    ITABLE.lock().inodes[ip.0].refs += 1;
    ip
}

/// Locks the inode (reading it from disk the first time).
pub fn ilock(ip: Ino) {
    let mut t = ITABLE.lock();
    while t.inodes[ip.0].locked {
        t.inodes[ip.0].wanted = true;
        t = proc::sleep(chan(ip), t);
    }
    t.inodes[ip.0].locked = true;
    if !t.inodes[ip.0].valid {
        let inum = t.inodes[ip.0].inum;
        let sb = t.sb.expect("mounted");
        drop(t);
        let (blk, off) = sb.inode_location(inum);
        let b = bio::bread(blk);
        let d = Inode::decode(&b.data()[off..off + INODE_BYTES]);
        bio::brelse(b);
        let mut t = ITABLE.lock();
        t.inodes[ip.0].d = d;
        t.inodes[ip.0].valid = true;
    }
}

/// Unlocks the inode.
pub fn iunlock(ip: Ino) {
    let wanted = {
        let mut t = ITABLE.lock();
        t.inodes[ip.0].locked = false;
        core::mem::take(&mut t.inodes[ip.0].wanted)
    };
    if wanted {
        proc::wakeup(chan(ip));
    }
}

/// Drops a reference; the last reference to an unlinked inode frees it and its blocks.
pub fn iput(ip: Ino) {
    let t = ITABLE.lock();
    let m = &t.inodes[ip.0];
    let free_it = m.refs == 1 && m.valid && m.d.nlink == 0;
    drop(t);
    if free_it {
        ilock(ip);
        itrunc(ip);
        set(ip, |d| d.kind = kind::FREE);
        iupdate(ip);
        iunlock(ip);
    }
    let mut t = ITABLE.lock();
    let m = &mut t.inodes[ip.0];
    m.refs -= 1;
    if m.refs == 0 {
        let inum = m.inum;
        t.index.remove(&inum);
        t.free.push(ip.0);
    }
}

/// A copy of the locked inode's on-disk fields.
pub fn get(ip: Ino) -> Inode {
    ITABLE.lock().inodes[ip.0].d
}

/// Changes the locked inode's fields (in memory; [`iupdate`] writes them).
pub fn set(ip: Ino, f: impl FnOnce(&mut Inode)) {
    f(&mut ITABLE.lock().inodes[ip.0].d);
}

/// The inode number.
pub fn inum(ip: Ino) -> u32 {
    ITABLE.lock().inodes[ip.0].inum
}

/// Writes the locked inode to its disk block.
pub fn iupdate(ip: Ino) {
    let (inum, d) = {
        let t = ITABLE.lock();
        (t.inodes[ip.0].inum, t.inodes[ip.0].d)
    };
    let (blk, off) = sb().inode_location(inum);
    let b = bio::bread(blk);
    d.encode(&mut b.data_mut()[off..off + INODE_BYTES]);
    bio::bwrite(&b);
    bio::brelse(b);
}

/// Where the next inode search starts (a hint: allocation itself is decided under the inode
/// block's buffer lock).
static INODE_ROTOR: AtomicU32 = AtomicU32::new(0);
/// Where the next block search starts (a hint, as [`INODE_ROTOR`]).
static BLOCK_ROTOR: AtomicU32 = AtomicU32::new(0);

/// A new inode of `k`, returned referenced (not locked).
pub fn ialloc(k: u16) -> Result<Ino, FsError> {
    let sb = sb();
    let start = INODE_ROTOR.load(Ordering::Relaxed).clamp(ROOT_INUM, sb.inodes);
    for (from, to) in [(start, sb.inodes), (ROOT_INUM, start)] {
        let mut inum = from;
        while inum < to {
            // One buffer per inode block, every inode of it looked at.
            let (blk, _) = sb.inode_location(inum);
            let b = bio::bread(blk);
            while inum < to && sb.inode_location(inum).0 == blk {
                let (_, off) = sb.inode_location(inum);
                if inode_kind(&b.data()[off..off + INODE_BYTES]) == kind::FREE {
                    let fresh = Inode { kind: k, ..Inode::default() };
                    fresh.encode(&mut b.data_mut()[off..off + INODE_BYTES]);
                    bio::bwrite(&b);
                    bio::brelse(b);
                    INODE_ROTOR.store(inum + 1, Ordering::Relaxed);
                    // Read again at the first ilock: the slot may be the one the inode's last
                    // `iput` is still letting go of, holding the freed inode.
                    let ip = iget(inum)?;
                    ITABLE.lock().inodes[ip.0].valid = false;
                    return Ok(ip);
                }
                inum += 1;
            }
            bio::brelse(b);
        }
    }
    Err(FsError::NoSpace)
}

fn balloc() -> Result<u32, FsError> {
    let sb = sb();
    let start = BLOCK_ROTOR.load(Ordering::Relaxed).clamp(sb.data_start, sb.blocks);
    for (from, to) in [(start, sb.blocks), (sb.data_start, start)] {
        let mut blk = from;
        while blk < to {
            let (bb, _) = sb.bitmap_location(blk);
            let b = bio::bread(bb);
            let data = b.data_mut();
            while blk < to && sb.bitmap_location(blk).0 == bb {
                let (_, bit) = sb.bitmap_location(blk);
                if bit % 8 == 0 && data[bit / 8] == 0xFF && blk + 8 <= to {
                    // Eight blocks in use: the whole byte at once.
                    blk += 8;
                    continue;
                }
                if data[bit / 8] & (1 << (bit % 8)) == 0 {
                    data[bit / 8] |= 1 << (bit % 8);
                    bio::bwrite(&b);
                    bio::brelse(b);
                    BLOCK_ROTOR.store(blk + 1, Ordering::Relaxed);
                    zero_block(blk);
                    return Ok(blk);
                }
                blk += 1;
            }
            bio::brelse(b);
        }
    }
    Err(FsError::NoSpace)
}

fn bfree(blk: u32) {
    let (bb, bit) = sb().bitmap_location(blk);
    let b = bio::bread(bb);
    b.data_mut()[bit / 8] &= !(1 << (bit % 8));
    bio::bwrite(&b);
    bio::brelse(b);
}

fn zero_block(blk: u32) {
    let b = bio::bzero(blk);
    bio::bwrite(&b);
    bio::brelse(b);
}

fn word(b: &BufRef, i: usize) -> u32 {
    let d = b.data();
    u32::from_le_bytes([d[4 * i], d[4 * i + 1], d[4 * i + 2], d[4 * i + 3]])
}

fn set_word(b: &BufRef, i: usize, v: u32) {
    b.data_mut()[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
}

/// Entry `i` of indirect block `blk`, allocating a block there if `alloc` and it is empty.
fn indirect_entry(blk: u32, i: usize, alloc: bool) -> Result<u32, FsError> {
    if let Some(v) = bio::cached_word(blk, i).filter(|&v| v != 0 || !alloc) {
        return Ok(v);
    }
    let b = bio::bread(blk);
    let mut v = word(&b, i);
    if v == 0 && alloc {
        match balloc() {
            Ok(n) => {
                v = n;
                set_word(&b, i, v);
                bio::bwrite(&b);
            }
            Err(e) => {
                bio::brelse(b);
                return Err(e);
            }
        }
    }
    bio::brelse(b);
    Ok(v)
}

/// The disk block holding block `n` of the locked inode; allocates it (and any indirect
/// block) if `alloc`. Returns 0 for a hole when not allocating.
fn bmap(ip: Ino, n: usize, alloc: bool) -> Result<u32, FsError> {
    let r = block_ref(n).ok_or(FsError::TooBig)?;
    let d = get(ip);
    let ensure = |cur: u32, store: &dyn Fn(u32)| -> Result<u32, FsError> {
        if cur != 0 || !alloc {
            return Ok(cur);
        }
        let b = balloc()?;
        store(b);
        Ok(b)
    };
    match r {
        BlockRef::Direct(i) => ensure(d.direct[i], &|b| set(ip, |d| d.direct[i] = b)),
        BlockRef::Indirect(i) => {
            let ind = ensure(d.indirect, &|b| set(ip, |d| d.indirect = b))?;
            if ind == 0 { Ok(0) } else { indirect_entry(ind, i, alloc) }
        }
        BlockRef::DoubleIndirect(i, j) => {
            let dind = ensure(d.dindirect, &|b| set(ip, |d| d.dindirect = b))?;
            if dind == 0 {
                return Ok(0);
            }
            let mid = indirect_entry(dind, i, alloc)?;
            if mid == 0 { Ok(0) } else { indirect_entry(mid, j, alloc) }
        }
    }
}

/// Frees every block of the locked inode and sets its size to 0.
pub fn itrunc(ip: Ino) {
    let d = get(ip);
    for &b in d.direct.iter().filter(|&&b| b != 0) {
        bfree(b);
    }
    let free_indirect = |blk: u32, depth: u32| {
        fn walk(blk: u32, depth: u32) {
            let b = bio::bread(blk);
            let entries: Vec<u32> =
                (0..NINDIRECT).map(|i| word(&b, i)).filter(|&e| e != 0).collect();
            bio::brelse(b);
            for e in entries {
                if depth > 1 {
                    walk(e, depth - 1);
                } else {
                    bfree(e);
                }
            }
            bfree(blk);
        }
        if blk != 0 {
            walk(blk, depth);
        }
    };
    free_indirect(d.indirect, 1);
    free_indirect(d.dindirect, 2);
    set(ip, |d| {
        d.direct = [0; fsformat::NDIRECT];
        d.indirect = 0;
        d.dindirect = 0;
        d.size = 0;
    });
    iupdate(ip);
}

/// Reads from the locked inode at `off`, handing each piece to `sink(bytes, position_in_dst)`.
/// Returns the bytes read (short at end of file).
pub fn readi(
    ip: Ino,
    off: u32,
    n: u32,
    sink: &mut dyn FnMut(&[u8], u32) -> Result<(), FsError>,
) -> Result<u32, FsError> {
    let size = get(ip).size;
    if off >= size {
        return Ok(0);
    }
    let n = n.min(size - off);
    let mut done = 0;
    while done < n {
        let pos = off + done;
        let blk = bmap(ip, (pos as usize) / BLOCK, false)?;
        let at = pos as usize % BLOCK;
        let m = (BLOCK - at).min((n - done) as usize);
        if blk == 0 {
            sink(&[0u8; BLOCK][..m], done)?;
        } else {
            let b = bio::bread(blk);
            let r = sink(&b.data()[at..at + m], done);
            bio::brelse(b);
            r?;
        }
        done += m as u32;
    }
    Ok(n)
}

/// Writes into the locked inode at `off`, taking each piece from `source(dst, position)`.
pub fn writei(
    ip: Ino,
    off: u32,
    n: u32,
    source: &mut dyn FnMut(&mut [u8], u32) -> Result<(), FsError>,
) -> Result<u32, FsError> {
    let end = off.checked_add(n).ok_or(FsError::TooBig)?;
    if u64::from(end) > fsformat::MAX_FILE_BLOCKS as u64 * BLOCK as u64 {
        return Err(FsError::TooBig);
    }
    let mut done = 0;
    while done < n {
        let pos = off + done;
        let blk = bmap(ip, pos as usize / BLOCK, true)?;
        let at = pos as usize % BLOCK;
        let m = (BLOCK - at).min((n - done) as usize);
        let b = bio::bread(blk);
        let r = source(&mut b.data_mut()[at..at + m], done);
        if r.is_ok() {
            bio::bwrite(&b);
        }
        bio::brelse(b);
        r?;
        done += m as u32;
    }
    if end > get(ip).size {
        set(ip, |d| d.size = end);
    }
    iupdate(ip);
    Ok(n)
}

/// The disk block holding block `n` of the locked inode; 0 for a hole or past what the
/// inode can address (the NFS server answers a read with it).
pub fn block_of(ip: Ino, n: usize) -> u32 {
    bmap(ip, n, false).unwrap_or(0)
}

/// The disk blocks holding blocks `first..first + count` of the locked inode (0 for a hole or
/// past what the inode can address). The direct pointers come from one copy of the inode and
/// the single-indirect ones from one look at the indirect block: exec maps a program's text
/// page by page, and looking each block up on its own read the indirect block every time.
pub fn file_blocks(ip: Ino, first: usize, count: usize) -> Vec<u32> {
    let d = get(ip);
    let mut out = Vec::with_capacity(count);
    let mut indirect: Option<BufRef> = None;
    for n in first..first + count {
        let blk = match block_ref(n) {
            Some(BlockRef::Direct(i)) => d.direct[i],
            Some(BlockRef::Indirect(_)) if d.indirect == 0 => 0,
            Some(BlockRef::Indirect(i)) => {
                let b = indirect.get_or_insert_with(|| bio::bread(d.indirect));
                word(b, i)
            }
            Some(BlockRef::DoubleIndirect(..)) => block_of(ip, n),
            None => 0,
        };
        out.push(blk);
    }
    if let Some(b) = indirect {
        bio::brelse(b);
    }
    out
}

/// Reads the whole locked inode into a vector (directories, small files).
pub fn read_all(ip: Ino) -> Result<Vec<u8>, FsError> {
    let size = get(ip).size;
    let mut v = alloc::vec![0u8; size as usize];
    readi(ip, 0, size, &mut |chunk, at| {
        v[at as usize..at as usize + chunk.len()].copy_from_slice(chunk);
        Ok(())
    })?;
    Ok(v)
}

/// Looks `name` up in the locked directory `dp`: its inode number and entry offset.
pub fn dirlookup(dp: Ino, name: &[u8]) -> Result<Option<(u32, u32)>, FsError> {
    let mut found = None;
    scan_dir(dp, &mut |e, off| {
        found = dirent_matches(e, name).map(|inum| (inum, off));
        found.is_some()
    })?;
    Ok(found)
}

/// Calls `f` with each entry of directory `dp` and its offset, in order, until `f` returns
/// true; returns the directory's size. Entry by entry in the buffers themselves (no copy of
/// the directory): entries never straddle a block.
fn scan_dir(dp: Ino, f: &mut dyn FnMut(&[u8], u32) -> bool) -> Result<u32, FsError> {
    let d = get(dp);
    if d.kind != kind::DIR {
        return Err(FsError::NotDir);
    }
    const _: () = assert!(BLOCK % DIRENT_BYTES == 0);
    let mut done = false;
    readi(dp, 0, d.size, &mut |chunk, at| {
        for (k, e) in chunk.chunks_exact(DIRENT_BYTES).enumerate() {
            if done {
                break;
            }
            done = f(e, at + (k * DIRENT_BYTES) as u32);
        }
        Ok(())
    })?;
    Ok(d.size)
}

/// Adds `name` → `inum` to the locked directory `dp`.
pub fn dirlink(dp: Ino, name: &[u8], inum: u32) -> Result<(), FsError> {
    if name.len() > NAME_MAX {
        return Err(FsError::NameTooLong);
    }
    // One pass over the entries: is the name there, and the first free slot.
    let (mut exists, mut free) = (false, None);
    let size = scan_dir(dp, &mut |e, off| {
        exists |= dirent_matches(e, name).is_some();
        if free.is_none() && dirent_inum(e) == 0 {
            free = Some(off);
        }
        false
    })?;
    if exists {
        return Err(FsError::Exists);
    }
    let slot = free.unwrap_or(size);
    let mut e = [0u8; DIRENT_BYTES];
    dirent_encode(&mut e, inum, name);
    writei(dp, slot, DIRENT_BYTES as u32, &mut |dst, at| {
        dst.copy_from_slice(&e[at as usize..at as usize + dst.len()]);
        Ok(())
    })?;
    Ok(())
}

/// Splits a path into its components.
fn components(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.split(|&c| c == b'/').filter(|s| !s.is_empty())
}

/// The inode of `path` (relative to directory `cwd` unless absolute), referenced.
pub fn namei(path: &[u8], cwd: u32) -> Result<Ino, FsError> {
    let mut ip = iget(if path.first() == Some(&b'/') { ROOT_INUM } else { cwd })?;
    for name in components(path) {
        if name.len() > NAME_MAX {
            iput(ip);
            return Err(FsError::NameTooLong);
        }
        let dir = inum(ip);
        let next = match dnlc::lookup(dir, name) {
            Some(inum) => Ok(Some((inum, 0))),
            None => {
                ilock(ip);
                let found = dirlookup(ip, name);
                // Entered under the directory's lock, which removing a name takes too: a name
                // removed after our search is purged after we enter it, never before.
                if let Ok(Some((inum, _))) = found {
                    dnlc::enter(dir, name, inum);
                }
                iunlock(ip);
                found
            }
        };
        iput(ip);
        let (inum, _) = next?.ok_or(FsError::NotFound)?;
        ip = iget(inum)?;
    }
    Ok(ip)
}

/// The parent directory of `path` (referenced) and the last component.
pub fn nameiparent<'a>(path: &'a [u8], cwd: u32) -> Result<(Ino, &'a [u8]), FsError> {
    let trimmed = path.strip_suffix(b"/").unwrap_or(path);
    let (dir, name) = match trimmed.iter().rposition(|&c| c == b'/') {
        Some(0) => (&b"/"[..], &trimmed[1..]),
        Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
        None => (&b""[..], trimmed),
    };
    if name.is_empty() {
        return Err(FsError::Exists);
    }
    if name.len() > NAME_MAX {
        return Err(FsError::NameTooLong);
    }
    let dp = if dir.is_empty() { iget(cwd)? } else { namei(dir, cwd)? };
    Ok((dp, name))
}

/// Creates `path` as a new `k` (file or directory); for files, an existing file is returned
/// instead. The result is referenced and locked.
pub fn create(path: &[u8], cwd: u32, k: u16) -> Result<Ino, FsError> {
    let (dp, name) = nameiparent(path, cwd)?;
    ilock(dp);
    let found = dirlookup(dp, name);
    match found {
        Err(e) => {
            iunlock(dp);
            iput(dp);
            return Err(e);
        }
        Ok(Some((inum, _))) => {
            iunlock(dp);
            iput(dp);
            let ip = iget(inum)?;
            ilock(ip);
            if k == kind::FILE && get(ip).kind == kind::FILE {
                return Ok(ip);
            }
            iunlock(ip);
            iput(ip);
            return Err(FsError::Exists);
        }
        Ok(None) => {}
    }
    let ip = match ialloc(k) {
        Ok(ip) => ip,
        Err(e) => {
            iunlock(dp);
            iput(dp);
            return Err(e);
        }
    };
    ilock(ip);
    set(ip, |d| d.nlink = 1);
    iupdate(ip);
    let me = inum(ip);
    let parent = inum(dp);
    let mut r = Ok(());
    if k == kind::DIR {
        r = dirlink(ip, b".", me).and_then(|_| dirlink(ip, b"..", parent));
        if r.is_ok() {
            set(dp, |d| d.nlink += 1);
            iupdate(dp);
        }
    }
    let r = r.and_then(|_| dirlink(dp, name, me));
    iunlock(dp);
    iput(dp);
    if let Err(e) = r {
        set(ip, |d| d.nlink = 0);
        iupdate(ip);
        iunlock(ip);
        iput(ip);
        return Err(e);
    }
    Ok(ip)
}

/// Removes the directory entry `path` (an empty directory, or a file).
pub fn unlink(path: &[u8], cwd: u32) -> Result<(), FsError> {
    let (dp, name) = nameiparent(path, cwd)?;
    if name == b"." || name == b".." {
        iput(dp);
        return Err(FsError::NotFound);
    }
    ilock(dp);
    let r = (|| {
        let (inum, off) = dirlookup(dp, name)?.ok_or(FsError::NotFound)?;
        let ip = iget(inum)?;
        ilock(ip);
        let d = get(ip);
        if d.kind == kind::DIR {
            let data = read_all(ip)?;
            let used = data.chunks(DIRENT_BYTES).filter(|e| dirent_decode(e).0 != 0).count();
            if used > 2 {
                iunlock(ip);
                iput(ip);
                return Err(FsError::NotEmpty);
            }
        }
        dnlc::purge(inum);
        let zero = [0u8; DIRENT_BYTES];
        writei(dp, off, DIRENT_BYTES as u32, &mut |dst, at| {
            dst.copy_from_slice(&zero[at as usize..at as usize + dst.len()]);
            Ok(())
        })?;
        if d.kind == kind::DIR {
            set(dp, |d| d.nlink -= 1);
            iupdate(dp);
        }
        set(ip, |d| d.nlink -= 1);
        iupdate(ip);
        iunlock(ip);
        iput(ip);
        Ok(())
    })();
    iunlock(dp);
    iput(dp);
    r
}
