//! `disco experiment NAME`: reproduce one of the paper's figures — run its configurations to
//! completion, in parallel over the host's cores, and set our numbers beside the paper's.
//!
//! An [`Experiment`] is a list of configurations (each a whole [`Scenario`]) and a rule that
//! turns their measurements into bars (one number per configuration and metric); the paper's
//! value for each bar comes from `crates/cli/data/paper.json` ([`crate::paper`]). Everything
//! else is shared by every experiment:
//!
//! ```text
//! configs(size) ──rayon──▶ run each to the end ──▶ Measured ──bars()──▶ Bar ──▶ table (stdout)
//!   (Scenario)            (checksums must pass)    (raw counts)          + paper   NAME.csv
//!                                                                                  NAME.json
//!                                                                                  NAME.svg
//! ```
//!
//! Fig. 5 ([`fig5`]: the overhead of virtualization), Table 2 ([`table2`]: the kernel services
//! it slows), Fig. 6 ([`fig6`]: memory shared between VMs), Fig. 7 ([`fig7`]: scalability,
//! one 8-CPU kernel against several smaller VMs) and Fig. 8 ([`fig8`]: the NUMA policy) are
//! here, each an entry of [`EXPERIMENTS`]. `disco experiment all` runs every one in turn. Every run is deterministic and the files hold no host
//! times, so the same commit writes the same files on any host; only the progress on stderr
//! depends on the host.

mod fig5;
mod fig6;
mod fig7;
mod fig8;
mod table2;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sim::assets::Assets;
use sim::scenario::Scenario;
use sim::simulation::Simulation;

use crate::chart::{Chart, Group, Pair, Panel};
use crate::paper::{Figure, Paper};

/// Options of `disco experiment`.
#[derive(Args, Debug)]
pub struct ExperimentArgs {
    /// The experiment: fig5 (the overhead of virtualization: four workloads natively and in a
    /// VM on one CPU), table2 (the kernel services under the monitor: pmake on one CPU), fig6
    /// (memory: V and M of pmake in 1 to 8 VMs sharing one copy-on-write image), fig7
    /// (scalability: eight pmake builds on one 8-CPU OS or split between 1 to 8 VMs; radix
    /// natively and on SPLASHOS), fig8
    /// (the NUMA policy: migration and replication against the NUMA-unaware OS and a UMA
    /// machine), or all (every one in turn).
    name: String,
    /// Workload size: tiny (seconds: a quick look, and the test's) or full (minutes per run:
    /// the figure).
    #[arg(long, value_enum, default_value_t = Size::Full)]
    size: Size,
    /// Where to write NAME.csv, NAME.json and NAME.svg (created if missing).
    #[arg(long, default_value = "target/experiments")]
    out: PathBuf,
    /// Runs at once (default: the host's cores). Each run takes one core.
    #[arg(long)]
    jobs: Option<usize>,
    /// Where the kernels and disk images are.
    #[arg(long, default_value = "target/guests")]
    assets: PathBuf,
    /// Give up on a run after this many machine cycles (an error: every run must finish).
    #[arg(long, default_value_t = 100_000_000_000)]
    max_cycles: u64,
    /// Run nothing: take the runs from DIR/NAME.json, written by an earlier run of the same
    /// experiment, and write the table, the files and the chart again from them (after a
    /// change to how an experiment presents its results; a change to what it runs needs new
    /// runs).
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// Each CPU's cache, KB, in every run (a power of two, 16–16384; default: each
    /// experiment's machine, 256 KB). The paper's machine had a 1 MB board cache (§5.1).
    #[arg(long, value_name = "KB")]
    cache_kb: Option<u32>,
}

/// Which variant of the workloads an experiment runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Size {
    /// The `-tiny` workloads: a few host seconds per run.
    Tiny,
    /// The `-full` workloads: the paper's figure, minutes per run.
    Full,
}

impl Size {
    /// Its name, the workloads' suffix (`engineering-tiny`).
    pub fn name(self) -> &'static str {
        match self {
            Size::Tiny => "tiny",
            Size::Full => "full",
        }
    }
}

/// One of the paper's figures as an experiment.
pub struct Experiment {
    /// Its name on the command line and in the file names (`fig8`); also its entry in
    /// `paper.json`.
    pub id: &'static str,
    /// The machine and what runs on it, in a line (the chart's subtitle).
    pub setup: &'static str,
    /// The metrics it reports, in table and chart order.
    pub metrics: &'static [Metric],
    /// The runs it needs at a size, in table order.
    pub configs: fn(Size) -> Vec<Config>,
    /// Its bars (ours only: the paper's are added from `paper.json`), from the runs'
    /// measurements, which come in the order of `configs`.
    pub bars: fn(&[Measured]) -> Result<Vec<Bar>, String>,
    /// The rows of its table and the bar pairs of its chart, in order: its runs
    /// ([`rows_are_configs`]), or what the bars are of when that is something else (Table 2:
    /// one row per kernel service, from two runs).
    pub rows: fn(&[Config]) -> Vec<Row>,
    /// Sample the memory footprint (V and M) every simulated millisecond of each run
    /// ([`Measured::memory`]); it costs a pass over memory per sample, so only Fig. 6 asks.
    pub samples_memory: bool,
}

