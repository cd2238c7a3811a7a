//! The monitor's emulation of the guest kernel's privileged instructions (`emulate.rs`), one
//! instruction at a time: a few supervisor-mode instructions run as a VM's kernel, store what
//! they see, and power off. Expected values come from the MIPS32 privileged architecture
//! (../shared/mips32-notes.md), and where the architecture leaves a choice to the
//! implementation, from the physical CPU the virtual one is meant to look like.
//!
//! Covered: MTC0 write masks (Status, EntryHi, EntryLo0/1, PageMask, Cause, Wired, Index,
//! Context, BadVAddr, EBase), MFC0 of every virtual register (Count, Random, EBase's CPU
//! number), TLBWR, TLBWI, TLBP, TLBR, ERET (EXL, ERL, to user mode), WAIT, DI/EI, CACHE/SYNCI,
//! RDPGPR/WRPGPR, and the interrupts that MTC0 Cause/Status/Compare raise or acknowledge.

mod common;

use abi::mcall::MonitorCall;
use common::*;
use machine::MachineConfig;
use mips::asm::{self, A0, S0, S1, T0, T1, T2, T3, T4, T5, T6, T7, T8, ZERO};
use mips::cp0::reg;
use monitor::special_page::off;

/// What the physical CPU (the `mips` model) reads back after MTC0 `v` to `r` (`reg * 8 +
/// sel`), for fields whose width the architecture leaves to the implementation.
fn physical_after_write(r: u32, v: u32) -> u32 {
    let mut cpu = mips::Cpu::new(0, 64);
    cpu.write_cp0(r, v);
    cpu.read_cp0(r)
}

/// Code that writes `v` to CP0 register `rd` and stores what MFC0 then reads as result `k`.
fn write_then_read(c: &mut Code, rd: u32, v: u32, k: u32) {
    c.mtc0_imm(T0, rd, 0, v);
    c.push(asm::mfc0(T1, rd, 0));
    c.result(T1, k);
}

/// SYNCI offset(base): REGIMM with rt = 31 (not in `mips::asm`).
fn synci(offset: i16, base: u32) -> u32 {
    0x0400_0000 | base << 21 | 0x1F << 16 | u32::from(offset as u16)
}

/// RDPGPR rd, rt (COP0, rs = 10).
fn rdpgpr(rd: u32, rt: u32) -> u32 {
    0x4140_0000 | rt << 16 | rd << 11
}

/// WRPGPR rd, rt (COP0, rs = 14).
fn wrpgpr(rd: u32, rt: u32) -> u32 {
    0x41C0_0000 | rt << 16 | rd << 11
}

// ---- MTC0 masks --------------------------------------------------------------------------------

#[test]
fn mtc0_status_keeps_only_the_writable_bits() {
    let mut c = Code::new();
    write_then_read(&mut c, cp0::STATUS, 0xFFFF_FFFF, 0);
    c.special_lw(T2, off::STATUS);
    c.result(T2, 1);
    write_then_read(&mut c, cp0::STATUS, 0, 2);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    // CU0 (28), BEV (22), IM7..IM0, KSU, ERL, EXL, IE. Not CU1..CU3 (no coprocessors), RP, FR,
    // RE, MX, PX (not implemented), TS, SR, NMI (set by hardware events only), KX/SX/UX (64-bit).
    let writable = 1 << 28 | 1 << 22 | 0xFF << 8 | 3 << 3 | st::ERL | st::EXL | st::IE;
    assert_eq!(g.result(0), writable, "MFC0 Status after writing all ones");
    assert_eq!(g.result(0), physical_after_write(reg::STATUS, !0));
    assert_eq!(g.result(1), writable, "the special page holds the virtual Status");
    assert_eq!(g.result(2), 0);
}

#[test]
fn mtc0_tlb_registers_keep_only_their_fields() {
    let mut c = Code::new();
    write_then_read(&mut c, cp0::ENTRY_HI, 0xFFFF_FFFF, 0);
    c.special_lw(T2, off::ENTRYHI);
    c.result(T2, 1);
    write_then_read(&mut c, cp0::ENTRY_HI, 0, 2);
    write_then_read(&mut c, cp0::ENTRY_LO0, 0xFFFF_FFFF, 3);
    c.special_lw(T2, off::ENTRYLO0);
    c.result(T2, 4);
    write_then_read(&mut c, cp0::ENTRY_LO1, 0xFFFF_FFFF, 5);
    write_then_read(&mut c, cp0::PAGE_MASK, 0xFFFF_FFFF, 6);
    write_then_read(&mut c, cp0::PAGE_MASK, 0, 7);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    // EntryHi: VPN2 (31..13) and ASID (7..0); bits 12..8 read 0.
    assert_eq!(g.result(0), 0xFFFF_E0FF);
    assert_eq!(g.result(1), 0xFFFF_E0FF, "the special page holds the virtual EntryHi");
    assert_eq!(g.result(2), 0);
    // EntryLo: PFN (25..6, a 32-bit physical address space), C, D, V, G; 31..26 read 0.
    assert_eq!(g.result(3), 0x03FF_FFFF);
    assert_eq!(g.result(4), 0x03FF_FFFF);
    assert_eq!(g.result(5), 0x03FF_FFFF);
    // PageMask: Mask (28..13).
    assert_eq!(g.result(6), 0x1FFF_E000);
    assert_eq!(g.result(7), 0);
}

