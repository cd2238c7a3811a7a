//! Migration, replication and collapse against a model (paper §4.2.3): random sequences of
//! "replicate page g on node n", "migrate page g to node n" and "let the guest run" are applied
//! to a VM whose VCPU 0 (node 0) keeps storing to a set of pages and checking each store by
//! reading it back, while VCPU 1 (node 1) keeps reading them. A small model predicts, page by
//! page, which nodes hold a copy and which copy is the master: replication adds a copy (refused
//! where one is), migration collapses and moves the page, and running the guest — whose stores
//! reach every page — collapses every replicated page onto the writer's node if it has a copy
//! there, else onto the master.
//!
//! After every step: the monitor agrees with the model, the guest-visible bytes did not change
//! through a replication or migration, and the monitor's invariants hold (checked by the
//! harness after every trap and quantum too: replicas read-only and identical to the master, no
//! translation of a freed page). At the end the guest's own read-back checks never failed.

mod common;

use std::collections::BTreeSet;

use common::*;
use mips::asm::{self, T1, T2, T3, T4, ZERO};
use monitor::ids::{Gppn, NodeId, PcpuId, VmId};
use monitor::numa_policy::Refusal;
use proptest::prelude::*;

/// The pages the guest uses: guest-physical BASE..BASE + PAGES.
const BASE: u32 = 0x80;
const PAGES: u32 = 8;
const NODES: u16 = 4;
/// The result word where VCPU 0 reports a failed read-back.
const FAILED: u32 = 5;

#[derive(Clone, Copy, Debug)]
enum Op {
    Replicate(u32, u16),
    Migrate(u32, u16),
    Run,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..PAGES, 0..NODES).prop_map(|(g, n)| Op::Replicate(g, n)),
        2 => (0..PAGES, 0..NODES).prop_map(|(g, n)| Op::Migrate(g, n)),
        1 => Just(Op::Run),
    ]
}

/// One page in the model: the master's node and every node with a copy.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Page {
    master: u16,
    copies: BTreeSet<u16>,
}

fn guest() -> Guest {
    // VCPU 0: round r = 1, 2, ...: store r into each page, load it back, fail if it differs.
    let mut c = Code::new();
    c.mcall(abi::mcall::MonitorCall::StartVcpu, &[1, CODE2, SSEG + 0x3F_0000]);
    c.li(T1, 0);
    let outer = c.here();
    c.push(asm::addiu(T1, T1, 1));
    c.li(T2, SSEG + (BASE << 12));
    c.li(T3, PAGES);
    let inner = c.here();
    c.push(asm::sw(T1, 0, T2));
    c.push(asm::lw(T4, 0, T2));
    let check = c.here();
    c.push(0); // bne T4, T1, fail (patched below)
    c.push(asm::nop());
    c.push(asm::addiu(T2, T2, 0x1000));
    c.push(asm::addiu(T3, T3, -1));
    let back = ((inner as i64 - c.here() as i64) / 4 - 1) as i16;
    c.push(asm::bne(T3, ZERO, back));
    c.push(asm::nop());
    let back = ((outer as i64 - c.here() as i64) / 4 - 1) as i16;
    c.push(asm::b(back));
    c.push(asm::nop());
    let fail = c.here();
    c.result(T4, FAILED);
    c.power_off(0xBAD);
    let mut words = c.words().to_vec();
    let ix = ((check - c.base()) / 4) as usize;
    words[ix] = asm::bne(T4, T1, ((fail as i64 - check as i64) / 4 - 1) as i16);
    let mut c = Code::at(CODE);
    c.extend(words);

    // VCPU 1: read every page, forever.
    let mut c1 = Code::at(CODE2);
    let top = c1.here();
    c1.li(T2, SSEG + (BASE << 12));
    c1.li(T3, PAGES);
    let inner = c1.here();
    c1.push(asm::lw(T4, 0, T2));
    c1.push(asm::addiu(T2, T2, 0x1000));
    c1.push(asm::addiu(T3, T3, -1));
    let back = ((inner as i64 - c1.here() as i64) / 4 - 1) as i16;
    c1.push(asm::bne(T3, ZERO, back));
    c1.push(asm::nop());
    let back = ((top as i64 - c1.here() as i64) / 4 - 1) as i16;
    c1.push(asm::b(back));
    c1.push(asm::nop());
    let mut k = Kernel::new(&c);
    k.put(&c1);
    Guest::boot(&k, Setup::smp(NODES.into(), 1, 2))
}

fn node(g: &Guest, page: monitor::Mppn) -> u16 {
    g.mon.memmap().node_of(page).0
}

/// The monitor's view of page `i`.
fn actual(g: &Guest, i: u32) -> Page {
    let copies = g.mon.copies(VmId(0), Gppn(BASE + i));
    Page { master: node(g, copies[0]), copies: copies.iter().map(|&c| node(g, c)).collect() }
}

fn bytes(g: &Guest, i: u32) -> Vec<u8> {
    g.mon.read_guest(&g.m, VmId(0), (BASE + i) << 12, 4096).expect("inside the VM")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn replication_and_migration_follow_the_model(ops in prop::collection::vec(op(), 1..24)) {
        let mut g = guest();
        g.run_for(300_000);
        let mut model: Vec<Page> = (0..PAGES).map(|i| actual(&g, i)).collect();
        for m in &model {
            prop_assert_eq!(m.copies.len(), 1, "first touch: one copy");
        }
        for op in ops {
            match op {
                Op::Replicate(i, n) => {
                    let before = bytes(&g, i);
                    let r = g.mon.replicate(&mut g.m, PcpuId(0), VmId(0), Gppn(BASE + i), NodeId(n));
                    let page = &mut model[i as usize];
                    if page.copies.contains(&n) {
                        prop_assert_eq!(r.map(|_| ()), Err(Refusal::AlreadyLocal));
                    } else {
                        prop_assert!(r.is_ok(), "{:?}", r);
                        page.copies.insert(n);
                    }
                    prop_assert_eq!(bytes(&g, i), before);
                }
                Op::Migrate(i, n) => {
                    let before = bytes(&g, i);
                    let r = g.mon.migrate(&mut g.m, PcpuId(0), VmId(0), Gppn(BASE + i), NodeId(n));
                    let page = &mut model[i as usize];
                    // A replicated page collapses first, onto n if it has a copy there.
                    if page.copies.contains(&n) {
                        page.master = n;
                    }
                    if page.master == n {
                        prop_assert_eq!(r.map(|_| ()), Err(Refusal::AlreadyLocal));
                    } else {
                        prop_assert!(r.is_ok(), "{:?}", r);
                        page.master = n;
                    }
                    page.copies = BTreeSet::from([n]);
                    prop_assert_eq!(bytes(&g, i), before);
                }
                Op::Run => {
                    g.run_for(300_000);
                    // VCPU 0 (node 0) stored to every page: each collapsed onto node 0 if it
                    // had a copy there.
                    for page in &mut model {
                        if page.copies.len() > 1 {
                            if page.copies.contains(&0) {
                                page.master = 0;
                            }
                            page.copies = BTreeSet::from([page.master]);
                        }
                    }
                }
            }
            for i in 0..PAGES {
                prop_assert_eq!(&actual(&g, i), &model[i as usize], "page {} after {:?}", i, op);
            }
            g.assert_sound();
        }
        g.run_for(300_000);
        prop_assert_eq!(g.result(FAILED), 0, "a store was not read back");
        prop_assert!(g.m.sys.halt.is_none(), "the guest stopped");
        g.assert_sound();
    }
}
