//! The kernel-services panel's times per call mean what they say: a service's cycles are those
//! of its own calls. A shell waiting at its prompt takes a timer tick 100 times a second for as
//! long as it waits; those ticks are `TICK`'s, not the device interrupts' (`INTERRUPT`, a few
//! dozen disk interrupts at boot) — charged to `INTERRUPT`, its time per call grew with the
//! idle time to milliseconds.

use sim::assets::Assets;
use sim::kstats::Service;
use sim::scenario::{Guests, MachineShape, Preset, Scenario};
use sim::simulation::Simulation;

/// The most a device interrupt may cost on average: 1 ms, hundreds of times what taking an
/// interrupt and finishing a disk request takes (a trap, a few device registers, a wake-up).
const MAX_INTERRUPT_US: f64 = 1_000.0;

/// Simulated seconds the shells wait at their prompts.
const WAIT_S: u64 = 20;

fn boot(s: &Scenario) -> Simulation {
    let assets =
        Assets::from_dir(&guest_files::dir(), s).expect("guest files — run `cargo xtask guests`");
    Simulation::new(s, &assets).expect("boots")
}

/// Runs `s` for [`WAIT_S`] simulated seconds (its shells boot and wait) and returns each
/// guest's services.
fn idle_services(s: &Scenario) -> (Vec<Vec<Service>>, u32) {
    let mut sim = boot(s);
    let mhz = sim.layout().clock_mhz;
    // In slices, as the page runs it.
    let total = WAIT_S * u64::from(mhz) * 1_000_000;
    while sim.machine().now() < total {
        sim.run(50_000_000);
    }
    let guests = sim.layout().guests.len();
    let services = (0..guests).map(|g| sim.kstats(g).expect("kernel statistics").services());
    (services.collect(), mhz)
}

fn mean_us(s: &Service, mhz: u32) -> f64 {
    s.cycles as f64 / f64::from(mhz) / s.count as f64
}

fn check(services: &[Service], mhz: u32, who: &str) {
    let get = |name: &str| services.iter().find(|s| s.name == name).copied();
    let int = get("INTERRUPT").unwrap_or_else(|| panic!("{who}: no INTERRUPT in {services:?}"));
    assert!(
        mean_us(&int, mhz) < MAX_INTERRUPT_US,
        "{who}: INTERRUPT {:.1} µs per call ({} calls, {} cycles): idle ticks charged to it",
        mean_us(&int, mhz),
        int.count,
        int.cycles
    );
}

/// The ticks of the wait are there under their own name, each cheap (natively: under the
/// monitor a tick mostly ends within the quantum it began in, and shows no time).
fn check_ticks(services: &[Service], mhz: u32, who: &str) {
    let tick = services.iter().find(|s| s.name == "TICK");
    let tick = tick.unwrap_or_else(|| panic!("{who}: no TICK in {services:?}"));
    assert!(tick.count >= 100 * WAIT_S / 2, "{who}: {tick:?}");
    assert!(mean_us(tick, mhz) < MAX_INTERRUPT_US, "{who}: {tick:?}");
}

#[test]
fn waiting_shells_charge_their_ticks_to_tick_not_to_interrupt() {
    let s = Preset::named("shell-2vms").expect("preset").scenario();
    let (services, mhz) = idle_services(&s);
    for (g, svc) in services.iter().enumerate() {
        check(svc, mhz, &format!("shell-2vms vm{g}"));
    }
    // Natively every cycle of the tick handler is timed (under the monitor the guest's clock
    // moves at the monitor's quanta): here the old charging was plainest, 1.8 ms per call.
    let native = Scenario {
        name: "native shell, 2 CPUs".into(),
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
    let (services, mhz) = idle_services(&native);
    check(&services[0], mhz, "native shell");
    check_ticks(&services[0], mhz, "native shell");
}
