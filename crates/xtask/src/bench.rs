//! `cargo xtask bench`: the benchmark set of issue 16, measured in one run and printed as one
//! table (optionally written into docs/performance.md).
//!
//! 1. Builds what it measures: the guests, the release CLI, and (for the browser column) the web
//!    bundle.
//! 2. Every preset for the same number of machine cycles, natively (`disco run --preset P
//!    --max-cycles N`, whose summary gives the instructions and the host time of the run, boot
//!    excluded) and in the web worker under headless Chromium (`e2e/tools/bench.mjs`, the same
//!    scenario and cycles, boot excluded too). The two runs of a preset follow each other, so
//!    other load on the host weighs on both alike.
//! 3. The compiled-program set (`guests/bench`) under `disco user --stats`, each at its bench
//!    size; its checksum is checked against the `benchset` crate's on the host, so a wrong
//!    result cannot pass for a fast one.
//!
//! Speeds are simulated instructions (all CPUs together) per host second. No test asserts on
//! them: this is a measuring tool, not part of `cargo xtask test`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sim::scenario::{PRESETS, Preset};

use crate::fail;
use crate::steps::{Result, header, output, show};

/// The docs file the table goes into, and the heading of its section there.
const DOCS: &str = "docs/performance.md";
const HEADING: &str = "## Benchmark set (cargo xtask bench)";

/// What `cargo xtask bench` was asked to do.
pub struct Options {
    /// Machine cycles per preset.
    pub cycles: u64,
    /// Measurements per preset and program; the fastest is kept (other load on the host only
    /// ever slows a run down).
    pub rounds: u32,
    /// The presets to run (all when empty).
    pub presets: Vec<String>,
    /// Run the presets natively only (no web build, no browser).
    pub no_wasm: bool,
    /// Leave out the compiled-program set.
    pub no_programs: bool,
    /// Write the table into docs/performance.md.
    pub write_docs: bool,
}

/// One preset's measurements.
struct PresetRow {
    name: &'static str,
    cpus: u32,
    native: Speed,
    wasm: Option<Speed>,
}

/// One program's measurement.
struct ProgramRow {
    name: &'static str,
    size: u32,
    speed: Speed,
}

/// Simulated instructions over host seconds.
#[derive(Clone, Copy)]
struct Speed {
    instructions: u64,
    seconds: f64,
}

impl Speed {
    fn mips(self) -> f64 {
        self.instructions as f64 / self.seconds.max(1e-9) / 1e6
    }

    /// The faster of `best` (if any) and `new`.
    fn faster(best: Option<Speed>, new: Speed) -> Speed {
        match best {
            Some(b) if b.mips() >= new.mips() => b,
            _ => new,
        }
    }
}

