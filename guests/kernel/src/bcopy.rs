//! The kernel's block copy (UNIX's `bcopy`): the copies between user memory and the buffer
//! cache that `read` and `write` make, and the page copies of copy-on-write, exec and the
//! buffer cache.
//!
//! Eight words a turn when source and destination are word-aligned alike, as kernels' copy
//! routines are written (IRIX's `bcopy` is hand-scheduled assembly): the generic `memcpy`
//! this kernel links copies one word per turn in six instructions, so a 4 KB copy took about
//! 6 000 instructions, 30 µs — a third of an 8 KB `write`. Here it is about 2 600. Volatile
//! accesses, so that the compiler cannot fold the loop back into a `memcpy` call.

use core::ptr::{read_volatile, write_volatile};

/// Copies `src` into `dst` (slices of the same length).
#[inline]
pub fn bcopy(dst: &mut [u8], src: &[u8]) {
    assert_eq!(dst.len(), src.len(), "bcopy: lengths differ");
    // SAFETY: two distinct slices (one is borrowed mutably) of `src.len()` bytes.
    unsafe { copy(dst.as_mut_ptr(), src.as_ptr(), src.len()) }
}

/// Copies `n` bytes from `src` to `dst`.
///
/// # Safety
/// Both ranges are valid for `n` bytes and do not overlap.
pub unsafe fn copy(dst: *mut u8, src: *const u8, n: usize) {
    // Short copies, or ones whose alignments differ (word loads would need shifting): the
    // generic copy.
    if n < 64 || (dst as usize ^ src as usize) & 3 != 0 {
        // SAFETY: the caller's contract.
        unsafe { core::ptr::copy_nonoverlapping(src, dst, n) };
        return;
    }
    let head = (dst as usize).wrapping_neg() & 3;
    // SAFETY: the caller's contract; `head < 4 <= n`, and after it both are word-aligned.
    unsafe {
        core::ptr::copy_nonoverlapping(src, dst, head);
        let mut d = dst.add(head) as *mut u32;
        let mut s = src.add(head) as *const u32;
        let mut left = n - head;
        while left >= 32 {
            let w = [
                read_volatile(s),
                read_volatile(s.add(1)),
                read_volatile(s.add(2)),
                read_volatile(s.add(3)),
                read_volatile(s.add(4)),
                read_volatile(s.add(5)),
                read_volatile(s.add(6)),
                read_volatile(s.add(7)),
            ];
            for (k, &v) in w.iter().enumerate() {
                write_volatile(d.add(k), v);
            }
            s = s.add(8);
            d = d.add(8);
            left -= 32;
        }
        core::ptr::copy_nonoverlapping(s as *const u8, d as *mut u8, left);
    }
}
