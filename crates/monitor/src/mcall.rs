//! Monitor calls (docs/monitor-abi.md): what the guest kernel asks of the monitor with one
//! `syscall` instead of many trapping instructions — devices, zeroed pages, TLB maintenance,
//! other virtual CPUs. Every argument is checked; a bad call gets an error code and changes
//! nothing.

use machine::Machine;
use machine::address_map::DISK0;
use mips::tlb::TlbEntry;

use crate::cost::Kind;
use crate::monitor::{Monitor, VcpuRef};
use crate::vcpu::VcpuState;
use crate::vdisk::Transfer;

/// Error codes returned in `$v1`.
pub mod err {
    /// No such call.
    pub const NO_CALL: u32 = 1;
    /// A bad argument.
    pub const BAD_ARG: u32 = 2;
    /// An address outside the VM's memory.
    pub const BAD_ADDRESS: u32 = 3;
    /// The device is busy.
    pub const BUSY: u32 = 4;
}

/// Largest console write in one call.
const CONSOLE_MAX: u32 = 64 * 1024;

impl Monitor {
    /// Executes the monitor call in `$v0` of the guest kernel on `p`.
    pub(crate) fn monitor_call(&mut self, m: &mut Machine, p: usize, r: VcpuRef) {
        let cpu = &m.cpus[p];
        let n = cpu.gpr(2) & 0xFFFF;
        let a = [cpu.gpr(4), cpu.gpr(5), cpu.gpr(6), cpu.gpr(7)];
        self.vms[r.vm].stats.monitor_calls += 1;
        let cost = self.cfg.cost.monitor_call;
        self.charge(m, p, r, Kind::Devices, cost);
        // Set by a call that must wait: the virtual CPU leaves the physical CPU once its
        // result registers are written.
        let mut block = false;
        let result = match n {
            1 => self.console_write(m, p, r, a[0], a[1]),
            2 => self.console_read(m, r, a[0], a[1]),
            3 => {
                self.power_off(m, r.vm, a[0]);
                return;
            }
            4 => self.info(r, a[0]),
            5 => self.mc_start_vcpu(m, r, a[0], a[1], a[2]),
            6 => self.send_ipi(r, a[0]),
            7 => {
                self.vcpu_mut(r).ipi = false;
                Ok(0)
            }
            8 => self.disk_start(m, p, r, a[0], a[1], a[2], a[3]),
            9 => self.disk_unit(r, a[0]).map(|_| self.vms[r.vm].disk.status()),
            10 => self.disk_unit(r, a[0]).map(|_| {
                let d = &mut self.vms[r.vm].disk;
                d.done = false;
                d.error = false;
                0
            }),
            11 => self.zero_page(m, p, r, a[0]),
            12 => {
                let ok = a[0] < self.vms[r.vm].memory_bytes();
                if ok { Ok(0) } else { Err(err::BAD_ADDRESS) }
            }
            13 => {
                self.flush_vcpu_tlbs(m, p, r);
                Ok(0)
            }
            14 => {
                self.invalidate_page(m, p, r, a[0], a[1] as u8);
                Ok(0)
            }
            15 => self.disk_unit(r, a[0]).map(|_| {
                let d = &mut self.vms[r.vm].disk;
                let status = d.status();
                block = status & 2 == 0 && status & 1 != 0;
                if block {
                    d.waiter = Some(r);
                }
                status
            }),
            _ => Err(err::NO_CALL),
        };
        let cpu = &mut m.cpus[p];
        match result {
            Ok(v) => {
                cpu.set_gpr(2, v);
                cpu.set_gpr(3, 0);
            }
            Err(e) => {
                cpu.set_gpr(2, 0);
                cpu.set_gpr(3, e);
                self.vms[r.vm].stats.bad_calls += 1;
            }
        }
        if block {
            self.switch_out(m, p, VcpuState::Waiting);
            self.run_next(m, p);
        }
    }

