//! Machine configuration: how many nodes and CPUs, how much memory, the cache geometry, the
//! clock and latencies, the FLASH hot-page counters, and the devices' timing. Every field is
//! validated with an error that names it; presets give the paper's machine at sizes that run
//! fast.

use serde::{Deserialize, Serialize};

/// A configuration field that is out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("machine.{field}: {message}")]
pub struct ConfigError {
    /// Dotted path of the field, e.g. `cache.line_bytes`.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { field, message: message.into() }
}

/// Geometry of each CPU's cache (the unified second-level "board" cache; see docs/machine.md
/// for why there is no separate first level).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    /// Capacity in KB (power of two, 4..=16384).
    pub size_kb: u32,
    /// Ways per set (1..=16).
    pub assoc: u32,
    /// Line size in bytes (power of two, 16..=512).
    pub line_bytes: u32,
}

/// Latencies, in nanoseconds of simulated time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyConfig {
    /// A cache miss served by the requesting CPU's own node (paper: 300 ns).
    pub local_ns: u32,
    /// A cache miss served by another node, or by another CPU's dirty cache (paper: 900 ns).
    pub remote_ns: u32,
    /// An uncached access to a device register.
    pub device_ns: u32,
}

/// FLASH's per-page cache-miss counters (see `hot_page.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotPageConfig {
    /// Count misses at all (the monitor's NUMA policy needs this).
    pub enabled: bool,
    /// Misses from one node to one page, within one interval, that make the page hot.
    pub threshold: u32,
    /// Counter reset interval, in cycles.
    pub interval_cycles: u64,
    /// Count one miss in every `sample` (1 = count every miss).
    pub sample: u32,
}

/// The whole machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineConfig {
    /// Number of nodes (1..=16).
    pub nodes: u32,
    /// CPUs on each node (1..=4).
    pub cpus_per_node: u32,
    /// Memory on each node, in MB (whole MB; all nodes together at most 448 MB, the part of
    /// the physical address space below the device window that kseg0 reaches).
    pub memory_per_node_mb: u32,
    /// CPU clock in MHz (1..=5000); converts nanosecond latencies to cycles.
    pub clock_mhz: u32,
    /// Per-CPU cache geometry.
    pub cache: CacheConfig,
    /// Memory and device latencies.
    pub latency: LatencyConfig,
    /// UMA: every miss costs the local latency, wherever the memory is (the paper's
    /// comparison point).
    pub uma: bool,
    /// TLB entry pairs per CPU (1..=64).
    pub tlb_entries: u32,
    /// Hot-page counters.
    pub hot_page: HotPageConfig,
    /// CPUs run in turn for this many cycles each (the interleaving quantum; 100..=1_000_000).
    pub quantum_cycles: u32,
    /// Disk: fixed latency of a request in microseconds, before the transfer.
    pub disk_latency_us: u32,
    /// Disk: transfer rate in MB/s.
    pub disk_mb_per_s: u32,
    /// Perturbs each disk request's latency by up to a quarter (0 = none): another seed gives
    /// another interleaving of the same run — the same results, different timing — as a real
    /// disk's rotational position would. The run stays deterministic for a given seed.
    #[serde(default)]
    pub seed: u64,
}

/// Top of RAM: devices start at [`crate::address_map::DEVICE_BASE`] (496 MB) and kseg0 reaches
/// 512 MB; 448 MB leaves room.
pub const MAX_MEMORY_MB: u32 = 448;
const _: () = assert!(MAX_MEMORY_MB << 20 <= crate::address_map::DEVICE_BASE);

impl Default for MachineConfig {
    fn default() -> Self {
        Self::flash(4, 2)
    }
}

impl MachineConfig {
    /// The paper's FLASH machine, scaled: `nodes` nodes of `cpus_per_node` CPUs at 200 MHz,
    /// 300/900 ns local/remote misses, 16 MB per node, 256 KB 2-way caches with 128-byte lines.
    pub fn flash(nodes: u32, cpus_per_node: u32) -> Self {
        MachineConfig {
            nodes,
            cpus_per_node,
            memory_per_node_mb: 16,
            clock_mhz: 200,
            cache: CacheConfig { size_kb: 256, assoc: 2, line_bytes: 128 },
            latency: LatencyConfig { local_ns: 300, remote_ns: 900, device_ns: 1000 },
            uma: false,
            tlb_entries: 64,
            hot_page: HotPageConfig {
                enabled: true,
                threshold: 64,
                interval_cycles: 2_000_000,
                sample: 1,
            },
            quantum_cycles: 10_000,
            disk_latency_us: 2000,
            disk_mb_per_s: 20,
            seed: 0,
        }
    }

    /// One node with one CPU: the smallest machine, for tests.
    pub fn uniprocessor() -> Self {
        Self::flash(1, 1)
    }

    /// Total CPUs.
    pub fn cpus(&self) -> usize {
        (self.nodes * self.cpus_per_node) as usize
    }

    /// Bytes of memory per node.
    pub fn node_bytes(&self) -> u32 {
        self.memory_per_node_mb << 20
    }

    /// Machine pages, all nodes.
    pub fn pages(&self) -> u32 {
        self.memory_bytes() >> crate::ids::PAGE_SHIFT
    }

    /// The node whose memory holds machine page `page` (memory is laid out node after node).
    pub fn node_of_page(&self, page: crate::ids::Mppn) -> crate::ids::NodeId {
        let per_node = (self.node_bytes() >> crate::ids::PAGE_SHIFT).max(1);
        crate::ids::NodeId((page.0 / per_node) as u16)
    }

