//! Exception delivery: EPC and BD in delay slots, EXL nesting, vectors (BEV, EBase, IV),
//! privilege and segment rules, reserved and coprocessor-unusable instructions, interrupts
//! from the timer and software, and WAIT.

mod common;

use common::{CODE, GENERAL, INTERRUPT, REFILL, T, li, prog};
use mips::asm::*;
use mips::cp0::{cause, reg, status};
use mips::{ExcCode, Exit};

#[test]
fn syscall_in_a_delay_slot_sets_bd_and_epc_to_the_branch() {
    let mut t = T::new(&prog(&[&[nop(), beq(ZERO, ZERO, 3), syscall(0), nop()]]));
    assert_eq!(t.run().epc, GENERAL);
    assert_eq!(t.exc_code(), ExcCode::Sys as u32);
    assert_eq!(t.cpu.cp0.epc, CODE + 4);
    assert_ne!(t.cpu.cp0.cause & cause::BD, 0);
    assert_ne!(t.cpu.cp0.status & status::EXL, 0);
}

#[test]
fn with_exl_set_epc_is_kept_and_a_tlb_miss_uses_the_general_vector() {
    // Set EXL by hand (as inside a handler), then touch an unmapped kuseg address.
    let mut t = T::new(&prog(&[&[
        addiu(T0, ZERO, status::EXL as i16),
        mtc0(T0, 12, 0),
        lw(V0, 0x100, ZERO),
    ]]));
    t.cpu.cp0.epc = 0x1234_5678;
    assert_eq!(t.run().epc, GENERAL, "refill with EXL=1 goes to the general vector");
    assert_eq!(t.exc_code(), ExcCode::TlbL as u32);
    assert_eq!(t.cpu.cp0.epc, 0x1234_5678, "EPC unchanged");
    assert_eq!(t.cpu.cp0.bad_vaddr, 0x100);
}

#[test]
fn tlb_miss_with_exl_clear_uses_the_refill_vector() {
    let mut t = T::new(&prog(&[&[sw(ZERO, 0x2468, ZERO)]]));
    assert_eq!(t.run().epc, REFILL);
    assert_eq!(t.exc_code(), ExcCode::TlbS as u32);
    assert_eq!(t.cpu.cp0.bad_vaddr, 0x2468);
    assert_eq!(t.cpu.cp0.entry_hi & 0xFFFF_E000, 0x2000);
    assert_eq!(t.cpu.cp0.context & 0x007F_FFF0, (0x2468 >> 13) << 4);
}

#[test]
fn bev_and_ebase_move_the_vectors() {
    // BEV = 1: general vector at 0xBFC00380 (needs memory up there).
    let mut t = T::with_memory(&prog(&[&[syscall(0)]]), 0x1FC0_1000);
    t.mem.load_words(0x1FC0_0380, &[break_(5), nop()]);
    t.cpu.write_cp0(reg::STATUS, status::BEV);
    assert_eq!(t.run().epc, 0xBFC0_0380);
    // EBase moves the BEV=0 vectors.
    let mut t = T::new(&prog(&[&[syscall(0)]]));
    t.mem.load_words(0x8180, &[break_(6), nop()]);
    t.cpu.write_cp0(reg::EBASE, 0x8000_8000);
    assert_eq!(t.run().epc, 0x8000_8180);
    assert_eq!(t.cpu.read_cp0(reg::EBASE) & 0x3FF, 0, "CPU number stays");
}

#[test]
fn eret_returns_and_clears_exl_or_erl() {
    let mut t = T::new(&prog(&[&[addiu(V0, ZERO, 1)]]));
    t.mem.load_words(0x4000, &[eret(), addiu(V0, ZERO, 99)]);
    t.cpu.cp0.epc = CODE;
    t.cpu.cp0.error_epc = 0x8000_4004;
    t.cpu.write_cp0(reg::STATUS, status::EXL);
    t.cpu.set_pc(0x8000_4000);
    t.run_to_end();
    assert_eq!(t.r(2), 1, "returned to EPC, not past ERET");
    assert_eq!(t.cpu.cp0.status & status::EXL, 0);
    // ERL has priority: ERET goes to ErrorEPC and clears ERL.
    let mut t = T::new(&[break_(0)]);
    t.mem.load_words(0x4000, &[eret(), addiu(V0, ZERO, 99), break_(0)]);
    t.cpu.cp0.error_epc = 0x8000_4004;
    t.cpu.write_cp0(reg::STATUS, status::ERL | status::EXL);
    t.cpu.set_pc(0x8000_4000);
    t.run();
    assert_eq!(t.r(2), 99);
    assert_eq!(t.cpu.cp0.status & (status::ERL | status::EXL), status::EXL);
}