    fn console_write(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        gpa: u32,
        len: u32,
    ) -> Result<u32, u32> {
        if len > CONSOLE_MAX {
            return Err(err::BAD_ARG);
        }
        let bytes = self.read_guest(m, r.vm, gpa, len).ok_or(err::BAD_ADDRESS)?;
        self.vms[r.vm].console.extend_from_slice(&bytes);
        let cost = self.cfg.cost.device;
        self.charge(m, p, r, Kind::Devices, cost);
        Ok(len)
    }

    fn console_read(
        &mut self,
        m: &mut Machine,
        r: VcpuRef,
        gpa: u32,
        len: u32,
    ) -> Result<u32, u32> {
        let vm = &mut self.vms[r.vm];
        // The whole buffer must be the guest's, whether or not input is waiting.
        let len = len.min(CONSOLE_MAX);
        if gpa.checked_add(len).is_none_or(|end| end > vm.memory_bytes()) {
            return Err(err::BAD_ADDRESS);
        }
        let n = (len as usize).min(vm.input.len());
        let bytes: Vec<u8> = vm.input.drain(..n).collect();
        if !self.write_guest(m, r.vm, gpa, &bytes) {
            return Err(err::BAD_ADDRESS);
        }
        Ok(n as u32)
    }

    fn info(&self, r: VcpuRef, which: u32) -> Result<u32, u32> {
        let vm = &self.vms[r.vm];
        match which {
            0 => Ok(vm.vcpus.len() as u32),
            1 => Ok(vm.memory_bytes()),
            2 => Ok(self.clock_mhz()),
            3 => Ok(u32::from(vm.disk.unit.is_some())),
            4 => Ok(r.vcpu as u32),
            _ => Err(err::BAD_ARG),
        }
    }

    fn mc_start_vcpu(
        &mut self,
        m: &mut Machine,
        r: VcpuRef,
        which: u32,
        pc: u32,
        sp: u32,
    ) -> Result<u32, u32> {
        let w = which as usize;
        let vm = &self.vms[r.vm];
        if w >= vm.vcpus.len() || vm.vcpus[w].state != VcpuState::Offline {
            return Err(err::BAD_ARG);
        }
        self.start_vcpu(m, VcpuRef { vm: r.vm, vcpu: w }, pc, sp);
        Ok(0)
    }

    fn send_ipi(&mut self, r: VcpuRef, which: u32) -> Result<u32, u32> {
        let w = which as usize;
        if w >= self.vms[r.vm].vcpus.len() {
            return Err(err::BAD_ARG);
        }
        let t = VcpuRef { vm: r.vm, vcpu: w };
        self.vcpu_mut(t).ipi = true;
        self.wake(t);
        Ok(0)
    }

