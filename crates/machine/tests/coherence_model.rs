//! Property test: the memory system's caches, directory and latency classification against a
//! deliberately naive model — sets as plain vectors in LRU order, and no directory at all (who
//! shares a line is found by scanning every cache). Random access streams from four CPUs on
//! two nodes over a few colliding sets must give the same stall for every access and the same
//! counters at the end.

use machine::MachineConfig;
use machine::config::CacheConfig;
use machine::memsys::MemorySystem;
use proptest::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum St {
    S,
    M,
    Stolen,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Counts {
    hits: u64,
    local: u64,
    remote: u64,
    coherence: u64,
    upgrades: u64,
    writebacks: u64,
}

struct Naive {
    sets: usize,
    ways: usize,
    /// caches[cpu][set] = entries, most recently used first.
    caches: Vec<Vec<Vec<(u32, St)>>>,
    counts: Vec<Counts>,
    node_lines: u32,
    cpus_per_node: usize,
    local: u64,
    remote: u64,
    uma: bool,
}

impl Naive {
    fn new(cfg: &MachineConfig) -> Naive {
        let lines = (cfg.cache.size_kb * 1024 / cfg.cache.line_bytes) as usize;
        let ways = cfg.cache.assoc as usize;
        Naive {
            sets: lines / ways,
            ways,
            caches: vec![vec![Vec::new(); lines / ways]; cfg.cpus()],
            counts: vec![Counts::default(); cfg.cpus()],
            node_lines: cfg.node_bytes() / cfg.cache.line_bytes,
            cpus_per_node: cfg.cpus_per_node as usize,
            local: cfg.cycles(cfg.latency.local_ns),
            remote: cfg.cycles(cfg.latency.remote_ns),
            uma: cfg.uma,
        }
    }

    fn set_of(&self, line: u32) -> usize {
        line as usize % self.sets
    }

    fn state(&self, cpu: usize, line: u32) -> Option<St> {
        self.caches[cpu][self.set_of(line)].iter().find(|e| e.0 == line).map(|e| e.1)
    }

    fn set_state(&mut self, cpu: usize, line: u32, st: St) {
        let set = self.set_of(line);
        if let Some(e) = self.caches[cpu][set].iter_mut().find(|e| e.0 == line) {
            e.1 = st;
        }
    }

    fn touch(&mut self, cpu: usize, line: u32) -> Option<St> {
        let set = self.set_of(line);
        let v = &mut self.caches[cpu][set];
        let i = v.iter().position(|e| e.0 == line)?;
        let e = v.remove(i);
        v.insert(0, e);
        Some(e.1)
    }

    /// Fill with the same policy the real cache documents: the line's own entry, else the
    /// least recently used empty-or-stolen way, else the LRU way.
    fn fill(&mut self, cpu: usize, line: u32, st: St) -> Option<(u32, St)> {
        let (set, ways) = (self.set_of(line), self.ways);
        let v = &mut self.caches[cpu][set];
        let victim = if let Some(i) = v.iter().position(|e| e.0 == line) {
            v.remove(i);
            None
        } else if v.len() < ways {
            None
        } else if let Some(i) = v.iter().rposition(|e| e.1 == St::Stolen) {
            v.remove(i);
            None
        } else {
            v.pop()
        };
        v.insert(0, (line, st));
        victim
    }

    fn holders(&self, line: u32, except: usize) -> Vec<usize> {
        (0..self.caches.len())
            .filter(|&c| c != except && matches!(self.state(c, line), Some(St::S | St::M)))
            .collect()
    }

    fn latency(&self, cpu: usize, line: u32, dirty: bool) -> (u64, bool) {
        let home = (line / self.node_lines) as usize;
        let local = home == cpu / self.cpus_per_node && !dirty;
        // UMA: no remote memory, every miss local.
        if self.uma || local { (self.local, true) } else { (self.remote, false) }
    }

    fn access(&mut self, cpu: usize, line: u32, write: bool) -> u64 {
        let st = self.touch(cpu, line);
        match (st, write) {
            (Some(St::S | St::M), false) | (Some(St::M), true) => {
                self.counts[cpu].hits += 1;
                0
            }
            (Some(St::S), true) => {
                for o in self.holders(line, cpu) {
                    self.set_state(o, line, St::Stolen);
                }
                self.set_state(cpu, line, St::M);
                self.counts[cpu].upgrades += 1;
                self.counts[cpu].hits += 1;
                self.latency(cpu, line, false).0
            }
            _ => {
                let owner = self
                    .holders(line, cpu)
                    .into_iter()
                    .find(|&o| self.state(o, line) == Some(St::M));
                let (lat, local) = self.latency(cpu, line, owner.is_some());
                if write {
                    for o in self.holders(line, cpu) {
                        self.set_state(o, line, St::Stolen);
                    }
                } else if let Some(o) = owner {
                    self.set_state(o, line, St::S);
                    self.counts[o].writebacks += 1;
                }
                if let Some((_, St::M)) = self.fill(cpu, line, if write { St::M } else { St::S }) {
                    self.counts[cpu].writebacks += 1;
                }
                let c = &mut self.counts[cpu];
                if local {
                    c.local += 1;
                } else {
                    c.remote += 1;
                }
                if st == Some(St::Stolen) {
                    c.coherence += 1;
                }
                lat
            }
        }
    }
}

fn config(uma: bool) -> MachineConfig {
    MachineConfig {
        nodes: 2,
        cpus_per_node: 2,
        memory_per_node_mb: 1,
        cache: CacheConfig { size_kb: 4, assoc: 2, line_bytes: 64 },
        uma,
        ..MachineConfig::flash(2, 2)
    }
}

/// Lines from three sets of the 32-set cache, on both nodes: plenty of conflicts.
fn line() -> impl Strategy<Value = u32> {
    let node_lines = (1u32 << 20) / 64;
    (0u32..3, 0u32..4, 0u32..2).prop_map(move |(set, k, node)| node * node_lines + set + 32 * k)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn memory_system_matches_the_naive_model(
        uma in any::<bool>(),
        stream in prop::collection::vec((0usize..4, line(), any::<bool>(), 0u32..64), 1..400),
    ) {
        let cfg = config(uma);
        let mut real = MemorySystem::new(&cfg);
        let mut naive = Naive::new(&cfg);
        for (i, &(cpu, line, write, offset)) in stream.iter().enumerate() {
            let pa = line * 64 + (offset & !3);
            let got = real.access(cpu, pa, write, false, i as u64);
            let want = naive.access(cpu, line, write);
            prop_assert_eq!(got, want, "access {} cpu {} line {:#x} write {}", i, cpu, line, write);
        }
        for cpu in 0..4 {
            let s = real.stats(cpu);
            let got = Counts {
                hits: s.hits,
                local: s.local_misses,
                remote: s.remote_misses,
                coherence: s.coherence_misses,
                upgrades: s.upgrades,
                writebacks: s.writebacks,
            };
            prop_assert_eq!(&got, &naive.counts[cpu], "counters of cpu {}", cpu);
        }
    }
}
