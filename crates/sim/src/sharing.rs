//! Memory shared between the VMs (paper §4.2.5), shaped for the Sharing panel and the page map:
//! which machine pages are shared, by whom, holding which disk block, and the copy-on-write
//! breaks since the last frame.
//!
//! Everything here reads the monitor's memmap (its list of shared pages and their sharers),
//! its disk-block cache (page → block) and its event ring; nothing changes the simulation. The
//! lists are bounded so that a frame stays small: a pass over the shared pages only (the
//! memmap keeps them apart), not over memory.

use monitor::Monitor;
use monitor::events::EventKind;
use monitor::ids::{Gppn, Mppn, VmId};

use crate::frame::{CowBreak, DiskBlock, SharedMark, SharedPage, SharingFrame};
use crate::numa;

/// The guests among `sharers`, ascending, each once.
fn guests_of(sharers: &[(VmId, Gppn)]) -> Vec<u16> {
    let mut guests: Vec<u16> = sharers.iter().map(|(vm, _)| vm.0).collect();
    guests.sort_unstable();
    guests.dedup();
    guests
}

/// The disk block machine page `page` holds, if the disk-block cache records one; `images`
/// names each machine disk unit's image.
fn block_of(mon: &Monitor, page: Mppn, images: &[String]) -> Option<DiskBlock> {
    let (disk, sector) = mon.disk_cache().block_of(page)?;
    let image = images.get(disk as usize).cloned().unwrap_or_default();
    Some(DiskBlock { disk, image, sector })
}

/// Machine page `page`, if it is shared: its block and who maps it.
pub fn shared_page(mon: &Monitor, page: Mppn, images: &[String]) -> Option<SharedPage> {
    let sharers = mon.memmap().sharers(page);
    if sharers.is_empty() {
        return None;
    }
    Some(SharedPage {
        page: page.0,
        block: block_of(mon, page, images),
        kernel_text: mon.is_kernel_text(page),
        guests: guests_of(sharers),
        mappings: sharers.len() as u32,
    })
}

/// The most shared pages: pages of data (disk blocks, pages sent over the subnet) before
/// guest kernel text, then most guests first, then most guest pages, then the lowest page; at
/// most [`SharingFrame::MAX_TOP`].
///
/// Kernel text comes last because every VM booting one kernel shares all of its text from
/// boot on, so ranked on the counts alone it would fill the list and hide the disk blocks the
/// VMs come to share as they work — what the list is there to show.
pub fn top(mon: &Monitor, images: &[String]) -> Vec<SharedPage> {
    // Rank on the counts alone, then describe the few kept.
    let mut ranked: Vec<(bool, usize, usize, Mppn)> = mon
        .memmap()
        .shared()
        .map(|(page, sharers)| {
            (mon.is_kernel_text(page), guests_of(sharers).len(), sharers.len(), page)
        })
        .collect();
    ranked.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)).then(a.3.cmp(&b.3))
    });
    ranked
        .into_iter()
        .take(SharingFrame::MAX_TOP)
        .filter_map(|(_, _, _, page)| shared_page(mon, page, images))
        .collect()
}

/// Every shared page with the guests that map it, ascending (the page map's marks).
pub fn marks(mon: &Monitor) -> Vec<SharedMark> {
    mon.memmap()
        .shared()
        .filter(|(_, sharers)| !sharers.is_empty())
        .map(|(page, sharers)| SharedMark { page: page.0, guests: guests_of(sharers) })
        .collect()
}

/// The copy-on-write breaks from event `seq` on, the latest [`SharingFrame::MAX_BREAKS`] of
/// them; how many older ones were left out; and the sequence number to read from next time.
/// (Breaks gone from the monitor's ring before this call are not counted: the ring mostly
/// loses hot-page reports, and the frame's total of breaks is exact anyway.)
pub fn breaks_since(mon: &Monitor, seq: u64) -> (Vec<CowBreak>, u64, u64) {
    let (iter, missed) = mon.events_since(seq);
    let mut next = seq + missed;
    let mut breaks = Vec::new();
    for e in iter {
        next = e.seq + 1;
        if let EventKind::CowBreak { vm, gppn, shared, private, sharers_left } = e.kind {
            breaks.push(CowBreak {
                cycle: e.cycle,
                guest: vm.0,
                guest_page: gppn.0,
                shared: numa::at(mon, shared),
                private: numa::at(mon, private),
                sharers_left,
            });
        }
    }
    let over = breaks.len().saturating_sub(SharingFrame::MAX_BREAKS);
    breaks.drain(..over);
    (breaks, over as u64, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guests_are_listed_once_in_order() {
        let s = [(VmId(3), Gppn(1)), (VmId(0), Gppn(9)), (VmId(3), Gppn(2))];
        assert_eq!(guests_of(&s), vec![0, 3]);
        assert!(guests_of(&[]).is_empty());
    }
}
