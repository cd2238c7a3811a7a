//! The machine's nouns as types: a machine page, a node, a physical CPU. A bare `u32` page
//! number could be a guest-physical or a machine page, a bare `usize` a CPU, a node or a VM;
//! these make the compiler tell them apart (the monitor adds guest-physical pages and VMs in
//! `monitor::ids`). Every conversion to and from plain numbers and addresses is here.

use serde::{Deserialize, Serialize};

/// Bytes per page (4 KB: the only page size the monitor maps, paper §4.2.2).
pub const PAGE_BYTES: u32 = abi::segments::PAGE_BYTES;
/// log2 of [`PAGE_BYTES`].
pub const PAGE_SHIFT: u32 = abi::segments::PAGE_SHIFT;

/// A machine page number: machine physical address >> 12. Machine memory is laid out node after
/// node, so the page number alone says which node holds it ([`crate::MachineConfig::node_of_page`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Mppn(pub u32);

impl Mppn {
    /// The page holding machine physical address `pa`.
    pub const fn of_pa(pa: u32) -> Mppn {
        Mppn(pa >> PAGE_SHIFT)
    }

    /// Its first byte's machine physical address.
    pub const fn pa(self) -> u32 {
        self.0 << PAGE_SHIFT
    }

    /// As an index into per-page tables.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl std::fmt::Display for Mppn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "machine page {:#x}", self.0)
    }
}

/// A node of the ccNUMA machine: some CPUs and a slice of memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub u16);

impl NodeId {
    /// As an index into per-node tables.
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// Node `i` (an index into per-node tables).
    pub const fn of_index(i: usize) -> NodeId {
        NodeId(i as u16)
    }
}

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "node {}", self.0)
    }
}

/// A physical CPU of the machine (the monitor's term, as opposed to a VM's virtual CPU).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PcpuId(pub u16);

impl PcpuId {
    /// As an index into per-CPU tables (`Machine::cpus`).
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// CPU `i` (an index into per-CPU tables).
    pub const fn of_index(i: usize) -> PcpuId {
        PcpuId(i as u16)
    }
}

impl std::fmt::Display for PcpuId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CPU {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_addresses_convert_both_ways() {
        assert_eq!(Mppn::of_pa(0x0012_3456), Mppn(0x123));
        assert_eq!(Mppn(0x123).pa(), 0x0012_3000);
        assert_eq!(Mppn(7).index(), 7);
        assert_eq!(NodeId::of_index(3).index(), 3);
        assert_eq!(PcpuId::of_index(5), PcpuId(5));
    }
}
