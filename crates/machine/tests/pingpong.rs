//! Coherence misses as the directory counts them: in `bm-pingpong` two CPUs take turns
//! incrementing a counter on one shared cache line (each turn moves the line: one coherence
//! miss per turn for each CPU), then each increments a counter on a private line (none). The
//! program's parameter word 0 picks the phases, so the host can read the machine's counters
//! for each phase separately.

mod guest;

use machine::MachineConfig;

/// Turns per CPU.
const N: u32 = 1000;
const SHARED: u32 = 1;
const PRIVATE: u32 = 2;

/// Runs the phases in `phases`; returns each CPU's coherence misses.
fn coherence_misses(cfg: MachineConfig, phases: u32) -> [u64; 2] {
    let r = guest::run("bm-pingpong", cfg, vec![], &[phases, N]);
    r.assert_ok();
    let line = r.line("pingpong ");
    let n = u64::from(N);
    assert_eq!(guest::field::<u32>(line, "phases"), phases);
    let shared = if phases & SHARED != 0 { 2 * n } else { 0 };
    assert_eq!(guest::field::<u64>(line, "shared"), shared, "{line}");
    let private = if phases & PRIVATE != 0 { n } else { 0 };
    assert_eq!(guest::field::<String>(line, "private"), format!("{private},{private}"));
    let misses = [0, 1].map(|c| r.m.cpu_summary(c).mem.coherence_misses);
    println!("phases={phases}: coherence misses {misses:?}; {line}");
    misses
}

fn check(cfg: MachineConfig) {
    let n = u64::from(N);
    let shared = coherence_misses(cfg.clone(), SHARED);
    let both = coherence_misses(cfg.clone(), SHARED | PRIVATE);
    let private = coherence_misses(cfg, PRIVATE);
    for cpu in 0..2 {
        // Every turn but a CPU's first finds its copy of the line stolen by the other's write.
        assert!(shared[cpu] >= n - 1, "cpu{cpu}: {} coherence misses for {n} turns", shared[cpu]);
        assert!(shared[cpu] <= n + 5, "cpu{cpu}: {} coherence misses for {n} turns", shared[cpu]);
        // Private lines add (almost) nothing: only the start-up and the final report move lines.
        assert!(both[cpu] - shared[cpu] <= 4, "cpu{cpu}: private phase added {:?}", both);
        assert!(private[cpu] <= 4, "cpu{cpu}: private phase alone: {private:?}");
    }
}

#[test]
fn turn_taking_on_one_line_costs_a_coherence_miss_per_turn_private_lines_none() {
    check(MachineConfig::flash(1, 2));
}

#[test]
fn the_same_across_nodes() {
    check(MachineConfig::flash(2, 1));
}
