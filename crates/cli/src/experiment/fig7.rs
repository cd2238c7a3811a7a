//! Fig. 7 (paper §5.4): scalability. The same pmake work on one 8-CPU, 256 MB machine (4 nodes
//! × 2 CPUs × 64 MB), run by the native OS (= 100) and by 1, 2, 4 and 8 VMs of 8/N VCPUs each;
//! and radix natively against radix on SPLASHOS, the library OS, in one VM.
//!
//! | id | what runs | the paper's bar |
//! |---|---|---|
//! | `pmake/irix` | dux alone on the 8 CPUs, all eight builds (`pmake-S-x8`) | IRIX = 100 |
//! | `pmake/1vm` | 1 VM of 8 VCPUs and 224 MB, all eight builds | 1 VM (136) |
//! | `pmake/2vms` … `pmake/8vms` | N VMs of 8/N VCPUs and 224/N MB, each 8/N builds (`pmake-S-x(8/N)`) | 2 VMs … 8 VMs |
//! | `pmake/8vms-nfs` | 8 VMs of 1 VCPU: VM 0 serves its files over the virtual subnet (§4.2.6, `pmake-S-x1-nfsd`), the other seven run one build each from them (`pmake-S-x1-nfs`) | 8 VMs/NFS (86) |
//! | `radix/irix` | radix natively (the `radix-native` preset) | IRIX = 100 |
//! | `radix/splashos` | radix on SPLASHOS in one VM of 8 VCPUs (the `radix-splashos` preset) | SPLASHOS (34) |
//!
//! **The same work everywhere.** The paper's pmake here is eight pmake instances split evenly
//! between the VMs. Ours: eight builds of the same tree at `-j2` (the paper's -J2), each in
//! its own copy of it; the `-xK` image holds K copies and runs K builds at once (the rootfs
//! crate's `pmake_split_variant`), so the native OS and one VM run `-x8` and eight VMs `-x1`
//! each. All the VMs boot one copy-on-write image (the scenarios' default).
//!
//! **What it shows.** One 8-CPU dux serializes its builds' page allocations on one global lock
//! (IRIX's *memlock*, whose spins the table counts from each kernel's shutdown line) and its
//! run queues; smaller VMs each have their own kernel and locks, so they contend less, and pay
//! the monitor instead. Beside the time, the bar is split into user, guest-kernel, monitor and
//! idle time of the whole machine (8 CPUs × the run; idle is what the others leave).
//!
//! **Sizes.** Tiny runs the tiny tree; full runs the mid-size tree (`srctree::MID`, a third of
//! pmake-full's units): eight full builds per configuration would be eleven billion
//! instructions each, too long for six configurations on a small host.

use sim::scenario::{Guests, Policies, Preset, Scenario, VmPlan};

use super::{Bar, Config, Experiment, Measured, Metric, Row, Size, Window};

/// The experiment.
pub const FIG7: Experiment = Experiment {
    id: "fig7",
    setup: "4 nodes × 2 CPUs, 256 MB; eight pmake builds split between 1–8 VMs",
    metrics: &[
        Metric { id: "time", column: "time", title: "Run time (native OS = 100)", decimals: 1 },
        Metric { id: "user", column: "user", title: "of which user code", decimals: 1 },
        Metric { id: "kernel", column: "kernel", title: "of which the guest kernel", decimals: 1 },
        Metric { id: "monitor", column: "monitor", title: "of which the monitor", decimals: 1 },
        Metric { id: "idle", column: "idle", title: "of which idle", decimals: 1 },
        Metric {
            id: "memlock_kspins",
            column: "memlock kspins",
            title: "Spins on the kernels' memlock (thousands)",
            decimals: 1,
        },
    ],
    configs,
    bars,
    rows,
    samples_memory: false,
};

/// The VMs' memory together, MB (Fig. 6's eight VMs of 28 MB), split evenly between them: the
/// rest of the 256 MB is the monitor's.
const VMS_MEMORY_MB: u32 = 224;

/// The builds of a pmake run, bracketed by the lines the `-xK` images print around them
/// (the rootfs crate's `SPLIT_BUILDING` and `SPLIT_BUILT`): the time is measured from the
/// first guest starting its builds to the last one finishing them, so the boot, the reads
/// that warm the file cache and the shutdown's write-back are left out.
const BUILDS: Window = Window { start: "pmake-split: building", end: "pmake-split: built" };

/// The VM counts of the figure.
const VMS: [u32; 4] = [1, 2, 4, 8];

/// The pmake image with `builds` of the eight builds, at `size`: the tiny tree, or at full
/// the mid-size one.
fn pmake_workload(size: Size, builds: u32) -> String {
    let tree = match size {
        Size::Tiny => "tiny",
        Size::Full => "mid",
    };
    format!("pmake-{tree}-x{builds}")
}