/// A part of a run bracketed by two lines its guests print: from the first guest's `start` line
/// to the last guest's `end` line (each guest must print both).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// The line (whole, exactly) that opens it.
    pub start: &'static str,
    /// The line that closes it.
    pub end: &'static str,
}

/// How finely a run with a [`Window`] is sliced to see its lines, in simulated µs: the
/// window's edges are known to this much.
pub const WINDOW_SLICE_US: u64 = 50;

/// A row of an experiment's table: the bars of one configuration (or, in Table 2, one kernel
/// service).
#[derive(Serialize)]
pub struct Row {
    /// The bars' `config` id.
    pub id: String,
    /// Its group in the table and the chart (`engineering`).
    pub workload: &'static str,
    /// A short label under its bars.
    pub label: String,
    /// What it is, for the table.
    pub description: String,
}

/// The usual rows: one per run, as the configurations describe themselves.
pub fn rows_are_configs(configs: &[Config]) -> Vec<Row> {
    configs
        .iter()
        .map(|c| Row {
            id: c.id.clone(),
            workload: c.workload,
            label: c.label.to_string(),
            description: c.description.to_string(),
        })
        .collect()
}

/// A metric of an experiment.
#[derive(Serialize)]
pub struct Metric {
    /// Its id in the CSV and in `paper.json` (`time`).
    pub id: &'static str,
    /// Its column heading in the table.
    pub column: &'static str,
    /// Its panel title in the chart.
    pub title: &'static str,
    /// Decimals it is given to (in the table, the CSV and the chart).
    pub decimals: u8,
}

/// One configuration of an experiment: a scenario run to the end.
pub struct Config {
    /// Its id in the CSV and in `paper.json`: workload and configuration
    /// (`engineering/native`).
    pub id: String,
    /// The workload it belongs to (the chart's and table's group).
    pub workload: &'static str,
    /// A short label under its bars (`, ` breaks lines).
    pub label: &'static str,
    /// What it is, for the table.
    pub description: &'static str,
    /// What runs.
    pub scenario: Scenario,
    /// Measure also the part of the run between two console lines ([`Measured::window`]);
    /// only Fig. 7's pmake runs ask, to leave out the reads that warm the file cache.
    pub window: Option<Window>,
}

/// What one run measured: the raw figures behind the bars (all simulated, none from the host).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measured {
    /// The configuration's id.
    pub config: String,
    /// The scenario it ran.
    pub scenario: Scenario,
    /// Machine cycles to the last guest's power-off.
    pub cycles: u64,
    /// The same in simulated seconds.
    pub simulated_s: f64,
    /// Instructions of all CPUs.
    pub instructions: u64,
    /// Cache misses served by the missing CPU's own node.
    pub local_misses: u64,
    /// Cache misses served by another node or another CPU's cache.
    pub remote_misses: u64,
    /// Pages the NUMA policy migrated.
    pub migrations: u64,
    /// Replicas it made.
    pub replications: u64,
    /// Replicated pages collapsed back to one copy by a write.
    pub collapses: u64,
    /// Replicas freed because a node ran short of memory.
    pub reclaimed: u64,
    /// Replica pages held at the end of the run.
    pub replica_pages: u64,
    /// CPU cycles of every guest by what ran: its user code, its kernel, the monitor on its
    /// behalf, and idle (a native run has one guest: the OS).
    pub user_cycles: u64,
    /// Guest kernel cycles (see `user_cycles`).
    pub kernel_cycles: u64,
    /// Monitor cycles (see `user_cycles`; 0 natively).
    pub monitor_cycles: u64,
    /// Idle cycles (see `user_cycles`).
    pub idle_cycles: u64,
    /// The first guest kernel's services (its own statistics: calls and cycles, paper Table 2);
    /// empty if its kernel keeps none.
    pub services: Vec<ServiceMeasured>,
    /// The run hash (16 hex digits), to compare runs across hosts and commits.
    pub run_hash: String,
    /// The memory footprint over the run, if the experiment samples it.
    pub memory: Option<MemoryMeasured>,
    /// The experiment's [`Window`] of the run, if it has one.
    pub window: Option<WindowMeasured>,
    /// The global page-allocator lock (IRIX's *memlock*) of every guest kernel that reports
    /// it on its shutdown line, summed; `None` if none does (SPLASHOS).
    pub memlock: Option<LockMeasured>,
}

/// What happened inside an experiment's [`Window`] of a run: the machine's cycles and every
/// guest's time by what ran, as in [`Measured`] (differences of the counters at its edges).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct WindowMeasured {
    /// The machine cycle of the first guest's start line (to [`WINDOW_SLICE_US`]).
    pub from_cycle: u64,
    /// The machine cycle of the last guest's end line.
    pub to_cycle: u64,
    /// Instructions of all CPUs inside.
    pub instructions: u64,
    /// Guest user cycles inside (every guest).
    pub user_cycles: u64,
    /// Guest kernel cycles inside.
    pub kernel_cycles: u64,
    /// Monitor cycles inside.
    pub monitor_cycles: u64,
    /// Guest idle cycles inside.
    pub idle_cycles: u64,
}

