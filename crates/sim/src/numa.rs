//! The NUMA policy's events (paper §4.2.3) in words: the monitor records each action with the
//! counters that caused it (`monitor::events`); this turns one into a [`NumaEvent`] the views
//! can draw — which page went where — with a `why` sentence a student can read: "node 2 took
//! 140 of 160 misses in the interval, 3 writes → migrate node 1 → 2".
//!
//! FLASH's hot-page reports themselves are not turned into events: the action that follows
//! each one repeats its counters. Nor are hot pages that are no VM's (the monitor's own, which
//! the policy never moves): on a busy machine they are reported every few milliseconds and
//! would bury the actions.

use std::collections::{BTreeMap, VecDeque};

use monitor::Monitor;
use monitor::events::{EventKind, MonitorEvent};
use monitor::ids::{Mppn, NodeId};
use monitor::memmap::PageOwner;
use monitor::numa_policy::Refusal;
use serde::{Deserialize, Serialize};

use crate::frame::{NumaAction, NumaEvent, PageAt};

/// `n` and the noun, singular or plural: "1 write", "3 writes".
fn count(n: u32, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// "0 and 3", "0, 1 and 3".
fn and_list<T: std::fmt::Display>(items: &[T]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(T::to_string).collect();
            format!("{} and {last}", init.join(", "))
        }
    }
}

/// What the counters of an interval say: "node 2 took 140 of 160 misses in the interval, 3
/// writes".
fn took(hot: NodeId, misses: &[u32], writes: u32) -> String {
    let total: u32 = misses.iter().sum();
    let mine = misses.get(hot.index()).copied().unwrap_or(0);
    format!(
        "node {} took {mine} of {} in the interval, {}",
        hot.index(),
        count(total, "miss", "misses"),
        count(writes, "write", "writes")
    )
}

/// The counters of a page several nodes use: "nodes 0 and 3 both read it (70 and 22 misses),
/// 0 writes" — or "use it" when it was written more than `write_limit` times, since misses
/// then count writes too.
fn read_by(misses: &[u32], writes: u32, write_limit: u32) -> String {
    let readers: Vec<(usize, u32)> =
        misses.iter().copied().enumerate().filter(|&(_, m)| m > 0).collect();
    let nodes: Vec<usize> = readers.iter().map(|r| r.0).collect();
    let counts: Vec<u32> = readers.iter().map(|r| r.1).collect();
    let both = if readers.len() == 2 { "both " } else { "" };
    let verb = if writes > write_limit { "use" } else { "read" };
    format!(
        "nodes {} {both}{verb} it ({} misses), {}",
        and_list(&nodes),
        and_list(&counts),
        count(writes, "write", "writes")
    )
}

/// Machine page `page` and its node.
pub(crate) fn at(mon: &Monitor, page: Mppn) -> PageAt {
    PageAt { page: page.0, node: u32::from(mon.memmap().node_of(page).0) }
}

fn guest_of(owner: PageOwner) -> (Option<u16>, Option<u32>) {
    match owner.guest_page() {
        Some((vm, gppn)) => (Some(vm.0), Some(gppn.0)),
        None => (None, None),
    }
}

