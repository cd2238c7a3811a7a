//! A VM's virtual disk (paper §4.1: "special drivers using monitor calls; DMA maps translated
//! physical → machine"), on one of the machine's disk units. The guest's request names
//! guest-physical memory; the monitor splits it into one machine DMA per page (guest pages are
//! scattered over machine memory), programs the machine's disk controller for each in turn, and
//! completes the virtual request — raising the VM's device interrupt — when the last one is
//! done. The monitor calls `disk_start`, `disk_status`, `disk_ack` and `disk_wait` land here.
//!
//! A unit several VMs name is a copy-on-write disk (`cow_disk.rs`): writes go to the VM's log
//! (copied by the monitor, no disk transfer), reads of logged sectors come from the log, and
//! a page-sized, page-aligned read of a block another VM already has in memory maps that page
//! (`disk_cache.rs`). What remains goes to the one machine unit, where the VMs' transfers take
//! turns (round robin over the VMs, one transfer at a time), each paying the unit's latency. A
//! request the monitor served entirely itself completes at the next quantum boundary.

use std::collections::VecDeque;

use abi::address_map::{self as amap, disk as reg};
use abi::mcall::{DISK_MAX_SECTORS, DISK_WRITE, Error};
use machine::Machine;

use crate::cost::Kind;
use crate::cow_disk::CowLog;
use crate::events::CollapseCause;
use crate::ids::{Gppn, Mppn, VcpuId, VcpuRef, VmId};
use crate::mcall::CallResult;
use crate::memmap::PageOwner;
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
    /// The VM's log of modified sectors, when the unit is a copy-on-write disk shared with
    /// other VMs (`None`: the VM's own disk, written in place).
    #[serde(default)]
    pub cow: Option<CowLog>,
    /// The monitor served what the request needed itself (log, disk-block cache); it completes
    /// at the next quantum boundary.
    #[serde(default)]
    pub served: bool,
}

impl VDisk {
    /// Virtual STATUS: bit 0 busy, 1 done, 2 error (as the machine's disk).
    pub fn status(&self) -> u32 {
        let busy = self.in_flight || self.served || !self.queue.is_empty();
        (if busy { reg::BUSY } else { 0 })
            | (if self.done { reg::DONE } else { 0 })
            | (if self.error { reg::ERROR } else { 0 })
    }
}

