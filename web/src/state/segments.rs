//! The scheduling history the timeline draws: the segments frames deliver (deltas), kept for a
//! bounded span of simulated time and a bounded count, in the chunks they arrived in (so that
//! keeping a new version of the model copies pointers, not segments).

use std::collections::VecDeque;
use std::rc::Rc;

use sim::frame::Segment;

/// How far back the history reaches, in machine cycles (the widest timeline window).
pub const KEEP_CYCLES: u64 = 400_000_000;
/// At most this many segments are kept; the oldest chunks go first.
pub const MAX_SEGMENTS: usize = 40_000;

/// A bounded history of closed scheduling segments.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SegmentLog {
    chunks: VecDeque<Rc<[Segment]>>,
    count: usize,
    /// Segments ever received per guest since the load (or reset).
    per_guest: Vec<u64>,
}

impl SegmentLog {
    /// Adds the segments of one frame, `now` being the frame's cycle, and forgets what is older
    /// than [`KEEP_CYCLES`] or beyond [`MAX_SEGMENTS`].
    pub fn push(&mut self, segments: Vec<Segment>, now: u64) {
        for s in &segments {
            let g = usize::from(s.running.guest);
            if self.per_guest.len() <= g {
                self.per_guest.resize(g + 1, 0);
            }
            self.per_guest[g] += 1;
        }
        if !segments.is_empty() {
            self.count += segments.len();
            self.chunks.push_back(segments.into());
        }
        let horizon = now.saturating_sub(KEEP_CYCLES);
        while let Some(front) = self.chunks.front() {
            let stale = front.iter().all(|s| s.end < horizon);
            let too_many = self.count > MAX_SEGMENTS && self.chunks.len() > 1;
            if !(stale || too_many) {
                break;
            }
            self.count -= front.len();
            self.chunks.pop_front();
        }
    }

    /// Every kept segment, oldest chunk first.
    pub fn iter(&self) -> impl Iterator<Item = &Segment> {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// Segments kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.count
    }

    /// Segments received for guest `g` since the history was cleared.
    pub fn seen(&self, g: usize) -> u64 {
        self.per_guest.get(g).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::Running;

    fn seg(cpu: u16, start: u64, end: u64, guest: u16) -> Segment {
        Segment { cpu, start, end, running: Running { guest, vcpu: 0 } }
    }

    #[test]
    fn counts_per_guest_and_keeps_order() {
        let mut log = SegmentLog::default();
        log.push(vec![seg(0, 0, 10, 0), seg(1, 0, 12, 1)], 12);
        log.push(vec![], 20);
        log.push(vec![seg(0, 10, 20, 1)], 20);
        assert_eq!(log.len(), 3);
        assert_eq!((log.seen(0), log.seen(1), log.seen(5)), (1, 2, 0));
        let starts: Vec<u64> = log.iter().map(|s| s.start).collect();
        assert_eq!(starts, vec![0, 0, 10]);
    }

    #[test]
    fn forgets_what_is_too_old() {
        let mut log = SegmentLog::default();
        log.push(vec![seg(0, 0, 10, 0)], 10);
        log.push(vec![seg(0, KEEP_CYCLES, KEEP_CYCLES + 5, 0)], KEEP_CYCLES + 5);
        assert_eq!(log.len(), 2);
        log.push(vec![seg(0, KEEP_CYCLES + 5, KEEP_CYCLES + 20, 0)], KEEP_CYCLES + 20);
        assert_eq!(log.len(), 2, "the first chunk ended before the horizon");
        assert_eq!(log.seen(0), 3, "counts are not forgotten");
    }

    #[test]
    fn bounded_in_count() {
        let mut log = SegmentLog::default();
        for i in 0..(MAX_SEGMENTS as u64 / 100 + 10) {
            let chunk = (0..100).map(|k| seg(0, i * 100 + k, i * 100 + k + 1, 0)).collect();
            log.push(chunk, i * 100 + 100);
        }
        assert!(log.len() <= MAX_SEGMENTS);
        assert!(log.len() > MAX_SEGMENTS - 200);
    }
}
