//! A virtual machine: its virtual CPUs, its pmap, its console and disk, and whether it has
//! stopped.

use std::collections::VecDeque;

use crate::config::VmSpec;
use crate::pmap::Pmap;
use crate::stats::{TrapRecord, VmStats};
use crate::vcpu::Vcpu;
use crate::vdisk::VDisk;

/// One virtual machine.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Vm {
    /// What it was asked to be.
    pub spec: VmSpec,
    /// Guest-physical to machine pages.
    pub pmap: Pmap,
    /// Its virtual CPUs.
    pub vcpus: Vec<Vcpu>,
    /// Everything its guest printed.
    pub console: Vec<u8>,
    /// Console input not yet read by the guest.
    pub input: VecDeque<u8>,
    /// Its disk.
    pub disk: VDisk,
    /// Exit code once it powered off.
    pub halted: Option<u32>,
    /// Counters.
    pub stats: VmStats,
    /// The node its memory goes to when nothing better is known.
    pub home_node: usize,
    /// The most recent traps (at most [`TRAP_LOG`]).
    pub traps: VecDeque<TrapRecord>,
}

/// Traps kept in a VM's trap log.
pub const TRAP_LOG: usize = 256;

impl Vm {
    /// Bytes of guest-physical memory.
    pub fn memory_bytes(&self) -> u32 {
        self.spec.memory_mb << 20
    }
}
