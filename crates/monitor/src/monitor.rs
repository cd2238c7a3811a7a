//! The monitor: the virtual machines, the physical CPUs' assignments, machine memory, and the
//! `machine::Owner` implementation through which the machine hands it every trap of a guest
//! and every quantum boundary.
//!
//! Every physical CPU runs with all exceptions reported (never vectored): a guest's trap
//! arrives in [`Monitor::trap`](crate::trap), which emulates, serves a TLB miss, answers a
//! monitor call, or delivers the exception to the guest's own vector, and charges its cost to
//! the physical CPU. Between quanta, [`Monitor::quantum`](crate::sched) advances the virtual
//! timers, completes virtual disk requests and schedules virtual CPUs.

use std::collections::VecDeque;

use machine::{Machine, MachineEvent, Owner};
use mips::Exception;
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader};

use crate::config::{MonitorConfig, MonitorError, VmSpec};
use crate::cost::{KINDS, Kind};
use crate::memmap::{Memmap, PageOwner};
use crate::pmap::Pmap;
use crate::special_page::{SpecialPage, off};
use crate::stats::SchedEvent;
use crate::vcpu::{Vcpu, VcpuState};
use crate::vdisk::VDisk;
use crate::vm::Vm;

/// Base of the guest kernel segment (guest-physical p is at `KSEG + p`).
pub const KSEG: u32 = 0xC000_0000;

/// A virtual CPU: VM index and VCPU index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct VcpuRef {
    /// The VM.
    pub vm: usize,
    /// Its virtual CPU.
    pub vcpu: usize,
}

/// A physical CPU as the monitor sees it.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Pcpu {
    /// The virtual CPU on it.
    pub running: Option<VcpuRef>,
    /// Ready virtual CPUs whose home it is.
    pub queue: VecDeque<VcpuRef>,
    /// Monitor cycles charged here, by kind.
    pub monitor_cycles: [u64; KINDS],
    /// The CPU's per-mode cycles and instructions when last accounted.
    seen: [u64; 4],
}

/// The Disco monitor.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Monitor {
    pub(crate) cfg: MonitorConfig,
    /// The virtual machines.
    pub vms: Vec<Vm>,
    /// The physical CPUs.
    pub pcpus: Vec<Pcpu>,
    /// Who owns each machine page.
    pub memmap: Memmap,
    /// Scheduling decisions, oldest first.
    pub timeline: Vec<SchedEvent>,
    /// Machine events the monitor saw (hot pages ...), oldest first, at most 100 000.
    pub events: Vec<MachineEvent>,
    /// The first broken invariant found (see `invariants`), if checking is on.
    pub violation: Option<String>,
    cpus_per_node: usize,
    clock_mhz: u32,
}

impl Monitor {
    /// Sets up the VMs on machine `m` (whose disks are the VMs' disks) and boots each VM's
    /// virtual CPU 0 at its kernel's entry point. `kernels[k]` is VM k's kernel (an ELF linked
    /// in the supervisor segment).
    pub fn new(
        cfg: MonitorConfig,
        specs: Vec<VmSpec>,
        kernels: &[Vec<u8>],
        m: &mut Machine,
    ) -> Result<Monitor, MonitorError> {
        let mc = m.config().clone();
        let disks = m.sys.devices.disks.len() as u32;
        for (k, s) in specs.iter().enumerate() {
            s.validate(k, disks)?;
        }
        let need: u32 = specs.iter().map(|s| s.memory_mb).sum();
        let have = mc.memory_bytes() >> 20;
        if need > have {
            return Err(MonitorError::NoMemory { need, have });
        }
        let cpus = mc.cpus();
        let nodes = mc.nodes as usize;
        let mut mon = Monitor {
            cfg,
            vms: Vec::new(),
            pcpus: vec![Pcpu::default(); cpus],
            memmap: Memmap::new(mc.memory_bytes() / 4096, mc.nodes),
            timeline: Vec::new(),
            events: Vec::new(),
            violation: None,
            cpus_per_node: mc.cpus_per_node as usize,
            clock_mhz: mc.clock_mhz,
        };
        for (k, spec) in specs.into_iter().enumerate() {
            let home_node = k % nodes;
            let mut vcpus = Vec::new();
            for j in 0..spec.vcpus as usize {
                let home = (home_node * mon.cpus_per_node + j) % cpus;
                let node = home / mon.cpus_per_node;
                let page = mon
                    .memmap
                    .alloc(node, PageOwner::Monitor)
                    .ok_or(MonitorError::NoMemory { need, have })?;
                let special = SpecialPage(page << 12);
                m.sys.mem.dma_write(special.0, &[0; 4096]);
                vcpus.push(Vcpu::new(
                    j as u32,
                    special,
                    mc.tlb_entries as usize,
                    mon.cfg.l2tlb_entries,
                    home,
                ));
            }
            let pages = spec.memory_mb << 8;
            let disk = VDisk { unit: spec.disk_unit, ..VDisk::default() };
            mon.vms.push(Vm {
                spec,
                pmap: Pmap::new(pages),
                vcpus,
                console: Vec::new(),
                input: VecDeque::new(),
                disk,
                halted: None,
                stats: Default::default(),
                home_node,
                traps: VecDeque::new(),
            });
            let kernel = kernels
                .get(k)
                .ok_or(MonitorError::BadKernel { vm: k, message: "no kernel image".into() })?;
            let entry = mon.load_kernel(m, k, kernel)?;
            let top = KSEG + mon.vms[k].memory_bytes() - 16;
            mon.start_vcpu(m, VcpuRef { vm: k, vcpu: 0 }, entry, top);
        }
        for p in 0..cpus {
            m.cpus[p].set_report_mask(mips::REPORT_ALL);
            m.activate_cpu(p);
            m.set_parked(p, true);
        }
        Ok(mon)
    }

