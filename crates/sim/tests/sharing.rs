//! Memory sharing across VMs (paper §4.2.5, Fig. 6) as the scenarios run it: pmake in several
//! VMs booting one copy-on-write image. Every build still reaches its host-computed output; with
//! sharing on the machine holds fewer pages than the VMs use (M < V), with it off exactly as
//! many (M = V); and the run is the same twice.

use sim::assets::Assets;
use sim::frame::{Frame, SharingFrame};
use sim::scenario::{Guests, Scenario};
use sim::simulation::Simulation;

fn scenario(vms: usize, share: bool) -> Scenario {
    let list = vec!["pmake-tiny:1:24"; vms].join(",");
    let mem = (vms as u32 * 24).div_ceil(2) + 8;
    let share = if share { "on" } else { "off" };
    Scenario::from_query(&format!("nodes=2&cpus=2&mem={mem}&os=disco&vms={list}&share={share}"))
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

fn sharing(f: &Frame) -> &SharingFrame {
    f.sharing.as_ref().expect("a frame under the monitor carries the sharing totals")
}

#[test]
fn the_switch_is_in_the_scenario_and_its_url() {
    let s = scenario(2, false);
    assert!(matches!(&s.guests, Guests::Disco { policies, .. } if !policies.share_disk));
    assert!(s.to_query().contains("share=off"));
    assert_eq!(Scenario::from_query(&s.to_query()).expect("valid"), s);
    let on = scenario(2, true);
    assert!(matches!(&on.guests, Guests::Disco { policies, .. } if policies.share_disk));
    assert!(!on.to_query().contains("share="), "on is the default: not in the URL");
    let e = Scenario::from_query("os=disco&vms=smoke:1:16&share=maybe").expect_err("bad value");
    assert_eq!(e.field, "share");
}

#[test]
fn pmake_in_four_vms_from_one_image_shares_memory_and_keeps_its_results() {
    let (on, hash) = run(&scenario(4, true));
    for (g, gf) in on.guests.iter().enumerate() {
        assert_eq!(gf.passed, Some(true), "vm{g} with sharing on");
    }
    let s = sharing(&on);
    assert_eq!(s.v_pages.len(), 4);
    assert!(s.m_pages < s.v_total(), "M {} < V {} with sharing on", s.m_pages, s.v_total());
    assert!(s.shared_pages > 0 && s.cache_hits > 0, "{s:?}");
    assert_eq!(run(&scenario(4, true)).1, hash, "the same run twice");

    let (off, _) = run(&scenario(4, false));
    for (g, gf) in off.guests.iter().enumerate() {
        assert_eq!(gf.passed, Some(true), "vm{g} with sharing off");
    }
    let s = sharing(&off);
    assert_eq!(s.m_pages, s.v_total(), "M = V with sharing off");
    assert_eq!((s.shared_pages, s.cow_breaks, s.cache_hits), (0, 0, 0));
}
