//! The global disk-block cache (paper §4.2.5): for each copy-on-write disk, which machine page
//! holds which block of the base image. When a guest's read is page-sized and page-aligned and
//! the block is in the cache, the monitor maps that machine page **read-only** into the
//! reader's pmap instead of reading the disk again — so VMs booting the same image and running
//! the same programs hold one copy of the blocks they all read.
//!
//! - **Into the cache**: a whole-page read from the base (none of its sectors in the reader's
//!   log) records block → page when it completes (`vdisk.rs`). The page stays the reader's
//!   own, writable, until a second reader comes.
//! - **A hit** ([`Monitor::cache_read`]): the page must still hold the base's bytes. A page
//!   already shared is read-only everywhere, so it does. A page still private to its first
//!   reader may have been written since: the monitor compares it with the base before it
//!   shares it (as content-based sharing does), then takes away the first reader's writable
//!   mappings and records both readers as the page's sharers ([`PageOwner::Shared`]). The
//!   reader's old page for that guest page is freed.
//! - **Copy-on-write** ([`Monitor::cow_break`]): every mapping of a shared page is made without
//!   the dirty bit (`tlb_miss.rs`), so a store by any sharer takes a TLB-modification
//!   exception, which the monitor catches: the writer gets a private copy (charged a page
//!   copy, counted, an event [`EventKind::CowBreak`]) and the store is retried. The monitor's
//!   own writes into a shared page and disk transfers into it break it first too. The last
//!   sharer writing takes the page back without a copy. No guest ever sees another's writes.
//! - **The NUMA policy** leaves shared pages where they are (refused, with the reason).

use std::collections::BTreeMap;

use abi::address_map::disk::SECTOR_BYTES;
use machine::Machine;

use crate::cost::Kind;
use crate::events::EventKind;
use crate::ids::{Gppn, Mppn, NodeId, VcpuId, VcpuRef, VmId};
use crate::memmap::PageOwner;
use crate::monitor::Monitor;
use crate::stats::MemoryTotals;

/// Sectors in a 4 KB block.
const BLOCK_SECTORS: u32 = 4096 / SECTOR_BYTES;

/// Block (machine disk unit, first sector) → the machine page holding it, and back: a page is
/// recorded for one block at most (a buffer page the guest reused for another block must not
/// answer for the old one).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct DiskCache {
    blocks: BTreeMap<(u32, u32), Mppn>,
    #[serde(default)]
    pages: BTreeMap<Mppn, (u32, u32)>,
}

impl DiskCache {
    /// The page recorded for the block at `sector` of `unit`.
    pub fn get(&self, unit: u32, sector: u32) -> Option<Mppn> {
        self.blocks.get(&(unit, sector)).copied()
    }

    /// Blocks recorded (some may name pages that have changed since; a hit checks).
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// Nothing recorded?
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    /// Every block and its page.
    pub fn blocks(&self) -> impl Iterator<Item = ((u32, u32), Mppn)> + '_ {
        self.blocks.iter().map(|(&b, &p)| (b, p))
    }

    /// The block recorded for `page`, if any.
    pub fn block_of(&self, page: Mppn) -> Option<(u32, u32)> {
        self.pages.get(&page).copied()
    }

    /// Records `page` for `block`, forgetting what either was recorded for before.
    fn insert(&mut self, block: (u32, u32), page: Mppn) {
        self.forget_page(page);
        self.forget_block(block);
        self.blocks.insert(block, page);
        self.pages.insert(page, block);
    }

    /// Forgets the block recorded for `page`.
    pub(crate) fn forget_page(&mut self, page: Mppn) {
        if let Some(block) = self.pages.remove(&page) {
            self.blocks.remove(&block);
        }
    }

    /// Forgets the page recorded for `block`.
    fn forget_block(&mut self, block: (u32, u32)) {
        if let Some(page) = self.blocks.remove(&block) {
            self.pages.remove(&page);
        }
    }
}

impl Monitor {
    /// Does VM `vm`'s guest page `gppn` map a shared page?
    pub(crate) fn shares(&self, vm: VmId, gppn: Gppn) -> bool {
        let page = self.vms.get(vm.index()).and_then(|v| v.pmap.get(gppn));
        page.is_some_and(|p| self.memmap.owner(p) == PageOwner::Shared)
    }