    /// Copies a kernel image's segments into VM `k`'s guest-physical memory; its entry point.
    fn load_kernel(
        &mut self,
        m: &mut Machine,
        k: usize,
        image: &[u8],
    ) -> Result<u32, MonitorError> {
        let bad = |message: String| MonitorError::BadKernel { vm: k, message };
        let h = elf::FileHeader32::<object::LittleEndian>::parse(image)
            .map_err(|e| bad(e.to_string()))?;
        let e = h.endian().map_err(|e| bad(e.to_string()))?;
        if h.e_machine(e) != elf::EM_MIPS {
            return Err(bad("not a MIPS executable".into()));
        }
        let limit = self.vms[k].memory_bytes();
        for ph in h.program_headers(e, image).map_err(|e| bad(e.to_string()))? {
            if ph.p_type(e) != elf::PT_LOAD || ph.p_memsz(e) == 0 {
                continue;
            }
            let va = ph.p_vaddr(e);
            let gpa = va.wrapping_sub(KSEG);
            let memsz = ph.p_memsz(e);
            if !(KSEG..0xE000_0000).contains(&va)
                || gpa.checked_add(memsz).is_none_or(|end| end > limit)
            {
                return Err(bad(format!(
                    "segment at {va:#010x} is not inside the VM's kernel segment"
                )));
            }
            let data = ph.data(e, image).map_err(|_| bad("segment outside the file".into()))?;
            let node = self.vms[k].home_node;
            for off in (0..memsz).step_by(4096) {
                let page_gpa = (gpa + off) & !0xFFF;
                self.guest_page(m, k, page_gpa >> 12, node);
            }
            let mut zeros_and_data = vec![0u8; memsz as usize];
            zeros_and_data[..data.len()].copy_from_slice(data);
            self.write_guest(m, k, gpa, &zeros_and_data);
        }
        Ok(h.e_entry(e))
    }

    /// Starts virtual CPU `r` at `pc` with `$sp` and `$a0` = its index, in the guest's kernel
    /// mode.
    pub(crate) fn start_vcpu(&mut self, m: &mut Machine, r: VcpuRef, pc: u32, sp_reg: u32) {
        let now = m.now();
        let count = (now >> 1) as u32;
        let v = &mut self.vms[r.vm].vcpus[r.vcpu];
        v.ctx = mips::Context { pc, npc: pc.wrapping_add(4), ..Default::default() };
        v.ctx.regs[29] = sp_reg;
        v.ctx.regs[4] = r.vcpu as u32;
        v.user = false;
        v.count_seen = count;
        v.compare_seen = 0;
        v.state = VcpuState::Ready;
        let sp = v.special;
        let home = v.home;
        for (o, val) in [
            (off::STATUS, 0),
            (off::CAUSE, 0),
            (off::CPU, r.vcpu as u32),
            (off::EBASE, 0x8000_0000),
            (off::COUNT, count),
            (off::COMPARE, 0),
        ] {
            sp.set(m, o, val);
        }
        self.pcpus[home].queue.push_back(r);
    }

    /// The machine page of VM `k`'s guest-physical page `gppn`, allocated on `node` on first
    /// touch. `None` beyond the VM's memory.
    pub(crate) fn guest_page(
        &mut self,
        m: &mut Machine,
        k: usize,
        gppn: u32,
        node: usize,
    ) -> Option<u32> {
        let vm = &self.vms[k];
        if gppn >= vm.pmap.pages() {
            return None;
        }
        if let Some(mppn) = vm.pmap.get(gppn) {
            return Some(mppn);
        }
        let mppn = self.memmap.alloc(node, PageOwner::Vm { vm: k as u16, gppn })?;
        // Memory handed to a VM starts zeroed, whoever had the page before.
        m.sys.mem.dma_write(mppn << 12, &[0; 4096]);
        let vm = &mut self.vms[k];
        vm.pmap.set(gppn, mppn);
        vm.stats.pages += 1;
        Some(mppn)
    }

