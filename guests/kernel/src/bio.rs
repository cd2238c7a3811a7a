//! The buffer cache: recently used disk blocks kept in memory, one 4 KB page per block.
//!
//! A block is read by a page-aligned, page-sized DMA straight into its buffer's page — the
//! shape of request Disco's copy-on-write disks turn into a shared machine page. Writes are
//! delayed: a buffer written by the file system is marked dirty and reaches the disk when the
//! buffer is reused for another block, or at [`sync`]. Each buffer has a sleep lock (one
//! process at a time uses it); the cache's spinlock guards the lookup and the LRU order.
//!
//! The cache grows with use, as IRIX's did: it starts at [`MIN_BUFS`] buffers and takes another
//! free page for each block it has not seen, up to a quarter of memory ([`limit`]), while
//! more than an eighth of memory stays free for processes; past that it reuses the least
//! recently used buffer. A workload that reads its files once and again (pmake's compiler
//! binary and headers, the database's tables) then runs with its files cached, as the paper's
//! runs did (its §5: "the files were cached"), instead of waiting for the disk at every turn;
//! one that reads little (the simulators of engineering) leaves its memory to its processes.
//!
//! exec maps the pages of a program's read-only segments straight from here ([`pin`]): the
//! process holds a reference on the buffer's page, so under Disco the machine page the disk
//! cache shares between VMs backs the program's text in every VM. Such a buffer is *mapped*.
//! Its page must never change under a running program, so the buffer lets go of it instead of
//! changing it: reused for another block, it takes a fresh page; written
//! ([`BufRef::data_mut`]), it moves to a copy. The processes keep the old page until they exit.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cell::Cell;

use fsformat::SECTORS_PER_BLOCK;

use crate::spinlock::Spinlock;
use crate::{disk, hal, kalloc, nfs, proc, stats};

/// Buffers the cache starts with (1 MB).
pub const MIN_BUFS: usize = 256;
/// Buffers the cache never grows past (64 MB), however large memory is.
pub const MAX_BUFS: usize = 16384;

struct Buf {
    block: u32,
    page: u32,
    valid: bool,
    dirty: bool,
    refs: u32,
    locked: bool,
    /// Someone sleeps until the buffer is unlocked (UNIX's B_WANTED): only then does unlocking
    /// it wake anyone. (Every unlock used to call `wakeup`, which scans the whole process
    /// table under its lock: a few hundred cycles per buffer, several per system call.)
    wanted: bool,
    last_use: u64,
    /// Processes may map the page (see [`pin`]); its count of references says if they still do.
    mapped: bool,
}

struct Cache {
    bufs: Vec<Buf>,
    /// Block → its buffer, for every buffer that holds a block: a lookup costs a few compares
    /// whatever the cache's size.
    index: BTreeMap<u32, usize>,
    clock: u64,
    /// Buffers the cache may grow to ([`limit`]).
    limit: usize,
    /// Free pages below which the cache stops growing.
    reserve: u32,
}

impl Cache {
    /// Buffer `i` was just used: the most recent for the replacement's least-recently-used
    /// choice.
    fn touch(&mut self, i: usize) {
        self.clock += 1;
        self.bufs[i].last_use = self.clock;
    }
}

static CACHE: Spinlock<Cache> = Spinlock::new(
    "bcache",
    Cache { bufs: Vec::new(), index: BTreeMap::new(), clock: 0, limit: MIN_BUFS, reserve: 0 },
);

/// Buffers the cache may hold on a machine of `pages` pages of memory: a quarter of memory,
/// between [`MIN_BUFS`] and [`MAX_BUFS`].
pub fn limit(pages: u32) -> usize {
    (pages as usize / 4).clamp(MIN_BUFS, MAX_BUFS)
}

/// Buffers in the cache now.
pub fn buffers() -> usize {
    CACHE.lock().bufs.len()
}

fn empty(page: u32) -> Buf {
    Buf {
        block: u32::MAX,
        page,
        valid: false,
        dirty: false,
        refs: 0,
        locked: false,
        wanted: false,
        last_use: 0,
        mapped: false,
    }
}

/// A locked buffer: read with [`BufRef::data`], change with [`BufRef::data_mut`], release
/// with [`brelse`].
pub struct BufRef {
    index: usize,
    /// The block it holds.
    pub block: u32,
    page: Cell<u32>,
    /// Processes may map the page: copy it before a write. Only [`pin`] sets the flag, and it
    /// needs the buffer's lock, which we hold, so the value read at [`bread`] stays true.
    mapped: Cell<bool>,
}

