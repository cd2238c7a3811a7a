//! Monitor calls (paper §4.1; numbers and errors in `abi::mcall`, prose in
//! docs/monitor-abi.md): what the guest kernel asks of the monitor with one `syscall` instead of
//! many trapping instructions — the console, power, other virtual CPUs, zeroed pages, TLB
//! maintenance, the virtual disk (`vdisk.rs`) and the virtual subnet (`vnet.rs`). Every argument is checked; a bad call gets
//! an error code and changes nothing.

use abi::mcall::{CONSOLE_MAX, Error, MonitorCall, info};
use machine::Machine;

use crate::cost::Kind;
use crate::events::CollapseCause;
use crate::ids::{Gppn, VcpuId, VcpuRef};
use crate::monitor::Monitor;
use crate::vcpu::VcpuState;

/// What a monitor call answers: a result for `$v0`, or an error for `$v1`.
pub(crate) type CallResult = Result<u32, Error>;

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
        let result = match MonitorCall::try_from(n) {
            Err(_) => Err(Error::NoCall),
            Ok(MonitorCall::ConsoleWrite) => self.console_write(m, p, r, a[0], a[1]),
            Ok(MonitorCall::ConsoleRead) => self.console_read(m, r, a[0], a[1]),
            Ok(MonitorCall::PowerOff) => {
                self.power_off(m, r.vm, a[0]);
                return;
            }
            Ok(MonitorCall::Info) => self.info(r, a[0]),
            Ok(MonitorCall::StartVcpu) => self.mc_start_vcpu(m, r, a[0], a[1], a[2]),
            Ok(MonitorCall::SendIpi) => self.send_ipi(r, a[0]),
            Ok(MonitorCall::AckIpi) => {
                self.vcpu_mut(r).ipi = false;
                Ok(0)
            }
            Ok(MonitorCall::DiskStart) => self.disk_start(m, p, r, a[0], a[1], a[2], a[3]),
            Ok(MonitorCall::DiskStatus) => self.disk_status(r, a[0]),
            Ok(MonitorCall::DiskAck) => self.disk_ack(r, a[0]),
            Ok(MonitorCall::ZeroPage) => self.zero_page(m, p, r, a[0]),
            Ok(MonitorCall::FreePage) => {
                let ok = a[0] < self.vms[r.vm].memory_bytes();
                if ok { Ok(0) } else { Err(Error::BadAddress) }
            }
            Ok(MonitorCall::TlbFlush) => {
                self.flush_vcpu_tlbs(m, p, r);
                Ok(0)
            }
            Ok(MonitorCall::TlbInvalidate) => {
                self.invalidate_page(m, p, r, a[0], a[1] as u8);
                Ok(0)
            }
            Ok(MonitorCall::DiskWait) => self.disk_wait(r, a[0], &mut block),
            Ok(MonitorCall::NetSend) => self.net_send(m, p, r, a[0], a[1], a[2], a[3]),
            Ok(MonitorCall::NetRecv) => self.net_recv(m, p, r, a[0], a[1], a[2], a[3]),
            Ok(MonitorCall::NetStatus) => self.net_status(r),
            Ok(MonitorCall::NetAck) => self.net_ack(r),
            Ok(MonitorCall::NetWait) => self.net_wait(r, &mut block),
        };
        let cpu = &mut m.cpus[p];
        match result {
            Ok(v) => {
                cpu.set_gpr(2, v);
                cpu.set_gpr(3, 0);
            }
            Err(e) => {
                cpu.set_gpr(2, 0);
                cpu.set_gpr(3, e as u32);
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
    ) -> CallResult {
        if len > CONSOLE_MAX {
            return Err(Error::BadArg);
        }
        let bytes = self.read_guest(m, r.vm, gpa, len).ok_or(Error::BadAddress)?;
        self.vms[r.vm].console.extend_from_slice(&bytes);
        let cost = self.cfg.cost.device;
        self.charge(m, p, r, Kind::Devices, cost);
        Ok(len)
    }

    fn console_read(&mut self, m: &mut Machine, r: VcpuRef, gpa: u32, len: u32) -> CallResult {
        let vm = &mut self.vms[r.vm];
        // The whole buffer must be the guest's, whether or not input is waiting.
        let len = len.min(CONSOLE_MAX);
        if gpa.checked_add(len).is_none_or(|end| end > vm.memory_bytes()) {
            return Err(Error::BadAddress);
        }
        let n = (len as usize).min(vm.input.len());
        let bytes: Vec<u8> = vm.input.drain(..n).collect();
        if !self.write_guest(m, r.vm, gpa, &bytes) {
            return Err(Error::BadAddress);
        }
        Ok(n as u32)
    }

    fn info(&self, r: VcpuRef, which: u32) -> CallResult {
        let vm = &self.vms[r.vm];
        match which {
            info::VCPUS => Ok(vm.vcpus.len() as u32),
            info::MEMORY_BYTES => Ok(vm.memory_bytes()),
            info::CLOCK_MHZ => Ok(self.clock_mhz()),
            info::DISKS => Ok(u32::from(vm.disk.unit.is_some())),
            info::THIS_VCPU => Ok(u32::from(r.vcpu.0)),
            info::VM_ID => Ok(r.vm.index() as u32),
            info::VMS => Ok(self.vms.len() as u32),
            _ => Err(Error::BadArg),
        }
    }

    fn mc_start_vcpu(
        &mut self,
        m: &mut Machine,
        r: VcpuRef,
        which: u32,
        pc: u32,
        sp: u32,
    ) -> CallResult {
        let w = which as usize;
        let vm = &self.vms[r.vm];
        if w >= vm.vcpus.len() || vm.vcpus[w].state != VcpuState::Offline {
            return Err(Error::BadArg);
        }
        self.start_vcpu(m, VcpuRef { vm: r.vm, vcpu: VcpuId::of_index(w) }, pc, sp);
        Ok(0)
    }

    fn send_ipi(&mut self, r: VcpuRef, which: u32) -> CallResult {
        let w = which as usize;
        if w >= self.vms[r.vm].vcpus.len() {
            return Err(Error::BadArg);
        }
        let t = VcpuRef { vm: r.vm, vcpu: VcpuId::of_index(w) };
        self.vcpu_mut(t).ipi = true;
        self.wake(t);
        Ok(0)
    }

    fn zero_page(&mut self, m: &mut Machine, p: usize, r: VcpuRef, gpa: u32) -> CallResult {
        if gpa & 0xFFF != 0 || gpa >= self.vms[r.vm].memory_bytes() {
            return Err(Error::BadAddress);
        }
        let node = self.node_of_cpu(p);
        let cause = CollapseCause::MonitorWrite;
        let gppn = Gppn::of_gpa(gpa);
        let fresh = self.unallocated(r.vm, gppn);
        let mppn = self.guest_page_for_write(m, Some(p), r.vm, gppn, node, cause);
        let mppn = mppn.ok_or(Error::BadAddress)?;
        self.vms[r.vm].stats.zeroed += 1;
        // A page allocated now is zeroed once, as every new page is, with its allocation.
        let alloc = if fresh { self.cfg.cost.page_alloc } else { 0 };
        self.zero_with_cpu(m, p, r, mppn, alloc);
        Ok(0)
    }
}
