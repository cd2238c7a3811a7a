//! The monitor's TLB-miss service (`tlb_miss.rs`), one route at a time: a kernel-segment miss
//! served from the direct map; a user miss the guest's TLB knows, served from the virtual TLB
//! and then from the second-level TLB; a miss the guest's TLB does not know, forwarded to the
//! guest's refill vector (or its general vector at exception level); an invalid or clean guest
//! entry, forwarded to the general vector; first-touch placement of a page on the node of the
//! CPU that touched it; and a guest's own entries in the kernel segment.
//!
//! What the guest sees is checked against the MIPS32 exception rules (EPC, Cause.BD, ExcCode,
//! BadVAddr, Context.BadVPN2, EntryHi.VPN2); which route the monitor took, against its
//! counters (`VmStats::refills_*`) and the trap log.

mod common;

use abi::mcall::MonitorCall;
use common::*;
use mips::asm::{self, T0, T1, T2, T3, T4, T5, ZERO};
use monitor::NodeId;
use monitor::special_page::off;

/// A fresh guest-physical page pair, above the image, that nothing touches before the test.
const FRESH: u32 = 0x0010_0000;
/// Guest-physical pages a test maps at a user address (an even/odd pair).
const FRAME: u32 = 0x50;

/// Code that stores `v` at guest-physical `gpa` through the kernel segment's direct map.
fn store_direct(c: &mut Code, gpa: u32, v: u32) {
    c.li(T1, SSEG + gpa);
    c.li(T2, v);
    c.push(asm::sw(T2, 0, T1));
}

/// The TLB traps (TLBL, TLBS, Mod) in the trap log.
fn tlb_traps(g: &Guest) -> usize {
    g.vm().traps().filter(|t| (1..=3).contains(&u32::from(t.code))).count()
}

#[test]
fn a_kernel_segment_miss_is_served_from_the_direct_map() {
    let mut c = Code::new();
    c.li(T0, SSEG + FRESH + 0x1010);
    let load = c.push(asm::lw(T1, 0, T0));
    c.result(T1, 0);
    c.li(T2, 0xFEED_F00D);
    c.push(asm::sw(T2, 0, T0));
    c.push(asm::lw(T3, 0, T0));
    c.result(T3, 1);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    assert_eq!(g.result(0), 0, "a page the VM never touched reads as zeros");
    assert_eq!(g.result(1), 0xFEED_F00D);
    assert_eq!(g.word(FRESH + 0x1010), 0xFEED_F00D, "guest-physical FRESH + 0x1010");
    // The load missed, the monitor served it without the guest knowing.
    let miss = g.traps_at(exc::TLBL, load);
    assert_eq!(miss.len(), 1);
    assert_eq!(miss[0].detail, SSEG + FRESH + 0x1010);
    let s = g.stats();
    assert_eq!((s.forwarded, s.refills_forwarded), (0, 0), "nothing delivered to the guest");
    assert_eq!((s.refills_vtlb, s.refills_l2tlb), (0, 0));
    // Every TLB trap of this kernel-only program was a direct-map refill.
    assert_eq!(s.refills_direct, tlb_traps(&g) as u64);
    // The hardware entry maps the pair to the pmap's machine pages, dirty, valid and global
    // (the segment is the same in every address space of the guest).
    let even = g.machine_page(FRESH >> 12).expect("even page allocated");
    let odd = g.machine_page((FRESH >> 12) + 1).expect("odd page allocated on the same refill");
    let hw = g.m.cpus[0]
        .mmu
        .tlb
        .entries()
        .iter()
        .find(|e| e.hi & !0x1FFF == SSEG + FRESH)
        .copied()
        .expect("hardware entry");
    assert_eq!((hw.lo0 >> 6, hw.lo1 >> 6), (even.0, odd.0));
    assert_eq!((hw.lo0 & 0b111, hw.lo1 & 0b111), (0b111, 0b111));
    // Both pages were allocated by that refill, so the CPU paid for their allocation and
    // their zeroing, and the zeroed lines sit in its cache (modified: its own stores).
    let cost = monitor::cost::CostModel::default();
    let memory = s.monitor_cycles[monitor::cost::Kind::Memory as usize];
    assert!(memory >= 2 * (cost.page_alloc + cost.zero_page), "memory cycles {memory}");
    let line = g.m.sys.mem.line_bytes();
    // The even page: the program never touches it.
    let cached = g.m.sys.mem.cache(0).present().filter(|&(l, _)| (l * line) >> 12 == even.0);
    assert_eq!(cached.count() as u32, 4096 / line, "the zeroed page is in CPU 0's cache");
}

