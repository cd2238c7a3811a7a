//! The global allocator: a bump allocator over the program break (`brk`).
//!
//! Memory is handed out upwards from the initial break, which is moved up in 64 KB steps as
//! needed. Freeing the most recent block gives it back, and growing the most recent block
//! happens in place, so a growing `Vec` or `String` does not leave copies behind; everything
//! else is never reused. Plenty for short test programs, and entirely deterministic.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

use crate::sys;

/// How far the break moves at a time.
const STEP: usize = 0x1_0000;

/// The allocator's state: the next free byte and the current break.
pub struct BrkHeap {
    next: Cell<usize>,
    end: Cell<usize>,
}

// SAFETY: the programs are single-threaded; nothing runs concurrently with the allocator.
unsafe impl Sync for BrkHeap {}

#[global_allocator]
static HEAP: BrkHeap = BrkHeap { next: Cell::new(0), end: Cell::new(0) };

impl BrkHeap {
    /// Makes sure the break is at least `upto`; false if the kernel refuses.
    fn reach(&self, upto: usize) -> bool {
        if upto <= self.end.get() {
            return true;
        }
        let want = match upto.checked_add(STEP - 1) {
            Some(v) => v & !(STEP - 1),
            None => return false,
        };
        let got = sys::brk(want);
        if got < want {
            return false;
        }
        self.end.set(got);
        true
    }
}

unsafe impl GlobalAlloc for BrkHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.end.get() == 0 {
            let start = sys::brk(0);
            self.next.set(start);
            self.end.set(start);
        }
        let align = layout.align();
        let Some(start) = self.next.get().checked_add(align - 1).map(|v| v & !(align - 1)) else {
            return core::ptr::null_mut();
        };
        let Some(end) = start.checked_add(layout.size()) else {
            return core::ptr::null_mut();
        };
        if !self.reach(end) {
            return core::ptr::null_mut();
        }
        self.next.set(end);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize + layout.size() == self.next.get() {
            self.next.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let start = ptr as usize;
        if start + layout.size() == self.next.get() {
            if let Some(end) = start.checked_add(new_size) {
                if self.reach(end) {
                    self.next.set(end);
                    return ptr;
                }
            }
        }
        if new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: the new layout has the old alignment and a non-zero size (it is larger than
        // the old one); copying the old size is in bounds of both blocks.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size());
            }
            new
        }
    }
}
