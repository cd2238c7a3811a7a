//! TLB shootdown (`shootdown.rs`): after a guest page is mapped through the virtual TLB,
//! `Monitor::shootdown` must drop every translation of it — the hardware TLB entry of each
//! physical CPU running a VCPU that maps it and those VCPUs' second-level TLB entries — so that
//! the next access misses again and is translated afresh from the guest's TLB; it must name
//! the physical CPUs it had to interrupt; and when the page's back-maps overflowed, it must
//! drop everything the VM's VCPUs cached. A migration or a new replica instead keeps the
//! second-level TLB entries, pointed at the new machine page (each VCPU's node's copy).
//!
//! The guest maps the page, tells the test so through a result word, and spins until the test
//! (having shot the page down from outside, as a page-migration policy would) lets it go on.

mod common;

use abi::mcall::MonitorCall;
use common::*;
use mips::asm::{self, T0, T1, T2, T3, T4, ZERO};
use monitor::ids::{Gppn, NodeId, VmId};
use monitor::pmap::{Backmap, Backmaps};
use monitor::{PcpuId, VcpuId};

/// The guest-physical page pair the tests map.
const FRAME: u32 = 0x50;
/// Where they map it, for ASID 5.
const UVA: u32 = 0x0040_0000;
const ASID: u32 = 5;

/// Code for one VCPU: writes `magic` to [`FRAME`] through the direct map, maps [`UVA`] to it,
/// loads it (result `first`), sets result `mapped`, waits for result `go`, loads it again
/// (result `again`).
fn map_wait_reload(c: &mut Code, magic: u32, [first, mapped, go, again]: [u32; 4]) {
    c.li(T1, SSEG + (FRAME << 12));
    c.li(T2, magic);
    c.push(asm::sw(T2, 0, T1));
    let lo = |gppn| entry_lo(gppn, true, true, false);
    c.tlbwi(3, UVA | ASID, lo(FRAME), lo(FRAME + 1));
    c.li(T3, UVA);
    c.push(asm::lw(T4, 0, T3));
    c.result(T4, first);
    c.push(asm::addiu(T4, ZERO, 1));
    c.result(T4, mapped);
    c.wait_for_result(T4, go);
    c.push(asm::lw(T4, 0, T3));
    c.result(T4, again);
}

/// Does physical CPU `p`'s hardware TLB hold a valid translation of `va`?
fn hw_maps(g: &Guest, p: usize, va: u32) -> bool {
    g.m.cpus[p].mmu.tlb.entries().iter().any(|e| {
        let lo = e.lo_for(va);
        e.hi & !0x1FFF == va & !0x1FFF && lo & 2 != 0
    })
}

/// Does VCPU `j`'s second-level TLB hold the pair of `va`?
fn l2_maps(g: &Guest, j: u16, va: u32) -> bool {
    g.vcpu(j).l2tlb.entries().any(|e| e.vpn2 == va >> 13)
}

#[test]
fn a_shootdown_drops_the_hardware_and_l2tlb_entries_of_the_page() {
    let mut c = Code::new();
    map_wait_reload(&mut c, 0x5157, [0, 1, 2, 3]);
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    assert!(g.run_until(2_000_000, |g| g.result(1) == 1), "the guest mapped the page");
    assert_eq!(g.result(0), 0x5157);
    assert_eq!(g.stats().refills_vtlb, 1);
    assert!(hw_maps(&g, 0, UVA), "hardware TLB");
    assert!(l2_maps(&g, 0, UVA), "second-level TLB");
    let b = Backmap { vcpu: VcpuId(0), asid: ASID as u8, vpn: UVA >> 12 };
    match g.vm().pmap().backmaps(Gppn(FRAME)) {
        Backmaps::Known(list) => assert!(list.contains(&b), "{list:?}"),
        Backmaps::Everywhere => panic!("one mapping overflowed the back-maps"),
    }

    // The guest wrote the page through the kernel segment's direct map too: that is the
    // page's other translation.
    let direct = SSEG + (FRAME << 12);
    assert!(hw_maps(&g, 0, direct));

    let s = g.mon.shootdown(&mut g.m, VmId(0), Gppn(FRAME));
    assert_eq!(s.cpus, [PcpuId(0)], "the CPU running the VCPU that maps the page");
    assert_eq!(s.hw_entries, 2, "the user and the direct-map translations");
    assert!(!s.whole_vm);
    assert!(!hw_maps(&g, 0, UVA), "hardware entry dropped");
    assert!(!hw_maps(&g, 0, direct), "direct-map entry dropped");
    assert!(!l2_maps(&g, 0, UVA), "L2TLB entry dropped");
    assert_eq!(g.vm().pmap().backmaps(Gppn(FRAME)), Backmaps::Known(&[]), "back-maps consumed");
    g.assert_sound();

    // The next access misses in both and is translated again from the guest's TLB (a later
    // miss on the same page, after the hardware TLB's random replacement evicted it, may be
    // served from the L2TLB again).
    let l2_before = g.stats().refills_l2tlb;
    g.poke(DATA - SSEG + 4 * 2, 1);
    g.run_ok();
    assert_eq!(g.result(3), 0x5157);
    let s = g.stats();
    assert_eq!(s.refills_vtlb, 2, "translated afresh from the guest's TLB");
    assert_eq!(l2_before, 0, "nothing was served from the L2TLB before the shootdown");
}

