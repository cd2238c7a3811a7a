//! The kernel heap (`alloc`'s `Box`, `Vec`, `Arc`): a linked-list allocator over a static
//! region, behind a spinlock. Page-sized memory (page tables, kernel stacks, buffers) comes
//! from the page allocator instead.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;

use linked_list_allocator::Heap;

use crate::spinlock::Spinlock;

/// Bytes of kernel heap.
const HEAP_BYTES: usize = 2 << 20;

#[repr(align(4096))]
#[allow(dead_code)] // only its address is used
struct Region([u8; HEAP_BYTES]);

static mut REGION: Region = Region([0; HEAP_BYTES]);

struct KernelHeap(Spinlock<Heap>);

#[global_allocator]
static HEAP: KernelHeap = KernelHeap(Spinlock::new("heap", Heap::empty()));

/// Hands the static region to the allocator (once, on CPU 0, before any allocation).
pub fn init() {
    // SAFETY: called once at boot before any other use of REGION.
    unsafe { HEAP.0.lock().init(core::ptr::addr_of_mut!(REGION).cast(), HEAP_BYTES) };
}

// SAFETY: the lock serialises every use of the heap.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.0.lock().allocate_first_fit(layout).map_or(core::ptr::null_mut(), |p| p.as_ptr())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(p) = NonNull::new(ptr) {
            // SAFETY: `ptr` came from `alloc` with this layout.
            unsafe { self.0.lock().deallocate(p, layout) };
        }
    }
}
