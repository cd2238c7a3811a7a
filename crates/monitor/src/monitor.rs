//! The monitor: the virtual machines, the physical CPUs' assignments, machine memory, and the
//! `machine::Owner` implementation through which the machine hands it every trap of a guest,
//! every hot-page interrupt and every quantum boundary.
//!
//! Every physical CPU runs with all exceptions reported (never vectored): a guest's trap
//! arrives in `trap.rs`, which emulates (`emulate.rs`), serves a TLB miss (`tlb_miss.rs`),
//! answers a monitor call (`mcall.rs`), or delivers the exception to the guest's own vector
//! (`deliver.rs`), and charges its cost to the physical CPU. Between quanta, `sched.rs`
//! advances the virtual timers, completes virtual disk requests (`vdisk.rs`) and schedules
//! virtual CPUs.

use std::collections::VecDeque;

use machine::{Machine, MachineEvent, Owner};
use mips::Exception;

use crate::config::{MonitorConfig, MonitorError, VmSpec};
use crate::cost::{KINDS, Kind};
use crate::events::{EventLog, MonitorEvent};
use crate::ids::{Mppn, NodeId, PcpuId, VcpuId, VcpuRef, VmId};
use crate::memmap::{Memmap, PageOwner};
use crate::pmap::Pmap;
use crate::special_page::{SpecialPage, off};
use crate::stats::SchedEvent;
use crate::vcpu::{Vcpu, VcpuState};
use crate::vdisk::VDisk;
use crate::vm::Vm;

/// Base of the guest kernel segment (guest-physical p is at `KSEG + p`).
pub const KSEG: u32 = abi::segments::SSEG;

/// A physical CPU as the monitor sees it.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Pcpu {
    /// The virtual CPU on it.
    pub(crate) running: Option<VcpuRef>,
    /// Ready virtual CPUs whose home it is.
    pub(crate) queue: VecDeque<VcpuRef>,
    /// Monitor cycles charged here, by kind.
    pub(crate) monitor_cycles: [u64; KINDS],
    /// The CPU's per-mode cycles and instructions when last accounted.
    seen: [u64; 4],
    /// The trap being handled is a TLB fault the guest kernel took: its TLB-miss charges go to
    /// the special page's `MON_TLB` total, not `MON_OTHER` (Table 2's breakdown).
    #[serde(default)]
    pub(crate) kernel_tlb_trap: bool,
    /// The trap being handled is an ERET the monitor emulates back to guest user mode: its
    /// cycles are added to the special page's `MON_RETURN` too (the end of a service).
    #[serde(default)]
    pub(crate) return_to_user: bool,
    /// The TLB fault being handled was a user address's refill forwarded to the guest's refill
    /// vector (its UTLB_MISS is timed to the guest's ERET, `Vcpu::utlb`).
    #[serde(default)]
    pub(crate) utlb_forwarded: bool,
    /// The trap being handled emulates the ERET that ends such a refill.
    #[serde(default)]
    pub(crate) utlb_eret: bool,
}

impl Pcpu {
    /// Monitor cycles charged here, all kinds.
    pub(crate) fn monitor_total(&self) -> u64 {
        self.monitor_cycles.iter().sum()
    }
}