#[test]
fn mtc0_cause_changes_only_the_software_interrupts_and_iv() {
    let mut c = Code::new();
    write_then_read(&mut c, cp0::CAUSE, 0xFFFF_FFFF, 0);
    write_then_read(&mut c, cp0::CAUSE, 0, 1);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    // As after an exception in a delay slot: BD and ExcCode (10, RI) are the hardware's to set.
    g.set_special(0, off::CAUSE, BD | 10 << 2);
    g.run_ok();
    // Software may write IP1..IP0 (9..8) and IV (23, MIPS32 release 2); BD, CE, IP7..IP2 and
    // ExcCode are read-only. (Status = 0: the software interrupts stay pending, not taken.)
    assert_eq!(g.result(0), BD | 1 << 23 | 3 << 8 | 10 << 2);
    assert_eq!(g.result(1), BD | 10 << 2);
}

#[test]
fn mtc0_wired_and_index_keep_six_bits_on_a_64_entry_tlb() {
    let mut c = Code::new();
    write_then_read(&mut c, cp0::WIRED, 0xFFFF_FFFF, 0);
    write_then_read(&mut c, cp0::WIRED, 0, 1);
    write_then_read(&mut c, cp0::INDEX, 0xFFFF_FFFF, 2);
    write_then_read(&mut c, cp0::INDEX, 0x7FFF_FFC5, 3);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    assert_eq!(g.result(0), 0x3F);
    assert_eq!(g.result(1), 0);
    // Index.P (bit 31) is read-only: MTC0 does not set it.
    assert_eq!(g.result(2), 0x3F);
    assert_eq!(g.result(3), 0x05);
    assert_eq!(g.result(2), physical_after_write(reg::INDEX, !0));
}

#[test]
fn mtc0_wired_and_index_are_as_wide_as_the_tlb_needs() {
    // A 16-entry TLB: Index and Wired have four bits (the width is ceil(log2(entries)); the
    // bits above read 0), as on the physical CPU the VCPU imitates.
    let mut c = Code::new();
    write_then_read(&mut c, cp0::INDEX, 0x1F, 0);
    write_then_read(&mut c, cp0::WIRED, 0x1F, 1);
    // With Wired = 15 of 16 entries, Random can only be 15.
    c.push(asm::mfc0(T1, cp0::RANDOM, 0));
    c.result(T1, 2);
    c.power_off(EXIT_OK);
    let setup = Setup {
        machine: MachineConfig { tlb_entries: 16, ..MachineConfig::flash(1, 1) },
        ..Setup::default()
    };
    let mut g = Guest::boot(&Kernel::new(&c), setup);
    g.run_ok();
    assert_eq!(g.result(0), 0xF);
    assert_eq!(g.result(1), 0xF);
    assert_eq!(g.result(2), 15);
}

#[test]
fn mtc0_index_leaves_the_probe_failure_bit_alone() {
    let mut c = Code::new();
    // A probe that fails sets P (bit 31) ...
    c.mtc0_imm(T0, cp0::ENTRY_HI, 0, 0x7770_0000);
    c.push(asm::tlbp());
    c.push(asm::mfc0(T1, cp0::INDEX, 0));
    c.result(T1, 0);
    // ... which MTC0 Index cannot clear or set: only the index field is writable.
    write_then_read(&mut c, cp0::INDEX, 5, 1);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    assert_ne!(g.result(0) & 1 << 31, 0, "the probe failed");
    assert_eq!(g.result(1), 1 << 31 | 5, "MTC0 Index kept P");
}

