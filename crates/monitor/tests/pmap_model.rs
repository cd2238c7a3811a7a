//! The pmap's back-maps and the memmap against deliberately naive models (a `HashMap` and a
//! vector of owners), compared after every step of random operation sequences.
//!
//! - [`Pmap`]: `set`, `unset`, `get`, `add_backmap`, `take_backmaps`, `backmaps`, `mapped`,
//!   including the overflow rule (a page with more than eight distinct back-maps is mapped
//!   "everywhere" until they are taken) and pages outside the VM.
//! - [`Memmap`]: `alloc` (the preferred node first, then the following nodes in order, wrapping),
//!   `free` (back to the page's own node; freeing a free page does nothing), `owner`,
//!   `node_of`, `free_per_node`.

use std::collections::{HashMap, HashSet};

use monitor::ids::{Gppn, Mppn, NodeId, VcpuId, VmId};
use monitor::memmap::{Memmap, PageOwner};
use monitor::pmap::{Backmap, Backmaps, Pmap};
use proptest::prelude::*;

/// Back-maps a page keeps before it is mapped everywhere (paper §4.2.2; `pmap.rs`).
const MAX_BACKMAPS: usize = 32;

// ---- Pmap ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum PmapOp {
    Set(u32, u32),
    Unset(u32),
    Get(u32),
    Add(u32, Backmap),
    Take(u32),
    Backmaps(u32),
}

/// What the model knows of a page's back-maps.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tracked {
    Known(HashSet<Backmap>),
    Everywhere,
}

/// The naive pmap: one entry per page ever touched.
#[derive(Debug)]
struct PmapModel {
    pages: u32,
    map: HashMap<u32, Option<u32>>,
    back: HashMap<u32, Tracked>,
}

impl PmapModel {
    fn inside(&self, g: u32) -> bool {
        g < self.pages
    }

    fn tracked(&self, g: u32) -> Tracked {
        self.back.get(&g).cloned().unwrap_or(Tracked::Known(HashSet::new()))
    }
}

fn backmap() -> impl Strategy<Value = Backmap> {
    // A small domain, so that duplicates and overflows both happen.
    (0u16..3, 0u8..3, 0u32..4).prop_map(|(v, asid, vpn)| Backmap {
        vcpu: VcpuId(v),
        asid,
        vpn: 0x400 + vpn,
    })
}

fn pmap_op(pages: u32) -> impl Strategy<Value = PmapOp> {
    // Two pages beyond the VM's memory, to check they are ignored.
    let g = 0..pages + 2;
    prop_oneof![
        2 => (g.clone(), 0u32..64).prop_map(|(g, m)| PmapOp::Set(g, m)),
        1 => g.clone().prop_map(PmapOp::Unset),
        1 => g.clone().prop_map(PmapOp::Get),
        6 => (g.clone(), backmap()).prop_map(|(g, b)| PmapOp::Add(g, b)),
        1 => g.clone().prop_map(PmapOp::Take),
        1 => g.prop_map(PmapOp::Backmaps),
    ]
}

fn pmap_case() -> impl Strategy<Value = (u32, Vec<PmapOp>)> {
    (1u32..6).prop_flat_map(|pages| (Just(pages), prop::collection::vec(pmap_op(pages), 1..200)))
}

/// The pmap's back-maps of `g` as the model's kind.
fn tracked(p: &Pmap, g: u32) -> Result<Tracked, TestCaseError> {
    Ok(match p.backmaps(Gppn(g)) {
        Backmaps::Everywhere => Tracked::Everywhere,
        Backmaps::Known(list) => {
            let set: HashSet<Backmap> = list.iter().copied().collect();
            prop_assert_eq!(set.len(), list.len(), "duplicate back-maps of {}: {:?}", g, list);
            prop_assert!(list.len() <= MAX_BACKMAPS, "{} back-maps kept", list.len());
            Tracked::Known(set)
        }
    })
}

