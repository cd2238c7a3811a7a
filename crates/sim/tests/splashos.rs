//! SPLASHOS (guests/splashos), the library OS for one parallel program on the monitor: radix
//! reaches its host-computed checksum with 8 VCPUs on a 4-node machine, and its pages end up on
//! the nodes of the VCPUs that first touched them; it runs beside a dux VM; and a bad or
//! missing `/etc/rc` is a clear console line and a nonzero exit, never a hang.

use monitor::memmap::PageOwner;
use sim::assets::Assets;
use sim::scenario::{Guests, MachineShape, Policies, Scenario, VmPlan};
use sim::simulation::Simulation;
use sim::workload::SPLASHOS;

fn scenario(vms: Vec<VmPlan>) -> Scenario {
    Scenario {
        name: "test".into(),
        machine: MachineShape {
            nodes: 4,
            cpus_per_node: 2,
            memory_per_node_mb: 32,
            uma: false,
            cache_kb: sim::scenario::DEFAULT_CACHE_KB,
        },
        guests: Guests::Disco { vms, policies: Policies::default() },
        seed: 0,
    }
}

fn vm(workload: &str, vcpus: u32, memory_mb: u32) -> VmPlan {
    VmPlan { workload: workload.into(), vcpus, memory_mb }
}

fn boot(s: &Scenario, assets: &Assets) -> Simulation {
    let mut sim = Simulation::new(s, assets).expect("boots");
    assert!(sim.run_to_end(4_000_000_000), "did not finish");
    sim
}

fn run(vms: Vec<VmPlan>) -> Simulation {
    let s = scenario(vms);
    let assets =
        Assets::from_dir(&guest_files::dir(), &s).expect("guest files — run `cargo xtask guests`");
    boot(&s, &assets)
}

fn console(sim: &Simulation, g: usize) -> String {
    String::from_utf8_lossy(sim.console(g)).into_owned()
}

/// VM `g`'s machine pages per node.
fn pages_per_node(sim: &Simulation, g: usize) -> Vec<u32> {
    let c = sim.machine().config();
    let pages = c.memory_bytes() / 4096;
    let per_node = pages / c.nodes;
    let mon = sim.monitor().expect("monitor");
    let mut count = vec![0; c.nodes as usize];
    for p in 0..pages {
        if matches!(mon.memmap().owner(machine::Mppn(p)), PageOwner::Vm { vm, .. } if vm.index() == g)
        {
            count[(p / per_node) as usize] += 1;
        }
    }
    count
}

#[test]
fn radix_reaches_its_checksum_on_splashos_with_8_vcpus() {
    let sim = run(vec![vm("radix-tiny-splashos", 8, 16)]);
    let out = console(&sim, 0);
    assert_eq!(sim.passed(0), Some(true), "{out}");
    assert!(out.contains("radix: 8 threads\n"), "{out}");
    assert!(out.contains("radix: 65536 keys, radix 1024, sorted, checksum "), "{out}");
    let mon = sim.monitor().expect("monitor");
    let stats = mon.vms()[0].stats();
    // No virtual memory of its own: every TLB miss is the monitor's direct map, nothing is
    // forwarded to the guest, no TLB entry is written.
    assert_eq!(stats.forwarded, 0, "exceptions delivered to SPLASHOS");
    assert_eq!(stats.refills_forwarded + stats.refills_l2tlb + stats.refills_vtlb, 0);
    assert_eq!(stats.guest_tlb_writes, 0);
    // All eight VCPUs ran, and first touch spread the arrays over the four nodes.
    let ran: std::collections::BTreeSet<u16> =
        mon.vms()[0].vcpus().iter().filter(|v| v.ctx.pc != 0).map(|v| v.index.0).collect();
    assert_eq!(ran.len(), 8, "VCPUs that ran: {ran:?}");
    let nodes = pages_per_node(&sim, 0);
    let total: u32 = nodes.iter().sum();
    assert!(nodes.iter().all(|&n| n * 8 >= total), "pages per node: {nodes:?}");
}

