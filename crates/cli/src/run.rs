//! `disco run`: run a scenario — the guest OS natively, or N virtual machines under the monitor —
//! with each guest's console prefixed by its name, then a summary: per guest the overhead ledger
//! (user / kernel / monitor / idle), TLB refills by who served them, and whether its output was
//! correct; per CPU the instructions and the local/remote miss split.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use sim::assets::Assets;
use sim::frame::Frame;
use sim::scenario::{
    Guests, MachineShape, NumaMode, NumaPolicy, Placement, Policies, Preset, Scenario, VmPlan,
};
use sim::simulation::Simulation;

/// Options of `disco run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// A preset (see `--list`).
    #[arg(long, conflicts_with = "scenario")]
    preset: Option<String>,
    /// A scenario file (JSON, as the web app's scenario).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// A scenario as a URL query string (`nodes=2&os=disco&vms=pmake-tiny:2:24`).
    #[arg(long, conflicts_with_all = ["scenario", "preset"])]
    query: Option<String>,
    /// Run the guest OS natively instead of under the monitor.
    #[arg(long)]
    native: bool,
    /// Virtual machines (each runs the next workload of `--workload`, cycling).
    #[arg(long, default_value_t = 1)]
    vms: u32,
    /// Virtual CPUs per VM.
    #[arg(long, default_value_t = 1)]
    vcpus: u32,
    /// Memory per VM, MB.
    #[arg(long, default_value_t = 32)]
    vm_memory_mb: u32,
    /// Workloads, comma-separated (`pmake-tiny,db-tiny`).
    #[arg(long, default_value = "pmake-tiny")]
    workload: String,
    /// Nodes.
    #[arg(long, default_value_t = 1)]
    nodes: u32,
    /// CPUs per node.
    #[arg(long, default_value_t = 1)]
    cpus_per_node: u32,
    /// Memory per node, MB (default: enough for the VMs).
    #[arg(long)]
    memory_per_node_mb: Option<u32>,
    /// A UMA machine: every cache miss costs the local latency wherever the memory is (the
    /// paper's comparison point in Fig. 8). Applies to a preset, query or file too.
    #[arg(long)]
    uma: bool,
    /// Each CPU's cache, KB (a power of two, 16–16384; default 256). Applies to a preset, query
    /// or file too.
    #[arg(long)]
    cache_kb: Option<u32>,
    /// Second-level TLB entries per VCPU (0 = off).
    #[arg(long, default_value_t = Policies::default().l2tlb_entries)]
    l2tlb: u32,
    /// VCPU time slice, µs.
    #[arg(long, default_value_t = Policies::default().slice_us)]
    slice_us: u32,
    /// The NUMA policy: off, migrate, replicate or both (paper §4.2.3). Default: off, or the
    /// preset's (these NUMA flags apply on top of a preset, query or file).
    #[arg(long)]
    numa_policy: Option<String>,
    /// Copy-on-write disks (paper §4.2.5): `on`, VMs whose workloads use the same image boot
    /// one copy of it and share the disk blocks they read; `off`, each VM gets its own copy.
    /// Default: on (or the preset's). Applies to a preset, query or file too.
    #[arg(long, value_enum)]
    share_disk: Option<OnOff>,
    /// Where a VM's page goes on first use: first-touch or round-robin (default: first-touch).
    #[arg(long)]
    placement: Option<String>,
    /// NUMA policy: misses from one remote node (per 10 ms interval) that make a page hot
    /// (default 8).
    #[arg(long)]
    trigger: Option<u32>,
    /// NUMA policy: misses from another node that make a hot page shared, to replicate
    /// (default 4).
    #[arg(long)]
    sharing: Option<u32>,
    /// NUMA policy: writes above which a shared page is not replicated (default 4).
    #[arg(long)]
    write_threshold: Option<u32>,
    /// NUMA policy: moves after which a page is not migrated again (default 4).
    #[arg(long)]
    migrate_threshold: Option<u32>,
    /// NUMA policy: FLASH's counter reset interval, µs (default 10000).
    #[arg(long)]
    interval_us: Option<u32>,
    /// NUMA policy: count one cache miss in this many (default 1: every miss).
    #[arg(long)]
    sample: Option<u32>,
    /// Where the kernels and disk images are.
    #[arg(long, default_value = "target/guests")]
    assets: PathBuf,
    /// Perturb disk latencies with this seed (0: none) — the same work, another interleaving.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Give up after this many machine cycles.
    #[arg(long, default_value_t = 100_000_000_000)]
    max_cycles: u64,
    /// After the run, print each guest kernel's services: counts and mean times (Table 2).
    #[arg(long)]
    services: bool,
    /// After the run, print the exceptions the CPUs took, by cause, all CPUs together, and
    /// their rate per thousand instructions (how often the interpreter leaves its fast path).
    #[arg(long)]
    exceptions: bool,
    /// Sample each CPU's program counter every 10,000 cycles and print, after the run, the guest
    /// kernel functions the time went to (the run itself is unchanged).
    #[arg(long)]
    profile: bool,
    /// Print the scenario as JSON and exit (a starting point for `--scenario`).
    #[arg(long)]
    print_scenario: bool,
    /// List the presets and workloads and exit.
    #[arg(long)]
    list: bool,
}