    fn disk_unit(&self, r: VcpuRef, unit: u32) -> Result<u32, u32> {
        match (unit, self.vms[r.vm].disk.unit) {
            (0, Some(u)) => Ok(u),
            _ => Err(err::BAD_ARG),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn disk_start(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        unit: u32,
        sector: u32,
        gpa: u32,
        count: u32,
    ) -> Result<u32, u32> {
        let machine_unit = self.disk_unit(r, unit)?;
        let write = count & (1 << 31) != 0;
        let sectors = count & !(1 << 31);
        if sectors == 0 || sectors > 1024 || gpa & 511 != 0 {
            return Err(err::BAD_ARG);
        }
        if self.vms[r.vm].disk.status() & 1 != 0 {
            return Err(err::BUSY);
        }
        let bytes = sectors * 512;
        if gpa.checked_add(bytes).is_none_or(|end| end > self.vms[r.vm].memory_bytes()) {
            return Err(err::BAD_ADDRESS);
        }
        // One machine transfer per guest page: guest pages are scattered in machine memory.
        let node = self.node_of(p);
        let mut transfers = Vec::new();
        let mut done = 0;
        while done < bytes {
            let a = gpa + done;
            let n = (4096 - (a & 0xFFF)).min(bytes - done);
            let mppn = self.guest_page(m, r.vm, a >> 12, node).ok_or(err::BAD_ADDRESS)?;
            transfers.push(Transfer {
                sector: sector + done / 512,
                pa: (mppn << 12) | (a & 0xFFF),
                sectors: n / 512,
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
    pub(crate) fn disk_next(&mut self, m: &mut Machine, vm: usize, unit: u32) {
        let d = &mut self.vms[vm].disk;
        if d.in_flight {
            return;
        }
        let Some(t) = d.queue.pop_front() else { return };
        d.in_flight = true;
        let base = DISK0 + unit * 0x1000;
        // The monitor drives the machine's disk controller as CPU 0 would.
        m.device_write(0, base, t.sector);
        m.device_write(0, base + 0x04, t.pa);
        m.device_write(0, base + 0x08, t.sectors);
        m.device_write(0, base + 0x0C, if t.write { 2 } else { 1 });
    }

    /// Looks at the machine disks between quanta: finishes transfers, completes requests.
    pub(crate) fn poll_disks(&mut self, m: &mut Machine) {
        for vm in 0..self.vms.len() {
            let Some(unit) = self.vms[vm].disk.unit else { continue };
            if !self.vms[vm].disk.in_flight {
                continue;
            }
            let base = DISK0 + unit * 0x1000;
            let status = m.device_read(0, base + 0x10).unwrap_or(0);
            if status & 2 == 0 {
                continue;
            }
            m.device_write(0, base + 0x14, 0);
            let d = &mut self.vms[vm].disk;
            d.in_flight = false;
            d.error |= status & 4 != 0;
            if d.queue.is_empty() {
                d.done = true;
                let waiter = d.waiter.take();
                self.wake(VcpuRef { vm, vcpu: 0 });
                if let Some(w) = waiter {
                    self.wake(w);
                }
            } else {
                self.disk_next(m, vm, unit);
            }
        }
    }

    fn zero_page(&mut self, m: &mut Machine, p: usize, r: VcpuRef, gpa: u32) -> Result<u32, u32> {
        if gpa & 0xFFF != 0 || gpa >= self.vms[r.vm].memory_bytes() {
            return Err(err::BAD_ADDRESS);
        }
        let mppn = self.guest_page(m, r.vm, gpa >> 12, self.node_of(p)).ok_or(err::BAD_ADDRESS)?;
        m.sys.mem.dma_write(mppn << 12, &[0; 4096]);
        self.vms[r.vm].stats.zeroed += 1;
        let cost = self.cfg.cost.zero_page;
        self.charge(m, p, r, Kind::Memory, cost);
        Ok(0)
    }

    /// Drops every non-wired entry of the virtual CPU's TLB and everything the monitor cached
    /// for it.
    pub(crate) fn flush_vcpu_tlbs(&mut self, m: &mut Machine, p: usize, r: VcpuRef) {
        let v = self.vcpu_mut(r);
        let wired = v.wired as usize;
        for i in wired..v.vtlb.len() {
            v.vtlb.set(i, TlbEntry::unused(i));
        }
        v.l2tlb.flush();
        if self.pcpus[p].running == Some(r) {
            flush_hw_tlb(m, p);
        }
    }

    /// Drops the translation of `va` for `asid` from the virtual CPU's TLBs.
    fn invalidate_page(&mut self, m: &mut Machine, p: usize, r: VcpuRef, va: u32, asid: u8) {
        let v = self.vcpu_mut(r);
        if let Some(ix) = v.vtlb.probe((va & !0x1FFF) | u32::from(asid)) {
            let old = v.vtlb.get(ix);
            v.vtlb.set(ix, TlbEntry::unused(ix));
            self.drop_translations(m, p, r, &old);
        }
        self.vcpu_mut(r).l2tlb.invalidate(va, asid);
        if self.pcpus[p].running == Some(r) {
            let cpu = &mut m.cpus[p];
            if let Some(ix) = cpu.mmu.tlb.probe((va & !0x1FFF) | u32::from(asid)) {
                cpu.write_tlb_entry(ix, TlbEntry::unused(ix));
            }
        }
    }
}

/// Invalidates every entry of physical CPU `p`'s TLB.
pub(crate) fn flush_hw_tlb(m: &mut Machine, p: usize) {
    let cpu = &mut m.cpus[p];
    for i in 0..cpu.mmu.tlb.len() {
        cpu.write_tlb_entry(i, TlbEntry::unused(i));
    }
    cpu.flush_translations();
}