impl WindowMeasured {
    /// Its length in machine cycles.
    pub fn cycles(&self) -> u64 {
        self.to_cycle - self.from_cycle
    }
}

/// Totals of the counters a [`WindowMeasured`] is made of, at one moment.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    cycle: u64,
    instructions: u64,
    user: u64,
    kernel: u64,
    monitor: u64,
    idle: u64,
}

impl Totals {
    fn now(sim: &Simulation) -> Totals {
        let f = sim.counters();
        let sum = |part: fn(&sim::frame::GuestFrame) -> u64| f.guests.iter().map(part).sum::<u64>();
        Totals {
            cycle: f.cycle,
            instructions: f.instructions,
            user: sum(|g| g.user),
            kernel: sum(|g| g.kernel),
            monitor: sum(|g| g.monitor.iter().sum()),
            idle: sum(|g| g.idle),
        }
    }

    /// What happened from `self` to `to`.
    fn until(self, to: Totals) -> WindowMeasured {
        WindowMeasured {
            from_cycle: self.cycle,
            to_cycle: to.cycle,
            instructions: to.instructions - self.instructions,
            user_cycles: to.user - self.user,
            kernel_cycles: to.kernel - self.kernel,
            monitor_cycles: to.monitor - self.monitor,
            idle_cycles: to.idle - self.idle,
        }
    }
}

/// Watches the guests' consoles for a [`Window`]'s lines.
struct WindowWatch {
    window: Window,
    /// Per guest: console bytes already looked at, and whether it printed start and end.
    seen: Vec<(usize, bool, bool)>,
    start: Option<Totals>,
    done: Option<WindowMeasured>,
}

impl WindowWatch {
    /// A watch over the guests whose `takes_part` is true. The others (an NFS server, which
    /// only serves the builds) neither open nor close the window: they count as done.
    fn new(window: Window, takes_part: &[bool]) -> WindowWatch {
        let seen = takes_part.iter().map(|&t| (0, false, !t)).collect();
        WindowWatch { window, seen, start: None, done: None }
    }

    /// Looks at what the consoles printed since the last call.
    fn look(&mut self, sim: &Simulation) {
        for (g, (at, started, ended)) in self.seen.iter_mut().enumerate() {
            let console = sim.console(g);
            // Only whole lines: a line being printed is read when it is complete.
            let Some(last_newline) = console.iter().rposition(|&b| b == b'\n') else { continue };
            if last_newline < *at {
                continue;
            }
            let text = String::from_utf8_lossy(&console[*at..=last_newline]);
            *at = last_newline + 1;
            for line in text.lines() {
                *started |= line == self.window.start;
                *ended |= *started && line == self.window.end;
            }
        }
        if self.start.is_none() && self.seen.iter().any(|s| s.1) {
            self.start = Some(Totals::now(sim));
        }
        if let Some(start) = self.start
            && self.done.is_none()
            && self.seen.iter().all(|s| s.2)
        {
            self.done = Some(start.until(Totals::now(sim)));
        }
    }
}

/// A kernel lock's contention over a run, from dux's shutdown line (`dux: shutdown, code 0;
/// 123 pages allocated; memlock taken 456 times, 789 spins`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockMeasured {
    /// Times the lock was taken.
    pub taken: u64,
    /// Turns of the spin loop waiting for it while another CPU held it.
    pub spins: u64,
}

impl LockMeasured {
    /// The memlock figures of a console's dux shutdown line, if it has one.
    pub fn from_console(console: &str) -> Option<LockMeasured> {
        let line = console.lines().rev().find(|l| l.starts_with("dux: shutdown, "))?;
        let rest = &line[line.find("; memlock taken ")? + "; memlock taken ".len()..];
        let (taken, rest) = rest.split_once(" times, ")?;
        let spins = rest.strip_suffix(" spins")?;
        Some(LockMeasured { taken: taken.trim().parse().ok()?, spins: spins.trim().parse().ok()? })
    }
}

/// The memory footprint over a run (paper Fig. 6), in 4 KB pages: V, the guest pages backed by
/// machine memory (all guests), and M, the machine pages they use (a page shared by several
/// VMs once), sampled every [`MEMORY_SAMPLE_US`] of simulated time and at the end.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct MemoryMeasured {
    /// V at the sample where sharing saved the most (V − M largest; among equal savings the
    /// one with the largest V, so that natively, where V = M, it is the peak footprint).
    pub v_pages: u32,
    /// M at that sample.
    pub m_pages: u32,
    /// The machine cycle of that sample.
    pub at_cycle: u64,
    /// The largest V sampled.
    pub peak_v_pages: u32,
    /// The largest M sampled (not necessarily at the same sample as the largest V).
    pub peak_m_pages: u32,
    /// V when the last guest powered off.
    pub end_v_pages: u32,
    /// M then.
    pub end_m_pages: u32,
    /// Copy-on-write breaks in the whole run.
    pub cow_breaks: u64,
    /// Disk reads the global disk-block cache served by mapping a page, in the whole run.
    pub cache_hits: u64,
}

