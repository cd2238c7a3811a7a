//! A running scenario: the machine, and on it either the guest OS natively or the monitor with
//! its virtual machines — the one object the worker, the command line and the tests drive.
//!
//! [`Simulation::run`] advances it by a number of machine cycles (the result does not depend on
//! how a run is cut into calls); [`Simulation::frame`] reads what the views draw; the page map
//! and page details come on request. Everything shown is read from the simulated system itself:
//! the machine's counters, the monitor's ledger and memmap, and each guest kernel's own
//! statistics block and page-use table in guest memory.

use std::fmt;

use machine::machine::Log;
use machine::{Machine, MachineConfig, Stop};
use monitor::Monitor;
use monitor::config::{MonitorConfig, VmSpec};
use monitor::cost::KIND_NAMES;
use monitor::memmap::PageOwner;

use crate::assets::{Assets, KERNEL};
use crate::frame::{
    ConsoleText, CpuFrame, Frame, GuestFrame, GuestInfo, Layout, NodeMemory, OWNER_FREE,
    OWNER_GUEST0, OWNER_MONITOR, PageInfo, PageKind, PageMap, Running, ServiceFrame, TlbFrame,
};
use crate::kstats::{Kstats, KstatsSymbol};
use crate::scenario::{Guests, Scenario, ScenarioError};
use crate::timeline::Timeline;

/// Kernel services a frame carries per guest (the busiest).
const MAX_SERVICES: usize = 12;

/// Natively, the process each CPU runs is sampled this often (cycles): the timeline's
/// resolution for the native OS (50 µs at 200 MHz). Under the monitor it is exact.
const SAMPLE_CYCLES: u64 = 10_000;

/// Why a simulation cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// The scenario is invalid.
    Scenario(ScenarioError),
    /// A file the scenario needs was not provided.
    MissingAsset(String),
    /// A file is unreadable or malformed.
    BadAsset {
        /// Its name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// The machine refused its configuration or the kernel.
    Machine(String),
    /// The monitor refused to start.
    Monitor(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Scenario(e) => write!(f, "scenario: {e}"),
            SimError::MissingAsset(n) => write!(f, "{n}: missing"),
            SimError::BadAsset { name, message } => write!(f, "{name}: {message}"),
            SimError::Machine(m) => write!(f, "machine: {m}"),
            SimError::Monitor(m) => write!(f, "monitor: {m}"),
        }
    }
}

impl std::error::Error for SimError {}

/// One guest's fixed facts.
#[derive(Debug, Clone)]
struct Guest {
    info: GuestInfo,
    /// Lines its console must show for a correct run (the image's `/expected.txt`).
    expected: Vec<String>,
    /// Physical address of its kernel's statistics block (guest-physical under the monitor).
    kstats_pa: Option<u32>,
}

/// A scenario, booted.
pub struct Simulation {
    scenario: Scenario,
    machine: Machine,
    monitor: Option<Box<Monitor>>,
    guests: Vec<Guest>,
    timeline: Timeline,
    /// Console bytes of each guest already handed out in frames.
    console_sent: Vec<usize>,
}

/// What a snapshot holds: everything of a simulation that changes as it runs (the scenario,
/// and what was derived from it at load, stay with the simulation it is restored into).
#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    machine: Machine,
    monitor: Option<Box<Monitor>>,
    timeline: Timeline,
    console_sent: Vec<usize>,
}

/// A borrowed view of the same, to serialise without copying the machine.
#[derive(serde::Serialize)]
struct SavedRef<'a> {
    machine: &'a Machine,
    monitor: &'a Option<Box<Monitor>>,
    timeline: &'a Timeline,
    console_sent: &'a Vec<usize>,
}

impl fmt::Debug for Simulation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulation")
            .field("scenario", &self.scenario.name)
            .field("cycle", &self.machine.now())
            .finish()
    }
}

fn expected_lines(image: &[u8]) -> Vec<String> {
    mkfs::Image::open(image.to_vec())
        .and_then(|i| i.read("/expected.txt"))
        .map(|b| String::from_utf8_lossy(&b).lines().map(str::to_string).collect())
        .unwrap_or_default()
}

