//! Differential tests: our MIPS32 CPU (through the user-mode runner, `cli::user`) against a real
//! one, qemu-mipsel. Both run the same static Linux executables; stdout and the exit status
//! (exit code or fatal signal) must be identical. stderr is not compared: qemu adds its own
//! messages there.
//!
//! - `guest_programs_match_qemu`: every `lt-*` program from `guests/tests/` (built into
//!   target/guests by `cargo xtask guests`).
//! - `random_sequences_match_qemu`: random instruction sequences (see `support::randgen`), one
//!   per seed. `DIFF_SEEDS=n` changes how many (default 500); `DIFF_SEED=s` runs seed `s` alone
//!   and keeps its ELF for `llvm-objdump -d`.
//!
//! Both fail, rather than skip, when qemu-mipsel or the guest programs are missing.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cli::user::Status;
use support::randgen::{self, DATA_LEN, DUMP_LEN, OUTPUT_LEN};
use support::run;

/// Instruction budget for one guest program on our side.
const PROGRAM_LIMIT: u64 = 2_000_000_000;
/// Instruction budget for one random sequence (it runs at most a few hundred).
const SEQUENCE_LIMIT: u64 = 100_000;
/// Body items per random sequence.
const SEQUENCE_ITEMS: usize = 200;
/// Seeds run by default.
const DEFAULT_SEEDS: u64 = 500;
/// Failures described in full; the rest are counted.
const SHOWN: usize = 5;

/// SIGTRAP and SIGFPE (the same numbers on MIPS and on the host).
const SIGTRAP: i32 = 5;
const SIGFPE: i32 = 8;

fn guests_dir() -> PathBuf {
    guest_files::dir()
}

/// A scratch directory for this test process: ELFs for qemu, and its core files if any.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("disco-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cannot create a scratch directory in the temp dir");
    dir
}

/// The arguments a program gets (argv[0] is its name) and how qemu must see it end.
fn plan(name: &str) -> (Vec<String>, Status) {
    let mut args = vec![name.to_string()];
    let status = match name {
        "lt-argv" => {
            args.extend(["first", "", "with space", "ünï", "--flag=1"].map(String::from));
            Status::Exited(0)
        }
        "lt-exit" => Status::Exited(42),
        "lt-panic" => Status::Exited(101),
        "lt-trap" => Status::Signaled(SIGTRAP),
        "lt-overflow" => Status::Signaled(SIGFPE),
        _ => Status::Exited(0),
    };
    (args, status)
}

/// Panics with the failures, the first few in full.
fn report(what: &str, ran: usize, failures: &[String]) {
    if failures.is_empty() {
        return;
    }
    let mut msg = format!("{} of {ran} {what} differ from qemu-mipsel:\n\n", failures.len());
    for f in failures.iter().take(SHOWN) {
        msg.push_str(f);
        msg.push('\n');
    }
    if failures.len() > SHOWN {
        msg.push_str(&format!("... and {} more\n", failures.len() - SHOWN));
    }
    panic!("{msg}");
}