impl BufRef {
    /// The physical page holding the block (the NFS server sends it as a frame's payload).
    pub fn page(&self) -> u32 {
        self.page.get()
    }

    /// The block's bytes.
    pub fn data(&self) -> &[u8] {
        // SAFETY: the buffer is locked by us; its page belongs to the cache.
        unsafe {
            core::slice::from_raw_parts(hal::p2v(self.page.get()) as *const u8, fsformat::BLOCK)
        }
    }

    /// The block's bytes, to change. A page processes map (program text) is left to them and
    /// the buffer moves to a copy first: a write to the file never changes a running program.
    pub fn data_mut(&self) -> &mut [u8] {
        if self.mapped.get() {
            self.mapped.set(false);
            let old = self.page.get();
            let mut c = CACHE.lock();
            if kalloc::refcount(old) > 1 {
                let page = kalloc::alloc(kalloc::Use::BufferCache).expect("no memory for a buffer");
                // SAFETY: two whole pages in the direct map; the buffer is locked by us.
                unsafe {
                    crate::bcopy::copy(
                        hal::p2v(page) as *mut u8,
                        hal::p2v(old) as *const u8,
                        fsformat::BLOCK,
                    )
                };
                c.bufs[self.index].page = page;
                self.page.set(page);
                kalloc::set_use(old, kalloc::Use::User);
                kalloc::decref(old);
            }
            c.bufs[self.index].mapped = false;
        }
        // SAFETY: the buffer is locked by us; its page belongs to the cache and no process
        // maps it.
        unsafe {
            core::slice::from_raw_parts_mut(hal::p2v(self.page.get()) as *mut u8, fsformat::BLOCK)
        }
    }
}

/// Allocates the buffers' pages (boot).
pub fn init() {
    let total = kalloc::total_pages();
    let mut c = CACHE.lock();
    c.limit = limit(total);
    c.reserve = total / 8;
    for _ in 0..MIN_BUFS {
        let page = kalloc::alloc(kalloc::Use::BufferCache).expect("no memory for the buffer cache");
        c.bufs.push(empty(page));
    }
}

/// Unlocks buffer `i`; true if someone waits for it (the caller wakes them after dropping the
/// cache's lock).
fn unlock(c: &mut Cache, i: usize) -> bool {
    let b = &mut c.bufs[i];
    b.locked = false;
    core::mem::take(&mut b.wanted)
}

fn chan(i: usize) -> usize {
    core::ptr::addr_of!(CACHE) as usize + 1 + i
}

/// The buffer for `block`, locked, with the block's contents.
pub fn bread(block: u32) -> BufRef {
    get(block, false)
}

/// The buffer for `block`, locked, filled with zeros: for a block just allocated, whose old
/// contents are never read from the disk (UNIX's getblk and clear, not a read).
pub fn bzero(block: u32) -> BufRef {
    get(block, true)
}

fn get(block: u32, zero: bool) -> BufRef {
    let mut c = CACHE.lock();
    let i = loop {
        if let Some(&i) = c.index.get(&block) {
            c.bufs[i].refs += 1;
            while c.bufs[i].locked {
                c.bufs[i].wanted = true;
                c = proc::sleep(chan(i), c);
            }
            break i;
        }
        // Grow while memory is plentiful: a new buffer for a block not seen before.
        if c.bufs.len() < c.limit && kalloc::free_pages() > c.reserve {
            if let Some(page) = kalloc::alloc(kalloc::Use::BufferCache) {
                let i = c.bufs.len();
                c.bufs.push(Buf { block, refs: 1, ..empty(page) });
                c.index.insert(block, i);
                break i;
            }
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
            if unlock(&mut c, v) {
                proc::wakeup(chan(v));
            }
            continue;
        }
        if c.bufs[v].mapped {
            // Processes map the old block's page: it stays theirs, the buffer takes a new one.
            let old = c.bufs[v].page;
            if kalloc::refcount(old) > 1 {
                let page = kalloc::alloc(kalloc::Use::BufferCache).expect("no memory for a buffer");
                kalloc::set_use(old, kalloc::Use::User);
                kalloc::decref(old);
                c.bufs[v].page = page;
            }
            c.bufs[v].mapped = false;
        }
        let old = c.bufs[v].block;
        if old != u32::MAX {
            c.index.remove(&old);
        }
        c.index.insert(block, v);
        let b = &mut c.bufs[v];
        b.block = block;
        b.valid = false;
        b.refs = 1;
        break v;
    };
    c.bufs[i].locked = true;
    let (valid, page, mapped) = (c.bufs[i].valid, c.bufs[i].page, c.bufs[i].mapped);
    drop(c);
    if zero {
        if mapped {
            // Processes map this page: it is theirs to read, clear it in place.
            // SAFETY: the buffer is locked and its page in the direct map.
            unsafe { core::ptr::write_bytes(hal::p2v(page) as *mut u8, 0, fsformat::BLOCK) };
        } else {
            hal::zero_page(page);
        }
        CACHE.lock().bufs[i].valid = true;
    } else if valid {
        stats::count(stats::Event::BufferHit);
    } else {
        stats::count(stats::Event::BufferMiss);
        // A client of the NFS-like service reads the blocks it has not written from the server.
        if !nfs::read(block, page)
            && !disk::rw(block * SECTORS_PER_BLOCK, page, SECTORS_PER_BLOCK, false)
        {
            panic!("disk read error at block {block}");
        }
        CACHE.lock().bufs[i].valid = true;
    }
    BufRef { index: i, block, page: Cell::new(page), mapped: Cell::new(mapped) }
}

