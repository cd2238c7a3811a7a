//! A VM's virtual disk (paper §4.1: "special drivers using monitor calls; DMA maps translated
//! physical → machine"), on one of the machine's disk units. The guest's request names
//! guest-physical memory; the monitor splits it into one machine DMA per page (guest pages are
//! scattered over machine memory), programs the machine's disk controller for each in turn, and
//! completes the virtual request — raising the VM's device interrupt — when the last one is
//! done. The monitor calls `disk_start`, `disk_status`, `disk_ack` and `disk_wait` land here.

use std::collections::VecDeque;

use abi::address_map::{self as amap, disk as reg};
use abi::mcall::{DISK_MAX_SECTORS, DISK_WRITE, Error};
use machine::Machine;

use crate::cost::Kind;
use crate::events::CollapseCause;
use crate::ids::{Gppn, VcpuId, VcpuRef, VmId};
use crate::mcall::CallResult;
use crate::monitor::Monitor;

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
    /// That transfer (its page must not move until it completes).
    #[serde(default)]
    pub current: Option<Transfer>,
    /// The request is done (virtual STATUS bit 1) and its interrupt pending.
    pub done: bool,
    /// The request failed.
    pub error: bool,
    /// Requests served.
    pub requests: u64,
    /// A virtual CPU descheduled by `disk_wait` until the request completes.
    pub waiter: Option<VcpuRef>,
}

impl VDisk {
    /// Virtual STATUS: bit 0 busy, 1 done, 2 error (as the machine's disk).
    pub fn status(&self) -> u32 {
        let busy = self.in_flight || !self.queue.is_empty();
        (if busy { reg::BUSY } else { 0 })
            | (if self.done { reg::DONE } else { 0 })
            | (if self.error { reg::ERROR } else { 0 })
    }
}

impl Monitor {
    /// The machine disk unit behind the VM's virtual unit `unit` (only unit 0 exists).
    fn disk_unit(&self, r: VcpuRef, unit: u32) -> Result<u32, Error> {
        match (unit, self.vms[r.vm].disk.unit) {
            (0, Some(u)) => Ok(u),
            _ => Err(Error::BadArg),
        }
    }

    /// `disk_status(unit)`.
    pub(crate) fn disk_status(&self, r: VcpuRef, unit: u32) -> CallResult {
        self.disk_unit(r, unit).map(|_| self.vms[r.vm].disk.status())
    }

    /// `disk_ack(unit)`: clears done and error.
    pub(crate) fn disk_ack(&mut self, r: VcpuRef, unit: u32) -> CallResult {
        self.disk_unit(r, unit).map(|_| {
            let d = &mut self.vms[r.vm].disk;
            d.done = false;
            d.error = false;
            0
        })
    }

    /// `disk_wait(unit)`: the status; sets `block` (the VCPU leaves its CPU until the request
    /// completes) while the request is in progress.
    pub(crate) fn disk_wait(&mut self, r: VcpuRef, unit: u32, block: &mut bool) -> CallResult {
        self.disk_unit(r, unit).map(|_| {
            let d = &mut self.vms[r.vm].disk;
            let status = d.status();
            *block = status & reg::DONE == 0 && status & reg::BUSY != 0;
            if *block {
                d.waiter = Some(r);
            }
            status
        })
    }

    /// `disk_start(unit, sector, gpa, sectors | DISK_WRITE)`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn disk_start(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        unit: u32,
        sector: u32,
        gpa: u32,
        count: u32,
    ) -> CallResult {
        let machine_unit = self.disk_unit(r, unit)?;
        let write = count & DISK_WRITE != 0;
        let sectors = count & !DISK_WRITE;
        if sectors == 0 || sectors > DISK_MAX_SECTORS || !gpa.is_multiple_of(reg::SECTOR_BYTES) {
            return Err(Error::BadArg);
        }
        if self.vms[r.vm].disk.status() & reg::BUSY != 0 {
            return Err(Error::Busy);
        }
        let bytes = sectors * reg::SECTOR_BYTES;
        if gpa.checked_add(bytes).is_none_or(|end| end > self.vms[r.vm].memory_bytes()) {
            return Err(Error::BadAddress);
        }
        // One machine transfer per guest page: guest pages are scattered in machine memory.
        let node = self.node_of_cpu(p);
        let mut transfers = Vec::new();
        let mut done = 0;
        while done < bytes {
            let a = gpa + done;
            let n = (4096 - (a & 0xFFF)).min(bytes - done);
            // A replicated page collapses first: the transfer must see (or fill) the one page
            // the VM will keep, and no copy may go stale.
            let cause = CollapseCause::DiskTransfer;
            let mppn = self.guest_page_for_write(m, Some(p), r.vm, Gppn::of_gpa(a), node, cause);
            let mppn = mppn.ok_or(Error::BadAddress)?;
            transfers.push(Transfer {
                sector: sector + done / reg::SECTOR_BYTES,
                pa: mppn.pa() | (a & 0xFFF),
                sectors: n / reg::SECTOR_BYTES,
                write,
            });
            done += n;
        }
        let d = &mut self.vms[r.vm].disk;
        d.done = false;
        d.error = false;
        d.queue.extend(transfers);
        d.requests += 1;
        self.disk_next(m, r.vm, machine_unit);
        let cost = self.cfg.cost.device;
        self.charge(m, p, r, Kind::Devices, cost);
        Ok(0)
    }

    /// Starts the VM's next queued machine transfer, if the machine disk is free.
    fn disk_next(&mut self, m: &mut Machine, vm: VmId, unit: u32) {
        let d = &mut self.vms[vm].disk;
        if d.in_flight {
            return;
        }
        let Some(t) = d.queue.pop_front() else { return };
        d.in_flight = true;
        d.current = Some(t);
        let base = amap::disk(unit);
        // The monitor drives the machine's disk controller as CPU 0 would.
        m.device_write(0, base + reg::SECTOR, t.sector);
        m.device_write(0, base + reg::ADDR, t.pa);
        m.device_write(0, base + reg::COUNT, t.sectors);
        m.device_write(
            0,
            base + reg::COMMAND,
            if t.write { reg::CMD_WRITE } else { reg::CMD_READ },
        );
    }

    /// Looks at the machine disks between quanta: finishes transfers, completes requests.
    pub(crate) fn poll_disks(&mut self, m: &mut Machine) {
        for k in 0..self.vms.len() {
            let vm = VmId::of_index(k);
            let Some(unit) = self.vms[vm].disk.unit else { continue };
            if !self.vms[vm].disk.in_flight {
                continue;
            }
            let base = amap::disk(unit);
            let status = m.device_read(0, base + reg::STATUS).unwrap_or(0);
            if status & reg::DONE == 0 {
                continue;
            }
            m.device_write(0, base + reg::ACK, 0);
            let d = &mut self.vms[vm].disk;
            d.in_flight = false;
            d.current = None;
            d.error |= status & reg::ERROR != 0;
            if d.queue.is_empty() {
                d.done = true;
                let waiter = d.waiter.take();
                self.wake(VcpuRef { vm, vcpu: VcpuId(0) });
                if let Some(w) = waiter {
                    self.wake(w);
                }
            } else {
                self.disk_next(m, vm, unit);
            }
        }
    }
}