#[test]
fn guest_programs_match_qemu() {
    run::require_qemu();
    let dir = guests_dir();
    let mut programs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("lt-")))
                .collect()
        })
        .unwrap_or_default();
    programs.sort();
    assert!(
        !programs.is_empty(),
        "no test programs (lt-*) in {}: run `cargo xtask guests`",
        dir.display()
    );

    let cwd = scratch("programs");
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut instructions = 0;
    for exe in &programs {
        let name = exe.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let (args, expected) = plan(&name);
        let reference = match run::qemu(exe, &args, &cwd, Duration::from_secs(60)) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if reference.status != expected {
            failures.push(format!(
                "{name}: qemu-mipsel itself ended with {:?}, expected {expected:?} (a broken guest \
                 build?)\nqemu stderr: {}",
                reference.status,
                String::from_utf8_lossy(&reference.stderr)
            ));
            continue;
        }
        let image = std::fs::read(exe).expect("cannot read a guest program");
        match run::ours(&image, &args, PROGRAM_LIMIT) {
            Err(e) => failures.push(format!("{name}: {e}")),
            Ok(ours) => {
                instructions += ours.instructions;
                if let Some(why) = run::difference(&reference, &ours) {
                    failures.push(format!("{name} {args:?}:\n{why}"));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&cwd);
    println!(
        "differential: {} guest programs in {:.1?} ({instructions} instructions on our side), \
         {} differ",
        programs.len(),
        started.elapsed(),
        failures.len()
    );
    report("guest programs", programs.len(), &failures);
}

#[test]
fn random_sequences_match_qemu() {
    run::require_qemu();
    let env_u64 = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let (seeds, keep): (Vec<u64>, bool) = match env_u64("DIFF_SEED") {
        Some(s) => (vec![s], true),
        None => ((0..env_u64("DIFF_SEEDS").unwrap_or(DEFAULT_SEEDS)).collect(), false),
    };
    let dir = scratch("sequences");
    let started = Instant::now();
    let mut failures = Vec::new();
    let (mut trapped, mut words, mut executed) = (0, 0, 0);
    for &seed in &seeds {
        let seq = randgen::generate(seed, SEQUENCE_ITEMS);
        words += seq.words;
        let path = dir.join(format!("seed-{seed}.elf"));
        write_executable(&path, &seq.elf);
        let args = vec![format!("seed-{seed}")];
        let outcome = check_sequence(&seq, &path, &args, &dir);
        match outcome {
            Ok((t, n)) => {
                trapped += usize::from(t);
                executed += n;
                if !keep {
                    let _ = std::fs::remove_file(&path);
                }
            }
            Err(why) => failures.push(format!(
                "seed {} ({} words, data area via ${}{}):\n{}\n  reproduce: DIFF_SEED={seed} cargo \
                 test -p cli --test differential random_sequences\n  disassemble: \
                 /usr/lib/llvm-22/bin/llvm-objdump -d {}\n",
                seq.seed,
                seq.words,
                seq.base,
                if seq.may_trap { ", may trap" } else { "" },
                why.trim_end(),
                path.display()
            )),
        }
    }
    if failures.is_empty() && !keep {
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!(
        "differential: {} random sequences ({words} instruction words, {executed} executed on our \
         side, {trapped} ended by a trap) in {:.1?}, {} differ",
        seeds.len(),
        started.elapsed(),
        failures.len()
    );
    report("random sequences", seeds.len(), &failures);
}

/// Writes an executable file: qemu-mipsel refuses files without execute permission (and says
/// so on its stdout).
fn write_executable(path: &Path, bytes: &[u8]) {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o755)
        .open(path)
        .expect("cannot create a generated ELF");
    file.write_all(bytes).expect("cannot write a generated ELF");
}

/// Runs one sequence on both sides; if they agree, whether it ended by a trap and how many
/// instructions it ran.
fn check_sequence(
    seq: &randgen::Sequence,
    path: &Path,
    args: &[String],
    dir: &Path,
) -> Result<(bool, u64), String> {
    let reference = run::qemu(path, args, dir, Duration::from_secs(20))?;
    // The generator's own promise, checked against the reference before blaming our CPU.
    let trapped = match reference.status {
        Status::Exited(0) if reference.stdout.len() == OUTPUT_LEN => false,
        Status::Signaled(SIGFPE | SIGTRAP) if seq.may_trap && reference.stdout.is_empty() => true,
        other => {
            return Err(format!(
                "generator bug: under qemu-mipsel it ended with {other:?} after {} bytes of \
                 output\nqemu stderr: {}\n",
                reference.stdout.len(),
                String::from_utf8_lossy(&reference.stderr)
            ));
        }
    };
    let ours = run::ours(&seq.elf, args, SEQUENCE_LIMIT)?;
    match run::difference(&reference, &ours) {
        None => Ok((trapped, ours.instructions)),
        // Both printed a dump: say which registers and bytes differ.
        Some(_)
            if reference.status == ours.status
                && ours.stdout.len() == reference.stdout.len()
                && ours.stdout.len() == OUTPUT_LEN =>
        {
            Err(format!(
                "registers or data differ:\n{}",
                dump_diff(&reference.stdout, &ours.stdout)
            ))
        }
        Some(why) => Err(why),
    }
}

/// Register by register and byte by byte, how two register dumps + data areas differ.
fn dump_diff(want: &[u8], ours: &[u8]) -> String {
    let word = |b: &[u8], i: usize| {
        u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])
    };
    let mut s = String::new();
    for i in 0..DUMP_LEN / 4 {
        let (w, o) = (word(want, i), word(ours, i));
        if w != o {
            let name = match i {
                32 => "HI".to_string(),
                33 => "LO".to_string(),
                r => format!("${r}"),
            };
            s.push_str(&format!("  {name:>4}: qemu {w:#010x}, ours {o:#010x}\n"));
        }
    }
    let data = |b: &[u8]| b[DUMP_LEN..].to_vec();
    let (w, o) = (data(want), data(ours));
    let bad: Vec<usize> = (0..DATA_LEN).filter(|&i| w[i] != o[i]).collect();
    for &i in bad.iter().take(8) {
        s.push_str(&format!("  data+{i:#05x}: qemu {:#04x}, ours {:#04x}\n", w[i], o[i]));
    }
    if bad.len() > 8 {
        s.push_str(&format!("  ... {} data bytes differ in all\n", bad.len()));
    }
    s
}
