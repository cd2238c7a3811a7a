//! `disco run --services`: each guest kernel's services — system calls, demand-zero and
//! copy-on-write faults, slow TLB faults, interrupts — with how often they ran and how long they
//! took, from the kernel's own statistics (the data of the paper's Table 2). Run a workload
//! natively and under the monitor and compare the mean times: the slowdown of each service is
//! what virtualization costs it.

use sim::simulation::Simulation;

/// Prints the table of every guest whose kernel keeps statistics.
pub fn print(sim: &Simulation) {
    let layout = sim.layout();
    let cycles_per_us = f64::from(layout.clock_mhz);
    for (g, info) in layout.guests.iter().enumerate() {
        let Some(k) = sim.kstats(g) else { continue };
        let services = k.services();
        if services.is_empty() {
            continue;
        }
        // Disjoint services: SLOW_FAULT counts only the faults that zeroed or copied nothing.
        let whole: u64 = services.iter().map(|s| s.cycles).sum();
        eprintln!("\n-- kernel services of {} ({}), busiest first", info.name, info.workload);
        // Under the monitor, each mean splits as the paper's Table 2 does: the monitor's time
        // on the kernel's TLB faults, its other time (traps, emulation), the kernel's own.
        let monitor = services.iter().any(|s| s.tlb_cycles + s.monitor_cycles > 0);
        let per_call = |c: u64, n: u64| c as f64 / cycles_per_us / n.max(1) as f64;
        eprintln!(
            "{:<14} {:>10} {:>12} {:>10} {:>7}{}",
            "service",
            "count",
            "total ms",
            "mean µs",
            "share",
            if monitor { "   TLB µs  Disco µs kernel µs" } else { "" }
        );
        for s in services {
            let share = format!("{:.1}%", 100.0 * s.cycles as f64 / whole.max(1) as f64);
            let split = if monitor {
                let kernel = s.cycles.saturating_sub(s.tlb_cycles + s.monitor_cycles);
                format!(
                    " {:>9.3} {:>9.3} {:>9.3}",
                    per_call(s.tlb_cycles, s.count),
                    per_call(s.monitor_cycles, s.count),
                    per_call(kernel, s.count)
                )
            } else {
                String::new()
            };
            eprintln!(
                "{:<14} {:>10} {:>12.3} {:>10.3} {:>7}{}",
                s.name,
                s.count,
                s.cycles as f64 / cycles_per_us / 1000.0,
                per_call(s.cycles, s.count),
                share,
                split
            );
        }
        // Not the kernel's count: the machine (or the monitor) times the refills.
        let u = sim.utlb(g);
        if u.count > 0 {
            let of_monitor = if monitor {
                let served = u.count - u.forwarded;
                format!(
                    ", of which the monitor {:.3} µs; {} served by the monitor ({:.3} µs each), \
                     {} by the guest's handler ({:.3} µs each)",
                    per_call(u.monitor_cycles, u.count),
                    served,
                    per_call(u.cycles - u.forwarded_cycles, served),
                    u.forwarded,
                    per_call(u.forwarded_cycles, u.forwarded)
                )
            } else {
                String::new()
            };
            eprintln!(
                "UTLB_MISS (user TLB refills, timed by the machine): {}, mean {:.3} µs{of_monitor}",
                u.count,
                per_call(u.cycles, u.count)
            );
        }
    }
}
