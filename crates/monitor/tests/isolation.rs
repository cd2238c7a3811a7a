//! Isolation and bookkeeping under attack: a hostile guest kernel (guests/monitor-tests/hostile)
//! runs beside a VM building with pmake. It reads and writes outside its memory, writes TLB
//! entries for foreign frames, makes malformed monitor calls and floods the monitor with traps.
//! The monitor must refuse all of it (faults and error codes delivered to the hostile guest),
//! the other VM must still reach its host-computed output, and the pmap/memmap invariants must
//! hold after every trap and quantum.

use guest_files::{disk_with_init, guest, in_order, variant};
use machine::{Machine, MachineConfig, Stop};
use monitor::Monitor;
use monitor::config::{MonitorConfig, VmSpec};
use monitor::ids::{Gppn, NodeId, PcpuId, VmId};
use monitor::numa_policy::{NumaConfig, PolicyMode};

#[test]
fn a_hostile_guest_is_contained_and_its_neighbour_unharmed() {
    let (disk, expected) = variant("pmake-tiny", 4096, 1024);
    let cfg = MachineConfig { memory_per_node_mb: 32, ..MachineConfig::flash(2, 1) };
    let mut m = Machine::new(cfg, vec![disk]).expect("machine");
    let specs = vec![
        VmSpec { name: "hostile".into(), vcpus: 1, memory_mb: 4, disk_unit: None },
        VmSpec { name: "pmake".into(), vcpus: 1, memory_mb: 24, disk_unit: Some(0) },
    ];
    let mcfg = MonitorConfig { check_invariants: true, ..MonitorConfig::default() };
    let mut mon = Monitor::new(mcfg, specs, &[guest("hostile"), guest("kernel-disco")], &mut m)
        .expect("monitor");
    m.run_to_halt(20_000_000_000, &mut mon);
    let hostile = String::from_utf8_lossy(mon.vms()[0].console()).into_owned();
    let pmake = String::from_utf8_lossy(mon.vms()[1].console()).into_owned();

    assert_eq!(
        mon.vms()[0].halted(),
        Some(0),
        "the hostile guest got away with something:\n{hostile}"
    );
    assert!(hostile.contains("hostile: contained"), "{hostile}");
    assert!(hostile.contains("own page through the TLB: ok"), "{hostile}");
    let st = mon.vms()[0].stats();
    assert!(st.bad_calls >= 16 + 20_000, "refused calls: {}", st.bad_calls);
    assert!(st.forwarded >= 20_000, "exceptions delivered: {}", st.forwarded);
    // The monitor never gave the hostile VM more than its 4 MB.
    assert!(st.pages <= 1024, "hostile VM holds {} machine pages", st.pages);

    assert_eq!(mon.vms()[1].halted(), Some(0), "{pmake}");
    assert!(in_order(&pmake, &expected), "pmake's output changed:\n{pmake}");
    assert_eq!(mon.violation(), None);
    assert_eq!(mon.check_invariants(&m), Ok(()));
}

#[test]
fn bookkeeping_holds_through_two_smp_vms_of_the_kernel_self_test() {
    let ktest = disk_with_init(guest("ktest"));
    let cfg = MachineConfig { memory_per_node_mb: 16, ..MachineConfig::flash(2, 2) };
    let mut m = Machine::new(cfg, vec![ktest.clone(), ktest]).expect("machine");
    let specs = (0..2)
        .map(|k| VmSpec { name: format!("vm{k}"), vcpus: 2, memory_mb: 12, disk_unit: Some(k) })
        .collect();
    let mcfg = MonitorConfig {
        check_invariants: true,
        l2tlb_entries: 64,
        slice_cycles: 100_000,
        ..MonitorConfig::default()
    };
    let kernels = vec![guest("kernel-disco"); 2];
    let mut mon = Monitor::new(mcfg, specs, &kernels, &mut m).expect("monitor");
    let code = m.run_to_halt(20_000_000_000, &mut mon);
    for k in 0..2 {
        let c = String::from_utf8_lossy(mon.vms()[k].console()).into_owned();
        assert!(c.contains("ktest: done, 0 failed"), "vm{k}:\n{c}");
    }
    assert_eq!(code, Some(0));
    assert_eq!(mon.violation(), None);
}