/// The Disco monitor.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Monitor {
    pub(crate) cfg: MonitorConfig,
    /// The virtual machines.
    pub(crate) vms: Vec<Vm>,
    /// The physical CPUs.
    pub(crate) pcpus: Vec<Pcpu>,
    /// Who owns each machine page.
    pub(crate) memmap: Memmap,
    /// Scheduling decisions not yet taken by [`Monitor::take_timeline`], oldest first.
    pub(crate) timeline: Vec<SchedEvent>,
    /// What the monitor did and why (bounded).
    pub(crate) events: EventLog,
    /// The first broken invariant found (see `invariants`), if checking is on.
    pub(crate) violation: Option<String>,
    /// How often the NUMA policy has moved the page on each machine page (it travels with the
    /// page's contents).
    pub(crate) moves: Vec<u16>,
    /// Replica pages held on each node (`replicate.rs`).
    #[serde(default)]
    pub(crate) replicas_on: Vec<u32>,
    /// The NUMA policy's actions per node.
    #[serde(default)]
    pub(crate) node_actions: Vec<crate::stats::NodeActions>,
    /// The node the round-robin placement used last.
    #[serde(default)]
    pub(crate) next_node: usize,
    /// Blocks of the copy-on-write disks already in memory (`disk_cache.rs`).
    #[serde(default)]
    pub(crate) disk_cache: crate::disk_cache::DiskCache,
    /// Machine pages shared as guest kernel text (loaded alike in several VMs, `load_kernel`);
    /// a page leaves the set when it stops being shared.
    #[serde(default)]
    pub(crate) kernel_text: std::collections::BTreeSet<Mppn>,
    /// Machine pages shared because the virtual subnet remapped them (`vnet.rs`) and neither
    /// a disk-cache block nor kernel text; a page leaves the set when it stops being shared.
    #[serde(default)]
    pub(crate) net_pages: std::collections::BTreeSet<Mppn>,
    pub(crate) cpus_per_node: usize,
    clock_mhz: u32,
    /// The monitor's image on each node, whose lines its paths touch (`footprint.rs`).
    #[serde(default)]
    pub(crate) image: crate::footprint::Image,
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
            memmap: Memmap::new(mc.pages(), mc.nodes),
            timeline: Vec::new(),
            events: EventLog::default(),
            violation: None,
            moves: vec![0; mc.pages() as usize],
            replicas_on: vec![0; nodes],
            node_actions: vec![Default::default(); nodes],
            next_node: 0,
            disk_cache: Default::default(),
            kernel_text: Default::default(),
            net_pages: Default::default(),
            cpus_per_node: mc.cpus_per_node as usize,
            clock_mhz: mc.clock_mhz,
            image: Default::default(),
        };
        // The monitor's code and data, a copy on every node (`footprint.rs`).
        let mut image = Vec::new();
        for n in 0..nodes {
            let mut pages = Vec::new();
            for _ in 0..crate::footprint::IMAGE_PAGES {
                let page = mon
                    .monitor_page(m, NodeId::of_index(n))
                    .ok_or(MonitorError::NoMemory { need, have })?;
                pages.push(page.pa());
            }
            image.push(pages);
        }
        mon.image = crate::footprint::Image::new(image);
        // A unit several VMs name is one base image they share copy-on-write (`cow_disk.rs`).
        let units: Vec<Option<u32>> = specs.iter().map(|s| s.disk_unit).collect();
        let shared_unit =
            |u: Option<u32>| u.is_some() && units.iter().filter(|&&v| v == u).count() > 1;
        // Read-only kernel pages loaded so far, per guest page: where a later VM's identical
        // page can be shared.
        let mut text = std::collections::BTreeMap::new();
        for (k, spec) in specs.into_iter().enumerate() {
            let home_node = NodeId::of_index(k % nodes);
            let mut vcpus = Vec::new();
            for j in 0..spec.vcpus as usize {
                let home = PcpuId::of_index((home_node.index() * mon.cpus_per_node + j) % cpus);
                let page = mon
                    .monitor_page(m, mon.node_of(home))
                    .ok_or(MonitorError::NoMemory { need, have })?;
                let special = SpecialPage(page);
                vcpus.push(Vcpu::new(
                    VcpuId::of_index(j),
                    special,
                    mc.tlb_entries as usize,
                    mon.cfg.l2tlb_entries,
                    home,
                ));
            }
            let pages = spec.memory_mb << 8;
            let cow = shared_unit(spec.disk_unit).then(Default::default);
            let disk = VDisk { unit: spec.disk_unit, cow, ..VDisk::default() };
            mon.vms.push(Vm {
                spec,
                pmap: Pmap::new(pages),
                vcpus,
                console: Vec::new(),
                input: VecDeque::new(),
                disk,
                net: Default::default(),
                halted: None,
                stats: Default::default(),
                home_node,
                traps: VecDeque::new(),
            });
            let kernel = kernels
                .get(k)
                .ok_or(MonitorError::BadKernel { vm: k, message: "no kernel image".into() })?;
            let vm = VmId::of_index(k);
            let entry = mon.load_kernel(m, vm, kernel, &mut text)?;
            let top = KSEG + mon.vms[vm].memory_bytes() - 16;
            mon.start_vcpu(m, VcpuRef { vm, vcpu: VcpuId(0) }, entry, top);
        }
        for p in 0..cpus {
            m.cpus[p].set_report_mask(mips::REPORT_ALL);
            m.activate_cpu(p);
            m.set_parked(p, true);
        }
        Ok(mon)
    }

    /// Starts virtual CPU `r` at `pc` with `$sp` and `$a0` = its index, in the guest's kernel
    /// mode.
    pub(crate) fn start_vcpu(&mut self, m: &mut Machine, r: VcpuRef, pc: u32, sp_reg: u32) {
        let now = m.now();
        let count = (now >> 1) as u32;
        let v = &mut self.vms[r.vm].vcpus[r.vcpu];
        v.ctx = mips::Context { pc, npc: pc.wrapping_add(4), ..Default::default() };
        v.ctx.regs[29] = sp_reg;
        v.ctx.regs[4] = u32::from(r.vcpu.0);
        v.user = false;
        v.count_seen = count;
        v.compare_seen = 0;
        v.state = VcpuState::Ready;
        let sp = v.special;
        let home = v.home;
        for (o, val) in [
            (off::STATUS, 0),
            (off::CAUSE, 0),
            (off::CPU, u32::from(r.vcpu.0)),
            (off::EBASE, abi::segments::KSEG0),
            (off::COUNT, count),
            (off::COMPARE, 0),
        ] {
            sp.set(m, o, val);
        }
        self.pcpus[home.index()].queue.push_back(r);
    }

    /// A zeroed machine page of the monitor's own on `node` (a special page, the monitor's
    /// image), or `None` if the node has no free page.
    fn monitor_page(&mut self, m: &mut Machine, node: NodeId) -> Option<Mppn> {
        let page = self.memmap.alloc(node, PageOwner::Monitor)?;
        m.sys.mem.dma_write(page.pa(), &[0; 4096]);
        Some(page)
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
        // The guest whose clock sees these cycles keeps their running total, by the paper's
        // Table 2 split: TLB faults its kernel took, everything else.
        if let Some(run) = self.pcpus[p].running {
            let offset = if self.pcpus[p].kernel_tlb_trap { off::MON_TLB } else { off::MON_OTHER };
            let special = self.vcpu(run).special;
            special.add_stat(m, offset, cycles);
            if self.pcpus[p].return_to_user {
                special.add_stat(m, off::MON_RETURN, cycles);
            }
        }
    }

    /// The NUMA policy's counts for `node`, to update.
    pub(crate) fn node_actions(&mut self, node: NodeId) -> &mut crate::stats::NodeActions {
        if self.node_actions.len() <= node.index() {
            self.node_actions.resize(node.index() + 1, Default::default());
        }
        &mut self.node_actions[node.index()]
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

    /// The node of physical CPU `p`.
    pub(crate) fn node_of(&self, p: PcpuId) -> NodeId {
        NodeId::of_index(p.index() / self.cpus_per_node.max(1))
    }

    /// The node of physical CPU `p` (by index).
    pub(crate) fn node_of_cpu(&self, p: usize) -> NodeId {
        self.node_of(PcpuId::of_index(p))
    }

    // ---- What the front ends read -------------------------------------------------------

    /// Clock in MHz.
    pub fn clock_mhz(&self) -> u32 {
        self.clock_mhz
    }

    /// The configuration.
    pub fn config(&self) -> &MonitorConfig {
        &self.cfg
    }

    /// The virtual machines, by [`VmId`] order.
    pub fn vms(&self) -> &[Vm] {
        &self.vms
    }

    /// One virtual machine.
    pub fn vm(&self, k: VmId) -> Option<&Vm> {
        self.vms.get(k.index())
    }

    /// Who owns each machine page.
    pub fn memmap(&self) -> &Memmap {
        &self.memmap
    }

    /// The virtual CPU on physical CPU `p`, if any.
    pub fn running_on(&self, p: PcpuId) -> Option<VcpuRef> {
        self.pcpus.get(p.index()).and_then(|c| c.running)
    }

    /// Monitor cycles charged on physical CPU `p`, by kind.
    pub fn monitor_cycles_on(&self, p: PcpuId) -> [u64; KINDS] {
        self.pcpus.get(p.index()).map_or([0; KINDS], |c| c.monitor_cycles)
    }

    /// Takes the scheduling decisions made since the last call, oldest first (the timeline's
    /// input; each is handed out once).
    pub fn take_timeline(&mut self) -> Vec<SchedEvent> {
        std::mem::take(&mut self.timeline)
    }

    /// Events from sequence number `seq` on, and how many of those the bounded log has
    /// already forgotten (see [`EventLog::since`]).
    pub fn events_since(&self, seq: u64) -> (impl Iterator<Item = &MonitorEvent>, u64) {
        self.events.since(seq)
    }

    /// The sequence number the next event will get: a reader starting here sees only what
    /// happens from now on.
    pub fn next_event_seq(&self) -> u64 {
        self.events.next_seq()
    }

    /// Sets the NUMA policy from now on (the next hot-page interrupt uses it), at machine
    /// cycle `cycle`; the change is an event.
    pub fn set_numa_policy(&mut self, cycle: u64, numa: crate::numa_policy::NumaConfig) {
        self.cfg.numa = numa;
        self.events.push(cycle, crate::events::EventKind::PolicyChanged { numa });
    }

    /// The NUMA policy's work so far, all VMs together.
    pub fn numa_totals(&self) -> crate::stats::NumaTotals {
        let mut t = crate::stats::NumaTotals::default();
        for v in &self.vms {
            t.migrations += v.stats.migrations;
            t.replications += v.stats.replications;
            t.collapses += v.stats.collapses;
            t.reclaimed += v.stats.reclaimed;
        }
        t.replica_pages =
            (0..self.memmap.nodes()).map(|n| self.replica_pages_on(NodeId::of_index(n))).collect();
        t.per_node = (0..self.memmap.nodes())
            .map(|n| self.node_actions.get(n).copied().unwrap_or_default())
            .collect();
        t
    }

    /// The first broken invariant found, when checking is on (`MonitorConfig::check_invariants`).
    pub fn violation(&self) -> Option<&str> {
        self.violation.as_deref()
    }

    /// Types `bytes` on VM `k`'s console.
    pub fn console_input(&mut self, k: VmId, bytes: &[u8]) {
        if let Some(vm) = self.vms.get_mut(k.index()) {
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

    fn event(&mut self, m: &mut Machine, e: MachineEvent) {
        if let MachineEvent::HotPage(h) = e {
            self.hot_page(m, h);
            self.maybe_check(m, "a hot page");
        }
    }

    fn quantum(&mut self, m: &mut Machine) {
        self.tick(m);
        self.maybe_check(m, "a quantum");
    }
}
