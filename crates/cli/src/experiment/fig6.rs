//! Fig. 6 (paper §5.3): the memory footprint of pmake in 1, 2, 4 and 8 VMs on one 8-CPU,
//! 256 MB machine (4 nodes × 2 CPUs × 64 MB), against the native OS. Each bar pair is V, the
//! guest pages every VM's pmap backs with machine memory (all VMs together), and M, the
//! machine pages that takes: with one copy-on-write disk image for all the VMs and the global
//! disk-block cache (§4.2.5), blocks several VMs read are one machine page, so M grows more
//! slowly than V.
//!
//! | id | what runs | the paper's bar |
//! |---|---|---|
//! | `pmake/irix` | dux alone on the 8 CPUs (V = M) | IRIX |
//! | `pmake/1vm` … `pmake/8vms` | N VMs of 8/N VCPUs and 28 MB each, every one running pmake from the one image | 1 VM … 8 VMs |
//! | `pmake/8vms-nfs` | 8 VMs of 1 VCPU: VM 0 serves the image's files over the virtual subnet (§4.2.6, workload `pmake-<size>-nfsd`), the other seven build pmake from them (`pmake-<size>-nfs`) | 8 VMs/NFS |
//!
//! **When V and M are read.** Both are sampled every simulated millisecond; a bar is the
//! sample where sharing saved the most (V − M largest). At the end of a run little is left
//! shared (each buffer page that was shared is later written or refilled with another block,
//! which breaks it), and the largest M of a run is reached at its end, so neither the end nor
//! the peaks show what sharing saves while the VMs work; the JSON keeps the peaks and the end
//! values too. Natively V = M and the bar is the peak footprint.
//!
//! **How ours differs.** Each VM runs a whole pmake (its own `pmake -j2` over the same source
//! tree), so the work grows with the VMs, where the paper split one workload between them.
//! What is shared: the disk blocks the VMs read, the programs' text (dux's exec maps it from
//! those buffer pages) and the kernel's text (loaded alike in every VM). In the NFS bar the
//! clients' reads come from the server's buffer cache instead of the disk, the server's page
//! remapped into the client's buffer by the monitor; the server builds nothing (seven builds,
//! not eight).

use sim::scenario::{Guests, Policies, Scenario, VmPlan};

use super::{Bar, Config, Experiment, Measured, Metric, Row, Size};

/// The experiment.
pub const FIG6: Experiment = Experiment {
    id: "fig6",
    setup: "4 nodes × 2 CPUs, 256 MB; VMs of 28 MB sharing one copy-on-write pmake image",
    metrics: &[
        Metric { id: "v", column: "V MB", title: "V: the VMs' footprint (MB)", decimals: 1 },
        Metric { id: "m", column: "M MB", title: "M: machine memory used (MB)", decimals: 1 },
    ],
    configs,
    bars,
    rows,
    samples_memory: true,
};

/// Each VM's memory, MB: eight of them fit in the 256 MB beside the monitor's pages.
const VM_MEMORY_MB: u32 = 28;

/// The VM counts of the figure.
const VMS: [u32; 4] = [1, 2, 4, 8];

/// The NFS row: (id, label, description).
const NFS_ROW: (&str, &str, &str) = (
    "pmake/8vms-nfs",
    "8 VMs, NFS",
    "8 VMs of 1 VCPU: VM 0 serves its files over the virtual subnet, 7 build from them",
);

fn configs(size: Size) -> Vec<Config> {
    let workload = format!("pmake-{}", size.name());
    let machine = super::paper_machine();
    let mut out = vec![Config {
        window: None,
        id: "pmake/irix".into(),
        workload: "pmake",
        label: "IRIX",
        description: "native OS on 8 CPUs (the paper's IRIX)",
        scenario: Scenario {
            name: "fig6 irix".into(),
            machine: machine.clone(),
            guests: Guests::Native { workload: workload.clone() },
            seed: 0,
        },
    }];
    for n in VMS {
        let (id, label, description) = match n {
            1 => ("pmake/1vm", "1 VM", "1 VM of 8 VCPUs"),
            2 => ("pmake/2vms", "2 VMs", "2 VMs of 4 VCPUs, one shared image"),
            4 => ("pmake/4vms", "4 VMs", "4 VMs of 2 VCPUs, one shared image"),
            _ => ("pmake/8vms", "8 VMs", "8 VMs of 1 VCPU, one shared image"),
        };
        let vms = (0..n)
            .map(|_| VmPlan {
                workload: workload.clone(),
                vcpus: machine.nodes * machine.cpus_per_node / n,
                memory_mb: VM_MEMORY_MB,
            })
            .collect();
        let policies = Policies { share_disk: true, ..Policies::default() };
        out.push(Config {
            window: None,
            id: id.into(),
            workload: "pmake",
            label,
            description,
            scenario: Scenario {
                name: format!("fig6 {label}"),
                machine: machine.clone(),
                guests: Guests::Disco { vms, policies },
                seed: 0,
            },
        });
    }
    let (id, label, description) = NFS_ROW;
    let mut vms =
        vec![VmPlan { workload: format!("{workload}-nfsd"), vcpus: 1, memory_mb: VM_MEMORY_MB }];
    vms.extend((1..8).map(|_| VmPlan {
        workload: format!("{workload}-nfs"),
        vcpus: 1,
        memory_mb: VM_MEMORY_MB,
    }));
    let policies = Policies { share_disk: true, ..Policies::default() };
    out.push(Config {
        window: None,
        id: id.into(),
        workload: "pmake",
        label,
        description,
        scenario: Scenario {
            name: format!("fig6 {label}"),
            machine,
            guests: Guests::Disco { vms, policies },
            seed: 0,
        },
    });
    out
}

/// One row per run.
fn rows(configs: &[Config]) -> Vec<Row> {
    super::rows_are_configs(configs)
}

/// Per run, V and M in MB at the sample where sharing saved the most.
fn bars(measured: &[Measured]) -> Result<Vec<Bar>, String> {
    let bar = |config: &str, metric: &str, ours| Bar {
        figure: "fig6".into(),
        config: config.into(),
        metric: metric.into(),
        ours,
        paper: None,
    };
    let mb = |pages: u32| f64::from(pages) / 256.0;
    let mut out = Vec::new();
    for m in measured {
        let mem = m.memory.ok_or_else(|| format!("fig6: {} sampled no memory", m.config))?;
        out.push(bar(&m.config, "v", Some(mb(mem.v_pages))));
        out.push(bar(&m.config, "m", Some(mb(mem.m_pages))));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_config_is_valid_at_both_sizes_and_uses_the_whole_machine() {
        for size in [Size::Tiny, Size::Full] {
            let c = configs(size);
            assert_eq!(c.len(), 6);
            for c in &c {
                assert_eq!(c.scenario.validate(), Ok(()), "{}", c.id);
                assert_eq!(c.scenario.machine.nodes * c.scenario.machine.cpus_per_node, 8);
                assert_eq!(c.scenario.machine.nodes * c.scenario.machine.memory_per_node_mb, 256);
                if let Guests::Disco { vms, policies } = &c.scenario.guests {
                    assert!(policies.share_disk, "{}", c.id);
                    assert_eq!(vms.iter().map(|v| v.vcpus).sum::<u32>(), 8, "{}", c.id);
                }
            }
        }
        let rows = rows(&configs(Size::Tiny));
        assert_eq!(rows.last().map(|r| r.id.as_str()), Some("pmake/8vms-nfs"));
    }
}