/// The event for the views, or `None` for a hot-page report (the action that follows it says
/// the same and more) and for a hot page that is not a VM's.
pub fn describe(mon: &Monitor, e: &MonitorEvent) -> Option<NumaEvent> {
    let ev = |action, guest: (Option<u16>, Option<u32>), from, to, why| NumaEvent {
        cycle: e.cycle,
        action,
        guest: guest.0,
        guest_page: guest.1,
        from,
        to,
        why,
    };
    Some(match &e.kind {
        EventKind::HotPage { .. } | EventKind::CowBreak { .. } | EventKind::NetRemap { .. } => {
            return None;
        }
        EventKind::Migrated {
            vm,
            gppn,
            from,
            to,
            from_node,
            to_node,
            misses,
            writes,
            moves,
            ..
        } => {
            let again = if *moves > 1 { format!(" (its move {moves})") } else { String::new() };
            let why = format!(
                "{} → migrate node {} → {}{again}",
                took(*to_node, misses, *writes),
                from_node.index(),
                to_node.index()
            );
            ev(
                NumaAction::Migrate,
                (Some(vm.0), Some(gppn.0)),
                vec![at(mon, *from)],
                Some(at(mon, *to)),
                why,
            )
        }
        EventKind::Replicated { vm, gppn, master, copy, to_node, misses, writes, .. } => {
            let limit = mon.config().numa.thresholds.write;
            let why = format!(
                "{} → replicate on node {}",
                read_by(misses, *writes, limit),
                to_node.index()
            );
            ev(
                NumaAction::Replicate,
                (Some(vm.0), Some(gppn.0)),
                vec![at(mon, *master)],
                Some(at(mon, *copy)),
                why,
            )
        }
        EventKind::Collapsed { vm, gppn, kept, kept_node, freed, cause, .. } => {
            let copies = if freed.len() > 1 {
                format!(" ({} copies freed)", freed.len())
            } else {
                String::new()
            };
            let why =
                format!("{} → collapse onto node {}{copies}", cause.describe(), kept_node.index());
            ev(
                NumaAction::Collapse,
                (Some(vm.0), Some(gppn.0)),
                freed.iter().map(|&p| at(mon, p)).collect(),
                Some(at(mon, *kept)),
                why,
            )
        }
        EventKind::Reclaimed { vm, gppn, page, node, free } => {
            let why = format!(
                "node {} down to {} → replica freed",
                node.index(),
                count(*free, "free page", "free pages")
            );
            ev(NumaAction::Reclaim, (Some(vm.0), Some(gppn.0)), vec![at(mon, *page)], None, why)
        }
        EventKind::Left { reason: Refusal::NotGuestMemory, .. } => return None,
        EventKind::Left { page, owner, node, reason, misses, writes, .. } => {
            // The thresholds in force now (a change since is rare, and only shifts the wording).
            let t = mon.config().numa.thresholds;
            let shared =
                misses.iter().enumerate().any(|(n, &m)| n != node.index() && m >= t.sharing.max(1));
            let counters = if shared {
                read_by(misses, *writes, t.write)
            } else {
                took(*node, misses, *writes)
            };
            let why = format!("{counters} → left: {}", reason.describe());
            ev(NumaAction::Left, guest_of(*owner), vec![at(mon, *page)], None, why)
        }
        EventKind::PolicyChanged { numa } => {
            let t = numa.thresholds;
            let why = format!(
                "policy set to {} (trigger {}, sharing {}, writes {}, moves {})",
                numa.mode.name(),
                t.trigger,
                t.sharing,
                t.write,
                t.migrate
            );
            ev(NumaAction::Policy, (None, None), Vec::new(), None, why)
        }
    })
}

/// The policy's actions with a sequence number of at least `seq`, in the order the monitor
/// recorded them; how many the monitor's ring no longer holds; and the sequence number to ask
/// from next time.
pub fn since(mon: &Monitor, seq: u64) -> (Vec<NumaEvent>, u64, u64) {
    let (iter, missed) = mon.events_since(seq);
    let mut next = seq + missed;
    let mut events = Vec::new();
    for e in iter {
        next = e.seq + 1;
        if let Some(d) = describe(mon, e) {
            events.push(d);
        }
    }
    (events, missed, next)
}

/// Keeps at most `max` of `events`: over it, the oldest pages left in place go first — they
/// are the most frequent and the least telling — then the oldest of the rest. Returns how many
/// it dropped.
pub fn bound(events: &mut Vec<NumaEvent>, max: usize) -> usize {
    let over = events.len().saturating_sub(max);
    let mut left = events.iter().filter(|e| e.action == NumaAction::Left).count().min(over);
    events.retain(|e| {
        let drop = left > 0 && e.action == NumaAction::Left;
        left -= usize::from(drop);
        !drop
    });
    let rest = events.len().saturating_sub(max);
    events.drain(..rest);
    over
}

/// The latest moves of each guest page — migrations, replicas made, collapses, replicas
/// reclaimed; not the pages left in place — as the frames reported them, for a page's details.
/// The monitor's own ring cannot serve: FLASH's hot-page reports fill it within a fraction of a
/// simulated second. Bounded: at most [`MoveHistory::MOVES`] per page, and the
/// [`MoveHistory::PAGES`] pages moved most recently.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MoveHistory {
    /// Per guest page (guest, page): when it last moved (a count of moves recorded), and its
    /// moves, oldest first.
    pages: BTreeMap<(u16, u32), (u64, VecDeque<NumaEvent>)>,
    /// The same pages by when they last moved, to forget the stalest first.
    by_age: BTreeMap<u64, (u16, u32)>,
    recorded: u64,
}

impl MoveHistory {
    /// Moves kept per page.
    pub const MOVES: usize = 4;
    /// Pages kept.
    pub const PAGES: usize = 4096;