#[test]
fn a_shootdown_names_every_cpu_that_maps_the_page_and_only_those() {
    // Two CPUs, one VCPU on each. Both map FRAME; only VCPU 1 maps FRAME + 2.
    let mut c = Code::new();
    c.mcall(MonitorCall::StartVcpu, &[1, CODE2, SSEG + 0x3F_0000]);
    map_wait_reload(&mut c, 0x5157, [0, 1, 2, 3]);
    c.wait_for_result(T0, 13);
    c.power_off(EXIT_OK);
    let mut c1 = Code::at(CODE2);
    let lo = entry_lo(FRAME + 2, true, true, false);
    c1.tlbwi(9, 0x0080_0000 | ASID, lo, 0);
    c1.li(T3, 0x0080_0000);
    c1.push(asm::lw(T4, 0, T3));
    map_wait_reload(&mut c1, 0x5157, [10, 11, 12, 13]);
    c1.push(asm::b(-1));
    c1.push(asm::nop());
    let mut k = Kernel::new(&c);
    k.put(&c1);
    let mut g = Guest::boot(&k, Setup::smp(1, 2, 2));
    assert!(g.run_until(2_000_000, |g| g.result(1) == 1 && g.result(11) == 1), "both mapped");
    assert_eq!(g.stats().refills_vtlb, 3);

    let other = g.mon.shootdown(&mut g.m, VmId(0), Gppn(FRAME + 2));
    assert_eq!(other.cpus, [PcpuId(1)], "only VCPU 1 maps FRAME + 2");
    assert!(hw_maps(&g, 0, UVA) && hw_maps(&g, 1, UVA), "FRAME is still mapped on both");

    let s = g.mon.shootdown(&mut g.m, VmId(0), Gppn(FRAME));
    let mut cpus = s.cpus.clone();
    cpus.sort();
    assert_eq!(cpus, [PcpuId(0), PcpuId(1)]);
    // On each CPU, the user and the direct-map translations.
    assert_eq!(s.hw_entries, 4);
    assert!(!hw_maps(&g, 0, UVA) && !hw_maps(&g, 1, UVA));
    assert!(!l2_maps(&g, 0, UVA) && !l2_maps(&g, 1, UVA));
    g.assert_sound();

    g.poke(DATA - SSEG + 4 * 2, 1);
    g.poke(DATA - SSEG + 4 * 12, 1);
    g.run_ok();
    assert_eq!((g.result(3), g.result(13)), (0x5157, 0x5157));
    assert_eq!(g.stats().refills_vtlb, 5, "each VCPU translated FRAME again");
}

#[test]
fn a_page_with_too_many_back_maps_is_shot_down_everywhere() {
    // Seventeen entries each map both of their pages to FRAME: 34 virtual pages, more than the
    // 32 back-maps a page keeps.
    let mut c = Code::new();
    let lo = entry_lo(FRAME, true, true, false);
    for i in 0..17 {
        c.tlbwi(10 + i, (UVA + (i << 13)) | ASID, lo, lo);
    }
    for i in 0..34 {
        c.li(T3, UVA + i * 0x1000);
        c.push(asm::lw(T4, 0, T3));
    }
    c.push(asm::addiu(T4, ZERO, 1));
    c.result(T4, 1);
    c.wait_for_result(T4, 2);
    for i in 0..34 {
        c.li(T3, UVA + i * 0x1000);
        c.push(asm::lw(T4, 0, T3));
    }
    c.power_off(EXIT_OK);
    let mut g = Guest::boot_code(&c);
    assert!(g.run_until(2_000_000, |g| g.result(1) == 1), "the guest mapped the pages");
    assert_eq!(g.vm().pmap().backmaps(Gppn(FRAME)), Backmaps::Everywhere);
    let vtlb_before = g.stats().refills_vtlb;
    assert_eq!(vtlb_before, 17, "one refill per pair");

    let s = g.mon.shootdown(&mut g.m, VmId(0), Gppn(FRAME));
    assert!(s.whole_vm);
    assert_eq!(s.cpus, [PcpuId(0)]);
    assert_eq!(g.vcpu(0).l2tlb.entries().count(), 0, "the VCPU's L2TLB is empty");
    assert!((0..34).all(|i| !hw_maps(&g, 0, UVA + i * 0x1000)));
    assert_eq!(g.vm().pmap().backmaps(Gppn(FRAME)), Backmaps::Known(&[]), "tracked again");
    g.assert_sound();

    g.poke(DATA - SSEG + 4 * 2, 1);
    g.run_ok();
    assert_eq!(g.stats().refills_vtlb, 34, "every pair translated again");
}