/// Switches to `mode_bits` (KSU) and runs `code` there, returning after the first exception.
fn in_mode(ksu: u32, code: &[u32]) -> T {
    // The code runs from kseg0; only kernel mode may fetch there, so map... instead run it
    // through sseg/kuseg via an identity TLB entry for page 0x00001000 -> physical 0x1000.
    let mut t = T::new(&[]);
    t.mem.load_words(0x1000, code);
    let entry =
        mips::tlb::TlbEntry { hi: 0x0000_0000, mask: 0, lo0: 0, lo1: 1 << 6 | 3 << 3 | 0b111 };
    t.cpu.write_tlb_entry(0, entry);
    t.cpu.write_cp0(reg::STATUS, ksu << 3);
    t.cpu.set_pc(0x0000_1000);
    t
}

#[test]
fn user_and_supervisor_modes_cannot_reach_kernel_segments() {
    for ksu in [1, 2] {
        let mut t = in_mode(ksu, &[lui(T0, 0x8000), lw(V0, 0, T0), nop()]);
        assert_eq!(t.run().epc, GENERAL);
        assert_eq!(t.exc_code(), ExcCode::AdEL as u32, "KSU {ksu} touching kseg0");
        assert_eq!(t.cpu.cp0.bad_vaddr, 0x8000_0000);
        assert_eq!(t.cpu.cp0.epc, 0x1004);
    }
    // User mode may not touch sseg; supervisor gets a TLB miss there (it is mapped for it).
    let mut t = in_mode(2, &[lui(T0, 0xC000), lw(V0, 0, T0), nop()]);
    t.run();
    assert_eq!(t.exc_code(), ExcCode::AdEL as u32);
    let mut t = in_mode(1, &[lui(T0, 0xC000), lw(V0, 0, T0), nop()]);
    assert_eq!(t.run().epc, REFILL);
    assert_eq!(t.exc_code(), ExcCode::TlbL as u32);
}

#[test]
fn privileged_instructions_outside_kernel_mode() {
    for (ksu, insn) in [
        (2, mtc0(ZERO, 12, 0)),
        (1, mfc0(V0, 12, 0)),
        (2, tlbwi()),
        (1, eret()),
        (2, cache(0, 0, ZERO)),
        (1, wait()),
        (2, di(ZERO)),
    ] {
        let mut t = in_mode(ksu, &[insn, nop()]);
        assert_eq!(t.run().epc, GENERAL);
        assert_eq!(t.exc_code(), ExcCode::CpU as u32, "{}", mips::disasm::disasm(insn, 0));
        assert_eq!((t.cpu.cp0.cause >> 28) & 3, 0, "CE = 0");
    }
    // With CU0 set, user mode may use CP0.
    let mut t = in_mode(2, &[mfc0(V0, 15, 0), break_(0), nop()]);
    t.cpu.write_cp0(reg::STATUS, 2 << 3 | status::CU0);
    t.run();
    assert_eq!(t.r(2), mips::cp0::PRID);
}

#[test]
fn reserved_and_coprocessor_instructions() {
    let mut t = T::new(&prog(&[&[0xFC00_0000]]));
    t.run();
    assert_eq!(t.exc_code(), ExcCode::Ri as u32);
    // A floating-point instruction (lwc1): no FPU, CpU with CE = 1.
    let mut t = T::new(&prog(&[&[0xC400_0000]]));
    t.run();
    assert_eq!(t.exc_code(), ExcCode::CpU as u32);
    assert_eq!((t.cpu.cp0.cause >> 28) & 3, 1);
    // RDHWR of an unimplemented register.
    let mut t = T::new(&prog(&[&[rdhwr(V0, 5)]]));
    t.run();
    assert_eq!(t.exc_code(), ExcCode::Ri as u32);
}