/// Runs the bench.
pub fn run(o: &Options) -> Result<()> {
    if o.cycles == 0 {
        return Err(fail!("--cycles must be at least 1"));
    }
    if o.rounds == 0 {
        return Err(fail!("--rounds must be at least 1"));
    }
    let presets = chosen_presets(&o.presets)?;
    let root = crate::root();
    let load_before = load_average();

    let tc = crate::setup::run()?;
    crate::guests::build(&tc)?;
    let disco = build_cli()?;
    if !o.no_wasm {
        crate::web::build(&tc)?;
    }

    let scratch = root.join("target/bench");
    std::fs::create_dir_all(&scratch)?;
    let mut rows = Vec::new();
    for p in presets {
        header(&format!("bench: {} for {} cycles", p.name, o.cycles));
        let (mut native, mut wasm): (Option<Speed>, Option<Speed>) = (None, None);
        for _ in 0..o.rounds {
            let n = native_preset(&disco, &root, p.name, o.cycles)?;
            println!("  native: {:>8.1} M instructions/s", n.mips());
            native = Some(Speed::faster(native, n));
            if !o.no_wasm {
                let w = wasm_preset(&root, &scratch, p, o.cycles)?;
                println!("  wasm:   {:>8.1} M instructions/s", w.mips());
                wasm = Some(Speed::faster(wasm, w));
            }
        }
        let native = native.ok_or_else(|| fail!("{}: no native run", p.name))?;
        let m = p.scenario().machine;
        rows.push(PresetRow { name: p.name, cpus: m.nodes * m.cpus_per_node, native, wasm });
    }

    let mut programs = Vec::new();
    if !o.no_programs {
        for (name, size) in benchset::NAMES.into_iter().zip(benchset::BENCH_SIZES) {
            header(&format!("bench: bench-{name} {size} under disco user"));
            let mut best = None;
            for _ in 0..o.rounds {
                let speed = program(&disco, &root, name, size)?;
                println!("  {:>8.1} M instructions/s", speed.mips());
                best = Some(Speed::faster(best, speed));
            }
            let speed = best.ok_or_else(|| fail!("bench-{name}: no run"))?;
            programs.push(ProgramRow { name, size, speed });
        }
    }

    let loads = (load_before, load_average());
    let command = command_line(o);
    let table = section(o, &rows, &programs, loads, &command);
    header("bench: results");
    println!("{table}");
    if o.write_docs {
        let path = root.join(DOCS);
        let docs = std::fs::read_to_string(&path)
            .map_err(|e| fail!("cannot read {}: {e}", path.display()))?;
        std::fs::write(&path, replace_section(&docs, &table))
            .map_err(|e| fail!("cannot write {}: {e}", path.display()))?;
        println!("written into {}", path.display());
    }
    Ok(())
}

/// The presets named (all if none), in the order the simulator lists them; an unknown name is
/// an error that lists the known ones.
fn chosen_presets(names: &[String]) -> Result<Vec<&'static Preset>> {
    for n in names {
        if Preset::named(n).is_none() {
            let known: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
            return Err(fail!("no preset {n:?}; the presets are {}", known.join(", ")));
        }
    }
    Ok(PRESETS.iter().filter(|p| names.is_empty() || names.iter().any(|n| n == p.name)).collect())
}

