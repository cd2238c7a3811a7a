//! The NUMA policy's decision (paper §4.2.3; the policy is Verghese, Devine, Gupta & Rosenblum,
//! ASPLOS 1996): when FLASH's counters report a hot page, move it, copy it, or leave it.
//!
//! Per machine page the machine counts cache misses per node and writes in the current
//! interval (`machine::hot_page`); the monitor keeps how often it has moved the page. Four
//! thresholds decide:
//!
//! - **trigger**: a node whose misses to the page reach it makes the page *hot* (the machine
//!   raises the event at this count);
//! - **sharing**: if another node's misses also reach it, the page is *shared*: a candidate for
//!   replication; otherwise a candidate for migration to the hot node;
//! - **write**: a shared page written more than this in the interval is too expensive to
//!   replicate (every write would collapse the replicas): leave it;
//! - **migrate**: a page already moved this many times is too mobile: leave it where it is.
//!
//! [`decide`] is the rule alone — a pure function of the counters, so each threshold's edge is
//! tested here and the reason for every outcome can be shown to a student.

use serde::{Deserialize, Serialize};

use crate::ids::NodeId;

/// Which actions the policy may take.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PolicyMode {
    /// Neither: pages stay where first touch put them.
    #[default]
    Off,
    /// Migration only.
    Migrate,
    /// Replication only.
    Replicate,
    /// Both (the paper's Disco).
    Both,
}

impl PolicyMode {
    /// Its name on the command line and in URLs.
    pub fn name(self) -> &'static str {
        match self {
            PolicyMode::Off => "off",
            PolicyMode::Migrate => "migrate",
            PolicyMode::Replicate => "replicate",
            PolicyMode::Both => "both",
        }
    }

    /// May the policy migrate pages?
    pub fn migrates(self) -> bool {
        matches!(self, PolicyMode::Migrate | PolicyMode::Both)
    }

    /// May it replicate them?
    pub fn replicates(self) -> bool {
        matches!(self, PolicyMode::Replicate | PolicyMode::Both)
    }
}

/// The thresholds (misses and writes are counts within one counter interval).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Misses from one node that make a page hot.
    pub trigger: u32,
    /// Misses from another node that make a hot page shared.
    pub sharing: u32,
    /// Writes above which a shared page is not replicated.
    pub write: u32,
    /// Moves after which a page is not migrated again.
    pub migrate: u32,
}

/// The policy's settings: what it may do and its thresholds. Off by default: a VM's pages then
/// stay where first touch put them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumaConfig {
    /// Which actions are allowed.
    pub mode: PolicyMode,
    /// Where a page goes when the VM first uses it.
    #[serde(default)]
    pub placement: Placement,
    /// The thresholds.
    pub thresholds: Thresholds,
}

impl Default for NumaConfig {
    fn default() -> Self {
        NumaConfig {
            mode: PolicyMode::Off,
            placement: Placement::FirstTouch,
            thresholds: Thresholds::default(),
        }
    }
}

impl Placement {
    /// Its name on the command line and in URLs.
    pub fn name(self) -> &'static str {
        match self {
            Placement::FirstTouch => "first-touch",
            Placement::RoundRobin => "round-robin",
        }
    }
}

/// Where the monitor allocates a VM's page on first use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Placement {
    /// On the node of the physical CPU that first touches it (Disco's NUMA-aware default).
    #[default]
    FirstTouch,
    /// On each node in turn — what a NUMA-unaware allocator gives, like the round-robin
    /// interleaving of the paper's IRIX baseline (§5.5): the starting point that shows what
    /// the policy adds.
    RoundRobin,
}

impl Default for Thresholds {
    /// Hot at 8 misses from one remote node in a 10 ms interval; shared when another node
    /// took 4; no replication of a page written more than 4 times; at most 4 moves. Chosen by
    /// experiment on both workloads of Fig. 8 (docs/monitor.md, "Choosing the thresholds"):
    /// engineering (private working sets, to migrate) did best at triggers of 16 and 8, and
    /// raytrace (a 6 MB scene every node reads a little of at a time, to replicate) needs 8 —
    /// at 16 its pages rarely turn hot and only 69 % of its misses are local, at 8 / 4 91 %.
    fn default() -> Self {
        Thresholds { trigger: 8, sharing: 4, write: 4, migrate: 4 }
    }
}

/// What to do with a hot page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// Move the page to this node.
    Migrate(NodeId),
    /// Copy the page to this node, keeping the other copies.
    Replicate(NodeId),
    /// Leave it, for this reason.
    Leave(Refusal),
}

/// Why a hot page is left where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// The hot node's misses are below the trigger (the event predates a counter reset).
    NotHot,
    /// The page already lives on the hot node (or, shared, already has a copy there).
    AlreadyLocal,
    /// Shared and written more than the write threshold: replicas would keep collapsing.
    WriteShared,
    /// Moved at least the migrate threshold's number of times already.
    TooMobile,
    /// The action the counters call for is switched off by the mode.
    ModeOff,
    /// The page is the target of a virtual-disk transfer in progress: moving it would send the
    /// DMA to a page the VM no longer has.
    UnderDma,
    /// The hot node has no free page to move it to (for a replica: none beyond the reserve it
    /// keeps for first touch).
    NoFreePage,
    /// The page is not a VM's memory (the monitor's own, or free).
    NotGuestMemory,
    /// The page is a disk block shared copy-on-write by several guest pages
    /// (`disk_cache.rs`): moving it would mean updating every sharer's mappings, so it stays.
    SharedPage,
}