#[test]
fn mtc0_context_writes_only_ptebase() {
    let mut c = Code::new();
    write_then_read(&mut c, cp0::CONTEXT, 0xFFFF_FFFF, 0);
    write_then_read(&mut c, cp0::CONTEXT, 0, 1);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    // BadVPN2 as a TLB exception on 0x0024_6000 left it (VA 31..13 in bits 22..4).
    let bad_vpn2 = (0x0024_6000 >> 13) << 4;
    g.set_special(0, off::CONTEXT, bad_vpn2);
    g.run_ok();
    // PTEBase (31..23) is software's; BadVPN2 (22..4) is the hardware's, read-only.
    assert_eq!(g.result(0), 0xFF80_0000 | bad_vpn2);
    assert_eq!(g.result(1), bad_vpn2);
}

#[test]
fn mtc0_badvaddr_is_ignored() {
    let mut c = Code::new();
    write_then_read(&mut c, cp0::BAD_VADDR, 0x1111_2222, 0);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.set_special(0, off::BADVADDR, 0x0BAD_0ADD);
    g.run_ok();
    assert_eq!(g.result(0), 0x0BAD_0ADD, "BadVAddr is read-only");
}

#[test]
fn mtc0_ebase_moves_the_guest_exception_vectors() {
    // EBase 31..30 are fixed at 0b10 (kseg0) and 29..12 are the base; the guest's kseg0 is the
    // supervisor segment (guest-physical p at 0xC000_0000 + p), so writing the base of SPARE
    // must send the next exception to SPARE + 0x180, whichever segment the written value named.
    let mut c = Code::new();
    c.mtc0_imm(T0, cp0::PRID_EBASE, 1, SPARE);
    c.push(asm::mfc0(T1, cp0::PRID_EBASE, 1));
    c.result(T1, 0);
    c.mtc0_imm(T0, cp0::PRID_EBASE, 1, SPARE - SSEG);
    c.push(asm::mfc0(T1, cp0::PRID_EBASE, 1));
    c.result(T1, 1);
    let brk = c.push(asm::break_(7));
    c.power_off(EXIT_OK);
    let mut k = Kernel::new(&c);
    let mut handler = Code::bare(SPARE + 0x180);
    handler.special_lw(T2, off::EPC);
    handler.result(T2, 2);
    handler.power_off(0x5180);
    k.put(&handler);
    let mut g = Guest::boot(&k, Setup::default());
    g.expect_exit(0x5180);
    assert_eq!(g.result(0), 0x8000_0000 | (SPARE - SSEG), "MFC0 EBase, CPU number 0");
    assert_eq!(g.result(1), 0x8000_0000 | (SPARE - SSEG));
    assert_eq!(g.result(2), brk, "EPC of the break");
}

// ---- MFC0 ---------------------------------------------------------------------------------------

#[test]
fn mfc0_reads_every_virtual_register() {
    let mut c = Code::new();
    // Registers the monitor keeps outside the special page, set the architectural way.
    c.mtc0_imm(T0, cp0::INDEX, 0, 9);
    c.mtc0_imm(T0, cp0::PAGE_MASK, 0, 0x6000);
    c.mtc0_imm(T0, cp0::WIRED, 0, 3);
    let regs: [(u32, u32); 17] = [
        (cp0::INDEX, 0),
        (cp0::ENTRY_LO0, 0),
        (cp0::ENTRY_LO1, 0),
        (cp0::CONTEXT, 0),
        (cp0::PAGE_MASK, 0),
        (cp0::WIRED, 0),
        (cp0::BAD_VADDR, 0),
        (cp0::ENTRY_HI, 0),
        (cp0::COMPARE, 0),
        (cp0::STATUS, 0),
        (cp0::CAUSE, 0),
        (cp0::EPC, 0),
        (cp0::PRID_EBASE, 0),
        (cp0::PRID_EBASE, 1),
        (cp0::CONFIG, 1),
        (cp0::ERROR_EPC, 0),
        (cp0::CONFIG, 0),
    ];
    for (k, (rd, sel)) in regs.iter().enumerate() {
        c.push(asm::mfc0(T1, *rd, *sel));
        c.result(T1, k as u32);
    }
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    // The rest live in the special page, where the guest (or the monitor delivering an
    // exception) would have put them.
    let special = [
        (off::STATUS, st::EXL | 0xFF00),
        (off::CAUSE, exc::BP << 2),
        (off::EPC, 0xC000_1234),
        (off::BADVADDR, 0x1234_5678),
        (off::ENTRYHI, 0x0040_2007),
        (off::CONTEXT, 0xFF80_1230),
        (off::COMPARE, 0x7FFF_0000),
        (off::ENTRYLO0, 0x0000_1017),
        (off::ENTRYLO1, 0x0000_2016),
        (off::ERROREPC, 0xC000_4321),
    ];
    for (o, v) in special {
        g.set_special(0, o, v);
    }
    g.run_ok();
    let want = [
        9,
        0x0000_1017,
        0x0000_2016,
        0xFF80_1230,
        0x6000,
        3,
        0x1234_5678,
        0x0040_2007,
        0x7FFF_0000,
        st::EXL | 0xFF00,
        exc::BP << 2,
        0xC000_1234,
    ];
    for (k, w) in want.iter().enumerate() {
        assert_eq!(g.result(k as u32), *w, "MFC0 of {:?}", regs[k]);
    }
    // PRId: the physical CPU's (identification is the hardware's).
    assert_eq!(g.result(12), g.m.cpus[0].read_cp0(reg::PRID));
    // EBase: 31..30 = 0b10, the base (guest-physical 0 here), CPUNum 0.
    assert_eq!(g.result(13), 0x8000_0000);
    // Config1.MMUSize (30..25) = TLB entries - 1: the guest sizes its TLB from it.
    assert_eq!((g.result(14) >> 25) & 0x3F, 63);
    assert_eq!(g.result(15), 0xC000_4321);
    // Config.M (31): Config1 exists.
    assert_ne!(g.result(16) & 1 << 31, 0);
}

