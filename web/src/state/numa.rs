//! The NUMA policy's history for the NUMA panel and the page map's moves (paper §4.2.3): the
//! policy's latest actions as frames delivered them, each stamped with the page's clock when it
//! was shown (the page map fades a move out about a second later), and samples of the
//! cumulative miss and action counters over simulated time, from which the panel draws the
//! local-miss share and the actions per second.
//!
//! Samples hold cumulative counts, so the figures of an interval are the difference of two
//! samples, and thinning the history (dropping every other sample when it is full) merges
//! intervals without losing a single miss.

use std::collections::VecDeque;
use std::rc::Rc;

use sim::frame::{Frame, NumaEvent};

/// Actions kept for the list and the page map.
pub const MAX_EVENTS: usize = 120;
/// Samples kept; past this every other one goes, so the charts always span the whole run.
pub const MAX_SAMPLES: usize = 400;

/// One action as the page received it.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrived {
    /// Its place among the actions received since the load (a key for the list).
    pub n: u64,
    /// The page's clock when it was first shown, milliseconds.
    pub at_ms: f64,
    /// The action.
    pub event: Rc<NumaEvent>,
}

/// The counters at one moment of simulated time (all cumulative since the start of the run).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sample {
    /// Machine cycle.
    pub cycle: u64,
    /// Cache misses served locally, per node (summed over the node's CPUs).
    pub local: Vec<u64>,
    /// Cache misses served remotely, per node of the missing CPU.
    pub remote: Vec<u64>,
    /// Pages migrated.
    pub migrations: u64,
    /// Replicas made.
    pub replications: u64,
    /// Replicated pages collapsed.
    pub collapses: u64,
}

impl Sample {
    /// The counters of frame `f` on a machine of `cpus_per_node` CPUs per node.
    pub fn of(f: &Frame, cpus_per_node: u32) -> Sample {
        let per = cpus_per_node.max(1) as usize;
        let nodes = f.cpus.len().div_ceil(per);
        let mut s = Sample {
            cycle: f.cycle,
            local: vec![0; nodes],
            remote: vec![0; nodes],
            ..Sample::default()
        };
        for (i, c) in f.cpus.iter().enumerate() {
            s.local[i / per] += c.local_misses;
            s.remote[i / per] += c.remote_misses;
        }
        if let Some(n) = &f.numa {
            (s.migrations, s.replications, s.collapses) =
                (n.migrations, n.replications, n.collapses);
        }
        s
    }
}

/// What happened between two samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    /// Its start and end, machine cycles.
    pub from: u64,
    /// See `from`.
    pub to: u64,
    /// Share of each node's misses served locally (`None`: the node missed nothing).
    pub local_share: Vec<Option<f64>>,
    /// The same for all nodes together.
    pub total_share: Option<f64>,
    /// Remote misses, all nodes.
    pub remote: u64,
    /// Migrations, replications and collapses in the interval.
    pub migrations: u64,
    /// See `migrations`.
    pub replications: u64,
    /// See `migrations`.
    pub collapses: u64,
}

fn share(local: u64, remote: u64) -> Option<f64> {
    let all = local + remote;
    (all > 0).then(|| local as f64 / all as f64)
}

impl Interval {
    /// From sample `a` to the later sample `b`.
    pub fn between(a: &Sample, b: &Sample) -> Interval {
        let d = |x: &[u64], y: &[u64], n: usize| {
            y.get(n).copied().unwrap_or(0).saturating_sub(x.get(n).copied().unwrap_or(0))
        };
        let nodes = b.local.len();
        let local: Vec<u64> = (0..nodes).map(|n| d(&a.local, &b.local, n)).collect();
        let remote: Vec<u64> = (0..nodes).map(|n| d(&a.remote, &b.remote, n)).collect();
        Interval {
            from: a.cycle,
            to: b.cycle,
            local_share: local.iter().zip(&remote).map(|(&l, &r)| share(l, r)).collect(),
            total_share: share(local.iter().sum(), remote.iter().sum()),
            remote: remote.iter().sum(),
            migrations: b.migrations.saturating_sub(a.migrations),
            replications: b.replications.saturating_sub(a.replications),
            collapses: b.collapses.saturating_sub(a.collapses),
        }
    }

    /// `count` per simulated second over this interval, at `mhz`.
    pub fn per_second(&self, count: u64, mhz: u32) -> f64 {
        let cycles = self.to.saturating_sub(self.from).max(1) as f64;
        count as f64 * f64::from(mhz) * 1e6 / cycles
    }
}

/// The history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NumaLog {
    events: VecDeque<Arrived>,
    received: u64,
    /// Actions the frames did not carry (at most `NumaFrame::MAX_EVENTS` a frame), so far.
    pub skipped: u64,
    samples: Vec<Sample>,
}

impl NumaLog {
    /// Adds actions that arrived, shown from `at_ms`, and the count the frames skipped.
    pub fn push(
        &mut self,
        events: impl IntoIterator<Item = Rc<NumaEvent>>,
        skipped: u64,
        at_ms: f64,
    ) {
        for event in events {
            self.events.push_back(Arrived { n: self.received, at_ms, event });
            self.received += 1;
        }
        self.skipped += skipped;
        while self.events.len() > MAX_EVENTS {
            self.events.pop_front();
        }
    }

    /// Adds a sample (ignored unless time went on since the last one).
    pub fn sample(&mut self, s: Sample) {
        if self.samples.last().is_some_and(|l| s.cycle <= l.cycle) {
            return;
        }
        self.samples.push(s);
        if self.samples.len() > MAX_SAMPLES {
            // Keep the first and the newest; drop every other one in between.
            let last = self.samples.len() - 1;
            let mut i = 0;
            self.samples.retain(|_| {
                let keep = i % 2 == 0 || i == last;
                i += 1;
                keep
            });
        }
    }

