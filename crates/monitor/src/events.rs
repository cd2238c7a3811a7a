//! The monitor's event stream: what it did and why, for the UI and the tests — a bounded ring,
//! so a long run keeps the latest [`EventLog::CAPACITY`] events and snapshots stay small.
//!
//! Each event has a sequence number; a reader remembers the last one it saw and asks for what
//! came after ([`EventLog::since`]), so several readers (the page, a test) never steal events
//! from each other, and a reader that fell behind learns how many it missed. Today the events
//! are the FLASH hot-page interrupts the monitor receives (paper §4.2.3) and the NUMA policy's
//! actions, each with the counters that caused it: migrate, replicate, collapse, reclaim, or
//! leave the page and why.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::ids::{Gppn, Mppn, NodeId, PcpuId, VmId};
use crate::memmap::PageOwner;
use crate::numa_policy::Refusal;

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// FLASH's counters found machine page `page` hot: `node`'s misses to it crossed the
    /// threshold in the current interval.
    HotPage {
        /// The page.
        page: Mppn,
        /// Who owned it then.
        owner: PageOwner,
        /// The node whose misses crossed the threshold.
        node: NodeId,
        /// Misses from each node in the interval (sampled counts).
        misses: Vec<u32>,
        /// Writes that reached memory in the interval.
        writes: u32,
    },
    /// The NUMA policy moved a VM's page to the node that was missing on it (§4.2.3).
    Migrated {
        /// The VM.
        vm: VmId,
        /// Its guest-physical page.
        gppn: Gppn,
        /// The machine page it was on.
        from: Mppn,
        /// The machine page it is on now.
        to: Mppn,
        /// The old page's node.
        from_node: NodeId,
        /// The new page's node.
        to_node: NodeId,
        /// Misses from each node in the interval that decided it.
        misses: Vec<u32>,
        /// Writes in the interval.
        writes: u32,
        /// Moves of the page so far, this one included.
        moves: u32,
        /// Physical CPUs interrupted to drop translations of the old page.
        interrupted: Vec<PcpuId>,
    },
    /// The NUMA policy copied a VM's page to a node that was missing on it while other nodes
    /// used it too (§4.2.3): every mapping of the page is now read-only, and each virtual CPU
    /// maps the copy on its own node.
    Replicated {
        /// The VM.
        vm: VmId,
        /// Its guest-physical page.
        gppn: Gppn,
        /// The page's master copy (the one the pmap names; writable once the replicas go).
        master: Mppn,
        /// The new copy.
        copy: Mppn,
        /// The new copy's node.
        to_node: NodeId,
        /// Every node holding a copy now (master first).
        nodes: Vec<NodeId>,
        /// Misses from each node in the interval that decided it.
        misses: Vec<u32>,
        /// Writes in the interval.
        writes: u32,
        /// Physical CPUs interrupted to make the page's mappings read-only.
        interrupted: Vec<PcpuId>,
    },
    /// A replicated page went back to one writable copy (§4.2.3): something was about to write
    /// it, or the policy is migrating it.
    Collapsed {
        /// The VM.
        vm: VmId,
        /// Its guest-physical page.
        gppn: Gppn,
        /// The copy kept (now the only one, writable).
        kept: Mppn,
        /// Its node.
        kept_node: NodeId,
        /// The copies freed.
        freed: Vec<Mppn>,
        /// Why.
        cause: CollapseCause,
        /// Physical CPUs interrupted to drop translations of the copies.
        interrupted: Vec<PcpuId>,
    },
    /// A node ran short of free pages: a replica there was freed (its VM's virtual CPUs on
    /// that node use another copy from now on).
    Reclaimed {
        /// The VM.
        vm: VmId,
        /// Its guest-physical page.
        gppn: Gppn,
        /// The replica freed.
        page: Mppn,
        /// Its node.
        node: NodeId,
        /// Free pages the node had when it was found short.
        free: u32,
    },
    /// The NUMA policy was changed mid-run (`Monitor::set_numa_policy`).
    PolicyChanged {
        /// The settings from now on.
        numa: crate::numa_policy::NumaConfig,
    },
    /// The NUMA policy left a hot page where it is, and why.
    Left {
        /// The machine page.
        page: Mppn,
        /// Its owner.
        owner: PageOwner,
        /// The hot node.
        node: NodeId,
        /// Why.
        reason: Refusal,
        /// Misses from each node in the interval.
        misses: Vec<u32>,
        /// Writes in the interval.
        writes: u32,
        /// Moves of the page so far.
        moves: u32,
    },
    /// A copy-on-write fault (paper §4.2.5, `disk_cache.rs`): a guest page that mapped a
    /// shared disk-block page was about to be written, and got a private page.
    CowBreak {
        /// The VM.
        vm: VmId,
        /// Its guest-physical page.
        gppn: Gppn,
        /// The shared page it mapped.
        shared: Mppn,
        /// The page it writes from now on (the shared page itself when it was the last
        /// sharer: then nothing was copied).
        private: Mppn,
        /// Sharers the shared page has left.
        sharers_left: u32,
    },
    /// A payload page of a frame on the virtual subnet (paper §4.2.6, `vnet.rs`) was mapped
    /// read-only into the receiver instead of copied.
    NetRemap {
        /// The sending VM.
        from: VmId,
        /// Its guest page (the payload page).
        from_gppn: Gppn,
        /// The receiving VM.
        to: VmId,
        /// The guest page of its receive buffer.
        to_gppn: Gppn,
        /// The machine page both map now.
        page: Mppn,
        /// Its sharers now.
        sharers: u32,
    },
}

