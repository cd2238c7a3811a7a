//! LL/SC on one CPU: a plain LL/SC pair succeeds (SC writes 1 and stores), LL/SC increment loops,
//! and the atomics the compiler builds from LL/SC, including the masked loops for 8- and 16-bit
//! atomics.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use core::arch::asm;
use core::hint::black_box as bb;
use core::sync::atomic::{AtomicI32, AtomicU8, AtomicU16, AtomicU32, Ordering::SeqCst};
use lrt::println;

lrt::entry!(main);

static WORD: AtomicU32 = AtomicU32::new(0x1000);
static SIGNED: AtomicI32 = AtomicI32::new(-5);
static HALVES: [AtomicU16; 4] = [
    AtomicU16::new(0x1111),
    AtomicU16::new(0x2222),
    AtomicU16::new(0xfffe),
    AtomicU16::new(0x4444),
];
static BYTES: [AtomicU8; 4] =
    [AtomicU8::new(0x11), AtomicU8::new(0xfe), AtomicU8::new(0x33), AtomicU8::new(0x44)];

fn main(_: lrt::Args) -> i32 {
    let mut cell = bb(0x7fff_ffffu32);
    let (old, ok): (u32, u32);
    // SAFETY: LL/SC on a local word.
    unsafe {
        asm!(
            "ll {old}, 0({p})",
            "addiu {ok}, {old}, 1",
            "sc {ok}, 0({p})",
            p = in(reg) &mut cell as *mut u32, old = out(reg) old, ok = out(reg) ok,
            options(nostack),
        )
    };
    println!("ll/sc: old {old:08x} sc {ok} now {:08x}", bb(cell));
    assert_eq!((old, ok, cell), (0x7fff_ffff, 1, 0x8000_0000));

    let mut tries = 0u32;
    for _ in 0..100 {
        // SAFETY: an LL/SC increment loop on a local word.
        unsafe {
            asm!(
                ".set push",
                ".set noreorder",
                "1:",
                "ll {t}, 0({p})",
                "addiu {n}, {n}, 1",
                "addiu {t}, {t}, 3",
                "sc {t}, 0({p})",
                "beqz {t}, 1b",
                "nop",
                ".set pop",
                p = in(reg) &mut cell as *mut u32, t = out(reg) _, n = inout(reg) tries,
                options(nostack),
            )
        };
    }
    println!("100 ll/sc increments: {:08x} in {tries} tries", bb(cell));

    println!("fetch_add {:08x}", WORD.fetch_add(bb(0x10), SeqCst));
    println!("fetch_sub {:08x}", WORD.fetch_sub(bb(0x20), SeqCst));
    println!("swap {:08x}", WORD.swap(bb(0xdead_beef), SeqCst));
    println!("cas ok {:?}", WORD.compare_exchange(bb(0xdead_beef), 0x1234, SeqCst, SeqCst));
    println!("cas fail {:?}", WORD.compare_exchange(bb(0xdead_beef), 0x5678, SeqCst, SeqCst));
    println!("fetch_and {:08x}", WORD.fetch_and(bb(0xff0f), SeqCst));
    println!("fetch_or {:08x}", WORD.fetch_or(bb(0xf000_0000), SeqCst));
    println!("fetch_xor {:08x}", WORD.fetch_xor(bb(0xffff_ffff), SeqCst));
    println!("fetch_nand {:08x}", WORD.fetch_nand(bb(0x0f0f_0f0f), SeqCst));
    println!("fetch_max {:08x}", WORD.fetch_max(bb(0x8000_0000), SeqCst));
    println!("fetch_min {:08x}", WORD.fetch_min(bb(7), SeqCst));
    println!("word {:08x}", WORD.load(SeqCst));
    println!("signed max {}", SIGNED.fetch_max(bb(-7), SeqCst));
    println!("signed min {}", SIGNED.fetch_min(bb(-7), SeqCst));
    println!("signed {}", SIGNED.load(SeqCst));

    for (i, h) in HALVES.iter().enumerate() {
        let a = h.fetch_add(bb(3), SeqCst);
        let b = h.swap(bb(0x8000 + i as u16), SeqCst);
        let c = h.compare_exchange(bb(0x8000 + i as u16), 0x1234, SeqCst, SeqCst);
        let d = h.fetch_max(bb(0x2000), SeqCst);
        println!("half {i}: {a:04x} {b:04x} {c:x?} {d:04x} now {:04x}", h.load(SeqCst));
    }
    for (i, b8) in BYTES.iter().enumerate() {
        let a = b8.fetch_add(bb(3), SeqCst);
        let b = b8.fetch_xor(bb(0xff), SeqCst);
        let c = b8.compare_exchange(bb(0), 0x55, SeqCst, SeqCst);
        let d = b8.fetch_min(bb(0x80), SeqCst);
        println!("byte {i}: {a:02x} {b:02x} {c:x?} {d:02x} now {:02x}", b8.load(SeqCst));
    }
    // The neighbours of every sub-word atomic must be untouched.
    // SAFETY: plain reads of 8 and 4 bytes of atomics nobody else is writing.
    let words: [u32; 2] = bb(unsafe { core::mem::transmute_copy(&HALVES) });
    // SAFETY: as above.
    let bytes: u32 = bb(unsafe { core::mem::transmute_copy(&BYTES) });
    println!("halves as words {:08x} {:08x} bytes as word {bytes:08x}", words[0], words[1]);
    println!("ok");
    0
}