/// Maps the user page pair at `0x0040_0000` for ASID 5 onto guest-physical pages [`FRAME`],
/// [`FRAME`] + 1 (written first through the direct map), and loads both through it.
fn map_and_load_user_pair(c: &mut Code) {
    store_direct(c, FRAME << 12, 0xAAAA_0000);
    store_direct(c, (FRAME + 1) << 12, 0xBBBB_1111);
    let lo = |gppn| entry_lo(gppn, true, true, false);
    c.tlbwi(7, 0x0040_0005, lo(FRAME), lo(FRAME + 1));
    c.li(T3, 0x0040_0000);
    c.push(asm::lw(T4, 0, T3));
    c.result(T4, 0);
    c.push(asm::lw(T4, 0x1000, T3));
    c.result(T4, 1);
}

#[test]
fn a_user_miss_the_guest_tlb_knows_is_served_from_the_virtual_tlb_then_the_l2tlb() {
    let mut c = Code::new();
    map_and_load_user_pair(&mut c);
    c.push(asm::addiu(T5, ZERO, 1));
    c.result(T5, 7);
    // WAIT until the timer: the VCPU leaves its CPU, whose hardware TLB is flushed when the
    // VCPU comes back. The second-level TLB is the VCPU's own and survives.
    c.mtc0_imm(T0, cp0::STATUS, 0, st::im(7));
    c.push(asm::mfc0(T1, cp0::COUNT, 0));
    c.li(T2, 200_000);
    c.push(asm::addu(T1, T1, T2));
    c.push(asm::mtc0(T1, cp0::COMPARE, 0));
    c.push(asm::wait());
    c.push(asm::lw(T4, 0, T3));
    c.result(T4, 2);
    c.push(asm::lw(T4, 0x1000, T3));
    c.result(T4, 3);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    assert!(g.run_until(1_000_000, |g| g.result(7) == 1), "first accesses done");
    // One miss for the pair, from the guest's entry translated through the pmap.
    let s = g.stats().clone();
    assert_eq!((s.refills_vtlb, s.refills_l2tlb, s.refills_forwarded), (1, 0, 0));
    assert_eq!((g.result(0), g.result(1)), (0xAAAA_0000, 0xBBBB_1111));
    let l2: Vec<_> = g.vcpu(0).l2tlb.entries().copied().collect();
    assert_eq!(l2.len(), 1);
    assert_eq!((l2[0].vpn2, l2[0].asid, l2[0].global), (0x0040_0000 >> 13, 5, false));
    let even = g.machine_page(FRAME).expect("allocated");
    assert_eq!(l2[0].lo0 >> 6, even.0, "the L2TLB holds the machine page");
    g.run_ok();
    let s = g.stats();
    assert_eq!((s.refills_vtlb, s.refills_l2tlb, s.refills_forwarded), (1, 1, 0));
    assert_eq!((g.result(2), g.result(3)), (0xAAAA_0000, 0xBBBB_1111));
    assert_eq!(s.forwarded, 0, "nothing delivered to the guest");
}

