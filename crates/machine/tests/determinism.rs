//! Determinism: the same guest on the same configuration gives the same run, bit for bit
//! (equal run hashes and consoles), even with several CPUs interleaving and device events; a
//! configuration change that matters gives a different run.

mod guest;

use machine::MachineConfig;

/// The run hash and console of `name` on `cfg`.
fn hash(name: &str, cfg: MachineConfig, disks: Vec<Vec<u8>>) -> (u64, String) {
    let r = guest::run(name, cfg, disks, &[]);
    r.assert_ok();
    (r.m.run_hash(), r.console)
}

#[test]
fn the_same_run_twice_gives_the_same_hash() {
    let disk = guest::disk_image();
    for (name, cfg, disks) in [
        ("bm-pingpong", MachineConfig::flash(2, 1), vec![]),
        ("bm-ipi", MachineConfig::flash(2, 2), vec![]),
        ("bm-numa-walk", MachineConfig::flash(2, 1), vec![]),
        ("bm-disk", MachineConfig::uniprocessor(), vec![disk]),
    ] {
        let a = hash(name, cfg.clone(), disks.clone());
        let b = hash(name, cfg, disks);
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn a_config_change_that_matters_changes_the_hash() {
    let base = MachineConfig::flash(2, 1);
    let (h, console) = hash("bm-numa-walk", base.clone(), vec![]);
    let mut slower = base.clone();
    slower.latency.remote_ns = 1200;
    let (h_slower, console_slower) = hash("bm-numa-walk", slower, vec![]);
    assert_ne!(h, h_slower, "remote_ns");
    assert_ne!(console, console_slower, "the guest measures the difference");
    let (h_uma, _) = hash("bm-numa-walk", MachineConfig { uma: true, ..base.clone() }, vec![]);
    assert_ne!(h, h_uma, "uma");
    assert_ne!(h_slower, h_uma);
    // The interleaving quantum changes when each CPU sees the other's writes.
    let (p, _) = hash("bm-pingpong", base.clone(), vec![]);
    let (p_q, _) = hash("bm-pingpong", MachineConfig { quantum_cycles: 5000, ..base }, vec![]);
    assert_ne!(p, p_q, "quantum_cycles");
}
