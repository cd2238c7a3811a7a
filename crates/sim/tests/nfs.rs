//! The NFS-like file service between VMs (paper §4.2.6) as the scenarios run it: VM 0 serves
//! the pmake image's files over the monitor's virtual subnet, the other VMs build pmake from
//! the files they read from it. Every client reaches the host-computed checksums, the server
//! reports every client done; the monitor remapped the server's buffer pages into the clients
//! (pages remapped > 0), the machine holds fewer pages than the VMs use (M < V); the run is the
//! same twice.

use sim::assets::Assets;
use sim::frame::Frame;
use sim::scenario::{Preset, Scenario};
use sim::simulation::Simulation;

/// VM 0 the server, `clients` VMs building, one VCPU and 24 MB each.
fn scenario(clients: usize) -> Scenario {
    let mut list = vec!["pmake-tiny-nfsd:1:24"];
    list.extend(vec!["pmake-tiny-nfs:1:24"; clients]);
    let mem = ((clients as u32 + 1) * 24).div_ceil(2) + 8;
    Scenario::from_query(&format!("nodes=2&cpus=2&mem={mem}&os=disco&vms={}", list.join(",")))
        .expect("valid")
}

/// Runs `s` to its end: the last frame and the run hash.
fn run(s: &Scenario) -> (Frame, u64) {
    let assets = Assets::from_dir(&guest_files::dir(), s).expect("guest files");
    let mut sim = Simulation::new(s, &assets).expect("boots");
    while !sim.finished() {
        sim.run(20_000_000);
        assert!(sim.machine().now() < 20_000_000_000, "the run did not finish");
    }
    (sim.counters(), sim.run_hash())
}

#[test]
fn pmake_over_nfs_keeps_its_results_and_remaps_the_servers_pages() {
    let s = scenario(2);
    let (f, hash) = run(&s);
    for (g, gf) in f.guests.iter().enumerate() {
        assert_eq!(gf.passed, Some(true), "vm{g}");
    }
    let sh = f.sharing.as_ref().expect("sharing totals under the monitor");
    assert!(sh.net.pages_remapped > 0, "{:?}", sh.net);
    assert!(sh.net.frames > sh.net.pages_remapped, "requests and answers: {:?}", sh.net);
    assert_eq!(sh.net.dropped, 0);
    assert!(sh.m_pages < sh.v_total(), "M {} < V {}", sh.m_pages, sh.v_total());
    assert_eq!(run(&s).1, hash, "the same run twice");
}

/// The global buffer cache across VMs: while the clients build, some machine page holding a
/// block of the image is mapped by the server (its buffer cache) and by both clients (their
/// buffers, remapped from the server's).
#[test]
fn one_machine_page_backs_a_block_in_the_server_and_both_clients() {
    let s = scenario(2);
    let assets = Assets::from_dir(&guest_files::dir(), &s).expect("guest files");
    let mut sim = Simulation::new(&s, &assets).expect("boots");
    let mut seen = false;
    while !sim.finished() && !seen {
        sim.run(1_000_000);
        let mon = sim.monitor().expect("under the monitor");
        seen = mon.memmap().shared().any(|(page, sharers)| {
            let mut vms: Vec<u16> = sharers.iter().map(|(vm, _)| vm.0).collect();
            vms.sort_unstable();
            vms.dedup();
            mon.disk_cache().block_of(page).is_some() && vms == [0, 1, 2]
        });
        assert!(sim.machine().now() < 20_000_000_000, "the run did not finish");
    }
    assert!(seen, "no block page was mapped by the server and both clients at once");
}

#[test]
fn the_server_must_be_vm_0_and_the_preset_is_valid() {
    let e = Scenario::from_query("os=disco&vms=pmake-tiny-nfs:1:24,pmake-tiny-nfsd:1:24")
        .expect_err("server not first");
    assert_eq!(e.field, "vms[1].workload");
    assert!(Scenario::from_query("os=native&workload=pmake-tiny-nfsd").is_err());
    let p = Preset::named("pmake-8vms-nfs").expect("the preset");
    assert_eq!(p.scenario().validate(), Ok(()));
}