/// A switch's two positions on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    /// On.
    On,
    /// Off.
    Off,
}

/// `numa` with the NUMA flags given applied.
fn numa(a: &RunArgs, numa: &NumaPolicy) -> Result<NumaPolicy, String> {
    let mut n = *numa;
    if let Some(mode) = &a.numa_policy {
        n.mode = NumaMode::named(mode).ok_or_else(|| {
            format!("--numa-policy {mode:?}: choose off, migrate, replicate or both")
        })?;
    }
    if let Some(p) = &a.placement {
        n.placement = Placement::named(p)
            .ok_or_else(|| format!("--placement {p:?}: choose first-touch or round-robin"))?;
    }
    n.trigger = a.trigger.unwrap_or(n.trigger);
    n.sharing = a.sharing.unwrap_or(n.sharing);
    n.write = a.write_threshold.unwrap_or(n.write);
    n.migrate = a.migrate_threshold.unwrap_or(n.migrate);
    n.interval_us = a.interval_us.unwrap_or(n.interval_us);
    n.sample = a.sample.unwrap_or(n.sample);
    Ok(n)
}

fn scenario(a: &RunArgs) -> Result<Scenario, String> {
    let mut s = chosen_scenario(a)?;
    if a.seed != 0 {
        s.seed = a.seed;
    }
    if a.uma {
        s.machine.uma = true;
    }
    let numa_flags = [&a.numa_policy, &a.placement].iter().any(|f| f.is_some())
        || [a.trigger, a.sharing, a.write_threshold, a.migrate_threshold, a.interval_us, a.sample]
            .iter()
            .any(Option::is_some);
    let share = a.share_disk.map(|s| s == OnOff::On);
    if share.is_some() && matches!(s.guests, Guests::Native { .. }) {
        return Err(
            "--share-disk needs virtual machines; this scenario runs the OS natively".into()
        );
    }
    match &mut s.guests {
        Guests::Disco { policies, .. } => {
            policies.numa = numa(a, &policies.numa)?;
            policies.share_disk = share.unwrap_or(policies.share_disk);
        }
        Guests::Native { .. } if numa_flags => {
            return Err("the NUMA policy flags need virtual machines (the monitor's policy); this scenario runs the OS natively".into());
        }
        Guests::Native { .. } => {}
    }
    if let Some(kb) = a.cache_kb {
        s.machine.cache_kb = kb;
    }
    Ok(s)
}

