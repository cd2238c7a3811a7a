//! Multiply and divide: MUL, MULT/MULTU (via 64-bit products), MADD/MADDU/MSUB/MSUBU and
//! MTHI/MTLO/MFHI/MFLO (inline asm), DIV/DIVU over signed and unsigned edge values including
//! INT_MIN / -1 (inline asm: Rust itself would panic), and the 64-bit multiply/divide helpers.
//! Never divides by zero: the result would be UNPREDICTABLE.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use core::arch::asm;
use core::hint::black_box as bb;
use lrt::println;

lrt::entry!(main);

const VALUES: [i32; 14] = [
    0,
    1,
    -1,
    2,
    -2,
    7,
    -7,
    0x10000,
    12_345_678,
    -87_654_321,
    i32::MAX,
    i32::MIN,
    i32::MIN + 1,
    0x5555_5555,
];

/// `op rs, rt` on HI:LO preset to `hi`:`lo`; returns the new (HI, LO).
macro_rules! acc {
    ($op:literal, $hi:expr, $lo:expr, $a:expr, $b:expr) => {{
        let (h, l): (u32, u32);
        // SAFETY: register arithmetic on HI/LO, which no Rust code keeps live across asm.
        unsafe {
            asm!(
                "mthi {hi}",
                "mtlo {lo}",
                concat!($op, " {a}, {b}"),
                "mfhi {h}",
                "mflo {l}",
                hi = in(reg) $hi, lo = in(reg) $lo, a = in(reg) $a, b = in(reg) $b,
                h = out(reg) h, l = out(reg) l,
                options(nomem, nostack),
            );
        }
        (h, l)
    }};
}

/// Raw `div`/`divu`: (quotient LO, remainder HI). The divisor must not be 0.
macro_rules! raw_div {
    ($op:literal, $a:expr, $b:expr) => {{
        let (q, r): (u32, u32);
        // SAFETY: register arithmetic; the caller never passes a zero divisor.
        unsafe {
            asm!(
                concat!($op, " $zero, {a}, {b}"),
                "mflo {q}",
                "mfhi {r}",
                a = in(reg) $a, b = in(reg) $b, q = out(reg) q, r = out(reg) r,
                options(nomem, nostack),
            );
        }
        (q, r)
    }};
}

fn main(_: lrt::Args) -> i32 {
    println!("== mul, mult, multu");
    for a in VALUES {
        for b in VALUES {
            let (a, b) = (bb(a), bb(b));
            let s = a as i64 * b as i64;
            let u = a as u32 as u64 * b as u32 as u64;
            println!("{a:08x} {b:08x}: mul {:08x} mult {s:016x} multu {u:016x}", a.wrapping_mul(b));
        }
    }

    println!("== madd, maddu, msub, msubu (HI:LO = 0x01234567:0x89abcdef)");
    for a in VALUES {
        for b in [1i32, -1, i32::MIN, i32::MAX, 0x10001, -3] {
            let (a, b) = (bb(a), bb(b));
            let (hi, lo) = (bb(0x0123_4567u32), bb(0x89ab_cdefu32));
            let r = [
                acc!("madd", hi, lo, a, b),
                acc!("maddu", hi, lo, a, b),
                acc!("msub", hi, lo, a, b),
                acc!("msubu", hi, lo, a, b),
            ];
            println!(
                "{a:08x} {b:08x}: {:08x}:{:08x} {:08x}:{:08x} {:08x}:{:08x} {:08x}:{:08x}",
                r[0].0, r[0].1, r[1].0, r[1].1, r[2].0, r[2].1, r[3].0, r[3].1
            );
        }
    }

    println!("== div, divu");
    for a in VALUES {
        for b in VALUES {
            if b == 0 {
                continue;
            }
            let (a, b) = (bb(a), bb(b));
            let (q, r) = raw_div!("div", a, b);
            let (qu, ru) = raw_div!("divu", a, b);
            println!("{a:08x} {b:08x}: div {q:08x} r {r:08x} divu {qu:08x} r {ru:08x}");
            if !(a == i32::MIN && b == -1) {
                assert_eq!((q as i32, r as i32), (a / b, a % b));
            }
            assert_eq!((qu, ru), (a as u32 / b as u32, a as u32 % b as u32));
        }
    }
    let (q, r) = raw_div!("div", bb(i32::MIN), bb(-1));
    println!("INT_MIN / -1: LO {q:08x} HI {r:08x}");

    println!("== 64-bit");
    let wide: [i64; 8] =
        [1, -1, 7, -1_000_000_007, 0x1_0000_0000, i64::MAX, i64::MIN + 1, 0x0123_4567_89ab_cdef];
    for a in wide {
        for b in wide {
            let (a, b) = (bb(a), bb(b));
            println!(
                "{a:016x} {b:016x}: * {:016x} / {:016x} % {:016x} u/ {:016x} u% {:016x}",
                a.wrapping_mul(b),
                a / b,
                a % b,
                a as u64 / b as u64,
                a as u64 % b as u64
            );
        }
    }
    assert_eq!(raw_div!("div", bb(-7), bb(2)), (-3i32 as u32, -1i32 as u32));
    println!("ok");
    0
}
