//! Integer add/subtract/logic/compare over a table of edge values (every pair), the immediate
//! forms with edge immediates (via inline asm, so the exact instruction is tested), LUI, and
//! sign/zero extension through byte and halfword loads and casts.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use core::arch::asm;
use core::hint::black_box as bb;
use lrt::println;

lrt::entry!(main);

const VALUES: [u32; 16] = [
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0x8000_0001,
    0xffff_fffe,
    0xffff_ffff,
    0x1234_5678,
    0xdead_beef,
];

/// The six immediate ALU forms of `x` with immediate `$imm` (an i16).
macro_rules! imm_ops {
    ($x:expr, $imm:expr) => {{
        let x: u32 = $x;
        let r: [u32; 6];
        let (a, b, c, d, e, f): (u32, u32, u32, u32, u32, u32);
        // SAFETY: pure register arithmetic.
        unsafe {
            asm!(
                "addiu {a}, {x}, {s}",
                "slti {b}, {x}, {s}",
                "sltiu {c}, {x}, {s}",
                "andi {d}, {x}, {u}",
                "ori {e}, {x}, {u}",
                "xori {f}, {x}, {u}",
                x = in(reg) x,
                s = const $imm as i16,
                u = const $imm as i16 as u16,
                a = out(reg) a, b = out(reg) b, c = out(reg) c,
                d = out(reg) d, e = out(reg) e, f = out(reg) f,
                options(pure, nomem, nostack),
            );
        }
        r = [a, b, c, d, e, f];
        r
    }};
}

macro_rules! lui {
    ($imm:expr) => {{
        let r: u32;
        // SAFETY: pure register arithmetic.
        unsafe { asm!("lui {r}, {i}", r = out(reg) r, i = const $imm, options(pure, nomem, nostack)) };
        r
    }};
}

fn main(_: lrt::Args) -> i32 {
    println!("== register-register");
    for a in VALUES {
        for b in VALUES {
            let (a, b) = (bb(a), bb(b));
            println!(
                "{a:08x} {b:08x}: + {:08x} - {:08x} & {:08x} | {:08x} ^ {:08x} nor {:08x} slt {} sltu {}",
                a.wrapping_add(b),
                a.wrapping_sub(b),
                a & b,
                a | b,
                a ^ b,
                !(a | b),
                ((a as i32) < (b as i32)) as u32,
                (a < b) as u32
            );
        }
    }

    println!("== immediate: addiu slti sltiu andi ori xori");
    for x in VALUES {
        let x = bb(x);
        let rows = [
            imm_ops!(x, 0),
            imm_ops!(x, 1),
            imm_ops!(x, -1),
            imm_ops!(x, 0x7fff),
            imm_ops!(x, -0x8000),
            imm_ops!(x, 0x1234),
            imm_ops!(x, -0x1234),
        ];
        for (i, r) in rows.iter().enumerate() {
            println!(
                "{x:08x} #{i}: {:08x} {} {} {:08x} {:08x} {:08x}",
                r[0], r[1], r[2], r[3], r[4], r[5]
            );
        }
    }

    println!("== lui");
    let l = [lui!(0), lui!(1), lui!(0x7fff), lui!(0x8000), lui!(0xffff), lui!(0x1234)];
    println!("{l:08x?}");

    println!("== sign and zero extension");
    let bytes = bb([0x00u8, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x55]);
    for &b in bb(&bytes).iter() {
        println!("byte {b:02x}: lb {:08x} lbu {:08x}", b as i8 as i32, b as u32);
    }
    let halves = bb([0x0000u16, 0x0001, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff, 0x00ff, 0xff00]);
    for &h in bb(&halves).iter() {
        println!("half {h:04x}: lh {:08x} lhu {:08x}", h as i16 as i32, h as u32);
    }
    for v in VALUES {
        let v = bb(v);
        println!(
            "{v:08x}: i8 {:08x} u8 {:08x} i16 {:08x} u16 {:08x} neg {:08x} abs {:08x}",
            v as i8 as i32,
            v as u8 as u32,
            v as i16 as i32,
            v as u16 as u32,
            (v as i32).wrapping_neg(),
            (v as i32).wrapping_abs()
        );
    }

    // A few known truths, so a broken reference shows up as a panic (status 101).
    assert_eq!(bb(0xffff_ffffu32).wrapping_add(bb(1)), 0);
    assert_eq!(imm_ops!(bb(5), -1), [4, 0, 1, 5, 0xffff, 0xfffa]);
    assert_eq!(imm_ops!(bb(0xffff_0000), -0x8000)[2], 1, "sltiu compares against 0xffff8000");
    println!("ok");
    0
}
