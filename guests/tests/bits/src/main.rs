//! Bit manipulation through the exact instructions (inline asm): CLZ, CLO, SEB, SEH, WSBH, EXT
//! and INS over many positions and sizes, and the conditional moves MOVN/MOVZ.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use core::arch::asm;
use core::hint::black_box as bb;
use lrt::{print, println};

lrt::entry!(main);

const VALUES: [u32; 12] = [
    0,
    1,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0x00ff_ff00,
    0x7fff_ffff,
    0x8000_0000,
    0xf0f0_0f0f,
    0xffff_fffe,
    0xffff_ffff,
];

/// One-input one-output instruction `$op rd, rs`.
macro_rules! un {
    ($op:literal, $x:expr) => {{
        let r: u32;
        // SAFETY: pure register arithmetic.
        unsafe {
            asm!(concat!($op, " {r}, {x}"), r = out(reg) r, x = in(reg) $x, options(pure, nomem, nostack))
        };
        r
    }};
}

/// `ext` of `x` at each (pos, size) listed; prints them on one line.
macro_rules! exts {
    ($x:expr; $(($p:literal, $s:literal))*) => {{
        let x: u32 = $x;
        print!("{x:08x} ext:");
        $({
            let r: u32;
            // SAFETY: pure register arithmetic.
            unsafe {
                asm!("ext {r}, {x}, {p}, {s}", r = out(reg) r, x = in(reg) x,
                     p = const $p, s = const $s, options(pure, nomem, nostack))
            };
            print!(" {r:x}");
            assert_eq!(r, ((x as u64 >> $p) & ((1u64 << $s) - 1)) as u32);
        })*
        println!();
    }};
}

/// `ins` of `x` into `into` at each (pos, size) listed; prints them on one line.
macro_rules! inss {
    ($x:expr, $into:expr; $(($p:literal, $s:literal))*) => {{
        let x: u32 = $x;
        print!("{x:08x} ins:");
        $({
            let mut r: u32 = $into;
            // SAFETY: pure register arithmetic.
            unsafe {
                asm!("ins {r}, {x}, {p}, {s}", r = inout(reg) r, x = in(reg) x,
                     p = const $p, s = const $s, options(pure, nomem, nostack))
            };
            print!(" {r:08x}");
        })*
        println!();
    }};
}

fn main(_: lrt::Args) -> i32 {
    for v in VALUES {
        let v = bb(v);
        println!(
            "{v:08x}: clz {} clo {} seb {:08x} seh {:08x} wsbh {:08x}",
            un!("clz", v),
            un!("clo", v),
            un!("seb", v),
            un!("seh", v),
            un!("wsbh", v)
        );
        assert_eq!(un!("clz", v), v.leading_zeros());
        assert_eq!(un!("clo", v), v.leading_ones());
    }
    for v in [0xdead_beefu32, 0x8765_4321, 0xffff_ffff, 0x0000_0001] {
        let v = bb(v);
        exts!(v; (0, 1) (0, 8) (0, 16) (0, 31) (0, 32) (1, 1) (1, 31) (3, 5) (7, 9) (8, 8)
                 (12, 20) (15, 2) (16, 16) (24, 8) (30, 2) (31, 1));
        for into in [0u32, 0xffff_ffff, 0x1234_5678] {
            inss!(v, bb(into); (0, 1) (0, 8) (0, 16) (0, 31) (0, 32) (1, 1) (1, 31) (3, 5) (7, 9)
                     (8, 8) (12, 20) (15, 2) (16, 16) (24, 8) (30, 2) (31, 1));
        }
    }
    for cond in [0u32, 1, 0x8000_0000, 0xffff_ffff] {
        let (a, b) = (bb(0x1111_1111u32), bb(0x2222_2222u32));
        let (mut n, mut z) = (a, a);
        // SAFETY: pure register arithmetic.
        unsafe {
            asm!("movn {n}, {b}, {c}", "movz {z}, {b}, {c}", n = inout(reg) n, z = inout(reg) z,
                 b = in(reg) b, c = in(reg) bb(cond), options(pure, nomem, nostack));
        }
        println!("cond {cond:08x}: movn {n:08x} movz {z:08x}");
        assert_eq!((n == b, z == b), (cond != 0, cond == 0));
    }
    println!("ok");
    0
}