    /// Records that machine page `page` holds the base's block at `sector` of `unit` — unless
    /// a shared page holds it already (that one stays: it is read-only, so still right).
    pub(crate) fn cache_insert(&mut self, unit: u32, sector: u32, page: Mppn) {
        let old = self.disk_cache.get(unit, sector);
        if old.is_some_and(|p| self.memmap.owner(p) == PageOwner::Shared) {
            return;
        }
        self.disk_cache.insert((unit, sector), page);
    }

    /// A page-sized read by VM `vm` of the block at `sector` of the copy-on-write unit `unit`
    /// into its guest page `gppn`: if the block is in the cache, maps its page read-only there
    /// (true: no disk transfer needed). Physical CPU `p` does the work.
    pub(crate) fn cache_read(
        &mut self,
        m: &mut Machine,
        p: usize,
        vm: VmId,
        unit: u32,
        sector: u32,
        gppn: Gppn,
    ) -> bool {
        let Some(page) = self.disk_cache.get(unit, sector) else { return false };
        let v = &self.vms[vm];
        if !v.pmap.contains(gppn)
            || v.pmap.is_replicated(gppn)
            || v.disk.cow.as_ref().is_none_or(|l| l.covers_any(sector, BLOCK_SECTORS))
        {
            return false;
        }
        let r = VcpuRef { vm, vcpu: VcpuId(0) };
        match self.memmap.owner(page) {
            PageOwner::Shared => {
                if self.memmap.sharers(page).contains(&(vm, gppn)) {
                    return true;
                }
            }
            PageOwner::Vm { vm: first, gppn: first_gppn } => {
                if (first, first_gppn) == (vm, gppn)
                    || self.vms[first].pmap.is_replicated(first_gppn)
                    || self.dma_targets(first, page)
                {
                    return false;
                }
                // Still the base's block? The first reader may have written it since.
                let base = base_block(m, unit, sector);
                let same = base.is_some() && m.sys.mem.ram.slice(page.pa(), 4096) == base;
                let compare = self.cfg.cost.page_copy;
                self.charge(m, p, r, Kind::Memory, compare);
                if !same {
                    self.disk_cache.forget_block((unit, sector));
                    return false;
                }
                // Its writable translations go; from now on every mapping is read-only.
                let shot = self.shootdown(m, first, first_gppn);
                self.charge_interrupts(m, Some(p), r, &shot.cpus);
                self.memmap.share(page, vec![(first, first_gppn)]);
            }
            PageOwner::Free | PageOwner::Monitor | PageOwner::Replica { .. } => {
                self.disk_cache.forget_block((unit, sector));
                return false;
            }
        }
        // The reader's own page for `gppn` goes (its bytes are about to be replaced anyway).
        if self.vms[vm].pmap.get(gppn).is_some() {
            let shot = self.shootdown(m, vm, gppn);
            self.charge_interrupts(m, Some(p), r, &shot.cpus);
            self.release(m, vm, gppn);
        }
        self.vms[vm].pmap.set(gppn, page);
        self.memmap.add_sharer(page, vm, gppn);
        self.vms[vm].stats.cache_hits += 1;
        true
    }

    /// VM `vm` lets go of the machine page behind its guest page `gppn` (its translations
    /// already shot down): a shared page loses a sharer (and is freed with its last), a private
    /// page is freed.
    pub(crate) fn release(&mut self, m: &mut Machine, vm: VmId, gppn: Gppn) {
        let Some(page) = self.vms[vm].pmap.get(gppn) else { return };
        self.vms[vm].pmap.unset(gppn);
        if self.memmap.owner(page) == PageOwner::Shared
            && self.memmap.remove_sharer(page, vm, gppn) > 0
        {
            return;
        }
        self.disk_cache.forget_page(page);
        self.kernel_text.remove(&page);
        self.net_pages.remove(&page);
        m.sys.mem.flush_page(page);
        self.memmap.free(page);
    }

