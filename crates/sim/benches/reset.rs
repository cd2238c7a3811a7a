//! What a reset costs: booting a preset again from its files against taking and restoring a
//! snapshot of the same simulation part-way through its run. `Reset` restores the snapshot the
//! controller takes just after the boot, because restoring is the cheaper of the two (snapshots
//! keep only non-zero 4 KB chunks of memory and disks).
//!
//! Run: `cargo bench -p sim --bench reset` (needs `cargo xtask guests`).

#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{Criterion, criterion_group, criterion_main};
use sim::assets::Assets;
use sim::scenario::Preset;
use sim::simulation::Simulation;

fn reset(c: &mut Criterion) {
    let dir = guest_files::dir();
    let mut group = c.benchmark_group("reset");
    group.sample_size(10);
    for name in ["pmake-4vms", "db-1vm"] {
        let scenario = Preset::named(name).expect("preset").scenario();
        let assets =
            Assets::from_dir(&dir, &scenario).expect("guest files — run `cargo xtask guests`");
        group.bench_function(format!("{name}/boot"), |b| {
            b.iter(|| Simulation::new(&scenario, &assets).expect("boots"))
        });
        let mut sim = Simulation::new(&scenario, &assets).expect("boots");
        sim.run(200_000_000);
        let snapshot = sim.snapshot();
        println!("{name}: snapshot after 200 M cycles is {} MB", snapshot.len() >> 20);
        group.bench_function(format!("{name}/snapshot"), |b| b.iter(|| sim.snapshot()));
        group.bench_function(format!("{name}/restore"), |b| {
            b.iter(|| sim.restore(&snapshot).expect("restores"))
        });
    }
    group.finish();
}

criterion_group!(benches, reset);
criterion_main!(benches);
