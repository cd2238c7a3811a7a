//! The memmap (paper §4.2.3): for every machine page, who owns it — free, the monitor, or a
//! VM's guest-physical page — and the per-node free lists the monitor allocates from.
//! Allocation prefers a given node (the node of the virtual CPU that first touches the page)
//! and falls back to the other nodes in order.
//!
//! A machine page of the global disk-block cache (`disk_cache.rs`, paper §4.2.5) may back the
//! same disk block in several VMs at once: its owner is then [`PageOwner::Shared`], and the
//! memmap keeps the list of its sharers — every (VM, guest page) whose pmap maps it. Such a
//! page is read-only in every mapping and is freed only when its last sharer lets it go.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::ids::{Gppn, Mppn, NodeId, VmId};

/// Who owns a machine page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageOwner {
    /// Free.
    Free,
    /// The monitor's own (special pages).
    Monitor,
    /// Guest-physical page `gppn` of VM `vm`.
    Vm {
        /// The VM.
        vm: VmId,
        /// Its guest-physical page.
        gppn: Gppn,
    },
    /// A disk block shared copy-on-write by several guest pages (of one or more VMs), read-only
    /// in all of them; [`Memmap::sharers`] names them.
    Shared,
    /// A read-only copy of VM `vm`'s guest-physical page `gppn`, made by the NUMA policy
    /// (`replicate.rs`) so that another node reads it locally. The pmap names the master copy.
    Replica {
        /// The VM.
        vm: VmId,
        /// Its guest-physical page.
        gppn: Gppn,
    },
}

impl PageOwner {
    /// The VM and guest page a page holds (as the master or a replica).
    pub fn guest_page(self) -> Option<(VmId, Gppn)> {
        match self {
            PageOwner::Vm { vm, gppn } | PageOwner::Replica { vm, gppn } => Some((vm, gppn)),
            PageOwner::Free | PageOwner::Monitor | PageOwner::Shared => None,
        }
    }
}

/// Every machine page's owner, and the free pages of each node.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Memmap {
    owners: Vec<PageOwner>,
    free: Vec<Vec<Mppn>>,
    pages_per_node: u32,
    /// The sharers of every [`PageOwner::Shared`] page, in the order they came.
    #[serde(default)]
    sharers: BTreeMap<Mppn, Vec<(VmId, Gppn)>>,
}

impl Memmap {
    /// All `pages` machine pages free, `nodes` nodes of equal size.
    pub fn new(pages: u32, nodes: u32) -> Memmap {
        let per = pages / nodes.max(1);
        let free = (0..nodes).map(|n| (n * per..(n + 1) * per).rev().map(Mppn).collect()).collect();
        Memmap {
            owners: vec![PageOwner::Free; pages as usize],
            free,
            pages_per_node: per,
            sharers: BTreeMap::new(),
        }
    }

    /// The node a machine page lives on.
    pub fn node_of(&self, page: Mppn) -> NodeId {
        NodeId((page.0 / self.pages_per_node.max(1)) as u16)
    }

    /// A free page, preferably on `node`, now owned by `owner`.
    pub fn alloc(&mut self, node: NodeId, owner: PageOwner) -> Option<Mppn> {
        let nodes = self.free.len();
        for k in 0..nodes {
            let n = (node.index() + k) % nodes;
            if let Some(page) = self.free[n].pop() {
                self.owners[page.index()] = owner;
                return Some(page);
            }
        }
        None
    }

    /// A free page on `node` exactly (no fallback), now owned by `owner`: where the NUMA
    /// policy moves a page, only that node will do.
    pub fn alloc_on(&mut self, node: NodeId, owner: PageOwner) -> Option<Mppn> {
        let page = self.free.get_mut(node.index())?.pop()?;
        self.owners[page.index()] = owner;
        Some(page)
    }

    /// Returns a page to its node's free list (a shared page loses its sharers list).
    pub fn free(&mut self, page: Mppn) {
        if let Some(o) = self.owners.get_mut(page.index())
            && *o != PageOwner::Free
        {
            *o = PageOwner::Free;
            self.sharers.remove(&page);
            let n = self.node_of(page).index();
            self.free[n].push(page);
        }
    }

