//! The heap: a bump allocator over the guest-physical memory between the end of the image and
//! the VCPUs' stacks, reached through the supervisor segment.
//!
//! SPLASHOS has no virtual memory of its own: an address of the heap *is* a guest-physical
//! address (plus 0xC000_0000), and the first access to each page faults to the monitor, which
//! allocates a zeroed machine page on the node of the physical CPU that touched it. So the
//! allocator must not touch what it hands out: memory above the high-water mark has never been
//! handed out and is known to be zero, and `alloc_zeroed` does not write it — the thread that
//! first uses a part of a large zeroed array is the one whose node gets its pages. Large blocks
//! (a page or more) start on an 8 KB boundary, since the monitor maps the segment in even/odd
//! page pairs and places both pages of a pair where the first of them is touched.
//!
//! A program like radix allocates its arrays once and frees little; a freed block at the top of
//! the heap is given back to it, anything else is kept.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr;

use crate::sync::SpinLock;

struct Heap {
    /// First free byte.
    next: usize,
    /// End of the heap.
    end: usize,
    /// Everything at or above this was never handed out (so it is still zero).
    high: usize,
}

/// The global allocator.
pub struct Allocator(SpinLock<Heap>);

#[global_allocator]
static ALLOCATOR: Allocator = Allocator(SpinLock::new(Heap { next: 0, end: 0, high: 0 }));

/// Blocks of at least this size are aligned to a page pair.
const LARGE: usize = 4096;

/// Makes `[start, end)` the heap (virtual addresses in the supervisor segment).
pub fn init(start: usize, end: usize) {
    let mut h = ALLOCATOR.0.lock();
    *h = Heap { next: start, end, high: start };
}

/// Bytes not yet handed out.
pub fn free_bytes() -> usize {
    let h = ALLOCATOR.0.lock();
    h.end - h.next
}

impl Heap {
    /// Hands out a block; also returns the old high-water mark.
    fn take(&mut self, layout: Layout) -> Option<(usize, usize)> {
        let align =
            if layout.size() >= LARGE { layout.align().max(2 * LARGE) } else { layout.align() };
        let start = self.next.checked_add(align - 1)? & !(align - 1);
        let end = start.checked_add(layout.size().max(1))?;
        if end > self.end {
            return None;
        }
        let high = self.high;
        self.next = end;
        self.high = self.high.max(end);
        Some((start, high))
    }
}

// SAFETY: blocks are handed out once (a block is only reused after it was freed at the top of
// the heap), aligned as asked, and inside the heap.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.0.lock().take(layout) {
            Some((p, _)) => p as *mut u8,
            None => ptr::null_mut(),
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let Some((p, high)) = self.0.lock().take(layout) else { return ptr::null_mut() };
        // Only the part below the old high-water mark may hold old data.
        if p < high {
            let n = (high - p).min(layout.size());
            // SAFETY: the block is ours and at least `n` bytes long.
            unsafe { ptr::write_bytes(p as *mut u8, 0, n) };
        }
        p as *mut u8
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        let mut h = self.0.lock();
        if p as usize + layout.size().max(1) == h.next {
            h.next = p as usize;
        }
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        {
            // The block at the top grows (or shrinks) in place.
            let mut h = self.0.lock();
            let start = p as usize;
            if start + layout.size().max(1) == h.next
                && let Some(end) = start.checked_add(new_size.max(1))
                && end <= h.end
            {
                h.next = end;
                h.high = h.high.max(end);
                return p;
            }
        }
        // SAFETY: the caller's contract, passed on.
        let new =
            unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, layout.align())) };
        if !new.is_null() {
            // SAFETY: both blocks are valid for the smaller size and do not overlap.
            unsafe {
                ptr::copy_nonoverlapping(p, new, layout.size().min(new_size));
                self.dealloc(p, layout);
            }
        }
        new
    }
}
