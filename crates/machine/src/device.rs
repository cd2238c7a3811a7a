//! The device trait and what a device may touch while it runs.
//!
//! Devices are reached by uncached loads and stores to their 4 KB window (see
//! `address_map.rs`); the register offset is the address within the window, word-aligned.
//! A device can change memory (DMA, through the memory system so caches stay coherent),
//! schedule events for later, raise interrupts, and halt the machine — all through
//! [`DeviceCtx`], so a device file holds only its own registers and logic.

use crate::address_map::irq;
use crate::event::{EventKind, EventQueue};
use crate::memsys::MemorySystem;

/// Interrupt-controller state shared by all devices.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Irq {
    /// Pending device interrupt sources (see [`source`]).
    pub pending: u32,
    /// Sources enabled to raise the device line.
    pub enabled: u32,
    /// The CPU that receives device interrupts.
    pub route: usize,
    /// Pending inter-processor interrupt per CPU.
    pub ipi: Vec<bool>,
    /// Start requests for secondary CPUs: (cpu, pc, sp).
    pub starts: Vec<(usize, u32, u32)>,
    /// Start address and stack latched for the next start request.
    pub start_pc: u32,
    /// Stack pointer latched for the next start request.
    pub start_sp: u32,
}

/// Device interrupt sources: bits of [`Irq::pending`] (the address map's, `abi`'s).
pub use crate::address_map::source;

impl Irq {
    /// No interrupts, devices routed to CPU 0, every source enabled.
    pub fn new(cpus: usize) -> Irq {
        Irq {
            pending: 0,
            enabled: u32::MAX,
            route: 0,
            ipi: vec![false; cpus],
            starts: Vec::new(),
            start_pc: 0,
            start_sp: 0,
        }
    }

    /// The interrupt lines (Cause.IP bits) CPU `cpu` sees.
    pub fn lines(&self, cpu: usize) -> u32 {
        let dev =
            if cpu == self.route && self.pending & self.enabled != 0 { irq::DEVICE } else { 0 };
        let ipi = if self.ipi.get(cpu).copied().unwrap_or(false) { irq::IPI } else { 0 };
        dev | ipi
    }
}

/// What a device may reach during an access or an event.
pub struct DeviceCtx<'a> {
    /// The CPU making the access (`usize::MAX` for an event).
    pub cpu: usize,
    /// The current cycle (the accessing CPU's clock, or the event's cycle).
    pub now: u64,
    /// Memory, for DMA.
    pub mem: &'a mut MemorySystem,
    /// The event queue, to schedule completions.
    pub events: &'a mut EventQueue,
    /// Interrupt state.
    pub irq: &'a mut Irq,
    /// Set to halt the machine with an exit code.
    pub halt: &'a mut Option<u32>,
}

/// A memory-mapped device.
pub trait Device {
    /// Reads the register at `offset` (word-aligned); `None` if there is none (bus error).
    fn read(&mut self, offset: u32, ctx: &mut DeviceCtx<'_>) -> Option<u32>;
    /// Writes the register at `offset`; `None` if there is none (bus error).
    fn write(&mut self, offset: u32, value: u32, ctx: &mut DeviceCtx<'_>) -> Option<()>;
    /// An event this device scheduled has come due.
    fn event(&mut self, kind: EventKind, ctx: &mut DeviceCtx<'_>) {
        let _ = (kind, ctx);
    }
}
