//! memsim: a memory-system simulator, the other half of the Engineering workload (the paper
//! ran a simulator of a machine's memory system alongside the Verilog simulations).
//!
//! It simulates a small shared-memory multiprocessor: [`Size::cpus`] CPUs, each with a
//! 4-way set-associative write-back cache (LRU), kept coherent by a full-map directory with one
//! entry per line of the simulated memory (MSI: a line is uncached, shared by a set of caches,
//! or modified in one). The input is an address trace generated in chunks, as if read from a
//! trace file: each simulated CPU mixes a sequential stream through its private data, random
//! references to its private data, and references to a shared region with a hot spot, a third
//! of them writes. It counts hits, misses, invalidations and write-backs.
//!
//! Memory behaviour: the directory (two bytes per 64-byte line of the simulated memory, so
//! megabytes) is indexed by the trace's addresses, at random; the simulated caches' tag arrays
//! add hundreds of kilobytes more. Poor locality, a private working set far larger than the
//! real machine's cache.

use alloc::vec::Vec;

use crate::hash::Fnv64;
use crate::rng::Rng;

/// How big a simulation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Simulated CPUs (1..=8).
    pub cpus: u32,
    /// Simulated memory in KB (a power of two, at least 64).
    pub memory_kb: u32,
    /// Each simulated cache, in KB (a power of two, at least 1).
    pub cache_kb: u32,
    /// References in the trace.
    pub references: u32,
}

/// Line size of the simulated machine.
const LINE_SHIFT: u32 = 6;
/// Ways per set.
const WAYS: usize = 4;
/// References generated at a time (a trace file's buffer).
const CHUNK: usize = 16 * 1024;

/// Directory entry: bits 0..8 the caches holding the line, bit 8 "modified" (then exactly one
/// holder).
const DIRTY: u16 = 1 << 8;

/// Cache line state, in a tag word's low bits: 0 invalid, 1 shared, 2 modified; the line
/// number is above them.
const SHARED: u32 = 1;
const MODIFIED: u32 = 2;

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// References that hit.
    pub hits: u64,
    /// Read misses.
    pub read_misses: u64,
    /// Write misses.
    pub write_misses: u64,
    /// Writes to shared lines (ownership requests).
    pub upgrades: u64,
    /// Copies invalidated in other caches.
    pub invalidations: u64,
    /// Modified lines written back (evicted, or read by another CPU).
    pub writebacks: u64,
}

/// The simulated machine.
pub struct Machine {
    cpus: usize,
    sets: usize,
    /// Per CPU, `sets × WAYS` tag words, most recently used first in each set.
    tags: Vec<Vec<u32>>,
    directory: Vec<u16>,
    /// The counters.
    pub stats: Stats,
}

impl Machine {
    fn new(size: &Size) -> Machine {
        let lines = (size.memory_kb as usize * 1024) >> LINE_SHIFT;
        let sets = ((size.cache_kb as usize * 1024) >> LINE_SHIFT) / WAYS;
        Machine {
            cpus: size.cpus as usize,
            sets: sets.max(1),
            tags: (0..size.cpus).map(|_| alloc::vec![0u32; sets.max(1) * WAYS]).collect(),
            directory: alloc::vec![0u16; lines],
            stats: Stats::default(),
        }
    }

    /// Drops `line` from CPU `cpu`'s cache (a coherence action); its state, if it was there.
    fn drop_line(&mut self, cpu: usize, line: u32) -> u32 {
        let set = line as usize % self.sets;
        let ways = &mut self.tags[cpu][set * WAYS..(set + 1) * WAYS];
        for w in 0..WAYS {
            if ways[w] != 0 && ways[w] >> 2 == line {
                let state = ways[w] & 3;
                // Keep the LRU order: close the gap, the free way goes last.
                ways.copy_within(w + 1.., w);
                ways[WAYS - 1] = 0;
                return state;
            }
        }
        0
    }