    /// Records `e` if it moved a guest page.
    pub fn record(&mut self, e: &NumaEvent) {
        let moved = matches!(
            e.action,
            NumaAction::Migrate
                | NumaAction::Replicate
                | NumaAction::Collapse
                | NumaAction::Reclaim
        );
        let (Some(g), Some(gp), true) = (e.guest, e.guest_page, moved) else { return };
        let key = (g, gp);
        self.recorded += 1;
        let (age, moves) = self.pages.entry(key).or_default();
        if *age > 0 {
            self.by_age.remove(age);
        }
        *age = self.recorded;
        moves.push_back(e.clone());
        if moves.len() > Self::MOVES {
            moves.pop_front();
        }
        self.by_age.insert(self.recorded, key);
        while self.pages.len() > Self::PAGES {
            let Some((_, stale)) = self.by_age.pop_first() else { break };
            self.pages.remove(&stale);
        }
    }

    /// Guest `guest`'s page `gppn`'s latest moves, newest first.
    pub fn of(&self, guest: u16, gppn: u32) -> Vec<NumaEvent> {
        self.pages
            .get(&(guest, gppn))
            .map_or_else(Vec::new, |(_, m)| m.iter().rev().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(cycle: u64, action: NumaAction) -> NumaEvent {
        NumaEvent {
            cycle,
            action,
            guest: None,
            guest_page: None,
            from: Vec::new(),
            to: None,
            why: String::new(),
        }
    }

    #[test]
    fn over_the_bound_pages_left_in_place_go_first_then_the_oldest() {
        use NumaAction::{Left, Migrate};
        let all = [(1, Left), (2, Migrate), (3, Left), (4, Migrate), (5, Left), (6, Migrate)];
        let events = || all.iter().map(|&(c, a)| event(c, a)).collect::<Vec<_>>();
        let cycles = |e: &[NumaEvent]| e.iter().map(|e| e.cycle).collect::<Vec<_>>();
        let mut e = events();
        assert_eq!(bound(&mut e, 4), 2);
        assert_eq!(cycles(&e), [2, 4, 5, 6]);
        let mut e = events();
        assert_eq!(bound(&mut e, 2), 4);
        assert_eq!(cycles(&e), [4, 6]);
        let mut e = events();
        assert_eq!(bound(&mut e, 9), 0);
        assert_eq!(e.len(), 6);
    }

    #[test]
    fn the_history_keeps_each_pages_latest_moves_and_the_latest_pages() {
        let mut h = MoveHistory::default();
        let moved = |page: u32, cycle: u64, action| NumaEvent {
            guest: Some(0),
            guest_page: Some(page),
            ..event(cycle, action)
        };
        h.record(&moved(7, 1, NumaAction::Left));
        assert!(h.of(0, 7).is_empty(), "a page left in place did not move");
        for c in 0..6 {
            h.record(&moved(7, c, NumaAction::Migrate));
        }
        h.record(&moved(8, 9, NumaAction::Replicate));
        let cycles = |v: Vec<NumaEvent>| v.iter().map(|e| e.cycle).collect::<Vec<_>>();
        assert_eq!(cycles(h.of(0, 7)), [5, 4, 3, 2], "newest first, at most four");
        assert_eq!(cycles(h.of(0, 8)), [9]);
        assert!(h.of(1, 7).is_empty(), "another guest's page");
        for p in 100..(100 + MoveHistory::PAGES as u32) {
            h.record(&moved(p, 10, NumaAction::Migrate));
        }
        assert!(h.of(0, 7).is_empty() && h.of(0, 8).is_empty(), "the stalest pages went");
        assert_eq!(h.pages.len(), MoveHistory::PAGES);
        assert_eq!(h.by_age.len(), MoveHistory::PAGES);
        h.record(&moved(100, 11, NumaAction::Collapse));
        assert_eq!(cycles(h.of(0, 100)), [11, 10]);
        assert_eq!(h.by_age.len(), MoveHistory::PAGES);
    }

    #[test]
    fn counters_read_as_sentences() {
        assert_eq!(
            took(NodeId(2), &[10, 0, 140, 10], 3),
            "node 2 took 140 of 160 misses in the interval, 3 writes"
        );
        assert_eq!(took(NodeId(0), &[1], 1), "node 0 took 1 of 1 miss in the interval, 1 write");
        assert_eq!(
            read_by(&[70, 0, 0, 22], 0, 4),
            "nodes 0 and 3 both read it (70 and 22 misses), 0 writes"
        );
        assert_eq!(
            read_by(&[70, 5, 0, 22], 2, 4),
            "nodes 0, 1 and 3 read it (70, 5 and 22 misses), 2 writes"
        );
        assert_eq!(read_by(&[7, 9], 5, 4), "nodes 0 and 1 both use it (7 and 9 misses), 5 writes");
    }
}
