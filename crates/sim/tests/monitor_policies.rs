//! Several VMs side by side under the monitor give the same run hash every time, and the hash
//! sees a policy change.

use sim::assets::Assets;
use sim::scenario::{Guests, MachineShape, Policies, Scenario, VmPlan};
use sim::simulation::Simulation;

fn run(s: &Scenario) -> Simulation {
    let dir = guest_files::dir();
    let assets = Assets::from_dir(&dir, s).expect("guest files — run `cargo xtask guests`");
    let mut sim = Simulation::new(s, &assets).expect("boots");
    assert!(sim.run_to_end(40_000_000_000), "did not finish");
    for g in 0..sim.layout().guests.len() {
        assert_eq!(sim.passed(g), Some(true), "{}", String::from_utf8_lossy(sim.console(g)));
    }
    sim
}

fn disco(vms: Vec<VmPlan>, l2tlb_entries: u32, nodes: u32, cpus: u32) -> Scenario {
    Scenario {
        name: "test".into(),
        machine: MachineShape {
            nodes,
            cpus_per_node: cpus,
            memory_per_node_mb: 64,
            uma: false,
            cache_kb: sim::scenario::DEFAULT_CACHE_KB,
        },
        guests: Guests::Disco { vms, policies: Policies { l2tlb_entries, ..Policies::default() } },
        seed: 0,
    }
}

#[test]
fn four_vms_give_the_same_run_hash_every_time() {
    let vms = || {
        ["smoke", "pmake-tiny", "db-tiny", "smoke"]
            .into_iter()
            .map(|w| VmPlan { workload: w.into(), vcpus: 2, memory_mb: 24 })
            .collect::<Vec<_>>()
    };
    let a = run(&disco(vms(), 256, 2, 2));
    let b = run(&disco(vms(), 256, 2, 2));
    assert_eq!(a.run_hash(), b.run_hash());
    assert_eq!(a.machine().now(), b.machine().now());
    let c = run(&disco(vms(), 0, 2, 2));
    assert_ne!(a.run_hash(), c.run_hash(), "the hash must see the L2TLB size change");
}
