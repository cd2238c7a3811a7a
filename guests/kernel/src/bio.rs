//! The buffer cache: recently used disk blocks kept in memory, one 4 KB page per block.
//!
//! A block is read by a page-aligned, page-sized DMA straight into its buffer's page — the
//! shape of request Disco's copy-on-write disks turn into a shared machine page. Writes are
//! delayed: a buffer written by the file system is marked dirty and reaches the disk when the
//! buffer is reused for another block, or at [`sync`]. Each buffer has a sleep lock (one
//! process at a time uses it); the cache's spinlock guards the lookup and the LRU order.

use alloc::vec::Vec;

use fsformat::SECTORS_PER_BLOCK;

use crate::spinlock::Spinlock;
use crate::{disk, hal, kalloc, proc, stats};

/// Buffers in the cache.
pub const NBUF: usize = 256;

struct Buf {
    block: u32,
    page: u32,
    valid: bool,
    dirty: bool,
    refs: u32,
    locked: bool,
    last_use: u64,
}

struct Cache {
    bufs: Vec<Buf>,
    clock: u64,
}

static CACHE: Spinlock<Cache> = Spinlock::new("bcache", Cache { bufs: Vec::new(), clock: 0 });

/// A locked buffer: use [`BufRef::data`], release with [`brelse`].
pub struct BufRef {
    index: usize,
    /// The block it holds.
    pub block: u32,
    page: u32,
}

impl BufRef {
    /// The block's bytes.
    pub fn data(&self) -> &mut [u8] {
        // SAFETY: the buffer is locked by us; its page belongs to the cache.
        unsafe { core::slice::from_raw_parts_mut(hal::p2v(self.page) as *mut u8, fsformat::BLOCK) }
    }
}

/// Allocates the buffers' pages (boot).
pub fn init() {
    let mut c = CACHE.lock();
    for _ in 0..NBUF {
        let page = kalloc::alloc(kalloc::Use::BufferCache).expect("no memory for the buffer cache");
        c.bufs.push(Buf {
            block: u32::MAX,
            page,
            valid: false,
            dirty: false,
            refs: 0,
            locked: false,
            last_use: 0,
        });
    }
}

fn chan(i: usize) -> usize {
    core::ptr::addr_of!(CACHE) as usize + 1 + i
}

/// The buffer for `block`, locked, with the block's contents.
pub fn bread(block: u32) -> BufRef {
    let mut c = CACHE.lock();
    let i = loop {
        if let Some(i) = c.bufs.iter().position(|b| b.block == block) {
            c.bufs[i].refs += 1;
            while c.bufs[i].locked {
                c = proc::sleep(chan(i), c);
            }
            break i;
        }
        // Reuse the least recently used idle buffer.
        let victim = c
            .bufs
            .iter()
            .enumerate()
            .filter(|(_, b)| b.refs == 0 && !b.locked)
            .min_by_key(|(_, b)| b.last_use)
            .map(|(i, _)| i);
        let Some(v) = victim else {
            panic!("buffer cache: every buffer is in use");
        };
        if c.bufs[v].dirty {
            // Write the old block out first (we hold the buffer locked meanwhile).
            let b = &mut c.bufs[v];
            b.locked = true;
            b.dirty = false;
            let (old, page) = (b.block, b.page);
            drop(c);
            disk::rw(old * SECTORS_PER_BLOCK, page, SECTORS_PER_BLOCK, true);
            c = CACHE.lock();
            c.bufs[v].locked = false;
            proc::wakeup(chan(v));
            continue;
        }
        let b = &mut c.bufs[v];
        b.block = block;
        b.valid = false;
        b.refs = 1;
        break v;
    };
    c.bufs[i].locked = true;
    let (valid, page) = (c.bufs[i].valid, c.bufs[i].page);
    drop(c);
    if valid {
        stats::count(stats::Event::BufferHit);
    } else {
        stats::count(stats::Event::BufferMiss);
        if !disk::rw(block * SECTORS_PER_BLOCK, page, SECTORS_PER_BLOCK, false) {
            panic!("disk read error at block {block}");
        }
        CACHE.lock().bufs[i].valid = true;
    }
    BufRef { index: i, block, page }
}

/// Marks the buffer's block as changed (written back later).
pub fn bwrite(b: &BufRef) {
    CACHE.lock().bufs[b.index].dirty = true;
}

/// Unlocks and releases a buffer.
pub fn brelse(b: BufRef) {
    let mut c = CACHE.lock();
    c.clock += 1;
    let clock = c.clock;
    let buf = &mut c.bufs[b.index];
    buf.locked = false;
    buf.refs -= 1;
    buf.last_use = clock;
    drop(c);
    proc::wakeup(chan(b.index));
}

/// Writes every dirty buffer to the disk.
pub fn sync() {
    for i in 0..NBUF {
        let mut c = CACHE.lock();
        if !c.bufs[i].dirty || c.bufs[i].locked {
            continue;
        }
        c.bufs[i].locked = true;
        c.bufs[i].dirty = false;
        let (block, page) = (c.bufs[i].block, c.bufs[i].page);
        drop(c);
        disk::rw(block * SECTORS_PER_BLOCK, page, SECTORS_PER_BLOCK, true);
        CACHE.lock().bufs[i].locked = false;
        proc::wakeup(chan(i));
    }
}