/// How often an experiment that samples memory reads V and M, in simulated µs.
pub const MEMORY_SAMPLE_US: u64 = 1_000;

impl MemoryMeasured {
    /// Takes one sample (V and M in pages) at `cycle`.
    fn sample(&mut self, cycle: u64, (v, m): (u32, u32)) {
        let saved = i64::from(v) - i64::from(m);
        let best = i64::from(self.v_pages) - i64::from(self.m_pages);
        if self.at_cycle == 0 || saved > best || saved == best && v > self.v_pages {
            (self.v_pages, self.m_pages, self.at_cycle) = (v, m, cycle.max(1));
        }
        self.peak_v_pages = self.peak_v_pages.max(v);
        self.peak_m_pages = self.peak_m_pages.max(m);
        (self.end_v_pages, self.end_m_pages) = (v, m);
    }
}

/// One kernel service as a run measured it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceMeasured {
    /// The service (`DEMAND_ZERO`, `open`).
    pub name: String,
    /// Calls.
    pub count: u64,
    /// Cycles spent in it, all CPUs.
    pub cycles: u64,
    /// Of those, the monitor's on TLB faults the kernel took (the paper's "kernel TLB
    /// faults"; 0 natively).
    #[serde(default)]
    pub tlb_cycles: u64,
    /// Of those, the monitor's other work: trap reflection, emulation, monitor calls (the
    /// paper's "other Disco"; 0 natively).
    #[serde(default)]
    pub monitor_cycles: u64,
}

impl ServiceMeasured {
    /// Mean time per call, in µs at `mhz`.
    pub fn mean_us(&self, mhz: f64) -> f64 {
        self.per_call_us(self.cycles, mhz)
    }

    /// `cycles` of this service per call, in µs at `mhz` (its parts: `tlb_cycles` ...).
    pub fn per_call_us(&self, cycles: u64, mhz: f64) -> f64 {
        cycles as f64 / mhz / self.count.max(1) as f64
    }
}

impl Measured {
    /// The service named `name`, if the first guest's kernel ran it.
    pub fn service(&self, name: &str) -> Option<&ServiceMeasured> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The machine's clock, MHz (cycles per simulated µs).
    pub fn mhz(&self) -> f64 {
        self.cycles as f64 / self.simulated_s.max(f64::MIN_POSITIVE) / 1e6
    }

    /// Every guest's cycles: user + kernel + monitor + idle.
    pub fn guest_cycles(&self) -> u64 {
        self.user_cycles + self.kernel_cycles + self.monitor_cycles + self.idle_cycles
    }

    /// The share of misses that cost the local latency, in %. On a UMA machine that is every
    /// miss — the machine's counters still say which node held the line, but the latency is
    /// the same everywhere, which is what the paper's UMA bar (100 % local) means.
    pub fn local_misses_pct(&self) -> f64 {
        if self.scenario.machine.uma {
            return 100.0;
        }
        100.0 * self.local_misses as f64 / (self.local_misses + self.remote_misses).max(1) as f64
    }
}

/// The paper's name for a user TLB refill, as a service ([`sim::simulation::Simulation::utlb`]).
pub const UTLB_MISS: &str = "UTLB_MISS";

/// One bar: a configuration's value of a metric, ours and the paper's. A row of `NAME.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct Bar {
    /// The experiment (`fig8`).
    pub figure: String,
    /// The configuration's id.
    pub config: String,
    /// The metric's id.
    pub metric: String,
    /// Our value, to its metric's decimals; `None` for a row the paper has and we cannot run
    /// (Fig. 6's NFS bar: the virtual subnet and NFS are not built).
    pub ours: Option<f64>,
    /// The paper's, if it printed one.
    pub paper: Option<f64>,
}

/// Every experiment, by name.
pub const EXPERIMENTS: &[Experiment] =
    &[fig5::FIG5, table2::TABLE2, fig6::FIG6, fig7::FIG7, fig8::FIG8];

