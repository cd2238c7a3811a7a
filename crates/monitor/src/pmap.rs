//! The pmap: for each VM, guest-physical page → machine page, with back-maps to the virtual
//! pages (of which virtual CPU, under which ASID) that the monitor's TLBs map to it — so that
//! when a machine page changes (zeroed afresh, later migrated or replicated) every translation
//! of it can be found and dropped.

/// No machine page yet (allocated on first touch).
pub const UNMAPPED: u32 = u32::MAX;

/// Back-maps kept per page before the page is marked as mapped "everywhere".
const MAX_BACKMAPS: usize = 8;

/// A translation that uses a page: virtual CPU, ASID and virtual page number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Backmap {
    /// The virtual CPU whose TLBs hold it.
    pub vcpu: u16,
    /// ASID (ignored for global translations).
    pub asid: u8,
    /// Virtual page number (va >> 12).
    pub vpn: u32,
}

/// One VM's pmap.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Pmap {
    map: Vec<u32>,
    backmaps: Vec<Vec<Backmap>>,
    overflow: Vec<bool>,
}

impl Pmap {
    /// A pmap for `pages` guest-physical pages, none mapped.
    pub fn new(pages: u32) -> Pmap {
        Pmap {
            map: vec![UNMAPPED; pages as usize],
            backmaps: vec![Vec::new(); pages as usize],
            overflow: vec![false; pages as usize],
        }
    }

    /// Guest-physical pages.
    pub fn pages(&self) -> u32 {
        self.map.len() as u32
    }

    /// The machine page of `gppn`, if allocated.
    pub fn get(&self, gppn: u32) -> Option<u32> {
        self.map.get(gppn as usize).copied().filter(|&m| m != UNMAPPED)
    }

    /// Sets the machine page of `gppn`.
    pub fn set(&mut self, gppn: u32, mppn: u32) {
        if let Some(e) = self.map.get_mut(gppn as usize) {
            *e = mppn;
        }
    }

    /// Records that `b` maps `gppn`.
    pub fn add_backmap(&mut self, gppn: u32, b: Backmap) {
        let g = gppn as usize;
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

    /// The back-maps of `gppn`; `None` means "too many to track" (every translation of the VM
    /// must be dropped to be rid of the page's).
    pub fn backmaps(&self, gppn: u32) -> Option<&[Backmap]> {
        let g = gppn as usize;
        if self.overflow.get(g).copied().unwrap_or(false) {
            return None;
        }
        Some(self.backmaps.get(g).map_or(&[][..], Vec::as_slice))
    }

    /// Takes the back-maps of `gppn`; `None` means "too many to track: drop every translation
    /// of the VM".
    pub fn take_backmaps(&mut self, gppn: u32) -> Option<Vec<Backmap>> {
        let g = gppn as usize;
        if g >= self.backmaps.len() {
            return Some(Vec::new());
        }
        if std::mem::take(&mut self.overflow[g]) {
            return None;
        }
        Some(std::mem::take(&mut self.backmaps[g]))
    }

    /// Every (gppn, mppn) pair mapped.
    pub fn mapped(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.map.iter().enumerate().filter(|(_, m)| **m != UNMAPPED).map(|(g, m)| (g as u32, *m))
    }
}
