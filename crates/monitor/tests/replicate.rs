//! Page replication (`replicate.rs`, paper §4.2.3), driven from outside as the NUMA policy would
//! drive it, with two virtual CPUs on two nodes sharing one guest page:
//!
//! - after the page is replicated, the reader on the other node maps its own node's copy, not
//!   writable, and reads the same bytes;
//! - a store to the page (by either VCPU) collapses the copies onto the writer's node before it
//!   completes, and afterwards every VCPU reads the new value;
//! - the refusals: a page already on the node, a node with no page to spare.
//!
//! The harness checks the monitor's invariants (replicas read-only and identical, pmap and
//! memmap agreeing) after every trap and quantum.

mod common;

use common::*;
use mips::asm::{self, T1, T2, T3, T4};
use monitor::events::{CollapseCause, EventKind};
use monitor::ids::{Gppn, Mppn, NodeId, PcpuId, VmId};
use monitor::numa_policy::Refusal;

/// The shared guest page.
const FRAME: u32 = 0x60;
/// Its address in the kernel segment's direct map.
const VA: u32 = SSEG + (FRAME << 12);

/// Result words.
const WROTE: u32 = 1;
const READ1: u32 = 10;
const READY1: u32 = 11;
const GO_READ: u32 = 12;
const READ2: u32 = 13;
const READY2: u32 = 14;
const GO_WRITE: u32 = 2;
const WRITTEN: u32 = 3;
const GO_READ3: u32 = 15;
const READ3: u32 = 16;
const DONE: u32 = 17;

/// The physical CPU's hardware TLB translation of `va`: its machine page and D bit.
fn hw_translation(g: &Guest, p: usize, va: u32) -> Option<(Mppn, bool)> {
    g.m.cpus[p].mmu.tlb.entries().iter().find_map(|e| {
        let lo = e.lo_for(va);
        (e.hi & !0x1FFF == va & !0x1FFF && lo & 2 != 0)
            .then_some((Mppn((lo >> 6) & 0xF_FFFF), lo & 4 != 0))
    })
}

/// VCPU 0 (node 0) writes 0x1111, VCPU 1 (node 1) reads it twice (before and after the test
/// replicates the page); then `writer` stores 0x2222 and VCPU 1 reads a third time.
fn guest(writer: u16) -> Guest {
    let mut c = Code::new();
    c.mcall(abi::mcall::MonitorCall::StartVcpu, &[1, CODE2, SSEG + 0x3F_0000]);
    c.li(T1, VA);
    c.li(T2, 0x1111);
    c.push(asm::sw(T2, 0, T1));
    c.push(asm::addiu(T4, 0, 1));
    c.result(T4, WROTE);
    if writer == 0 {
        c.wait_for_result(T4, GO_WRITE);
        c.li(T2, 0x2222);
        c.push(asm::sw(T2, 0, T1));
        c.push(asm::addiu(T4, 0, 1));
        c.result(T4, WRITTEN);
    }
    c.wait_for_result(T4, DONE);
    c.power_off(EXIT_OK);

    let mut c1 = Code::at(CODE2);
    c1.wait_for_result(T4, WROTE);
    c1.li(T3, VA);
    c1.push(asm::lw(T4, 0, T3));
    c1.result(T4, READ1);
    c1.push(asm::addiu(T4, 0, 1));
    c1.result(T4, READY1);
    c1.wait_for_result(T4, GO_READ);
    c1.push(asm::lw(T4, 0, T3));
    c1.result(T4, READ2);
    c1.push(asm::addiu(T4, 0, 1));
    c1.result(T4, READY2);
    if writer == 1 {
        c1.wait_for_result(T4, GO_WRITE);
        c1.li(T2, 0x2222);
        c1.push(asm::sw(T2, 0, T3));
        c1.push(asm::addiu(T4, 0, 1));
        c1.result(T4, WRITTEN);
    }
    c1.wait_for_result(T4, GO_READ3);
    c1.push(asm::lw(T4, 0, T3));
    c1.result(T4, READ3);
    c1.push(asm::addiu(T4, 0, 1));
    c1.result(T4, DONE);
    c1.push(asm::b(-1));
    c1.push(asm::nop());
    let mut k = Kernel::new(&c);
    k.put(&c1);
    Guest::boot(&k, Setup::smp(2, 1, 2))
}

fn set(g: &mut Guest, k: u32, v: u32) {
    g.poke(DATA - SSEG + 4 * k, v);
}

