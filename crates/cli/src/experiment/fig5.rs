//! Fig. 5 (paper §5.3): what running in a virtual machine costs. Each of the paper's four
//! workloads on a uniprocessor, natively and in one VM under the monitor; the bar is the run
//! time (native = 100) split into where the CPU's time went — user code, the guest kernel, the
//! monitor, idle — so that the four parts stack to the bar's height, as the paper draws them.
//!
//! | id | what runs | the paper's bar |
//! |---|---|---|
//! | `W/native` | dux alone on one CPU | IRIX = 100 |
//! | `W/disco` | dux in one 1-VCPU VM on the same CPU | IRIX on Disco |
//!
//! What to look for: the monitor's share appears, the guest kernel's shrinks (the monitor
//! zeroes pages and serves TLB misses from its L2TLB instead of the guest's handlers), and the
//! total rises by a few percent to a sixth (the paper: pmake 116, engineering 106, raytrace 103,
//! database 116).

use sim::scenario::{Guests, MachineShape, Policies, Scenario, VmPlan};

use super::{Bar, Config, Experiment, Measured, Metric, Size};

/// The experiment.
pub const FIG5: Experiment = Experiment {
    id: "fig5",
    setup: "1 node × 1 CPU, 128 MB (the VM: 120 MB)",
    metrics: &[
        Metric { id: "time", column: "time", title: "Run time (native OS = 100)", decimals: 1 },
        Metric { id: "user", column: "user", title: "of which user code", decimals: 1 },
        Metric { id: "kernel", column: "kernel", title: "of which the guest kernel", decimals: 1 },
        Metric { id: "monitor", column: "monitor", title: "of which the monitor", decimals: 1 },
        Metric { id: "idle", column: "idle", title: "of which idle", decimals: 1 },
    ],
    configs,
    bars,
    rows: super::rows_are_configs,
    samples_memory: false,
};

/// The workloads, in the paper's order: (base name, the name the paper gives it).
const WORKLOADS: [(&str, &str); 4] = [
    ("pmake", "pmake"),
    ("engineering", "engineering"),
    ("raytrace", "raytrace"),
    ("db", "database"),
];

/// The machine's memory, MB; the VM leaves the monitor a little.
const MACHINE_MB: u32 = 128;
const VM_MB: u32 = 120;

fn configs(size: Size) -> Vec<Config> {
    WORKLOADS.iter().flat_map(|&(name, paper_name)| pair("fig5", name, paper_name, size)).collect()
}

/// The two runs of workload `name` (at `size`) on the uniprocessor, natively and in one VM:
/// `{paper_name}/native` and `{paper_name}/disco`, their scenarios named after `figure`. Table 2
/// measures pmake's pair.
pub(super) fn pair(figure: &str, name: &str, paper_name: &'static str, size: Size) -> Vec<Config> {
    let machine = MachineShape {
        nodes: 1,
        cpus_per_node: 1,
        memory_per_node_mb: MACHINE_MB,
        uma: false,
        cache_kb: sim::scenario::DEFAULT_CACHE_KB,
    };
    let workload = format!("{name}-{}", size.name());
    let native = Guests::Native { workload: workload.clone() };
    let disco = Guests::Disco {
        vms: vec![VmPlan { workload, vcpus: 1, memory_mb: VM_MB }],
        policies: Policies::default(),
    };
    [("native", "native", "native OS, 1 CPU", native), ("disco", "Disco", "1 VM, 1 VCPU", disco)]
        .into_iter()
        .map(|(kind, label, description, guests)| {
            let id = format!("{paper_name}/{kind}");
            Config {
                window: None,
                scenario: Scenario {
                    name: format!("{figure} {id}"),
                    machine: machine.clone(),
                    guests,
                    seed: 0,
                },
                id,
                workload: paper_name,
                label,
                description,
            }
        })
        .collect()
}

/// Per run: its time against the workload's native run, and that time split by what the CPU
/// ran (each part a share of the bar, so the parts add up to it).
fn bars(measured: &[Measured]) -> Result<Vec<Bar>, String> {
    let mut out = Vec::new();
    for (_, w) in WORKLOADS {
        let native_id = format!("{w}/native");
        let native = measured
            .iter()
            .find(|m| m.config == native_id)
            .ok_or_else(|| format!("fig5: no {native_id} run to normalize to"))?;
        for m in measured.iter().filter(|m| m.config.split('/').next() == Some(w)) {
            let time = 100.0 * m.cycles as f64 / native.cycles.max(1) as f64;
            let all = m.guest_cycles().max(1) as f64;
            let bar = |metric: &str, ours| Bar {
                figure: "fig5".into(),
                config: m.config.clone(),
                metric: metric.into(),
                ours: Some(ours),
                paper: None,
            };
            out.push(bar("time", time));
            for (metric, part) in [
                ("user", m.user_cycles),
                ("kernel", m.kernel_cycles),
                ("monitor", m.monitor_cycles),
                ("idle", m.idle_cycles),
            ] {
                out.push(bar(metric, time * part as f64 / all));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_config_is_valid_at_both_sizes() {
        for size in [Size::Tiny, Size::Full] {
            let c = configs(size);
            assert_eq!(c.len(), 8);
            for c in &c {
                assert_eq!(c.scenario.validate(), Ok(()), "{}", c.id);
                assert!(c.scenario.workloads()[0].name.ends_with(size.name()), "{}", c.id);
                assert_eq!(c.scenario.machine.nodes * c.scenario.machine.cpus_per_node, 1);
            }
        }
    }
}
