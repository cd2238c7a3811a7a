//! The global allocator, over the program break (`sbrk`).
//!
//! - **Small blocks** (up to 128 KB) come in power-of-two size classes from 16 bytes. A freed
//!   block goes on its class's free list and is the first reused. A block of size 2^k starts at
//!   a multiple of min(2^k, 4 KB), so any request of its class is aligned enough.
//! - **Large blocks** are whole pages. Freed ones go on one list, reused best-fit (the rest of
//!   a much larger block is split off); one freed at the top of the heap goes back to it. The
//!   block at the top grows in place, so a growing `Vec` does not copy itself each time.
//! - New memory comes from moving the break up, at least 64 KB at a time; it is never given
//!   back. The kernel's demand-zero pages make untouched memory free.
//!
//! A [`Mutex`] makes it safe for threads. Requests aligned to more than a page are served but
//! never reused.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr;

use crate::sync::Mutex;
use crate::syscall;

const PAGE: usize = 4096;
const MIN_SHIFT: u32 = 4;
const SMALL_MAX: usize = 128 * 1024;
const CLASSES: usize = (SMALL_MAX.trailing_zeros() - MIN_SHIFT + 1) as usize;
const STEP: usize = 64 * 1024;

/// The allocator's state. Free lists are threaded through the free blocks themselves: a small
/// free block holds the address of the next; a large one holds the next and its own size.
struct Heap {
    small: [usize; CLASSES],
    large: usize,
    /// Start of the untouched part of the heap.
    next: usize,
    /// The break.
    end: usize,
}

/// The global allocator.
pub struct Allocator(Mutex<Heap>);

#[global_allocator]
static ALLOCATOR: Allocator =
    Allocator(Mutex::new(Heap { small: [0; CLASSES], large: 0, next: 0, end: 0 }));

const fn round_up(x: usize, to: usize) -> usize {
    (x + to - 1) & !(to - 1)
}

/// The size class (index, block size) of a small request, or `None` if it is large.
fn class_of(layout: &Layout) -> Option<(usize, usize)> {
    let size = layout.size().max(layout.align()).max(1 << MIN_SHIFT).next_power_of_two();
    (size <= SMALL_MAX).then(|| ((size.trailing_zeros() - MIN_SHIFT) as usize, size))
}

impl Heap {
    /// `size` bytes at the top of the heap, aligned to `align`; moves the break if needed.
    fn bump(&mut self, size: usize, align: usize) -> *mut u8 {
        if self.end == 0 {
            match syscall::sbrk(0) {
                Ok(b) => (self.next, self.end) = (b, b),
                Err(_) => return ptr::null_mut(),
            }
        }
        let start = round_up(self.next, align);
        let Some(end) = start.checked_add(size) else { return ptr::null_mut() };
        if end > self.end && !self.grow(end) {
            return ptr::null_mut();
        }
        self.next = end;
        start as *mut u8
    }

    /// Moves the break to at least `upto`.
    fn grow(&mut self, upto: usize) -> bool {
        let want = round_up(upto - self.end, STEP);
        match syscall::sbrk(want as isize) {
            Ok(old) if old == self.end => {
                self.end += want;
                true
            }
            _ => false,
        }
    }

    fn alloc(&mut self, layout: Layout) -> *mut u8 {
        if layout.align() > PAGE {
            return self.bump(round_up(layout.size(), PAGE), layout.align());
        }
        if let Some((class, size)) = class_of(&layout) {
            let head = self.small[class];
            if head != 0 {
                // SAFETY: a free block of this class holds the next free block's address.
                self.small[class] = unsafe { *(head as *const usize) };
                return head as *mut u8;
            }
            return self.bump(size, size.min(PAGE));
        }
        let size = round_up(layout.size(), PAGE);
        match self.take_large(size) {
            Some(p) => p,
            None => self.bump(size, PAGE),
        }
    }

    /// The smallest free large block that holds `size` bytes, split if much bigger.
    fn take_large(&mut self, size: usize) -> Option<*mut u8> {
        let (mut best, mut best_prev, mut best_size) = (0usize, 0usize, usize::MAX);
        let (mut prev, mut at) = (0usize, self.large);
        while at != 0 {
            // SAFETY: a free large block holds [next, size].
            let (next, block) = unsafe { (*(at as *const usize), *(at as *const usize).add(1)) };
            if block >= size && block < best_size {
                (best, best_prev, best_size) = (at, prev, block);
            }
            (prev, at) = (at, next);
        }
        if best == 0 {
            return None;
        }
        // SAFETY: `best` (and `best_prev`, if any) are free large blocks.
        unsafe {
            let next = *(best as *const usize);
            if best_prev == 0 { self.large = next } else { *(best_prev as *mut usize) = next }
        }
        if best_size - size > SMALL_MAX {
            self.free_large(best + size, best_size - size);
        }
        Some(best as *mut u8)
    }

    fn free_large(&mut self, at: usize, size: usize) {
        if at + size == self.next {
            self.next = at; // the top of the heap: give it back to the bump area
            return;
        }
        // SAFETY: the block is ours and at least a page long.
        unsafe {
            *(at as *mut usize) = self.large;
            *(at as *mut usize).add(1) = size;
        }
        self.large = at;
    }

    fn dealloc(&mut self, p: *mut u8, layout: Layout) {
        if layout.align() > PAGE {
            return;
        }
        match class_of(&layout) {
            Some((class, _)) => {
                // SAFETY: the block is ours, at least 16 bytes and aligned.
                unsafe { *(p as *mut usize) = self.small[class] };
                self.small[class] = p as usize;
            }
            None => self.free_large(p as usize, round_up(layout.size(), PAGE)),
        }
    }

    /// Grows or shrinks a block in place if it can; false if it must move.
    fn resize_in_place(&mut self, p: *mut u8, layout: &Layout, new_size: usize) -> bool {
        let new = Layout::from_size_align(new_size, layout.align());
        match (class_of(layout), new.as_ref().ok().and_then(class_of)) {
            (Some((a, _)), Some((b, _))) => a == b,
            (None, None) if layout.align() <= PAGE => {
                let (old, new) = (round_up(layout.size(), PAGE), round_up(new_size, PAGE));
                if new <= old {
                    return true;
                }
                // The block at the top of the heap can simply extend.
                let at = p as usize;
                if at + old == self.next && (at + new <= self.end || self.grow(at + new)) {
                    self.next = at + new;
                    return true;
                }
                false
            }
            _ => false,
        }
    }
}

// SAFETY: blocks are handed out at most once until freed, sized and aligned as asked; the
// mutex serialises threads.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.0.lock().alloc(layout)
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        self.0.lock().dealloc(p, layout)
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if self.0.lock().resize_in_place(p, &layout, new_size) {
            return p;
        }
        // SAFETY: the new layout is valid (GlobalAlloc's contract); the copy stays within both
        // blocks.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                ptr::copy_nonoverlapping(p, new, layout.size().min(new_size));
                self.dealloc(p, layout);
            }
            new
        }
    }
}
