//! Fig. 8 (paper §5.5): what the NUMA policy buys. Engineering (processes with private working
//! sets: a case for migration) and raytrace (threads reading one scene: a case for
//! replication), each on a machine of 4 nodes × 2 CPUs (remote misses 3× a local one), in
//! four configurations:
//!
//! | id | what runs | the paper's bar |
//! |---|---|---|
//! | `native` | dux alone: NUMA-unaware, its free pages interleaved over the nodes | IRIX = 100 |
//! | `vm-first-touch` | one 8-VCPU VM, the policy off: pages stay where first touch put them | none |
//! | `vm-migrate-replicate` | the same VM, migration and replication on | Disco |
//! | `uma` | dux alone on a UMA machine: every miss at the local latency | UMA |
//!
//! The machines are those of the presets `engineering-native` / `engineering-numa` and
//! `raytrace-native` / `raytrace-numa` (a test keeps them equal), with first-touch placement
//! under the monitor — Disco's own — so the two VM bars separate what placement alone gives
//! from what the policy adds.

use sim::scenario::{
    Guests, MachineShape, NumaMode, NumaPolicy, Placement, Policies, Scenario, VmPlan,
};

use super::{Bar, Config, Experiment, Measured, Metric, Size};

/// The experiment.
pub const FIG8: Experiment = Experiment {
    id: "fig8",
    setup: "4 nodes × 2 CPUs, misses 300 ns local / 900 ns remote",
    metrics: &[
        Metric { id: "time", column: "time", title: "Run time (native OS = 100)", decimals: 1 },
        Metric {
            id: "local_misses_pct",
            column: "local misses %",
            title: "Cache misses served by local memory (%)",
            decimals: 1,
        },
    ],
    configs,
    bars,
    rows: super::rows_are_configs,
    samples_memory: false,
};

/// A workload of the figure and its machine.
struct Workload {
    /// The workload's base name (`engineering`; the size is appended).
    name: &'static str,
    /// Memory per node, MB (the native presets').
    memory_per_node_mb: u32,
    /// The VM's memory, MB (the NUMA presets'): room left on the nodes for replicas.
    vm_memory_mb: u32,
}

const WORKLOADS: [Workload; 2] = [
    Workload { name: "engineering", memory_per_node_mb: 32, vm_memory_mb: 112 },
    Workload { name: "raytrace", memory_per_node_mb: 32, vm_memory_mb: 96 },
];

/// Nodes and CPUs per node: the paper ran engineering on 8 CPUs (raytrace on 16).
const NODES: u32 = 4;
const CPUS_PER_NODE: u32 = 2;

/// The configurations of one workload, in bar order: (id, chart label, description).
const KINDS: [(&str, &str, &str); 4] = [
    ("native", "native", "native OS, NUMA-unaware"),
    ("vm-first-touch", "VM, first touch", "1 VM, NUMA policy off (first touch)"),
    ("vm-migrate-replicate", "VM, migr.+repl.", "1 VM, migration + replication"),
    ("uma", "UMA", "native OS on a UMA machine"),
];

fn configs(size: Size) -> Vec<Config> {
    let mut out = Vec::new();
    for w in &WORKLOADS {
        let workload = format!("{}-{}", w.name, size.name());
        for (kind, label, description) in KINDS {
            let machine = MachineShape {
                nodes: NODES,
                cpus_per_node: CPUS_PER_NODE,
                memory_per_node_mb: w.memory_per_node_mb,
                uma: kind == "uma",
                cache_kb: sim::scenario::DEFAULT_CACHE_KB,
            };
            let vm = |mode| {
                let numa =
                    NumaPolicy { mode, placement: Placement::FirstTouch, ..Default::default() };
                Guests::Disco {
                    vms: vec![VmPlan {
                        workload: workload.clone(),
                        vcpus: NODES * CPUS_PER_NODE,
                        memory_mb: w.vm_memory_mb,
                    }],
                    policies: Policies { numa, ..Policies::default() },
                }
            };
            let guests = match kind {
                "vm-first-touch" => vm(NumaMode::Off),
                "vm-migrate-replicate" => vm(NumaMode::Both),
                _ => Guests::Native { workload: workload.clone() },
            };
            let id = format!("{}/{kind}", w.name);
            out.push(Config {
                window: None,
                scenario: Scenario { name: format!("fig8 {id}"), machine, guests, seed: 0 },
                id,
                workload: w.name,
                label,
                description,
            });
        }
    }
    out
}

/// Per configuration: run time against its workload's native run (= 100) and the share of
/// misses served locally.
fn bars(measured: &[Measured]) -> Result<Vec<Bar>, String> {
    let mut out = Vec::new();
    for w in &WORKLOADS {
        let native_id = format!("{}/native", w.name);
        let native = measured
            .iter()
            .find(|m| m.config == native_id)
            .ok_or_else(|| format!("fig8: no {native_id} run to normalize to"))?;
        for m in measured.iter().filter(|m| m.config.split('/').next() == Some(w.name)) {
            let bar = |metric: &str, ours| Bar {
                figure: "fig8".into(),
                config: m.config.clone(),
                metric: metric.into(),
                ours: Some(ours),
                paper: None,
            };
            out.push(bar("time", 100.0 * m.cycles as f64 / native.cycles.max(1) as f64));
            out.push(bar("local_misses_pct", m.local_misses_pct()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::scenario::Preset;

    #[test]
    fn the_machines_are_the_presets() {
        let c = configs(Size::Full);
        let scenario = |id: &str| &c.iter().find(|c| c.id == id).expect("config").scenario;
        for (w, native, numa) in [
            ("engineering", "engineering-native", "engineering-numa"),
            ("raytrace", "raytrace-native", "raytrace-numa"),
        ] {
            let native = Preset::named(native).expect("preset").scenario();
            let numa = Preset::named(numa).expect("preset").scenario();
            assert_eq!(scenario(&format!("{w}/native")).machine, native.machine);
            assert_eq!(scenario(&format!("{w}/native")).guests, native.guests);
            let Guests::Disco { vms, policies } = &numa.guests else { panic!("{w}: a VM") };
            let Guests::Disco { vms: ours, policies: p } =
                &scenario(&format!("{w}/vm-migrate-replicate")).guests
            else {
                panic!("{w}: a VM")
            };
            assert_eq!(ours, vms, "{w}");
            assert_eq!(p.numa.mode, policies.numa.mode, "{w}");
            assert_eq!(p.l2tlb_entries, policies.l2tlb_entries, "{w}");
            assert_eq!(scenario(&format!("{w}/vm-migrate-replicate")).machine, numa.machine);
        }
    }

    #[test]
    fn every_config_is_valid_at_both_sizes() {
        for size in [Size::Tiny, Size::Full] {
            let c = configs(size);
            assert_eq!(c.len(), 8);
            for c in &c {
                assert_eq!(c.scenario.validate(), Ok(()), "{}", c.id);
                assert!(c.scenario.workloads()[0].name.ends_with(size.name()), "{}", c.id);
            }
            assert_eq!(c.iter().filter(|c| c.scenario.machine.uma).count(), 2);
        }
    }
}