/// The scenario the arguments name or describe.
fn chosen_scenario(a: &RunArgs) -> Result<Scenario, String> {
    if let Some(name) = &a.preset {
        return Preset::named(name)
            .map(|p| p.scenario())
            .ok_or_else(|| format!("no preset {name:?} (see --list)"));
    }
    if let Some(q) = &a.query {
        return Scenario::from_query(q).map_err(|e| e.to_string());
    }
    if let Some(path) = &a.scenario {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        return serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    let workloads: Vec<&str> = a.workload.split(',').collect();
    let guests = if a.native {
        Guests::Native { workload: workloads[0].to_string() }
    } else {
        Guests::Disco {
            vms: (0..a.vms as usize)
                .map(|k| VmPlan {
                    workload: workloads[k % workloads.len()].to_string(),
                    vcpus: a.vcpus,
                    memory_mb: a.vm_memory_mb,
                })
                .collect(),
            policies: Policies {
                l2tlb_entries: a.l2tlb,
                slice_us: a.slice_us,
                numa: NumaPolicy::default(),
                share_disk: true,
            },
        }
    };
    let need = if a.native { a.vm_memory_mb } else { a.vms * a.vm_memory_mb + 1 };
    let per_node = a.memory_per_node_mb.unwrap_or(need.div_ceil(a.nodes.max(1)).max(16));
    Ok(Scenario {
        name: "command line".into(),
        machine: MachineShape {
            nodes: a.nodes,
            cpus_per_node: a.cpus_per_node,
            memory_per_node_mb: per_node,
            uma: false,
            cache_kb: sim::scenario::DEFAULT_CACHE_KB,
        },
        guests,
        seed: 0,
    })
}

/// Runs the command.
pub fn run(a: &RunArgs) -> ExitCode {
    if a.list {
        println!("presets:");
        for p in sim::scenario::PRESETS {
            println!("  {:<19} {}", p.name, p.title);
        }
        println!("workloads:");
        for w in sim::workload::WORKLOADS {
            println!("  {:<19} {}", w.name, w.title);
        }
        return ExitCode::SUCCESS;
    }
    match run_inner(a) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("disco: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_inner(a: &RunArgs) -> Result<ExitCode, String> {
    let s = scenario(a)?;
    s.validate().map_err(|e| format!("scenario: {e}"))?;
    if a.print_scenario {
        println!("{}", serde_json::to_string_pretty(&s).map_err(|e| e.to_string())?);
        return Ok(ExitCode::SUCCESS);
    }
    let assets = Assets::from_dir(&a.assets, &s).map_err(|e| e.to_string())?;
    let mut sim = Simulation::new(&s, &assets).map_err(|e| e.to_string())?;
    let names: Vec<String> = sim.layout().guests.iter().map(|g| g.name.clone()).collect();
    let mut partial: Vec<String> = vec![String::new(); names.len()];
    let wall = std::time::Instant::now();
    let mut profile = a.profile.then(|| crate::profile::Profile::new(&s, &assets, &names));
    // Sampling takes a sample at each quantum boundary: one quantum at a time.
    let chunk = if profile.is_some() { 1 } else { 20_000_000 };
    let mut out = std::io::stdout().lock();
    let mut ran = 0;
    let last = loop {
        let step = chunk.min(a.max_cycles - ran);
        let before = sim.machine().now();
        sim.run(step);
        ran += sim.machine().now() - before;
        if let Some(p) = profile.as_mut() {
            p.sample(&sim);
        }
        let f = sim.take_frame();
        for c in &f.console {
            let g = usize::from(c.guest);
            partial[g].push_str(&c.text);
            while let Some(nl) = partial[g].find('\n') {
                let line: String = partial[g].drain(..=nl).collect();
                let _ = write!(out, "[{}] {line}", names[g]);
            }
        }
        if sim.finished() || ran >= a.max_cycles {
            break f;
        }
    };
    for (g, rest) in partial.iter().enumerate() {
        if !rest.is_empty() {
            let _ = writeln!(out, "[{}] {rest}", names[g]);
        }
    }
    drop(out);
    summary(&sim, &last, wall.elapsed());
    if a.services {
        crate::services::print(&sim);
    }
    if a.exceptions {
        print_exceptions(&sim);
    }
    if let Some(p) = &profile {
        p.print(40);
    }
    if !sim.finished() {
        eprintln!("disco: still running after {} cycles", a.max_cycles);
        return Ok(ExitCode::from(124));
    }
    let all_passed = (0..names.len()).all(|g| sim.passed(g) == Some(true));
    Ok(if all_passed { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// Exception causes by code (MIPS32 Cause.ExcCode), for `--exceptions`.
const EXC_NAMES: [&str; 16] = [
    "interrupt",
    "TLB modified",
    "TLB load",
    "TLB store",
    "address load",
    "address store",
    "bus fetch",
    "bus data",
    "syscall",
    "break",
    "reserved instruction",
    "coprocessor unusable",
    "overflow",
    "trap",
    "code 14",
    "code 15",
];

/// The CPUs' exceptions by cause and per thousand instructions.
fn print_exceptions(sim: &Simulation) {
    let mut by_code = [0u64; 16];
    let mut instructions = 0u64;
    for cpu in &sim.machine().cpus {
        let st = cpu.stats();
        instructions += st.instructions;
        for (sum, n) in by_code.iter_mut().zip(st.exceptions) {
            *sum += n;
        }
    }
    let total: u64 = by_code.iter().sum();
    let per_k = |n: u64| 1000.0 * n as f64 / instructions.max(1) as f64;
    eprintln!(
        "exceptions: {total} in {instructions} instructions ({:.2} per 1 000 instructions)",
        per_k(total)
    );
    for (name, n) in EXC_NAMES.iter().zip(by_code).filter(|(_, n)| *n > 0) {
        eprintln!("  {name:<21} {n:>12} {:>8.3} per 1 000", per_k(n));
    }
}

fn pct(part: u64, whole: u64) -> f64 {
    100.0 * part as f64 / whole.max(1) as f64
}

fn summary(sim: &Simulation, f: &Frame, wall: std::time::Duration) {
    let layout = sim.layout();
    let secs = f.cycle as f64 / (f64::from(layout.clock_mhz) * 1e6);
    eprintln!(
        "\n-- {}: {} nodes x {} CPUs{}, {}",
        layout.scenario.name,
        layout.nodes,
        layout.cpus_per_node,
        if layout.scenario.machine.uma { " (UMA)" } else { "" },
        if layout.disco { "Disco" } else { "native OS" }
    );
    eprintln!(
        "{:<8} {:<19} {:>6} {:>13} {:>6} {:>7} {:>8} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "guest",
        "workload",
        "result",
        "instructions",
        "user%",
        "kernel%",
        "monitor%",
        "idle%",
        "kseg",
        "l2tlb",
        "vtlb",
        "forwarded",
        "syscalls"
    );
    for (g, (info, gf)) in layout.guests.iter().zip(&f.guests).enumerate() {
        let monitor: u64 = gf.monitor.iter().sum();
        let total = gf.user + gf.kernel + monitor + gf.idle;
        let result = match (gf.exit, sim.passed(g)) {
            (None, _) => "running".to_string(),
            (Some(_), Some(true)) => "ok".to_string(),
            (Some(c), _) => format!("FAIL {c}"),
        };
        eprintln!(
            "{:<8} {:<19} {:>6} {:>13} {:>6.1} {:>7.1} {:>8.1} {:>6.1} {:>9} {:>9} {:>9} {:>9} {:>9}",
            info.name,
            info.workload,
            result,
            gf.instructions,
            pct(gf.user, total),
            pct(gf.kernel, total),
            pct(monitor, total),
            pct(gf.idle, total),
            gf.tlb.direct,
            gf.tlb.l2tlb,
            gf.tlb.vtlb,
            gf.tlb.forwarded,
            gf.syscalls
        );
        if layout.disco && monitor > 0 {
            let kinds: Vec<String> = layout
                .monitor_kinds
                .iter()
                .zip(&gf.monitor)
                .filter(|(_, c)| **c > 0)
                .map(|(k, c)| format!("{k} {:.1}%", pct(*c, total)))
                .collect();
            eprintln!("         monitor: {}", kinds.join(", "));
            if let Some(vm) = sim.monitor().and_then(|m| m.vms().get(g)) {
                let st = vm.stats();
                eprintln!(
                    "         traps {}, emulated {}, monitor calls {} ({} refused), delivered to the guest {}, pages {}, zeroed {}",
                    st.traps,
                    st.emulated,
                    st.monitor_calls,
                    st.bad_calls,
                    st.forwarded,
                    st.pages,
                    st.zeroed
                );
            }
        }
    }
    eprintln!(
        "{:>4} {:>14} {:>7} {:>7} {:>8} {:>6} {:>10} {:>10}",
        "cpu", "instructions", "user%", "kernel%", "monitor%", "idle%", "local", "remote"
    );
    for (i, c) in f.cpus.iter().enumerate() {
        let total = c.user + c.kernel + c.monitor + c.idle;
        eprintln!(
            "{i:>4} {:>14} {:>7.1} {:>7.1} {:>8.1} {:>6.1} {:>10} {:>10}",
            c.instructions,
            pct(c.user, total),
            pct(c.kernel, total),
            pct(c.monitor, total),
            pct(c.idle, total),
            c.local_misses,
            c.remote_misses
        );
    }
    if let Some(mon) = sim.monitor() {
        let t = mon.numa_totals();
        eprintln!(
            "numa: migrations {}, replications {}, collapses {}, replica pages {} (reclaimed {}; policy {}, {} placement, local misses {:.1}%)",
            t.migrations,
            t.replications,
            t.collapses,
            t.replica_pages.iter().sum::<u32>(),
            t.reclaimed,
            mon.config().numa.mode.name(),
            mon.config().numa.placement.name(),
            pct(f.local_misses, f.local_misses + f.remote_misses)
        );
    }
    if let Some(sh) = &f.sharing {
        let mb = |pages: u32| f64::from(pages) / 256.0;
        eprintln!(
            "memory: V {:.1} MB, M {:.1} MB, saved {:.1} MB, cow breaks {}",
            mb(sh.v_total()),
            mb(sh.m_pages),
            mb(sh.saved_pages()),
            sh.cow_breaks
        );
        if sh.net.frames > 0 {
            eprintln!(
                "subnet: frames {}, pages remapped {}, bytes copied {}, dropped {}",
                sh.net.frames, sh.net.pages_remapped, sh.net.bytes_copied, sh.net.dropped
            );
        }
    }
    eprintln!(
        "-- {:.6} simulated s ({} cycles), {} instructions, misses {} local / {} remote, run hash {:016x}, {:.2} s host ({:.1} M instructions/s)",
        secs,
        f.cycle,
        f.instructions,
        f.local_misses,
        f.remote_misses,
        sim.run_hash(),
        wall.as_secs_f64(),
        f.instructions as f64 / wall.as_secs_f64().max(1e-9) / 1e6
    );
}
