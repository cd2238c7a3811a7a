//! What the monitor counts: per VM and per physical CPU, where time went (the overhead ledger:
//! user, guest kernel, monitor by kind, idle), and how TLB misses were served.

use serde::{Deserialize, Serialize};

use crate::cost::KINDS;
use crate::ids::{PcpuId, VcpuId, VcpuRef};

/// Counters of one VM.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmStats {
    /// Cycles its virtual CPUs ran guest user code.
    pub user_cycles: u64,
    /// Cycles they ran the guest kernel.
    pub kernel_cycles: u64,
    /// Monitor cycles spent on its behalf, by kind.
    pub monitor_cycles: [u64; KINDS],
    /// Instructions its virtual CPUs executed.
    pub instructions: u64,
    /// Traps into the monitor.
    pub traps: u64,
    /// Privileged instructions emulated.
    pub emulated: u64,
    /// Hardware TLB misses the monitor served from the kernel segment's direct map.
    pub refills_direct: u64,
    /// Hardware TLB misses served from the second-level TLB.
    pub refills_l2tlb: u64,
    /// Hardware TLB misses served from the guest's virtual TLB.
    pub refills_vtlb: u64,
    /// TLB misses the monitor forwarded to the guest: to its refill handler (its TLB has no
    /// entry for the page) or, when its entry is there but invalid, to its general vector. (An
    /// access to the invalid half of a pair already in the hardware TLB reaches the guest's
    /// general vector without a miss, and is not counted here.)
    pub refills_forwarded: u64,
    /// TLB entries the guest wrote (TLBWI/TLBWR).
    pub guest_tlb_writes: u64,
    /// Exceptions and interrupts delivered to the guest.
    pub forwarded: u64,
    /// Monitor calls made.
    pub monitor_calls: u64,
    /// Monitor calls refused (bad number or argument).
    pub bad_calls: u64,
    /// Machine pages allocated for it.
    pub pages: u64,
    /// Pages zeroed for it.
    pub zeroed: u64,
    /// Its pages the NUMA policy migrated.
    #[serde(default)]
    pub migrations: u64,
    /// Replicas of its pages the NUMA policy made.
    #[serde(default)]
    pub replications: u64,
    /// Times a replicated page of it went back to one copy (a write, a disk transfer, a
    /// migration).
    #[serde(default)]
    pub collapses: u64,
    /// Replicas of its pages freed because their node ran short of memory.
    #[serde(default)]
    pub reclaimed: u64,
    /// Page-sized disk reads served by mapping a page of the global disk-block cache.
    #[serde(default)]
    pub cache_hits: u64,
    /// Copy-on-write faults on shared pages of its (a private copy made, or the page taken
    /// back by its last sharer).
    #[serde(default)]
    pub cow_breaks: u64,
    /// TLB refills of user addresses, served by the monitor or by the guest's refill handler
    /// (Table 2's UTLB_MISS).
    #[serde(default)]
    pub utlb_misses: u64,
    /// Their cycles: from the miss to the return to the faulting code (through the guest's
    /// handler and its emulated ERET when forwarded).
    #[serde(default)]
    pub utlb_cycles: u64,
    /// Of those, the monitor's.
    #[serde(default)]
    pub utlb_monitor_cycles: u64,
    /// Of the misses, those the guest's refill handler served (the page was in neither the
    /// second-level TLB nor the guest's TLB: a process's first touch of a page, mostly).
    #[serde(default)]
    pub utlb_forwarded: u64,
    /// Their cycles.
    #[serde(default)]
    pub utlb_forwarded_cycles: u64,
}

impl VmStats {
    /// Counts a user TLB miss that took `cycles`, `monitor_cycles` of them the monitor's.
    pub(crate) fn count_utlb_miss(&mut self, cycles: u64, monitor_cycles: u64) {
        self.utlb_misses += 1;
        self.utlb_cycles += cycles;
        self.utlb_monitor_cycles += monitor_cycles;
    }

    /// Monitor cycles of every kind.
    pub fn monitor_total(&self) -> u64 {
        self.monitor_cycles.iter().sum()
    }
}

/// The NUMA policy's work so far, all VMs together (the CLI's `numa:` line, the NUMA panel).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumaTotals {
    /// Pages migrated.
    pub migrations: u64,
    /// Replicas made.
    pub replications: u64,
    /// Replicated pages collapsed back to one copy.
    pub collapses: u64,
    /// Replicas freed because their node ran short of memory.
    pub reclaimed: u64,
    /// Replica pages held now, per node.
    pub replica_pages: Vec<u32>,
    /// The same actions, per node: migrations *to* the node, replicas made *on* it, collapses
    /// onto it, replicas reclaimed from it.
    #[serde(default)]
    pub per_node: Vec<NodeActions>,
}

/// The NUMA policy's actions that concern one node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeActions {
    /// Pages migrated to it.
    pub migrations: u64,
    /// Replicas made on it.
    pub replications: u64,
    /// Replicated pages collapsed onto it (the copy kept is here).
    pub collapses: u64,
    /// Its replicas freed because it ran short of memory.
    pub reclaimed: u64,
}

/// A scheduling decision, for the timeline: from `cycle` on, physical CPU `pcpu` runs a
/// virtual CPU (or nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchedEvent {
    /// When.
    pub cycle: u64,
    /// The physical CPU.
    pub pcpu: PcpuId,
    /// What it runs, or `None` for idle.
    pub runs: Option<VcpuRef>,
}

/// One trap into the monitor, for the trap log (the UI shows the recent ones).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrapRecord {
    /// Cycle of the physical CPU.
    pub cycle: u64,
    /// Virtual CPU.
    pub vcpu: VcpuId,
    /// Restart address of the trapping instruction.
    pub epc: u32,
    /// Exception code.
    pub code: u8,
    /// In user mode.
    pub user: bool,
    /// The faulting address (TLB, address errors) or the monitor call number.
    pub detail: u32,
}

/// Memory footprint across the VMs (paper §5.3, Fig. 6): what the VMs use against what the
/// machine holds for them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryTotals {
    /// Per VM, its footprint **V**: the guest pages its pmap maps to a machine page.
    pub v_pages: Vec<u32>,
    /// **M**: machine pages in use by the VMs (private, shared — once — and replicas; the
    /// monitor's own special pages are in neither V nor M).
    pub m_pages: u32,
    /// Machine pages shared copy-on-write.
    pub shared_pages: u32,
    /// Guest pages (all VMs) that map a shared page.
    pub sharing_guest_pages: u32,
    /// Copy-on-write faults so far, all VMs.
    pub cow_breaks: u64,
    /// Disk reads served by mapping a cached block, all VMs.
    pub cache_hits: u64,
}

impl MemoryTotals {
    /// V, all VMs together.
    pub fn v_total(&self) -> u32 {
        self.v_pages.iter().sum()
    }

    /// Pages saved by sharing: V − M (never below zero: replicas can make M exceed V).
    pub fn saved_pages(&self) -> u32 {
        self.v_total().saturating_sub(self.m_pages)
    }
}
