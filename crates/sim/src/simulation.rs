//! A running scenario: the machine, and on it either the guest OS natively or the monitor with
//! its virtual machines — the one object the worker, the command line and the tests drive.
//!
//! [`Simulation::run`] advances it by a number of machine cycles (the result does not depend on
//! how a run is cut into calls); [`Simulation::counters`] reads what the views draw and
//! [`Simulation::take_frame`] adds what happened since the last frame (scheduling segments,
//! console text); the page map and page details come on request. Everything shown is read from the simulated system itself:
//! the machine's counters, the monitor's ledger and memmap, and each guest kernel's own
//! statistics block and page-use table in guest memory.

use std::fmt;

use machine::machine::Log;
use machine::{Machine, MachineConfig, Mppn, Stop};
use monitor::config::{MonitorConfig, VmSpec};
use monitor::cost::KIND_NAMES;
use monitor::memmap::PageOwner;
use monitor::numa_policy::{NumaConfig, Placement, PolicyMode, Thresholds};
use monitor::{Monitor, VmId};

use crate::assets::{Assets, KERNEL};
use crate::frame::{
    ConsoleText, CpuFrame, Frame, GuestFrame, GuestInfo, Layout, NetFrame, NodeMemory, NumaEvent,
    NumaFrame, OWNER_FREE, OWNER_GUEST0, OWNER_MONITOR, PageAt, PageInfo, PageKind, PageMap,
    Running, Segment, ServiceFrame, SharingFrame, TlbFrame,
};
use crate::kstats::{Kstats, KstatsSymbol};
use crate::numa::{self, MoveHistory};
use crate::scenario::{
    Guests, NumaMode, NumaPolicy, Placement as ScenarioPlacement, Scenario, ScenarioError,
};
use crate::sharing;
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

/// What runs on the machine: the guest OS on the bare machine, or the monitor with its VMs.
/// Every difference between the two lives in this type's methods.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
enum Os {
    /// One guest OS owns the machine; the machine's own event log is its owner.
    Native,
    /// The monitor owns the machine; guest `g` is VM `g`.
    Disco(Box<Monitor>),
}

impl Os {
    fn monitor(&self) -> Option<&Monitor> {
        match self {
            Os::Native => None,
            Os::Disco(mon) => Some(mon),
        }
    }

    /// Runs the machine `cycles` cycles (or to a halt).
    fn run(&mut self, m: &mut Machine, cycles: u64) -> Stop {
        match self {
            Os::Native => m.run(cycles, &mut Log::default()),
            Os::Disco(mon) => m.run(cycles, mon.as_mut()),
        }
    }

    /// How far one call of [`Os::run`] may go before the timeline is observed: natively the
    /// running processes are sampled, under the monitor every decision is recorded.
    fn step(&self, m: &Machine, now: u64, until: u64) -> u64 {
        match self {
            Os::Native => (m.quantum_grid(now + SAMPLE_CYCLES) - now).min(until - now),
            Os::Disco(_) => until - now,
        }
    }

    /// Reads `len` bytes of guest `g`'s physical memory at `pa`.
    fn read_guest(&self, m: &Machine, g: usize, pa: u32, len: u32) -> Option<Vec<u8>> {
        match self {
            Os::Native => m.sys.mem.ram.slice(pa, len).map(<[u8]>::to_vec),
            Os::Disco(mon) => mon.read_guest(m, VmId::of_index(g), pa, len),
        }
    }

    /// Guest `g`'s console output so far.
    fn console<'a>(&'a self, m: &'a Machine, g: usize) -> &'a [u8] {
        match self {
            Os::Native => m.console(),
            Os::Disco(mon) => mon.vm(VmId::of_index(g)).map_or(&[][..], |v| v.console()),
        }
    }

    /// Guest `g`'s exit code, once it has powered off.
    fn exit_code(&self, m: &Machine, g: usize) -> Option<u32> {
        match self {
            Os::Native => m.halted(),
            Os::Disco(mon) => mon.vm(VmId::of_index(g)).and_then(|v| v.halted()),
        }
    }

