//! The NUMA workloads (engineering, raytrace, radix) under the monitor: each reaches its
//! host-computed output in one VM with 8 VCPUs on a 4-node machine, and side by side in two
//! VMs.

use sim::assets::Assets;
use sim::scenario::{Guests, MachineShape, Policies, Scenario, VmPlan};
use sim::simulation::Simulation;

fn run(vms: Vec<VmPlan>) -> Simulation {
    let s = Scenario {
        name: "test".into(),
        machine: MachineShape {
            nodes: 4,
            cpus_per_node: 2,
            memory_per_node_mb: 32,
            uma: false,
            cache_kb: sim::scenario::DEFAULT_CACHE_KB,
        },
        guests: Guests::Disco { vms, policies: Policies::default() },
        seed: 0,
    };
    let dir = guest_files::dir();
    let assets = Assets::from_dir(&dir, &s).expect("guest files — run `cargo xtask guests`");
    let mut sim = Simulation::new(&s, &assets).expect("boots");
    assert!(sim.run_to_end(40_000_000_000), "did not finish");
    sim
}

fn vm(workload: &str, vcpus: u32, memory_mb: u32) -> VmPlan {
    VmPlan { workload: workload.into(), vcpus, memory_mb }
}

#[test]
fn each_numa_workload_reaches_its_checksum_in_a_vm_with_8_vcpus() {
    for w in ["engineering-tiny", "raytrace-tiny", "radix-tiny"] {
        let sim = run(vec![vm(w, 8, 48)]);
        assert_eq!(sim.passed(0), Some(true), "{w}:\n{}", String::from_utf8_lossy(sim.console(0)));
    }
}

#[test]
fn raytrace_and_radix_side_by_side_in_two_vms() {
    let sim = run(vec![vm("raytrace-tiny", 4, 32), vm("radix-tiny", 4, 32)]);
    for g in 0..2 {
        assert_eq!(sim.passed(g), Some(true), "{}", String::from_utf8_lossy(sim.console(g)));
    }
}
