//! The physical page allocator: one free list behind one global lock — IRIX's *memlock*, whose
//! contention on many CPUs is part of the story the scalability experiment tells.
//!
//! Like IRIX 5.3 the kernel knows nothing of NUMA; like the IRIX baseline of the paper, whose
//! memory was interleaved round-robin across nodes to avoid hot spots, the free list starts out
//! interleaved page by page across the nodes, so a process's pages land all over the machine.
//!
//! Each page has a reference count (copy-on-write fork shares pages); a page returns to the
//! free list when its count drops to zero. The list's links live in a per-page table, like
//! IRIX's pfdat, not in the free pages themselves: a free page is never touched, so under the
//! monitor a VM's memory gets machine pages only as the kernel actually uses it.

use core::sync::atomic::{AtomicU32, Ordering};

use crate::hal;
use crate::spinlock::Spinlock;

/// Bytes per page.
pub const PAGE: u32 = abi::segments::PAGE_BYTES;
const NONE: u32 = u32::MAX;

/// What a physical page is used for: one byte per page in the page-use table ([`use_table`]),
/// which the simulator reads for its page map, so the codes are the host's (abi's `PageUse`).
/// The kernel marks a page as it hands it out:
///
/// - [`Use::Free`]: on the free list;
/// - [`Use::Kernel`]: the kernel's image, heap, per-CPU areas and tables (at boot every page,
///   until [`init`] has put the others on the free list);
/// - [`Use::PageTable`]: a page directory or page table;
/// - [`Use::User`]: a user page (program, heap, stack, shared memory);
/// - [`Use::BufferCache`]: a buffer-cache page.
///
/// A page keeps its mark while it is shared (a copy-on-write fork, a shared-memory region) and
/// becomes free again when its last reference goes ([`decref`]); the next allocation marks it
/// anew.
pub use abi::kstats::PageUse as Use;

struct Pages {
    /// Page number of the first free page.
    head: u32,
    free: u32,
    /// Per page: the next free page after it (while it is free).
    next: &'static mut [u32],
    refs: &'static mut [u16],
    uses: &'static mut [u8],
}

static MEM: Spinlock<Pages> = Spinlock::new(
    "memlock",
    Pages { head: NONE, free: 0, next: &mut [], refs: &mut [], uses: &mut [] },
);

/// Physical address and length of the page-use table (one byte per page, a [`Use`]).
pub fn use_table() -> (u32, u32) {
    let m = MEM.lock();
    (hal::v2p(m.uses.as_ptr() as u32), m.uses.len() as u32)
}

/// Pages handed out since boot.
pub static ALLOCATED: AtomicU32 = AtomicU32::new(0);

/// The global allocator lock (for statistics).
pub fn lock_stats() -> (&'static str, u32, u32) {
    (MEM.name, MEM.acquired.load(Ordering::Relaxed), MEM.spins.load(Ordering::Relaxed))
}

/// Builds the free list from every page at or above `first_free` (physical), interleaving the
/// nodes of `node_bytes` each. The per-page tables (links, reference counts, uses) take the
/// first pages.
pub fn init(first_free: u32, memory: u32, node_bytes: u32) {
    let pages = (memory / PAGE) as usize;
    let table_bytes = (pages * 7 + 4) as u32;
    let table_pa = first_free;
    let first_free = (first_free + table_bytes).div_ceil(PAGE) * PAGE;
    // SAFETY: the tables' pages are ours (above the kernel image, below the first free page).
    let refs = unsafe { core::slice::from_raw_parts_mut(hal::p2v(table_pa) as *mut u16, pages) };
    refs.fill(u16::MAX); // not allocatable until put on the free list
    // SAFETY: as above, right after the reference counts.
    let uses = unsafe {
        core::slice::from_raw_parts_mut(hal::p2v(table_pa + 2 * pages as u32) as *mut u8, pages)
    };
    uses.fill(Use::Kernel as u8);
    // SAFETY: as above, after the uses (table_pa + 3 * pages, rounded up to a word).
    let next = unsafe {
        let pa = (table_pa + 3 * pages as u32).next_multiple_of(4);
        core::slice::from_raw_parts_mut(hal::p2v(pa) as *mut u32, pages)
    };
    let mut m = MEM.lock();
    m.refs = refs;
    m.uses = uses;
    m.next = next;
    let nodes = memory.div_ceil(node_bytes).max(1);
    let per_node = node_bytes / PAGE;
    // Push in reverse, so allocation (from the head) goes node 0, 1, 2, ... page by page.
    for i in (0..per_node).rev() {
        for n in (0..nodes).rev() {
            let pa = n * node_bytes + i * PAGE;
            if pa >= first_free && pa < memory {
                m.refs[(pa / PAGE) as usize] = 0;
                m.uses[(pa / PAGE) as usize] = Use::Free as u8;
                let head = m.head;
                m.next[(pa / PAGE) as usize] = head;
                m.head = pa / PAGE;
                m.free += 1;
            }
        }
    }
}

/// A page with reference count 1 (contents undefined), or `None` when memory is exhausted.
pub fn alloc(what: Use) -> Option<u32> {
    let mut m = MEM.lock();
    let page = m.head;
    if page == NONE {
        return None;
    }
    m.head = m.next[page as usize];
    m.free -= 1;
    let pa = page * PAGE;
    m.refs[(pa / PAGE) as usize] = 1;
    m.uses[(pa / PAGE) as usize] = what as u8;
    ALLOCATED.fetch_add(1, Ordering::Relaxed);
    Some(pa)
}

/// A zero-filled page (the HAL zeroes it: the Disco HAL asks the monitor).
pub fn alloc_zeroed(what: Use) -> Option<u32> {
    let pa = alloc(what)?;
    hal::zero_page(pa);
    Some(pa)
}

/// One more reference to an allocated page.
pub fn incref(pa: u32) {
    let mut m = MEM.lock();
    let r = &mut m.refs[(pa / PAGE) as usize];
    assert!(*r != 0 && *r != u16::MAX, "incref of a free page");
    *r += 1;
}

/// Drops a reference; the page is freed when none remain.
pub fn decref(pa: u32) {
    release(&mut MEM.lock(), pa);
}

/// Drops a reference to each of `pages`, taking the memory lock once for all of them (an
/// address space freed at exit or exec gives back hundreds of pages; a lock round trip each
/// was a fifth of the work).
pub fn decref_all(pages: &[u32]) {
    let mut m = MEM.lock();
    for &pa in pages {
        release(&mut m, pa);
    }
}

fn release(m: &mut Pages, pa: u32) {
    let i = (pa / PAGE) as usize;
    assert!(m.refs[i] != 0 && m.refs[i] != u16::MAX, "decref of a free page");
    m.refs[i] -= 1;
    if m.refs[i] == 0 {
        m.uses[i] = Use::Free as u8;
        let head = m.head;
        m.next[i] = head;
        m.head = i as u32;
        m.free += 1;
    }
}

/// Marks what an allocated page is used for now (a buffer page left to the processes that
/// map it becomes a user page).
pub fn set_use(pa: u32, what: Use) {
    MEM.lock().uses[(pa / PAGE) as usize] = what as u8;
}

/// References to an allocated page.
pub fn refcount(pa: u32) -> u16 {
    MEM.lock().refs[(pa / PAGE) as usize]
}

/// Pages of physical memory, the kernel's own included.
pub fn total_pages() -> u32 {
    MEM.lock().uses.len() as u32
}

/// Pages on the free list.
pub fn free_pages() -> u32 {
    MEM.lock().free
}
