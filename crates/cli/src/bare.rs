//! `disco bare`: run a bare-metal image on the machine, print its console and a summary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use machine::machine::{Log, MachineEvent};
use machine::{Machine, MachineConfig};

use cli::symbols::Symbols;

/// Options of `disco bare`.
#[derive(Args, Debug)]
pub struct BareArgs {
    /// The ELF image (linked in kseg0).
    elf: PathBuf,
    /// Nodes.
    #[arg(long, default_value_t = 1)]
    nodes: u32,
    /// CPUs per node.
    #[arg(long, default_value_t = 1)]
    cpus_per_node: u32,
    /// Memory per node, MB.
    #[arg(long, default_value_t = 16)]
    memory_per_node_mb: u32,
    /// Every miss costs the local latency.
    #[arg(long)]
    uma: bool,
    /// Disk images, unit 0 first.
    #[arg(long = "disk")]
    disks: Vec<PathBuf>,
    /// Stop after this many cycles if the machine has not halted.
    #[arg(long, default_value_t = 10_000_000_000)]
    max_cycles: u64,
    /// A machine configuration file (JSON) instead of the options above.
    #[arg(long)]
    config: Option<PathBuf>,
}

fn config(a: &BareArgs) -> Result<MachineConfig, String> {
    if let Some(path) = &a.config {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        return serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    Ok(MachineConfig {
        nodes: a.nodes,
        cpus_per_node: a.cpus_per_node,
        memory_per_node_mb: a.memory_per_node_mb,
        uma: a.uma,
        ..MachineConfig::flash(a.nodes, a.cpus_per_node)
    })
}

/// Runs the command.
pub fn run(a: &BareArgs) -> ExitCode {
    match run_inner(a) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("disco: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_inner(a: &BareArgs) -> Result<ExitCode, String> {
    let cfg = config(a)?;
    let image = std::fs::read(&a.elf).map_err(|e| format!("{}: {e}", a.elf.display()))?;
    let disks = a
        .disks
        .iter()
        .map(|p| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display())))
        .collect::<Result<Vec<_>, _>>()?;
    let mut m = Machine::new(cfg, disks).map_err(|e| e.to_string())?;
    m.boot(&image).map_err(|e| format!("{}: {e}", a.elf.display()))?;
    let mut log = Log::default();
    let wall = std::time::Instant::now();
    let halted = m.run_to_halt(a.max_cycles, &mut log);
    let wall = wall.elapsed();
    print!("{}", String::from_utf8_lossy(m.console()));
    summary(&m, &log, wall);
    Ok(match halted {
        Some(code) => ExitCode::from(code.min(255) as u8),
        None => {
            where_is_each_cpu(&m, &Symbols::new(&image));
            eprintln!("disco: still running after {} cycles", a.max_cycles);
            ExitCode::from(124)
        }
    })
}

/// For a run that did not finish: each CPU's pc and return address, by symbol, so a
/// deadlock or livelock in a guest kernel can be located from the command line.
fn where_is_each_cpu(m: &Machine, syms: &Symbols) {
    for (i, cpu) in m.cpus.iter().enumerate() {
        if !m.started(i) {
            continue;
        }
        eprintln!(
            "cpu {i}: pc {}  ra {}  epc {}",
            syms.describe(cpu.pc()),
            syms.describe(cpu.gpr(31)),
            syms.describe(cpu.cp0.epc)
        );
    }
}

fn summary(m: &Machine, log: &Log, wall: std::time::Duration) {
    let cfg = m.config();
    let secs = m.now() as f64 / (f64::from(cfg.clock_mhz) * 1e6);
    let mut insns = 0;
    eprintln!(
        "\n-- {} nodes x {} CPUs, {} MB, {}",
        cfg.nodes,
        cfg.cpus_per_node,
        cfg.memory_bytes() >> 20,
        if cfg.uma { "UMA" } else { "NUMA" }
    );
    eprintln!(
        "{:>4} {:>14} {:>14} {:>10} {:>10} {:>10} {:>9}",
        "cpu", "instructions", "cycles", "local", "remote", "coherence", "idle%"
    );
    for i in 0..m.cpus.len() {
        if !m.started(i) {
            continue;
        }
        let s = m.cpu_summary(i);
        insns += s.instructions;
        let idle = 100.0 * s.idle_cycles as f64 / s.cycles.max(1) as f64;
        eprintln!(
            "{i:>4} {:>14} {:>14} {:>10} {:>10} {:>10} {:>8.1}%",
            s.instructions,
            s.cycles,
            s.mem.local_misses,
            s.mem.remote_misses,
            s.mem.coherence_misses,
            idle
        );
    }
    let hot = log.events.iter().filter(|e| matches!(e, MachineEvent::HotPage(_))).count();
    eprintln!(
        "-- {:.6} simulated s, {} instructions, {} hot-page events, run hash {:016x}, {:.2} s host ({:.1} M instructions/s)",
        secs,
        insns,
        hot,
        m.run_hash(),
        wall.as_secs_f64(),
        insns as f64 / wall.as_secs_f64().max(1e-9) / 1e6
    );
}