/// Runs `writer`'s scenario up to the replication and the second read; the copies.
fn replicated(writer: u16) -> (Guest, Mppn, Mppn) {
    let mut g = guest(writer);
    assert!(g.run_until(3_000_000, |g| g.result(READY1) == 1), "VCPU 1 read the page");
    assert_eq!(g.result(READ1), 0x1111);
    let master = g.machine_page(FRAME).expect("touched");
    assert_eq!(g.mon.memmap().node_of(master), NodeId(0), "first touch on node 0");

    let rep = g.mon.replicate(&mut g.m, PcpuId(1), VmId(0), Gppn(FRAME), NodeId(1));
    let rep = rep.expect("replicated");
    assert_eq!(rep.master, master);
    assert_eq!(g.mon.memmap().node_of(rep.copy), NodeId(1));
    assert_eq!(g.mon.copies(VmId(0), Gppn(FRAME)), vec![master, rep.copy]);
    assert!(g.vm().pmap().is_replicated(Gppn(FRAME)));
    assert_eq!(g.mon.replica_pages_on(NodeId(1)), 1);
    // The writable translations of the master are gone from both CPUs.
    assert_eq!(hw_translation(&g, 0, VA), None);
    assert_eq!(hw_translation(&g, 1, VA), None);
    g.assert_sound();

    set(&mut g, GO_READ, 1);
    assert!(g.run_until(3_000_000, |g| g.result(READY2) == 1), "VCPU 1 read again");
    assert_eq!(g.result(READ2), 0x1111, "the copy holds the page's bytes");
    assert_eq!(
        hw_translation(&g, 1, VA),
        Some((rep.copy, false)),
        "node 1 reads its own copy, read-only"
    );
    // A second copy on the same node is refused.
    let again = g.mon.replicate(&mut g.m, PcpuId(1), VmId(0), Gppn(FRAME), NodeId(1));
    assert_eq!(again, Err(Refusal::AlreadyLocal));
    (g, master, rep.copy)
}

fn collapse_event(g: &Guest) -> (Mppn, NodeId, Vec<Mppn>, CollapseCause) {
    let (events, _) = g.mon.events_since(0);
    events
        .filter_map(|e| match &e.kind {
            EventKind::Collapsed { gppn, kept, kept_node, freed, cause, .. }
                if *gppn == Gppn(FRAME) =>
            {
                Some((*kept, *kept_node, freed.clone(), *cause))
            }
            _ => None,
        })
        .last()
        .expect("a collapse event")
}

#[test]
fn a_store_by_the_masters_node_collapses_the_copies_and_every_vcpu_sees_it() {
    let (mut g, master, copy) = replicated(0);
    set(&mut g, GO_WRITE, 1);
    assert!(g.run_until(3_000_000, |g| g.result(WRITTEN) == 1), "VCPU 0's store completed");
    assert!(!g.vm().pmap().is_replicated(Gppn(FRAME)));
    assert_eq!(g.mon.copies(VmId(0), Gppn(FRAME)), vec![master], "the writer's copy kept");
    let (kept, node, freed, cause) = collapse_event(&g);
    assert_eq!((kept, node, freed), (master, NodeId(0), vec![copy]));
    assert_eq!(cause, CollapseCause::GuestWrite { pcpu: PcpuId(0) });
    assert_eq!(g.stats().collapses, 1);
    assert_eq!(g.mon.replica_pages_on(NodeId(1)), 0);
    let t = g.mon.numa_totals();
    assert_eq!((t.replications, t.collapses, &t.replica_pages), (1, 1, &vec![0, 0]));
    assert_eq!((t.per_node[1].replications, t.per_node[0].collapses), (1, 1), "{t:?}");

    set(&mut g, GO_READ3, 1);
    g.run_ok();
    assert_eq!(g.result(READ3), 0x2222, "VCPU 1 on node 1 sees the store");
    assert_eq!(g.word(FRAME << 12), 0x2222);
}

#[test]
fn a_store_by_the_replicas_node_keeps_that_copy_as_the_page() {
    let (mut g, master, copy) = replicated(1);
    set(&mut g, GO_WRITE, 1);
    assert!(g.run_until(3_000_000, |g| g.result(WRITTEN) == 1), "VCPU 1's store completed");
    assert_eq!(g.mon.copies(VmId(0), Gppn(FRAME)), vec![copy], "node 1's copy is the page now");
    let (kept, node, freed, cause) = collapse_event(&g);
    assert_eq!((kept, node, freed), (copy, NodeId(1), vec![master]));
    assert_eq!(cause, CollapseCause::GuestWrite { pcpu: PcpuId(1) });
    assert_eq!(hw_translation(&g, 1, VA), Some((copy, true)), "writable again, locally");

    set(&mut g, GO_READ3, 1);
    g.run_ok();
    assert_eq!(g.result(READ3), 0x2222);
    assert_eq!(g.word(FRAME << 12), 0x2222, "VCPU 0 and the monitor see it too");
}

