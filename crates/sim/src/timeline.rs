//! The scheduling timeline: for each physical CPU, what it runs since when. Observations come
//! from the monitor's scheduling decisions (exact) or, natively, from sampling the kernel's
//! "current process" per CPU; each change closes a [`Segment`]. Closed segments wait in a buffer
//! until the next frame takes them.

use crate::frame::{Running, Segment};

/// Per-CPU current state and the segments closed since the last [`Timeline::take`].
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Timeline {
    current: Vec<(Option<Running>, u64)>,
    closed: Vec<Segment>,
}

/// At most this many closed segments wait for a frame; beyond, the oldest are merged away
/// (a page that stopped asking must not make the worker grow without bound).
const MAX_PENDING: usize = 100_000;

impl Timeline {
    /// `cpus` CPUs, all idle from cycle 0.
    pub fn new(cpus: usize) -> Timeline {
        Timeline { current: vec![(None, 0); cpus], closed: Vec::new() }
    }

    /// From `cycle` on, `cpu` runs `running`.
    pub fn observe(&mut self, cpu: usize, cycle: u64, running: Option<Running>) {
        let Some(cur) = self.current.get_mut(cpu) else { return };
        if cur.0 == running {
            return;
        }
        if let Some(r) = cur.0
            && cycle > cur.1
            && self.closed.len() < MAX_PENDING
        {
            self.closed.push(Segment { cpu: cpu as u16, start: cur.1, end: cycle, running: r });
        }
        *cur = (running, cycle);
    }

    /// What `cpu` runs and since when.
    pub fn current(&self, cpu: usize) -> (Option<Running>, u64) {
        self.current.get(cpu).copied().unwrap_or((None, 0))
    }

    /// The segments closed since the last call.
    pub fn take(&mut self) -> Vec<Segment> {
        std::mem::take(&mut self.closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_closes_the_previous_segment() {
        let a = Running { guest: 0, vcpu: 1 };
        let b = Running { guest: 1, vcpu: 0 };
        let mut t = Timeline::new(2);
        t.observe(0, 10, Some(a));
        t.observe(0, 15, Some(a));
        t.observe(0, 30, Some(b));
        t.observe(0, 40, None);
        t.observe(1, 5, Some(b));
        assert_eq!(
            t.take(),
            vec![
                Segment { cpu: 0, start: 10, end: 30, running: a },
                Segment { cpu: 0, start: 30, end: 40, running: b },
            ]
        );
        assert_eq!(t.current(1), (Some(b), 5));
        assert!(t.take().is_empty());
    }
}
