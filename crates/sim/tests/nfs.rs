//! The NFS-like file service between VMs (paper §4.2.6) as the scenarios run it: VM 0 serves
//! the pmake image's files over the monitor's virtual subnet, the other VMs build pmake from
//! the files they read from it. Every client reaches the host-computed checksums, the server
//! reports every client done; the monitor remapped the server's buffer pages into the clients
//! (pages remapped > 0), the machine holds fewer pages than the VMs use (M < V); the run is the
//! same twice. Writes over NFS: each client writes the program it linked to the server's
//! `/export`, and the server receives every one intact; at shells, what one client writes
//! under `/export` the server and another client read back, two clients' concurrent writes
//! both land, and requests no client should send get errors, not a broken server.

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

/// Runs `s` to its end: the last frame, the run hash and the server's console.
fn run(s: &Scenario) -> (Frame, u64, String) {
    let assets = Assets::from_dir(&guest_files::dir(), s).expect("guest files");
    let mut sim = Simulation::new(s, &assets).expect("boots");
    while !sim.finished() {
        sim.run(20_000_000);
        assert!(sim.machine().now() < 20_000_000_000, "the run did not finish");
    }
    (sim.counters(), sim.run_hash(), String::from_utf8_lossy(sim.console(0)).into_owned())
}

