//! The directory name lookup cache (DNLC, as SVR4 and IRIX call it): the inode number each
//! recently looked-up name in a directory stands for, so that `namei` finds a path's
//! components without locking each directory and searching its entries.
//!
//! pmake opens the same headers, compiler passes and object files again and again; without
//! the cache each open searched every directory of the path entry by entry through the buffer
//! cache (an `open` took 147 µs, IRIX's 42). IRIX's kernel has had this cache since SVR4.
//!
//! The cache holds only names that exist (no negative entries), so creating a file needs no
//! change here. Removing a name does ([`purge`]): the entry would otherwise outlive the file.
//! It is direct-mapped and fixed in size: an entry is found by one hash and one compare, and
//! a newer name simply takes the slot of an older one. Its own spinlock guards it. A name is
//! entered while its directory is locked and purged while the directory is locked (`unlink`),
//! so an entry never outlives its name; a lookup's answer may still go stale as soon as the
//! lock is dropped, exactly as the directory search's answer could between unlocking the
//! directory and taking the inode, and callers treat it the same.

use fsformat::NAME_MAX;

use crate::spinlock::Spinlock;

/// Slots (a power of two).
const SLOTS: usize = 512;

#[derive(Clone, Copy)]
struct Entry {
    /// The directory's inode number (0: the slot is empty).
    dir: u32,
    /// The inode number the name stands for.
    inum: u32,
    len: u8,
    name: [u8; NAME_MAX],
}

const EMPTY: Entry = Entry { dir: 0, inum: 0, len: 0, name: [0; NAME_MAX] };

static CACHE: Spinlock<[Entry; SLOTS]> = Spinlock::new("dnlc", [EMPTY; SLOTS]);

/// The slot of `name` in directory `dir` (FNV-1a over both).
fn slot(dir: u32, name: &[u8]) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    for &b in dir.to_le_bytes().iter().chain(name) {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    (h as usize) & (SLOTS - 1)
}

/// The inode number `name` stands for in directory `dir`, if the cache knows it.
pub fn lookup(dir: u32, name: &[u8]) -> Option<u32> {
    if name.len() > NAME_MAX {
        return None;
    }
    let c = CACHE.lock();
    let e = &c[slot(dir, name)];
    (e.dir == dir && dir != 0 && &e.name[..usize::from(e.len)] == name).then_some(e.inum)
}

/// Remembers that `name` in directory `dir` is inode `inum` (just found by a directory search).
pub fn enter(dir: u32, name: &[u8], inum: u32) {
    if name.len() > NAME_MAX || dir == 0 {
        return;
    }
    let mut e = Entry { dir, inum, len: name.len() as u8, name: [0; NAME_MAX] };
    e.name[..name.len()].copy_from_slice(name);
    CACHE.lock()[slot(dir, name)] = e;
}

/// Forgets every name for inode `inum` and, if it is a directory, every name in it (its name
/// is being removed; the inode number may soon stand for another file).
pub fn purge(inum: u32) {
    for e in CACHE.lock().iter_mut() {
        if e.dir == inum || e.inum == inum {
            *e = EMPTY;
        }
    }
}
