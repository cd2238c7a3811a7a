//! ALU, shift, multiply/divide and bit-manipulation instructions, with their edge cases.

mod common;

use common::{T, li, prog};
use mips::asm::*;

fn run(parts: &[&[u32]]) -> T {
    let mut t = T::new(&prog(parts));
    t.run_to_end();
    t
}

#[test]
fn add_traps_on_overflow_and_leaves_rd_unchanged() {
    let mut t = T::new(&prog(&[
        &li(T0, 0x7FFF_FFFF),
        &li(V0, 0x1234),
        &[addiu(T1, ZERO, 1), add(V0, T0, T1)],
    ]));
    let e = t.run();
    assert_eq!(e.fault.code, mips::ExcCode::Bp, "the general vector's break");
    assert_eq!(e.epc, common::GENERAL);
    assert_eq!(t.exc_code(), mips::ExcCode::Ov as u32);
    assert_eq!(t.r(V0 as usize), 0x1234, "rd must be unchanged");
    assert_eq!(t.cpu.cp0.epc, common::CODE + 20, "EPC is the add");
}

#[test]
fn overflow_free_forms_wrap() {
    let t = run(&[
        &li(T0, 0x7FFF_FFFF),
        &[addiu(T1, ZERO, 1), addu(V0, T0, T1), addiu(V1, T0, 1), subu(A0, ZERO, T1)],
        &li(T2, 0x8000_0000),
        &[sub(A1, T2, ZERO), add(A2, T0, ZERO), addi(A3, T2, 5)],
    ]);
    assert_eq!(t.r(V0 as usize), 0x8000_0000);
    assert_eq!(t.r(V1 as usize), 0x8000_0000);
    assert_eq!(t.r(A0 as usize), 0xFFFF_FFFF);
    assert_eq!(t.r(A1 as usize), 0x8000_0000, "no overflow: sub of 0");
    assert_eq!(t.r(A2 as usize), 0x7FFF_FFFF);
    assert_eq!(t.r(A3 as usize), 0x8000_0005);
}

#[test]
fn sub_and_addi_overflow_trap() {
    for code in [
        prog(&[&li(T0, 0x8000_0000), &[addiu(T1, ZERO, 1), sub(V0, T0, T1)]]),
        prog(&[&li(T0, 0x7FFF_FFF0), &[addi(V0, T0, 0x10)]]),
        prog(&[&li(T0, 0x8000_0000), &[addi(V0, T0, -1)]]),
    ] {
        let mut t = T::new(&code);
        assert_eq!(t.run().epc, common::GENERAL);
        assert_eq!(t.exc_code(), mips::ExcCode::Ov as u32);
        assert_eq!(t.r(V0 as usize), 0);
    }
}

#[test]
fn immediates_extend_as_the_instruction_says() {
    let t = run(&[
        &li(T0, 0xFFFF_0000),
        &[
            andi(V0, T0, 0xFFFF),
            ori(V1, ZERO, 0x8000),
            xori(A0, ZERO, 0xFFFF),
            addiu(A1, ZERO, -1),
            slti(A2, ZERO, -1),
            sltiu(A3, ZERO, -1), // 0 < 0xFFFFFFFF unsigned
            sltiu(T1, T0, -1),   // 0xFFFF0000 < 0xFFFFFFFF
            slti(T2, T0, 0),     // negative < 0
            lui(T3, 0x8000),
        ],
    ]);
    assert_eq!(t.r(V0 as usize), 0);
    assert_eq!(t.r(V1 as usize), 0x8000);
    assert_eq!(t.r(A0 as usize), 0xFFFF);
    assert_eq!(t.r(A1 as usize), 0xFFFF_FFFF);
    assert_eq!(t.r(A2 as usize), 0);
    assert_eq!(t.r(A3 as usize), 1);
    assert_eq!(t.r(T1 as usize), 1);
    assert_eq!(t.r(T2 as usize), 1);
    assert_eq!(t.r(T3 as usize), 0x8000_0000);
}

