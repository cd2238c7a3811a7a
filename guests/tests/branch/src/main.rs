//! Every conditional branch, taken and not taken, with its delay slot: the delay slot always runs
//! for ordinary branches and only when taken for the branch-likely forms (nullified otherwise).
//! The link forms write $ra = branch + 8 whether or not they branch. J, JAL, JR, JALR and the
//! delay slot seeing the branch's old operands are checked too.
//!
//! Each case prints a bit set: 1 = the delay slot ran, 2 = the fall-through instruction ran.
//! So taken = 1, not taken = 3, likely-not-taken = 2.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use core::arch::asm;
use core::hint::black_box as bb;
use lrt::{print, println};

lrt::entry!(main);

const VALUES: [i32; 5] = [i32::MIN, -1, 0, 1, i32::MAX];

/// A two-register branch `op a, b`: the bit set.
macro_rules! br2 {
    ($op:literal, $a:expr, $b:expr) => {{
        let n: u32;
        // SAFETY: local control flow only.
        unsafe {
            asm!(
                ".set push",
                ".set noreorder",
                "move {n}, $zero",
                concat!($op, " {a}, {b}, 1f"),
                "ori {n}, {n}, 1",
                "ori {n}, {n}, 2",
                "1:",
                ".set pop",
                n = out(reg) n, a = in(reg) $a, b = in(reg) $b,
                options(nomem, nostack),
            )
        };
        n
    }};
}

/// A one-register branch `op a`: the bit set.
macro_rules! br1 {
    ($op:literal, $a:expr) => {{
        let n: u32;
        // SAFETY: local control flow only.
        unsafe {
            asm!(
                ".set push",
                ".set noreorder",
                "move {n}, $zero",
                concat!($op, " {a}, 1f"),
                "ori {n}, {n}, 1",
                "ori {n}, {n}, 2",
                "1:",
                ".set pop",
                n = out(reg) n, a = in(reg) $a,
                options(nomem, nostack),
            )
        };
        n
    }};
}

/// A one-register branch-and-link `op a`: the bit set and $ra minus the branch's address.
macro_rules! bral {
    ($op:literal, $a:expr) => {{
        let (n, d): (u32, u32);
        // SAFETY: local control flow only; $ra is saved and restored around it.
        unsafe {
            asm!(
                ".set push",
                ".set noreorder",
                "move {save}, $ra",
                "move {n}, $zero",
                "bal 0f",
                "nop",
                "0:",
                "move {base}, $ra",         // base = address of this instruction
                concat!($op, " {a}, 1f"),   // at base + 4: $ra = base + 12
                "ori {n}, {n}, 1",
                "ori {n}, {n}, 2",
                "1:",
                "subu {d}, $ra, {base}",
                "addiu {d}, {d}, -4",       // relative to the branch itself
                "move $ra, {save}",
                ".set pop",
                n = out(reg) n, d = out(reg) d, a = in(reg) $a,
                save = out(reg) _, base = out(reg) _,
                options(nomem, nostack),
            )
        };
        (n, d)
    }};
}

fn main(_: lrt::Args) -> i32 {
    for a in VALUES {
        for b in VALUES {
            let (a, b) = (bb(a), bb(b));
            println!(
                "{a:08x} {b:08x}: beq {} bne {} beql {} bnel {}",
                br2!("beq", a, b),
                br2!("bne", a, b),
                br2!("beql", a, b),
                br2!("bnel", a, b)
            );
        }
    }
    for a in VALUES {
        let a = bb(a);
        print!(
            "{a:08x}: blez {} bgtz {} bltz {} bgez {} blezl {} bgtzl {} bltzl {} bgezl {}",
            br1!("blez", a),
            br1!("bgtz", a),
            br1!("bltz", a),
            br1!("bgez", a),
            br1!("blezl", a),
            br1!("bgtzl", a),
            br1!("bltzl", a),
            br1!("bgezl", a)
        );
        let l = [bral!("bltzal", a), bral!("bgezal", a), bral!("bltzall", a), bral!("bgezall", a)];
        println!(" bltzal {:?} bgezal {:?} bltzall {:?} bgezall {:?}", l[0], l[1], l[2], l[3]);
        assert_eq!(br1!("bltz", a), if a < 0 { 1 } else { 3 });
        assert_eq!(br1!("bgezl", a), if a >= 0 { 1 } else { 2 });
        assert_eq!(l[3], (if a >= 0 { 1 } else { 2 }, 8));
    }

    // The delay slot runs after the branch has read its operands.
    let mut a = bb(5u32);
    let n: u32;
    // SAFETY: local control flow only.
    unsafe {
        asm!(".set push", ".set noreorder", "move {n}, $zero", "beq {a}, {b}, 1f",
             "addiu {a}, {a}, 1", "ori {n}, {n}, 2", "1:", ".set pop",
             n = out(reg) n, a = inout(reg) a, b = in(reg) bb(5u32), options(nomem, nostack))
    };
    println!("beq then change operand in the delay slot: {n} a={a}");

    // J, JAL, JR, JALR: where they go, what they link.
    let (n, d_jal, d_jalr, d_jalr_rd): (u32, u32, u32, u32);
    // SAFETY: local control flow only; $ra is saved and restored.
    unsafe {
        asm!(
            ".set push",
            ".set noreorder",
            "move {save}, $ra",
            "move {n}, $zero",
            "j 1f",
            "ori {n}, {n}, 1",      // delay slot: runs
            "ori {n}, {n}, 2",      // skipped
            "1:",
            "bal 0f",
            "nop",
            "0:",
            "move {base}, $ra",     // base = here
            "jal 2f",               // base + 4: $ra = base + 12
            "ori {n}, {n}, 4",
            "ori {n}, {n}, 8",      // skipped
            "2:",
            "subu {d1}, $ra, {base}", // base + 16
            "addiu {t}, $ra, 24",     // base + 20: 3f = base + 36
            "jalr {t}",               // base + 24: $ra = base + 32
            "ori {n}, {n}, 16",
            "ori {n}, {n}, 32",       // skipped
            "3:",
            "subu {d2}, $ra, {base}", // base + 36
            "addiu {t}, {t}, 20",     // base + 40: 4f = base + 56
            "jalr {l}, {t}",          // base + 44: {l} = base + 52
            "ori {n}, {n}, 64",
            "ori {n}, {n}, 128",      // skipped
            "4:",
            "subu {d3}, {l}, {base}", // base + 56
            "addiu {t}, {t}, 20",     // base + 60: 5f = base + 76
            "jr {t}",                 // base + 64
            "ori {n}, {n}, 256",
            "ori {n}, {n}, 512",      // skipped
            "5:",
            "move $ra, {save}",
            ".set pop",
            n = out(reg) n, d1 = out(reg) d_jal, d2 = out(reg) d_jalr, d3 = out(reg) d_jalr_rd,
            save = out(reg) _, base = out(reg) _, t = out(reg) _, l = out(reg) _,
            options(nomem, nostack),
        )
    };
    println!("jumps: {n:#x} jal links {d_jal} jalr links {d_jalr} jalr rd links {d_jalr_rd}");
    assert_eq!((n, d_jal, d_jalr, d_jalr_rd), (0x155, 12, 32, 52));
    println!("ok");
    0
}