#[test]
fn pmake_over_nfs_keeps_its_results_and_remaps_the_servers_pages() {
    let s = scenario(2);
    let (f, hash, server) = run(&s);
    for (g, gf) in f.guests.iter().enumerate() {
        assert_eq!(gf.passed, Some(true), "vm{g}");
    }
    // Both clients wrote their program to the server (at about the same time): it received
    // both, the same bytes (the same size and checksum; VM 1's are the host's, by the image's
    // expected lines).
    let received = |vm: u32| {
        let head = format!("nfsd: received vm{vm}-prog: ");
        let line = server.lines().find(|l| l.starts_with(&head));
        line.map(|l| l[head.len()..].to_string()).unwrap_or_else(|| panic!("{head}?\n{server}"))
    };
    assert_eq!(received(1), received(2));
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

fn console(sim: &Simulation, g: usize) -> String {
    String::from_utf8_lossy(sim.console(g)).into_owned()
}

/// Runs until guest `g`'s console has grown by text containing `want` (or fails).
fn run_until(sim: &mut Simulation, g: usize, want: &str) {
    let from = sim.console(g).len();
    run_until_from(sim, g, from, want);
}

/// Runs until guest `g`'s console past byte `from` contains `want` (or fails).
fn run_until_from(sim: &mut Simulation, g: usize, from: usize, want: &str) {
    for _ in 0..400 {
        if String::from_utf8_lossy(&sim.console(g)[from..]).contains(want) {
            return;
        }
        sim.run(5_000_000);
    }
    panic!("vm{g} never printed {want:?}:\n{}", console(sim, g));
}

/// Types `line` at guest `g`'s shell and runs until its next prompt; what it printed.
fn command(sim: &mut Simulation, g: usize, line: &str) -> String {
    let from = sim.console(g).len();
    sim.console_input(g, format!("{line}\n").as_bytes());
    run_until(sim, g, "\n$ ");
    String::from_utf8_lossy(&sim.console(g)[from..]).into_owned()
}

/// Three shells: VM 0 serves in the background, VMs 1 and 2 mount it.
fn shells() -> Simulation {
    let s =
        Scenario::from_query("nodes=2&cpus=2&mem=48&os=disco&vms=shell:1:12,shell:1:12,shell:1:12")
            .expect("valid");
    let assets = Assets::from_dir(&guest_files::dir(), &s).expect("guest files");
    let mut sim = Simulation::new(&s, &assets).expect("boots");
    for g in 0..3 {
        for _ in 0..400 {
            if sim.console(g).ends_with(b"$ ") {
                break;
            }
            sim.run(5_000_000);
        }
    }
    command(&mut sim, 0, "nfs start &");
    command(&mut sim, 1, "nfs start");
    command(&mut sim, 2, "nfs start");
    sim
}

#[test]
fn what_a_client_writes_under_export_the_server_and_another_client_read_back() {
    let mut sim = shells();
    // Two clients write at once (both lines typed before either runs).
    let from = [sim.console(1).len(), sim.console(2).len()];
    sim.console_input(1, b"echo one from vm1 > /export/a\n");
    sim.console_input(2, b"echo two from vm2 > /export/b\n");
    run_until_from(&mut sim, 1, from[0], "\n$ ");
    run_until_from(&mut sim, 2, from[1], "\n$ ");
    // A file of several blocks, appended to: whole blocks and a partial one.
    command(&mut sim, 1, "cat /bin/echo /bin/echo > /export/big");
    command(&mut sim, 1, "echo tail >> /export/big");

    let out = command(&mut sim, 0, "cat /export/a /export/b");
    assert!(out.contains("one from vm1\ntwo from vm2\n"), "server:\n{out}");
    let out = command(&mut sim, 2, "cat /export/a");
    assert!(out.contains("one from vm1\n"), "vm2:\n{out}");
    let out = command(&mut sim, 1, "ls /export");
    assert!(out.contains('a') && out.contains('b') && out.contains("big"), "vm1:\n{out}");
    // The same bytes everywhere: the big file's word count at the server and at vm2.
    let at_server = command(&mut sim, 0, "wc /export/big");
    let at_vm2 = command(&mut sim, 2, "wc /export/big");
    let count = |s: &str| {
        s.lines().nth(1).map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
    };
    assert!(count(&at_server).is_some_and(|c| c.split(' ').count() == 3), "{at_server}");
    assert_eq!(count(&at_server), count(&at_vm2), "{at_server}\n{at_vm2}");
    // `nfs put` on both clients, `nfs check` on one: it reads the other's copy over NFS and
    // compares it with its own file (several blocks).
    command(&mut sim, 1, "nfs put /bin/echo");
    let out = command(&mut sim, 2, "nfs put /bin/echo");
    assert!(out.contains("nfs: wrote echo to the server and read it back intact"), "{out}");
    let out = command(&mut sim, 2, "nfs check /bin/echo");
    assert!(out.contains("nfs: every client's echo matches this VM's"), "{out}");
    // A client removes a file: gone at the server too.
    command(&mut sim, 2, "rm /export/b");
    let out = command(&mut sim, 0, "cat /export/b");
    assert!(!out.contains("two from vm2"), "server:\n{out}");

    // The clients stop; the server reports what it received and powers off.
    command(&mut sim, 1, "nfs stop");
    command(&mut sim, 2, "nfs stop");
    run_until(&mut sim, 0, "nfsd: received big");
    let server = console(&sim, 0);
    assert!(server.contains("nfsd: every client done"), "{server}");
    assert!(server.contains("nfsd: received a: 13 bytes"), "{server}");
    assert!(!server.contains("nfsd: received b:"), "{server}");
}

/// Requests a faulty or hostile client could send (`nfs probe` sends raw words): each gets
/// an error answer, and the server goes on serving.
#[test]
fn bad_requests_get_errors_and_the_server_keeps_serving() {
    let mut sim = shells();
    command(&mut sim, 1, "echo kept > /export/k");
    for (req, answer) in [
        // A block read outside the file system (the block-level export).
        ("1 4000000000 0 0", "4 4000000000 0 0"),
        // A write to an inode the server never handed out (the root directory).
        ("18 1 0 16", "23 9 0 0"),
        // A write to a handle out of range.
        ("18 4000000000 0 16", "23 9 0 0"),
        // A write longer than a block, and one that crosses a block's end.
        ("18 1 0 5000", "23 22 0 0"),
        ("18 1 4000 200", "23 22 0 0"),
        // A read of an inode never handed out.
        ("17 1 0 0", "23 9 0 0"),
        // A name too long, and one that is not a name (a zero byte).
        ("16 1 60 0", "23 22 0 0"),
        ("16 0 1 0", "23 22 0 0"),
        // An unknown operation.
        ("99 0 0 0", "23 22 0 0"),
    ] {
        let out = command(&mut sim, 2, &format!("nfs probe {req}"));
        assert!(out.contains(&format!("nfs: answer {answer}\n")), "{req}:\n{out}");
    }
    let out = command(&mut sim, 2, "cat /export/k");
    assert!(out.contains("kept\n"), "{out}");
    let out = command(&mut sim, 0, "cat /export/k");
    assert!(out.contains("kept\n"), "{out}");
}