#[test]
fn a_user_miss_the_guest_tlb_does_not_know_goes_to_the_refill_vector() {
    const VA: u32 = 0x0080_0124;
    let mut c = Code::new();
    c.mtc0_imm(T0, cp0::CONTEXT, 0, 0xFF80_0000);
    c.mtc0_imm(T0, cp0::ENTRY_HI, 0, 6);
    c.li(T0, VA);
    let load = c.push(asm::lw(T1, 0, T0));
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.expect_exit(EXIT_REFILL);
    let r = g.record(Vector::Refill).expect("refill handler ran");
    assert_eq!(r.badvaddr, VA);
    assert_eq!(r.epc, load);
    assert_eq!(exc_code(r.cause), exc::TLBL);
    assert_eq!(r.cause & BD, 0);
    assert_eq!(r.status & st::EXL, st::EXL);
    // Context.BadVPN2 = VA 31..13 in bits 22..4, PTEBase kept; EntryHi.VPN2 = VA 31..13, ASID
    // kept: what a refill handler needs to find and write the entry.
    assert_eq!(r.context, 0xFF80_0000 | (VA >> 13) << 4);
    assert_eq!(r.entryhi, (VA & !0x1FFF) | 6);
    assert_eq!(g.stats().refills_forwarded, 1);
}

#[test]
fn a_store_miss_in_a_delay_slot_reports_the_branch() {
    const VA: u32 = 0x0080_2000;
    let mut c = Code::new();
    c.li(T0, VA);
    let branch = c.push(asm::beq(ZERO, ZERO, 3));
    c.push(asm::sw(T1, 0, T0));
    c.push(asm::nop());
    c.push(asm::nop());
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.expect_exit(EXIT_REFILL);
    let r = g.record(Vector::Refill).expect("refill handler ran");
    assert_eq!(exc_code(r.cause), exc::TLBS);
    assert_eq!(r.epc, branch, "EPC is the branch");
    assert_ne!(r.cause & BD, 0, "Cause.BD");
    assert_eq!(r.badvaddr, VA);
}

#[test]
fn a_miss_at_exception_level_goes_to_the_general_vector_and_keeps_epc() {
    const VA: u32 = 0x0080_4000;
    let mut c = Code::new();
    // As inside a guest exception handler: EXL set, EPC that of the first exception.
    c.mtc0_imm(T0, cp0::EPC, 0, 0xC000_1111);
    c.mtc0_imm(T0, cp0::STATUS, 0, st::EXL);
    c.li(T0, VA);
    c.push(asm::lw(T1, 0, T0));
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.expect_exit(EXIT_GENERAL);
    let r = g.record(Vector::General).expect("general vector");
    assert_eq!(exc_code(r.cause), exc::TLBL);
    assert_eq!(r.epc, 0xC000_1111, "EPC is not updated at exception level");
    assert_eq!(r.badvaddr, VA);
}

#[test]
fn an_invalid_guest_entry_goes_to_the_general_vector() {
    const VA: u32 = 0x0090_0000;
    let mut c = Code::new();
    // The even page invalid, the odd page valid.
    let odd = entry_lo(FRAME + 1, true, true, false);
    c.tlbwi(3, VA, entry_lo(FRAME, true, false, false), odd);
    c.li(T0, VA);
    let load = c.push(asm::lw(T1, 0, T0));
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.expect_exit(EXIT_GENERAL);
    let r = g.record(Vector::General).expect("general vector");
    assert_eq!(exc_code(r.cause), exc::TLBL, "a TLB-invalid exception");
    assert_eq!((r.epc, r.badvaddr), (load, VA));
    assert!(g.record(Vector::Refill).is_none(), "not the refill vector");
}

