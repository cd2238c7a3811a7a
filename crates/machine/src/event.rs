//! The device event queue: completions scheduled at a cycle, taken in cycle order (ties in
//! the order they were scheduled), so device timing is deterministic.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens when an event comes due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EventKind {
    /// Disk unit's request finished: do the DMA and raise the interrupt.
    DiskDone {
        /// The unit.
        unit: u8,
    },
    /// The network interface may deliver a frame.
    NetDeliver,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Entry {
    cycle: u64,
    seq: u64,
    kind: EventKind,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse for earliest first.
        (other.cycle, other.seq).cmp(&(self.cycle, self.seq))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Pending device events.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl EventQueue {
    /// Schedules `kind` at `cycle`.
    pub fn schedule(&mut self, cycle: u64, kind: EventKind) {
        self.seq += 1;
        self.heap.push(Entry { cycle, seq: self.seq, kind });
    }

    /// The cycle of the earliest pending event.
    pub fn next_cycle(&self) -> Option<u64> {
        self.heap.peek().map(|e| e.cycle)
    }

    /// Removes and returns the earliest event due at or before `now`.
    pub fn pop_due(&mut self, now: u64) -> Option<(u64, EventKind)> {
        if self.heap.peek()?.cycle <= now {
            self.heap.pop().map(|e| (e.cycle, e.kind))
        } else {
            None
        }
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True if nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_ties_in_order() {
        let mut q = EventQueue::default();
        q.schedule(50, EventKind::DiskDone { unit: 1 });
        q.schedule(10, EventKind::NetDeliver);
        q.schedule(50, EventKind::DiskDone { unit: 2 });
        assert_eq!(q.next_cycle(), Some(10));
        assert_eq!(q.pop_due(9), None);
        assert_eq!(q.pop_due(100), Some((10, EventKind::NetDeliver)));
        assert_eq!(q.pop_due(100), Some((50, EventKind::DiskDone { unit: 1 })));
        assert_eq!(q.pop_due(100), Some((50, EventKind::DiskDone { unit: 2 })));
        assert!(q.is_empty());
    }
}
