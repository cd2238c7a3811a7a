//! The memory system: RAM, one cache per CPU, the directory, NUMA latencies, the hot-page
//! counters and the CPUs' LL/SC links.
//!
//! [`MemorySystem::access`] is called for every cached load and store and for every
//! instruction-cache line a CPU starts fetching from. It returns the stall cycles the access
//! costs and keeps the directory exact:
//! - a read miss fetches the line shared (downgrading a modified copy elsewhere);
//! - a write miss or a write to a shared line invalidates every other copy (those caches keep
//!   the tag as *stolen*, so their next miss counts as a coherence miss);
//! - a miss costs the local latency if the line's home node is the CPU's node, the remote
//!   latency otherwise, and the remote latency whenever another CPU's cache holds it modified
//!   (the three-hop case); in UMA mode every miss costs the local latency;
//! - hits cost nothing beyond the instruction's own cycle.
//!
//! A per-CPU "last line" shortcut answers repeated accesses to the same line without touching
//! the cache arrays; anything that takes rights away from a CPU clears it. Behind it, a hit on
//! the most recently used way of a set is answered inline too (it moves nothing in the LRU
//! order); only other hits, misses and upgrades take the out-of-line path.

use crate::cache::{Cache, LineState};
use crate::config::MachineConfig;
use crate::directory::Directory;
use crate::hot_page::HotPages;
use crate::ids::{Mppn, NodeId};
use crate::ram::Ram;
use crate::stats::MemStats;

/// No line (the shortcut is empty).
const NO_LINE: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, serde::Serialize, serde::Deserialize)]
struct LastLine {
    line: u32,
    writable: bool,
}

/// RAM plus the timing and coherence model around it.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct MemorySystem {
    /// Machine memory.
    pub ram: Ram,
    /// Per-page, per-node miss counters.
    pub hot: HotPages,
    caches: Vec<Cache>,
    dir: Directory,
    stats: Vec<MemStats>,
    last: Vec<LastLine>,
    links: Vec<Option<u32>>,
    active_links: usize,
    cpu_node: Vec<usize>,
    line_shift: u32,
    node_bytes: u32,
    local: u64,
    remote: u64,
    uma: bool,
}

impl MemorySystem {
    /// The memory system of a validated configuration.
    pub fn new(cfg: &MachineConfig) -> MemorySystem {
        let cpus = cfg.cpus();
        let ram = Ram::new(cfg.memory_bytes());
        let line_shift = cfg.cache.line_bytes.trailing_zeros();
        let lines = (cfg.memory_bytes() >> line_shift) as usize;
        MemorySystem {
            hot: HotPages::new(
                &cfg.hot_page,
                (cfg.memory_bytes() / 4096) as usize,
                cfg.nodes as usize,
            ),
            ram,
            caches: (0..cpus).map(|_| Cache::new(&cfg.cache)).collect(),
            dir: Directory::new(lines),
            stats: vec![MemStats::default(); cpus],
            last: vec![LastLine { line: NO_LINE, writable: false }; cpus],
            links: vec![None; cpus],
            active_links: 0,
            cpu_node: (0..cpus).map(|c| cfg.node_of_cpu(c)).collect(),
            line_shift,
            node_bytes: cfg.node_bytes(),
            local: cfg.cycles(cfg.latency.local_ns),
            remote: cfg.cycles(cfg.latency.remote_ns),
            uma: cfg.uma,
        }
    }

    /// The home node of physical address `pa`.
    #[inline(always)]
    pub fn home(&self, pa: u32) -> usize {
        (pa / self.node_bytes) as usize
    }

    /// Counters of CPU `cpu`.
    pub fn stats(&self, cpu: usize) -> &MemStats {
        &self.stats[cpu]
    }

    /// The cache of CPU `cpu`.
    pub fn cache(&self, cpu: usize) -> &Cache {
        &self.caches[cpu]
    }

    /// Line size in bytes.
    pub fn line_bytes(&self) -> u32 {
        1 << self.line_shift
    }

    /// The memory latency for `cpu` reaching `line` from its home (or a dirty cache), and
    /// whether the miss counts as local. On a UMA machine every miss is local: there is no
    /// remote memory (the UI's "every miss local" must hold in every figure).
    #[inline]
    fn miss_latency(&self, cpu: usize, line: u32, dirty_elsewhere: bool) -> (u64, bool) {
        if self.uma {
            return (self.local, true);
        }
        let local = self.home(line << self.line_shift) == self.cpu_node[cpu];
        if dirty_elsewhere || !local { (self.remote, false) } else { (self.local, true) }
    }

