//! The machine: CPUs plus everything else ([`System`]), and the loop that runs them.
//!
//! CPUs take turns in fixed quanta of cycles, in CPU order; between quanta, due device events
//! run, interrupt lines are pushed to the CPUs, start requests are honoured, and hot-page
//! events are collected. A quantum never runs past the next device event, so a completion
//! is seen at the cycle it was scheduled for. Nothing here reads the host's clock: the same
//! configuration and images give the same run, bit for bit.

use mips::{Cpu, Exception, Exit};

use crate::config::{ConfigError, MachineConfig};
use crate::device::{DeviceCtx, Irq};
use crate::devices::Devices;
use crate::event::EventQueue;
use crate::hash::Fnv64;
use crate::hot_page::HotPageEvent;
use crate::loader::{self, Image, LoadError};
use crate::memsys::MemorySystem;
use crate::port::Port;
use crate::stats::MemStats;

/// Everything of the machine except the CPUs (so a CPU can run against it).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct System {
    /// RAM, caches, directory, counters.
    pub mem: MemorySystem,
    /// Devices.
    pub devices: Devices,
    /// Pending device events.
    pub events: EventQueue,
    /// Interrupt-controller state.
    pub irq: Irq,
    /// Set when the machine halts, with the exit code.
    pub halt: Option<u32>,
    /// Cycles an uncached device access costs.
    pub device_cycles: u64,
}

/// Something the machine reports to its owner, in order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MachineEvent {
    /// A page became hot.
    HotPage(HotPageEvent),
    /// A secondary CPU was started.
    CpuStarted {
        /// The CPU.
        cpu: usize,
        /// Its start address.
        pc: u32,
        /// Cycle.
        cycle: u64,
    },
    /// The machine halted.
    Halted {
        /// Exit code.
        code: u32,
        /// Cycle.
        cycle: u64,
    },
}

/// Who runs the machine: the bare machine's owner logs; the monitor emulates.
pub trait Owner {
    /// CPU `cpu` reported an exception (only those in its report mask are reported). The CPU
    /// resumes after the call; the owner may change its state first.
    fn exception(&mut self, m: &mut Machine, cpu: usize, e: Exception);
    /// A machine event happened.
    fn event(&mut self, m: &mut Machine, e: MachineEvent) {
        let _ = (m, e);
    }
    /// A round of quanta is about to start at `m.now()`: the owner may change what the CPUs
    /// run (a monitor schedules virtual CPUs here).
    fn quantum(&mut self, m: &mut Machine) {
        let _ = m;
    }
}

/// The bare machine's owner: keeps the event log.
#[derive(Debug, Default)]
pub struct Log {
    /// Events, oldest first (at most [`Log::CAP`]).
    pub events: Vec<MachineEvent>,
    /// Events that did not fit.
    pub dropped: u64,
}

impl Log {
    /// Largest log kept.
    pub const CAP: usize = 100_000;
}

impl Owner for Log {
    fn exception(&mut self, _m: &mut Machine, _cpu: usize, _e: Exception) {}

    fn event(&mut self, _m: &mut Machine, e: MachineEvent) {
        if self.events.len() < Self::CAP {
            self.events.push(e);
        } else {
            self.dropped += 1;
        }
    }
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The requested cycles ran.
    Budget,
    /// The machine halted with this exit code.
    Halted(u32),
}

/// Statistics of one CPU.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CpuSummary {
    /// Cycles.
    pub cycles: u64,
    /// Instructions.
    pub instructions: u64,
    /// Cycles executing in each mode: kernel, supervisor, user (idle and charged cycles are
    /// counted apart, not in any mode).
    pub cycles_by_mode: [u64; 3],
    /// Cycles with nothing to run (WAIT, or parked).
    pub idle_cycles: u64,
    /// Cycles the owner charged for work on the CPU's behalf (a monitor's emulation).
    pub charged_cycles: u64,
    /// Exceptions taken, by ExcCode.
    pub exceptions: Vec<u64>,
    /// Memory-system counters.
    pub mem: MemStats,
}

/// The simulated multiprocessor: `Clone` and serde give snapshots (the whole state; the
/// CPUs' decoded-instruction and translation caches restart empty, which changes nothing but
/// host speed).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Machine {
    cfg: MachineConfig,
    /// Each CPU's interrupt lines as they stood when the current round of quanta began.
    lines: Vec<u32>,
    /// The CPUs.
    pub cpus: Vec<Cpu>,
    started: Vec<bool>,
    parked: Vec<bool>,
    /// Everything else.
    pub sys: System,
    now: u64,
}

