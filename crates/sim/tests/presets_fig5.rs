//! The database presets tell their story: db-1vm beats db-native on two nodes because of where
//! the monitor puts memory, not because virtualization is free, and the uniprocessor pair
//! db-native-1cpu / db-1vm-1cpu, which differs only in the monitor, shows the paper's Fig. 5
//! overhead (docs/performance.md has the measured run times).

use sim::scenario::{Guests, Preset};

fn preset(name: &str) -> Preset {
    Preset::named(name).unwrap_or_else(|| panic!("no preset {name}"))
}

#[test]
fn the_uniprocessor_pair_differs_only_in_the_monitor() {
    let native = preset("db-native-1cpu").scenario();
    let vm = preset("db-1vm-1cpu").scenario();
    assert_eq!(native.machine, vm.machine);
    assert_eq!((native.machine.nodes, native.machine.cpus_per_node), (1, 1));
    assert_eq!(native.guests, Guests::Native { workload: "db-full".into() });
    let Guests::Disco { vms, .. } = &vm.guests else { panic!("db-1vm-1cpu runs the monitor") };
    assert_eq!(vms.len(), 1);
    assert_eq!((vms[0].workload.as_str(), vms[0].vcpus), ("db-full", 1));
}

#[test]
fn the_two_node_pair_says_why_the_vm_wins() {
    for name in ["db-1vm", "db-native"] {
        let d = preset(name).description;
        assert!(d.contains("NUMA"), "{name}: {d}");
        assert!(d.contains("db-native-1cpu"), "{name} points at the uniprocessor pair: {d}");
    }
    assert!(preset("db-1vm").description.contains("opposite of the paper's Fig. 5"));
}