/// VCPU `j`'s second-level TLB translation of the 4 KB page at `va`: machine frame and D bit.
fn l2_translation(g: &Guest, j: u16, va: u32) -> Option<(u32, bool)> {
    g.vcpu(j).l2tlb.entries().find(|e| e.vpn2 == va >> 13).and_then(|e| {
        let lo = if va & 0x1000 == 0 { e.lo0 } else { e.lo1 };
        (lo & 2 != 0).then_some((lo >> 6, lo & 4 != 0))
    })
}

/// Two nodes, a VCPU on each; both map [`FRAME`] at [`UVA`] and wait (results 1 and 11).
fn both_nodes_map_the_page() -> Guest {
    let mut c = Code::new();
    c.mcall(MonitorCall::StartVcpu, &[1, CODE2, SSEG + 0x3F_0000]);
    map_wait_reload(&mut c, 0x5157, [0, 1, 2, 3]);
    c.wait_for_result(T0, 13);
    c.power_off(EXIT_OK);
    let mut c1 = Code::at(CODE2);
    map_wait_reload(&mut c1, 0x5157, [10, 11, 12, 13]);
    c1.push(asm::b(-1));
    c1.push(asm::nop());
    let mut k = Kernel::new(&c);
    k.put(&c1);
    let mut g = Guest::boot(&k, Setup::smp(2, 1, 2));
    assert!(g.run_until(2_000_000, |g| g.result(1) == 1 && g.result(11) == 1), "both mapped");
    let master = g.machine_page(FRAME).expect("touched");
    assert_eq!(l2_translation(&g, 0, UVA), Some((master.0, true)));
    assert_eq!(l2_translation(&g, 1, UVA), Some((master.0, true)));
    g
}

/// Lets both VCPUs load the page again: they read its bytes, and no reload goes back to the
/// guest's TLB (the second-level TLBs still translate it).
fn reload_from_the_l2tlbs(mut g: Guest) {
    let vtlb = g.stats().refills_vtlb;
    g.poke(DATA - SSEG + 4 * 2, 1);
    g.poke(DATA - SSEG + 4 * 12, 1);
    g.run_ok();
    assert_eq!((g.result(3), g.result(13)), (0x5157, 0x5157));
    assert_eq!(g.stats().refills_vtlb, vtlb, "no reload went back to the guest's TLB");
}

fn node_of(g: &Guest, frame: u32) -> NodeId {
    g.mon.memmap().node_of(monitor::ids::Mppn(frame))
}

// A migration or a new replica changes the machine page behind a guest page, not the guest's
// mappings: the second-level TLBs keep their entries, pointed at the page each VCPU should now
// use, instead of sending every later miss through the guest's own refill handler.

#[test]
fn a_replication_points_each_vcpus_l2tlb_entry_at_its_nodes_copy_read_only() {
    let mut g = both_nodes_map_the_page();
    let master = g.machine_page(FRAME).expect("touched");
    let to = if node_of(&g, master.0) == NodeId(0) { NodeId(1) } else { NodeId(0) };
    let rep = g.mon.replicate(&mut g.m, PcpuId(1), VmId(0), Gppn(FRAME), to).expect("replicated");
    assert!(!hw_maps(&g, 0, UVA) && !hw_maps(&g, 1, UVA), "the hardware TLBs lost the page");
    for j in 0..2u16 {
        let (frame, dirty) = l2_translation(&g, j, UVA).expect("kept");
        assert!(!dirty, "VCPU {j}: a replicated page is read-only");
        assert_eq!(node_of(&g, frame), NodeId(j), "VCPU {j}: its node's copy");
        assert!([master.0, rep.copy.0].contains(&frame));
    }
    g.assert_sound();
    reload_from_the_l2tlbs(g);
}

#[test]
fn a_migration_points_every_l2tlb_entry_at_the_new_page() {
    let mut g = both_nodes_map_the_page();
    let old = g.machine_page(FRAME).expect("touched");
    let to = if node_of(&g, old.0) == NodeId(0) { NodeId(1) } else { NodeId(0) };
    let moved = g.mon.migrate(&mut g.m, PcpuId(0), VmId(0), Gppn(FRAME), to).expect("migrated");
    assert_eq!(moved.from, old);
    assert!(!hw_maps(&g, 0, UVA) && !hw_maps(&g, 1, UVA), "the hardware TLBs lost the page");
    for j in 0..2u16 {
        assert_eq!(l2_translation(&g, j, UVA), Some((moved.to.0, true)), "VCPU {j}");
    }
    g.assert_sound();
    reload_from_the_l2tlbs(g);
}