impl Simulation {
    /// Validates `scenario`, builds the machine and boots the guests from `assets`.
    pub fn new(scenario: &Scenario, assets: &Assets) -> Result<Simulation, SimError> {
        scenario.validate().map_err(SimError::Scenario)?;
        let shape = &scenario.machine;
        let cfg = MachineConfig {
            memory_per_node_mb: shape.memory_per_node_mb,
            uma: shape.uma,
            seed: scenario.seed,
            ..MachineConfig::flash(shape.nodes, shape.cpus_per_node)
        };
        let workloads = scenario.workloads();
        let mut images = Vec::new();
        for w in &workloads {
            images.push(assets.image(w)?.to_vec());
        }
        let mut guests = Vec::new();
        let (machine, monitor) = match &scenario.guests {
            Guests::Native { workload } => {
                let kernel = assets.get(KERNEL)?;
                let kstats = KstatsSymbol::find(kernel);
                guests.push(Guest {
                    info: GuestInfo {
                        name: "native".into(),
                        workload: workload.clone(),
                        cpus: shape.cpus(),
                        memory_mb: shape.memory_mb(),
                    },
                    expected: expected_lines(&images[0]),
                    kstats_pa: kstats.map(|k| k.va.wrapping_sub(0x8000_0000)),
                });
                let mut m =
                    Machine::new(cfg, images).map_err(|e| SimError::Machine(e.to_string()))?;
                m.boot(kernel).map_err(|e| SimError::BadAsset {
                    name: KERNEL.into(),
                    message: e.to_string(),
                })?;
                (m, None)
            }
            Guests::Disco { vms, policies } => {
                let mut specs = Vec::new();
                let mut kernels = Vec::new();
                for (k, vm) in vms.iter().enumerate() {
                    let name = format!("vm{k}");
                    // Each VM boots its workload's kernel: dux's Disco build, or SPLASHOS.
                    let w = workloads[k];
                    let kernel = assets.get(Assets::kernel_for(w, false))?;
                    let kstats = KstatsSymbol::find(kernel);
                    guests.push(Guest {
                        info: GuestInfo {
                            name: name.clone(),
                            workload: vm.workload.clone(),
                            cpus: vm.vcpus,
                            memory_mb: vm.memory_mb,
                        },
                        expected: expected_lines(&images[k])
                            .into_iter()
                            .filter(|l| w.expects(l))
                            .collect(),
                        kstats_pa: kstats.map(|s| s.va.wrapping_sub(monitor::monitor::KSEG)),
                    });
                    kernels.push(kernel.to_vec());
                    specs.push(VmSpec {
                        name,
                        vcpus: vm.vcpus,
                        memory_mb: vm.memory_mb,
                        disk_unit: Some(k as u32),
                    });
                }
                let mcfg = MonitorConfig {
                    l2tlb_entries: policies.l2tlb_entries,
                    slice_cycles: u64::from(policies.slice_us) * u64::from(cfg.clock_mhz),
                    ..MonitorConfig::default()
                };
                let mut m =
                    Machine::new(cfg, images).map_err(|e| SimError::Machine(e.to_string()))?;
                let mon = Monitor::new(mcfg, specs, &kernels, &mut m)
                    .map_err(|e| SimError::Monitor(e.to_string()))?;
                (m, Some(Box::new(mon)))
            }
        };
        let cpus = machine.cpus.len();
        let n = guests.len();
        let mut sim = Simulation {
            scenario: scenario.clone(),
            machine,
            monitor,
            guests,
            timeline: Timeline::new(cpus),
            console_sent: vec![0; n],
        };
        sim.observe();
        Ok(sim)
    }

    /// The whole simulated state as bytes (bincode): restore it into a simulation of the same
    /// scenario with [`Simulation::restore`] to continue exactly from here.
    pub fn snapshot(&self) -> Vec<u8> {
        let saved = SavedRef {
            machine: &self.machine,
            monitor: &self.monitor,
            timeline: &self.timeline,
            console_sent: &self.console_sent,
        };
        // Serialising plain data to memory cannot fail.
        bincode::serialize(&saved).unwrap_or_default()
    }

    /// Continues from a snapshot taken of a simulation of the same scenario. A snapshot that
    /// does not decode, or belongs to another machine shape, is an error and changes nothing.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), SimError> {
        let bad = |message: String| SimError::BadAsset { name: "snapshot".into(), message };
        let saved: Saved = bincode::deserialize(bytes).map_err(|e| bad(e.to_string()))?;
        if saved.machine.config() != self.machine.config()
            || saved.monitor.is_some() != self.monitor.is_some()
            || saved.console_sent.len() != self.console_sent.len()
        {
            return Err(bad("taken of another scenario".into()));
        }
        self.machine = saved.machine;
        self.monitor = saved.monitor;
        self.timeline = saved.timeline;
        self.console_sent = saved.console_sent;
        Ok(())
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The machine.
    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    /// The monitor, under Disco.
    pub fn monitor(&self) -> Option<&Monitor> {
        self.monitor.as_deref()
    }

