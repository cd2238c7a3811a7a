//! FLASH's hot-page counters: per machine page and per node, the cache misses in the current
//! interval, plus the writes that reached memory (write misses and upgrades). When a *remote*
//! node's count for a page reaches the threshold, the page is *hot*: an event goes to the
//! machine's owner (the monitor's NUMA policy; a log on the bare machine), once per page per
//! interval. The page's own node counts too (the policy weighs its misses when it decides
//! between migrating and replicating) but never makes the page hot: a page busy only where it
//! lives needs nothing, and its interrupt would use up the page's one event of the interval
//! before a remote node that does need the page could raise it.
//! All counters reset at the end of each interval. Optionally only one miss in `sample` is
//! counted, as the paper's policy study found sufficient.
//!
//! A cumulative per-page, per-node miss count (never reset) is kept beside them for the UI's
//! heat map.

use serde::{Deserialize, Serialize};

use crate::config::HotPageConfig;
use crate::ids::{Mppn, NodeId};

/// A page crossed the threshold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotPageEvent {
    /// The machine page.
    pub page: Mppn,
    /// The node whose misses crossed the threshold.
    pub node: NodeId,
    /// Misses from each node in the current interval (sampled counts).
    pub misses: Vec<u32>,
    /// Writes to the page that reached memory in the current interval.
    pub writes: u32,
    /// Cycle (of the CPU that took the miss) when the threshold was crossed.
    pub cycle: u64,
}

/// The counters.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct HotPages {
    cfg: HotPageConfig,
    nodes: usize,
    /// Pages per node (a page's home node is its number divided by this).
    #[serde(default)]
    per_node: usize,
    counts: Vec<u32>,
    writes: Vec<u32>,
    fired: Vec<u64>,
    heat: Vec<u32>,
    sample_left: u32,
    interval_end: u64,
    events: Vec<HotPageEvent>,
}

impl HotPages {
    /// Counters for `pages` pages on a machine of `nodes` nodes.
    pub fn new(cfg: &HotPageConfig, pages: usize, nodes: usize) -> HotPages {
        HotPages {
            cfg: cfg.clone(),
            nodes,
            per_node: pages / nodes.max(1),
            counts: vec![0; pages * nodes],
            writes: vec![0; pages],
            fired: vec![0; pages.div_ceil(64)],
            heat: vec![0; pages * nodes],
            sample_left: cfg.sample,
            interval_end: cfg.interval_cycles,
            events: Vec::new(),
        }
    }

    /// Counts a miss from `node` to `page` (and a write if `write`), at cycle `now`.
    #[inline]
    pub fn miss(&mut self, page: Mppn, node: NodeId, write: bool, now: u64) {
        let p = page.index();
        let node = node.index();
        if let Some(h) = self.heat.get_mut(p * self.nodes + node) {
            *h = h.saturating_add(1);
        }
        if !self.cfg.enabled {
            return;
        }
        self.sample_left -= 1;
        if self.sample_left != 0 {
            return;
        }
        self.sample_left = self.cfg.sample;
        let Some(c) = self.counts.get_mut(p * self.nodes + node) else { return };
        *c += 1;
        let count = *c;
        if write {
            self.writes[p] += 1;
        }
        let (word, bit) = (p / 64, 1u64 << (p % 64));
        let home = p / self.per_node.max(1);
        if count >= self.cfg.threshold && node != home && self.fired[word] & bit == 0 {
            self.fired[word] |= bit;
            let row = &self.counts[p * self.nodes..(p + 1) * self.nodes];
            self.events.push(HotPageEvent {
                page,
                node: NodeId::of_index(node),
                misses: row.to_vec(),
                writes: self.writes[p],
                cycle: now,
            });
        }
    }

    /// Ends the interval if `now` is past it: all interval counters return to zero.
    pub fn advance(&mut self, now: u64) {
        if now < self.interval_end {
            return;
        }
        self.counts.fill(0);
        self.writes.fill(0);
        self.fired.fill(0);
        let i = self.cfg.interval_cycles;
        self.interval_end = (now / i + 1) * i;
    }

    /// Changes the threshold from now on (the owner's policy was retuned mid-run); the
    /// machine's configuration keeps the value it started with.
    pub fn set_threshold(&mut self, threshold: u32) {
        self.cfg.threshold = threshold.max(1);
    }

    /// Changes the counter reset interval (from the next reset on) and the sampling (from the
    /// next counted miss on), as the owner's policy was retuned mid-run.
    pub fn set_interval_and_sample(&mut self, interval_cycles: u64, sample: u32) {
        self.cfg.interval_cycles = interval_cycles.max(1000);
        self.cfg.sample = sample.max(1);
        self.sample_left = self.sample_left.min(self.cfg.sample);
    }