/// Runs the command.
pub fn run(a: &ExperimentArgs) -> ExitCode {
    match run_inner(a) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("disco: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_inner(a: &ExperimentArgs) -> Result<(), String> {
    let chosen: Vec<&Experiment> = if a.name == "all" {
        EXPERIMENTS.iter().collect()
    } else {
        let Some(x) = EXPERIMENTS.iter().find(|x| x.id == a.name) else {
            let known: Vec<&str> = EXPERIMENTS.iter().map(|x| x.id).collect();
            return Err(format!("no experiment {:?} (known: {}, all)", a.name, known.join(", ")));
        };
        vec![x]
    };
    let paper = Paper::load()?;
    for x in &chosen {
        if paper.figure(x.id).is_none() {
            return Err(format!("crates/cli/data/paper.json has no figure {:?}", x.id));
        }
    }
    for x in chosen {
        run_experiment(x, &paper, a)?;
    }
    Ok(())
}

/// Runs one experiment and writes its files.
fn run_experiment(x: &Experiment, paper: &Paper, a: &ExperimentArgs) -> Result<(), String> {
    let figure = paper
        .figure(x.id)
        .ok_or_else(|| format!("crates/cli/data/paper.json has no figure {:?}", x.id))?;
    let jobs = match a.jobs {
        Some(0) => return Err("--jobs 0: at least one run must go at a time".into()),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    // Before the runs, which take minutes: a directory we cannot write is an error now.
    std::fs::create_dir_all(&a.out)
        .map_err(|e| format!("--out {}: cannot create the directory: {e}", a.out.display()))?;
    if let Some(kb) = a.cache_kb.filter(|kb| !(16..=16384).contains(kb) || !kb.is_power_of_two()) {
        return Err(format!(
            "--cache-kb {kb}: the cache must be a power of two from 16 to 16384 KB"
        ));
    }
    let mut configs = (x.configs)(a.size);
    for c in &mut configs {
        if let Some(kb) = a.cache_kb {
            c.scenario.machine.cache_kb = kb;
        }
        c.scenario.validate().map_err(|e| format!("{}: scenario: {e}", c.id))?;
    }
    let wall = Instant::now();
    let measured = match &a.from {
        Some(dir) => earlier_runs(x, &configs, dir)?,
        None => run_all(&configs, a, jobs, x)?,
    };
    let bars = with_paper(x, (x.bars)(&measured)?, figure);
    let rows = (x.rows)(&configs);
    let r = Results { x, paper, figure, size: a.size, rows: &rows, bars, measured };
    r.print_table();
    r.print_runs();
    let files = r.write_files(&a.out)?;
    println!("wrote {}", files.join(", "));
    match &a.from {
        Some(dir) => eprintln!("disco: {} runs taken from {}", configs.len(), dir.display()),
        None => eprintln!(
            "disco: {} runs in {:.1} s on {jobs} host thread{}",
            configs.len(),
            wall.elapsed().as_secs_f64(),
            if jobs == 1 { "" } else { "s" }
        ),
    }
    Ok(())
}

/// The runs of an earlier `disco experiment` in `dir/NAME.json`, which must be those of
/// `configs` (the same ids, in order).
fn earlier_runs(x: &Experiment, configs: &[Config], dir: &Path) -> Result<Vec<Measured>, String> {
    #[derive(Deserialize)]
    struct Runs {
        runs: Vec<Measured>,
    }
    let path = dir.join(format!("{}.json", x.id));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("--from: cannot read {}: {e}", path.display()))?;
    let runs: Runs = serde_json::from_str(&text)
        .map_err(|e| format!("--from: {} is not an experiment's results: {e}", path.display()))?;
    let ran: Vec<&str> = runs.runs.iter().map(|m| m.config.as_str()).collect();
    let want: Vec<&str> = configs.iter().map(|c| c.id.as_str()).collect();
    if ran != want {
        return Err(format!(
            "--from: {} has the runs {} where {} now runs {}: run it again",
            path.display(),
            ran.join(", "),
            x.id,
            want.join(", ")
        ));
    }
    Ok(runs.runs)
}

/// Runs every configuration, `jobs` at a time, with a progress bar on stderr (none when stderr
/// is not a terminal: then a line per finished run). The results come in the order of
/// `configs`, whichever finished first.
fn run_all(
    configs: &[Config],
    a: &ExperimentArgs,
    jobs: usize,
    x: &Experiment,
) -> Result<Vec<Measured>, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| format!("cannot start {jobs} threads: {e}"))?;
    let multi = MultiProgress::new();
    let total = multi.add(ProgressBar::new(configs.len() as u64));
    total.set_style(
        ProgressStyle::with_template("[{elapsed_precise}] {bar:30} {pos}/{len} runs")
            .map_err(|e| e.to_string())?,
    );
    total.enable_steady_tick(Duration::from_millis(500));
    let result = pool.install(|| {
        configs
            .par_iter()
            .map(|c| {
                let bar = multi.add(ProgressBar::new_spinner());
                if let Ok(style) = ProgressStyle::with_template("  {spinner} {prefix:<34} {msg}") {
                    bar.set_style(style);
                }
                bar.set_prefix(c.id.clone());
                let started = Instant::now();
                let m = run_one(c, a, &bar, x);
                bar.finish_and_clear();
                multi.remove(&bar);
                total.inc(1);
                if let Ok(m) = &m {
                    let line = format!(
                        "{}: {:.3} simulated s, {:.1} s host",
                        c.id,
                        m.simulated_s,
                        started.elapsed().as_secs_f64()
                    );
                    if multi.is_hidden() {
                        eprintln!("disco: {line}");
                    } else {
                        let _ = multi.println(line);
                    }
                }
                m
            })
            .collect::<Result<Vec<_>, String>>()
    });
    total.finish_and_clear();
    result
}