    /// The copy-on-write fault: VM `vm`'s guest page `gppn` maps a shared page and is about to
    /// be written (by the guest on physical CPU `p`, the monitor, or a disk transfer). It gets
    /// a private page, allocated on `node`, holding the shared bytes — or, as the last sharer,
    /// the shared page itself. The page it may now write, or `None` if memory is exhausted.
    pub(crate) fn cow_break(
        &mut self,
        m: &mut Machine,
        p: Option<usize>,
        vm: VmId,
        gppn: Gppn,
        node: NodeId,
    ) -> Option<Mppn> {
        let shared = self.vms[vm].pmap.get(gppn)?;
        if self.memmap.owner(shared) != PageOwner::Shared {
            return Some(shared);
        }
        let r = VcpuRef { vm, vcpu: VcpuId(0) };
        let shot = self.shootdown(m, vm, gppn);
        self.charge_interrupts(m, p, r, &shot.cpus);
        let owner = PageOwner::Vm { vm, gppn };
        let page = if self.memmap.sharers(shared) == [(vm, gppn)] {
            // The last sharer: the page is its own again, and the block leaves the cache.
            self.disk_cache.forget_page(shared);
            self.kernel_text.remove(&shared);
            self.net_pages.remove(&shared);
            self.memmap.unshare(shared, owner);
            shared
        } else {
            let copy = self.memmap.alloc(node, owner)?;
            self.memmap.remove_sharer(shared, vm, gppn);
            let bytes =
                m.sys.mem.ram.slice(shared.pa(), 4096).map(<[u8]>::to_vec).unwrap_or_default();
            m.sys.mem.dma_write(copy.pa(), &bytes);
            self.vms[vm].pmap.set(gppn, copy);
            if let Some(p) = p {
                let cost = self.cfg.cost.page_copy;
                self.charge(m, p, r, Kind::Memory, cost);
            }
            copy
        };
        self.vms[vm].stats.cow_breaks += 1;
        let sharers_left = self.memmap.sharers(shared).len() as u32;
        self.events
            .push(m.now(), EventKind::CowBreak { vm, gppn, shared, private: page, sharers_left });
        Some(page)
    }

    /// A private page about to be shared some other way (the virtual subnet's remap): if the
    /// cache records it for a block, does it still hold the base's bytes (compared, charged a
    /// page copy on CPU `p` for `r`)? True for a page the cache does not record.
    pub(crate) fn cache_page_still_base(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        page: Mppn,
    ) -> bool {
        let Some((unit, sector)) = self.disk_cache.block_of(page) else { return true };
        let compare = self.cfg.cost.page_copy;
        self.charge(m, p, r, Kind::Memory, compare);
        let base = base_block(m, unit, sector);
        base.is_some() && m.sys.mem.ram.slice(page.pa(), 4096) == base
    }

    /// Is `page` a guest kernel text page shared between VMs (`load_kernel`)?
    pub fn is_kernel_text(&self, page: Mppn) -> bool {
        self.kernel_text.contains(&page)
    }

    /// The disk-block cache.
    pub fn disk_cache(&self) -> &DiskCache {
        &self.disk_cache
    }

    /// V per VM and M for the machine, the pages shared and the copy-on-write breaks (a pass
    /// over the pmaps and the memmap).
    pub fn memory_totals(&self) -> MemoryTotals {
        let mut t = MemoryTotals {
            v_pages: self.vms.iter().map(|v| v.pmap.mapped().count() as u32).collect(),
            ..MemoryTotals::default()
        };
        for ppn in (0..self.memmap.pages()).map(Mppn) {
            match self.memmap.owner(ppn) {
                PageOwner::Vm { .. } | PageOwner::Replica { .. } => t.m_pages += 1,
                PageOwner::Shared => {
                    t.m_pages += 1;
                    t.shared_pages += 1;
                    t.sharing_guest_pages += self.memmap.sharers(ppn).len() as u32;
                }
                PageOwner::Free | PageOwner::Monitor => {}
            }
        }
        for v in &self.vms {
            t.cow_breaks += v.stats.cow_breaks;
            t.cache_hits += v.stats.cache_hits;
        }
        t
    }
}

/// The base image's 4 KB at `sector` of machine unit `unit`, if the unit has them.
fn base_block(m: &Machine, unit: u32, sector: u32) -> Option<&[u8]> {
    let image = m.sys.devices.disks.get(unit as usize)?.image();
    let start = sector as usize * SECTOR_BYTES as usize;
    image.get(start..start + 4096)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_answers_for_one_block_only() {
        let mut c = DiskCache::default();
        c.insert((0, 8), Mppn(5));
        // The guest reused the buffer page for another block: the old block is forgotten.
        c.insert((0, 16), Mppn(5));
        assert_eq!(
            (c.get(0, 8), c.get(0, 16), c.block_of(Mppn(5))),
            (None, Some(Mppn(5)), Some((0, 16)))
        );
        // Another page now holds that block: the first page answers for nothing.
        c.insert((0, 16), Mppn(7));
        assert_eq!((c.block_of(Mppn(5)), c.get(0, 16), c.len()), (None, Some(Mppn(7)), 1));
        c.forget_page(Mppn(7));
        assert!(c.is_empty() && c.block_of(Mppn(7)).is_none());
    }
}
