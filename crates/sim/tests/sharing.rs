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

#[test]
fn frames_name_the_most_shared_pages_their_blocks_and_the_breaks() {
    let s = scenario(4, true);
    let assets = Assets::from_dir(&guest_files::dir(), &s).expect("guest files");
    let mut sim = Simulation::new(&s, &assets).expect("boots");
    let (mut breaks, mut most_guests, mut saw_top, mut saw_block) = (0u64, 0usize, false, false);
    let mut last_total = 0;
    while !sim.finished() {
        sim.run(2_000_000);
        let f = sim.take_frame();
        let sh = sharing(&f);
        assert!(
            sh.top.len() <= SharingFrame::MAX_TOP && sh.breaks.len() <= SharingFrame::MAX_BREAKS
        );
        // Every break the total counts is in a frame's list or its count of those left out.
        assert_eq!(sh.cow_breaks - last_total, sh.breaks.len() as u64 + sh.breaks_skipped);
        last_total = sh.cow_breaks;
        breaks += sh.breaks.len() as u64;
        for b in &sh.breaks {
            assert!(usize::from(b.guest) < 4 && b.cycle <= f.cycle, "{b:?}");
        }
        // Data pages before kernel text, most shared first within each; each listed page is
        // shared by what the page map and its details say, and holds a block of the one image
        // or the kernel's text (never both).
        for w in sh.top.windows(2) {
            let rank =
                |p: &sim::frame::SharedPage| (p.kernel_text, std::cmp::Reverse(p.guests.len()));
            assert!(rank(&w[0]) <= rank(&w[1]), "{:?}", sh.top);
        }
        for p in &sh.top {
            assert_ne!(p.block.is_some(), p.kernel_text, "{p:?}");
        }
        // The kernel's text ranks with the blocks all VMs read: look for a block among all.
        if !saw_block {
            let shared = sim.page_map(false).shared;
            let info = shared.iter().filter_map(|m| sim.page_info(machine::Mppn(m.page)));
            if let Some(block) = info.filter_map(|i| i.shared.and_then(|s| s.block)).next() {
                saw_block = true;
                assert_eq!((block.disk, block.image.as_str()), (0, "pmake-tiny"));
                assert_eq!(block.sector % 8, 0, "a 4 KB block starts on a page of sectors");
            }
        }
        if let Some(p) = sh.top.first() {
            saw_top = true;
            most_guests = most_guests.max(p.guests.len());
            let map = sim.page_map(false);
            let mark = map.shared.iter().find(|m| m.page == p.page).expect("marked in the map");
            assert_eq!(mark.guests, p.guests);
            assert_eq!(map.owner[p.page as usize], 2 + p.guests[0] as u8, "shown as its first");
            let info = sim.page_info(machine::Mppn(p.page)).expect("a page");
            assert_eq!(info.shared.as_ref(), Some(p));
            assert_eq!(map.shared.len() as u32, sh.shared_pages);
        }
    }
    assert!(saw_top && most_guests >= 2, "pages were shared by several VMs");
    assert!(saw_block, "disk blocks were shared");
    assert!(breaks > 0, "breaks were reported");
}

/// The whole pages of `elf`'s read-only executable segment (its text), as the file holds them.
fn text_pages(elf: &[u8]) -> Vec<Vec<u8>> {
    use object::elf::{FileHeader32, PF_W, PF_X, PT_LOAD};
    use object::read::elf::{FileHeader, ProgramHeader};
    let h = FileHeader32::<object::LittleEndian>::parse(elf).expect("an ELF file");
    let e = h.endian().expect("little-endian");
    let phdrs = h.program_headers(e, elf).expect("program headers");
    let text = phdrs
        .iter()
        .find(|p| p.p_type(e) == PT_LOAD && p.p_flags(e) & PF_X != 0 && p.p_flags(e) & PF_W == 0)
        .expect("a text segment");
    let data = text.data(e, elf).expect("its bytes");
    data.chunks_exact(4096).map(<[u8]>::to_vec).collect()
}

#[test]
fn two_vms_running_one_program_share_its_text_pages() {
    use monitor::ids::VmId;
    use monitor::memmap::PageOwner;
    let s = sim::scenario::Preset::named("shell-2vms").expect("preset").scenario();
    let assets = Assets::from_dir(&guest_files::dir(), &s).expect("guest files");
    let mut sim = Simulation::new(&s, &assets).expect("boots");
    for _ in 0..400 {
        if (0..2).all(|g| sim.console(g).ends_with(b"$ ")) {
            break;
        }
        sim.run(5_000_000);
    }
    assert!((0..2).all(|g| sim.console(g).ends_with(b"$ ")), "both shells wait at a prompt");
    let (mon, m) = (sim.monitor().expect("the monitor"), sim.machine());
    let text = text_pages(&guest_files::guest("sh"));
    assert!(text.len() >= 2, "sh has {} whole text pages", text.len());
    for (i, bytes) in text.iter().enumerate() {
        // exec maps the buffer cache's page of the block: each VM holds the page's bytes once
        // (a copy for the process would be a second guest page holding them), and the global
        // disk cache makes that one machine page for both VMs.
        let holders: Vec<Vec<_>> = (0..2)
            .map(|k| {
                let vm = mon.vm(VmId::of_index(k)).expect("a VM");
                vm.pmap()
                    .mapped()
                    .filter(|&(_, p)| m.sys.mem.ram.slice(p.pa(), 4096) == Some(&bytes[..]))
                    .map(|(_, p)| p)
                    .collect()
            })
            .collect();
        assert!(holders.iter().all(|h| h.len() == 1), "text page {i}: {holders:?}");
        assert_eq!(holders[0], holders[1], "text page {i}: one machine page for both VMs");
        assert_eq!(mon.memmap().owner(holders[0][0]), PageOwner::Shared, "text page {i}");
    }
    assert_eq!(mon.check_invariants(m), Ok(()));
}