    /// A cached access by `cpu` to physical address `pa` (RAM; the caller checked). Returns
    /// the stall cycles. `now` is the CPU's clock, for the hot-page events.
    #[inline(always)]
    pub fn access(&mut self, cpu: usize, pa: u32, write: bool, ifetch: bool, now: u64) -> u64 {
        let line = pa >> self.line_shift;
        let last = self.last[cpu];
        let s = &mut self.stats[cpu];
        if ifetch {
            s.ifetches += 1;
        } else {
            s.accesses += 1;
        }
        if last.line == line && (last.writable || !write) {
            s.hits += 1;
            return 0;
        }
        // A hit on the most recently used way of its set: what `access_slow` would do for it
        // (count the hit, no LRU move, remember the line), without its call and set scan.
        let state = self.caches[cpu].mru_state(line);
        let writable = state == Some(LineState::Modified);
        if !(writable || !write && state == Some(LineState::Shared)) {
            return self.access_slow(cpu, line, write, now);
        }
        self.stats[cpu].hits += 1;
        self.last[cpu] = LastLine { line, writable };
        0
    }

    #[inline(never)]
    fn access_slow(&mut self, cpu: usize, line: u32, write: bool, now: u64) -> u64 {
        let state = self.caches[cpu].touch(line);
        let stall = match (state, write) {
            (LineState::Shared | LineState::Modified, false) | (LineState::Modified, true) => {
                self.stats[cpu].hits += 1;
                0
            }
            (LineState::Shared, true) => {
                // Upgrade: invalidate the other copies through the home directory.
                self.invalidate_others(cpu, line);
                self.dir.set_exclusive(line, cpu);
                self.caches[cpu].set_state(line, LineState::Modified);
                let (lat, _) = self.miss_latency(cpu, line, false);
                let s = &mut self.stats[cpu];
                s.upgrades += 1;
                s.hits += 1;
                self.hot.miss(
                    Mppn::of_pa(line << self.line_shift),
                    NodeId::of_index(self.cpu_node[cpu]),
                    true,
                    now,
                );
                lat
            }
            (LineState::Invalid | LineState::Stolen, _) => self.miss(cpu, line, write, state, now),
        };
        let st = self.caches[cpu].state(line);
        self.last[cpu] = LastLine { line, writable: st == LineState::Modified };
        self.stats[cpu].stall_cycles += stall;
        stall
    }

    fn miss(&mut self, cpu: usize, line: u32, write: bool, state: LineState, now: u64) -> u64 {
        let owner = self.dir.owner(line).filter(|&o| o != cpu);
        let (lat, local) = self.miss_latency(cpu, line, owner.is_some());
        if write {
            self.invalidate_others(cpu, line);
            self.dir.set_exclusive(line, cpu);
        } else {
            if let Some(o) = owner {
                // The owner writes back and keeps a shared copy.
                self.caches[o].set_state(line, LineState::Shared);
                self.dir.clear_owner(line);
                self.stats[o].writebacks += 1;
                if self.last[o].line == line {
                    self.last[o].writable = false;
                }
            }
            self.dir.add_sharer(line, cpu);
        }
        let fill = if write { LineState::Modified } else { LineState::Shared };
        if let Some((victim, vstate)) = self.caches[cpu].fill(line, fill) {
            self.dir.remove(victim, cpu);
            if vstate == LineState::Modified {
                self.stats[cpu].writebacks += 1;
            }
        }
        let s = &mut self.stats[cpu];
        if local {
            s.local_misses += 1;
        } else {
            s.remote_misses += 1;
        }
        if state == LineState::Stolen {
            s.coherence_misses += 1;
        }
        self.hot.miss(
            Mppn::of_pa(line << self.line_shift),
            NodeId::of_index(self.cpu_node[cpu]),
            write,
            now,
        );
        lat
    }

    /// Takes `line` away from every CPU but `cpu` (they keep the tag as stolen).
    fn invalidate_others(&mut self, cpu: usize, line: u32) {
        let mut others = self.dir.sharers(line) & !(1u64 << cpu);
        while others != 0 {
            let o = others.trailing_zeros() as usize;
            others &= others - 1;
            self.caches[o].set_state(line, LineState::Stolen);
            if self.last[o].line == line {
                self.last[o].line = NO_LINE;
            }
        }
    }

