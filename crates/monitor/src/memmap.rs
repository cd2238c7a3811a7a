//! The memmap: for every machine page, who owns it — free, the monitor, or a VM's
//! guest-physical page — and the per-node free lists the monitor allocates from. Allocation
//! prefers a given node (the node of the virtual CPU that first touches the page) and falls
//! back to the other nodes in order.

use serde::{Deserialize, Serialize};

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
        vm: u16,
        /// Its guest-physical page number.
        gppn: u32,
    },
}

/// Every machine page's owner, and the free pages of each node.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Memmap {
    owners: Vec<PageOwner>,
    free: Vec<Vec<u32>>,
    pages_per_node: u32,
}

impl Memmap {
    /// All `pages` machine pages free, `nodes` nodes of equal size.
    pub fn new(pages: u32, nodes: u32) -> Memmap {
        let per = pages / nodes.max(1);
        let free = (0..nodes).map(|n| (n * per..(n + 1) * per).rev().collect()).collect();
        Memmap { owners: vec![PageOwner::Free; pages as usize], free, pages_per_node: per }
    }

    /// The node a machine page lives on.
    pub fn node_of(&self, ppn: u32) -> usize {
        (ppn / self.pages_per_node.max(1)) as usize
    }

    /// A free page, preferably on `node`, now owned by `owner`.
    pub fn alloc(&mut self, node: usize, owner: PageOwner) -> Option<u32> {
        let nodes = self.free.len();
        for k in 0..nodes {
            let n = (node + k) % nodes;
            if let Some(ppn) = self.free[n].pop() {
                self.owners[ppn as usize] = owner;
                return Some(ppn);
            }
        }
        None
    }

    /// Returns a page to its node's free list.
    pub fn free(&mut self, ppn: u32) {
        if let Some(o) = self.owners.get_mut(ppn as usize)
            && *o != PageOwner::Free
        {
            *o = PageOwner::Free;
            let n = self.node_of(ppn);
            self.free[n].push(ppn);
        }
    }

    /// Owner of a page.
    pub fn owner(&self, ppn: u32) -> PageOwner {
        self.owners.get(ppn as usize).copied().unwrap_or(PageOwner::Free)
    }

    /// Free pages on each node.
    pub fn free_per_node(&self) -> Vec<usize> {
        self.free.iter().map(Vec::len).collect()
    }

    /// Number of machine pages.
    pub fn pages(&self) -> usize {
        self.owners.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_prefers_the_node_then_falls_back() {
        let mut m = Memmap::new(8, 2);
        let a = m.alloc(1, PageOwner::Monitor).expect("page");
        assert_eq!((a, m.node_of(a)), (4, 1));
        for _ in 0..3 {
            m.alloc(1, PageOwner::Monitor).expect("page");
        }
        let b = m.alloc(1, PageOwner::Vm { vm: 0, gppn: 9 }).expect("falls back");
        assert_eq!(m.node_of(b), 0);
        assert_eq!(m.owner(b), PageOwner::Vm { vm: 0, gppn: 9 });
        m.free(b);
        assert_eq!(m.owner(b), PageOwner::Free);
        assert_eq!(m.free_per_node(), vec![4, 0]);
    }
}
