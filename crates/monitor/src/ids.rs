//! The monitor's nouns as types (paper §4.2): a virtual machine, a virtual CPU, a guest-physical
//! page — beside the machine's own ([`Mppn`], [`NodeId`], [`PcpuId`], re-exported here). The
//! pmap maps a [`Gppn`] to an [`Mppn`]; mixing the two up no longer compiles. Every conversion
//! to and from plain numbers is in this file.

use std::ops::{Index, IndexMut};

use serde::{Deserialize, Serialize};

pub use machine::ids::{Mppn, NodeId, PAGE_SHIFT, PcpuId};

use crate::vcpu::Vcpu;
use crate::vm::Vm;

/// A guest-physical page number: what the guest OS believes is a physical page (its address >>
/// 12). The monitor backs it with a machine page of its choosing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Gppn(pub u32);

impl Gppn {
    /// The page holding guest-physical address `gpa`.
    pub const fn of_gpa(gpa: u32) -> Gppn {
        Gppn(gpa >> PAGE_SHIFT)
    }

    /// Its first byte's guest-physical address.
    pub const fn gpa(self) -> u32 {
        self.0 << PAGE_SHIFT
    }

    /// As an index into per-page tables.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl std::fmt::Display for Gppn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "guest page {:#x}", self.0)
    }
}

/// A virtual machine, by its index in the monitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VmId(pub u16);

impl VmId {
    /// As an index into per-VM tables.
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// VM `i` (an index into per-VM tables).
    pub const fn of_index(i: usize) -> VmId {
        VmId(i as u16)
    }
}

impl std::fmt::Display for VmId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "vm{}", self.0)
    }
}

/// A virtual CPU within its VM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VcpuId(pub u16);

impl VcpuId {
    /// As an index into the VM's VCPUs.
    pub const fn index(self) -> usize {
        self.0 as usize
    }

    /// VCPU `i` of a VM.
    pub const fn of_index(i: usize) -> VcpuId {
        VcpuId(i as u16)
    }
}

/// A virtual CPU of the whole monitor: its VM and its index there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VcpuRef {
    /// The VM.
    pub vm: VmId,
    /// Its virtual CPU.
    pub vcpu: VcpuId,
}

impl VcpuRef {
    /// VCPU `vcpu` of VM `vm`, by index.
    pub const fn of_index(vm: usize, vcpu: usize) -> VcpuRef {
        VcpuRef { vm: VmId::of_index(vm), vcpu: VcpuId::of_index(vcpu) }
    }
}

impl std::fmt::Display for VcpuRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} VCPU {}", self.vm, self.vcpu.0)
    }
}

// The monitor's tables are indexed by these ids directly (`vms[r.vm].vcpus[r.vcpu]`).

impl Index<VmId> for Vec<Vm> {
    type Output = Vm;
    fn index(&self, k: VmId) -> &Vm {
        &self[k.index()]
    }
}

impl IndexMut<VmId> for Vec<Vm> {
    fn index_mut(&mut self, k: VmId) -> &mut Vm {
        &mut self[k.index()]
    }
}

impl Index<VcpuId> for Vec<Vcpu> {
    type Output = Vcpu;
    fn index(&self, j: VcpuId) -> &Vcpu {
        &self[j.index()]
    }
}

impl IndexMut<VcpuId> for Vec<Vcpu> {
    fn index_mut(&mut self, j: VcpuId) -> &mut Vcpu {
        &mut self[j.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_pages_and_addresses_convert_both_ways() {
        assert_eq!(Gppn::of_gpa(0x0040_1234), Gppn(0x401));
        assert_eq!(Gppn(0x401).gpa(), 0x0040_1000);
        assert_eq!(VcpuRef::of_index(2, 3), VcpuRef { vm: VmId(2), vcpu: VcpuId(3) });
        assert_eq!(VcpuRef::of_index(2, 3).to_string(), "vm2 VCPU 3");
    }
}