#[test]
fn mfc0_ebase_holds_the_vcpu_number() {
    let mut c = Code::new();
    c.mcall(MonitorCall::StartVcpu, &[1, CODE2, SSEG + 0x3F_0000]);
    c.wait_for_result(T2, 1);
    c.push(asm::mfc0(T1, cp0::PRID_EBASE, 1));
    c.result(T1, 0);
    c.power_off(EXIT_OK);
    let mut c1 = Code::at(CODE2);
    c1.push(asm::mfc0(T1, cp0::PRID_EBASE, 1));
    c1.result(T1, 2);
    c1.push(asm::addiu(T1, ZERO, 1));
    c1.result(T1, 1);
    c1.push(asm::b(-1));
    c1.push(asm::nop());
    let mut k = Kernel::new(&c);
    k.put(&c1);
    let mut g = Guest::boot(&k, Setup::smp(1, 2, 2));
    g.run_ok();
    assert_eq!(g.result(0), 0x8000_0000, "VCPU 0");
    assert_eq!(g.result(2), 0x8000_0001, "VCPU 1");
}

#[test]
fn mfc0_count_follows_the_machine_clock_at_half_rate() {
    let mut c = Code::new();
    let first = c.push(asm::mfc0(T0, cp0::COUNT, 0));
    c.delay(T1, 2000);
    let second = c.push(asm::mfc0(T2, cp0::COUNT, 0));
    c.result(T0, 0);
    c.result(T2, 1);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    // Count is the machine's clock, advancing every other cycle: at the trap of each MFC0 it
    // reads half the CPU's cycle count (give or take the monitor's own time for the trap).
    let slack = (g.mon.config().cost.trap + g.mon.config().cost.emulate_cp0) / 2 + 1;
    for (k, pc) in [(0, first), (1, second)] {
        let trap = g.traps_at(exc::CPU, pc);
        assert_eq!(trap.len(), 1, "one trap for the MFC0 at {pc:#x}");
        let half = (trap[0].cycle / 2) as u32;
        let count = g.result(k);
        assert!(
            (half..=half + slack as u32).contains(&count),
            "Count {count} at cycle {} (expected {half} + at most {slack})",
            trap[0].cycle
        );
    }
    // The loop between them ran 4000 instructions, each at least one cycle.
    assert!(g.result(1) - g.result(0) >= 2000);
}

#[test]
fn mfc0_random_stays_between_wired_and_the_last_entry() {
    let mut c = Code::new();
    c.mtc0_imm(T0, cp0::WIRED, 0, 40);
    for k in 0..24 {
        c.push(asm::mfc0(T1, cp0::RANDOM, 0));
        c.result(T1, k);
        // A different number of instructions between reads.
        for _ in 0..k % 5 {
            c.push(asm::nop());
        }
    }
    c.mtc0_imm(T0, cp0::WIRED, 0, 0);
    for k in 24..48 {
        c.push(asm::mfc0(T1, cp0::RANDOM, 0));
        c.result(T1, k);
        for _ in 0..k % 7 {
            c.push(asm::nop());
        }
    }
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    let with_wired: Vec<u32> = (0..24).map(|k| g.result(k)).collect();
    let without: Vec<u32> = (24..48).map(|k| g.result(k)).collect();
    assert!(with_wired.iter().all(|r| (40..64).contains(r)), "{with_wired:?}");
    assert!(without.iter().all(|r| (0..64).contains(r)), "{without:?}");
    // Random changes as instructions execute.
    assert!(with_wired.iter().any(|&r| r != with_wired[0]), "{with_wired:?}");
    assert!(without.iter().any(|&r| r != without[0]), "{without:?}");
}

