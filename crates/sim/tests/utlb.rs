//! Table 2's UTLB_MISS, timed by the machine and the monitor: natively every refill of a user
//! address through the refill vector, to the handler's ERET; under the monitor every user
//! refill, served by the monitor's refill path (exactly the misses its second-level and
//! virtual TLBs answered) or forwarded to the guest's handler (timed to its emulated ERET).

use monitor::VmId;
use sim::assets::Assets;
use sim::scenario::{Preset, Scenario};
use sim::simulation::Simulation;

fn run(s: &Scenario) -> Simulation {
    let assets =
        Assets::from_dir(&guest_files::dir(), s).expect("guest files — run `cargo xtask guests`");
    let mut sim = Simulation::new(s, &assets).expect("boots");
    assert!(sim.run_to_end(20_000_000_000), "{} did not finish", s.name);
    sim
}

#[test]
fn user_tlb_refills_are_timed_natively_and_under_the_monitor() {
    let native = run(&Preset::named("smoke-native").expect("preset").scenario());
    let n = native.utlb(0);
    assert!(n.count > 100, "{n:?}");
    // dux's refill handler is a dozen instructions: at least that many cycles each, and not
    // a hundred times more (a miss on its page-table word costs a memory latency).
    let mean = n.cycles as f64 / n.count as f64;
    assert!((12.0..1_200.0).contains(&mean), "{mean} cycles per refill: {n:?}");
    assert_eq!((n.monitor_cycles, n.forwarded), (0, 0), "no monitor natively");
    assert_eq!(native.utlb(1).count, 0, "natively there is one guest");

    let disco = run(&Preset::named("tiny-2vms").expect("preset").scenario());
    for g in 0..2 {
        let u = disco.utlb(g);
        let stats = disco.monitor().and_then(|m| m.vm(VmId::of_index(g))).expect("vm").stats();
        // Every refill the monitor served itself is one its L2TLB or the guest's TLB answered.
        assert_eq!(u.count - u.forwarded, stats.refills_l2tlb + stats.refills_vtlb, "vm{g}");
        assert!(u.forwarded > 0 && u.forwarded <= stats.refills_forwarded, "vm{g}: {u:?}");
        assert!(u.monitor_cycles <= u.cycles, "vm{g}: {u:?}");
        // A forwarded refill runs the guest's handler and two emulated instructions besides the
        // trap: dearer than one the monitor serves.
        let served = (u.cycles - u.forwarded_cycles) as f64 / (u.count - u.forwarded) as f64;
        let forwarded = u.forwarded_cycles as f64 / u.forwarded as f64;
        assert!(forwarded > 4.0 * served, "vm{g}: served {served}, forwarded {forwarded}");
    }
}
