//! The pmap (paper §4.2.2): for each VM, guest-physical page → machine page, with back-maps to
//! the virtual pages (of which virtual CPU, under which ASID) that the monitor's TLBs map to it
//! — so that when a machine page changes (zeroed afresh, migrated, replicated) every
//! translation of it can be found and dropped (`shootdown.rs`).

use std::collections::BTreeMap;

use smallvec::SmallVec;

use crate::ids::{Gppn, Mppn, VcpuId};

/// Back-maps kept per page before the page is marked as mapped "everywhere": room for every
/// VCPU of the largest VM (16) to map a page at two virtual addresses. A page read by every
/// VCPU of an 8-VCPU VM (raytrace's scene) must not overflow: an overflowed page's shootdown
/// flushes every L2TLB of the VM, and when that happened at each replication, the guest took
/// ten times as many TLB misses through its own handler (each with four emulated
/// instructions) — more than the replicas saved.
const MAX_BACKMAPS: usize = 32;

/// Back-maps of a page kept inside the pmap's per-page array, before they move to the heap:
/// one per VCPU of an 8-VCPU VM mapping the page once.
///
/// Every refill the monitor serves adds a back-map, and first checks that the page does not
/// have it already. With the list on the heap, that check read the list's header in the
/// per-page array and then its entries elsewhere: two host cache misses per page, most of the
/// check's cost (about a tenth of the host time of a refill-heavy preset, radix-splashos).
/// Inline, the entries sit next to their count.
const INLINE_BACKMAPS: usize = 8;

/// The back-map list of one guest page.
type BackmapList = SmallVec<[Backmap; INLINE_BACKMAPS]>;

/// A translation that uses a page: virtual CPU, ASID and virtual page number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Backmap {
    /// The virtual CPU whose TLBs hold it.
    pub vcpu: VcpuId,
    /// ASID (ignored for global translations).
    pub asid: u8,
    /// Virtual page number (va >> 12).
    pub vpn: u32,
}

/// The back-maps of one guest page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backmaps<'a> {
    /// Exactly these translations may map the page.
    Known(&'a [Backmap]),
    /// Too many to track: any translation of the VM may map it.
    Everywhere,
}

/// One VM's pmap.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Pmap {
    map: Vec<Option<Mppn>>,
    backmaps: Vec<BackmapList>,
    overflow: Vec<bool>,
    /// Read-only copies of replicated pages (`replicate.rs`), besides the master the map
    /// names; a page is replicated exactly when it has an entry here.
    #[serde(default)]
    replicas: BTreeMap<Gppn, Vec<Mppn>>,
}

impl Pmap {
    /// A pmap for `pages` guest-physical pages, none mapped.
    pub fn new(pages: u32) -> Pmap {
        Pmap {
            map: vec![None; pages as usize],
            backmaps: vec![BackmapList::new(); pages as usize],
            overflow: vec![false; pages as usize],
            replicas: BTreeMap::new(),
        }
    }

    /// Guest-physical pages.
    pub fn pages(&self) -> u32 {
        self.map.len() as u32
    }

    /// Is `gppn` inside the VM's memory?
    pub fn contains(&self, gppn: Gppn) -> bool {
        gppn.index() < self.map.len()
    }

    /// The machine page of `gppn`, if allocated.
    pub fn get(&self, gppn: Gppn) -> Option<Mppn> {
        self.map.get(gppn.index()).copied().flatten()
    }

    /// Sets the machine page of `gppn` (ignored outside the VM's memory).
    pub fn set(&mut self, gppn: Gppn, mppn: Mppn) {
        if let Some(e) = self.map.get_mut(gppn.index()) {
            *e = Some(mppn);
        }
    }

    /// Forgets the machine page of `gppn` (and its back-maps).
    pub fn unset(&mut self, gppn: Gppn) {
        let g = gppn.index();
        if g < self.map.len() {
            self.map[g] = None;
            self.backmaps[g].clear();
            self.overflow[g] = false;
        }
    }

    /// Records that `b` maps `gppn`.
    pub fn add_backmap(&mut self, gppn: Gppn, b: Backmap) {
        let g = gppn.index();
        if g >= self.backmaps.len() || self.overflow[g] {
            return;
        }
        let list = &mut self.backmaps[g];
        if !list.contains(&b) {
            if list.len() >= MAX_BACKMAPS {
                self.overflow[g] = true;
                list.clear();
            } else {
                list.push(b);
            }
        }
    }

    /// The back-maps of `gppn`.
    pub fn backmaps(&self, gppn: Gppn) -> Backmaps<'_> {
        let g = gppn.index();
        if self.overflow.get(g).copied().unwrap_or(false) {
            return Backmaps::Everywhere;
        }
        Backmaps::Known(self.backmaps.get(g).map_or(&[][..], BackmapList::as_slice))
    }

    /// Takes the back-maps of `gppn` (the caller drops the translations they name); `None`
    /// means "too many to track: drop every translation of the VM".
    pub fn take_backmaps(&mut self, gppn: Gppn) -> Option<Vec<Backmap>> {
        let g = gppn.index();
        if g >= self.backmaps.len() {
            return Some(Vec::new());
        }
        if std::mem::take(&mut self.overflow[g]) {
            return None;
        }
        Some(std::mem::take(&mut self.backmaps[g]).into_vec())
    }

    /// Is `gppn` replicated (read-only, with copies on other nodes)?
    pub fn is_replicated(&self, gppn: Gppn) -> bool {
        !self.replicas.is_empty() && self.replicas.contains_key(&gppn)
    }

    /// The replicas of `gppn` (not counting the master).
    pub fn replicas(&self, gppn: Gppn) -> &[Mppn] {
        self.replicas.get(&gppn).map_or(&[], Vec::as_slice)
    }

    /// Records replica `copy` of `gppn`.
    pub fn add_replica(&mut self, gppn: Gppn, copy: Mppn) {
        self.replicas.entry(gppn).or_default().push(copy);
    }

    /// Forgets replica `copy` of `gppn`.
    pub fn remove_replica(&mut self, gppn: Gppn, copy: Mppn) {
        if let Some(list) = self.replicas.get_mut(&gppn) {
            list.retain(|&c| c != copy);
            if list.is_empty() {
                self.replicas.remove(&gppn);
            }
        }
    }

    /// Takes every replica of `gppn` (the page is no longer replicated).
    pub fn take_replicas(&mut self, gppn: Gppn) -> Vec<Mppn> {
        self.replicas.remove(&gppn).unwrap_or_default()
    }

    /// Every replicated page with its replicas.
    pub fn replicated(&self) -> impl Iterator<Item = (Gppn, &[Mppn])> + '_ {
        self.replicas.iter().map(|(&g, r)| (g, r.as_slice()))
    }

    /// Every (guest page, machine page) pair mapped.
    pub fn mapped(&self) -> impl Iterator<Item = (Gppn, Mppn)> + '_ {
        self.map.iter().enumerate().filter_map(|(g, m)| m.map(|m| (Gppn(g as u32), m)))
    }
}