// ---- TLB instructions ---------------------------------------------------------------------------

#[test]
fn tlbwr_writes_a_random_entry_never_below_wired() {
    let mut c = Code::new();
    c.mtc0_imm(T0, cp0::WIRED, 0, 8);
    // Wired entries 0..8, each with its own address.
    for i in 0..8 {
        c.tlbwi(i, 0x1000_0000 + (i << 13), 0, 0);
    }
    // 40 TLBWRs; a probe right after each finds where it went.
    for k in 0..40 {
        c.mtc0_imm(T0, cp0::ENTRY_HI, 0, 0x2000_0000 + (k << 13));
        c.push(asm::tlbwr());
        c.push(asm::tlbp());
        c.push(asm::mfc0(T1, cp0::INDEX, 0));
        c.result(T1, k);
        for _ in 0..k % 3 {
            c.push(asm::nop());
        }
    }
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    let written: Vec<u32> = (0..40).map(|k| g.result(k)).collect();
    assert!(written.iter().all(|ix| (8..64).contains(ix)), "{written:?}");
    assert!(written.iter().any(|&ix| ix != written[0]), "random: {written:?}");
    let vtlb = &g.vcpu(0).vtlb;
    for i in 0..8 {
        assert_eq!(vtlb.get(i).hi, 0x1000_0000 + ((i as u32) << 13), "wired entry {i}");
    }
}

#[test]
fn tlbwi_writes_at_index_and_tlbr_reads_the_entry_back() {
    let mut c = Code::new();
    // Entry 17: G only in EntryLo0, so not global. Entry 18: global. Entry 19: 16 KB pages.
    let lo0 = (0x123 << 6) | 3 << 3 | 0b111;
    let lo1 = (0x456 << 6) | 2 << 3 | 0b010;
    c.tlbwi(17, 0x0123_402A, lo0, lo1);
    c.tlbwi(18, 0x0124_0000, lo0, lo1 | 1);
    c.mtc0_imm(T0, cp0::PAGE_MASK, 0, 0x6000);
    c.mtc0_imm(T0, cp0::ENTRY_HI, 0, 0x0040_8003);
    c.mtc0_imm(T0, cp0::ENTRY_LO0, 0, lo0);
    c.mtc0_imm(T0, cp0::ENTRY_LO1, 0, lo1);
    c.mtc0_imm(T0, cp0::INDEX, 0, 19);
    c.push(asm::tlbwi());
    for (k, index) in [17u32, 18, 19].into_iter().enumerate() {
        // Clobber the registers TLBR fills.
        c.mtc0_imm(T0, cp0::ENTRY_HI, 0, 0x7FFF_E0FF);
        c.mtc0_imm(T0, cp0::ENTRY_LO0, 0, 0x03FF_FFFF);
        c.mtc0_imm(T0, cp0::ENTRY_LO1, 0, 0x03FF_FFFF);
        c.mtc0_imm(T0, cp0::PAGE_MASK, 0, 0x1FFF_E000);
        c.mtc0_imm(T0, cp0::INDEX, 0, index);
        c.push(asm::tlbr());
        let k = 4 * k as u32;
        for (j, rd) in
            [cp0::ENTRY_HI, cp0::ENTRY_LO0, cp0::ENTRY_LO1, cp0::PAGE_MASK].into_iter().enumerate()
        {
            c.push(asm::mfc0(T1, rd, 0));
            c.result(T1, k + j as u32);
        }
    }
    c.mtc0_imm(T0, cp0::ENTRY_HI, 0, 0);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    let r: Vec<u32> = (0..12).map(|k| g.result(k)).collect();
    // An entry is global only if G was set in both EntryLo; TLBR reports the entry's one G
    // bit in both.
    assert_eq!(r[0..4], [0x0123_402A, lo0 & !1, lo1, 0], "entry 17");
    assert_eq!(r[4..8], [0x0124_0000, lo0, lo1 | 1, 0], "entry 18");
    assert_eq!(r[8..12], [0x0040_8003, lo0 & !1, lo1, 0x6000], "entry 19");
    // And the write went to the index asked for.
    assert_eq!(g.vcpu(0).vtlb.get(17).hi, 0x0123_402A);
}

