//! Shifts and rotates by every amount 0..=31: the immediate forms (SLL/SRL/SRA/ROTR, one
//! instruction per amount via inline asm), the variable forms (SLLV/SRLV/SRAV/ROTRV) with amounts
//! beyond 31 (only the low five bits count), and what the compiler makes of Rust's shifts.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use core::arch::asm;
use core::hint::black_box as bb;
use lrt::println;

lrt::entry!(main);

const PATTERNS: [u32; 6] =
    [0x8000_0001, 0xdead_beef, 0x0000_0001, 0xffff_ffff, 0x7fff_ffff, 0x1234_5678];

/// SLL, SRL, SRA, ROTR of `x` by each literal amount; pushes one line per amount.
macro_rules! imm_shifts {
    ($x:expr; $($n:literal)*) => {$({
        let x: u32 = $x;
        let (a, b, c, d): (u32, u32, u32, u32);
        // SAFETY: pure register arithmetic.
        unsafe {
            asm!(
                "sll {a}, {x}, {n}",
                "srl {b}, {x}, {n}",
                "sra {c}, {x}, {n}",
                "rotr {d}, {x}, {n}",
                x = in(reg) x, n = const $n,
                a = out(reg) a, b = out(reg) b, c = out(reg) c, d = out(reg) d,
                options(pure, nomem, nostack),
            );
        }
        println!("{x:08x} imm {:2}: sll {a:08x} srl {b:08x} sra {c:08x} rotr {d:08x}", $n);
        assert_eq!((a, b, c, d), (x << $n, x >> $n, ((x as i32) >> $n) as u32, x.rotate_right($n)));
    })*};
}

fn var_shifts(x: u32, s: u32) -> [u32; 4] {
    let (a, b, c, d): (u32, u32, u32, u32);
    // SAFETY: pure register arithmetic.
    unsafe {
        asm!(
            "sllv {a}, {x}, {s}",
            "srlv {b}, {x}, {s}",
            "srav {c}, {x}, {s}",
            "rotrv {d}, {x}, {s}",
            x = in(reg) x, s = in(reg) s,
            a = out(reg) a, b = out(reg) b, c = out(reg) c, d = out(reg) d,
            options(pure, nomem, nostack),
        );
    }
    [a, b, c, d]
}

fn main(_: lrt::Args) -> i32 {
    for p in PATTERNS {
        let p = bb(p);
        imm_shifts!(p; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31);
    }
    for p in PATTERNS {
        for s in [0u32, 1, 5, 16, 31, 32, 33, 63, 64, 0x8000_0003, 0xffff_ffe1, 0xffff_ffff] {
            let r = var_shifts(bb(p), bb(s));
            println!(
                "{p:08x} var {s:08x}: sllv {:08x} srlv {:08x} srav {:08x} rotrv {:08x}",
                r[0], r[1], r[2], r[3]
            );
        }
    }
    for p in PATTERNS {
        for s in 0..32 {
            let (p, s) = (bb(p), bb(s));
            println!(
                "{p:08x} rust {s:2}: << {:08x} >> {:08x} >>a {:08x} rotl {:08x} rotr {:08x}",
                p << s,
                p >> s,
                ((p as i32) >> s) as u32,
                p.rotate_left(s),
                p.rotate_right(s)
            );
        }
        // 64-bit shifts are built from 32-bit ones: a good workout for the variable forms.
        let w = (bb(p) as u64) << 32 | bb(!p) as u64;
        for s in [0u32, 1, 31, 32, 33, 63] {
            let s = bb(s);
            println!(
                "{w:016x} u64 {s:2}: << {:016x} >> {:016x} >>a {:016x}",
                w << s,
                w >> s,
                ((w as i64) >> s) as u64
            );
        }
    }
    assert_eq!(var_shifts(bb(0x8000_0001), bb(33)), [2, 0x4000_0000, 0xc000_0000, 0xc000_0000]);
    println!("ok");
    0
}
