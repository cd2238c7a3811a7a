//! A VM's virtual disk, on one of the machine's disk units. The guest's request names
//! guest-physical memory; the monitor splits it into one machine DMA per page (guest pages are
//! scattered over machine memory), programs the machine's disk controller for each in turn, and
//! completes the virtual request — raising the VM's device interrupt — when the last one is
//! done.

use std::collections::VecDeque;

/// One machine transfer: disk sector, machine physical address, sectors, direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transfer {
    /// First sector.
    pub sector: u32,
    /// Machine physical address.
    pub pa: u32,
    /// Sectors.
    pub sectors: u32,
    /// Memory to disk.
    pub write: bool,
}

/// A virtual disk.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct VDisk {
    /// The machine disk unit underneath.
    pub unit: Option<u32>,
    /// Transfers of the current request not yet started.
    pub queue: VecDeque<Transfer>,
    /// A transfer is on the machine disk now.
    pub in_flight: bool,
    /// The request is done (virtual STATUS bit 1) and its interrupt pending.
    pub done: bool,
    /// The request failed.
    pub error: bool,
    /// Requests served.
    pub requests: u64,
    /// A virtual CPU descheduled by `disk_wait` until the request completes.
    pub waiter: Option<crate::monitor::VcpuRef>,
}

impl VDisk {
    /// Virtual STATUS: bit 0 busy, 1 done, 2 error.
    pub fn status(&self) -> u32 {
        let busy = self.in_flight || !self.queue.is_empty();
        u32::from(busy) | u32::from(self.done) << 1 | u32::from(self.error) << 2
    }
}
