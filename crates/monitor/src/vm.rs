//! A virtual machine: its virtual CPUs, its pmap, its console and disk, and whether it has
//! stopped. The monitor changes it; the front ends read it through the accessors.

use std::collections::VecDeque;

use crate::config::VmSpec;
use crate::ids::{NodeId, VcpuId};
use crate::pmap::Pmap;
use crate::stats::{TrapRecord, VmStats};
use crate::vcpu::Vcpu;
use crate::vdisk::VDisk;
use crate::vnet::VNic;

/// One virtual machine.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Vm {
    /// What it was asked to be.
    pub(crate) spec: VmSpec,
    /// Guest-physical to machine pages.
    pub(crate) pmap: Pmap,
    /// Its virtual CPUs.
    pub(crate) vcpus: Vec<Vcpu>,
    /// Everything its guest printed.
    pub(crate) console: Vec<u8>,
    /// Console input not yet read by the guest.
    pub(crate) input: VecDeque<u8>,
    /// Its disk.
    pub(crate) disk: VDisk,
    /// Its interface on the virtual subnet.
    #[serde(default)]
    pub(crate) net: VNic,
    /// Exit code once it powered off.
    pub(crate) halted: Option<u32>,
    /// Counters.
    pub(crate) stats: VmStats,
    /// The node its memory goes to when nothing better is known.
    pub(crate) home_node: NodeId,
    /// The most recent traps (at most [`TRAP_LOG`]).
    pub(crate) traps: VecDeque<TrapRecord>,
}

/// Traps kept in a VM's trap log.
pub const TRAP_LOG: usize = 256;

impl Vm {
    /// Bytes of guest-physical memory.
    pub fn memory_bytes(&self) -> u32 {
        self.spec.memory_mb << 20
    }

    /// What it was asked to be.
    pub fn spec(&self) -> &VmSpec {
        &self.spec
    }

    /// Its pmap.
    pub fn pmap(&self) -> &Pmap {
        &self.pmap
    }

    /// Its virtual CPUs.
    pub fn vcpus(&self) -> &[Vcpu] {
        &self.vcpus
    }

    /// One of its virtual CPUs.
    pub fn vcpu(&self, j: VcpuId) -> Option<&Vcpu> {
        self.vcpus.get(j.index())
    }

    /// Everything its guest printed so far.
    pub fn console(&self) -> &[u8] {
        &self.console
    }

    /// Its exit code, once it powered off.
    pub fn halted(&self) -> Option<u32> {
        self.halted
    }

    /// Its counters.
    pub fn stats(&self) -> &VmStats {
        &self.stats
    }

    /// Its virtual disk.
    pub fn disk(&self) -> &VDisk {
        &self.disk
    }

    /// Its interface on the virtual subnet.
    pub fn net(&self) -> &VNic {
        &self.net
    }

    /// The node its memory goes to when nothing better is known.
    pub fn home_node(&self) -> NodeId {
        self.home_node
    }

    /// Its most recent traps, oldest first.
    pub fn traps(&self) -> impl DoubleEndedIterator<Item = &TrapRecord> {
        self.traps.iter()
    }
}