impl Refusal {
    /// In words, for the event list.
    pub fn describe(self) -> &'static str {
        match self {
            Refusal::NotHot => "not hot any more",
            Refusal::AlreadyLocal => "already on the hot node",
            Refusal::WriteShared => "shared and written: too costly to replicate",
            Refusal::TooMobile => "moved too often already",
            Refusal::ModeOff => "the policy does not allow it",
            Refusal::UnderDma => "a disk transfer into it is in progress",
            Refusal::NoFreePage => "the hot node has no free page to spare",
            Refusal::NotGuestMemory => "not a VM's page",
            Refusal::SharedPage => "shared copy-on-write between VMs: left where it is",
        }
    }
}

/// The rule. `misses[n]` are node n's misses to the page in the interval, `hot` the node that
/// crossed the trigger, `writes` the writes in the interval, `moves` how often the page has
/// moved, `on_hot` whether the page (or a replica of it) is already on the hot node.
pub fn decide(
    mode: PolicyMode,
    t: &Thresholds,
    hot: NodeId,
    misses: &[u32],
    writes: u32,
    moves: u32,
    on_hot: bool,
) -> Decision {
    let hot_misses = misses.get(hot.index()).copied().unwrap_or(0);
    if hot_misses < t.trigger {
        return Decision::Leave(Refusal::NotHot);
    }
    if on_hot {
        return Decision::Leave(Refusal::AlreadyLocal);
    }
    let shared = misses.iter().enumerate().any(|(n, &c)| n != hot.index() && c >= t.sharing.max(1));
    if shared {
        if writes > t.write {
            Decision::Leave(Refusal::WriteShared)
        } else if mode.replicates() {
            Decision::Replicate(hot)
        } else {
            Decision::Leave(Refusal::ModeOff)
        }
    } else if moves >= t.migrate {
        Decision::Leave(Refusal::TooMobile)
    } else if mode.migrates() {
        Decision::Migrate(hot)
    } else {
        Decision::Leave(Refusal::ModeOff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Thresholds = Thresholds { trigger: 64, sharing: 16, write: 4, migrate: 2 };

    fn both(misses: &[u32], writes: u32, moves: u32) -> Decision {
        decide(PolicyMode::Both, &T, NodeId(1), misses, writes, moves, false)
    }

    #[test]
    fn one_node_alone_migrates_the_page_there() {
        assert_eq!(both(&[0, 64, 15, 0], 100, 0), Decision::Migrate(NodeId(1)));
        assert_eq!(both(&[0, 63, 0, 0], 0, 0), Decision::Leave(Refusal::NotHot), "below trigger");
    }

    #[test]
    fn another_node_at_the_sharing_threshold_makes_it_a_replica() {
        assert_eq!(both(&[16, 64, 0, 0], 0, 0), Decision::Replicate(NodeId(1)));
        assert_eq!(both(&[16, 64, 0, 0], 4, 0), Decision::Replicate(NodeId(1)), "writes = limit");
        assert_eq!(both(&[16, 64, 0, 0], 5, 0), Decision::Leave(Refusal::WriteShared));
    }

    #[test]
    fn a_page_moved_too_often_stays() {
        assert_eq!(both(&[0, 64, 0, 0], 0, 1), Decision::Migrate(NodeId(1)));
        assert_eq!(both(&[0, 64, 0, 0], 0, 2), Decision::Leave(Refusal::TooMobile));
        // Replication is not a move of the page: the migrate threshold does not apply.
        assert_eq!(both(&[20, 64, 0, 0], 0, 9), Decision::Replicate(NodeId(1)));
    }

    #[test]
    fn the_mode_gates_each_action() {
        let d = |mode, misses: &[u32]| decide(mode, &T, NodeId(1), misses, 0, 0, false);
        assert_eq!(d(PolicyMode::Off, &[0, 99]), Decision::Leave(Refusal::ModeOff));
        assert_eq!(d(PolicyMode::Replicate, &[0, 99]), Decision::Leave(Refusal::ModeOff));
        assert_eq!(d(PolicyMode::Migrate, &[0, 99]), Decision::Migrate(NodeId(1)));
        assert_eq!(d(PolicyMode::Migrate, &[30, 99]), Decision::Leave(Refusal::ModeOff));
        assert_eq!(d(PolicyMode::Replicate, &[30, 99]), Decision::Replicate(NodeId(1)));
    }

    #[test]
    fn a_page_already_on_the_hot_node_stays() {
        let d = decide(PolicyMode::Both, &T, NodeId(1), &[0, 99], 0, 0, true);
        assert_eq!(d, Decision::Leave(Refusal::AlreadyLocal));
    }
}