    /// What the views need to know once.
    pub fn layout(&self) -> Layout {
        let c = self.machine.config();
        let pages = c.memory_bytes() / 4096;
        Layout {
            scenario: self.scenario.clone(),
            disco: self.monitor.is_some(),
            nodes: c.nodes,
            cpus_per_node: c.cpus_per_node,
            pages,
            pages_per_node: pages / c.nodes,
            clock_mhz: c.clock_mhz,
            guests: self.guests.iter().map(|g| g.info.clone()).collect(),
            monitor_kinds: if self.monitor.is_some() {
                KIND_NAMES.iter().map(|s| s.to_string()).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// True once every guest has powered off.
    pub fn finished(&self) -> bool {
        self.machine.halted().is_some()
    }

    /// Runs about `cycles` more machine cycles — up to the next point of the machine's quantum
    /// grid, so that the result does not depend on how a run is cut — or less if every guest
    /// powers off first.
    pub fn run(&mut self, cycles: u64) {
        let until = self.machine.quantum_grid(self.machine.now().saturating_add(cycles));
        while self.machine.now() < until && !self.finished() {
            let now = self.machine.now();
            let step = match self.monitor {
                Some(_) => until - now,
                None => (self.machine.quantum_grid(now + SAMPLE_CYCLES) - now).min(until - now),
            };
            let stop = match self.monitor.as_deref_mut() {
                Some(mon) => self.machine.run(step, mon),
                None => self.machine.run(step, &mut Log::default()),
            };
            self.observe();
            if let Stop::Halted(_) = stop {
                break;
            }
        }
    }

    /// Runs until every guest powers off or `max_cycles` pass; true if they all did.
    pub fn run_to_end(&mut self, max_cycles: u64) -> bool {
        self.run(max_cycles);
        self.finished()
    }

    /// Brings the timeline up to date.
    fn observe(&mut self) {
        match self.monitor.as_deref_mut() {
            Some(mon) => {
                for e in std::mem::take(&mut mon.timeline) {
                    let running =
                        e.runs.map(|(vm, vcpu)| Running { guest: vm, vcpu: u32::from(vcpu) });
                    self.timeline.observe(usize::from(e.pcpu), e.cycle, running);
                }
            }
            None => {
                let now = self.machine.now();
                let pids = self.kstats(0).map(|k| k.current_pid).unwrap_or_default();
                for cpu in 0..self.machine.cpus.len() {
                    let pid = pids.get(cpu).copied().unwrap_or(0);
                    let running = (pid != 0).then_some(Running { guest: 0, vcpu: pid });
                    self.timeline.observe(cpu, now, running);
                }
            }
        }
    }

    /// Reads `len` bytes of guest `g`'s physical memory at `pa`.
    fn read_guest(&self, g: usize, pa: u32, len: u32) -> Option<Vec<u8>> {
        match self.monitor.as_deref() {
            Some(mon) => mon.read_guest(&self.machine, g, pa, len),
            None => self.machine.sys.mem.ram.slice(pa, len).map(<[u8]>::to_vec),
        }
    }

    /// Guest `g`'s kernel statistics, once its kernel has set them up.
    pub fn kstats(&self, g: usize) -> Option<Kstats> {
        let pa = self.guests.get(g)?.kstats_pa?;
        Kstats::read(pa, |a, n| self.read_guest(g, a, n))
    }

    /// Guest `g`'s page-use table (one kind code per guest-physical page), if set up.
    fn page_uses(&self, g: usize) -> Option<Vec<u8>> {
        let k = self.kstats(g)?;
        self.read_guest(g, k.page_uses, k.pages.min(1 << 20))
    }

    /// Guest `g`'s console output so far.
    pub fn console(&self, g: usize) -> &[u8] {
        match self.monitor.as_deref() {
            Some(mon) => mon.vms.get(g).map_or(&[][..], |v| v.console.as_slice()),
            None => self.machine.console(),
        }
    }

    /// Guest `g`'s exit code, once it has powered off.
    pub fn exit_code(&self, g: usize) -> Option<u32> {
        match self.monitor.as_deref() {
            Some(mon) => mon.vms.get(g).and_then(|v| v.halted),
            None => self.machine.halted(),
        }
    }

    /// Once guest `g` has powered off: did it exit 0 with every expected line on its console,
    /// in order?
    pub fn passed(&self, g: usize) -> Option<bool> {
        let code = self.exit_code(g)?;
        let console = String::from_utf8_lossy(self.console(g));
        let mut lines = console.lines();
        let expected = &self.guests[g].expected;
        Some(code == 0 && !expected.is_empty() && expected.iter().all(|w| lines.any(|l| l == w)))
    }

    /// Types `text` on guest `g`'s console.
    pub fn console_input(&mut self, g: usize, text: &[u8]) {
        match self.monitor.as_deref_mut() {
            Some(mon) => mon.console_input(g, text),
            None => self.machine.console_input(text),
        }
    }

    /// A stable hash of the whole simulated state: the machine's, and under the monitor each
    /// VM's ledger and memory map. Equal runs give equal hashes, natively and in WebAssembly.
    pub fn run_hash(&self) -> u64 {
        let mut h = self.machine.run_hash();
        let mut mix = |v: u64| {
            for b in v.to_le_bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        if let Some(mon) = self.monitor.as_deref() {
            for vm in &mon.vms {
                let s = &vm.stats;
                for v in [s.user_cycles, s.kernel_cycles, s.instructions, s.traps, s.emulated] {
                    mix(v);
                }
                for v in [s.refills_direct, s.refills_l2tlb, s.refills_vtlb, s.refills_forwarded] {
                    mix(v);
                }
                s.monitor_cycles.iter().for_each(|&v| mix(v));
                mix(u64::from(vm.halted.unwrap_or(u32::MAX)));
                for gppn in 0..vm.pmap.pages() {
                    mix(u64::from(vm.pmap.get(gppn).unwrap_or(u32::MAX)));
                }
            }
        }
        h
    }

    /// Owner and kind of every machine page.
    pub fn page_map(&self, heat: bool) -> PageMap {
        let pages = self.machine.config().memory_bytes() / 4096;
        let nodes = self.machine.config().nodes as usize;
        let mut owner = vec![OWNER_FREE; pages as usize];
        let mut kind = vec![PageKind::Free as u8; pages as usize];
        let uses: Vec<Option<Vec<u8>>> =
            (0..self.guests.len()).map(|g| self.page_uses(g)).collect();
        let use_of = |g: usize, gppn: u32| -> u8 {
            match uses[g].as_ref().and_then(|u| u.get(gppn as usize)) {
                Some(&c) if c <= PageKind::BufferCache as u8 => c,
                _ => PageKind::Unknown as u8,
            }
        };
        match self.monitor.as_deref() {
            Some(mon) => {
                for p in 0..pages {
                    match mon.memmap.owner(p) {
                        PageOwner::Free => {}
                        PageOwner::Monitor => {
                            owner[p as usize] = OWNER_MONITOR;
                            kind[p as usize] = PageKind::Monitor as u8;
                        }
                        PageOwner::Vm { vm, gppn } => {
                            owner[p as usize] = OWNER_GUEST0 + vm as u8;
                            // A page the guest has freed is still the VM's memory: show it
                            // as the VM's, of unknown use, not as free machine memory.
                            kind[p as usize] = match use_of(vm as usize, gppn) {
                                0 => PageKind::Unknown as u8,
                                c => c,
                            };
                        }
                    }
                }
            }
            None => {
                for p in 0..pages {
                    let k = use_of(0, p);
                    let k = if uses[0].is_none() { PageKind::Free as u8 } else { k };
                    if k != PageKind::Free as u8 {
                        owner[p as usize] = OWNER_GUEST0;
                        kind[p as usize] = k;
                    }
                }
            }
        }
        let heat = heat.then(|| {
            let mut h = Vec::with_capacity(pages as usize * nodes);
            for p in 0..pages {
                let row = self.machine.page_heat(machine::Mppn(p));
                h.extend((0..nodes).map(|n| row.get(n).copied().unwrap_or(0)));
            }
            h
        });
        PageMap { owner, kind, heat }
    }

    /// Everything about machine page `page`; `None` beyond memory.
    pub fn page_info(&self, page: u32) -> Option<PageInfo> {
        let c = self.machine.config();
        let pages = c.memory_bytes() / 4096;
        if page >= pages {
            return None;
        }
        let (owner, guest_page, guest) = match self.monitor.as_deref() {
            Some(mon) => match mon.memmap.owner(page) {
                PageOwner::Free => (OWNER_FREE, None, None),
                PageOwner::Monitor => (OWNER_MONITOR, None, None),
                PageOwner::Vm { vm, gppn } => {
                    (OWNER_GUEST0 + vm as u8, Some(gppn), Some(vm as usize))
                }
            },
            None => (OWNER_GUEST0, Some(page), Some(0)),
        };
        let kind = match (owner, guest, guest_page) {
            (OWNER_MONITOR, _, _) => PageKind::Monitor,
            (_, Some(g), Some(gp)) => {
                match self.page_uses(g).and_then(|u| u.get(gp as usize).copied()) {
                    Some(c) => PageKind::from_code(c),
                    None => PageKind::Unknown,
                }
            }
            _ => PageKind::Free,
        };
        let owner =
            if self.monitor.is_none() && kind == PageKind::Free { OWNER_FREE } else { owner };
        let heat = self.machine.page_heat(machine::Mppn(page));
        Some(PageInfo {
            page,
            node: page / (pages / c.nodes),
            owner,
            kind,
            guest_page,
            heat: (0..c.nodes as usize).map(|n| heat.get(n).copied().unwrap_or(0)).collect(),
        })
    }

    /// The statistics frame: cumulative counters now, and the segments and console output
    /// since the previous call.
    pub fn frame(&mut self) -> Frame {
        let m = &self.machine;
        let mut f = Frame { cycle: m.now(), ..Frame::default() };
        for cpu in 0..m.cpus.len() {
            let s = m.cpu_summary(cpu);
            let (running, since) = self.timeline.current(cpu);
            let [k, sup, user] = s.cycles_by_mode;
            f.instructions += s.instructions;
            f.local_misses += s.mem.local_misses;
            f.remote_misses += s.mem.remote_misses;
            f.coherence_misses += s.mem.coherence_misses;
            f.cpus.push(CpuFrame {
                running,
                since,
                user,
                kernel: k + sup,
                monitor: s.charged_cycles,
                idle: s.idle_cycles,
                instructions: s.instructions,
                local_misses: s.mem.local_misses,
                remote_misses: s.mem.remote_misses,
            });
        }
        let map = self.page_map(false);
        let nodes = m.config().nodes as usize;
        let per_node = map.owner.len() / nodes.max(1);
        let mut memory =
            vec![
                NodeMemory { guests: vec![[0; 7]; self.guests.len()], ..NodeMemory::default() };
                nodes
            ];
        let mut guest_pages = vec![0u32; self.guests.len()];
        for (p, (&o, &k)) in map.owner.iter().zip(&map.kind).enumerate() {
            let n = &mut memory[(p / per_node.max(1)).min(nodes - 1)];
            match o {
                OWNER_FREE => n.free += 1,
                OWNER_MONITOR => n.monitor += 1,
                o => {
                    let g = usize::from(o - OWNER_GUEST0);
                    if let Some(row) = n.guests.get_mut(g) {
                        row[usize::from(k).min(6)] += 1;
                        guest_pages[g] += 1;
                    }
                }
            }
        }
        f.memory = memory;
        for (g, &pages) in guest_pages.iter().enumerate() {
            let ks = self.kstats(g).unwrap_or_default();
            let services = ks
                .services()
                .into_iter()
                .take(MAX_SERVICES)
                .map(|s| ServiceFrame { name: s.name.into(), count: s.count, cycles: s.cycles })
                .collect();
            let mut gf = GuestFrame {
                syscalls: ks.syscalls,
                services,
                pages,
                exit: self.exit_code(g),
                passed: self.passed(g),
                ..GuestFrame::default()
            };
            match self.monitor.as_deref() {
                Some(mon) => {
                    let vm = &mon.vms[g];
                    let s = &vm.stats;
                    gf.instructions = s.instructions;
                    gf.user = s.user_cycles;
                    gf.kernel = s.kernel_cycles;
                    gf.monitor = s.monitor_cycles.to_vec();
                    let capacity = u64::from(self.guests[g].info.cpus) * m.now();
                    gf.idle = capacity
                        .saturating_sub(s.user_cycles + s.kernel_cycles + s.monitor_total());
                    gf.tlb = TlbFrame {
                        direct: s.refills_direct,
                        l2tlb: s.refills_l2tlb,
                        vtlb: s.refills_vtlb,
                        forwarded: s.refills_forwarded,
                    };
                }
                None => {
                    gf.instructions = f.instructions;
                    gf.user = f.cpus.iter().map(|c| c.user).sum();
                    gf.kernel = f.cpus.iter().map(|c| c.kernel).sum();
                    gf.idle = f.cpus.iter().map(|c| c.idle).sum();
                    gf.tlb.forwarded = ks.utlb_misses;
                }
            }
            f.guests.push(gf);
        }
        f.segments = self.timeline.take();
        for g in 0..self.guests.len() {
            let out = self.console(g);
            let sent = self.console_sent[g].min(out.len());
            if sent < out.len() {
                let text = String::from_utf8_lossy(&out[sent..]).into_owned();
                self.console_sent[g] = out.len();
                f.console.push(ConsoleText { guest: g as u16, text });
            }
        }
        f
    }
}
