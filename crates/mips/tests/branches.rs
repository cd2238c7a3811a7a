//! Branches and jumps: delay slots, branch-likely nullification, links, and the branch in a
//! delay slot that a guest must not be able to use to crash the host.

mod common;

use common::{CODE, GENERAL, T, prog};
use mips::ExcCode;
use mips::asm::*;

fn run(code: &[u32]) -> T {
    let mut t = T::new(&prog(&[code]));
    t.run_to_end();
    t
}

#[test]
fn delay_slot_runs_whether_or_not_the_branch_is_taken() {
    // Offsets count from the delay slot: 2 skips the one instruction after it.
    let t = run(&[beq(ZERO, ZERO, 2), addiu(V0, ZERO, 1), addiu(V1, ZERO, 1), addiu(A0, ZERO, 1)]);
    assert_eq!((t.r(2), t.r(3), t.r(4)), (1, 0, 1));
    let t = run(&[bne(ZERO, ZERO, 2), addiu(V0, ZERO, 1), addiu(V1, ZERO, 1), addiu(A0, ZERO, 1)]);
    assert_eq!((t.r(2), t.r(3), t.r(4)), (1, 1, 1));
}

#[test]
fn branch_likely_nullifies_the_slot_when_not_taken() {
    let t = run(&[bnel(ZERO, ZERO, 2), addiu(V0, ZERO, 1), addiu(V1, ZERO, 1)]);
    assert_eq!((t.r(2), t.r(3)), (0, 1), "not taken: slot nullified");
    let t = run(&[beql(ZERO, ZERO, 2), addiu(V0, ZERO, 1), addiu(V1, ZERO, 1), addiu(A0, ZERO, 1)]);
    assert_eq!((t.r(2), t.r(3), t.r(4)), (1, 0, 1), "taken: slot runs");
    for (insn, taken) in [
        (blezl(ZERO, 2), true),
        (bgtzl(ZERO, 2), false),
        (bltzl(ZERO, 2), false),
        (bgezl(ZERO, 2), true),
    ] {
        let t = run(&[insn, addiu(V0, ZERO, 1), addiu(V1, ZERO, 1), addiu(A0, ZERO, 1)]);
        let want = if taken { (1, 0) } else { (0, 1) };
        assert_eq!((t.r(2), t.r(3)), want, "{}", mips::disasm::disasm(insn, 0));
    }
}

#[test]
fn signed_compare_branches() {
    for (insn, taken) in [
        (blez(T0, 2), true),
        (bgtz(T0, 2), false),
        (bltz(T0, 2), true),
        (bgez(T0, 2), false),
        (blez(T1, 2), false),
        (bgtz(T1, 2), true),
    ] {
        let t = run(&[addiu(T0, ZERO, -5), addiu(T1, ZERO, 5), insn, nop(), addiu(V1, ZERO, 1)]);
        assert_eq!(t.r(3), u32::from(!taken), "{}", mips::disasm::disasm(insn, 0));
    }
}

#[test]
fn link_forms_write_the_return_address() {
    // bltzal links even when not taken.
    let t = run(&[bltzal(ZERO, 2), nop(), addiu(V0, ZERO, 1)]);
    assert_eq!(t.r(31), CODE + 8);
    assert_eq!(t.r(2), 1);
    // bgezall taken: link, slot runs, skips one.
    let t = run(&[bgezall(ZERO, 2), addiu(V0, ZERO, 1), addiu(V1, ZERO, 1)]);
    assert_eq!((t.r(31), t.r(2), t.r(3)), (CODE + 8, 1, 0));
    // bltzall not taken: link, slot nullified.
    let t = run(&[bltzall(ZERO, 2), addiu(V0, ZERO, 1), addiu(V1, ZERO, 1)]);
    assert_eq!((t.r(31), t.r(2), t.r(3)), (CODE + 8, 0, 1));
}

#[test]
fn jumps_and_calls() {
    // jal to a subroutine that sets v0 and returns with jr ra.
    let sub = CODE + 6 * 4;
    let t = run(&[
        jal(sub),
        addiu(A0, ZERO, 3), // delay slot
        addiu(V1, V0, 1),   // after return
        beq(ZERO, ZERO, 4), // over the subroutine
        nop(),
        nop(),
        jr(RA), // sub:
        addiu(V0, A0, 10),
        nop(),
    ]);
    assert_eq!((t.r(2), t.r(3), t.r(31)), (13, 14, CODE + 8));
    // jalr with an explicit link register
    let target = CODE + 4 * 5;
    let t = run(&[
        lui(T9, (target >> 16) as u16),
        ori(T9, T9, target as u16),
        jalr(S0, T9),
        nop(),
        addiu(V0, ZERO, 1), // skipped
        addiu(V1, ZERO, 1), // target
    ]);
    assert_eq!((t.r(2), t.r(3), t.r(16)), (0, 1, CODE + 16));
}

#[test]
fn a_branch_in_a_delay_slot_is_a_reserved_instruction() {
    let mut t = T::new(&prog(&[&[beq(ZERO, ZERO, 2), bne(ZERO, ZERO, 1), nop(), nop()]]));
    assert_eq!(t.run().epc, GENERAL);
    assert_eq!(t.exc_code(), ExcCode::Ri as u32);
    assert_eq!(t.cpu.cp0.epc, CODE, "EPC points at the first branch");
    assert_ne!(t.cpu.cp0.cause & (1 << 31), 0, "BD is set");
}

#[test]
fn jump_to_a_misaligned_address_faults_at_the_target() {
    let mut t = T::new(&prog(&[&[
        addiu(T0, ZERO, 0x1002),
        lui(T1, 0x8000),
        or(T0, T0, T1),
        jr(T0),
        nop(),
    ]]));
    assert_eq!(t.run().epc, GENERAL);
    assert_eq!(t.exc_code(), ExcCode::AdEL as u32);
    assert_eq!(t.cpu.cp0.bad_vaddr, 0x8000_1002);
    assert_eq!(t.cpu.cp0.epc, 0x8000_1002);
}