    /// Total bytes of memory.
    pub fn memory_bytes(&self) -> u32 {
        self.node_bytes() * self.nodes
    }

    /// The node CPU `cpu` sits on.
    pub fn node_of_cpu(&self, cpu: usize) -> usize {
        cpu / self.cpus_per_node as usize
    }

    /// Nanoseconds to cycles at the configured clock (rounded to nearest, at least 1).
    pub fn cycles(&self, ns: u32) -> u64 {
        ((u64::from(ns) * u64::from(self.clock_mhz) + 500) / 1000).max(1)
    }

    /// Checks every field; the first bad one is reported by name.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=16).contains(&self.nodes) {
            return Err(bad("nodes", format!("{} is not in 1..=16", self.nodes)));
        }
        if !(1..=4).contains(&self.cpus_per_node) {
            return Err(bad("cpus_per_node", format!("{} is not in 1..=4", self.cpus_per_node)));
        }
        if self.memory_per_node_mb == 0 {
            return Err(bad("memory_per_node_mb", "must be at least 1"));
        }
        if u64::from(self.memory_per_node_mb) * u64::from(self.nodes) > u64::from(MAX_MEMORY_MB) {
            return Err(bad(
                "memory_per_node_mb",
                format!(
                    "{} MB x {} nodes exceeds the {MAX_MEMORY_MB} MB the address map allows",
                    self.memory_per_node_mb, self.nodes
                ),
            ));
        }
        if !(1..=5000).contains(&self.clock_mhz) {
            return Err(bad("clock_mhz", format!("{} is not in 1..=5000", self.clock_mhz)));
        }
        let c = &self.cache;
        if !c.size_kb.is_power_of_two() || !(4..=16384).contains(&c.size_kb) {
            return Err(bad(
                "cache.size_kb",
                format!("{} is not a power of two in 4..=16384", c.size_kb),
            ));
        }
        if !(1..=16).contains(&c.assoc) {
            return Err(bad("cache.assoc", format!("{} is not in 1..=16", c.assoc)));
        }
        if !c.line_bytes.is_power_of_two() || !(16..=512).contains(&c.line_bytes) {
            return Err(bad(
                "cache.line_bytes",
                format!("{} is not a power of two in 16..=512", c.line_bytes),
            ));
        }
        let lines = c.size_kb * 1024 / c.line_bytes;
        if lines < c.assoc || !(lines / c.assoc).is_power_of_two() {
            return Err(bad(
                "cache.assoc",
                format!(
                    "{} ways do not divide {lines} lines into a power-of-two number of sets",
                    c.assoc
                ),
            ));
        }
        let l = &self.latency;
        for (field, v) in [
            ("latency.local_ns", l.local_ns),
            ("latency.remote_ns", l.remote_ns),
            ("latency.device_ns", l.device_ns),
        ] {
            if !(1..=1_000_000).contains(&v) {
                return Err(bad(field, format!("{v} is not in 1..=1000000")));
            }
        }
        if !(1..=64).contains(&self.tlb_entries) {
            return Err(bad("tlb_entries", format!("{} is not in 1..=64", self.tlb_entries)));
        }
        let h = &self.hot_page;
        if h.threshold == 0 {
            return Err(bad("hot_page.threshold", "must be at least 1"));
        }
        if h.interval_cycles < 1000 {
            return Err(bad("hot_page.interval_cycles", "must be at least 1000"));
        }
        if h.sample == 0 {
            return Err(bad("hot_page.sample", "must be at least 1"));
        }
        if !(100..=1_000_000).contains(&self.quantum_cycles) {
            return Err(bad(
                "quantum_cycles",
                format!("{} is not in 100..=1000000", self.quantum_cycles),
            ));
        }
        if self.disk_mb_per_s == 0 {
            return Err(bad("disk_mb_per_s", "must be at least 1"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid() {
        for c in [
            MachineConfig::default(),
            MachineConfig::uniprocessor(),
            MachineConfig::flash(16, 1),
            MachineConfig::flash(4, 4),
        ] {
            assert_eq!(c.validate(), Ok(()));
        }
    }

    #[test]
    fn bad_fields_are_named() {
        let c = MachineConfig { nodes: 17, ..MachineConfig::default() };
        assert_eq!(c.validate().map_err(|e| e.field), Err("nodes"));
        let mut c = MachineConfig::default();
        c.cache.line_bytes = 100;
        let e = c.validate().expect_err("bad line");
        assert_eq!(e.field, "cache.line_bytes");
        assert_eq!(
            e.to_string(),
            "machine.cache.line_bytes: 100 is not a power of two in 16..=512"
        );
        let mut c = MachineConfig::flash(16, 1);
        c.memory_per_node_mb = 32;
        assert_eq!(c.validate().map_err(|e| e.field), Err("memory_per_node_mb"));
        let mut c = MachineConfig::default();
        c.cache.assoc = 3;
        assert_eq!(c.validate().map_err(|e| e.field), Err("cache.assoc"));
    }

    #[test]
    fn unknown_fields_are_refused() {
        let mut v = serde_json::to_value(MachineConfig::default()).expect("json");
        v["nodez"] = 3.into();
        let e = serde_json::from_value::<MachineConfig>(v).expect_err("unknown field");
        assert!(e.to_string().contains("nodez"), "{e}");
    }

    #[test]
    fn latencies_in_cycles() {
        let c = MachineConfig::default();
        assert_eq!(c.cycles(c.latency.local_ns), 60);
        assert_eq!(c.cycles(c.latency.remote_ns), 180);
    }
}