proptest! {
    #[test]
    fn the_pmap_behaves_like_a_map_with_bounded_back_maps((pages, ops) in pmap_case()) {
        let mut p = Pmap::new(pages);
        let mut model = PmapModel { pages, map: HashMap::new(), back: HashMap::new() };
        prop_assert_eq!(p.pages(), pages);
        for op in ops {
            match op {
                PmapOp::Set(g, m) => {
                    p.set(Gppn(g), Mppn(m));
                    if model.inside(g) {
                        // Back-maps stay: the caller shoots them down when the page changes.
                        model.map.insert(g, Some(m));
                    }
                }
                PmapOp::Unset(g) => {
                    p.unset(Gppn(g));
                    if model.inside(g) {
                        model.map.insert(g, None);
                        model.back.insert(g, Tracked::Known(HashSet::new()));
                    }
                }
                PmapOp::Get(g) => {
                    let want = model.map.get(&g).copied().flatten().map(Mppn);
                    prop_assert_eq!(p.get(Gppn(g)), want);
                }
                PmapOp::Add(g, b) => {
                    p.add_backmap(Gppn(g), b);
                    if model.inside(g) {
                        let next = match model.tracked(g) {
                            Tracked::Everywhere => Tracked::Everywhere,
                            Tracked::Known(mut set) => {
                                if !set.contains(&b) && set.len() == MAX_BACKMAPS {
                                    // One distinct back-map too many.
                                    Tracked::Everywhere
                                } else {
                                    set.insert(b);
                                    Tracked::Known(set)
                                }
                            }
                        };
                        model.back.insert(g, next);
                    }
                }
                PmapOp::Take(g) => {
                    let got = p.take_backmaps(Gppn(g));
                    let want = model.tracked(g);
                    match (got, want) {
                        (None, Tracked::Everywhere) => {}
                        (Some(list), Tracked::Known(set)) => {
                            let got: HashSet<Backmap> = list.iter().copied().collect();
                            prop_assert_eq!(got.len(), list.len(), "duplicates: {:?}", list);
                            prop_assert_eq!(got, set);
                        }
                        (got, want) => prop_assert!(false, "took {:?}, model {:?}", got, want),
                    }
                    if model.inside(g) {
                        model.back.insert(g, Tracked::Known(HashSet::new()));
                    }
                }
                PmapOp::Backmaps(g) => {
                    prop_assert_eq!(tracked(&p, g)?, model.tracked(g));
                }
            }
            // Everything agrees after every step.
            for g in 0..pages + 2 {
                prop_assert_eq!(p.contains(Gppn(g)), g < pages);
                prop_assert_eq!(p.get(Gppn(g)), model.map.get(&g).copied().flatten().map(Mppn));
                prop_assert_eq!(tracked(&p, g)?, model.tracked(g), "back-maps of page {}", g);
            }
            let mapped: HashSet<(Gppn, Mppn)> = p.mapped().collect();
            let want: HashSet<(Gppn, Mppn)> = model
                .map
                .iter()
                .filter_map(|(&g, &m)| m.map(|m| (Gppn(g), Mppn(m))))
                .collect();
            prop_assert_eq!(mapped, want);
        }
    }
}

#[test]
fn one_distinct_back_map_too_many_overflows_and_taking_them_resets_the_page() {
    let mut p = Pmap::new(4);
    let b = |vpn| Backmap { vcpu: VcpuId(0), asid: 1, vpn };
    let max = MAX_BACKMAPS as u32;
    for vpn in 0..max {
        p.add_backmap(Gppn(2), b(vpn));
        // A repeat is not a new back-map.
        p.add_backmap(Gppn(2), b(vpn));
    }
    assert!(matches!(p.backmaps(Gppn(2)), Backmaps::Known(list) if list.len() == MAX_BACKMAPS));
    p.add_backmap(Gppn(2), b(max));
    assert_eq!(p.backmaps(Gppn(2)), Backmaps::Everywhere);
    assert_eq!(p.take_backmaps(Gppn(2)), None, "drop every translation of the VM");
    assert_eq!(p.backmaps(Gppn(2)), Backmaps::Known(&[]));
    p.add_backmap(Gppn(2), b(max + 1));
    assert_eq!(p.backmaps(Gppn(2)), Backmaps::Known(&[b(max + 1)]));
}

// ---- Memmap -------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum MemmapOp {
    Alloc(u16, PageOwner),
    Free(u32),
    Owner(u32),
}

