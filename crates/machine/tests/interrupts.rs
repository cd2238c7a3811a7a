//! Interrupts from a guest's point of view: `bm-ipi` (CPU 0 starts every other CPU through the
//! interrupt controller's mailbox and sends each, then itself, an IPI; every handler
//! acknowledges and reports through shared memory) and `bm-timer` (the CP0 Count/Compare
//! timer on IP7, and Count's rate of one per two cycles).

mod guest;

use machine::MachineConfig;
use machine::machine::MachineEvent;

fn ipi(cfg: MachineConfig) {
    let n = cfg.cpus();
    let r = guest::run("bm-ipi", cfg, vec![], &[]);
    r.assert_ok();
    assert_eq!(r.line("ipi received="), format!("ipi received={n}/{n}"));
    for cpu in 0..n {
        assert!(r.m.started(cpu), "cpu{cpu} never started");
        let line = r.line(&format!("ipi cpu{cpu} "));
        assert!(line.contains(" received "), "{line}");
        // The acknowledge drops the line at once: one handler entry per IPI.
        assert_eq!(guest::field::<u32>(line, "entries"), 1, "{line}");
        // An IPI never arrives before it was sent, and arrives within about a round of quanta.
        let latency = guest::field::<i64>(line, "latency");
        assert!(latency > 0 && latency <= 2 * 10_000 + 2_000, "{line}");
    }
    let started: Vec<usize> = r
        .log
        .events
        .iter()
        .filter_map(|e| match e {
            MachineEvent::CpuStarted { cpu, .. } => Some(*cpu),
            _ => None,
        })
        .collect();
    assert_eq!(started, (1..n).collect::<Vec<_>>(), "CPU 0 starts the others in order");
    print!("{}", r.console);
}

#[test]
fn every_cpu_gets_its_ipi() {
    ipi(MachineConfig::flash(2, 2));
}

#[test]
fn the_largest_machine_starts_and_interrupts_all_64_cpus() {
    ipi(MachineConfig { memory_per_node_mb: 2, ..MachineConfig::flash(16, 4) });
}

#[test]
fn the_cp0_timer_ticks_at_compare() {
    let r = guest::run("bm-timer", MachineConfig::uniprocessor(), vec![], &[]);
    r.assert_ok();
    print!("{}", r.console);
    assert_eq!(r.line("timer cycles_per_count="), "timer cycles_per_count=2.00");
    let line = r.line("timer ticks=");
    assert_eq!(guest::field::<u32>(line, "ticks"), 5, "{line}");
    assert_eq!(guest::field::<u32>(line, "entries"), 5, "the timer line drops at once: {line}");
    // Interrupts (exception code 0) taken: one per tick.
    assert_eq!(r.m.cpu_summary(0).exceptions[0], 5);
}
