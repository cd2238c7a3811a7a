//! Shared by the guest-level machine tests: find a guest program built by `cargo xtask guests`,
//! boot it on a machine, run it to halt, and read what it printed.

// Each test file uses part of this module.
#![allow(dead_code)]

use machine::machine::Log;
use machine::{Machine, MachineConfig};

/// Cycles a guest gets before the test gives up on it (half a second of machine time at the
/// default 200 MHz; the longest guest run here needs about 20 million).
pub const MAX_CYCLES: u64 = 100_000_000;

/// Physical address of the parameter words `brt::params` reads.
pub const PARAMS: u32 = 0x1000;

/// The executable of guest program `name`, from target/guests/. Fails (never skips) when it
/// has not been built.
pub fn image(name: &str) -> Vec<u8> {
    let path = guest_files::dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("cannot read guest program {}: {e}; run `cargo xtask guests` first", path.display())
    })
}

/// A finished run.
pub struct Run {
    /// The machine, halted.
    pub m: Machine,
    /// Its event log.
    pub log: Log,
    /// The exit code.
    pub code: u32,
    /// Everything the console printed.
    pub console: String,
}

impl Run {
    /// Asserts that the program powered off with 0, showing its console if not.
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(self.code, 0, "exit code {}; console:\n{}", self.code, self.console);
        self
    }

    /// The console line starting with `prefix` (the first one).
    pub fn line(&self, prefix: &str) -> &str {
        self.console.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| {
            panic!("no console line starting with {prefix:?}; console:\n{}", self.console)
        })
    }
}

/// Boots guest `name` on a machine with `cfg` and `disks`, writes `params` to the parameter
/// words, and runs it to halt.
pub fn run(name: &str, cfg: MachineConfig, disks: Vec<Vec<u8>>, params: &[u32]) -> Run {
    let mut m = Machine::new(cfg, disks).unwrap_or_else(|e| panic!("{e}"));
    m.boot(&image(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let words: Vec<u8> = params.iter().flat_map(|w| w.to_le_bytes()).collect();
    assert!(m.sys.mem.ram.write_bytes(PARAMS, &words), "parameters do not fit");
    let mut log = Log::default();
    let code = m.run_to_halt(MAX_CYCLES, &mut log);
    let console = String::from_utf8_lossy(m.console()).into_owned();
    let code = code.unwrap_or_else(|| {
        panic!("{name} still running after {MAX_CYCLES} cycles; console:\n{console}")
    });
    Run { m, log, code, console }
}

/// The value of `key=value` in `line`, parsed.
pub fn field<T: std::str::FromStr>(line: &str, key: &str) -> T {
    let prefix = format!("{key}=");
    line.split_whitespace()
        .find_map(|w| w.strip_prefix(&prefix))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no parsable {key}= in {line:?}"))
}

/// Sectors on the disk `bm-disk` expects.
pub const DISK_SECTORS: u32 = 64;

/// Word `j` of sector `k` on the disk `bm-disk` expects.
pub fn disk_pattern(k: u32, j: u32) -> u32 {
    0xDA7A_0000 | k << 8 | j
}

/// The disk image `bm-disk` expects: [`DISK_SECTORS`] sectors of [`disk_pattern`].
pub fn disk_image() -> Vec<u8> {
    (0..DISK_SECTORS)
        .flat_map(|k| (0..128).flat_map(move |j| disk_pattern(k, j).to_le_bytes()))
        .collect()
}
