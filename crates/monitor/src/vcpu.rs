//! A virtual CPU: its saved registers while it is not on a physical CPU, its virtual TLB (the
//! entries its guest wrote, with guest-physical frame numbers), its second-level TLB, the
//! privileged registers that do not live in the special page, and its pending virtual
//! interrupts.

use mips::tlb::Tlb;

use crate::ids::{PcpuId, VcpuId};
use crate::l2tlb::L2Tlb;
use crate::special_page::SpecialPage;

/// Where a virtual CPU is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VcpuState {
    /// Not started yet (its guest has not asked for it).
    Offline,
    /// Waiting for a physical CPU.
    Ready,
    /// On this physical CPU.
    Running(PcpuId),
    /// Executed WAIT: off every CPU until a virtual interrupt is pending.
    Waiting,
    /// Its VM stopped.
    Halted,
}

/// Interrupt lines of a virtual CPU (Cause.IP bits): the same lines as the machine's.
pub mod line {
    pub use abi::address_map::irq::{DEVICE, IPI, TIMER};
}

/// One virtual CPU.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Vcpu {
    /// Its number within the VM.
    pub index: VcpuId,
    /// Where it is.
    pub state: VcpuState,
    /// Registers while not running.
    pub ctx: mips::Context,
    /// True when the guest runs user code (the physical CPU runs it in user mode), false for
    /// the guest kernel (supervisor mode).
    pub user: bool,
    /// Its special page.
    pub special: SpecialPage,
    /// The guest's TLB.
    pub vtlb: Tlb,
    /// Second-level TLB.
    pub l2tlb: L2Tlb,
    /// Virtual Index.
    pub index_reg: u32,
    /// Virtual PageMask.
    pub page_mask: u32,
    /// Virtual Wired.
    pub wired: u32,
    /// IPI pending.
    pub ipi: bool,
    /// Timer interrupt pending.
    pub timer: bool,
    /// Compare as last seen (a change acknowledges the timer).
    pub compare_seen: u32,
    /// Count at the last timer check.
    pub count_seen: u32,
    /// The physical CPU it prefers (affinity).
    pub home: PcpuId,
    /// Cycle it was last put on a physical CPU.
    pub slice_start: u64,
    /// A user TLB miss its guest's refill handler is serving, timed to the handler's ERET.
    #[serde(default)]
    pub utlb: Option<UtlbTiming>,
}

/// Where a forwarded user TLB miss began (Table 2's UTLB_MISS under the monitor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UtlbTiming {
    /// The physical CPU's cycle at the miss.
    pub start: u64,
    /// Its monitor cycles (all kinds) before the miss.
    pub monitor_start: u64,
    /// The physical CPU (a VCPU moved elsewhere is not timed).
    pub pcpu: PcpuId,
}

impl Vcpu {
    /// The bits of Index (and Wired) that name a TLB entry: as many as the virtual TLB's size
    /// needs (six for 64 entries).
    pub fn index_mask(&self) -> u32 {
        (self.vtlb.len() as u32).next_power_of_two() - 1
    }

    /// An offline virtual CPU with a `tlb_entries` virtual TLB.
    pub fn new(
        index: VcpuId,
        special: SpecialPage,
        tlb_entries: usize,
        l2tlb_entries: u32,
        home: PcpuId,
    ) -> Vcpu {
        Vcpu {
            index,
            state: VcpuState::Offline,
            ctx: mips::Context::default(),
            user: false,
            special,
            vtlb: Tlb::new(tlb_entries),
            l2tlb: L2Tlb::new(l2tlb_entries),
            index_reg: 0,
            page_mask: 0,
            wired: 0,
            ipi: false,
            timer: false,
            compare_seen: 0,
            count_seen: 0,
            home,
            slice_start: 0,
            utlb: None,
        }
    }
}
