//! Engineering: the paper's Engineering workload — several long-running simulators at once, a
//! Verilog simulation (Chronologic VCS) and simulations of a machine's memory system,
//! multiprogrammed (the NUMA run had six of each on eight CPUs).
//!
//! Here: [`logicsim`] processes (an event-driven gate-level simulator over a generated
//! netlist) and [`memsim`] processes (a cache-coherent memory-system simulator over a
//! generated address trace), started together in the background by `/etc/rc`. Each instance
//! gets its own seed, so each computes something different and prints its own checksum.
//!
//! Memory behaviour: every process has a large private working set (megabytes at full size,
//! far more than the machine's 256 KB caches) that it walks with poor locality, so it misses
//! all the time. A NUMA-unaware kernel spreads its pages over all the nodes and moves the
//! process between CPUs as it pleases: most misses go to remote memory, and each page is
//! used by one node at a time — the case for the paper's page *migration*.
//!
//! ```text
//! logicsim [tiny|full] [instance]
//! memsim [tiny|full] [instance]
//! ```

pub mod logicsim;
pub mod memsim;

use alloc::string::String;

/// The sizes of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Its name on the command line.
    pub name: &'static str,
    /// Each logicsim.
    pub logic: logicsim::Size,
    /// Each memsim.
    pub mem: memsim::Size,
    /// Instances of each program that `/etc/rc` starts.
    pub instances: u32,
}

/// About ten to fifteen million instructions per process; four of each.
pub const TINY: Size = Size {
    name: "tiny",
    logic: logicsim::Size { gates: 16 * 1024, cycles: 8 },
    mem: memsim::Size { cpus: 4, memory_kb: 16 * 1024, cache_kb: 64, references: 40_000 },
    instances: 4,
};

/// The paper's scale: six of each, 150 million instructions or so per process and a few MB
/// of data each.
pub const FULL: Size = Size {
    name: "full",
    logic: logicsim::Size { gates: 96 * 1024, cycles: 16 },
    mem: memsim::Size { cpus: 4, memory_kb: 64 * 1024, cache_kb: 256, references: 700_000 },
    instances: 6,
};

/// Every size, by name.
pub const SIZES: [Size; 2] = [TINY, FULL];

/// Most instances (each has its own seed).
pub const MAX_INSTANCE: u32 = 999;

/// The seed of instance `instance` of a program.
fn seed(program: u64, instance: u32) -> u64 {
    program << 32 ^ u64::from(instance).wrapping_mul(0x9e37_79b9) ^ 1997
}

/// Parses `[tiny|full] [instance]` (without the program name); defaults tiny, 0.
pub fn parse_args(args: &[&str]) -> Result<(Size, u32), String> {
    let mut size = None;
    let mut instance = None;
    for &a in args {
        if let Some(s) = SIZES.iter().find(|s| s.name == a) {
            if size.replace(*s).is_some() {
                return Err("more than one size".into());
            }
        } else if let Some(i) = a.parse::<u32>().ok().filter(|&i| i <= MAX_INSTANCE) {
            if instance.replace(i).is_some() {
                return Err("more than one instance".into());
            }
        } else {
            return Err(alloc::format!(
                "bad argument `{a}` (a size, tiny or full, or an instance 0..={MAX_INSTANCE})"
            ));
        }
    }
    Ok((size.unwrap_or(TINY), instance.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_size_and_instance() {
        assert_eq!(parse_args(&[]), Ok((TINY, 0)));
        assert_eq!(parse_args(&["full", "3"]), Ok((FULL, 3)));
        assert_eq!(parse_args(&["5", "tiny"]), Ok((TINY, 5)));
        for bad in [&["huge"][..], &["-1"], &["1000"], &["1", "2"], &["tiny", "full"], &["-v"]] {
            assert!(parse_args(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn full_working_sets_exceed_the_caches_by_far() {
        let sim = logicsim::Sim::new(FULL.logic.gates, 1);
        assert!(sim.bytes() > 2 << 20, "{}", sim.bytes());
        // memsim: its directory alone (two bytes per 64-byte line).
        assert!(FULL.mem.memory_kb as usize * 1024 / 32 >= 2 << 20);
        let tiny = logicsim::Sim::new(TINY.logic.gates, 1);
        assert!(tiny.bytes() > 256 << 10, "{}", tiny.bytes());
    }
}