impl Machine {
    /// A machine with the given configuration and disk images, CPUs not started.
    pub fn new(cfg: MachineConfig, disks: Vec<Vec<u8>>) -> Result<Machine, ConfigError> {
        cfg.validate()?;
        if disks.len() > crate::address_map::MAX_DISKS as usize {
            return Err(ConfigError {
                field: "disks",
                message: format!(
                    "{} disk images; the address map has room for {}",
                    disks.len(),
                    crate::address_map::MAX_DISKS
                ),
            });
        }
        let n = cfg.cpus();
        let cpus = (0..n)
            .map(|i| {
                let mut c = Cpu::new(i as u32, cfg.tlb_entries as usize);
                c.set_icache_line(cfg.cache.line_bytes);
                let sets = cfg.cache.size_kb * 1024 / cfg.cache.line_bytes / cfg.cache.assoc;
                c.cp0.set_cache_geometry(sets, cfg.cache.line_bytes, cfg.cache.assoc);
                c
            })
            .collect();
        let sys = System {
            mem: MemorySystem::new(&cfg),
            devices: Devices::new(&cfg, disks),
            events: EventQueue::default(),
            irq: Irq::new(n),
            halt: None,
            device_cycles: cfg.cycles(cfg.latency.device_ns),
        };
        Ok(Machine {
            started: vec![false; n],
            parked: vec![false; n],
            lines: vec![0; n],
            cpus,
            sys,
            now: 0,
            cfg,
        })
    }

    /// Loads a bare-metal image and starts CPU 0 at its entry: kernel mode, Status = 0
    /// (exception vectors at EBase 0x80000000, interrupts off), `$sp` at the top of node 0's
    /// memory (kseg0), `$a0` = 0 (the CPU number).
    pub fn boot(&mut self, image: &[u8]) -> Result<Image, LoadError> {
        let img = loader::load(&mut self.sys.mem.ram, image)?;
        let sp = abi::segments::KSEG0 + self.cfg.node_bytes() - 16;
        self.start_cpu(0, img.entry, sp);
        Ok(img)
    }

    /// Starts CPU `cpu` at `pc` with `$sp` = `sp` and `$a0` = its number, kernel mode.
    pub fn start_cpu(&mut self, cpu: usize, pc: u32, sp: u32) {
        let Some(c) = self.cpus.get_mut(cpu) else { return };
        c.write_cp0(mips::cp0::reg::STATUS, 0);
        c.set_gpr(29, sp);
        c.set_gpr(4, cpu as u32);
        c.set_pc(pc);
        if !self.started[cpu] {
            // Its clock starts now: it did not exist for the machine before.
            c.skip_to(self.now);
            self.started[cpu] = true;
        }
    }

    /// Parks or unparks a started CPU: a parked CPU runs nothing; its clock advances with the
    /// machine's as idle time (a monitor parks a CPU that has no virtual CPU to run).
    pub fn set_parked(&mut self, cpu: usize, parked: bool) {
        if let Some(p) = self.parked.get_mut(cpu) {
            *p = parked;
        }
    }

    /// True if `cpu` is parked.
    pub fn parked(&self, cpu: usize) -> bool {
        self.parked.get(cpu).copied().unwrap_or(false)
    }

    /// Marks CPU `cpu` as part of the run without changing its state (an owner that sets the
    /// CPU's state itself, like a monitor, starts it this way); its clock starts now.
    pub fn activate_cpu(&mut self, cpu: usize) {
        if let Some(c) = self.cpus.get_mut(cpu)
            && !self.started[cpu]
        {
            c.skip_to(self.now);
            self.started[cpu] = true;
        }
    }

    /// The configuration.
    pub fn config(&self) -> &MachineConfig {
        &self.cfg
    }

    /// The machine's time: the end of the last quantum.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// True if CPU `cpu` has been started.
    pub fn started(&self, cpu: usize) -> bool {
        self.started.get(cpu).copied().unwrap_or(false)
    }

    /// The exit code, once halted.
    pub fn halted(&self) -> Option<u32> {
        self.sys.halt
    }

    /// Everything the console printed.
    pub fn console(&self) -> &[u8] {
        self.sys.devices.console.output()
    }

    /// The first point of the quantum grid at or after `cycle`: running to such points (and
    /// only those) makes a run independent of how it is cut into calls.
    pub fn quantum_grid(&self, cycle: u64) -> u64 {
        let q = u64::from(self.cfg.quantum_cycles);
        cycle.div_ceil(q) * q
    }

