//! Snapshots: a machine serialised in the middle of a run (the guest OS running its self-test
//! on 4 CPUs), restored, and run on gives exactly what the original gives — same console, same
//! run hash — and so does a clone. The CPUs' decoded-instruction and translation caches are not
//! in a snapshot; rebuilding them must change nothing.

use guest_files::{disk_with_init, guest};
use machine::machine::Log;
use machine::{Machine, MachineConfig};

fn booted() -> Machine {
    let disk = disk_with_init(guest("ktest"));
    let cfg = MachineConfig { memory_per_node_mb: 16, ..MachineConfig::flash(2, 2) };
    let mut m = Machine::new(cfg, vec![disk]).expect("machine");
    m.boot(&guest("kernel")).expect("kernel");
    m
}

fn finish(mut m: Machine) -> (Option<u32>, Vec<u8>, u64) {
    let code = m.run_to_halt(8_000_000_000, &mut Log::default());
    (code, m.console().to_vec(), m.run_hash())
}

#[test]
fn a_restored_snapshot_runs_on_exactly_like_the_original() {
    // Mid-run (halfway through the self-test, however long the kernel takes): processes, page
    // tables, buffer cache, a disk request perhaps in flight.
    let whole = {
        let mut m = booted();
        m.run_to_halt(8_000_000_000, &mut Log::default());
        m.now()
    };
    let mut m = booted();
    m.run(whole / 2, &mut Log::default());
    assert!(m.halted().is_none(), "still running at the snapshot");
    let bytes = bincode::serialize(&m).expect("serialise");
    let restored: Machine = bincode::deserialize(&bytes).expect("deserialise");
    assert_eq!(restored.run_hash(), m.run_hash(), "the snapshot holds the whole state");
    let cloned = m.clone();
    let original = finish(m);
    assert_eq!(original.0, Some(0), "{}", String::from_utf8_lossy(&original.1));
    assert_eq!(finish(restored), original);
    assert_eq!(finish(cloned), original);
}

#[test]
fn a_corrupt_snapshot_is_an_error_not_a_panic() {
    let m = booted();
    let bytes = bincode::serialize(&m).expect("serialise");
    for cut in [0, 1, 100, bytes.len() / 2] {
        assert!(bincode::deserialize::<Machine>(&bytes[..cut]).is_err());
    }
}
