//! Partial-word loads and stores: LWL, LWR and the LWR+LWL pair at every byte offset into a
//! register with known contents; SWL, SWR and the SWR+SWL pair at every byte offset into a
//! buffer with known contents; then Rust's unaligned reads and writes of 2, 4 and 8 bytes at
//! every offset (the compiler's own LWL/LWR/SWL/SWR and byte sequences).

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use core::arch::asm;
use core::hint::black_box as bb;
use lrt::{print, println};

lrt::entry!(main);

/// 16 bytes on a word boundary.
#[repr(C, align(8))]
#[derive(Clone, Copy)]
struct Buf([u8; 16]);

const SOURCE: Buf = Buf([
    0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f,
]);

/// A load template on `p` with the destination preset to 0xAABBCCDD.
macro_rules! load {
    ($p:expr, $($insn:literal),*) => {{
        let mut r: u32 = bb(0xaabb_ccdd);
        // SAFETY: `p` points into a 16-byte buffer at offset 0..=7, so the aligned words the
        // instructions touch (offsets up to p + 3 rounded down) are inside it.
        unsafe { asm!($($insn),*, r = inout(reg) r, p = in(reg) $p, options(readonly, nostack)) };
        r
    }};
}

/// A store template of 0x44332211 on `p`.
macro_rules! store {
    ($p:expr, $($insn:literal),*) => {{
        // SAFETY: as for `load!`; the buffer is writable.
        unsafe { asm!($($insn),*, v = in(reg) bb(0x4433_2211u32), p = in(reg) $p, options(nostack)) };
    }};
}

fn show(b: &Buf) {
    for x in b.0 {
        print!("{x:02x}");
    }
}

fn main(_: lrt::Args) -> i32 {
    let src = bb(SOURCE);
    for off in 0..8 {
        let p = bb(src.0.as_ptr().wrapping_add(off));
        let l = load!(p, "lwl {r}, 0({p})");
        let r = load!(p, "lwr {r}, 0({p})");
        let both = load!(p, "lwr {r}, 0({p})", "lwl {r}, 3({p})");
        let rev = load!(p, "lwl {r}, 3({p})", "lwr {r}, 0({p})");
        println!("load +{off}: lwl {l:08x} lwr {r:08x} lwr+lwl {both:08x} lwl+lwr {rev:08x}");
        let want = u32::from_le_bytes([src.0[off], src.0[off + 1], src.0[off + 2], src.0[off + 3]]);
        assert_eq!(both, want);
    }
    for off in 0..8 {
        print!("store +{off}:");
        let mut buf = bb(SOURCE);
        let p = bb(buf.0.as_mut_ptr().wrapping_add(off));
        store!(p, "swl {v}, 0({p})");
        print!(" swl ");
        show(bb(&buf));
        let mut buf = bb(SOURCE);
        let p = bb(buf.0.as_mut_ptr().wrapping_add(off));
        store!(p, "swr {v}, 0({p})");
        print!(" swr ");
        show(bb(&buf));
        let mut buf = bb(SOURCE);
        let p = bb(buf.0.as_mut_ptr().wrapping_add(off));
        store!(p, "swr {v}, 0({p})", "swl {v}, 3({p})");
        print!(" swr+swl ");
        show(bb(&buf));
        println!();
        assert_eq!(buf.0[off..off + 4], [0x11, 0x22, 0x33, 0x44]);
    }
    let src = bb(SOURCE);
    for off in 0..8 {
        let p = bb(src.0.as_ptr().wrapping_add(off));
        // SAFETY: off + 8 <= 16: every read is inside the buffer.
        let (h, w, d) = unsafe {
            (
                (p as *const u16).read_unaligned(),
                (p as *const u32).read_unaligned(),
                (p as *const u64).read_unaligned(),
            )
        };
        println!("read +{off}: u16 {h:04x} u32 {w:08x} u64 {d:016x}");
        let mut buf = bb(SOURCE);
        let q = bb(buf.0.as_mut_ptr().wrapping_add(off));
        // SAFETY: as above, and the buffer is writable.
        unsafe { (q as *mut u16).write_unaligned(bb(0xbeef)) };
        print!("write +{off}: u16 ");
        show(bb(&buf));
        let mut buf = bb(SOURCE);
        let q = bb(buf.0.as_mut_ptr().wrapping_add(off));
        // SAFETY: as above.
        unsafe { (q as *mut u32).write_unaligned(bb(0xcafe_babe)) };
        print!(" u32 ");
        show(bb(&buf));
        let mut buf = bb(SOURCE);
        let q = bb(buf.0.as_mut_ptr().wrapping_add(off));
        // SAFETY: as above.
        unsafe { (q as *mut u64).write_unaligned(bb(0x0123_4567_89ab_cdef)) };
        print!(" u64 ");
        show(bb(&buf));
        println!();
    }
    println!("ok");
    0
}