    /// Runs for `cycles` more cycles (or until halt), reporting to `owner`.
    pub fn run<O: Owner>(&mut self, cycles: u64, owner: &mut O) -> Stop {
        let until = self.now.saturating_add(cycles);
        while self.now < until {
            if let Some(code) = self.sys.halt {
                return Stop::Halted(code);
            }
            owner.quantum(self);
            if let Some(code) = self.sys.halt {
                return Stop::Halted(code);
            }
            // Rounds end on the quantum grid (multiples of the quantum since power-on) or at a
            // device event, never relative to where a caller's run began: a caller that
            // stops on the grid ([`Machine::quantum_grid`]) gets the same run however it
            // cuts it.
            let q = u64::from(self.cfg.quantum_cycles);
            let mut end = ((self.now / q + 1) * q).min(until);
            if let Some(next) = self.sys.events.next_cycle() {
                end = end.min(next.max(self.now + 1));
            }
            // Interrupts raised during a round reach other CPUs at the next round, never before
            // they were raised in simulated time; a CPU's own acknowledge lowers its line at once.
            for i in 0..self.cpus.len() {
                self.lines[i] = self.sys.irq.lines(i);
            }
            for i in 0..self.cpus.len() {
                if !self.started[i] {
                    continue;
                }
                if self.parked[i] {
                    self.cpus[i].idle_to(end);
                    continue;
                }
                self.cpus[i].set_interrupt_lines(self.lines[i]);
                loop {
                    // The owner may park the CPU while handling its exception (a monitor
                    // whose virtual CPU went idle): it stops at once, idle until the round ends.
                    if self.parked[i] {
                        self.cpus[i].idle_to(end);
                        break;
                    }
                    let exit = self.cpus[i].run(&mut Port { sys: &mut self.sys, cpu: i }, end);
                    match exit {
                        Exit::Budget => break,
                        Exit::Stopped => {
                            if self.sys.halt.is_some() {
                                break;
                            }
                            self.lines[i] &= self.sys.irq.lines(i);
                            self.cpus[i].set_interrupt_lines(self.lines[i]);
                            self.start_requested(owner);
                        }
                        Exit::Exception(e) => owner.exception(self, i, e),
                    }
                }
                if self.sys.halt.is_some() {
                    break;
                }
            }
            self.now = end;
            self.between_quanta(owner);
        }
        match self.sys.halt {
            Some(code) => Stop::Halted(code),
            None => Stop::Budget,
        }
    }

    /// Runs until the machine halts or `max_cycles` pass; the exit code if it halted.
    pub fn run_to_halt<O: Owner>(&mut self, max_cycles: u64, owner: &mut O) -> Option<u32> {
        match self.run(max_cycles, owner) {
            Stop::Halted(code) => Some(code),
            Stop::Budget => None,
        }
    }

    fn start_requested<O: Owner>(&mut self, owner: &mut O) {
        for (cpu, pc, sp) in std::mem::take(&mut self.sys.irq.starts) {
            let was = self.started[cpu];
            self.start_cpu(cpu, pc, sp);
            if !was {
                owner.event(self, MachineEvent::CpuStarted { cpu, pc, cycle: self.now });
            }
        }
    }

    fn between_quanta<O: Owner>(&mut self, owner: &mut O) {
        while let Some((cycle, kind)) = self.sys.events.pop_due(self.now) {
            let s = &mut self.sys;
            let mut ctx = DeviceCtx {
                cpu: usize::MAX,
                now: cycle,
                mem: &mut s.mem,
                events: &mut s.events,
                irq: &mut s.irq,
                halt: &mut s.halt,
            };
            s.devices.event(kind, &mut ctx);
        }
        self.start_requested(owner);
        self.sys.mem.hot.advance(self.now);
        for e in self.sys.mem.hot.take_events() {
            owner.event(self, MachineEvent::HotPage(e));
        }
        if let Some(code) = self.sys.halt {
            owner.event(self, MachineEvent::Halted { code, cycle: self.now });
        }
    }

    /// Types `bytes` on the console (the guest reads them from RX; with CTRL set, the console
    /// interrupt is raised).
    pub fn console_input(&mut self, bytes: &[u8]) {
        let s = &mut self.sys;
        s.devices.console.push_input(bytes);
        let mut ctx = DeviceCtx {
            cpu: usize::MAX,
            now: self.now,
            mem: &mut s.mem,
            events: &mut s.events,
            irq: &mut s.irq,
            halt: &mut s.halt,
        };
        s.devices.console.update_irq(&mut ctx);
    }