fn configs(size: Size) -> Vec<Config> {
    let machine = super::paper_machine();
    let cpus = machine.nodes * machine.cpus_per_node;
    let mut out = vec![Config {
        id: "pmake/irix".into(),
        workload: "pmake",
        label: "IRIX",
        description: "native OS on 8 CPUs, 8 builds",
        scenario: Scenario {
            name: "fig7 pmake/irix".into(),
            machine: machine.clone(),
            guests: Guests::Native { workload: pmake_workload(size, cpus) },
            seed: 0,
        },
        window: Some(BUILDS),
    }];
    for n in VMS {
        let (id, label, description) = match n {
            1 => ("pmake/1vm", "1 VM", "1 VM of 8 VCPUs, 8 builds"),
            2 => ("pmake/2vms", "2 VMs", "2 VMs of 4 VCPUs, 4 builds each"),
            4 => ("pmake/4vms", "4 VMs", "4 VMs of 2 VCPUs, 2 builds each"),
            _ => ("pmake/8vms", "8 VMs", "8 VMs of 1 VCPU, 1 build each"),
        };
        let vms = (0..n)
            .map(|_| VmPlan {
                workload: pmake_workload(size, cpus / n),
                vcpus: cpus / n,
                memory_mb: VMS_MEMORY_MB / n,
            })
            .collect();
        out.push(Config {
            id: id.into(),
            workload: "pmake",
            label,
            description,
            scenario: Scenario {
                name: format!("fig7 {id}"),
                machine: machine.clone(),
                guests: Guests::Disco { vms, policies: Policies::default() },
                seed: 0,
            },
            window: Some(BUILDS),
        });
    }
    // The NFS bar: the one-build VMs of `pmake/8vms`, reading their sources and programs over
    // the virtual subnet from VM 0, which only serves them (it must write nothing: its blocks
    // are what the clients read) — so seven builds, one per VM and CPU, where the other bars
    // have eight. Each builder does what a VM of `pmake/8vms` does; the time is that of the
    // builds, as for the others. (A scenario holds at most 8 VMs, so a ninth cannot serve.)
    let tree = match size {
        Size::Tiny => "tiny",
        Size::Full => "mid",
    };
    let per_vm = VMS_MEMORY_MB / cpus;
    let mut vms =
        vec![VmPlan { workload: format!("pmake-{tree}-x1-nfsd"), vcpus: 1, memory_mb: per_vm }];
    vms.extend((1..cpus).map(|_| VmPlan {
        workload: format!("pmake-{tree}-x1-nfs"),
        vcpus: 1,
        memory_mb: per_vm,
    }));
    out.push(Config {
        id: "pmake/8vms-nfs".into(),
        workload: "pmake",
        label: "8 VMs, NFS",
        description: "8 VMs of 1 VCPU: VM 0 serves files over NFS, 7 builds from them",
        scenario: Scenario {
            name: "fig7 pmake/8vms-nfs".into(),
            machine: machine.clone(),
            guests: Guests::Disco { vms, policies: Policies::default() },
            seed: 0,
        },
        window: Some(BUILDS),
    });
    out.extend(radix_configs(size));
    out
}

/// Radix natively and on SPLASHOS: the machines and VMs of the presets `radix-native` and
/// `radix-splashos` (which run the full size), with the tiny workloads at tiny.
fn radix_configs(size: Size) -> Vec<Config> {
    let preset = |name: &str| Preset::named(name).map(|p| p.scenario());
    let (Some(native), Some(splashos)) = (preset("radix-native"), preset("radix-splashos")) else {
        return Vec::new();
    };
    let resize = |w: &str| w.replace("-full", &format!("-{}", size.name()));
    let native_guests = Guests::Native { workload: resize("radix-full") };
    let splashos_guests = match splashos.guests {
        Guests::Disco { vms, policies } => Guests::Disco {
            vms: vms.into_iter().map(|v| VmPlan { workload: resize(&v.workload), ..v }).collect(),
            policies,
        },
        g @ Guests::Native { .. } => g,
    };
    [
        ("radix/irix", "IRIX", "radix, native OS on 8 CPUs", native.machine, native_guests),
        (
            "radix/splashos",
            "SPLASHOS",
            "radix on SPLASHOS, 1 VM of 8 VCPUs",
            splashos.machine,
            splashos_guests,
        ),
    ]
    .into_iter()
    .map(|(id, label, description, machine, guests)| Config {
        id: id.into(),
        workload: "radix",
        label,
        description,
        scenario: Scenario { name: format!("fig7 {id}"), machine, guests, seed: 0 },
        window: None,
    })
    .collect()
}

/// A row per run.
fn rows(configs: &[Config]) -> Vec<Row> {
    super::rows_are_configs(configs)
}