#[test]
fn comparisons_and_logic() {
    let t = run(&[
        &li(T0, 0xFFFF_FFFE),
        &[
            addiu(T1, ZERO, 3),
            slt(V0, T0, T1),
            sltu(V1, T0, T1),
            and(A0, T0, T1),
            or(A1, T0, T1),
            xor(A2, T0, T1),
            nor(A3, T0, T1),
        ],
    ]);
    assert_eq!(t.r(V0 as usize), 1);
    assert_eq!(t.r(V1 as usize), 0);
    assert_eq!(t.r(A0 as usize), 2);
    assert_eq!(t.r(A1 as usize), 0xFFFF_FFFF);
    assert_eq!(t.r(A2 as usize), 0xFFFF_FFFD);
    assert_eq!(t.r(A3 as usize), 0);
}

#[test]
fn shifts_and_rotates() {
    let t = run(&[
        &li(T0, 0x8000_00F1),
        &[
            sll(V0, T0, 4),
            srl(V1, T0, 4),
            sra(A0, T0, 4),
            rotr(A1, T0, 4),
            addiu(T1, ZERO, 36), // shift amounts use only the low 5 bits
            sllv(A2, T0, T1),
            srlv(A3, T0, T1),
            srav(T2, T0, T1),
            rotrv(T3, T0, T1),
            sll(T4, T0, 0),
        ],
    ]);
    assert_eq!(t.r(V0 as usize), 0x0000_0F10);
    assert_eq!(t.r(V1 as usize), 0x0800_000F);
    assert_eq!(t.r(A0 as usize), 0xF800_000F);
    assert_eq!(t.r(A1 as usize), 0x1800_000F);
    assert_eq!(t.r(A2 as usize), 0x0000_0F10);
    assert_eq!(t.r(A3 as usize), 0x0800_000F);
    assert_eq!(t.r(T2 as usize), 0xF800_000F);
    assert_eq!(t.r(T3 as usize), 0x1800_000F);
    assert_eq!(t.r(T4 as usize), 0x8000_00F1);
}

#[test]
fn multiply_divide_and_hilo() {
    let t = run(&[
        &li(T0, 0xFFFF_FFFE), // -2
        &li(T1, 0x0000_0003),
        &[mult(T0, T1), mfhi(V0), mflo(V1), multu(T0, T1), mfhi(A0), mflo(A1)],
        &[madd(T1, T1), mfhi(A2), mflo(A3)], // 3*0xFFFFFFFE + 9
        &[msubu(T1, T1), msub(T0, T1), mfhi(T2), mflo(T3)],
        &[div(T0, T1), mfhi(T4), mflo(T5), divu(T0, T1), mfhi(T6), mflo(T7)],
    ]);
    assert_eq!((t.r(V0 as usize), t.r(V1 as usize)), (0xFFFF_FFFF, 0xFFFF_FFFA));
    assert_eq!((t.r(A0 as usize), t.r(A1 as usize)), (2, 0xFFFF_FFFA));
    assert_eq!((t.r(A2 as usize), t.r(A3 as usize)), (3, 3));
    // (2:0xFFFFFFFA + 9) - 9 - (-6) = 2:0xFFFFFFFA + 6 = 3:0
    assert_eq!((t.r(T2 as usize), t.r(T3 as usize)), (3, 0));
    // -2 / 3 = 0 rem -2 (truncating)
    assert_eq!((t.r(T4 as usize), t.r(T5 as usize)), (0xFFFF_FFFE, 0));
    assert_eq!((t.r(T6 as usize), t.r(T7 as usize)), (0xFFFF_FFFE % 3, 0xFFFF_FFFE / 3));
}

#[test]
fn division_edge_cases_match_qemu() {
    let t = run(&[
        &li(T0, 0x8000_0000),
        &[addiu(T1, ZERO, -1), div(T0, T1), mfhi(V0), mflo(V1)],
        &[
            addiu(T2, ZERO, 77),
            div(T2, ZERO),
            mfhi(A0),
            mflo(A1),
            divu(T2, ZERO),
            mfhi(A2),
            mflo(A3),
        ],
    ]);
    assert_eq!((t.r(V0 as usize), t.r(V1 as usize)), (0, 0x8000_0000), "INT_MIN / -1");
    assert_eq!((t.r(A0 as usize), t.r(A1 as usize)), (0, 77), "x / 0 behaves as x / 1");
    assert_eq!((t.r(A2 as usize), t.r(A3 as usize)), (0, 77));
}

