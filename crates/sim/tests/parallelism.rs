//! A workload runs on the CPUs it is given: radix, whose `/etc/rc` names no thread count,
//! runs a thread per CPU of its OS — dux's CPUs natively, SPLASHOS's VCPUs in a VM — and reaches
//! its host-computed checksum on machines and VMs of any size (SPLASHOS, which runs one thread
//! per VCPU, used to refuse a 4-VCPU VM: its rc asked for 8). Raytrace on dux too.

use sim::assets::Assets;
use sim::scenario::{Guests, MachineShape, Policies, Scenario, VmPlan};
use sim::simulation::Simulation;

fn machine(nodes: u32, cpus_per_node: u32) -> MachineShape {
    MachineShape {
        nodes,
        cpus_per_node,
        memory_per_node_mb: 64,
        uma: false,
        cache_kb: sim::scenario::DEFAULT_CACHE_KB,
    }
}

/// Runs `s` to the end and returns guest 0's console, after checking that it passed (exit 0 and
/// every line of its image's `/expected.txt`, the checksum among them).
fn passes(s: &Scenario) -> String {
    let assets =
        Assets::from_dir(&guest_files::dir(), s).expect("guest files — run `cargo xtask guests`");
    let mut sim = Simulation::new(s, &assets).expect("boots");
    assert!(sim.run_to_end(20_000_000_000), "{}: did not finish", s.name);
    let out = String::from_utf8_lossy(sim.console(0)).into_owned();
    assert_eq!(sim.passed(0), Some(true), "{}:\n{out}", s.name);
    out
}

fn native(workload: &str, cpus: u32) -> Scenario {
    Scenario {
        name: format!("{workload} on {cpus} CPUs"),
        machine: machine(1, cpus),
        guests: Guests::Native { workload: workload.into() },
        seed: 0,
    }
}

#[test]
fn radix_on_splashos_uses_the_vms_4_vcpus() {
    let s = Scenario {
        name: "radix on SPLASHOS, 4 VCPUs".into(),
        machine: machine(2, 2),
        guests: Guests::Disco {
            vms: vec![VmPlan { workload: "radix-tiny-splashos".into(), vcpus: 4, memory_mb: 16 }],
            policies: Policies::default(),
        },
        seed: 0,
    };
    let out = passes(&s);
    assert!(out.contains("radix: 4 threads\n"), "{out}");
}

#[test]
fn radix_on_dux_runs_a_thread_per_cpu() {
    for cpus in [2, 3] {
        let out = passes(&native("radix-tiny", cpus));
        assert!(out.contains(&format!("radix: {cpus} threads\n")), "{out}");
    }
}

#[test]
fn raytrace_on_dux_finishes_on_2_and_3_cpus() {
    for cpus in [2, 3] {
        passes(&native("raytrace-tiny", cpus));
    }
}