/// What made a replicated page collapse to one copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CollapseCause {
    /// A virtual CPU of the VM stored to it (the write waited for the collapse).
    GuestWrite {
        /// The physical CPU that wrote.
        pcpu: PcpuId,
    },
    /// A virtual-disk transfer is about to use it.
    DiskTransfer,
    /// The monitor writes into it on the guest's behalf (a monitor call, zeroing).
    MonitorWrite,
    /// The NUMA policy migrates it.
    Migration,
}

impl CollapseCause {
    /// In words, for the event list.
    pub fn describe(self) -> String {
        match self {
            CollapseCause::GuestWrite { pcpu } => format!("CPU {} wrote to it", pcpu.index()),
            CollapseCause::DiskTransfer => "a disk transfer uses it".into(),
            CollapseCause::MonitorWrite => "the monitor writes into it".into(),
            CollapseCause::Migration => "it is being migrated".into(),
        }
    }
}

/// One event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorEvent {
    /// Its place in the stream, from 0.
    pub seq: u64,
    /// Machine cycle it happened at.
    pub cycle: u64,
    /// What happened.
    pub kind: EventKind,
}

/// The ring.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct EventLog {
    ring: VecDeque<MonitorEvent>,
    next: u64,
}

impl EventLog {
    /// Events kept.
    pub const CAPACITY: usize = 4096;

    /// Appends an event, forgetting the oldest if the ring is full.
    pub fn push(&mut self, cycle: u64, kind: EventKind) {
        if self.ring.len() == Self::CAPACITY {
            self.ring.pop_front();
        }
        self.ring.push_back(MonitorEvent { seq: self.next, cycle, kind });
        self.next += 1;
    }

    /// Events with a sequence number of at least `seq`, oldest first, and how many of those
    /// the ring no longer holds.
    pub fn since(&self, seq: u64) -> (impl Iterator<Item = &MonitorEvent>, u64) {
        let first = self.ring.front().map_or(self.next, |e| e.seq);
        let missed = first.saturating_sub(seq);
        let skip = seq.saturating_sub(first) as usize;
        (self.ring.iter().skip(skip), missed)
    }

    /// The sequence number the next event will get (= events ever pushed).
    pub fn next_seq(&self) -> u64 {
        self.next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hot(page: u32) -> EventKind {
        EventKind::HotPage {
            page: Mppn(page),
            owner: PageOwner::Free,
            node: NodeId(0),
            misses: vec![1],
            writes: 0,
        }
    }

    #[test]
    fn readers_resume_where_they_left_and_learn_what_they_missed() {
        let mut log = EventLog::default();
        for p in 0..3 {
            log.push(u64::from(p), hot(p));
        }
        let (new, missed) = log.since(1);
        assert_eq!(new.map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(missed, 0);
        for p in 3..(EventLog::CAPACITY as u32 + 10) {
            log.push(u64::from(p), hot(p));
        }
        let (new, missed) = log.since(1);
        assert_eq!(missed, 9, "events 1..10 fell out of the ring");
        assert_eq!(new.count(), EventLog::CAPACITY);
        let (new, _) = log.since(log.next_seq());
        assert_eq!(new.count(), 0);
    }
}