/// Builds the release CLI and returns its executable (wherever CARGO_TARGET_DIR puts it).
fn build_cli() -> Result<PathBuf> {
    header("bench: building the release CLI");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(crate::root())
        .args(["build", "--release", "-p", "cli", "--bin", "disco"])
        .args(["--message-format=json-render-diagnostics"])
        .stdout(Stdio::piped());
    let shown = show(&cmd);
    let out = cmd.output().map_err(|e| fail!("cannot run `{shown}`: {e}"))?;
    if !out.status.success() {
        return Err(fail!("`{shown}` failed ({})", out.status));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(crate::guests::executable_of)
        .map(PathBuf::from)
        .find(|p| p.file_stem().is_some_and(|s| s == "disco"))
        .ok_or_else(|| fail!("`{shown}` reported no disco executable"))
}

/// Runs preset `name` natively for `cycles` and reads its summary line.
fn native_preset(disco: &Path, root: &Path, name: &str, cycles: u64) -> Result<Speed> {
    let mut cmd = Command::new(disco);
    cmd.current_dir(root).args(["run", "--preset", name, "--max-cycles", &cycles.to_string()]);
    cmd.stdout(Stdio::null());
    let shown = show(&cmd);
    let out = cmd.output().map_err(|e| fail!("cannot run `{shown}`: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    // 0: every guest finished correctly within the cycles; 124: still running at the limit.
    if !matches!(out.status.code(), Some(0 | 124)) {
        return Err(fail!("`{shown}` failed ({}):\n{}", out.status, tail(&stderr)));
    }
    stderr
        .lines()
        .find_map(parse_run_summary)
        .ok_or_else(|| fail!("no summary line in the output of `{shown}`:\n{}", tail(&stderr)))
}

/// The instructions and host seconds of `disco run`'s last summary line: `-- 0.5 simulated s
/// (N cycles), I instructions, misses ..., S s host (R M instructions/s)`. The seconds come from
/// the rate, which has more significant digits than S (printed to 10 ms) for short runs.
fn parse_run_summary(line: &str) -> Option<Speed> {
    let rest = line.strip_prefix("-- ")?;
    let (_, after_cycles) = rest.split_once(" cycles), ")?;
    let (instructions, _) = after_cycles.split_once(" instructions")?;
    let instructions: u64 = instructions.parse().ok()?;
    let (_, rate) = after_cycles.rsplit_once(" s host (")?;
    let (rate, _) = rate.split_once(" M instructions/s")?;
    let rate: f64 = rate.parse().ok().filter(|r: &f64| *r > 0.0)?;
    Some(Speed { instructions, seconds: instructions as f64 / (rate * 1e6) })
}

/// Runs preset `p` in the web worker under headless Chromium for `cycles`.
fn wasm_preset(root: &Path, scratch: &Path, p: &Preset, cycles: u64) -> Result<Speed> {
    let file = scratch.join(format!("{}.json", p.name));
    let json = serde_json::to_string_pretty(&p.scenario())?;
    std::fs::write(&file, json).map_err(|e| fail!("cannot write {}: {e}", file.display()))?;
    let mut cmd = Command::new("node");
    cmd.current_dir(root.join("e2e"))
        .env("DIST_DIR", root.join("dist"))
        .arg("tools/bench.mjs")
        .arg(cycles.to_string())
        .arg(&file);
    let shown = show(&cmd);
    let out = cmd.output().map_err(|e| fail!("cannot run `{shown}`: {e}"))?;
    if !out.status.success() {
        return Err(fail!(
            "`{shown}` failed ({}):\n{}",
            out.status,
            tail(&String::from_utf8_lossy(&out.stderr))
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().rfind(|l| l.starts_with('{')).unwrap_or_default();
    let v: serde_json::Value =
        serde_json::from_str(line).map_err(|e| fail!("`{shown}` printed {line:?}: {e}"))?;
    let instructions = v["instructions"].as_u64();
    let ms = v["ms"].as_f64();
    match (instructions, ms) {
        (Some(instructions), Some(ms)) => Ok(Speed { instructions, seconds: ms / 1e3 }),
        _ => Err(fail!("`{shown}` printed {line:?}: no instructions or ms")),
    }
}

/// Runs `bench-<name> size` under `disco user --stats`, checks its checksum against the host's,
/// and reads its speed.
fn program(disco: &Path, root: &Path, name: &str, size: u32) -> Result<Speed> {
    let exe = crate::guests::out_dir().join(format!("bench-{name}"));
    let mut cmd = Command::new(disco);
    cmd.current_dir(root).arg("user").arg("--stats").arg(&exe).arg(size.to_string());
    let shown = show(&cmd);
    let out = cmd.output().map_err(|e| fail!("cannot run `{shown}`: {e}"))?;
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(fail!("`{shown}` failed ({}):\n{}", out.status, tail(&stderr)));
    }
    // Computed after the timed run, never beside it: the host has few cores.
    let want = benchset::run(name, size).map(|sum| format!("bench-{name} {size}: {sum:08x}\n"));
    if want.as_deref() != Some(&*stdout) {
        return Err(fail!("`{shown}` printed {stdout:?}, the host computes {want:?}"));
    }
    stderr
        .lines()
        .find_map(parse_user_stats)
        .ok_or_else(|| fail!("no statistics in the output of `{shown}`:\n{}", tail(&stderr)))
}

/// `disco user --stats`'s line: `disco: I instructions, S s host (... M instructions/s)`.
fn parse_user_stats(line: &str) -> Option<Speed> {
    let rest = line.strip_prefix("disco: ")?;
    let (instructions, rest) = rest.split_once(" instructions, ")?;
    let (seconds, _) = rest.split_once(" s host")?;
    Some(Speed { instructions: instructions.parse().ok()?, seconds: seconds.parse().ok()? })
}

/// The last lines of a command's output, for an error message.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// The command as the user would retype it.
fn command_line(o: &Options) -> String {
    let mut c = format!("cargo xtask bench --cycles {} --rounds {}", o.cycles, o.rounds);
    for p in &o.presets {
        c.push_str(&format!(" --preset {p}"));
    }
    if o.no_wasm {
        c.push_str(" --no-wasm");
    }
    if o.no_programs {
        c.push_str(" --no-programs");
    }
    if o.write_docs {
        c.push_str(" --write-docs");
    }
    c
}

/// The docs section: where and when it was measured, then the two tables.
fn section(
    o: &Options,
    rows: &[PresetRow],
    programs: &[ProgramRow],
    loads: (Option<f64>, Option<f64>),
    command: &str,
) -> String {
    let (cpu, threads) = host_cpu();
    let load = |l: Option<f64>| l.map_or("?".to_string(), |l| format!("{l:.2}"));
    let mut s = format!("{HEADING}\n\n");
    let where_ = if o.no_wasm {
        "natively with the release CLI (no browser column: `--no-wasm`)"
    } else {
        "natively with the release CLI and in the web worker under headless Chromium \
         (`e2e/tools/bench.mjs`)"
    };
    let rounds = match o.rounds {
        1 => "one run each".to_string(),
        n => format!("the fastest of {n} runs each"),
    };
    s.push_str(&wrap(&format!(
        "`{command}` — {}, commit {}, on {cpu} ({threads} host CPUs); load average {} before \
         the run and {} after it (other work on the host lowers every figure, the ratios less \
         since each preset's two runs follow each other). Simulated instructions of all CPUs \
         per host second, {rounds}; the presets run {} machine cycles each after their boot, \
         {where_}. A preset whose CPUs idle much of that time (waiting for the \
         disk or for input) runs few instructions in it: its figure is more the cost of \
         simulated time than of instructions.",
        today(),
        commit(),
        load(loads.0),
        load(loads.1),
        o.cycles
    )));
    s.push_str("\n\n");
    if !rows.is_empty() {
        s.push_str(
            "| preset | CPUs | instructions | native M instr/s | wasm M instr/s | wasm / native |\n",
        );
        s.push_str("|---|---:|---:|---:|---:|---:|\n");
        for r in rows {
            let (wasm, ratio) = match r.wasm {
                Some(w) => {
                    (format!("{:.1}", w.mips()), format!("{:.2}", w.mips() / r.native.mips()))
                }
                None => ("–".into(), "–".into()),
            };
            s.push_str(&format!(
                "| {} | {} | {:.1} M | {:.1} | {wasm} | {ratio} |\n",
                r.name,
                r.cpus,
                r.native.instructions as f64 / 1e6,
                r.native.mips()
            ));
        }
        s.push('\n');
    }
    if !programs.is_empty() {
        s.push_str(&wrap(
            "The compiled-program set (`guests/bench`: Rust programs of the `benchset` crate's \
             shapes) under `disco user`, functional mode, each checked against the host's \
             checksum:",
        ));
        s.push_str("\n\n");
        s.push_str("| program | size | instructions | host s | M instr/s |\n");
        s.push_str("|---|---:|---:|---:|---:|\n");
        for p in programs {
            s.push_str(&format!(
                "| bench-{} | {} | {:.1} M | {:.2} | {:.1} |\n",
                p.name,
                p.size,
                p.speed.instructions as f64 / 1e6,
                p.speed.seconds,
                p.speed.mips()
            ));
        }
        s.push('\n');
    }
    s
}

/// `text` as lines of at most 100 characters (the docs' width), broken between words.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > 100 {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

/// `docs` with the bench section replaced by `section` (from its heading to the next `## `
/// heading), or, if it has none yet, with `section` inserted before the first section after the
/// introduction.
fn replace_section(docs: &str, section: &str) -> String {
    let starts: Vec<usize> = docs.match_indices("\n## ").map(|(i, _)| i + 1).collect();
    if let Some(at) = docs.find(&format!("{HEADING}\n")) {
        let end = starts.iter().copied().find(|&s| s > at).unwrap_or(docs.len());
        return format!("{}{section}{}", &docs[..at], &docs[end..]);
    }
    match starts.first() {
        Some(&first) => format!("{}{section}{}", &docs[..first], &docs[first..]),
        None => format!("{docs}\n{section}"),
    }
}

/// The host's CPU model (`/proc/cpuinfo`'s first `model name`) and how many CPUs it lists.
fn host_cpu() -> (String, usize) {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':').map(|(_, m)| m.trim()))
        .unwrap_or("an unknown CPU")
        .to_string();
    let count = info.lines().filter(|l| l.starts_with("processor")).count();
    (model, count.max(std::thread::available_parallelism().map_or(0, |n| n.get())))
}

/// The 1-minute load average, where Linux tells it.
fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// The short hash of HEAD, marked `+changes` if the work tree differs from it.
fn commit() -> String {
    let root = crate::root();
    let git = |args: &[&str]| output(Command::new("git").args(args).current_dir(&root));
    let Some(head) = git(&["rev-parse", "--short", "HEAD"]) else { return "unknown".into() };
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"])
        .is_some_and(|s| !s.trim().is_empty());
    format!("{}{}", head.trim(), if dirty { " +changes" } else { "" })
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_run_summary() {
        let line = "-- 0.500000 simulated s (100000000 cycles), 147082949 instructions, misses \
                    77827 local / 118669 remote, run hash 981cc808aeb17112, 0.98 s host (150.4 M \
                    instructions/s)";
        let s = parse_run_summary(line).expect("a summary");
        assert_eq!(s.instructions, 147_082_949);
        assert!((s.mips() - 150.4).abs() < 1e-9, "{}", s.mips());
        assert!(parse_run_summary("-- tiny-2vms: 1 nodes x 2 CPUs, Disco").is_none());
    }

    #[test]
    fn reads_the_user_stats() {
        let s = parse_user_stats(
            "disco: 1004021690 instructions, 3.981 s host (252.2 M instructions/s)",
        );
        let s = s.expect("stats");
        assert_eq!((s.instructions, s.seconds), (1_004_021_690, 3.981));
        assert!(parse_user_stats("disco: program killed by signal 11").is_none());
    }

    #[test]
    fn replaces_only_its_own_section() {
        let docs = "# P\n\nintro\n\n## A\n\na\n\n## B\n\nb\n";
        let first = replace_section(docs, &format!("{HEADING}\n\nT1\n\n"));
        assert_eq!(first, format!("# P\n\nintro\n\n{HEADING}\n\nT1\n\n## A\n\na\n\n## B\n\nb\n"));
        let second = replace_section(&first, &format!("{HEADING}\n\nT2\n\n"));
        assert_eq!(second, first.replace("T1", "T2"));
    }

    #[test]
    fn wraps_between_words() {
        let text = "word ".repeat(50);
        let wrapped = wrap(&text);
        assert!(wrapped.lines().all(|l| l.len() <= 100 && !l.ends_with(' ')));
        assert_eq!(wrapped.split_whitespace().count(), 50);
        assert_eq!(wrap("one two"), "one two");
    }

    #[test]
    fn keeps_the_faster_speed() {
        let slow = Speed { instructions: 100, seconds: 2.0 };
        let fast = Speed { instructions: 100, seconds: 1.0 };
        assert_eq!(Speed::faster(Some(slow), fast).seconds, 1.0);
        assert_eq!(Speed::faster(Some(fast), slow).seconds, 1.0);
        assert_eq!(Speed::faster(None, slow).seconds, 2.0);
    }

    #[test]
    fn dates_from_day_counts() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_794), (2026, 12, 7));
    }

    #[test]
    fn unknown_presets_are_refused_by_name() {
        let Err(e) = chosen_presets(&["nope".into()]) else { panic!("an unknown preset ran") };
        assert!(e.0.contains("no preset \"nope\"") && e.0.contains("pmake-4vms"), "{}", e.0);
        assert_eq!(chosen_presets(&[]).map(|p| p.len()).ok(), Some(PRESETS.len()));
    }
}
