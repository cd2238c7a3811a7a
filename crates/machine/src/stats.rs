//! Counters the machine keeps, per CPU (the memory-system view; the CPU keeps its own
//! instruction and mode counters).

use serde::{Deserialize, Serialize};

/// Memory-system counters of one CPU.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemStats {
    /// Cached loads and stores.
    pub accesses: u64,
    /// Instruction-fetch line lookups.
    pub ifetches: u64,
    /// Accesses (data or fetch) that hit.
    pub hits: u64,
    /// Misses served by this CPU's node.
    pub local_misses: u64,
    /// Misses served by another node (or another CPU's dirty cache).
    pub remote_misses: u64,
    /// Of the misses, those to a line another CPU's write took away (communication misses).
    pub coherence_misses: u64,
    /// Writes to a shared line that had to invalidate other copies.
    pub upgrades: u64,
    /// Modified lines written back on eviction.
    pub writebacks: u64,
    /// Uncached accesses to memory or devices.
    pub uncached: u64,
    /// Cycles stalled on misses, upgrades and uncached accesses.
    pub stall_cycles: u64,
}

impl MemStats {
    /// All misses.
    pub fn misses(&self) -> u64 {
        self.local_misses + self.remote_misses
    }

    /// Adds another CPU's counters.
    pub fn add(&mut self, o: &MemStats) {
        self.accesses += o.accesses;
        self.ifetches += o.ifetches;
        self.hits += o.hits;
        self.local_misses += o.local_misses;
        self.remote_misses += o.remote_misses;
        self.coherence_misses += o.coherence_misses;
        self.upgrades += o.upgrades;
        self.writebacks += o.writebacks;
        self.uncached += o.uncached;
        self.stall_cycles += o.stall_cycles;
    }
}