/// The page holding `block`, with a reference taken for a process that maps it read-only
/// (exec: program text). The buffer is marked mapped, so it never changes that page again.
pub fn pin(block: u32) -> u32 {
    // The common case (exec of a program whose text is cached): one look under the cache's
    // lock. A buffer nobody holds cannot change while we hold that lock: changing it takes
    // its sleep lock, which is taken under the cache's lock.
    {
        let mut c = CACHE.lock();
        if let Some(&i) = c.index.get(&block) {
            if c.bufs[i].valid && !c.bufs[i].locked {
                stats::count(stats::Event::BufferHit);
                c.touch(i);
                let b = &mut c.bufs[i];
                b.mapped = true;
                kalloc::incref(b.page);
                return b.page;
            }
        }
    }
    let b = bread(block);
    let page = b.page.get();
    kalloc::incref(page);
    CACHE.lock().bufs[b.index].mapped = true;
    brelse(b);
    page
}

/// Word `i` of `block` if the block is cached and nobody holds its buffer: read under the
/// cache's lock alone (see [`pin`]), without taking and releasing the buffer. `None`: use
/// [`bread`].
pub fn cached_word(block: u32, i: usize) -> Option<u32> {
    let mut c = CACHE.lock();
    let &k = c.index.get(&block)?;
    if !c.bufs[k].valid || c.bufs[k].locked {
        return None;
    }
    stats::count(stats::Event::BufferHit);
    c.touch(k);
    // SAFETY: a cached page in the direct map; unchanged while we hold the lock (see `pin`).
    let w = unsafe { (hal::p2v(c.bufs[k].page) as *const u32).add(i).read() };
    Some(u32::from_le(w))
}

/// Marks the buffer's block as changed (written back later).
pub fn bwrite(b: &BufRef) {
    CACHE.lock().bufs[b.index].dirty = true;
}

/// Unlocks and releases a buffer.
pub fn brelse(b: BufRef) {
    let mut c = CACHE.lock();
    c.touch(b.index);
    c.bufs[b.index].refs -= 1;
    let wanted = unlock(&mut c, b.index);
    drop(c);
    if wanted {
        proc::wakeup(chan(b.index));
    }
}

/// Writes every dirty buffer to the disk, in block order: consecutive blocks go out as one
/// sequential stream, which the disk takes without a seek between them.
pub fn sync() {
    let mut dirty: Vec<(u32, usize)> = {
        let c = CACHE.lock();
        c.bufs.iter().enumerate().filter(|(_, b)| b.dirty).map(|(i, b)| (b.block, i)).collect()
    };
    dirty.sort_unstable();
    for (block, i) in dirty {
        let mut c = CACHE.lock();
        // Reused or written meanwhile (we drop the lock for each write): nothing to do here.
        if c.bufs[i].block != block || !c.bufs[i].dirty || c.bufs[i].locked {
            continue;
        }
        c.bufs[i].locked = true;
        c.bufs[i].dirty = false;
        let page = c.bufs[i].page;
        drop(c);
        disk::rw(block * SECTORS_PER_BLOCK, page, SECTORS_PER_BLOCK, true);
        let wanted = unlock(&mut CACHE.lock(), i);
        if wanted {
            proc::wakeup(chan(i));
        }
    }
}
