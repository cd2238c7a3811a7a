//! Golden runs: every preset, run for a fixed number of machine cycles, must give the run hash
//! and headline counters recorded in `tests/golden/runs.json`. A change that shifts any run —
//! a cost in the model, an instruction's timing, a scheduling decision — fails here, so the
//! shift is deliberate and shows in review as a diff of that file.
//!
//! When a change is meant to move the numbers, rewrite the file and commit it with the change:
//!
//! ```sh
//! DISCO_GOLDEN=update cargo test -p sim --test golden
//! ```
//!
//! The browser tests (`e2e/tests/golden.test.mjs`) run the same presets for the same cycles in
//! the worker, compiled to WebAssembly, and must reach the same run hashes: the promise that a
//! run is the same natively and in the browser.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sim::assets::Assets;
use sim::scenario::PRESETS;
use sim::simulation::Simulation;

/// Machine cycles every golden run lasts: past the guests' boot into their workloads, and short
/// enough for a debug build.
const CYCLES: u64 = 20_000_000;

/// One preset's run: what `runs.json` holds per entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Golden {
    preset: String,
    cycles: u64,
    /// The run hash, as 16 hex digits (JSON numbers lose precision past 2^53).
    run_hash: String,
    instructions: u64,
    local_misses: u64,
    remote_misses: u64,
    user_cycles: u64,
    kernel_cycles: u64,
    monitor_cycles: u64,
    idle_cycles: u64,
}

fn path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/runs.json")
}

fn run(preset: &str) -> Golden {
    let scenario = sim::scenario::Preset::named(preset).expect("preset").scenario();
    let assets = Assets::from_dir(&guest_files::dir(), &scenario)
        .expect("guest files — run `cargo xtask guests`");
    let mut sim = Simulation::new(&scenario, &assets).expect("boots");
    sim.run(CYCLES);
    let f = sim.counters();
    Golden {
        preset: preset.into(),
        cycles: f.cycle,
        run_hash: format!("{:016x}", sim.run_hash()),
        instructions: f.instructions,
        local_misses: f.local_misses,
        remote_misses: f.remote_misses,
        user_cycles: f.cpus.iter().map(|c| c.user).sum(),
        kernel_cycles: f.cpus.iter().map(|c| c.kernel).sum(),
        monitor_cycles: f.cpus.iter().map(|c| c.monitor).sum(),
        idle_cycles: f.cpus.iter().map(|c| c.idle).sum(),
    }
}

#[test]
fn every_preset_gives_its_golden_run() {
    let runs: Vec<Golden> = PRESETS.iter().map(|p| run(p.name)).collect();
    let text = serde_json::to_string_pretty(&runs).expect("json") + "\n";
    if std::env::var("DISCO_GOLDEN").as_deref() == Ok("update") {
        std::fs::write(path(), &text).expect("write the golden file");
        eprintln!("rewrote {}", path().display());
        return;
    }
    let recorded = std::fs::read_to_string(path()).unwrap_or_default();
    let golden: Vec<Golden> = serde_json::from_str(&recorded).unwrap_or_default();
    let mut wrong = Vec::new();
    for run in &runs {
        match golden.iter().find(|g| g.preset == run.preset) {
            Some(g) if g == run => {}
            Some(g) => wrong.push(format!("{}:\n  recorded {g:?}\n  now      {run:?}", run.preset)),
            None => wrong.push(format!("{}: not in the golden file", run.preset)),
        }
    }
    for g in &golden {
        if !runs.iter().any(|r| r.preset == g.preset) {
            wrong.push(format!("{}: in the golden file but no longer a preset", g.preset));
        }
    }
    assert!(
        wrong.is_empty(),
        "runs differ from {} — if the change is meant to move them, rewrite it with \
         `DISCO_GOLDEN=update cargo test -p sim --test golden` and commit the diff:\n{}",
        path().display(),
        wrong.join("\n")
    );
}