#[test]
fn migrating_a_replicated_page_collapses_it_first() {
    let (mut g, _master, copy) = replicated(0);
    // Migrating to node 1, which holds a copy: the copies collapse there, nothing to move.
    let r = g.mon.migrate(&mut g.m, PcpuId(1), VmId(0), Gppn(FRAME), NodeId(1));
    assert_eq!(r, Err(Refusal::AlreadyLocal));
    assert_eq!(g.mon.copies(VmId(0), Gppn(FRAME)), vec![copy]);
    assert_eq!(collapse_event(&g).3, CollapseCause::Migration);
    g.assert_sound();
    set(&mut g, GO_WRITE, 1);
    set(&mut g, GO_READ3, 1);
    g.run_ok();
    assert_eq!(g.result(READ3), 0x2222);
}

#[test]
fn a_node_short_of_memory_gives_its_replicas_back_and_gets_no_new_ones() {
    // Nodes of 2 MB (512 pages; a reserve of 16). VCPU 0 writes FRAME on node 0; once the test
    // has replicated it on node 1, VCPU 1 touches 500 fresh pages there, which brings node 1
    // down to its reserve: its replica goes at the next quantum, and no new one is made.
    const TOUCHED: u32 = 500;
    let mut c = Code::new();
    c.mcall(abi::mcall::MonitorCall::StartVcpu, &[1, CODE2, SSEG + 0x2F_0000]);
    c.li(T1, VA);
    c.li(T2, 0x1111);
    c.push(asm::sw(T2, 0, T1));
    c.push(asm::addiu(T4, 0, 1));
    c.result(T4, WROTE);
    c.wait_for_result(T4, DONE);
    c.power_off(EXIT_OK);
    let mut c1 = Code::at(CODE2);
    c1.wait_for_result(T4, GO_READ);
    c1.li(T1, SSEG + (0x100 << 12));
    c1.li(T2, TOUCHED);
    c1.push(asm::sw(T2, 0, T1));
    c1.push(asm::addiu(T1, T1, 0x1000));
    c1.push(asm::addiu(T2, T2, -1));
    c1.push(asm::bne(T2, asm::ZERO, -4));
    c1.push(asm::nop());
    c1.push(asm::addiu(T4, 0, 1));
    c1.result(T4, READY2);
    c1.wait_for_result(T4, GO_READ3);
    c1.push(asm::addiu(T4, 0, 1));
    c1.result(T4, DONE);
    c1.push(asm::b(-1));
    c1.push(asm::nop());
    let mut k = Kernel::new(&c);
    k.put(&c1);
    let mut s = Setup::smp(2, 1, 2);
    s.machine.memory_per_node_mb = 2;
    s.memory_mb = 3;
    let mut g = Guest::boot(&k, s);
    assert!(g.run_until(3_000_000, |g| g.result(WROTE) == 1));
    assert_eq!(g.mon.replica_reserve(), 16);
    let rep = g.mon.replicate(&mut g.m, PcpuId(0), VmId(0), Gppn(FRAME), NodeId(1));
    let copy = rep.expect("node 1 has pages to spare").copy;

    set(&mut g, GO_READ, 1);
    assert!(g.run_until(20_000_000, |g| g.result(READY2) == 1), "VCPU 1 touched its pages");
    g.run_for(200_000);
    let free = g.mon.memmap().free_on(NodeId(1));
    assert!(free <= g.mon.replica_reserve(), "node 1 is down to its reserve: {free} free");
    assert_eq!(g.mon.replica_pages_on(NodeId(1)), 0, "its replica was reclaimed");
    assert_eq!(g.mon.copies(VmId(0), Gppn(FRAME)).len(), 1);
    assert_eq!(g.stats().reclaimed, 1);
    let (events, _) = g.mon.events_since(0);
    let reclaimed: Vec<_> = events
        .filter_map(|e| match e.kind {
            EventKind::Reclaimed { gppn, page, node, .. } => Some((gppn, page, node)),
            _ => None,
        })
        .collect();
    assert_eq!(reclaimed, vec![(Gppn(FRAME), copy, NodeId(1))]);

    let again = g.mon.replicate(&mut g.m, PcpuId(0), VmId(0), Gppn(FRAME), NodeId(1));
    assert_eq!(again, Err(Refusal::NoFreePage));
    set(&mut g, GO_READ3, 1);
    g.run_ok();
    assert_eq!(g.word(FRAME << 12), 0x1111);
}