#[test]
fn tlbp_finds_the_matching_entry_or_sets_the_probe_failure_bit() {
    let mut c = Code::new();
    let valid = entry_lo(0x50, true, true, false);
    c.tlbwi(9, 0x0050_0003, valid, valid);
    let global = entry_lo(0x60, true, true, true);
    c.tlbwi(12, 0x0060_0007, global, global);
    let probes = [
        0x0050_0003, // entry 9
        0x0050_0004, // same page, another ASID: no match
        0x0060_0004, // a global entry matches every ASID: entry 12
        0x0070_0003, // no entry
        0x0050_0003, // entry 9 again: P clear after a hit
    ];
    for (k, hi) in probes.into_iter().enumerate() {
        c.mtc0_imm(T0, cp0::ENTRY_HI, 0, hi);
        c.push(asm::tlbp());
        c.push(asm::mfc0(T1, cp0::INDEX, 0));
        c.result(T1, k as u32);
    }
    c.mtc0_imm(T0, cp0::ENTRY_HI, 0, 0);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    const P: u32 = 1 << 31;
    assert_eq!(g.result(0), 9);
    assert_ne!(g.result(1) & P, 0, "another ASID: {:#x}", g.result(1));
    assert_eq!(g.result(2), 12);
    assert_ne!(g.result(3) & P, 0, "no entry: {:#x}", g.result(3));
    assert_eq!(g.result(4), 9);
}

// ---- ERET ---------------------------------------------------------------------------------------

#[test]
fn eret_returns_to_epc_and_clears_exl() {
    let mut c = Code::new();
    c.mtc0_imm(T0, cp0::STATUS, 0, 0xFF00 | st::EXL);
    let target = c.li_later(T1);
    c.push(asm::mtc0(T1, cp0::EPC, 0));
    c.push(asm::eret());
    // ERET has no delay slot: this must not run.
    c.push(asm::addiu(T2, ZERO, 0xBAD));
    c.result(T2, 9);
    let here = c.here();
    c.patch(target, here);
    c.push(asm::mfc0(T3, cp0::STATUS, 0));
    c.result(T3, 0);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    assert_eq!(g.result(0), 0xFF00, "EXL cleared, the rest kept");
    assert_eq!(g.result(9), 0, "the instruction after ERET ran");
}

#[test]
fn eret_at_error_level_returns_to_errorepc_and_clears_only_erl() {
    let mut c = Code::new();
    c.mtc0_imm(T0, cp0::STATUS, 0, 0xFF00 | st::ERL | st::EXL);
    let target = c.li_later(T1);
    c.push(asm::mtc0(T1, cp0::ERROR_EPC, 0));
    let wrong = c.li_later(T1);
    c.push(asm::mtc0(T1, cp0::EPC, 0));
    c.push(asm::eret());
    c.push(asm::nop());
    let here = c.here();
    c.patch(wrong, here);
    c.power_off(0xBAD);
    let here = c.here();
    c.patch(target, here);
    c.push(asm::mfc0(T3, cp0::STATUS, 0));
    c.result(T3, 0);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    assert_eq!(g.result(0), 0xFF00 | st::EXL, "ERL cleared, EXL kept");
}

#[test]
fn eret_to_user_mode_runs_the_program_in_user_mode() {
    const UVA: u32 = 0x0040_0000;
    let mut c = Code::new();
    // The user page, mapped for ASID 1.
    c.tlbwi(2, UVA | 1, entry_lo((USER - SSEG) >> 12, true, true, false), 0);
    c.mtc0_imm(T0, cp0::ENTRY_HI, 0, 1);
    c.mtc0_imm(T0, cp0::STATUS, 0, st::KSU_USER | st::EXL);
    c.mtc0_imm(T0, cp0::EPC, 0, UVA);
    c.push(asm::eret());
    c.power_off(0xBAD);
    let mut k = Kernel::new(&c);
    // The program: sets $t5 and makes a system call, which goes to the guest's general vector.
    k.put_words(USER, &[asm::addiu(T5, ZERO, 0x55), asm::syscall(0), asm::nop()]);
    let mut g = Guest::boot(&k, Setup::default());
    g.expect_exit(EXIT_GENERAL);
    let r = g.record(Vector::General).expect("general vector");
    assert_eq!(exc_code(r.cause), exc::SYS);
    assert_eq!(r.epc, UVA + 4);
    // The exception set EXL and left KSU = user, as the hardware does.
    assert_eq!(r.status, st::KSU_USER | st::EXL);
    assert_eq!(g.vcpu(0).ctx.regs[T5 as usize], 0x55, "the program ran");
    let sys = g.traps_at(exc::SYS, UVA + 4);
    assert_eq!(sys.len(), 1);
    assert!(sys[0].user, "the physical CPU ran the program in user mode");
}

// ---- WAIT ---------------------------------------------------------------------------------------