/// Per run: its time against its workload's native run (= 100), that time split into the
/// machine's user, guest-kernel, monitor and idle time (shares of the bar), and the spins on
/// the kernels' memlock (none under SPLASHOS).
fn bars(measured: &[Measured]) -> Result<Vec<Bar>, String> {
    let mut out = Vec::new();
    for w in ["pmake", "radix"] {
        let native_id = format!("{w}/irix");
        let native = measured
            .iter()
            .find(|m| m.config == native_id)
            .ok_or_else(|| format!("fig7: no {native_id} run to normalize to"))?;
        let native_cycles = Part::of(native).cycles;
        for m in measured.iter().filter(|m| m.config.split('/').next() == Some(w)) {
            let p = Part::of(m);
            let time = 100.0 * p.cycles as f64 / native_cycles.max(1) as f64;
            let shape = &m.scenario.machine;
            let machine = (p.cycles * u64::from(shape.nodes * shape.cpus_per_node)).max(1);
            let busy = p.user + p.kernel + p.monitor;
            let bar = |metric: &str, ours| Bar {
                figure: "fig7".into(),
                config: m.config.clone(),
                metric: metric.into(),
                ours,
                paper: None,
            };
            out.push(bar("time", Some(time)));
            for (metric, part) in [
                ("user", p.user),
                ("kernel", p.kernel),
                ("monitor", p.monitor),
                ("idle", machine.saturating_sub(busy)),
            ] {
                out.push(bar(metric, Some(time * part as f64 / machine as f64)));
            }
            out.push(bar("memlock_kspins", m.memlock.map(|l| l.spins as f64 / 1e3)));
        }
    }
    Ok(out)
}

/// The part of a run a bar is about: the builds for pmake ([`BUILDS`]), the whole run for
/// radix.
struct Part {
    cycles: u64,
    user: u64,
    kernel: u64,
    monitor: u64,
}

impl Part {
    fn of(m: &Measured) -> Part {
        match &m.window {
            Some(w) => Part {
                cycles: w.cycles(),
                user: w.user_cycles,
                kernel: w.kernel_cycles,
                monitor: w.monitor_cycles,
            },
            None => Part {
                cycles: m.cycles,
                user: m.user_cycles,
                kernel: m.kernel_cycles,
                monitor: m.monitor_cycles,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_config_is_valid_and_does_the_same_work() {
        for size in [Size::Tiny, Size::Full] {
            let c = configs(size);
            assert_eq!(c.len(), 8);
            for c in &c {
                assert_eq!(c.scenario.validate(), Ok(()), "{}", c.id);
                assert_eq!(c.scenario.machine.nodes * c.scenario.machine.cpus_per_node, 8);
            }
            // Eight builds in every pmake configuration, on the whole 256 MB machine.
            for c in c.iter().filter(|c| c.workload == "pmake") {
                assert_eq!(c.scenario.machine.nodes * c.scenario.machine.memory_per_node_mb, 256);
                let builds = |w: &str| -> u32 {
                    w.rsplit_once("-x").and_then(|(_, k)| k.parse().ok()).expect("an -xK image")
                };
                let total: u32 = match &c.scenario.guests {
                    Guests::Native { workload } => builds(workload),
                    Guests::Disco { vms, policies } => {
                        assert!(policies.share_disk, "{}", c.id);
                        assert_eq!(vms.iter().map(|v| v.vcpus).sum::<u32>(), 8, "{}", c.id);
                        // An NFS server builds nothing.
                        (vms.iter().filter(|v| !v.workload.ends_with("-nfsd")))
                            .map(|v| builds(v.workload.trim_end_matches("-nfs")))
                            .sum()
                    }
                };
                // Eight builds, but seven over NFS: its VM 0 serves.
                assert_eq!(total, if c.id.ends_with("-nfs") { 7 } else { 8 }, "{}", c.id);
            }
            let radix: Vec<_> = c.iter().filter(|c| c.workload == "radix").collect();
            assert_eq!(radix.len(), 2);
            for r in radix {
                assert!(r.scenario.workloads()[0].name.contains(size.name()), "{}", r.id);
            }
        }
        let rows = rows(&configs(Size::Tiny));
        assert_eq!(rows[5].id, "pmake/8vms-nfs");
        assert_eq!(rows.len(), 8);
        let nfs = &configs(Size::Tiny)[5];
        let Guests::Disco { vms, .. } = &nfs.scenario.guests else { panic!("NFS runs in VMs") };
        assert!(vms[0].workload.ends_with("-nfsd") && vms.len() == 8, "VM 0 serves seven builders");
    }

    #[test]
    fn the_radix_machines_are_the_presets() {
        let c = configs(Size::Full);
        let scenario = |id: &str| &c.iter().find(|c| c.id == id).expect("config").scenario;
        for (id, preset) in [("radix/irix", "radix-native"), ("radix/splashos", "radix-splashos")] {
            let p = Preset::named(preset).expect("preset").scenario();
            assert_eq!(scenario(id).machine, p.machine, "{id}");
            assert_eq!(scenario(id).guests, p.guests, "{id}");
        }
    }
}