    /// Types `text` on guest `g`'s console.
    fn console_input(&mut self, m: &mut Machine, g: usize, text: &[u8]) {
        match self {
            Os::Native => m.console_input(text),
            Os::Disco(mon) => mon.console_input(VmId::of_index(g), text),
        }
    }

    /// Who owns machine page `page` (an `OWNER_*` code) and, if a guest, which and its
    /// guest-physical page. Natively every page is the guest's, at the same number.
    fn owner(&self, page: Mppn) -> (u8, Option<(usize, u32)>) {
        match self {
            Os::Native => (OWNER_GUEST0, Some((0, page.0))),
            Os::Disco(mon) => match mon.memmap().owner(page) {
                PageOwner::Free => (OWNER_FREE, None),
                PageOwner::Monitor => (OWNER_MONITOR, None),
                // A page shared between VMs shows as its first sharer's (the sharing panel,
                // later, shows them all).
                PageOwner::Shared => match mon.memmap().sharers(page).first() {
                    Some(&(vm, gppn)) => (OWNER_GUEST0 + vm.0 as u8, Some((vm.index(), gppn.0))),
                    None => (OWNER_FREE, None),
                },
                PageOwner::Vm { vm, gppn } | PageOwner::Replica { vm, gppn } => {
                    (OWNER_GUEST0 + vm.0 as u8, Some((vm.index(), gppn.0)))
                }
            },
        }
    }
}

/// FLASH's counters as the policy wants them: interrupting at its trigger, reset every
/// interval, counting one miss in `sample`.
fn hot_page_counting(m: &mut Machine, n: &NumaPolicy) {
    m.set_hot_page_threshold(n.trigger);
    let cycles = u64::from(n.interval_us) * u64::from(m.config().clock_mhz);
    m.set_hot_page_counting(cycles, n.sample);
}

/// The monitor's form of the scenario's NUMA settings.
fn numa_config(n: &NumaPolicy) -> NumaConfig {
    NumaConfig {
        mode: match n.mode {
            NumaMode::Off => PolicyMode::Off,
            NumaMode::Migrate => PolicyMode::Migrate,
            NumaMode::Replicate => PolicyMode::Replicate,
            NumaMode::Both => PolicyMode::Both,
        },
        placement: match n.placement {
            ScenarioPlacement::FirstTouch => Placement::FirstTouch,
            ScenarioPlacement::RoundRobin => Placement::RoundRobin,
        },
        thresholds: Thresholds {
            trigger: n.trigger,
            sharing: n.sharing,
            write: n.write,
            migrate: n.migrate,
        },
    }
}

/// A scenario, booted.
pub struct Simulation {
    scenario: Scenario,
    machine: Machine,
    os: Os,
    guests: Vec<Guest>,
    timeline: Timeline,
    /// Console bytes of each guest already handed out in frames.
    console_sent: Vec<usize>,
    /// Sequence number of the first monitor event not yet handed out in frames.
    numa_sent: u64,
    /// Each guest page's latest moves, as frames reported them (a page's details list them).
    numa_history: MoveHistory,
    /// Sequence number of the first monitor event not yet read for copy-on-write breaks (a
    /// cursor of the frames only: a snapshot does not keep it, a restore skips to the newest).
    sharing_sent: u64,
    /// The image on each machine disk unit (a workload's image name), for the disk blocks of
    /// shared pages; derived from the scenario at load.
    disk_images: Vec<String>,
}

/// What a snapshot holds: everything of a simulation that changes as it runs (the scenario,
/// and what was derived from it at load, stay with the simulation it is restored into).
#[derive(serde::Serialize, serde::Deserialize)]
struct Saved {
    machine: Machine,
    os: Os,
    timeline: Timeline,
    console_sent: Vec<usize>,
    numa_sent: u64,
    numa_history: MoveHistory,
}