/// Runs one configuration to the end. A run that does not finish, or whose guest prints a
/// wrong checksum or exits non-zero, is an error: its numbers would not be the workload's.
fn run_one(
    c: &Config,
    a: &ExperimentArgs,
    bar: &ProgressBar,
    x: &Experiment,
) -> Result<Measured, String> {
    let s = &c.scenario;
    let assets = Assets::from_dir(&a.assets, s).map_err(|e| format!("{}: {e}", c.id))?;
    let mut sim = Simulation::new(s, &assets).map_err(|e| format!("{}: {e}", c.id))?;
    let mhz = f64::from(sim.layout().clock_mhz);
    // Slices of 0.1 simulated s: the bar moves every host second or so, and the result does
    // not depend on the slicing (runs stop on the machine's quantum grid).
    // Sampling memory cuts them finer: a millisecond.
    // A window's lines are looked for every 50 µs.
    let mut memory = x.samples_memory.then(MemoryMeasured::default);
    let takes_part: Vec<bool> = (sim.layout().guests.iter())
        .map(|g| !sim::workload::Workload::named(&g.workload).is_some_and(|w| w.is_nfs_server()))
        .collect();
    let mut window = c.window.map(|w| WindowWatch::new(w, &takes_part));
    let slice = match (&memory, &window) {
        (_, Some(_)) => WINDOW_SLICE_US * u64::from(sim.layout().clock_mhz),
        (Some(_), None) => MEMORY_SAMPLE_US * u64::from(sim.layout().clock_mhz),
        (None, None) => 20_000_000,
    };
    let mut last_message = 0;
    while !sim.finished() && sim.machine().now() < a.max_cycles {
        sim.run(slice.min(a.max_cycles - sim.machine().now()));
        if let Some(mem) = &mut memory {
            mem.sample(sim.machine().now(), sim.footprint());
        }
        if let Some(w) = &mut window {
            w.look(&sim);
        }
        let now = sim.machine().now();
        if now - last_message >= 20_000_000 || sim.finished() {
            last_message = now;
            bar.set_message(format!("{:.2} simulated s", now as f64 / (mhz * 1e6)));
            bar.tick();
        }
    }
    if !sim.finished() {
        return Err(format!("{}: still running after {} cycles", c.id, a.max_cycles));
    }
    for (g, info) in sim.layout().guests.iter().enumerate() {
        if sim.passed(g) != Some(true) {
            let console = String::from_utf8_lossy(sim.console(g)).into_owned();
            let tail: Vec<&str> = console.lines().rev().take(8).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "{}: {} ({}) did not print its checksums (exit code {:?}); its console ends:\n{}",
                c.id,
                info.name,
                info.workload,
                sim.exit_code(g),
                tail.join("\n")
            ));
        }
    }
    // Every dux kernel prints its memlock's figures as it shuts down; add them up.
    let memlock = (0..sim.layout().guests.len())
        .filter_map(|g| LockMeasured::from_console(&String::from_utf8_lossy(sim.console(g))))
        .reduce(|a, b| LockMeasured { taken: a.taken + b.taken, spins: a.spins + b.spins });
    let window = match window {
        None => None,
        Some(w) => Some(w.done.ok_or_else(|| {
            format!(
                "{}: the guests did not all print {:?} then {:?}",
                c.id, w.window.start, w.window.end
            )
        })?),
    };
    let f = sim.counters();
    let numa = sim.monitor().map(|m| m.numa_totals()).unwrap_or_default();
    let sum = |part: fn(&sim::frame::GuestFrame) -> u64| f.guests.iter().map(part).sum::<u64>();
    let mut services: Vec<ServiceMeasured> = sim
        .kstats(0)
        .map(|k| {
            k.services()
                .into_iter()
                .map(|s| ServiceMeasured {
                    name: s.name.to_string(),
                    count: s.count,
                    cycles: s.cycles,
                    tlb_cycles: s.tlb_cycles,
                    monitor_cycles: s.monitor_cycles,
                })
                .collect()
        })
        .unwrap_or_default();
    // The user TLB refills, which the machine (or the monitor) times, not the kernel.
    let utlb = sim.utlb(0);
    if utlb.count > 0 {
        services.push(ServiceMeasured {
            name: UTLB_MISS.to_string(),
            count: utlb.count,
            cycles: utlb.cycles,
            tlb_cycles: 0,
            monitor_cycles: utlb.monitor_cycles,
        });
    }
    Ok(Measured {
        config: c.id.clone(),
        scenario: s.clone(),
        cycles: f.cycle,
        simulated_s: f.cycle as f64 / (mhz * 1e6),
        instructions: f.instructions,
        local_misses: f.local_misses,
        remote_misses: f.remote_misses,
        migrations: numa.migrations,
        replications: numa.replications,
        collapses: numa.collapses,
        reclaimed: numa.reclaimed,
        replica_pages: numa.replica_pages.iter().map(|&p| u64::from(p)).sum(),
        user_cycles: sum(|g| g.user),
        kernel_cycles: sum(|g| g.kernel),
        monitor_cycles: sum(|g| g.monitor.iter().sum()),
        idle_cycles: sum(|g| g.idle),
        services,
        run_hash: format!("{:016x}", sim.run_hash()),
        memory: memory.map(|mut mem| {
            let t = sim.monitor().map(|m| m.memory_totals()).unwrap_or_default();
            (mem.cow_breaks, mem.cache_hits) = (t.cow_breaks, t.cache_hits);
            mem
        }),
        memlock,
        window,
    })
}