fn owner() -> impl Strategy<Value = PageOwner> {
    prop_oneof![
        1 => Just(PageOwner::Monitor),
        3 => (0u16..2, 0u32..100).prop_map(|(vm, g)| PageOwner::Vm { vm: VmId(vm), gppn: Gppn(g) }),
    ]
}

fn memmap_case() -> impl Strategy<Value = (u32, u32, Vec<MemmapOp>)> {
    (1u32..5, 1u32..7).prop_flat_map(|(nodes, per)| {
        let pages = nodes * per;
        let op = prop_oneof![
            3 => (0..nodes as u16, owner()).prop_map(|(n, o)| MemmapOp::Alloc(n, o)),
            2 => (0..pages + 2).prop_map(MemmapOp::Free),
            1 => (0..pages + 2).prop_map(MemmapOp::Owner),
        ];
        (Just(nodes), Just(per), prop::collection::vec(op, 1..150))
    })
}

proptest! {
    #[test]
    fn the_memmap_allocates_on_the_preferred_node_first((nodes, per, ops) in memmap_case()) {
        let pages = nodes * per;
        let mut mm = Memmap::new(pages, nodes);
        // The naive model: every page's owner; a page's node is its index / pages per node.
        let mut owners = vec![PageOwner::Free; pages as usize];
        let node_of = |p: u32| p / per;
        let free_on = |owners: &[PageOwner], n: u32| {
            (n * per..(n + 1) * per).filter(|&p| owners[p as usize] == PageOwner::Free).count()
        };
        prop_assert_eq!(mm.pages(), pages);
        for op in ops {
            match op {
                MemmapOp::Alloc(n, o) => {
                    let got = mm.alloc(NodeId(n), o);
                    // The first node with a free page, from the preferred one on.
                    let want_node = (0..nodes)
                        .map(|k| (u32::from(n) + k) % nodes)
                        .find(|&m| free_on(&owners, m) > 0);
                    match (got, want_node) {
                        (None, None) => {}
                        (Some(page), Some(node)) => {
                            prop_assert!(page.0 < pages, "{:?}", page);
                            prop_assert_eq!(owners[page.index()], PageOwner::Free, "{:?} was not free", page);
                            prop_assert_eq!(node_of(page.0), node, "{:?} preferring node {}", page, n);
                            owners[page.index()] = o;
                        }
                        (got, want) => prop_assert!(false, "alloc gave {:?}, a free page on {:?}", got, want),
                    }
                }
                MemmapOp::Free(p) => {
                    mm.free(Mppn(p));
                    // Freeing a free page (or one outside the machine) does nothing.
                    if let Some(o) = owners.get_mut(p as usize) {
                        *o = PageOwner::Free;
                    }
                }
                MemmapOp::Owner(p) => {
                    let want = owners.get(p as usize).copied().unwrap_or(PageOwner::Free);
                    prop_assert_eq!(mm.owner(Mppn(p)), want);
                }
            }
            for p in 0..pages {
                prop_assert_eq!(mm.owner(Mppn(p)), owners[p as usize]);
                prop_assert_eq!(mm.node_of(Mppn(p)), NodeId(node_of(p) as u16));
            }
            let want: Vec<usize> = (0..nodes).map(|n| free_on(&owners, n)).collect();
            prop_assert_eq!(mm.free_per_node(), want);
        }
    }
}

#[test]
fn a_double_free_does_not_put_a_page_on_the_free_list_twice() {
    let mut mm = Memmap::new(4, 2);
    let a = mm.alloc(NodeId(0), PageOwner::Monitor).expect("page");
    mm.free(a);
    mm.free(a);
    assert_eq!(mm.free_per_node(), [2, 2]);
    // Both pages of node 0 are handed out once each, then node 1's.
    let got: HashSet<Mppn> =
        (0..2).map(|_| mm.alloc(NodeId(0), PageOwner::Monitor).expect("page")).collect();
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|&p| mm.node_of(p) == NodeId(0)));
    let c = mm.alloc(NodeId(0), PageOwner::Monitor).expect("falls back to node 1");
    assert_eq!(mm.node_of(c), NodeId(1));
}