    /// Takes the events raised since the last call.
    pub fn take_events(&mut self) -> Vec<HotPageEvent> {
        std::mem::take(&mut self.events)
    }

    /// Misses from `node` to `page` in the current interval.
    pub fn count(&self, page: Mppn, node: NodeId) -> u32 {
        self.counts.get(page.index() * self.nodes + node.index()).copied().unwrap_or(0)
    }

    /// Misses from each node to `page` since the machine started (the heat map).
    pub fn heat(&self, page: Mppn) -> &[u32] {
        let p = page.index() * self.nodes;
        self.heat.get(p..p + self.nodes).unwrap_or(&[])
    }

    /// Clears all counters of `page` (the monitor moved it: its history no longer applies).
    pub fn forget(&mut self, page: Mppn) {
        let p = page.index();
        if p < self.writes.len() {
            self.counts[p * self.nodes..(p + 1) * self.nodes].fill(0);
            self.writes[p] = 0;
            self.fired[p / 64] &= !(1 << (p % 64));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(threshold: u32, sample: u32) -> HotPageConfig {
        HotPageConfig { enabled: true, threshold, interval_cycles: 1000, sample }
    }

    #[test]
    fn fires_exactly_at_the_threshold_once_per_interval() {
        // Pages 0..8 live on node 0, 8..16 on node 1.
        let mut h = HotPages::new(&cfg(3, 1), 16, 2);
        h.miss(Mppn(5), NodeId(1), false, 10);
        h.miss(Mppn(5), NodeId(0), true, 11);
        h.miss(Mppn(5), NodeId(1), false, 12);
        assert!(h.take_events().is_empty(), "two misses from node 1: not yet");
        h.miss(Mppn(5), NodeId(1), false, 13);
        let ev = h.take_events();
        assert_eq!(
            ev,
            vec![HotPageEvent {
                page: Mppn(5),
                node: NodeId(1),
                misses: vec![1, 3],
                writes: 1,
                cycle: 13
            }]
        );
        h.miss(Mppn(5), NodeId(1), false, 14);
        assert!(h.take_events().is_empty(), "once per interval");
        h.advance(1000);
        assert_eq!(h.count(Mppn(5), NodeId(1)), 0);
        assert_eq!(h.heat(Mppn(5)), &[1, 4]);
        for t in 0..3 {
            h.miss(Mppn(5), NodeId(1), false, 1001 + t);
        }
        assert_eq!(h.take_events().len(), 1, "fires again in the next interval");
    }

    #[test]
    fn misses_from_the_pages_own_node_count_but_never_make_it_hot() {
        let mut h = HotPages::new(&cfg(2, 1), 16, 2);
        for t in 0..5 {
            h.miss(Mppn(12), NodeId(1), false, t);
        }
        assert!(h.take_events().is_empty(), "node 1 is page 12's home");
        assert_eq!(h.count(Mppn(12), NodeId(1)), 5);
        h.miss(Mppn(12), NodeId(0), false, 6);
        h.miss(Mppn(12), NodeId(0), false, 7);
        let ev = h.take_events();
        assert_eq!(ev.len(), 1);
        assert_eq!((ev[0].node, ev[0].misses.clone()), (NodeId(0), vec![2, 5]));
    }

    #[test]
    fn sampling_counts_one_in_n() {
        let mut h = HotPages::new(&cfg(2, 4), 4, 2);
        for t in 0..7 {
            h.miss(Mppn(1), NodeId(1), false, t);
        }
        assert_eq!(h.count(Mppn(1), NodeId(1)), 1);
        h.miss(Mppn(1), NodeId(1), false, 7);
        assert_eq!(h.count(Mppn(1), NodeId(1)), 2);
        assert_eq!(h.take_events().len(), 1);
        assert_eq!(h.heat(Mppn(1)), &[0, 8], "the heat map counts every miss");
        // Retuned: every miss counts from now on; the interval ends sooner after the next reset.
        h.set_interval_and_sample(2000, 1);
        h.miss(Mppn(1), NodeId(1), false, 8);
        assert_eq!(h.count(Mppn(1), NodeId(1)), 3);
        h.advance(1000);
        assert_eq!(h.count(Mppn(1), NodeId(1)), 0);
        h.miss(Mppn(1), NodeId(1), false, 1500);
        h.advance(1999);
        assert_eq!(h.count(Mppn(1), NodeId(1)), 1, "intervals are 2000 cycles now");
        h.advance(2000);
        assert_eq!(h.count(Mppn(1), NodeId(1)), 0);
    }
}