/// A borrowed view of the same, to serialise without copying the machine.
#[derive(serde::Serialize)]
struct SavedRef<'a> {
    machine: &'a Machine,
    os: &'a Os,
    timeline: &'a Timeline,
    console_sent: &'a Vec<usize>,
    numa_sent: u64,
    numa_history: &'a MoveHistory,
}

impl fmt::Debug for Simulation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulation")
            .field("scenario", &self.scenario.name)
            .field("cycle", &self.machine.now())
            .finish()
    }
}

/// The machine disk unit of each VM, the units' images and each unit's image name: one unit
/// per VM, or with `share` one per distinct image, named by every VM that boots it.
fn disk_units(
    workloads: &[&crate::workload::Workload],
    images: &[Vec<u8>],
    share: bool,
) -> (Vec<u32>, Vec<Vec<u8>>, Vec<String>) {
    let mut units = Vec::new();
    let mut disks: Vec<Vec<u8>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut image_names = Vec::new();
    for (k, w) in workloads.iter().enumerate() {
        let name = w.image_file();
        match names.iter().position(|n| *n == name).filter(|_| share) {
            Some(u) => units.push(u as u32),
            None => {
                units.push(disks.len() as u32);
                names.push(name);
                image_names.push(w.image.to_string());
                disks.push(images[k].clone());
            }
        }
    }
    (units, disks, image_names)
}

