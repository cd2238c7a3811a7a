//! The NUMA policy as the views see it: frames carry its totals and its actions since the
//! previous frame, each with the pages it moved and why in words; page maps list the replicas;
//! a page's details list its other copies and its latest moves. Reading all this changes
//! nothing in the run.

use sim::assets::Assets;
use sim::frame::{NumaAction, NumaFrame, OWNER_GUEST0};
use sim::scenario::{
    Guests, MachineShape, NumaMode, NumaPolicy, Placement, Policies, Scenario, VmPlan,
};
use sim::simulation::Simulation;

/// engineering in one 8-VCPU VM on 4 nodes, pages placed round robin: the policy has work.
fn scenario(mode: NumaMode) -> Scenario {
    let numa = NumaPolicy { mode, placement: Placement::RoundRobin, ..NumaPolicy::default() };
    Scenario {
        name: "test".into(),
        machine: MachineShape {
            nodes: 4,
            cpus_per_node: 2,
            memory_per_node_mb: 32,
            uma: false,
            cache_kb: sim::scenario::DEFAULT_CACHE_KB,
        },
        guests: Guests::Disco {
            vms: vec![VmPlan { workload: "engineering-tiny".into(), vcpus: 8, memory_mb: 64 }],
            policies: Policies { numa, ..Policies::default() },
        },
        seed: 0,
    }
}

fn boot(s: &Scenario) -> Simulation {
    let assets = Assets::from_dir(&guest_files::dir(), s).expect("guest files");
    Simulation::new(s, &assets).expect("boots")
}

#[test]
fn frames_carry_the_policys_actions_in_words_and_change_nothing() {
    let s = scenario(NumaMode::Both);
    let mut sim = boot(&s);
    let mut seen = Vec::new();
    let mut skipped = 0;
    let mut last = NumaFrame::default();
    for _ in 0..60 {
        sim.run(1_000_000);
        let f = sim.take_frame();
        let n = f.numa.expect("under the monitor");
        assert!(n.events.len() <= NumaFrame::MAX_EVENTS);
        skipped += n.skipped;
        seen.extend(n.events.clone());
        last = *n;
    }
    assert!(last.migrations > 0, "round robin placement gives the policy pages to move");
    let migrations = seen.iter().filter(|e| e.action == NumaAction::Migrate).count() as u64;
    let replications = seen.iter().filter(|e| e.action == NumaAction::Replicate).count() as u64;
    // Every action is handed out once: what the frames carried and skipped adds up to the totals.
    assert!(migrations <= last.migrations && replications <= last.replications);
    if skipped == 0 {
        assert_eq!(migrations, last.migrations);
        assert_eq!(replications, last.replications);
    }
    for e in &seen {
        assert!(!e.why.is_empty(), "{e:?}");
        match e.action {
            NumaAction::Migrate => {
                let (from, to) = (e.from[0], e.to.expect("a destination"));
                assert_ne!(from.node, to.node, "{e:?}");
                assert!(e.why.contains(&format!("migrate node {} → {}", from.node, to.node)));
                assert!(e.why.contains(&format!("node {} took ", to.node)), "{}", e.why);
                assert_eq!(e.guest, Some(0));
            }
            NumaAction::Replicate => {
                assert!(e.why.contains("read it") && e.why.contains("→ replicate on node"));
            }
            NumaAction::Collapse => assert!(e.why.contains("→ collapse onto node"), "{}", e.why),
            NumaAction::Reclaim => assert!(e.why.contains("→ replica freed"), "{}", e.why),
            NumaAction::Left => assert!(e.why.contains("→ left: "), "{}", e.why),
            NumaAction::Policy => {}
        }
    }

    // The page map lists the replicas; a page's details its copies and its moves.
    let map = sim.page_map(false);
    let replicas = last.replica_pages.iter().sum::<u32>() as usize;
    assert_eq!(map.replicas.len(), replicas);
    if let Some(&r) = map.replicas.first() {
        assert!(map.owner[r as usize] >= OWNER_GUEST0);
        let info = sim.page_info(machine::Mppn(r)).expect("a page");
        assert!(info.replica && !info.copies.is_empty(), "{info:?}");
    }
    let moved = seen.iter().rev().find(|e| e.action == NumaAction::Migrate).expect("a migration");
    let to = moved.to.expect("a destination");
    let info = sim.page_info(machine::Mppn(to.page)).expect("a page");
    assert_eq!(info.guest_page, moved.guest_page, "the newest migration's page is still there");
    assert!(info.moves.len() <= sim::frame::PageInfo::MAX_MOVES);
    assert!(info.moves.contains(moved), "the page's details list its moves: {info:?}");
    let newest = seen
        .iter()
        .rev()
        .find(|e| e.guest_page == moved.guest_page && e.action != NumaAction::Left);
    assert_eq!(info.moves.first(), newest, "newest first");

    // Taking frames changed nothing: the same run without them reaches the same hash.
    let mut quiet = boot(&s);
    quiet.run(60_000_000);
    assert_eq!(quiet.machine().now(), sim.machine().now());
    assert_eq!(quiet.run_hash(), sim.run_hash());
}

#[test]
fn the_policy_off_reports_no_actions_and_a_reset_starts_the_events_again() {
    let mut sim = boot(&scenario(NumaMode::Off));
    let booted = sim.snapshot();
    sim.run(20_000_000);
    let n = sim.take_frame().numa.expect("under the monitor");
    assert!(n.events.is_empty() && n.skipped == 0, "off: hot pages are only reported: {n:?}");
    assert_eq!(n.migrations + n.replications, 0);

    // Switching it on is an event; its moves follow.
    let on = NumaPolicy { mode: NumaMode::Migrate, ..NumaPolicy::default() };
    sim.set_numa_policy(&on).expect("under the monitor");
    let n = sim.take_frame().numa.expect("under the monitor");
    assert_eq!(n.events.iter().map(|e| e.action).collect::<Vec<_>>(), [NumaAction::Policy]);
    assert!(n.events[0].why.starts_with("policy set to migrate"), "{}", n.events[0].why);
    sim.run(10_000_000);
    let n = sim.take_frame().numa.expect("under the monitor");
    assert!(n.migrations > 0 && n.events.iter().any(|e| e.action == NumaAction::Migrate));

    // After a reset the events come again from the boot's, and the moves are forgotten.
    // A page a migration moved to and that still records it (a later move or a free may have
    // taken the first one's destination since).
    let moved = |sim: &Simulation, page: u32| {
        !sim.page_info(machine::Mppn(page)).expect("a page").moves.is_empty()
    };
    let page = n
        .events
        .iter()
        .filter_map(|e| e.to)
        .find(|p| moved(&sim, p.page))
        .expect("a migration whose page records it");
    sim.restore(&booted).expect("restores");
    assert!(sim.page_info(machine::Mppn(page.page)).expect("a page").moves.is_empty());
    sim.set_numa_policy(&on).expect("under the monitor");
    let n = sim.take_frame().numa.expect("under the monitor");
    assert_eq!(n.events.iter().map(|e| e.action).collect::<Vec<_>>(), [NumaAction::Policy]);

    // Natively there is no NUMA part.
    let native = Scenario {
        guests: Guests::Native { workload: "engineering-tiny".into() },
        ..scenario(NumaMode::Off)
    };
    assert_eq!(boot(&native).take_frame().numa, None);
}