    /// Owner of a page.
    pub fn owner(&self, page: Mppn) -> PageOwner {
        self.owners.get(page.index()).copied().unwrap_or(PageOwner::Free)
    }

    /// Gives an allocated page a new owner (a replica becoming the master copy).
    pub fn set_owner(&mut self, page: Mppn, owner: PageOwner) {
        if let Some(o) = self.owners.get_mut(page.index())
            && *o != PageOwner::Free
            && owner != PageOwner::Free
        {
            *o = owner;
        }
    }

    /// Makes the allocated page `page` shared by `sharers` (its owner becomes
    /// [`PageOwner::Shared`]); nothing happens to a free page.
    pub fn share(&mut self, page: Mppn, sharers: Vec<(VmId, Gppn)>) {
        if let Some(o) = self.owners.get_mut(page.index())
            && *o != PageOwner::Free
        {
            *o = PageOwner::Shared;
            self.sharers.insert(page, sharers);
        }
    }

    /// Adds a sharer to the shared page `page`.
    pub fn add_sharer(&mut self, page: Mppn, vm: VmId, gppn: Gppn) {
        if self.owner(page) == PageOwner::Shared {
            self.sharers.entry(page).or_default().push((vm, gppn));
        }
    }

    /// Removes a sharer from the shared page `page`; the sharers left.
    pub fn remove_sharer(&mut self, page: Mppn, vm: VmId, gppn: Gppn) -> usize {
        match self.sharers.get_mut(&page) {
            Some(list) => {
                list.retain(|&s| s != (vm, gppn));
                list.len()
            }
            None => 0,
        }
    }

    /// The sharers of `page` (empty unless it is [`PageOwner::Shared`]).
    pub fn sharers(&self, page: Mppn) -> &[(VmId, Gppn)] {
        self.sharers.get(&page).map_or(&[], Vec::as_slice)
    }

    /// Every shared page with its sharers.
    pub fn shared(&self) -> impl Iterator<Item = (Mppn, &[(VmId, Gppn)])> + '_ {
        self.sharers.iter().map(|(&p, s)| (p, s.as_slice()))
    }

    /// Gives a shared page back to one owner (its last sharer), forgetting its sharers.
    pub fn unshare(&mut self, page: Mppn, owner: PageOwner) {
        if self.owner(page) == PageOwner::Shared && owner != PageOwner::Free {
            self.sharers.remove(&page);
            self.owners[page.index()] = owner;
        }
    }

    /// Free pages on `node`.
    pub fn free_on(&self, node: NodeId) -> usize {
        self.free.get(node.index()).map_or(0, Vec::len)
    }

    /// Pages per node.
    pub fn pages_per_node(&self) -> u32 {
        self.pages_per_node
    }

    /// The machine pages of `node`.
    pub fn pages_of(&self, node: NodeId) -> impl Iterator<Item = Mppn> + use<> {
        let per = self.pages_per_node;
        let first = u32::from(node.0) * per;
        (first..first + per).map(Mppn)
    }

    /// Free pages on each node.
    pub fn free_per_node(&self) -> Vec<usize> {
        self.free.iter().map(Vec::len).collect()
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.free.len()
    }

    /// Number of machine pages.
    pub fn pages(&self) -> u32 {
        self.owners.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_prefers_the_node_then_falls_back() {
        let mut m = Memmap::new(8, 2);
        let a = m.alloc(NodeId(1), PageOwner::Monitor).expect("page");
        assert_eq!((a, m.node_of(a)), (Mppn(4), NodeId(1)));
        for _ in 0..3 {
            m.alloc(NodeId(1), PageOwner::Monitor).expect("page");
        }
        let owner = PageOwner::Vm { vm: VmId(0), gppn: Gppn(9) };
        let b = m.alloc(NodeId(1), owner).expect("falls back");
        assert_eq!(m.node_of(b), NodeId(0));
        assert_eq!(m.owner(b), owner);
        m.free(b);
        assert_eq!(m.owner(b), PageOwner::Free);
        assert_eq!(m.free_per_node(), vec![4, 0]);
    }
}