    /// The kept actions, oldest first.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = &Arrived> {
        self.events.iter()
    }

    /// Actions received since the load.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Intervals of at least `min_cycles` each (samples closer than that merged; the newest
    /// interval may be shorter), oldest first: a frame's few hundred thousand cycles hold too
    /// few misses per node for a steady share.
    pub fn intervals_of(&self, min_cycles: u64) -> Vec<Interval> {
        let Some(first) = self.samples.first() else { return Vec::new() };
        let mut out = Vec::new();
        let mut from = first;
        for (k, s) in self.samples.iter().enumerate().skip(1) {
            let last = k + 1 == self.samples.len();
            if s.cycle - from.cycle >= min_cycles || last {
                out.push(Interval::between(from, s));
                from = s;
            }
        }
        out
    }

    /// The interval from the newest sample back to the latest one at least `min_cycles`
    /// older (or the oldest), if two samples exist: what "now" means in the panel.
    pub fn recent(&self, min_cycles: u64) -> Option<Interval> {
        let newest = self.samples.last()?;
        let from = self
            .samples
            .iter()
            .rev()
            .skip(1)
            .find(|s| newest.cycle - s.cycle >= min_cycles)
            .or_else(|| self.samples.first().filter(|s| s.cycle < newest.cycle))?;
        Some(Interval::between(from, newest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::{CpuFrame, NumaAction, NumaFrame};

    fn frame(cycle: u64, local: [u64; 4], remote: [u64; 4], migrations: u64) -> Frame {
        Frame {
            cycle,
            cpus: (0..4)
                .map(|i| CpuFrame {
                    local_misses: local[i],
                    remote_misses: remote[i],
                    ..CpuFrame::default()
                })
                .collect(),
            numa: Some(Box::new(NumaFrame { migrations, ..NumaFrame::default() })),
            ..Frame::default()
        }
    }

    #[test]
    fn intervals_give_each_nodes_local_share_and_the_rates() {
        let mut log = NumaLog::default();
        log.sample(Sample::of(&frame(0, [0; 4], [0; 4], 0), 2));
        log.sample(Sample::of(&frame(2_000_000, [30, 10, 0, 0], [10, 0, 0, 0], 5), 2));
        let i = log.recent(1).expect("two samples");
        assert_eq!(i.local_share, vec![Some(40.0 / 50.0), None]);
        assert_eq!(i.total_share, Some(0.8));
        assert_eq!(i.remote, 10);
        assert_eq!(i.migrations, 5);
        assert!((i.per_second(i.migrations, 200) - 500.0).abs() < 1e-9, "5 in 10 ms");
        // A frame that does not advance time adds nothing.
        log.sample(Sample::of(&frame(2_000_000, [99; 4], [0; 4], 9), 2));
        assert_eq!(log.intervals_of(0).len(), 1);
    }

    #[test]
    fn short_intervals_merge_into_steadier_ones() {
        let mut log = NumaLog::default();
        for k in 0..=10 {
            log.sample(Sample::of(&frame(k * 100, [k; 4], [k; 4], k), 1));
        }
        let spans = |v: Vec<Interval>| v.iter().map(|i| (i.from, i.to)).collect::<Vec<_>>();
        assert_eq!(spans(log.intervals_of(300)), [(0, 300), (300, 600), (600, 900), (900, 1000)]);
        assert_eq!(log.intervals_of(0).len(), 10);
        assert_eq!(log.recent(250).map(|i| (i.from, i.to)), Some((700, 1000)));
        assert_eq!(log.recent(5000).map(|i| (i.from, i.to)), Some((0, 1000)), "from the oldest");
        assert_eq!(NumaLog::default().recent(1), None);
    }

    #[test]
    fn a_full_history_thins_out_but_keeps_every_miss() {
        let mut log = NumaLog::default();
        for k in 0..=(MAX_SAMPLES as u64 * 3) {
            log.sample(Sample::of(&frame(k * 1000, [k; 4], [k * 2; 4], k), 1));
        }
        assert!(log.samples.len() <= MAX_SAMPLES);
        let all = log.intervals_of(0);
        assert_eq!(all.first().map(|i| i.from), Some(0), "still from the start");
        assert_eq!(all.last().map(|i| i.to), Some(MAX_SAMPLES as u64 * 3000), "to the newest");
        assert_eq!(all.iter().map(|i| i.migrations).sum::<u64>(), MAX_SAMPLES as u64 * 3);
        assert!(all.iter().all(|i| (i.total_share.expect("misses") - 1.0 / 3.0).abs() < 1e-9));
    }

    #[test]
    fn the_latest_actions_are_kept_with_their_arrival_time() {
        let mut log = NumaLog::default();
        let e = |cycle| {
            Rc::new(NumaEvent {
                cycle,
                action: NumaAction::Migrate,
                guest: Some(0),
                guest_page: Some(1),
                from: Vec::new(),
                to: None,
                why: String::new(),
            })
        };
        log.push((0..100).map(e), 3, 10.0);
        log.push((100..150).map(e), 2, 20.0);
        assert_eq!(log.events().count(), MAX_EVENTS);
        assert_eq!(log.events().last().map(|a| (a.n, a.at_ms)), Some((149, 20.0)));
        assert_eq!(log.events().next().map(|a| a.event.cycle), Some(150 - MAX_EVENTS as u64));
        assert_eq!((log.received(), log.skipped), (150, 5));
    }
}