#[test]
fn wait_deschedules_the_vcpu_until_its_timer_fires() {
    let mut c = Code::new();
    // IM7 (the timer) unmasked, IE clear: WAIT ends when the timer is pending, without taking
    // the interrupt.
    c.mtc0_imm(T0, cp0::STATUS, 0, st::im(7));
    c.push(asm::mfc0(T1, cp0::COUNT, 0));
    c.li(T2, 100_000);
    c.push(asm::addu(T3, T1, T2));
    c.push(asm::mtc0(T3, cp0::COMPARE, 0));
    c.push(asm::wait());
    c.push(asm::mfc0(T4, cp0::COUNT, 0));
    c.result(T1, 0);
    c.result(T3, 1);
    c.result(T4, 2);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    let (before, compare, after) = (g.result(0), g.result(1), g.result(2));
    assert!(after.wrapping_sub(compare) < 1 << 31, "woke at {after} before Compare {compare}");
    assert!(after - before >= 100_000);
    // The physical CPU went idle (ran nothing) while the VCPU waited, then ran it again.
    let runs: Vec<bool> = g.mon.take_timeline().iter().map(|e| e.runs.is_some()).collect();
    assert_eq!(runs, [true, false, true, false], "boot, WAIT, timer, power off");
    // A VCPU that waits executes nothing meanwhile.
    assert!(g.stats().instructions < 1000, "{} instructions", g.stats().instructions);
}

#[test]
fn wait_with_an_unmasked_interrupt_pending_does_not_deschedule() {
    let mut c = Code::new();
    // An IPI to itself: IP3 pending; IM3 unmasked, IE clear.
    c.mcall(MonitorCall::SendIpi, &[0]);
    c.mtc0_imm(T0, cp0::STATUS, 0, st::im(3));
    c.push(asm::wait());
    c.push(asm::mfc0(T1, cp0::CAUSE, 0));
    c.result(T1, 0);
    c.mcall(MonitorCall::AckIpi, &[]);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    assert_ne!(g.result(0) & 1 << 11, 0, "IP3 pending");
    let runs: Vec<bool> = g.mon.take_timeline().iter().map(|e| e.runs.is_some()).collect();
    assert_eq!(runs, [true, false], "boot, power off: WAIT returned at once");
}

// ---- DI / EI, CACHE / SYNCI, RDPGPR / WRPGPR ------------------------------------------------------

#[test]
fn di_and_ei_return_the_old_status_and_toggle_ie() {
    let mut c = Code::new();
    c.mtc0_imm(T0, cp0::STATUS, 0, 0xFF00 | st::IE);
    c.push(asm::di(T1));
    c.push(asm::mfc0(T2, cp0::STATUS, 0));
    c.push(asm::ei(T3));
    c.push(asm::mfc0(T4, cp0::STATUS, 0));
    // `di` with rt = $zero: only the side effect.
    c.push(asm::di(ZERO));
    c.push(asm::mfc0(T5, cp0::STATUS, 0));
    for (k, r) in [T1, T2, T3, T4, T5].into_iter().enumerate() {
        c.result(r, k as u32);
    }
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    let r: Vec<u32> = (0..5).map(|k| g.result(k)).collect();
    assert_eq!(r, [0xFF01, 0xFF00, 0xFF00, 0xFF01, 0xFF00]);
}

#[test]
fn cache_and_synci_are_accepted() {
    let mut c = Code::new();
    c.li(T0, CODE);
    // Hit_Invalidate (I-cache) and SYNCI on the code itself, as after writing instructions.
    c.push(asm::cache(0x10, 0, T0));
    c.push(synci(0, T0));
    c.push(asm::addiu(T1, ZERO, 0x600D));
    c.result(T1, 0);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    assert_eq!(g.result(0), 0x600D);
    assert_eq!(g.stats().forwarded, 0, "nothing was delivered to the guest");
    // CACHE is privileged and emulated; SYNCI is a user-mode instruction in release 2.
    assert_eq!(g.stats().emulated, 1);
}

#[test]
fn rdpgpr_and_wrpgpr_copy_within_the_one_register_set() {
    let mut c = Code::new();
    c.li(T0, 0x1234_5678);
    c.push(rdpgpr(T1, T0));
    c.push(wrpgpr(T2, T0));
    c.result(T1, 0);
    c.result(T2, 1);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    assert_eq!((g.result(0), g.result(1)), (0x1234_5678, 0x1234_5678));
    assert_eq!(g.stats().emulated, 2);
}

// ---- Interrupts raised and acknowledged by MTC0 --------------------------------------------------