/// Uncached register accesses that start a transfer on the machine's disk (sector, address,
/// count, command), each at the machine's device latency, as the native driver pays them.
const START_REGISTERS: u64 = 4;
/// Uncached register accesses that take the disk's interrupt (status, acknowledge).
const INTERRUPT_REGISTERS: u64 = 2;

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
        let cow = self.vms[r.vm].disk.cow.is_some();
        let mut transfers = Vec::new();
        let mut served = 0u32;
        let mut done = 0;
        while done < bytes {
            let a = gpa + done;
            let n = (4096 - (a & 0xFFF)).min(bytes - done);
            let t_sector = sector + done / reg::SECTOR_BYTES;
            let gppn = Gppn::of_gpa(a);
            done += n;
            // A block another VM has in memory: map its page instead of reading (§4.2.5).
            if cow
                && !write
                && n == 4096
                && self.cache_read(m, p, r.vm, machine_unit, t_sector, gppn)
            {
                served += n;
                continue;
            }
            let mppn = if write && self.shares(r.vm, gppn) {
                // Reading a shared page out to the disk leaves it shared.
                self.vms[r.vm].pmap.get(gppn)
            } else {
                // A replicated page collapses first: the transfer must see (or fill) the one
                // page the VM will keep, and no copy may go stale. A shared page gets a
                // private copy first (a copy-on-write break).
                let cause = CollapseCause::DiskTransfer;
                self.guest_page_for_write(m, Some(p), r.vm, gppn, node, cause)
            };
            let mppn = mppn.ok_or(Error::BadAddress)?;
            let t = Transfer {
                sector: t_sector,
                pa: mppn.pa() | (a & 0xFFF),
                sectors: n / reg::SECTOR_BYTES,
                write,
            };
            if cow
                && (write
                    || self.vms[r.vm]
                        .disk
                        .cow
                        .as_ref()
                        .is_some_and(|l| l.covers_all(t.sector, t.sectors)))
            {
                // The VM's own version of these sectors is (or becomes) its log: the monitor
                // copies, the base disk is not touched.
                self.cow_copy(m, r.vm, t);
                served += n;
                continue;
            }
            transfers.push(t);
        }
        let d = &mut self.vms[r.vm].disk;
        d.done = false;
        d.error = false;
        d.served = transfers.is_empty();
        d.queue.extend(transfers);
        d.requests += 1;
        let started = self.disk_next(m, r.vm, machine_unit);
        // The monitor's copies and remaps: a page copy's worth per 4 KB it served itself; and
        // if it started the machine's disk, the register stores that took.
        let registers = if started { START_REGISTERS * m.sys.device_cycles } else { 0 };
        let cost =
            self.cfg.cost.device + self.cfg.cost.page_copy * u64::from(served) / 4096 + registers;
        self.charge(m, p, r, Kind::Devices, cost);
        Ok(0)
    }

    /// Serves transfer `t` of VM `vm` from or into its copy-on-write log.
    fn cow_copy(&mut self, m: &mut Machine, vm: VmId, t: Transfer) {
        let len = t.sectors * reg::SECTOR_BYTES;
        let Some(log) = self.vms[vm].disk.cow.as_mut() else { return };
        if t.write {
            let data = m.sys.mem.ram.slice(t.pa, len).map(<[u8]>::to_vec).unwrap_or_default();
            log.write(t.sector, &data);
        } else {
            let mut buf = vec![0u8; len as usize];
            log.overlay(t.sector, &mut buf);
            m.sys.mem.dma_write(t.pa, &buf);
        }
    }

    /// The physical CPU that does VM `vm`'s disk work between quanta and is charged for it:
    /// the home CPU of the VM's first VCPU.
    fn disk_cpu(&self, vm: VmId) -> usize {
        self.vms[vm].vcpus.first().map_or(0, |v| v.home.index())
    }

    /// Charges `cycles` of disk work done between quanta for VM `vm` to [`Self::disk_cpu`].
    fn charge_disk_work(&mut self, m: &mut Machine, vm: VmId, cycles: u64) {
        let p = self.disk_cpu(vm);
        self.charge(m, p, VcpuRef { vm, vcpu: VcpuId(0) }, Kind::Devices, cycles);
    }

    /// Is the machine unit `unit` busy with some VM's transfer?
    fn unit_busy(&self, unit: u32) -> bool {
        self.vms.iter().any(|v| v.disk.unit == Some(unit) && v.disk.in_flight)
    }

    /// Starts the VM's next queued machine transfer, if the machine disk is free; true if one
    /// started. On a copy-on-write disk, a whole-block read whose block reached the disk-block
    /// cache while it waited (another VM read it meanwhile) maps the cached page instead.
    fn disk_next(&mut self, m: &mut Machine, vm: VmId, unit: u32) -> bool {
        if self.unit_busy(unit) {
            return false;
        }
        let mut hits = false;
        let t = loop {
            let Some(t) = self.vms[vm].disk.queue.pop_front() else {
                // Served while waiting: the request completes at the next quantum boundary.
                self.vms[vm].disk.served |= hits;
                return false;
            };
            if !self.late_hit(m, vm, unit, t) {
                break t;
            }
            hits = true;
        };
        let d = &mut self.vms[vm].disk;
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
        true
    }

    /// A queued transfer of VM `vm` about to start: if it reads a whole block of a
    /// copy-on-write disk into a whole page and the block is in the cache now, the page is
    /// mapped instead (true). The work is charged to the home CPU of the VM's VCPU 0.
    fn late_hit(&mut self, m: &mut Machine, vm: VmId, unit: u32, t: Transfer) -> bool {
        if t.write
            || self.vms[vm].disk.cow.is_none()
            || t.sectors * reg::SECTOR_BYTES != 4096
            || t.pa & 0xFFF != 0
            || self.disk_cache.get(unit, t.sector).is_none()
        {
            return false;
        }
        let PageOwner::Vm { vm: owner, gppn } = self.memmap.owner(Mppn::of_pa(t.pa)) else {
            return false;
        };
        let p = self.disk_cpu(vm);
        if owner != vm || !self.cache_read(m, p, vm, unit, t.sector, gppn) {
            return false;
        }
        let cost = self.cfg.cost.page_copy;
        self.charge_disk_work(m, vm, cost);
        true
    }

    /// Gives the idle machine unit `unit` to the next VM in turn after VM index `after` (that
    /// VM last) with a transfer waiting for it.
    fn start_unit(&mut self, m: &mut Machine, unit: u32, after: usize) {
        let n = self.vms.len();
        for i in 1..=n {
            let v = VmId::of_index((after + i) % n);
            let d = &self.vms[v].disk;
            if d.unit == Some(unit)
                && !d.in_flight
                && !d.queue.is_empty()
                && self.disk_next(m, v, unit)
            {
                // The register stores that started the disk.
                let cost = START_REGISTERS * m.sys.device_cycles;
                self.charge_disk_work(m, v, cost);
                return;
            }
        }
    }

    /// Looks at the machine disks between quanta: finishes transfers, completes requests, and
    /// hands a unit that fell idle to the next VM (in VM order after the one it served) with a
    /// transfer waiting for it.
    pub(crate) fn poll_disks(&mut self, m: &mut Machine) {
        for k in 0..self.vms.len() {
            let vm = VmId::of_index(k);
            if std::mem::take(&mut self.vms[vm].disk.served) {
                self.vms[vm].disk.done = true;
                self.disk_request_done(vm);
                continue;
            }
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
            // Taking the machine's disk interrupt: reading its status and acknowledging it, as
            // the native driver's interrupt handler pays them.
            let cost = INTERRUPT_REGISTERS * m.sys.device_cycles;
            self.charge_disk_work(m, vm, cost);
            let d = &mut self.vms[vm].disk;
            d.in_flight = false;
            let finished = d.current.take();
            d.error |= status & reg::ERROR != 0;
            if let Some(t) = finished
                && status & reg::ERROR == 0
            {
                self.base_read_done(m, vm, unit, t);
            }
            if self.vms[vm].disk.queue.is_empty() {
                self.vms[vm].disk.done = true;
                self.disk_request_done(vm);
            }
            // The unit is free: the next VM in turn (this one again if it is alone) starts.
            self.start_unit(m, unit, k);
        }
    }

    /// Wakes what waits for VM `vm`'s request, now done.
    fn disk_request_done(&mut self, vm: VmId) {
        let waiter = self.vms[vm].disk.waiter.take();
        self.wake(VcpuRef { vm, vcpu: VcpuId(0) });
        if let Some(w) = waiter {
            self.wake(w);
        }
    }

    /// A read of transfer `t` from machine unit `unit` into VM `vm`'s memory is done: on a
    /// copy-on-write disk, the VM's logged sectors replace the base's, and a whole block read
    /// from the base alone goes into the disk-block cache.
    fn base_read_done(&mut self, m: &mut Machine, vm: VmId, unit: u32, t: Transfer) {
        let Some(log) = self.vms[vm].disk.cow.as_ref() else { return };
        if t.write {
            return;
        }
        if log.covers_any(t.sector, t.sectors) {
            let len = t.sectors * reg::SECTOR_BYTES;
            let mut buf = m.sys.mem.ram.slice(t.pa, len).map(<[u8]>::to_vec).unwrap_or_default();
            log.overlay(t.sector, &mut buf);
            m.sys.mem.dma_write(t.pa, &buf);
        } else if t.sectors * reg::SECTOR_BYTES == 4096 && t.pa & 0xFFF == 0 {
            self.cache_insert(unit, t.sector, Mppn::of_pa(t.pa));
        }
    }
}