#[test]
fn timer_interrupt_is_taken_when_enabled() {
    // Enable IM7 and IE, Compare = Count + 50, then spin.
    let mut t = T::new(&prog(&[
        &[mfc0(T0, 9, 0), addiu(T0, T0, 50), mtc0(T0, 11, 0)],
        &li(T1, status::IE | 0x8000),
        &[mtc0(T1, 12, 0), beq(ZERO, ZERO, -1), nop()],
    ]));
    assert_eq!(t.run().epc, GENERAL);
    assert_eq!(t.exc_code(), ExcCode::Int as u32);
    assert_ne!(t.cpu.cp0.cause & cause::TI, 0);
    assert_ne!(t.cpu.cp0.cause & cause::IP_TIMER, 0);
    // Count advances every other cycle: 50 counts = about 100 cycles after setting Compare.
    assert!((100..130).contains(&t.cpu.cycles()), "took {} cycles", t.cpu.cycles());
    // Writing Compare acknowledges it.
    t.cpu.write_cp0(reg::COMPARE, 0);
    assert_eq!(t.cpu.cp0.cause & (cause::TI | cause::IP_TIMER), 0);
}

#[test]
fn masked_interrupts_are_not_taken_and_iv_uses_the_special_vector() {
    // Software interrupt 0 raised, but IM0 clear: no interrupt.
    let mut t = T::new(&prog(&[&[
        addiu(T0, ZERO, 0x100),
        mtc0(T0, 13, 0),
        addiu(T1, ZERO, 1),
        mtc0(T1, 12, 0),
        nop(),
    ]]));
    t.run_to_end();
    // Now with IM0 set and Cause.IV: interrupt at offset 0x200.
    let iv = cause::IV as i32;
    let mut t = T::new(&prog(&[
        &li(T0, (0x100 | iv) as u32),
        &[mtc0(T0, 13, 0), addiu(T1, ZERO, 0x101), mtc0(T1, 12, 0), nop(), nop()],
    ]));
    assert_eq!(t.run().epc, INTERRUPT);
    assert_eq!(t.cpu.cp0.epc, CODE + 20, "EPC is the instruction after the enabling mtc0");
}

#[test]
fn wait_idles_until_the_timer() {
    let mut t = T::new(&prog(&[
        &[mfc0(T0, 9, 0), addiu(T0, T0, 1000), mtc0(T0, 11, 0)],
        &li(T1, status::IE | 0x8000),
        &[mtc0(T1, 12, 0), wait(), nop()],
    ]));
    assert_eq!(t.run().epc, GENERAL);
    assert_eq!(t.exc_code(), ExcCode::Int as u32);
    assert!(t.cpu.stats().idle_cycles > 1900, "idle {}", t.cpu.stats().idle_cycles);
    // A WAIT with nothing to wake it just burns the budget.
    let mut t = T::new(&prog(&[&[wait(), nop()]]));
    assert_eq!(t.cpu.run(&mut t.mem, 10_000), Exit::Budget);
    assert!(t.cpu.is_waiting());
    assert_eq!(t.cpu.cycles(), 10_000);
}

#[test]
fn reported_exceptions_leave_cp0_alone_and_can_be_retried() {
    let mut t = T::new(&prog(&[&[addiu(V0, ZERO, 1), lw(V1, 0x40, ZERO), addiu(A0, ZERO, 2)]]));
    t.cpu.set_report_mask(mips::REPORT_ALL);
    let status_before = t.cpu.cp0.status;
    let Exit::Exception(e) = t.cpu.run(&mut t.mem, 1000) else { panic!("expected a report") };
    assert_eq!(
        (e.fault.code, e.fault.refill, e.fault.vaddr, e.epc),
        (ExcCode::TlbL, true, 0x40, CODE + 4)
    );
    assert_eq!(t.cpu.cp0.status, status_before);
    assert_eq!(t.cpu.cp0.bad_vaddr, 0);
    // The owner maps page 0 and retries.
    t.cpu
        .write_tlb_entry(3, mips::tlb::TlbEntry { hi: 0, mask: 0, lo0: 0x10 << 6 | 0b110, lo1: 0 });
    t.mem.load_words(0x10040, &[0xCAFE]);
    t.cpu.retry(&e);
    let Exit::Exception(e) = t.cpu.run(&mut t.mem, 1000) else { panic!() };
    assert_eq!(e.fault.code, ExcCode::Bp);
    assert_eq!((t.r(3), t.r(4)), (0xCAFE, 2));
}
