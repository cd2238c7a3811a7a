//! Memory sharing's history for the Sharing panel (paper §4.2.5, Fig. 6): V and M sampled from
//! every frame, for the chart of the memory saved over simulated time, and the latest
//! copy-on-write breaks as frames delivered them.
//!
//! Frames carry V and M as they are now (not cumulative), so thinning the history — dropping
//! every other sample when it is full — loses detail but never shifts a value.

use std::collections::VecDeque;
use std::rc::Rc;

use sim::frame::{CowBreak, Frame};

/// Samples kept; past this every other one goes, so the chart always spans the whole run.
pub const MAX_SAMPLES: usize = 400;
/// Breaks kept for the list.
pub const MAX_BREAKS: usize = 40;

/// V and M at one moment of simulated time, in pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sample {
    /// Machine cycle.
    pub cycle: u64,
    /// V, all VMs together.
    pub v: u32,
    /// M.
    pub m: u32,
}

impl Sample {
    /// The sample of frame `f`, if it carries the sharing totals (under the monitor).
    pub fn of(f: &Frame) -> Option<Sample> {
        let s = f.sharing.as_deref()?;
        Some(Sample { cycle: f.cycle, v: s.v_total(), m: s.m_pages })
    }

    /// Pages saved: V − M, never below zero (replicas can make M exceed V).
    pub fn saved(&self) -> u32 {
        self.v.saturating_sub(self.m)
    }
}

/// One break as the page received it.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    /// Its place among the breaks received since the load (a key for the list).
    pub n: u64,
    /// The page's clock when it was first shown, milliseconds (the page map animates the
    /// split for about a second).
    pub at_ms: f64,
    /// The break.
    pub event: Rc<CowBreak>,
}

/// The history since the scenario was loaded or reset.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SharingLog {
    samples: Vec<Sample>,
    breaks: VecDeque<Received>,
    received: u64,
    /// Breaks the frames counted but did not carry (older than their latest few).
    pub skipped: u64,
}

impl SharingLog {
    /// Adds a sample (frames come in order of simulated time).
    pub fn sample(&mut self, s: Sample) {
        self.samples.push(s);
        if self.samples.len() > MAX_SAMPLES {
            // Every other one goes, but the latest stays: it is the chart's right end.
            let last = self.samples.len() - 1;
            let kept = self.samples.iter().enumerate().filter(|&(i, _)| i % 2 == 0 || i == last);
            self.samples = kept.map(|(_, s)| *s).collect();
        }
    }

    /// Adds breaks frames delivered, and how many they left out, shown at `ms` (the page's
    /// clock).
    pub fn push(&mut self, breaks: Vec<CowBreak>, skipped: u64, ms: f64) {
        self.skipped += skipped;
        for b in breaks {
            self.breaks.push_back(Received { n: self.received, at_ms: ms, event: Rc::new(b) });
            self.received += 1;
            if self.breaks.len() > MAX_BREAKS {
                self.breaks.pop_front();
            }
        }
    }

    /// The samples, oldest first.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The breaks kept, oldest first.
    pub fn breaks(&self) -> impl DoubleEndedIterator<Item = &Received> {
        self.breaks.iter()
    }

    /// Breaks received since the load (listed or not).
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The largest saving sampled, in pages, and when (cycle).
    pub fn most_saved(&self) -> Option<(u32, u64)> {
        self.samples.iter().map(|s| (s.saved(), s.cycle)).max_by_key(|&(saved, c)| (saved, c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::PageAt;

    fn at(cycle: u64, v: u32, m: u32) -> Sample {
        Sample { cycle, v, m }
    }

    #[test]
    fn the_history_stays_bounded_and_spans_the_run() {
        let mut log = SharingLog::default();
        for i in 0..5000u64 {
            log.sample(at(i * 100, 10 + i as u32, 10));
        }
        let s = log.samples();
        assert!(s.len() <= MAX_SAMPLES + 1, "{}", s.len());
        assert_eq!(s.first().map(|s| s.cycle), Some(0));
        assert_eq!(s.last().map(|s| s.cycle), Some(4999 * 100), "the latest is the right end");
        assert!(s.windows(2).all(|w| w[0].cycle < w[1].cycle));
        assert_eq!(log.most_saved(), Some((4999, 4999 * 100)));
    }

    #[test]
    fn saving_is_never_negative() {
        assert_eq!(at(0, 5, 7).saved(), 0);
        assert_eq!(at(0, 9, 7).saved(), 2);
    }

    #[test]
    fn breaks_keep_the_latest_and_count_all() {
        let mut log = SharingLog::default();
        let b = CowBreak {
            cycle: 1,
            guest: 0,
            guest_page: 2,
            shared: PageAt { page: 3, node: 0 },
            private: PageAt { page: 4, node: 0 },
            sharers_left: 1,
        };
        log.push(vec![b.clone(); MAX_BREAKS + 5], 3, 10.0);
        assert_eq!(log.breaks().count(), MAX_BREAKS);
        assert_eq!((log.received(), log.skipped), (MAX_BREAKS as u64 + 5, 3));
        assert_eq!(log.breaks().next().map(|r| r.n), Some(5));
    }
}