    /// Copies bytes into VM `k`'s guest-physical memory at `gpa` (pages allocated as needed).
    pub(crate) fn write_guest(&mut self, m: &mut Machine, k: usize, gpa: u32, data: &[u8]) -> bool {
        let node = self.vms[k].home_node;
        let mut done = 0;
        while done < data.len() {
            let a = gpa + done as u32;
            let Some(mppn) = self.guest_page(m, k, a >> 12, node) else { return false };
            let n = (4096 - (a & 0xFFF) as usize).min(data.len() - done);
            m.sys.mem.dma_write((mppn << 12) | (a & 0xFFF), &data[done..done + n]);
            done += n;
        }
        true
    }

    /// Reads `len` bytes of VM `k`'s guest-physical memory at `gpa` (unallocated pages read as
    /// zeros); `None` if the range leaves the VM's memory.
    pub fn read_guest(&self, m: &Machine, k: usize, gpa: u32, len: u32) -> Option<Vec<u8>> {
        let vm = &self.vms[k];
        gpa.checked_add(len).filter(|&end| end <= vm.memory_bytes())?;
        let mut out = Vec::with_capacity(len as usize);
        let mut done = 0;
        while done < len {
            let a = gpa + done;
            let n = (4096 - (a & 0xFFF)).min(len - done);
            match vm.pmap.get(a >> 12) {
                Some(mppn) => {
                    out.extend_from_slice(m.sys.mem.ram.slice((mppn << 12) | (a & 0xFFF), n)?)
                }
                None => out.resize(out.len() + n as usize, 0),
            }
            done += n;
        }
        Some(out)
    }

    /// Charges `cycles` of monitor work of `kind` on physical CPU `p` for virtual CPU `r`.
    pub(crate) fn charge(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        kind: Kind,
        cycles: u64,
    ) {
        m.cpus[p].charge(cycles);
        self.pcpus[p].monitor_cycles[kind as usize] += cycles;
        self.vms[r.vm].stats.monitor_cycles[kind as usize] += cycles;
    }

    /// Adds the guest time physical CPU `p` ran since it was last accounted to the VM running
    /// there.
    pub(crate) fn account(&mut self, m: &Machine, p: usize) {
        let s = m.cpus[p].stats();
        let now = [s.cycles_by_mode[1], s.cycles_by_mode[2], s.instructions, 0];
        let seen = std::mem::replace(&mut self.pcpus[p].seen, now);
        if let Some(r) = self.pcpus[p].running {
            let st = &mut self.vms[r.vm].stats;
            st.kernel_cycles += now[0] - seen[0];
            st.user_cycles += now[1] - seen[1];
            st.instructions += now[2] - seen[2];
        }
    }

    /// A virtual CPU.
    pub(crate) fn vcpu(&self, r: VcpuRef) -> &Vcpu {
        &self.vms[r.vm].vcpus[r.vcpu]
    }

    /// A virtual CPU, mutably.
    pub(crate) fn vcpu_mut(&mut self, r: VcpuRef) -> &mut Vcpu {
        &mut self.vms[r.vm].vcpus[r.vcpu]
    }

    /// A VM, mutably.
    pub(crate) fn vm_mut(&mut self, k: usize) -> &mut Vm {
        &mut self.vms[k]
    }

    /// The node of physical CPU `p`.
    pub(crate) fn node_of(&self, p: usize) -> usize {
        p / self.cpus_per_node.max(1)
    }

    /// Clock in MHz.
    pub fn clock_mhz(&self) -> u32 {
        self.clock_mhz
    }

    /// The configuration.
    pub fn config(&self) -> &MonitorConfig {
        &self.cfg
    }

    /// Types `bytes` on VM `k`'s console.
    pub fn console_input(&mut self, k: usize, bytes: &[u8]) {
        if let Some(vm) = self.vms.get_mut(k) {
            vm.input.extend(bytes);
        }
    }

    /// True once every VM has powered off.
    pub fn all_halted(&self) -> bool {
        self.vms.iter().all(|v| v.halted.is_some())
    }
}

impl Owner for Monitor {
    fn exception(&mut self, m: &mut Machine, cpu: usize, e: Exception) {
        self.trap(m, cpu, e);
        self.maybe_check(m, "a trap");
    }

    fn event(&mut self, _m: &mut Machine, e: MachineEvent) {
        if self.events.len() < 100_000 {
            self.events.push(e);
        }
    }

    fn quantum(&mut self, m: &mut Machine) {
        self.tick(m);
        self.maybe_check(m, "a quantum");
    }
}