#[test]
fn splashos_and_dux_side_by_side() {
    let sim = run(vec![vm("radix-tiny-splashos", 8, 16), vm("radix-tiny", 4, 32)]);
    for g in 0..2 {
        assert_eq!(sim.passed(g), Some(true), "vm{g}:\n{}", console(&sim, g));
    }
    // The same program and input under both operating systems: the same answer line, with a
    // thread per VCPU on each (8 and 4).
    let line = |g| {
        let out = console(&sim, g);
        out.lines().find(|l| l.starts_with("radix: ") && l.contains("checksum")).map(str::to_string)
    };
    assert!(line(0).is_some());
    assert_eq!(line(0), line(1));
    assert!(console(&sim, 0).contains("radix: 8 threads\n"));
    assert!(console(&sim, 1).contains("radix: 4 threads\n"));
}

/// Boots SPLASHOS with `vcpus` VCPUs on a disk built from `files`; its console and exit code.
fn splashos_on(files: &[(&str, &str)], vcpus: u32) -> (String, u32) {
    let s = scenario(vec![vm("radix-tiny-splashos", vcpus, 16)]);
    let mut tree = mkfs::Tree::default();
    tree.dir("/etc");
    for (path, text) in files {
        tree.file(path, text.as_bytes().to_vec());
    }
    let image = mkfs::Image::build(&tree, 256, 64).expect("image");
    let mut assets = Assets::default();
    let kernel =
        std::fs::read(guest_files::dir().join(SPLASHOS)).expect("run `cargo xtask guests`");
    assets.insert(SPLASHOS, kernel);
    assets.insert("images/radix-tiny.img", image.into_bytes());
    let sim = boot(&s, &assets);
    (console(&sim, 0), sim.exit_code(0).expect("powered off"))
}

#[test]
fn a_bad_or_missing_etc_rc_is_an_error_line_and_a_nonzero_exit() {
    // (the /etc/rc on the disk, if any; what the console must say)
    let cases = [
        (None, "splashos: /etc/rc: no such file"),
        (Some("# nothing to run\n\n"), "splashos: /etc/rc: no radix command to run"),
        (
            Some("radix -p 8 -n 4096\nsh -c hello\n"),
            "splashos: /etc/rc, line 2: `sh -c hello`: SPLASHOS runs one program, radix",
        ),
        (Some("radix -p 8 -n 4096 &\n"), "line 1: `radix -p 8 -n 4096 &`"),
        (Some("radix -q 3\n"), "radix: unknown argument `-q`"),
        (Some("radix -p 8 -n 4000000\n"), "radix: 4000000 keys need 31346 KB of memory"),
    ];
    for (rc, want) in cases {
        let files: Vec<(&str, &str)> = rc.map(|t| ("/etc/rc", t)).into_iter().collect();
        let (out, code) = splashos_on(&files, 8);
        assert!(out.contains(want), "{rc:?}: wanted {want:?} in:\n{out}");
        assert_eq!(code, 2, "{rc:?}:\n{out}");
        assert!(!out.contains("radix: 4096 keys"), "ran something anyway:\n{out}");
    }
    let (out, code) = splashos_on(&[("/etc/rc", "radix -p 8 -n 4096\n")], 4);
    assert!(out.contains("more threads than this VM's 4 VCPUs"), "{out}");
    assert_eq!(code, 2);
}

#[test]
fn a_long_etc_rc_is_read_whole() {
    // 80 KB of comments push the command past the inode's direct blocks (48 KB).
    let mut rc = String::new();
    while rc.len() < 80 * 1024 {
        rc.push_str("# SPLASHOS reads this file block by block from the virtual disk.\n");
    }
    rc.push_str("radix -p 2 -n 4096\n");
    let (out, code) = splashos_on(&[("/etc/rc", &rc)], 2);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("radix: 2 threads\n"), "{out}");
    assert!(out.contains("radix: 4096 keys, radix 1024, sorted, checksum "), "{out}");
    assert!(out.contains("splashos: /etc/rc finished with status 0"), "{out}");
}