    /// An uncached access to RAM by `cpu`: no cache is involved, but any cached copy is
    /// dropped so the caches stay consistent with what the access saw. Returns the stall.
    pub fn uncached(&mut self, cpu: usize, pa: u32) -> u64 {
        let line = pa >> self.line_shift;
        self.drop_line(line);
        let (lat, _) = self.miss_latency(cpu, line, false);
        let s = &mut self.stats[cpu];
        s.uncached += 1;
        s.stall_cycles += lat;
        lat
    }

    /// Counts an uncached device-register access by `cpu` that cost `cycles`.
    pub fn device_access(&mut self, cpu: usize, cycles: u64) {
        let s = &mut self.stats[cpu];
        s.uncached += 1;
        s.stall_cycles += cycles;
    }

    /// Removes `line` from every cache (DMA and uncached writes).
    fn drop_line(&mut self, line: u32) {
        let mut holders = self.dir.sharers(line);
        while holders != 0 {
            let o = holders.trailing_zeros() as usize;
            holders &= holders - 1;
            self.caches[o].set_state(line, LineState::Invalid);
            if self.last[o].line == line {
                self.last[o].line = NO_LINE;
            }
        }
        self.dir.clear(line);
    }

    /// A device writes `data` to RAM at `pa` (DMA): memory changes, cached copies go, links to
    /// the lines break. False if the range is not RAM.
    pub fn dma_write(&mut self, pa: u32, data: &[u8]) -> bool {
        if !self.ram.write_bytes(pa, data) {
            return false;
        }
        if let Some(last) = (pa as usize + data.len()).checked_sub(1) {
            for line in pa >> self.line_shift..=(last as u32) >> self.line_shift {
                self.drop_line(line);
                self.break_links(line, usize::MAX);
            }
        }
        true
    }

    /// `cpu` stores `data` at `pa` through its own cache, as a loop of stores would (the
    /// monitor zeroing or copying a page): memory changes, each line is taken exclusive in
    /// `cpu`'s cache (other copies invalidated through the directory, misses counted and
    /// charged as any store's), other CPUs' links to the lines break. Returns the stall cycles,
    /// or `None` if the range is not RAM. `now` is the CPU's clock.
    pub fn cpu_write(&mut self, cpu: usize, pa: u32, data: &[u8], now: u64) -> Option<u64> {
        if !self.ram.write_bytes(pa, data) {
            return None;
        }
        let mut stall = 0;
        if let Some(last) = (pa as usize + data.len()).checked_sub(1) {
            for line in pa >> self.line_shift..=(last as u32) >> self.line_shift {
                stall += self.access(cpu, line << self.line_shift, true, false, now + stall);
                self.wrote(cpu, line << self.line_shift);
            }
        }
        Some(stall)
    }

    /// Records `cpu`'s LL link to `pa`'s line.
    pub fn link(&mut self, cpu: usize, pa: u32) {
        if self.links[cpu].is_none() {
            self.active_links += 1;
        }
        self.links[cpu] = Some(pa >> self.line_shift);
    }

    /// True (and the link is consumed) if `cpu`'s link to `pa`'s line is intact.
    pub fn check_link(&mut self, cpu: usize, pa: u32) -> bool {
        let ok = self.links[cpu] == Some(pa >> self.line_shift);
        self.unlink(cpu);
        ok
    }

    /// Breaks `cpu`'s link.
    pub fn unlink(&mut self, cpu: usize) {
        if self.links[cpu].take().is_some() {
            self.active_links -= 1;
        }
    }

    /// A write by `writer` (or a device, `usize::MAX`) to `pa` breaks other CPUs' links to
    /// its line.
    #[inline(always)]
    pub fn wrote(&mut self, writer: usize, pa: u32) {
        if self.active_links != 0 {
            self.break_links(pa >> self.line_shift, writer);
        }
    }

    fn break_links(&mut self, line: u32, except: usize) {
        for (c, l) in self.links.iter_mut().enumerate() {
            if c != except && *l == Some(line) {
                *l = None;
                self.active_links -= 1;
            }
        }
    }

    /// Drops every cache's copy of the lines of machine page `page` and forgets its counters
    /// (the monitor moved or freed the page).
    pub fn flush_page(&mut self, page: Mppn) {
        let first = page.pa() >> self.line_shift;
        let n = 4096 >> self.line_shift;
        for line in first..first + n {
            self.drop_line(line);
        }
        self.hot.forget(page);
    }
}
