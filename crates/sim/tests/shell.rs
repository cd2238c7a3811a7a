//! The interactive shell: commands typed at a VM's console run in that VM's guest OS, the
//! kernel echoes them, each VM's file system is its own, a waiting shell lets its CPU idle, and
//! `exit` ends the session with the run passed — natively too.

use sim::assets::Assets;
use sim::scenario::{Guests, MachineShape, Preset, Scenario};
use sim::simulation::Simulation;

fn boot(s: &Scenario) -> Simulation {
    let dir = guest_files::dir();
    let assets = Assets::from_dir(&dir, s).expect("guest files — run `cargo xtask guests`");
    Simulation::new(s, &assets).expect("boots")
}

fn console(sim: &Simulation, g: usize) -> String {
    String::from_utf8_lossy(sim.console(g)).into_owned()
}

/// Runs until guest `g`'s console has grown by text containing `want` (or fails).
fn run_until(sim: &mut Simulation, g: usize, want: &str) {
    let from = sim.console(g).len();
    for _ in 0..400 {
        sim.run(5_000_000);
        if String::from_utf8_lossy(&sim.console(g)[from..]).contains(want) {
            return;
        }
    }
    panic!("vm{g} never printed {want:?}:\n{}", console(sim, g));
}

/// Runs until guest `g` waits at a prompt.
fn run_to_prompt(sim: &mut Simulation, g: usize) {
    for _ in 0..400 {
        if sim.console(g).ends_with(b"$ ") {
            return;
        }
        sim.run(5_000_000);
    }
    panic!("vm{g} never reached its prompt:\n{}", console(sim, g));
}

#[test]
fn two_vms_take_commands_and_keep_their_own_files() {
    let mut sim = boot(&Preset::named("shell-2vms").expect("preset").scenario());
    for g in 0..2 {
        run_to_prompt(&mut sim, g);
    }
    // Waiting at the prompt, the VMs' CPUs idle: a long wait runs almost no instructions.
    let before = sim.counters().instructions;
    sim.run(200_000_000);
    let waited = sim.counters().instructions - before;
    assert!(waited < 5_000_000, "{waited} instructions in 1 s of waiting at two prompts");

    sim.console_input(0, b"echo hello from vm0 > /tmp/note\n");
    run_until(&mut sim, 0, "$ ");
    sim.console_input(0, b"cat /tmp/note\n");
    run_until(&mut sim, 0, "hello from vm0");
    sim.console_input(1, b"cat /tmp/note\n");
    run_until(&mut sim, 1, "$ ");
    let vm0 = console(&sim, 0);
    let vm1 = console(&sim, 1);
    // The kernel echoed the command lines.
    assert!(vm0.contains("$ echo hello from vm0 > /tmp/note\n"), "{vm0}");
    assert!(vm0.contains("$ cat /tmp/note\nhello from vm0\n"), "{vm0}");
    assert!(vm1.contains("$ cat /tmp/note\n"), "{vm1}");
    assert!(!vm1.contains("hello from vm0"), "vm1 sees vm0's file:\n{vm1}");

    for g in 0..2 {
        sim.console_input(g, b"exit\n");
    }
    assert!(sim.run_to_end(2_000_000_000), "exit did not end the sessions");
    for g in 0..2 {
        assert_eq!(sim.passed(g), Some(true), "vm{g}:\n{}", console(&sim, g));
    }
}

#[test]
fn the_native_shell_runs_a_script_and_ends_at_end_of_input() {
    let s = Scenario {
        name: "native shell".into(),
        machine: MachineShape {
            nodes: 1,
            cpus_per_node: 2,
            memory_per_node_mb: 32,
            uma: false,
            cache_kb: sim::scenario::DEFAULT_CACHE_KB,
        },
        guests: Guests::Native { workload: "shell".into() },
        seed: 0,
    };
    let mut sim = boot(&s);
    run_to_prompt(&mut sim, 0);
    // Typed ahead, all at once: the shell takes one line at a time.
    sim.console_input(0, b"sh /etc/demo.sh\nls /tmp/demo\n");
    run_until(&mut sim, 0, "words\n$ ");
    let out = console(&sim, 0);
    assert!(out.contains("demo: making a directory and a file"), "{out}");
    assert!(out.contains("      1       3      14 /tmp/demo/words"), "{out}");
    // Ctrl-D at the start of a line is the end of input: the shell exits, init reports.
    sim.console_input(0, &[0x04]);
    assert!(sim.run_to_end(2_000_000_000), "end of input did not end the session");
    assert_eq!(sim.passed(0), Some(true), "{}", console(&sim, 0));
}
