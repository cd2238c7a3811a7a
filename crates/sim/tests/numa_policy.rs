//! The NUMA policy through the simulation's face (paper §4.2.3): workloads keep their
//! host-computed checksums with migration and replication on, on 4 nodes and on 1; the policy can be switched
//! mid-run (`Simulation::set_numa_policy`, the protocol's `SetPolicy`), deterministically, and
//! switching it off stops the moves.

use sim::assets::Assets;
use sim::scenario::{Guests, MachineShape, NumaMode, NumaPolicy, Policies, Scenario, VmPlan};
use sim::simulation::Simulation;

fn scenario(nodes: u32, cpus: u32, workload: &str, vcpus: u32, numa: NumaPolicy) -> Scenario {
    Scenario {
        name: "test".into(),
        machine: MachineShape {
            nodes,
            cpus_per_node: cpus,
            memory_per_node_mb: if nodes == 1 { 64 } else { 32 },
            uma: false,
            cache_kb: sim::scenario::DEFAULT_CACHE_KB,
        },
        guests: Guests::Disco {
            vms: vec![VmPlan { workload: workload.into(), vcpus, memory_mb: 48 }],
            policies: Policies { numa, ..Policies::default() },
        },
        seed: 0,
    }
}

fn boot(s: &Scenario) -> Simulation {
    let assets = Assets::from_dir(&guest_files::dir(), s).expect("guest files");
    Simulation::new(s, &assets).expect("boots")
}

fn migrate() -> NumaPolicy {
    NumaPolicy { mode: NumaMode::Migrate, ..NumaPolicy::default() }
}

/// Migration and replication, the paper's policy.
fn both() -> NumaPolicy {
    NumaPolicy { mode: NumaMode::Both, ..NumaPolicy::default() }
}

fn migrations(sim: &Simulation) -> u64 {
    sim.monitor().expect("monitor").vms().iter().map(|v| v.stats().migrations).sum()
}

#[test]
fn workloads_keep_their_checksums_with_migration_and_replication_on_4_nodes_and_on_1() {
    for (nodes, cpus, w) in [
        (4, 2, "engineering-tiny"),
        (4, 2, "raytrace-tiny"),
        (4, 2, "radix-tiny"),
        (4, 2, "pmake-tiny"),
        (1, 2, "engineering-tiny"),
        (1, 2, "db-tiny"),
    ] {
        let mut sim = boot(&scenario(nodes, cpus, w, nodes * cpus, both()));
        assert!(sim.run_to_end(40_000_000_000), "{w} did not finish");
        assert_eq!(sim.passed(0), Some(true), "{w}:\n{}", String::from_utf8_lossy(sim.console(0)));
        let t = sim.monitor().expect("monitor").numa_totals();
        eprintln!("{w} on {nodes} nodes: {t:?}");
        if nodes == 1 {
            assert_eq!((t.migrations, t.replications), (0, 0), "{w}: one node, nowhere to go");
        }
    }
}

#[test]
fn switching_the_policy_mid_run_is_deterministic_and_off_stops_the_moves() {
    let s = scenario(4, 2, "engineering-tiny", 8, NumaPolicy::default());
    let run = || {
        let mut sim = boot(&s);
        sim.run(20_000_000);
        assert_eq!(migrations(&sim), 0, "off: nothing moves");
        sim.set_numa_policy(&migrate()).expect("under the monitor");
        sim.run(25_000_000);
        let moved = migrations(&sim);
        sim.set_numa_policy(&NumaPolicy::default()).expect("under the monitor");
        sim.run_to_end(40_000_000_000);
        (sim.run_hash(), moved, migrations(&sim), sim.passed(0))
    };
    let (hash, moved, total, passed) = run();
    assert!(moved > 0, "migration on for 25 M cycles moved nothing");
    assert_eq!(total, moved, "the moves stop when the policy is switched off");
    assert_eq!(passed, Some(true));
    assert_eq!(run().0, hash, "the same switches at the same cycles give the same run");
}

#[test]
fn the_native_os_has_no_policy_to_switch() {
    let s = Scenario {
        guests: Guests::Native { workload: "smoke".into() },
        ..scenario(1, 1, "smoke", 1, NumaPolicy::default())
    };
    let mut sim = boot(&s);
    assert!(sim.set_numa_policy(&migrate()).is_err());
}

#[test]
fn the_scenarios_default_thresholds_are_the_monitors() {
    let d = NumaPolicy::default();
    let t = monitor::numa_policy::Thresholds::default();
    assert_eq!(
        (d.trigger, d.sharing, d.write, d.migrate),
        (t.trigger, t.sharing, t.write, t.migrate)
    );
}