#[test]
fn an_invalid_half_of_a_cached_pair_goes_to_the_general_vector() {
    // As above, but the odd page was used first: the hardware TLB holds the pair with its
    // invalid half, and the invalid exception comes from the hardware.
    const VA: u32 = 0x0090_0000;
    let mut c = Code::new();
    let odd = entry_lo(FRAME + 1, true, true, false);
    c.tlbwi(3, VA, entry_lo(FRAME, true, false, false), odd);
    c.li(T0, VA);
    c.push(asm::lw(T1, 0x1000, T0));
    let load = c.push(asm::lw(T1, 0, T0));
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.expect_exit(EXIT_GENERAL);
    let r = g.record(Vector::General).expect("general vector");
    assert_eq!(exc_code(r.cause), exc::TLBL);
    assert_eq!((r.epc, r.badvaddr), (load, VA));
    assert_eq!(g.stats().refills_vtlb, 1, "the odd page came from the virtual TLB");
}

#[test]
fn a_store_to_a_clean_guest_page_is_a_tlb_modified_exception() {
    const VA: u32 = 0x00A0_0000;
    let mut c = Code::new();
    let clean = entry_lo(FRAME, false, true, false);
    c.tlbwi(4, VA, clean, clean);
    c.li(T0, VA);
    c.push(asm::lw(T1, 0, T0));
    c.result(T1, 0);
    let store = c.push(asm::sw(T1, 0, T0));
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.expect_exit(EXIT_GENERAL);
    let r = g.record(Vector::General).expect("general vector");
    assert_eq!(exc_code(r.cause), exc::MOD);
    assert_eq!((r.epc, r.badvaddr), (store, VA));
    assert_eq!(g.stats().refills_vtlb, 1, "the load was served");
}

#[test]
fn a_first_touch_places_the_page_on_the_touching_cpus_node() {
    // Two nodes of one CPU; VCPU 1's home is CPU 1, on node 1. The VM's home node is 0 (its
    // kernel image is there), so a page on node 1 is there because VCPU 1 touched it first.
    const BY_VCPU0: u32 = 0x0030_0000;
    const BY_VCPU1: u32 = 0x0020_0000;
    const USER_FRAME: u32 = 0x280;
    let mut c = Code::new();
    c.mcall(MonitorCall::StartVcpu, &[1, CODE2, SSEG + 0x3F_0000]);
    store_direct(&mut c, BY_VCPU0, 0x1111);
    c.wait_for_result(T0, 1);
    c.power_off(EXIT_OK);
    let mut c1 = Code::at(CODE2);
    store_direct(&mut c1, BY_VCPU1, 0x2222);
    // And through a user mapping (the virtual TLB's route).
    let lo = entry_lo(USER_FRAME, true, true, false);
    c1.tlbwi(1, 0x0040_0000, lo, 0);
    c1.li(T3, 0x0040_0000);
    c1.push(asm::sw(T3, 0, T3));
    c1.push(asm::addiu(T1, ZERO, 1));
    c1.result(T1, 1);
    c1.push(asm::b(-1));
    c1.push(asm::nop());
    let mut k = Kernel::new(&c);
    k.put(&c1);
    let mut g = Guest::boot(&k, Setup::smp(2, 1, 2));
    g.run_ok();
    assert_eq!(g.vm().home_node(), NodeId(0));
    let node = |g: &Guest, gppn: u32| {
        g.mon.memmap().node_of(g.machine_page(gppn).expect("page allocated"))
    };
    // The direct map allocates both pages of the pair it maps, together.
    for gppn in [BY_VCPU1 >> 12, (BY_VCPU1 >> 12) + 1, USER_FRAME] {
        assert_eq!(node(&g, gppn), NodeId(1), "guest page {gppn:#x}, touched by VCPU 1");
    }
    for gppn in [BY_VCPU0 >> 12, (BY_VCPU0 >> 12) + 1] {
        assert_eq!(node(&g, gppn), NodeId(0), "guest page {gppn:#x}, touched by VCPU 0");
    }
    assert_eq!(g.word(BY_VCPU1), 0x2222);
    assert_eq!(g.word(USER_FRAME << 12), 0x0040_0000);
}