#[test]
fn a_hostile_guest_gets_no_replica_of_its_neighbours_pages_and_cannot_write_through_one() {
    // The neighbour's pages are replicated on every node while the hostile guest runs (its
    // VCPU shares node 0 with one of the neighbour's): the hostile guest must still reach only
    // its own pages, and no translation of a replicated page may be writable — the monitor's
    // invariants (checked after every trap and quantum in this debug build) say both.
    let (disk, expected) = variant("pmake-tiny", 4096, 1024);
    let cfg = MachineConfig { memory_per_node_mb: 32, ..MachineConfig::flash(2, 1) };
    let mut m = Machine::new(cfg, vec![disk]).expect("machine");
    let specs = vec![
        VmSpec { name: "hostile".into(), vcpus: 1, memory_mb: 4, disk_unit: None },
        VmSpec { name: "pmake".into(), vcpus: 2, memory_mb: 24, disk_unit: Some(0) },
    ];
    let numa = NumaConfig { mode: PolicyMode::Both, ..NumaConfig::default() };
    let mcfg = MonitorConfig { check_invariants: true, numa, ..MonitorConfig::default() };
    let mut mon = Monitor::new(mcfg, specs, &[guest("hostile"), guest("kernel-disco")], &mut m)
        .expect("monitor");
    let neighbour = VmId(1);
    let mut replicated = 0;
    while m.run(20_000_000, &mut mon) == Stop::Budget {
        let pages: Vec<Gppn> = mon.vms()[1].pmap().mapped().map(|(g, _)| g).step_by(3).collect();
        for gppn in pages {
            for node in [NodeId(0), NodeId(1)] {
                replicated +=
                    u32::from(mon.replicate(&mut m, PcpuId(0), neighbour, gppn, node).is_ok());
            }
        }
        assert_eq!(mon.violation(), None);
        assert!(m.now() < 20_000_000_000, "the run did not finish");
    }
    assert!(replicated > 100, "only {replicated} replicas made");
    let hostile = String::from_utf8_lossy(mon.vms()[0].console()).into_owned();
    let pmake = String::from_utf8_lossy(mon.vms()[1].console()).into_owned();
    assert_eq!(
        mon.vms()[0].halted(),
        Some(0),
        "the hostile guest got away with something:\n{hostile}"
    );
    assert!(hostile.contains("hostile: contained"), "{hostile}");
    assert!(mon.vms()[0].stats().pages <= 1024, "hostile VM holds more than its 4 MB");
    assert_eq!(mon.vms()[0].stats().replications, 0, "nothing of the hostile VM's was copied");
    assert!(mon.vms()[1].stats().collapses > 0, "the neighbour's stores collapsed replicas");
    assert!(in_order(&pmake, &expected), "pmake's output changed:\n{pmake}");
    assert_eq!(mon.violation(), None);
    assert_eq!(mon.check_invariants(&m), Ok(()));
}

#[test]
fn a_hostile_guest_cannot_write_into_the_pages_its_neighbours_share() {
    // Two pmake VMs boot one copy-on-write disk and share the blocks they both read (read-only
    // machine pages in both pmaps) while the hostile guest attacks beside them. It can reach
    // no page it does not share, so every shared page must still hold its block of the base
    // image at the end, both builds must reach their output, and the invariants (a shared
    // page is read-only in every mapping and mapped only by its sharers) must hold throughout.
    let (disk, expected) = variant("pmake-tiny", 4096, 1024);
    let cfg = MachineConfig { memory_per_node_mb: 32, ..MachineConfig::flash(2, 2) };
    let mut m = Machine::new(cfg, vec![disk.clone()]).expect("machine");
    let specs = vec![
        VmSpec { name: "hostile".into(), vcpus: 1, memory_mb: 4, disk_unit: None },
        VmSpec { name: "pmake0".into(), vcpus: 1, memory_mb: 24, disk_unit: Some(0) },
        VmSpec { name: "pmake1".into(), vcpus: 1, memory_mb: 24, disk_unit: Some(0) },
    ];
    let mcfg = MonitorConfig { check_invariants: true, ..MonitorConfig::default() };
    let kernels = [guest("hostile"), guest("kernel-disco"), guest("kernel-disco")];
    let mut mon = Monitor::new(mcfg, specs, &kernels, &mut m).expect("monitor");
    let mut most_shared = 0;
    while m.run(20_000_000, &mut mon) == Stop::Budget {
        most_shared = most_shared.max(mon.memory_totals().shared_pages);
        assert_eq!(mon.violation(), None);
        assert!(m.now() < 20_000_000_000, "the run did not finish");
    }
    let hostile = String::from_utf8_lossy(mon.vms()[0].console()).into_owned();
    assert_eq!(
        mon.vms()[0].halted(),
        Some(0),
        "the hostile guest got away with something:\n{hostile}"
    );
    assert!(hostile.contains("hostile: contained"), "{hostile}");
    for k in 1..3 {
        let pmake = String::from_utf8_lossy(mon.vms()[k].console()).into_owned();
        assert!(in_order(&pmake, &expected), "vm{k}'s output changed:\n{pmake}");
    }
    assert!(most_shared > 0, "the two builds shared no page");
    for ((unit, sector), page) in mon.disk_cache().blocks() {
        if mon.memmap().owner(page) != monitor::memmap::PageOwner::Shared {
            continue;
        }
        assert_eq!(unit, 0);
        assert!(mon.memmap().sharers(page).iter().all(|&(vm, _)| vm != VmId(0)));
        let at = sector as usize * 512;
        assert!(
            m.sys.mem.ram.slice(page.pa(), 4096) == Some(&disk[at..at + 4096]),
            "shared {page} no longer holds block {sector} of the base"
        );
    }
    assert!(m.sys.devices.disks[0].image() == &disk[..], "the base image is untouched");
    assert_eq!(mon.violation(), None);
    assert_eq!(mon.check_invariants(&m), Ok(()));
}
