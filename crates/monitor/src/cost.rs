//! The monitor's cost model: the cycles each monitor action is charged to the physical CPU it
//! runs on. The monitor is host code, so its work takes no simulated instructions; these
//! charges make the cost of virtualization visible and tunable. The defaults are estimates for
//! a monitor like Disco's on a 200 MHz MIPS (the paper does not list per-action costs): a trap
//! round trip of a few hundred cycles, emulations of tens, a page zeroing of about one cycle
//! per word plus its misses (charged through the CPU's cache). The one calibration the paper allows is the TLB refill: Table 2
//! has a user TLB miss 1.35 times as slow under Disco as under IRIX. A refill the monitor serves
//! from its refill vector (no register save: a lookup, a TLB write and ERET, like the guest's
//! own handler, which takes ~25 cycles) is charged `refill_trap` plus the lookup, about 1.5
//! times the guest's handler — not a full trap.

use serde::{Deserialize, Serialize};

/// Cycles charged per monitor action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostModel {
    /// Entering the monitor on a trap and returning to the guest.
    pub trap: u64,
    /// Entering and leaving the monitor's TLB-refill vector, for a refill it serves itself
    /// (instead of `trap`).
    #[serde(default = "default_refill_trap")]
    pub refill_trap: u64,
    /// Emulating MFC0/MTC0 or DI/EI.
    pub emulate_cp0: u64,
    /// Emulating TLBWI/TLBWR (translating the entry, updating the L2 TLB).
    pub emulate_tlb_write: u64,
    /// Emulating TLBP/TLBR.
    pub emulate_tlb_read: u64,
    /// Emulating ERET.
    pub emulate_eret: u64,
    /// A hardware TLB miss served from the direct map of the kernel segment.
    pub refill_direct: u64,
    /// A hardware TLB miss served from the second-level TLB.
    pub refill_l2tlb: u64,
    /// A hardware TLB miss served from the guest's virtual TLB (the entry translated through
    /// the pmap and put in the second-level TLB too).
    #[serde(default = "default_refill_vtlb")]
    pub refill_vtlb: u64,
    /// Delivering an exception or interrupt to the guest's vector.
    pub forward: u64,
    /// A monitor call (on top of `trap`).
    pub monitor_call: u64,
    /// A device request (disk, console) inside a monitor call.
    pub device: u64,
    /// Zeroing a page for the guest: the instructions of the monitor's loop (1 024 word
    /// stores, unrolled by eight). Its cache misses are charged on top, as they happen
    /// through the CPU's cache.
    pub zero_page: u64,
    /// Allocating a machine page on first touch.
    pub page_alloc: u64,
    /// Switching the virtual CPU of a physical CPU (save, restore, TLB flush).
    pub vcpu_switch: u64,
    /// Taking a FLASH hot-page interrupt and running the NUMA policy's decision.
    #[serde(default = "default_hot_page")]
    pub hot_page: u64,
    /// Copying a 4 KB page to another node (1 024 loads and stores, 32 remote line fills).
    #[serde(default = "default_page_copy")]
    pub page_copy: u64,
    /// Interrupting another physical CPU to drop a translation (TLB shootdown), charged to the
    /// interrupted CPU.
    #[serde(default = "default_shootdown_ipi")]
    pub shootdown_ipi: u64,
    /// Remapping one page of a frame on the virtual subnet instead of copying it (`vnet.rs`:
    /// the two pmap updates and the sender's shootdown, like an allocation).
    #[serde(default = "default_page_remap")]
    pub page_remap: u64,
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel {
            trap: 400,
            refill_trap: default_refill_trap(),
            emulate_cp0: 25,
            emulate_tlb_write: 120,
            emulate_tlb_read: 50,
            emulate_eret: 40,
            refill_direct: 16,
            refill_l2tlb: 24,
            refill_vtlb: default_refill_vtlb(),
            forward: 90,
            monitor_call: 60,
            device: 400,
            zero_page: 1024 + 128 * 3,
            page_alloc: 300,
            vcpu_switch: 900,
            hot_page: default_hot_page(),
            page_copy: default_page_copy(),
            page_remap: default_page_remap(),
            shootdown_ipi: default_shootdown_ipi(),
        }
    }
}

fn default_refill_trap() -> u64 {
    16
}

fn default_refill_vtlb() -> u64 {
    80
}

fn default_hot_page() -> u64 {
    // An interrupt (a trap's entry and return) and reading the counters.
    600
}

fn default_page_remap() -> u64 {
    300
}

fn default_page_copy() -> u64 {
    // 1 024 word loads and stores, 32 line fills from the remote node at 180 cycles.
    2 * 1024 + 32 * 180
}

fn default_shootdown_ipi() -> u64 {
    // Taking the interrupt, probing and writing the TLB, returning.
    1000
}

/// What monitor time was spent on (the overhead ledger's breakdown).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[repr(usize)]
pub enum Kind {
    /// Emulating privileged instructions.
    Emulation = 0,
    /// Serving TLB misses (direct map, L2 TLB, virtual TLB).
    TlbMiss = 1,
    /// Delivering exceptions and interrupts to the guest.
    Forwarding = 2,
    /// Monitor calls and virtual devices.
    Devices = 3,
    /// Allocating and zeroing memory.
    Memory = 4,
    /// Scheduling virtual CPUs.
    Scheduling = 5,
    /// The NUMA policy: hot-page interrupts, copying pages, TLB shootdowns (paper §4.2.3).
    NumaPolicy = 6,
}

/// Number of [`Kind`]s.
pub const KINDS: usize = 7;

/// Names of the kinds, for tables.
pub const KIND_NAMES: [&str; KINDS] =
    ["emulation", "tlb miss", "forwarding", "devices", "memory", "scheduling", "NUMA policy"];