/// Our bars, rounded to their metric's decimals, with the paper's value beside each.
fn with_paper(x: &Experiment, bars: Vec<Bar>, figure: &Figure) -> Vec<Bar> {
    bars.into_iter()
        .map(|b| {
            let scale = 10f64.powi(i32::from(decimals(x, &b.metric)));
            Bar {
                ours: b.ours.map(|v| (v * scale).round() / scale),
                paper: figure.value(&b.config, &b.metric),
                ..b
            }
        })
        .collect()
}

/// The decimals of `metric` in `x` (one if it has no such metric).
fn decimals(x: &Experiment, metric: &str) -> u8 {
    x.metrics.iter().find(|m| m.id == metric).map_or(1, |m| m.decimals)
}

/// The bar of `config` and `metric`.
fn find<'a>(bars: &'a [Bar], config: &str, metric: &str) -> Option<&'a Bar> {
    bars.iter().find(|b| b.config == config && b.metric == metric)
}

/// A paper value as the table and CSV show it: as printed, or empty.
fn paper_text(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// `NAME.json`: what was run, the bars and the raw figures.
#[derive(Serialize)]
struct Report<'a> {
    /// The paper.
    source: &'a str,
    figure: &'a str,
    title: &'a str,
    cite: &'a str,
    notes: &'a [String],
    size: Size,
    /// The table's rows (a configuration each, or in Table 2 a kernel service), in order.
    rows: &'a [Row],
    /// The metrics, in order.
    metrics: &'a [Metric],
    bars: &'a [Bar],
    runs: &'a [Measured],
}

/// A row of `NAME.csv`: the paper's column empty where it has no number.
#[derive(Serialize)]
struct CsvRow<'a> {
    figure: &'a str,
    config: &'a str,
    metric: &'a str,
    ours: String,
    paper: String,
}

/// An experiment's outcome: what the table, the files and the chart are made from.
struct Results<'a> {
    x: &'a Experiment,
    paper: &'a Paper,
    figure: &'a Figure,
    size: Size,
    rows: &'a [Row],
    bars: Vec<Bar>,
    measured: Vec<Measured>,
}