    /// Delivers a network frame to the guest's interface.
    pub fn net_inject(&mut self, frame: Vec<u8>) {
        let s = &mut self.sys;
        let mut ctx = DeviceCtx {
            cpu: usize::MAX,
            now: self.now,
            mem: &mut s.mem,
            events: &mut s.events,
            irq: &mut s.irq,
            halt: &mut s.halt,
        };
        s.devices.net.inject(frame, &mut ctx);
    }

    /// Reads a device register as CPU `cpu` would (for an owner driving devices itself, like a
    /// monitor using the disk controller on a VM's behalf). `None` if nothing is there.
    pub fn device_read(&mut self, cpu: usize, pa: u32) -> Option<u32> {
        let now = self.cpus.get(cpu).map_or(self.now, |c| c.cycles());
        let s = &mut self.sys;
        let mut ctx = DeviceCtx {
            cpu,
            now,
            mem: &mut s.mem,
            events: &mut s.events,
            irq: &mut s.irq,
            halt: &mut s.halt,
        };
        s.devices.read(pa, &mut ctx)
    }

    /// Writes a device register as CPU `cpu` would. `None` if nothing is there.
    pub fn device_write(&mut self, cpu: usize, pa: u32, value: u32) -> Option<()> {
        let now = self.cpus.get(cpu).map_or(self.now, |c| c.cycles());
        let s = &mut self.sys;
        let mut ctx = DeviceCtx {
            cpu,
            now,
            mem: &mut s.mem,
            events: &mut s.events,
            irq: &mut s.irq,
            halt: &mut s.halt,
        };
        s.devices.write(pa, value, &mut ctx)
    }

    /// Frames the guest sent since the last call.
    pub fn net_take_sent(&mut self) -> Vec<Vec<u8>> {
        self.sys.devices.net.take_sent()
    }

    /// Statistics of CPU `cpu`.
    pub fn cpu_summary(&self, cpu: usize) -> CpuSummary {
        let c = &self.cpus[cpu];
        let s = c.stats();
        CpuSummary {
            cycles: c.cycles(),
            instructions: s.instructions,
            cycles_by_mode: s.cycles_by_mode,
            idle_cycles: s.idle_cycles,
            charged_cycles: s.charged_cycles,
            exceptions: s.exceptions.to_vec(),
            mem: self.sys.mem.stats(cpu).clone(),
        }
    }

    /// Memory-system counters of node `node`: the sum over its CPUs.
    pub fn node_summary(&self, node: crate::ids::NodeId) -> MemStats {
        let mut total = MemStats::default();
        for cpu in (0..self.cpus.len()).filter(|&c| self.cfg.node_of_cpu(c) == node.index()) {
            total.add(self.sys.mem.stats(cpu));
        }
        total
    }

    /// Sets the hot-page counters' threshold from now on (see [`HotPages::set_threshold`]).
    ///
    /// [`HotPages::set_threshold`]: crate::hot_page::HotPages::set_threshold
    pub fn set_hot_page_threshold(&mut self, threshold: u32) {
        self.sys.mem.hot.set_threshold(threshold);
    }

    /// Sets the hot-page counters' reset interval and sampling from now on (see
    /// [`HotPages::set_interval_and_sample`]).
    ///
    /// [`HotPages::set_interval_and_sample`]: crate::hot_page::HotPages::set_interval_and_sample
    pub fn set_hot_page_counting(&mut self, interval_cycles: u64, sample: u32) {
        self.sys.mem.hot.set_interval_and_sample(interval_cycles, sample);
    }

    /// Cache misses to machine page `page` from each node since the start (the heat map).
    pub fn page_heat(&self, page: crate::ids::Mppn) -> &[u32] {
        self.sys.mem.hot.heat(page)
    }

    /// A stable hash of the machine's state: every CPU's registers and counters, memory,
    /// console output and memory-system counters. Equal runs give equal hashes.
    pub fn run_hash(&self) -> u64 {
        let mut h = Fnv64::default();
        h.u64(self.now);
        for (i, c) in self.cpus.iter().enumerate() {
            for r in 0..32 {
                h.u32(c.gpr(r));
            }
            h.u32(c.hi).u32(c.lo).u32(c.pc()).u64(c.cycles()).u64(c.instructions());
            h.u32(c.cp0.status).u32(c.cp0.cause).u32(c.cp0.epc).u32(c.cp0.entry_hi);
            let m = self.sys.mem.stats(i);
            h.u64(m.hits).u64(m.local_misses).u64(m.remote_misses).u64(m.coherence_misses);
            h.u64(m.upgrades).u64(m.stall_cycles);
        }
        h.bytes(self.sys.mem.ram.bytes());
        h.bytes(self.console());
        h.finish()
    }
}
