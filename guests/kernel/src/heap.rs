//! The kernel heap (`alloc`'s `Box`, `Vec`, `Arc`): a linked-list allocator over a static
//! region, behind a spinlock, with small blocks kept in size classes. Page-sized memory (page
//! tables, kernel stacks, buffers) comes from the page allocator instead.
//!
//! A block of up to 1 KB is rounded up to its size class (16, 32 … 1024 bytes) and, when
//! freed, goes on its class's free list, from which the next request of that class takes it
//! in a few instructions — IRIX's kernel memory zones. Without them every allocation walked the
//! linked list's holes first-fit: a fifth of an `exec`, which builds a handful of small
//! vectors. Larger blocks go to the linked list as before. A class's blocks stay in the class.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::NonNull;

use linked_list_allocator::Heap;

use crate::spinlock::Spinlock;

/// Bytes of kernel heap.
const HEAP_BYTES: usize = 2 << 20;

/// The size classes (bytes): each a power of two, the largest [`ZONE_MAX`].
const ZONES: usize = 7;
/// The largest block served from a size class.
const ZONE_MAX: usize = 16 << (ZONES - 1);
/// The alignment every class's blocks have (their size's, at least 16).
const ZONE_ALIGN: usize = 16;

#[repr(align(4096))]
#[allow(dead_code)] // only its address is used
struct Region([u8; HEAP_BYTES]);

static mut REGION: Region = Region([0; HEAP_BYTES]);

struct Kmem {
    heap: Heap,
    /// Each class's first free block (0: none); a free block's first word is the next one's.
    free: [usize; ZONES],
}

struct KernelHeap(Spinlock<Kmem>);

#[global_allocator]
static HEAP: KernelHeap =
    KernelHeap(Spinlock::new("heap", Kmem { heap: Heap::empty(), free: [0; ZONES] }));

/// Hands the static region to the allocator (once, on CPU 0, before any allocation).
pub fn init() {
    // SAFETY: called once at boot before any other use of REGION.
    unsafe { HEAP.0.lock().heap.init(core::ptr::addr_of_mut!(REGION).cast(), HEAP_BYTES) };
}

/// The size class of `layout`, if it has one.
fn zone(layout: Layout) -> Option<usize> {
    if layout.size() > ZONE_MAX || layout.align() > ZONE_ALIGN {
        return None;
    }
    let size = layout.size().max(16).next_power_of_two();
    Some(size.trailing_zeros() as usize - 4)
}

// SAFETY: the lock serialises every use of the heap and the free lists.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut k = self.0.lock();
        let layout = match zone(layout) {
            Some(z) => {
                let head = k.free[z];
                if head != 0 {
                    // SAFETY: a block of this class we handed out and got back: its first
                    // word links the list.
                    k.free[z] = unsafe { *(head as *const usize) };
                    return head as *mut u8;
                }
                Layout::from_size_align(16 << z, ZONE_ALIGN).unwrap_or(layout)
            }
            None => layout,
        };
        k.heap.allocate_first_fit(layout).map_or(core::ptr::null_mut(), |p| p.as_ptr())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let Some(p) = NonNull::new(ptr) else { return };
        let mut k = self.0.lock();
        match zone(layout) {
            Some(z) => {
                // SAFETY: the block is at least 16 bytes, aligned, and ours again.
                unsafe { *(ptr as *mut usize) = k.free[z] };
                k.free[z] = ptr as usize;
            }
            // SAFETY: `ptr` came from `alloc` with this layout (no class: the linked list).
            None => unsafe { k.heap.deallocate(p, layout) },
        }
    }
}