impl Results<'_> {
    /// ` --cache-kb K` if the runs had other caches than the default, for the chart's line
    /// saying how they were made.
    fn cache_flag(&self) -> String {
        let kb = self.measured.first().map(|m| m.scenario.machine.cache_kb);
        match kb {
            Some(kb) if kb != sim::scenario::DEFAULT_CACHE_KB => format!(" --cache-kb {kb}"),
            _ => String::new(),
        }
    }

    /// The table: a row per configuration, ours and the paper's per metric.
    fn print_table(&self) {
        let Results { x, figure, size, rows, .. } = *self;
        let bars = &self.bars;
        println!("{} — {} ({}), size {}", x.id, figure.title, figure.cite, size.name());
        let mut head = format!("{:<12} {:<40}", "workload", "configuration");
        for m in x.metrics {
            head += &format!("  {:>w$} {:>6}", m.column, "paper", w = m.column.len().max(6));
        }
        println!("{head}");
        let mut last = "";
        for c in rows {
            let workload = if c.workload == last { "" } else { c.workload };
            last = c.workload;
            let mut row = format!("{workload:<12} {:<40}", c.description);
            for m in x.metrics {
                let b = find(bars, &c.id, m.id);
                let d = usize::from(m.decimals);
                let ours = match b {
                    Some(Bar { ours: Some(v), .. }) => format!("{v:.d$}"),
                    Some(_) => "–".to_string(),
                    None => "?".to_string(),
                };
                let paper = b.and_then(|b| b.paper).map_or("–".to_string(), |v| v.to_string());
                row += &format!("  {ours:>w$} {paper:>6}", w = m.column.len().max(6));
            }
            println!("{row}");
        }
    }

    /// The raw figures behind the bars, a line per run.
    fn print_runs(&self) {
        for m in &self.measured {
            println!(
                "  {}: {:.3} simulated s, {:.1} M instructions, misses {} local / {} remote, \
                 {} migrations, {} replications, {} collapses, {} replica pages at the end",
                m.config,
                m.simulated_s,
                m.instructions as f64 / 1e6,
                m.local_misses,
                m.remote_misses,
                m.migrations,
                m.replications,
                m.collapses,
                m.replica_pages
            );
            if let Some(w) = &m.window {
                let s = |cycle: u64| cycle as f64 / (m.mhz() * 1e6);
                println!(
                    "    measured from {:.3} to {:.3} s: {:.3} s, {:.1} M instructions",
                    s(w.from_cycle),
                    s(w.to_cycle),
                    s(w.cycles()),
                    w.instructions as f64 / 1e6
                );
            }
            if let Some(l) = &m.memlock {
                println!("    memlock: taken {} times, {} spins (all kernels)", l.taken, l.spins);
            }
            if let Some(mem) = &m.memory {
                let mb = |pages: u32| f64::from(pages) / 256.0;
                println!(
                    "    memory: V {:.1} MB, M {:.1} MB at {:.3} s (the most saved); peaks V {:.1}, \
                     M {:.1} MB; at the end V {:.1}, M {:.1} MB; {} cow breaks, {} disk-cache hits",
                    mb(mem.v_pages),
                    mb(mem.m_pages),
                    mem.at_cycle as f64 / (m.mhz() * 1e6),
                    mb(mem.peak_v_pages),
                    mb(mem.peak_m_pages),
                    mb(mem.end_v_pages),
                    mb(mem.end_m_pages),
                    mem.cow_breaks,
                    mem.cache_hits
                );
            }
        }
        // A row of the paper's with no run of ours says why.
        for r in self.rows {
            if !self.bars.iter().any(|b| b.config == r.id && b.ours.is_some()) {
                println!("  {}: not run ({}); the paper's numbers only", r.id, r.description);
            }
        }
    }

    /// Writes `NAME.csv`, `NAME.json` and `NAME.svg` into `out`; returns their paths.
    fn write_files(&self, out: &Path) -> Result<Vec<String>, String> {
        let Results { x, paper, figure, size, .. } = *self;
        let (bars, measured) = (&self.bars, &self.measured);
        let path = |ext: &str| out.join(format!("{}.{ext}", x.id));
        let write = |p: &Path, bytes: &[u8]| {
            std::fs::write(p, bytes).map_err(|e| format!("cannot write {}: {e}", p.display()))
        };
        let mut csv = csv::Writer::from_writer(Vec::new());
        for b in bars {
            csv.serialize(CsvRow {
                figure: &b.figure,
                config: &b.config,
                metric: &b.metric,
                ours: b
                    .ours
                    .map(|v| format!("{v:.d$}", d = usize::from(decimals(x, &b.metric))))
                    .unwrap_or_default(),
                paper: paper_text(b.paper),
            })
            .map_err(|e| e.to_string())?;
        }
        let csv = csv.into_inner().map_err(|e| e.to_string())?;
        write(&path("csv"), &csv)?;
        let report = Report {
            source: &paper.source,
            figure: x.id,
            title: &figure.title,
            cite: &figure.cite,
            notes: &figure.notes,
            size,
            rows: self.rows,
            metrics: x.metrics,
            bars,
            runs: measured,
        };
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())? + "\n";
        write(&path("json"), json.as_bytes())?;
        write(&path("svg"), self.chart().svg().as_bytes())?;
        Ok(["csv", "json", "svg"].iter().map(|e| path(e).display().to_string()).collect())
    }

    /// The chart: a panel per metric, a group per workload, a pair of bars per configuration.
    fn chart(&self) -> Chart {
        let Results { x, figure, size, rows, .. } = *self;
        let bars = &self.bars;
        let panels = x
            .metrics
            .iter()
            .map(|m| {
                let mut groups: Vec<Group> = Vec::new();
                for c in rows {
                    let Some(b) = find(bars, &c.id, m.id) else { continue };
                    let pair = Pair { label: c.label.clone(), ours: b.ours, paper: b.paper };
                    match groups.last_mut() {
                        Some(g) if g.name == c.workload => g.pairs.push(pair),
                        _ => groups.push(Group { name: c.workload.to_string(), pairs: vec![pair] }),
                    }
                }
                Panel { title: m.title.to_string(), groups }
            })
            .collect();
        Chart {
            title: figure.title.clone(),
            subtitle: vec![
                format!("The paper's {}; ours on {}.", figure.cite, x.setup),
                format!(
                    "Ours: {} workloads, disco experiment {} --size {}{}.",
                    size.name(),
                    x.id,
                    size.name(),
                    self.cache_flag()
                ),
            ],
            panels,
        }
    }
}

/// The machine of the paper's memory and scalability runs (Fig. 6, Fig. 7, §5.1): 8 CPUs and
/// 256 MB, here 4 nodes of 2 CPUs and 64 MB.
fn paper_machine() -> sim::scenario::MachineShape {
    sim::scenario::MachineShape {
        nodes: 4,
        cpus_per_node: 2,
        memory_per_node_mb: 64,
        uma: false,
        cache_kb: sim::scenario::DEFAULT_CACHE_KB,
    }
}

#[cfg(test)]
mod tests {
    use super::LockMeasured;

    #[test]
    fn reads_the_memlock_figures_of_a_shutdown_line() {
        let console = "init: /etc/rc finished with status 0\n\
                       dux: shutdown, code 0; 812 pages allocated; memlock taken 4521 times, 77 spins\n";
        assert_eq!(
            LockMeasured::from_console(console),
            Some(LockMeasured { taken: 4521, spins: 77 })
        );
        assert_eq!(LockMeasured::from_console("radix: 65536 keys\n"), None);
        assert_eq!(
            LockMeasured::from_console(
                "dux: shutdown, code 0; 1 pages allocated; memlock taken x times, 2 spins"
            ),
            None
        );
    }
}
