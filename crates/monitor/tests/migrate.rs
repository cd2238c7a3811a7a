//! Page migration under a real workload (paper §4.2.3): engineering, whose processes each touch
//! a large private working set, in one 8-VCPU VM on a 4-node machine with the NUMA policy set to
//! migrate. Pages move (the policy acts on FLASH's hot-page interrupts), the workload still
//! reaches its host-computed checksums — so every moved page kept its bytes —, the pmap/memmap
//! bookkeeping holds, the run is deterministic, and with the policy off nothing moves.

use guest_files::{guest, in_order, variant};
use machine::{Machine, MachineConfig};
use monitor::Monitor;
use monitor::config::{MonitorConfig, VmSpec};
use monitor::events::EventKind;
use monitor::numa_policy::{NumaConfig, PolicyMode};

struct Run {
    m: Machine,
    mon: Monitor,
    console: String,
    expected: Vec<String>,
}

fn run(mode: PolicyMode) -> Run {
    let (disk, expected) = variant("engineering-tiny", 8192, 1024);
    let cfg = MachineConfig { memory_per_node_mb: 32, ..MachineConfig::flash(4, 2) };
    let mut m = Machine::new(cfg, vec![disk]).expect("machine");
    let spec = VmSpec { name: "eng".into(), vcpus: 8, memory_mb: 64, disk_unit: Some(0) };
    let numa = NumaConfig { mode, ..NumaConfig::default() };
    let mcfg = MonitorConfig { numa, ..MonitorConfig::default() };
    let mut mon =
        Monitor::new(mcfg, vec![spec], &[guest("kernel-disco")], &mut m).expect("monitor");
    assert_eq!(m.run_to_halt(40_000_000_000, &mut mon), Some(0), "the VM powered off with 0");
    let console = String::from_utf8_lossy(mon.vms()[0].console()).into_owned();
    Run { m, mon, console, expected }
}

#[test]
fn migrated_pages_keep_their_bytes_and_the_bookkeeping_holds() {
    let r = run(PolicyMode::Migrate);
    assert!(in_order(&r.console, &r.expected), "{}", r.console);
    assert_eq!(r.mon.check_invariants(&r.m), Ok(()));
    let migrations = r.mon.vms()[0].stats().migrations;
    assert!(migrations > 0, "no page migrated");
    // Every migration the event stream shows went to the node that was missing on the page,
    // from another node, onto a page of that node.
    let (events, _) = r.mon.events_since(0);
    let mut seen = 0;
    for e in events {
        if let EventKind::Migrated { from, to, from_node, to_node, misses, .. } = &e.kind {
            seen += 1;
            assert_ne!(from_node, to_node);
            assert_eq!(r.mon.memmap().node_of(*to), *to_node);
            assert_eq!(r.mon.memmap().node_of(*from), *from_node);
            let hot = misses.iter().enumerate().max_by_key(|(_, c)| **c).map(|(n, _)| n);
            assert_eq!(hot, Some(to_node.index()), "moved to the node with the most misses");
        }
    }
    assert!(seen > 0);
    eprintln!("{migrations} migrations; {seen} in the event ring");
}

#[test]
fn with_the_policy_off_pages_stay_where_first_touch_put_them() {
    let r = run(PolicyMode::Off);
    assert!(in_order(&r.console, &r.expected), "{}", r.console);
    assert_eq!(r.mon.vms()[0].stats().migrations, 0);
    let (events, _) = r.mon.events_since(0);
    assert!(events.into_iter().all(|e| matches!(e.kind, EventKind::HotPage { .. })));
}

#[test]
fn a_policy_change_is_an_event() {
    let (disk, _) = variant("engineering-tiny", 8192, 1024);
    let mut m = Machine::new(MachineConfig::flash(2, 1), vec![disk]).expect("machine");
    let spec = VmSpec { name: "eng".into(), vcpus: 2, memory_mb: 24, disk_unit: Some(0) };
    let mut mon =
        Monitor::new(MonitorConfig::default(), vec![spec], &[guest("kernel-disco")], &mut m)
            .expect("monitor");
    let numa = NumaConfig { mode: PolicyMode::Both, ..NumaConfig::default() };
    mon.set_numa_policy(1234, numa);
    assert_eq!(mon.config().numa, numa);
    let (events, _) = mon.events_since(0);
    let last = events.last().expect("an event");
    assert_eq!((last.cycle, &last.kind), (1234, &EventKind::PolicyChanged { numa }));
}

#[test]
fn migration_is_deterministic() {
    let a = run(PolicyMode::Migrate);
    let b = run(PolicyMode::Migrate);
    assert_eq!(a.m.run_hash(), b.m.run_hash());
    assert_eq!(a.mon.vms()[0].stats(), b.mon.vms()[0].stats());
}