#[test]
fn mul_leaves_hi_lo_alone() {
    let t = run(&[
        &[addiu(T0, ZERO, 11), mthi(T0), addiu(T1, ZERO, 22), mtlo(T1)],
        &li(T2, 0x1234_5678),
        &[mul(V0, T2, T2), mfhi(A0), mflo(A1)],
    ]);
    assert_eq!(t.r(V0 as usize), 0x1234_5678u32.wrapping_mul(0x1234_5678));
    assert_eq!((t.r(A0 as usize), t.r(A1 as usize)), (11, 22));
}

#[test]
fn bit_manipulation() {
    let t = run(&[
        &li(T0, 0x0012_80F0),
        &[
            clz(V0, T0),
            clo(V1, T0),
            clz(A0, ZERO),
            nor(T1, ZERO, ZERO),
            clo(A1, T1),
            seb(A2, T0),
            seh(A3, T0),
            wsbh(T2, T0),
            ext(T3, T0, 4, 8),
            ext(T4, T1, 0, 32),
            or(T5, T0, ZERO),
            ins(T5, ZERO, 4, 8),
            addiu(T6, ZERO, 0x5A),
            ins(T7, T6, 28, 4),
        ],
    ]);
    assert_eq!(t.r(V0 as usize), 11);
    assert_eq!(t.r(V1 as usize), 0);
    assert_eq!(t.r(A0 as usize), 32);
    assert_eq!(t.r(A1 as usize), 32);
    assert_eq!(t.r(A2 as usize), 0xFFFF_FFF0);
    assert_eq!(t.r(A3 as usize), 0xFFFF_80F0);
    assert_eq!(t.r(T2 as usize), 0x1200_F080);
    assert_eq!(t.r(T3 as usize), 0x0F);
    assert_eq!(t.r(T4 as usize), 0xFFFF_FFFF);
    assert_eq!(t.r(T5 as usize), 0x0012_8000);
    assert_eq!(t.r(T7 as usize), 0xA000_0000);
}

#[test]
fn conditional_moves_and_zero_register() {
    let t = run(&[
        &[addiu(T0, ZERO, 5), addiu(T1, ZERO, 9), addiu(V0, ZERO, 1), addiu(V1, ZERO, 1)],
        &[movz(V0, T0, ZERO), movz(V1, T0, T1), movn(A0, T1, T0), movn(A1, T1, ZERO)],
        &[addiu(ZERO, ZERO, 7), lui(ZERO, 0x1234), addu(A2, ZERO, ZERO)],
    ]);
    assert_eq!(t.r(V0 as usize), 5);
    assert_eq!(t.r(V1 as usize), 1);
    assert_eq!(t.r(A0 as usize), 9);
    assert_eq!(t.r(A1 as usize), 0);
    assert_eq!(t.r(0), 0);
    assert_eq!(t.r(A2 as usize), 0);
}

#[test]
fn traps_fire_only_when_their_condition_holds() {
    // Each case: (instruction with T0 = -1 and T1 = 1, should trap?)
    let cases: [(u32, bool); 12] = [
        (tge(T0, T1, 0), false),
        (tgeu(T0, T1, 0), true),
        (tlt(T0, T1, 0), true),
        (tltu(T0, T1, 0), false),
        (teq(T0, T0, 0), true),
        (tne(T0, T0, 0), false),
        (tgei(T0, 0), false),
        (tgeiu(T0, -2), true),
        (tlti(T0, 0), true),
        (tltiu(T1, -1), true),
        (teqi(T1, 1), true),
        (tnei(T1, 1), false),
    ];
    for (insn, traps) in cases {
        let mut t = T::new(&prog(&[&[addiu(T0, ZERO, -1), addiu(T1, ZERO, 1), insn]]));
        let e = t.run();
        if traps {
            assert_eq!(e.epc, common::GENERAL, "{}", mips::disasm::disasm(insn, 0));
            assert_eq!(t.exc_code(), mips::ExcCode::Tr as u32);
        } else {
            assert!(e.epc > common::CODE, "{} must not trap", mips::disasm::disasm(insn, 0));
        }
    }
}
