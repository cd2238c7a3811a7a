//! The guest kernel's per-service statistics as the host reads them (`Kstats::services`, the
//! data of the paper's Table 2): every service pmake uses is there, the per-call counts add up
//! to the total, and the times are CPU time — a `wait` that sleeps for most of the run is
//! charged microseconds, and all system calls together fit in the kernel's share of the run.

use sim::assets::Assets;
use sim::scenario::{Guests, MachineShape, Policies, Scenario, VmPlan};
use sim::simulation::Simulation;

fn run(guests: Guests) -> Simulation {
    let s = Scenario {
        name: "services".into(),
        machine: MachineShape {
            nodes: 1,
            cpus_per_node: 1,
            memory_per_node_mb: 64,
            uma: false,
            cache_kb: sim::scenario::DEFAULT_CACHE_KB,
        },
        guests,
        seed: 0,
    };
    let dir = guest_files::dir();
    let assets = Assets::from_dir(&dir, &s).expect("guest files — run `cargo xtask guests`");
    let mut sim = Simulation::new(&s, &assets).expect("boots");
    assert!(sim.run_to_end(20_000_000_000), "finishes");
    assert_eq!(sim.passed(0), Some(true), "{}", String::from_utf8_lossy(sim.console(0)));
    sim
}

fn check(sim: &mut Simulation) {
    let k = sim.kstats(0).expect("kernel statistics");
    let services = k.services();
    let get = |name: &str| {
        *services.iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no {name}"))
    };
    for name in ["fork", "exec", "wait", "open", "read", "write", "DEMAND_ZERO", "INTERRUPT"] {
        let s = get(name);
        assert!(s.count > 0 && s.cycles > 0, "{s:?}");
    }
    assert_eq!(k.per_syscall.iter().map(|s| s.0).sum::<u64>(), k.syscalls);
    assert!(services.windows(2).all(|w| w[0].cycles >= w[1].cycles), "busiest first");
    // CPU time: pmake's `wait` sleeps while the compilers run, yet costs little.
    let frame = sim.counters();
    let g = &frame.guests[0];
    let wait = get("wait");
    assert!(
        wait.cycles < frame.cycle / 100,
        "wait charged {} of {} cycles",
        wait.cycles,
        frame.cycle
    );
    // Every system call's time is kernel time (under the monitor, plus the monitor's work done
    // for the kernel, which the guest's clock sees too).
    let calls: u64 = k.per_syscall.iter().map(|s| s.1).sum();
    let kernel = g.kernel + g.monitor.iter().sum::<u64>();
    assert!(calls <= kernel, "system calls {calls} cycles, kernel time {kernel}");
    assert!(calls > kernel / 4, "system calls {calls} cycles, kernel time {kernel}");
}

#[test]
fn native_services_add_up() {
    let mut sim = run(Guests::Native { workload: "pmake-tiny".into() });
    check(&mut sim);
}

#[test]
fn services_under_the_monitor_add_up() {
    let vm = VmPlan { workload: "pmake-tiny".into(), vcpus: 1, memory_mb: 48 };
    let mut sim = run(Guests::Disco { vms: vec![vm], policies: Policies::default() });
    check(&mut sim);
}
