//! Snapshots under the monitor: the machine and the monitor serialised together in the middle
//! of two VMs running the kernel self-test, restored, and run on, give the same consoles, the
//! same ledgers and the same machine run hash as the original run.

use guest_files::{disk_with_init, guest};
use machine::Machine;
use machine::MachineConfig;
use monitor::Monitor;
use monitor::config::{MonitorConfig, VmSpec};

fn finish(mut m: Machine, mut mon: Monitor) -> (Option<u32>, Vec<Vec<u8>>, String, u64) {
    let code = m.run_to_halt(8_000_000_000, &mut mon);
    let consoles = mon.vms().iter().map(|v| v.console().to_vec()).collect();
    let stats = format!("{:?}", mon.vms().iter().map(|v| v.stats().clone()).collect::<Vec<_>>());
    (code, consoles, stats, m.run_hash())
}

#[test]
fn machine_and_monitor_restored_mid_run_continue_identically() {
    let disk = disk_with_init(guest("ktest"));
    let cfg = MachineConfig { memory_per_node_mb: 16, ..MachineConfig::flash(2, 1) };
    let mut m = Machine::new(cfg, vec![disk.clone(), disk]).expect("machine");
    let specs = (0..2)
        .map(|k| VmSpec { name: format!("vm{k}"), vcpus: 2, memory_mb: 12, disk_unit: Some(k) })
        .collect();
    let kernels = vec![guest("kernel-disco"); 2];
    let mut mon = Monitor::new(MonitorConfig::default(), specs, &kernels, &mut m).expect("monitor");
    m.run(80_000_000, &mut mon);
    assert!(m.halted().is_none(), "still running at the snapshot");
    let bytes = bincode::serialize(&(&m, &mon)).expect("serialise");
    let (m2, mon2): (Machine, Monitor) = bincode::deserialize(&bytes).expect("deserialise");
    let original = finish(m, mon);
    assert_eq!(original.0, Some(0));
    for c in &original.1 {
        assert!(String::from_utf8_lossy(c).contains("ktest: done, 0 failed"));
    }
    assert_eq!(finish(m2, mon2), original);
}