#[test]
fn a_software_interrupt_is_taken_once_status_enables_it() {
    let mut c = Code::new();
    c.mtc0_imm(T0, cp0::CAUSE, 0, st::im(0));
    c.mtc0_imm(T0, cp0::STATUS, 0, st::im(0) | st::IE);
    let next = c.push(asm::nop());
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.expect_exit(EXIT_GENERAL);
    let r = g.record(Vector::General).expect("general vector");
    assert_eq!(exc_code(r.cause), exc::INT);
    assert_ne!(r.cause & 1 << 8, 0, "IP0");
    assert_eq!(r.epc, next, "taken before the next instruction");
    assert_eq!(r.status, st::im(0) | st::IE | st::EXL);
}

/// A kernel whose general vector counts interrupts in result 0, keeps the last Cause in
/// result 1, and acknowledges the timer by pushing Compare far ahead — with MTC0 (`mtc0`) or
/// a store to the special page — before ERET. The main code arms the timer, enables it, and
/// spins for a while.
fn timer_kernel(mtc0: bool) -> Kernel {
    let mut c = Code::new();
    c.push(asm::mfc0(T1, cp0::COUNT, 0));
    c.li(T2, 3000);
    c.push(asm::addu(T1, T1, T2));
    c.push(asm::mtc0(T1, cp0::COMPARE, 0));
    c.mtc0_imm(T0, cp0::STATUS, 0, st::im(7) | st::IE);
    c.delay(T3, 30_000);
    c.power_off(EXIT_OK);
    let mut k = Kernel::new(&c);
    let mut v = Code::bare(GENERAL);
    v.push(asm::j(SPARE));
    v.push(asm::nop());
    k.put(&v);
    let mut h = Code::bare(SPARE);
    h.load_result(T6, 0);
    h.push(asm::addiu(T6, T6, 1));
    h.result(T6, 0);
    h.push(asm::mfc0(T7, cp0::CAUSE, 0));
    h.result(T7, 1);
    h.push(asm::mfc0(T8, cp0::COUNT, 0));
    h.li(S0, 0x4000_0000);
    h.push(asm::addu(S1, T8, S0));
    if mtc0 {
        h.push(asm::mtc0(S1, cp0::COMPARE, 0));
    } else {
        h.special_sw(S1, off::COMPARE);
    }
    h.push(asm::eret());
    k.put(&h);
    k
}

#[test]
fn the_timer_interrupts_when_count_passes_compare() {
    let mut g = Guest::boot(&timer_kernel(true), Setup::default());
    g.run_ok();
    assert!(g.result(0) >= 1, "no timer interrupt");
    let cause = g.result(1);
    assert_eq!(exc_code(cause), exc::INT);
    assert_ne!(cause & 1 << 15, 0, "IP7");
}

#[test]
fn mtc0_compare_acknowledges_the_timer_at_once() {
    // Writing Compare clears the timer interrupt: the ERET after the handler's MTC0 must not
    // take the same interrupt again.
    let mut g = Guest::boot(&timer_kernel(true), Setup::default());
    g.run_ok();
    assert_eq!(g.result(0), 1, "timer interrupts taken");
}

#[test]
fn a_compare_stored_in_the_special_page_acknowledges_the_timer_by_the_next_trap() {
    // docs/monitor-abi.md: the monitor reads the special page back "at every trap", so the
    // ERET after the store should see the acknowledgement.
    let mut g = Guest::boot(&timer_kernel(false), Setup::default());
    g.run_ok();
    assert_eq!(g.result(0), 1, "timer interrupts taken");
}

#[test]
fn a_privileged_instruction_in_user_mode_is_the_guests_coprocessor_unusable() {
    // From the guest's user mode, MFC0 is the guest's problem (CpU, CE = 0), not emulated.
    const UVA: u32 = 0x0040_0000;
    let mut c = Code::new();
    c.tlbwi(2, UVA, entry_lo((USER - SSEG) >> 12, true, true, false), 0);
    c.mtc0_imm(T0, cp0::STATUS, 0, st::KSU_USER | st::EXL);
    c.mtc0_imm(T0, cp0::EPC, 0, UVA);
    c.push(asm::eret());
    let mut k = Kernel::new(&c);
    k.put_words(USER, &[asm::mfc0(A0, cp0::STATUS, 0), asm::nop()]);
    let mut g = Guest::boot(&k, Setup::default());
    g.expect_exit(EXIT_GENERAL);
    let r = g.record(Vector::General).expect("general vector");
    assert_eq!(exc_code(r.cause), exc::CPU);
    assert_eq!((r.cause >> 28) & 3, 0, "CE = 0");
    assert_eq!(r.epc, UVA);
}