    /// Sets `line`'s state in `cpu`'s cache, if it holds the line.
    fn downgrade(&mut self, cpu: usize, line: u32) {
        let set = line as usize % self.sets;
        for t in &mut self.tags[cpu][set * WAYS..(set + 1) * WAYS] {
            if *t != 0 && *t >> 2 == line {
                *t = line << 2 | SHARED;
            }
        }
    }

    /// One reference by `cpu` to byte address `addr`.
    fn access(&mut self, cpu: usize, addr: u32, write: bool) {
        let line = addr >> LINE_SHIFT;
        let set = line as usize % self.sets;
        let base = set * WAYS;
        let ways = &mut self.tags[cpu][base..base + WAYS];
        let found = ways.iter().position(|&t| t != 0 && t >> 2 == line);
        if let Some(w) = found {
            let state = ways[w] & 3;
            ways[..=w].rotate_right(1);
            if !write || state == MODIFIED {
                self.stats.hits += 1;
                return;
            }
            self.stats.upgrades += 1;
        } else if write {
            self.stats.write_misses += 1;
        } else {
            self.stats.read_misses += 1;
        }
        // Ask the directory.
        let entry = self.directory[line as usize];
        let me = 1u16 << cpu;
        let others = entry & 0xff & !me;
        if write {
            for other in 0..self.cpus {
                if others & 1 << other != 0 {
                    if self.drop_line(other, line) == MODIFIED {
                        self.stats.writebacks += 1;
                    }
                    self.stats.invalidations += 1;
                }
            }
            self.directory[line as usize] = me | DIRTY;
        } else {
            if entry & DIRTY != 0 && others != 0 {
                let owner = others.trailing_zeros() as usize;
                self.downgrade(owner, line);
                self.stats.writebacks += 1;
            }
            self.directory[line as usize] = (entry | me) & !DIRTY;
        }
        let tag = line << 2 | if write { MODIFIED } else { SHARED };
        let ways = &mut self.tags[cpu][base..base + WAYS];
        if found.is_some() {
            ways[0] = tag; // the upgrade: the line is already at the front
            return;
        }
        let victim = ways[WAYS - 1];
        ways.rotate_right(1);
        ways[0] = tag;
        if victim != 0 {
            let vline = victim >> 2;
            if victim & 3 == MODIFIED {
                self.stats.writebacks += 1;
            }
            let d = &mut self.directory[vline as usize];
            *d &= !me;
            if *d & 0xff == 0 {
                *d = 0;
            }
        }
    }

    /// A hash of every cache's tags.
    fn tags_hash(&self) -> u64 {
        let mut h = Fnv64::new();
        for cache in &self.tags {
            for &t in cache {
                h.write_u32(t);
            }
        }
        h.finish()
    }
}

/// The trace generator: per CPU a sequential stream through its private data, random private
/// references, and shared references (80% of them to a hot eighth of the shared region).
pub struct Trace {
    rng: Rng,
    cpus: u32,
    /// Bytes of each CPU's private region; the shared region is the upper half of memory.
    private_bytes: u32,
    shared_base: u32,
    shared_bytes: u32,
    streams: Vec<u32>,
    next_cpu: u32,
}

impl Trace {
    fn new(size: &Size, seed: u64) -> Trace {
        let memory = size.memory_kb * 1024;
        let private_bytes = memory / 2 / size.cpus;
        Trace {
            rng: Rng::new(seed),
            cpus: size.cpus,
            private_bytes,
            shared_base: memory / 2,
            shared_bytes: memory / 2,
            streams: alloc::vec![0; size.cpus as usize],
            next_cpu: 0,
        }
    }