fn expected_lines(image: &[u8]) -> Vec<String> {
    mkfs::Image::open(image.to_vec())
        .and_then(|i| i.read("/expected.txt"))
        .map(|b| String::from_utf8_lossy(&b).lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// User TLB refills and their cycles ([`Simulation::utlb`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UtlbTotals {
    /// Refills timed.
    pub count: u64,
    /// Their cycles.
    pub cycles: u64,
    /// Of those, the monitor's (0 natively).
    pub monitor_cycles: u64,
    /// Of the refills, those the guest's own handler served under the monitor (0 natively:
    /// there the handler serves every one).
    pub forwarded: u64,
    /// Their cycles.
    pub forwarded_cycles: u64,
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
        let cfg = MachineConfig {
            cache: machine::config::CacheConfig { size_kb: shape.cache_kb, ..cfg.cache.clone() },
            ..cfg
        };
        let workloads = scenario.workloads();
        let mut images = Vec::new();
        for w in &workloads {
            images.push(assets.image(w)?.to_vec());
        }
        let mut guests = Vec::new();
        let mut disk_images = Vec::new();
        let (machine, os) = match &scenario.guests {
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
                    kstats_pa: kstats.map(|k| k.va.wrapping_sub(abi::segments::KSEG0)),
                });
                let mut m =
                    Machine::new(cfg, images).map_err(|e| SimError::Machine(e.to_string()))?;
                m.boot(kernel).map_err(|e| SimError::BadAsset {
                    name: KERNEL.into(),
                    message: e.to_string(),
                })?;
                (m, Os::Native)
            }
            Guests::Disco { vms, policies } => {
                // With sharing on, VMs whose workloads use the same image boot one
                // copy-on-write copy of it (one machine unit; the monitor keeps each VM's
                // writes in its own log); otherwise each VM has a unit with its own copy.
                let (units, disks, names) = disk_units(&workloads, &images, policies.share_disk);
                disk_images = names;
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
                        disk_unit: Some(units[k]),
                    });
                }
                let mcfg = MonitorConfig {
                    l2tlb_entries: policies.l2tlb_entries,
                    slice_cycles: u64::from(policies.slice_us) * u64::from(cfg.clock_mhz),
                    numa: numa_config(&policies.numa),
                    // The same switch shares the kernel's text between VMs: off, M = V.
                    share_kernel_text: policies.share_disk,
                    ..MonitorConfig::default()
                };
                let mut m =
                    Machine::new(cfg, disks).map_err(|e| SimError::Machine(e.to_string()))?;
                hot_page_counting(&mut m, &policies.numa);
                let mon = Monitor::new(mcfg, specs, &kernels, &mut m)
                    .map_err(|e| SimError::Monitor(e.to_string()))?;
                (m, Os::Disco(Box::new(mon)))
            }
        };
        let cpus = machine.cpus.len();
        let n = guests.len();
        let mut sim = Simulation {
            scenario: scenario.clone(),
            machine,
            os,
            guests,
            timeline: Timeline::new(cpus),
            console_sent: vec![0; n],
            numa_sent: 0,
            numa_history: MoveHistory::default(),
            sharing_sent: 0,
            disk_images,
        };
        sim.observe();
        Ok(sim)
    }

    /// The whole simulated state as bytes (bincode): restore it into a simulation of the same
    /// scenario with [`Simulation::restore`] to continue exactly from here.
    pub fn snapshot(&self) -> Vec<u8> {
        let saved = SavedRef {
            machine: &self.machine,
            os: &self.os,
            timeline: &self.timeline,
            console_sent: &self.console_sent,
            numa_sent: self.numa_sent,
            numa_history: &self.numa_history,
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
            || saved.os.monitor().is_some() != self.os.monitor().is_some()
            || saved.console_sent.len() != self.console_sent.len()
        {
            return Err(bad("taken of another scenario".into()));
        }
        self.machine = saved.machine;
        self.os = saved.os;
        self.timeline = saved.timeline;
        self.console_sent = saved.console_sent;
        self.numa_sent = saved.numa_sent;
        self.numa_history = saved.numa_history;
        self.sharing_sent = self.os.monitor().map_or(0, Monitor::next_event_seq);
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
        self.os.monitor()
    }

    /// What the views need to know once.
    pub fn layout(&self) -> Layout {
        let c = self.machine.config();
        let pages = c.pages();
        Layout {
            scenario: self.scenario.clone(),
            disco: self.monitor().is_some(),
            nodes: c.nodes,
            cpus_per_node: c.cpus_per_node,
            pages,
            pages_per_node: pages / c.nodes,
            clock_mhz: c.clock_mhz,
            guests: self.guests.iter().map(|g| g.info.clone()).collect(),
            monitor_kinds: if self.monitor().is_some() {
                KIND_NAMES.iter().map(|s| s.to_string()).collect()
            } else {
                Vec::new()
            },
        }
    }

    /// Changes the NUMA policy from now on (the scenario keeps its starting values): the next
    /// hot-page interrupt is judged by the new settings, and pages placed from now on follow
    /// the new placement. Refused natively, where there is no monitor, and for thresholds a
    /// scenario could not have.
    pub fn set_numa_policy(&mut self, numa: &NumaPolicy) -> Result<(), SimError> {
        numa.validate().map_err(SimError::Scenario)?;
        match &mut self.os {
            Os::Native => {
                Err(SimError::Monitor("the native OS has no NUMA policy: load a VM".into()))
            }
            Os::Disco(mon) => {
                mon.set_numa_policy(self.machine.now(), numa_config(numa));
                hot_page_counting(&mut self.machine, numa);
                Ok(())
            }
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
            let step = self.os.step(&self.machine, now, until);
            let stop = self.os.run(&mut self.machine, step);
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
        match &mut self.os {
            Os::Disco(mon) => {
                for e in mon.take_timeline() {
                    let running =
                        e.runs.map(|r| Running { guest: r.vm.0, vcpu: u32::from(r.vcpu.0) });
                    self.timeline.observe(e.pcpu.index(), e.cycle, running);
                }
            }
            Os::Native => {
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

    /// Guest `g`'s kernel statistics, once its kernel has set them up.
    pub fn kstats(&self, g: usize) -> Option<Kstats> {
        let pa = self.guests.get(g)?.kstats_pa?;
        Kstats::read(pa, |a, n| self.os.read_guest(&self.machine, g, a, n))
    }

    /// Guest `g`'s user TLB refills (the paper's UTLB_MISS), timed by the machine: natively
    /// every CPU's (a refill through the refill vector to its ERET), under the monitor the
    /// VM's (served by the monitor, or by the guest's handler to its emulated ERET).
    pub fn utlb(&self, g: usize) -> UtlbTotals {
        match self.os.monitor() {
            None if g == 0 => {
                let mut t = UtlbTotals::default();
                for c in &self.machine.cpus {
                    let s = c.stats();
                    t.count += s.utlb_refills;
                    t.cycles += s.utlb_cycles;
                }
                t
            }
            None => UtlbTotals::default(),
            Some(mon) => mon.vm(VmId::of_index(g)).map_or_else(UtlbTotals::default, |v| {
                let s = v.stats();
                UtlbTotals {
                    count: s.utlb_misses,
                    cycles: s.utlb_cycles,
                    monitor_cycles: s.utlb_monitor_cycles,
                    forwarded: s.utlb_forwarded,
                    forwarded_cycles: s.utlb_forwarded_cycles,
                }
            }),
        }
    }

    /// Guest `g`'s page-use table (one kind code per guest-physical page), if set up.
    fn page_uses(&self, g: usize) -> Option<Vec<u8>> {
        let k = self.kstats(g)?;
        self.os.read_guest(&self.machine, g, k.page_uses, k.pages.min(1 << 20))
    }

    /// The memory footprint now (paper Fig. 6), in pages: V, the guest pages backed by machine
    /// memory, all guests together, and M, the machine pages they use (a page shared between
    /// VMs once). Under the monitor from its pmaps and memmap ([`Monitor::memory_totals`]);
    /// natively both are the pages the kernel's page-use table says are in use (no sharing:
    /// V = M). A pass over memory, cheap enough to sample a run every simulated millisecond.
    pub fn footprint(&self) -> (u32, u32) {
        match &self.os {
            Os::Disco(mon) => {
                let t = mon.memory_totals();
                (t.v_total(), t.m_pages)
            }
            Os::Native => {
                let used = self
                    .page_uses(0)
                    .map_or(0, |u| u.iter().filter(|&&c| c != PageKind::Free as u8).count() as u32);
                (used, used)
            }
        }
    }

    /// Guest `g`'s console output so far.
    pub fn console(&self, g: usize) -> &[u8] {
        self.os.console(&self.machine, g)
    }

    /// Guest `g`'s exit code, once it has powered off.
    pub fn exit_code(&self, g: usize) -> Option<u32> {
        self.os.exit_code(&self.machine, g)
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
        self.os.console_input(&mut self.machine, g, text);
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
        if let Some(mon) = self.monitor() {
            for vm in mon.vms() {
                let s = vm.stats();
                for v in [s.user_cycles, s.kernel_cycles, s.instructions, s.traps, s.emulated] {
                    mix(v);
                }
                for v in [s.refills_direct, s.refills_l2tlb, s.refills_vtlb, s.refills_forwarded] {
                    mix(v);
                }
                s.monitor_cycles.iter().for_each(|&v| mix(v));
                mix(u64::from(vm.halted().unwrap_or(u32::MAX)));
                for gppn in 0..vm.pmap().pages() {
                    let mppn = vm.pmap().get(monitor::Gppn(gppn));
                    mix(u64::from(mppn.map_or(u32::MAX, |p| p.0)));
                }
                // The NUMA policy's work and where its replicas are (only once it has done
                // something, so that runs without it keep their hashes).
                let numa = [s.migrations, s.replications, s.collapses, s.reclaimed];
                if numa.iter().any(|&v| v > 0) {
                    numa.iter().for_each(|&v| mix(v));
                    for (gppn, copies) in vm.pmap().replicated() {
                        mix(u64::from(gppn.0));
                        copies.iter().for_each(|c| mix(u64::from(c.0)));
                    }
                }
            }
        }
        h
    }

    /// The kind code of guest `g`'s guest-physical page `gppn` from its page-use table.
    fn kind_of(uses: Option<&Vec<u8>>, gppn: u32) -> u8 {
        match uses.and_then(|u| u.get(gppn as usize)) {
            Some(&c) if c <= PageKind::BufferCache as u8 => c,
            _ => PageKind::Unknown as u8,
        }
    }

    /// Owner and kind of every machine page.
    pub fn page_map(&self, heat: bool) -> PageMap {
        let pages = self.machine.config().pages();
        let nodes = self.machine.config().nodes as usize;
        let mut owner = vec![OWNER_FREE; pages as usize];
        let mut kind = vec![PageKind::Free as u8; pages as usize];
        let uses: Vec<Option<Vec<u8>>> =
            (0..self.guests.len()).map(|g| self.page_uses(g)).collect();
        for p in 0..pages {
            let (o, guest) = self.os.owner(Mppn(p));
            let k = match (o, guest) {
                (OWNER_MONITOR, _) => PageKind::Monitor as u8,
                (_, Some((g, gppn))) => match &self.os {
                    // Natively a page the kernel does not use is free machine memory.
                    Os::Native if uses[0].is_none() => PageKind::Free as u8,
                    Os::Native => Self::kind_of(uses[0].as_ref(), gppn),
                    // A page the guest has freed is still the VM's memory: show it as the
                    // VM's, of unknown use, not as free machine memory.
                    Os::Disco(_) => match Self::kind_of(uses[g].as_ref(), gppn) {
                        0 => PageKind::Unknown as u8,
                        c => c,
                    },
                },
                _ => PageKind::Free as u8,
            };
            if k != PageKind::Free as u8 || o == OWNER_MONITOR {
                owner[p as usize] = o;
                kind[p as usize] = k;
            }
        }
        let heat = heat.then(|| {
            let mut h = Vec::with_capacity(pages as usize * nodes);
            for p in 0..pages {
                let row = self.machine.page_heat(Mppn(p));
                h.extend((0..nodes).map(|n| row.get(n).copied().unwrap_or(0)));
            }
            h
        });
        let replicas = match self.monitor() {
            Some(mon) if mon.numa_totals().replica_pages.iter().any(|&n| n > 0) => (0..pages)
                .filter(|&p| matches!(mon.memmap().owner(Mppn(p)), PageOwner::Replica { .. }))
                .collect(),
            _ => Vec::new(),
        };
        let shared = self.monitor().map(sharing::marks).unwrap_or_default();
        PageMap { owner, kind, heat, replicas, shared }
    }

    /// Everything about machine page `page`; `None` beyond memory.
    pub fn page_info(&self, page: Mppn) -> Option<PageInfo> {
        let c = self.machine.config();
        if page.0 >= c.pages() {
            return None;
        }
        let (owner, guest) = self.os.owner(page);
        let kind = match (owner, guest) {
            (OWNER_MONITOR, _) => PageKind::Monitor,
            (_, Some((g, gp))) => match self.page_uses(g).and_then(|u| u.get(gp as usize).copied())
            {
                Some(c) => PageKind::from_code(c),
                None => PageKind::Unknown,
            },
            _ => PageKind::Free,
        };
        let owner =
            if self.monitor().is_none() && kind == PageKind::Free { OWNER_FREE } else { owner };
        let heat = self.machine.page_heat(page);
        let (replica, copies, moves) = match self.monitor() {
            Some(mon) => {
                let o = mon.memmap().owner(page);
                let copies = o.guest_page().map(|(vm, gppn)| mon.copies(vm, gppn));
                let copies: Vec<PageAt> = match copies {
                    Some(c) if c.len() > 1 => {
                        c.into_iter().filter(|&p| p != page).map(|p| numa::at(mon, p)).collect()
                    }
                    _ => Vec::new(),
                };
                let replica = matches!(o, PageOwner::Replica { .. });
                let mut moves = match o.guest_page() {
                    Some((vm, gppn)) => self.numa_history.of(vm.0, gppn.0),
                    None => Vec::new(),
                };
                moves.truncate(PageInfo::MAX_MOVES);
                (replica, copies, moves)
            }
            None => (false, Vec::new(), Vec::new()),
        };
        Some(PageInfo {
            page: page.0,
            node: u32::from(c.node_of_page(page).0),
            owner,
            kind,
            guest_page: guest.map(|(_, gp)| gp),
            heat: (0..c.nodes as usize).map(|n| heat.get(n).copied().unwrap_or(0)).collect(),
            replica,
            copies,
            moves,
            shared: self
                .monitor()
                .and_then(|mon| sharing::shared_page(mon, page, &self.disk_images)),
        })
    }

    /// The cumulative counters now — what the views draw —, without the deltas (segments and
    /// console text are left empty: [`Simulation::take_frame`] hands those out). Reading them
    /// changes nothing.
    pub fn counters(&self) -> Frame {
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
        f.numa = self.monitor().map(|mon| {
            let t = mon.numa_totals();
            Box::new(NumaFrame {
                migrations: t.migrations,
                replications: t.replications,
                collapses: t.collapses,
                reclaimed: t.reclaimed,
                arrivals: t.per_node.iter().map(|n| [n.migrations, n.replications]).collect(),
                replica_pages: t.replica_pages,
                ..NumaFrame::default()
            })
        });
        f.sharing = self.monitor().map(|mon| {
            let t = mon.memory_totals();
            Box::new(SharingFrame {
                v_pages: t.v_pages,
                m_pages: t.m_pages,
                shared_pages: t.shared_pages,
                cow_breaks: t.cow_breaks,
                cache_hits: t.cache_hits,
                top: sharing::top(mon, &self.disk_images),
                net: {
                    let n = mon.net_totals();
                    NetFrame {
                        frames: n.sent,
                        bytes_copied: n.bytes_copied,
                        pages_remapped: n.pages_remapped,
                        dropped: n.dropped,
                    }
                },
                ..SharingFrame::default()
            })
        });
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
            match self.os.monitor().and_then(|mon| mon.vm(VmId::of_index(g))) {
                Some(vm) => {
                    let s = vm.stats();
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
        f
    }

    /// Takes what happened since the previous call: the scheduling segments that ended and
    /// each guest's new console text. Each is handed out once.
    pub fn take_deltas(&mut self) -> (Vec<Segment>, Vec<ConsoleText>) {
        let segments = self.timeline.take();
        let mut console = Vec::new();
        for g in 0..self.guests.len() {
            let out = self.os.console(&self.machine, g);
            let sent = self.console_sent[g].min(out.len());
            if sent < out.len() {
                let text = String::from_utf8_lossy(&out[sent..]).into_owned();
                self.console_sent[g] = out.len();
                console.push(ConsoleText { guest: g as u16, text });
            }
        }
        (segments, console)
    }

    /// Takes the NUMA policy's actions since the previous call (the latest
    /// [`NumaFrame::MAX_EVENTS`]) and how many others there were; natively none.
    pub fn take_numa_events(&mut self) -> (Vec<NumaEvent>, u64) {
        let Some(mon) = self.os.monitor() else { return (Vec::new(), 0) };
        let (mut events, missed, next) = numa::since(mon, self.numa_sent);
        self.numa_sent = next;
        for e in &events {
            self.numa_history.record(e);
        }
        let dropped = numa::bound(&mut events, NumaFrame::MAX_EVENTS);
        (events, missed + dropped as u64)
    }

    /// The next frame for the views: [`Simulation::counters`] with the deltas of
    /// [`Simulation::take_deltas`] and [`Simulation::take_numa_events`].
    pub fn take_frame(&mut self) -> Frame {
        let mut f = self.counters();
        (f.segments, f.console) = self.take_deltas();
        let (events, skipped) = self.take_numa_events();
        if let Some(n) = &mut f.numa {
            (n.events, n.skipped) = (events, skipped);
        }
        if let (Some(s), Some(mon)) = (&mut f.sharing, self.os.monitor()) {
            let (breaks, skipped, next) = sharing::breaks_since(mon, self.sharing_sent);
            (s.breaks, s.breaks_skipped, self.sharing_sent) = (breaks, skipped, next);
        }
        f
    }
}
