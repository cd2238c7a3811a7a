//! Table 2 (paper §5.3): which kernel services virtualization slows, and by how much. pmake on
//! one CPU, natively and in one VM (the runs of Fig. 5); for each service the guest kernel's
//! own statistics give calls and time (the monitor's work on the service's behalf included),
//! and the row is the mean time per call both ways and their ratio. Like the paper's table, the
//! time in the VM is split into the monitor's time on the kernel's TLB faults, the monitor's
//! other time (trap reflection, emulation of privileged instructions, monitor calls) and the
//! kernel's own execution — from the running totals the monitor keeps in the special page,
//! which the kernel reads at a service's start and end (docs/monitor-abi.md).
//!
//! Our services map to the paper's: `DEMAND_ZERO` (a page zeroed on first touch),
//! `SLOW_FAULT` (a TLB fault the refill fast path cannot serve that zeroes or copies nothing:
//! IRIX's `QUICK_FAULT`), `open`, `UTLB_MISS`, `read`, `write`, `exec` (`execve`) and `fork`.
//! `UTLB_MISS` (a refill of a user address) is timed by the machine, not the kernel (dux's
//! dozen-instruction refill handler keeps no count): natively from the miss to the handler's
//! ERET, under the monitor from the miss to the return to the faulting code, served by the
//! monitor's refill path or by the guest's handler; the monitor's share is "other Disco".

use super::{Bar, Config, Experiment, Measured, Metric, Row, Size};

/// The experiment.
pub const TABLE2: Experiment = Experiment {
    id: "table2",
    setup: "pmake, 1 node × 1 CPU, 128 MB (the VM: 120 MB)",
    metrics: &[
        Metric {
            id: "native_us",
            column: "native µs",
            title: "Mean time per call, native (µs)",
            decimals: 2,
        },
        Metric {
            id: "disco_us",
            column: "Disco µs",
            title: "Mean time per call, in a VM (µs)",
            decimals: 2,
        },
        Metric {
            id: "slowdown",
            column: "slowdown",
            title: "Slowdown in a VM (native = 1)",
            decimals: 2,
        },
        Metric {
            id: "disco_tlb_us",
            column: "TLB µs",
            title: "In a VM, the monitor's time per call on kernel TLB faults (µs)",
            decimals: 2,
        },
        Metric {
            id: "disco_other_us",
            column: "Disco µs",
            title: "In a VM, the monitor's other time per call: traps, emulation (µs)",
            decimals: 2,
        },
        Metric {
            id: "disco_kernel_us",
            column: "kernel µs",
            title: "In a VM, the guest kernel's own execution per call (µs)",
            decimals: 2,
        },
    ],
    configs,
    bars,
    rows,
    samples_memory: false,
};

/// The services, in the paper's order: (our name, what it is).
const SERVICES: [(&str, &str); 8] = [
    ("DEMAND_ZERO", "page fault: a zeroed page"),
    ("SLOW_FAULT", "TLB fault off the fast path (QUICK_FAULT)"),
    ("open", "open a file"),
    (super::UTLB_MISS, "user TLB refill"),
    ("write", "write to a file"),
    ("read", "read from a file"),
    ("exec", "execve: start a program"),
    ("fork", "fork a process"),
];

/// pmake natively and in one VM on the uniprocessor: Fig. 5's runs of it.
fn configs(size: Size) -> Vec<Config> {
    super::fig5::pair("table2", "pmake", "pmake", size)
}

/// A row per service.
fn rows(_: &[Config]) -> Vec<Row> {
    SERVICES
        .iter()
        .map(|&(name, what)| Row {
            id: name.to_string(),
            workload: "pmake",
            label: name.to_string(),
            description: what.to_string(),
        })
        .collect()
}

/// Per service both runs called: mean µs natively and in the VM, and their ratio.
fn bars(measured: &[Measured]) -> Result<Vec<Bar>, String> {
    let run = |id: &str| {
        measured.iter().find(|m| m.config == id).ok_or_else(|| format!("table2: no {id} run"))
    };
    let (native, disco) = (run("pmake/native")?, run("pmake/disco")?);
    let mut out = Vec::new();
    for (name, _) in SERVICES {
        let (Some(n), Some(d)) = (native.service(name), disco.service(name)) else { continue };
        let bar = |metric: &str, ours| Bar {
            figure: "table2".into(),
            config: name.into(),
            metric: metric.into(),
            ours: Some(ours),
            paper: None,
        };
        let (n_us, d_us) = (n.mean_us(native.mhz()), d.mean_us(disco.mhz()));
        out.push(bar("native_us", n_us));
        out.push(bar("disco_us", d_us));
        out.push(bar("slowdown", d_us / n_us.max(f64::MIN_POSITIVE)));
        // The paper's breakdown of the time under Disco: kernel TLB faults, other Disco
        // (trap reflection, emulation), kernel execution.
        let (tlb, other) = (
            d.per_call_us(d.tlb_cycles, disco.mhz()),
            d.per_call_us(d.monitor_cycles, disco.mhz()),
        );
        out.push(bar("disco_tlb_us", tlb));
        out.push(bar("disco_other_us", other));
        out.push(bar("disco_kernel_us", (d_us - tlb - other).max(0.0)));
    }
    if out.is_empty() {
        return Err("table2: the runs' kernels kept no service statistics".into());
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
            assert_eq!(c.len(), 2);
            for c in &c {
                assert_eq!(c.scenario.validate(), Ok(()), "{}", c.id);
            }
        }
        assert_eq!(rows(&[]).len(), SERVICES.len());
    }
}