#[test]
fn a_guest_entry_in_the_kernel_segment_takes_precedence_over_the_direct_map() {
    // The guest maps its own page at a kernel-segment address (as dux maps its per-CPU area):
    // within the VM's memory, the guest's entry wins over the direct map.
    const VA: u32 = SSEG + 0x0020_0000;
    let mut c = Code::new();
    store_direct(&mut c, FRAME << 12, 0x5555);
    let g_lo = entry_lo(FRAME, true, true, true);
    c.tlbwi(1, VA, g_lo, entry_lo(FRAME + 1, true, true, true));
    c.li(T0, VA);
    c.push(asm::lw(T1, 0, T0));
    c.result(T1, 0);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    assert_eq!(g.result(0), 0x5555);
    assert_eq!(g.machine_page((VA - SSEG) >> 12), None, "the direct-mapped page is untouched");
}

#[test]
fn a_guest_entry_in_the_kernel_segment_keeps_its_asid() {
    // A non-global guest entry maps a kernel-segment page for ASID 1 only. Under ASID 2 the
    // guest's TLB has no entry for it (and the direct map has no page there: the address is
    // beyond the VM's memory), so the access must be a TLB refill for the guest — not a hit on
    // what the monitor cached for ASID 1.
    const VA: u32 = 0xD000_0000;
    let mut c = Code::new();
    store_direct(&mut c, FRAME << 12, 0x5555);
    let lo = |gppn| entry_lo(gppn, true, true, false);
    c.tlbwi(1, VA | 1, lo(FRAME), lo(FRAME + 1));
    c.li(T0, VA);
    c.push(asm::lw(T1, 0, T0));
    c.result(T1, 0);
    c.mtc0_imm(T2, cp0::ENTRY_HI, 0, 2);
    let load = c.push(asm::lw(T1, 0, T0));
    c.result(T1, 1);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.expect_exit(EXIT_REFILL);
    assert_eq!(g.result(0), 0x5555, "ASID 1 reads the guest's page");
    assert_eq!(g.result(1), 0, "ASID 2 read ASID 1's page");
    let r = g.record(Vector::Refill).expect("refill handler ran");
    assert_eq!((r.epc, r.badvaddr), (load, VA));
    assert_eq!(r.entryhi, VA | 2);
}

#[test]
fn a_privileged_instruction_on_a_page_the_guest_mapped_is_emulated() {
    // Guest kernel code on a kernel-segment page the guest mapped itself: the monitor must
    // emulate the instruction the guest's mapping shows, not whatever the direct map has at
    // that address.
    const VA: u32 = 0xD000_0000;
    let mut c = Code::new();
    let lo = entry_lo((SPARE - SSEG) >> 12, true, true, true);
    c.tlbwi(1, VA, lo, lo);
    c.mtc0_imm(T0, cp0::EPC, 0, 0x1234_5678);
    c.li(T0, VA);
    c.push(asm::jr(T0));
    c.push(asm::nop());
    let mut k = Kernel::new(&c);
    let mut far = Code::bare(SPARE);
    far.push(asm::mfc0(T1, cp0::EPC, 0));
    far.result(T1, 0);
    far.power_off(EXIT_OK);
    k.put(&far);
    let mut g = Guest::boot(&k, Setup::default());
    g.run_ok();
    assert_eq!(g.result(0), 0x1234_5678);
}

#[test]
fn the_special_page_is_the_vcpus_own() {
    // Loads and stores at 0xDFFF_F000 reach the VCPU's special page (a refill the monitor
    // serves, never the guest).
    let mut c = Code::new();
    c.special_lw(T1, off::CPU);
    c.result(T1, 0);
    c.li(T2, 0x0042_0000);
    c.special_sw(T2, off::EPC);
    c.push(asm::mfc0(T3, cp0::EPC, 0));
    c.result(T3, 1);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    g.run_ok();
    assert_eq!(g.result(0), 0);
    assert_eq!(g.result(1), 0x0042_0000, "MFC0 EPC reads what the store put there");
    assert_eq!(g.special(0, off::EPC), 0x0042_0000);
    assert_eq!(g.stats().refills_forwarded, 0);
}