    /// Fills `out` with references: bits 0..28 the address, 28..31 the CPU, bit 31 a write.
    fn fill(&mut self, out: &mut [u32]) {
        for r in out {
            let cpu = self.next_cpu;
            self.next_cpu = (cpu + 1) % self.cpus;
            let bits = self.rng.next_u64();
            let pick = (bits & 0xff) as u32;
            let write = (bits >> 8) & 0xff < 85;
            let at = (bits >> 32) as u32;
            let addr = if pick < 100 {
                // A sequential stream of words through the private region.
                let s = &mut self.streams[cpu as usize];
                *s = (*s + 8) % self.private_bytes;
                cpu * self.private_bytes + *s
            } else if pick < 190 {
                cpu * self.private_bytes + at % self.private_bytes
            } else if (bits >> 16) & 0xff < 204 {
                self.shared_base + at % (self.shared_bytes / 8)
            } else {
                self.shared_base + at % self.shared_bytes
            };
            *r = addr & 0x0fff_fff8 | cpu << 28 | u32::from(write) << 31;
        }
    }
}

/// Runs instance `instance` of `size`; its output line.
pub fn run(size: &Size, instance: u32) -> alloc::string::String {
    let mut m = Machine::new(size);
    let mut trace = Trace::new(size, super::seed(0x3e3, instance));
    let mut buf = alloc::vec![0u32; CHUNK];
    let mut left = size.references as usize;
    let mut h = Fnv64::new();
    while left > 0 {
        let n = left.min(CHUNK);
        trace.fill(&mut buf[..n]);
        for &r in &buf[..n] {
            m.access((r >> 28 & 7) as usize, r & 0x0fff_ffff, r >> 31 != 0);
        }
        left -= n;
        // Per chunk, the counters so far (as a simulator's periodic report).
        let s = &m.stats;
        for v in [s.hits, s.read_misses, s.write_misses, s.upgrades, s.invalidations] {
            h.write_u64(v);
        }
    }
    h.write_u64(m.stats.writebacks);
    h.write_u64(m.tags_hash());
    let s = &m.stats;
    let misses = s.read_misses + s.write_misses;
    alloc::format!(
        "memsim {instance}: {} cpus, {} KB caches, {} KB memory, {} references, {} misses, \
         {} invalidations, checksum {:016x}",
        size.cpus,
        size.cache_kb,
        size.memory_kb,
        size.references,
        misses,
        s.invalidations,
        h.finish()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Size = Size { cpus: 4, memory_kb: 1024, cache_kb: 16, references: 200_000 };

    #[test]
    fn the_directory_agrees_with_the_caches() {
        let mut m = Machine::new(&SMALL);
        let mut trace = Trace::new(&SMALL, 5);
        let mut buf = alloc::vec![0u32; 50_000];
        trace.fill(&mut buf);
        for &r in &buf {
            m.access((r >> 28 & 7) as usize, r & 0x0fff_ffff, r >> 31 != 0);
        }
        // Every cached line is in the directory with its holder, and vice versa.
        let mut held = std::collections::BTreeMap::<u32, u16>::new();
        for (cpu, cache) in m.tags.iter().enumerate() {
            for &t in cache.iter().filter(|&&t| t != 0) {
                *held.entry(t >> 2).or_default() |= 1 << cpu;
                if t & 3 == MODIFIED {
                    assert_eq!(m.directory[(t >> 2) as usize], 1 << cpu | DIRTY);
                }
            }
        }
        for (line, &d) in m.directory.iter().enumerate() {
            assert_eq!(d & 0xff, held.get(&(line as u32)).copied().unwrap_or(0), "line {line}");
        }
        let s = m.stats;
        assert_eq!(s.hits + s.read_misses + s.write_misses + s.upgrades, 50_000);
        assert!(s.hits > 10_000 && s.read_misses > 5_000 && s.invalidations > 100, "{s:?}");
    }

    #[test]
    fn instances_differ_and_repeat() {
        assert_eq!(run(&SMALL, 2), run(&SMALL, 2));
        assert_ne!(run(&SMALL, 2), run(&SMALL, 3));
        assert!(run(&SMALL, 1).starts_with("memsim 1: 4 cpus, 16 KB caches, 1024 KB memory, "));
    }
}
