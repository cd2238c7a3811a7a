//! What the simulation tells the views, shaped for drawing: one [`Layout`] when a scenario is
//! loaded, then [`Frame`]s (about 30 a second while running) and [`PageMap`]s on request.
//!
//! Counters in a frame are cumulative since the start of the run (the page computes rates from
//! two frames); the scheduling [`Segment`]s and console text are deltas — what happened since
//! the previous frame — so a frame stays small however long the run. "Guest" means a virtual
//! machine under the monitor, or the one operating system running natively.

use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;

/// A page's owner in a [`PageMap`]: 0 free, 1 the monitor, `2 + k` guest `k`.
pub const OWNER_FREE: u8 = 0;
/// See [`OWNER_FREE`].
pub const OWNER_MONITOR: u8 = 1;
/// See [`OWNER_FREE`].
pub const OWNER_GUEST0: u8 = 2;

/// What a page is used for, as its guest kernel says (its page-use table) or the monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[repr(u8)]
pub enum PageKind {
    /// Free (or not yet touched).
    Free = 0,
    /// The guest kernel's code, data and heap.
    Kernel = 1,
    /// A guest page table.
    PageTable = 2,
    /// A user page: program, heap, stack.
    User = 3,
    /// The guest's buffer cache (disk blocks).
    BufferCache = 4,
    /// The monitor's own (a virtual CPU's special page).
    Monitor = 5,
    /// Held by a guest that has not said what for (its table not set up yet).
    Unknown = 6,
}

// The kinds a guest kernel reports are its page-use codes (abi's `PageUse`, one byte per page in
// its page-use table), read as `PageKind` codes; the monitor's kinds follow them.
const _: () = {
    use abi::kstats::PageUse;
    assert!(PageKind::Free as u8 == PageUse::Free as u8);
    assert!(PageKind::Kernel as u8 == PageUse::Kernel as u8);
    assert!(PageKind::PageTable as u8 == PageUse::PageTable as u8);
    assert!(PageKind::User as u8 == PageUse::User as u8);
    assert!(PageKind::BufferCache as u8 == PageUse::BufferCache as u8);
};

impl From<abi::kstats::PageUse> for PageKind {
    fn from(u: abi::kstats::PageUse) -> PageKind {
        PageKind::from_code(u as u8)
    }
}

impl PageKind {
    /// Every kind, by code.
    pub const ALL: [PageKind; 7] = [
        PageKind::Free,
        PageKind::Kernel,
        PageKind::PageTable,
        PageKind::User,
        PageKind::BufferCache,
        PageKind::Monitor,
        PageKind::Unknown,
    ];

    /// The kind with code `c` (unknown codes are [`PageKind::Unknown`]).
    pub fn from_code(c: u8) -> PageKind {
        PageKind::ALL.get(c as usize).copied().unwrap_or(PageKind::Unknown)
    }

    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            PageKind::Free => "free",
            PageKind::Kernel => "kernel",
            PageKind::PageTable => "page table",
            PageKind::User => "user",
            PageKind::BufferCache => "buffer cache",
            PageKind::Monitor => "monitor",
            PageKind::Unknown => "unknown",
        }
    }
}

/// One guest, as loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestInfo {
    /// `vm0`, `vm1` ... or `native`.
    pub name: String,
    /// Its workload.
    pub workload: String,
    /// Its CPUs (virtual CPUs under the monitor).
    pub cpus: u32,
    /// Its memory in MB.
    pub memory_mb: u32,
}

/// The shape of what frames describe; sent once per load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    /// The scenario loaded.
    pub scenario: Scenario,
    /// True under the monitor, false for the native OS.
    pub disco: bool,
    /// Nodes.
    pub nodes: u32,
    /// CPUs per node.
    pub cpus_per_node: u32,
    /// Machine pages (4 KB) in all.
    pub pages: u32,
    /// Machine pages per node (node `n` has pages `n * pages_per_node ..`).
    pub pages_per_node: u32,
    /// Clock, MHz (cycles → seconds).
    pub clock_mhz: u32,
    /// The guests.
    pub guests: Vec<GuestInfo>,
    /// Names of the monitor's cost kinds, the order of [`GuestFrame::monitor`].
    pub monitor_kinds: Vec<String>,
}

/// What a CPU runs: guest `guest`'s virtual CPU `vcpu` under the monitor, or, natively,
/// process `pid` (`vcpu` is then the pid; 0 = the kernel with no process).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Running {
    /// The guest.
    pub guest: u16,
    /// Its virtual CPU, or the process id natively.
    pub vcpu: u32,
}

/// One physical CPU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CpuFrame {
    /// What runs now (`None`: idle).
    pub running: Option<Running>,
    /// Since when (cycle).
    pub since: u64,
    /// Cycles in guest user mode.
    pub user: u64,
    /// Cycles in the guest kernel.
    pub kernel: u64,
    /// Cycles of monitor work.
    pub monitor: u64,
    /// Cycles idle.
    pub idle: u64,
    /// Instructions.
    pub instructions: u64,
    /// Cache misses served by the local node.
    pub local_misses: u64,
    /// Cache misses served by a remote node.
    pub remote_misses: u64,
}

/// TLB refills of a guest, by who served them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TlbFrame {
    /// Served by the monitor from the guest kernel segment's direct map.
    pub direct: u64,
    /// Served by the monitor's second-level TLB.
    pub l2tlb: u64,
    /// Served from the guest's own TLB contents, as the monitor keeps them.
    pub vtlb: u64,
    /// Forwarded to the guest's refill handler (natively: every refill).
    pub forwarded: u64,
}

/// One guest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct GuestFrame {
    /// Instructions its CPUs executed.
    pub instructions: u64,
    /// Cycles in user mode.
    pub user: u64,
    /// Cycles in its kernel.
    pub kernel: u64,
    /// Monitor cycles spent for it, by kind ([`Layout::monitor_kinds`]); empty natively.
    pub monitor: Vec<u64>,
    /// Cycles its CPUs had nothing to run, or waited for a physical CPU.
    pub idle: u64,
    /// TLB refills.
    pub tlb: TlbFrame,
    /// System calls its kernel counted.
    pub syscalls: u64,
    /// Machine pages it holds.
    pub pages: u32,
    /// Its exit code, once it has powered off.
    pub exit: Option<u32>,
    /// Once it has powered off: did its console show every expected line?
    pub passed: Option<bool>,
    /// Its kernel's busiest services (the paper's Table 2), from the kernel's own statistics;
    /// empty for a kernel that keeps none (SPLASHOS).
    #[serde(default)]
    pub services: Vec<ServiceFrame>,
}

/// The kernel service that sums others: a slow TLB fault is often also a demand-zero or
/// copy-on-write fault, whose time it includes. Shares and totals of services leave it out.
/// It is the name of the kernel's event (abi's), which the kernel-statistics reader reports.
pub const SLOW_FAULT: &str = abi::kstats::Event::SlowFault.name();

/// One kernel service of a guest: how often it ran and the CPU cycles it took (under the
/// monitor including the monitor's work for it, which the guest's clock sees too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceFrame {
    /// The service: a system call, or a fault or interrupt in capitals (`DEMAND_ZERO`).
    pub name: String,
    /// Calls so far.
    pub count: u64,
    /// Cycles so far.
    pub cycles: u64,
}

/// A finished stretch of one CPU running one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// The CPU.
    pub cpu: u16,
    /// First cycle.
    pub start: u64,
    /// Cycle it ended.
    pub end: u64,
    /// What ran.
    pub running: Running,
}

/// Pages of one node, by owner and kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NodeMemory {
    /// Free pages.
    pub free: u32,
    /// The monitor's pages.
    pub monitor: u32,
    /// Per guest, pages by [`PageKind`] code.
    pub guests: Vec<[u32; 7]>,
}

/// New console output of a guest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleText {
    /// The guest.
    pub guest: u16,
    /// The text (lossily decoded).
    pub text: String,
}

/// A statistics frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Frame {
    /// The machine's clock, cycles since power-on.
    pub cycle: u64,
    /// Instructions, all CPUs.
    pub instructions: u64,
    /// Cache misses served locally, all CPUs.
    pub local_misses: u64,
    /// Cache misses served remotely.
    pub remote_misses: u64,
    /// Misses to lines another cache held dirty or that were invalidated (coherence).
    pub coherence_misses: u64,
    /// Per physical CPU.
    pub cpus: Vec<CpuFrame>,
    /// Per guest.
    pub guests: Vec<GuestFrame>,
    /// Per node.
    pub memory: Vec<NodeMemory>,
    /// Scheduling segments that ended since the previous frame.
    pub segments: Vec<Segment>,
    /// Console output since the previous frame.
    pub console: Vec<ConsoleText>,
    /// The run hash, in frames sent when the run stops (it costs a pass over memory).
    pub run_hash: Option<u64>,
    /// The NUMA policy's work, under the monitor (`None` natively); boxed, so that events
    /// holding a frame stay small to move.
    #[serde(default)]
    pub numa: Option<Box<NumaFrame>>,
    /// Memory shared between the VMs (paper §4.2.5, Fig. 6), under the monitor (`None`
    /// natively); boxed, like `numa`, so that events holding a frame stay small.
    #[serde(default)]
    pub sharing: Option<Box<SharingFrame>>,
}

/// The memory footprint in a frame (paper Fig. 6): V per VM against M for the machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SharingFrame {
    /// Per guest, its footprint V: guest pages backed by a machine page.
    pub v_pages: Vec<u32>,
    /// M: machine pages the VMs use (a shared page once).
    pub m_pages: u32,
    /// Machine pages shared copy-on-write between guest pages.
    pub shared_pages: u32,
    /// Copy-on-write breaks so far.
    pub cow_breaks: u64,
    /// Disk reads served from the global disk-block cache so far.
    pub cache_hits: u64,
    /// The most shared machine pages now — disk blocks and subnet pages before guest kernel
    /// text, then most guests mapping them first, then most guest pages, then the lowest page
    /// — at most [`SharingFrame::MAX_TOP`].
    #[serde(default)]
    pub top: Vec<SharedPage>,
    /// Copy-on-write breaks since the previous frame, oldest first (the latest
    /// [`SharingFrame::MAX_BREAKS`]).
    #[serde(default)]
    pub breaks: Vec<CowBreak>,
    /// Breaks since the previous frame not carried in `breaks`, being older than the latest
    /// [`SharingFrame::MAX_BREAKS`] (the total `cow_breaks` counts every one).
    #[serde(default)]
    pub breaks_skipped: u64,
    /// The virtual subnet's traffic so far (paper §4.2.6).
    #[serde(default)]
    pub net: NetFrame,
}

/// The virtual subnet's counters in a frame (paper §4.2.6), all VMs together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NetFrame {
    /// Frames sent.
    pub frames: u64,
    /// Bytes the monitor copied into receivers.
    pub bytes_copied: u64,
    /// Payload pages mapped into receivers instead of copied.
    pub pages_remapped: u64,
    /// Frames dropped.
    pub dropped: u64,
}

/// A block of a disk image, as the global disk-block cache knows it (paper §4.2.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiskBlock {
    /// The machine's disk unit.
    pub disk: u32,
    /// The image on it (the workload's, as the scenario names it: `pmake-full`).
    pub image: String,
    /// The block's first 512-byte sector.
    pub sector: u32,
}

/// A machine page shared copy-on-write between guest pages (paper §4.2.5): read-only in every
/// mapping, one copy in machine memory however many guests map it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedPage {
    /// Machine page number.
    pub page: u32,
    /// The disk block it holds, if the disk-block cache records one.
    pub block: Option<DiskBlock>,
    /// A page of the guests' kernel text (loaded alike in each VM), not a disk block.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kernel_text: bool,
    /// The guests mapping it, ascending, each once.
    pub guests: Vec<u16>,
    /// Guest pages mapping it, all guests together (a guest may map it at several pages).
    pub mappings: u32,
}

/// A copy-on-write break (paper §4.2.5): a guest wrote a page it shared with others and got
/// a private copy; the others keep the shared page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CowBreak {
    /// Machine cycle it happened at.
    pub cycle: u64,
    /// The guest that wrote.
    pub guest: u16,
    /// Its guest-physical page.
    pub guest_page: u32,
    /// The shared page it mapped.
    pub shared: PageAt,
    /// The page it writes from now on: a new copy, or the shared page itself when it was the
    /// last sharer (then nothing was copied).
    pub private: PageAt,
    /// Guest pages still mapping the shared page.
    pub sharers_left: u32,
}

impl SharingFrame {
    /// Shared pages a frame lists at most: the panel shows a handful, and the whole list can
    /// run into thousands.
    pub const MAX_TOP: usize = 8;

    /// Breaks a frame carries at most: a busy run breaks hundreds a second, and the panel lists
    /// the latest few.
    pub const MAX_BREAKS: usize = 8;

    /// V, all guests together.
    pub fn v_total(&self) -> u32 {
        self.v_pages.iter().sum()
    }

    /// Pages saved: V − M (never below zero).
    pub fn saved_pages(&self) -> u32 {
        self.v_total().saturating_sub(self.m_pages)
    }
}

/// What the NUMA policy did to a page (paper §4.2.3), for the NUMA panel's event list and the
/// page map's moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NumaAction {
    /// The page moved to the node that missed on it: `from` is the old machine page (now
    /// free), `to` the new one.
    Migrate,
    /// A read-only copy was made on the node that missed on it: `from` is the master copy,
    /// `to` the new copy.
    Replicate,
    /// A replicated page went back to one writable copy: `from` are the copies freed, `to` the
    /// copy kept.
    Collapse,
    /// A node ran short of free pages and gave a replica back: `from` is the replica freed.
    Reclaim,
    /// A hot page was left where it is (`from`), and `why` says why.
    Left,
    /// The policy's settings were changed mid-run (no page).
    Policy,
}

impl NumaAction {
    /// Every action, in the order the panel lists them.
    pub const ALL: [NumaAction; 6] = [
        NumaAction::Migrate,
        NumaAction::Replicate,
        NumaAction::Collapse,
        NumaAction::Reclaim,
        NumaAction::Left,
        NumaAction::Policy,
    ];

    /// A one-word label.
    pub fn label(self) -> &'static str {
        match self {
            NumaAction::Migrate => "migrate",
            NumaAction::Replicate => "replicate",
            NumaAction::Collapse => "collapse",
            NumaAction::Reclaim => "reclaim",
            NumaAction::Left => "left",
            NumaAction::Policy => "policy",
        }
    }
}

/// A machine page and the node it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageAt {
    /// Machine page number.
    pub page: u32,
    /// Its node.
    pub node: u32,
}

/// One action of the NUMA policy, shaped for drawing: which page went where, and why in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumaEvent {
    /// Machine cycle it happened at.
    pub cycle: u64,
    /// What happened.
    pub action: NumaAction,
    /// The guest whose page it is (`None` for a policy change, or a hot page no guest owns).
    pub guest: Option<u16>,
    /// Its guest-physical page.
    pub guest_page: Option<u32>,
    /// The machine pages it left (see [`NumaAction`] for each action's meaning).
    pub from: Vec<PageAt>,
    /// The machine page it is on now, for an action that put it somewhere.
    pub to: Option<PageAt>,
    /// Why, in words, from the counters that decided it: "node 2 took 140 of 160 misses in
    /// the interval, 3 writes → migrate node 1 → 2".
    pub why: String,
}

/// The NUMA policy's work in a frame: totals so far and what it did since the previous frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NumaFrame {
    /// Pages migrated so far.
    pub migrations: u64,
    /// Replicas made so far.
    pub replications: u64,
    /// Replicated pages collapsed back to one copy so far.
    pub collapses: u64,
    /// Replicas freed because their node ran short of memory, so far.
    pub reclaimed: u64,
    /// Replica pages held now, per node.
    pub replica_pages: Vec<u32>,
    /// Per node, so far: pages migrated to it and replicas made on it.
    #[serde(default)]
    pub arrivals: Vec<[u64; 2]>,
    /// The policy's actions since the previous frame, oldest first (the latest
    /// [`NumaFrame::MAX_EVENTS`]; FLASH's hot-page reports themselves are left out — their
    /// counters are in the action that follows).
    pub events: Vec<NumaEvent>,
    /// Actions since the previous frame not carried in `events`: older than the latest
    /// [`NumaFrame::MAX_EVENTS`], or gone from the monitor's event ring (which keeps 4 096)
    /// before this frame was taken.
    pub skipped: u64,
}

impl NumaFrame {
    /// Events a frame carries at most, so that a frame stays small however busy the policy:
    /// at 30 frames a second that is still more than a reader can follow (the page lists the
    /// latest 25 once a second), and the policy can act thousands of times a second.
    pub const MAX_EVENTS: usize = 16;
}

/// One entry per machine page (owner, kind), and on request the heat: cache misses to each
/// page from each node since the start (`heat[page * nodes + node]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PageMap {
    /// Owner codes ([`OWNER_FREE`], [`OWNER_MONITOR`], `OWNER_GUEST0 + k`).
    pub owner: Vec<u8>,
    /// [`PageKind`] codes.
    pub kind: Vec<u8>,
    /// Misses per page per node, if asked for.
    pub heat: Option<Vec<u32>>,
    /// Machine pages that are replicas (read-only copies the NUMA policy made of another
    /// page), ascending; few, so listed rather than flagged per page.
    #[serde(default)]
    pub replicas: Vec<u32>,
    /// Machine pages shared copy-on-write between guests (paper §4.2.5), ascending, each with
    /// the guests that map it; `owner` names the first of them.
    #[serde(default)]
    pub shared: Vec<SharedMark>,
}

/// A shared machine page in a [`PageMap`]: which guests map it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedMark {
    /// Machine page number.
    pub page: u32,
    /// The guests mapping it, ascending, each once.
    pub guests: Vec<u16>,
}

impl SharedMark {
    /// The marks as one array of numbers — page, count of guests, the guests, page, … — the
    /// form the worker posts them in (a typed array whose buffer moves, not copied objects).
    pub fn flatten(marks: &[SharedMark]) -> Vec<u32> {
        let mut out = Vec::new();
        for m in marks {
            out.push(m.page);
            out.push(m.guests.len() as u32);
            out.extend(m.guests.iter().map(|&g| u32::from(g)));
        }
        out
    }

    /// The marks back from [`SharedMark::flatten`]'s form; a truncated tail is dropped.
    pub fn unflatten(flat: &[u32]) -> Vec<SharedMark> {
        let mut out = Vec::new();
        let mut rest = flat;
        while let [page, n, tail @ ..] = rest {
            let n = *n as usize;
            let Some(guests) = tail.get(..n) else { break };
            let guests = guests.iter().map(|&g| u16::try_from(g).unwrap_or(u16::MAX)).collect();
            out.push(SharedMark { page: *page, guests });
            rest = &tail[n..];
        }
        out
    }
}

/// Everything known about one machine page (the page map's hover).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    /// Machine page number.
    pub page: u32,
    /// Its node.
    pub node: u32,
    /// Owner code.
    pub owner: u8,
    /// Kind.
    pub kind: PageKind,
    /// The guest-physical page it backs, if a guest owns it.
    pub guest_page: Option<u32>,
    /// Cache misses to it from each node.
    pub heat: Vec<u32>,
    /// True if it is a replica (a read-only copy of the guest page, not its master).
    #[serde(default)]
    pub replica: bool,
    /// The guest page's other copies (master first), if it is replicated.
    #[serde(default)]
    pub copies: Vec<PageAt>,
    /// The NUMA policy's latest moves of the guest page — migrations, replicas made,
    /// collapses, replicas reclaimed — newest first, at most [`PageInfo::MAX_MOVES`], as the
    /// frames reported them.
    #[serde(default)]
    pub moves: Vec<NumaEvent>,
    /// If the page is shared copy-on-write between guests: its disk block and who maps it.
    #[serde(default)]
    pub shared: Option<SharedPage>,
}

impl PageInfo {
    /// Moves a page's details list at most.
    pub const MAX_MOVES: usize = 4;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Event;
    use crate::scenario::Preset;

    fn full_frame() -> Frame {
        let running = Running { guest: 1, vcpu: 3 };
        Frame {
            cycle: u64::MAX - 1,
            instructions: (1 << 53) + 1,
            local_misses: 5,
            remote_misses: 6,
            coherence_misses: 7,
            cpus: vec![
                CpuFrame {
                    running: Some(running),
                    since: 9,
                    user: 1,
                    kernel: 2,
                    monitor: 3,
                    idle: 4,
                    instructions: 5,
                    local_misses: 6,
                    remote_misses: 7,
                },
                CpuFrame::default(),
            ],
            guests: vec![GuestFrame {
                instructions: 1,
                user: 2,
                kernel: 3,
                monitor: vec![4, 5, 6],
                idle: 7,
                tlb: TlbFrame { direct: 8, l2tlb: 9, vtlb: 10, forwarded: 11 },
                syscalls: 12,
                pages: 13,
                exit: Some(0),
                passed: Some(true),
                services: vec![ServiceFrame { name: "DEMAND_ZERO".into(), count: 14, cycles: 15 }],
            }],
            memory: vec![NodeMemory { free: 1, monitor: 2, guests: vec![[1, 2, 3, 4, 5, 6, 7]] }],
            segments: vec![Segment { cpu: 1, start: 2, end: 3, running }],
            console: vec![ConsoleText { guest: 1, text: "dux: boot\n\u{fffd}é".into() }],
            run_hash: Some(0xdead_beef_cafe_f00d),
            numa: Some(Box::new(NumaFrame {
                migrations: 1,
                replications: 2,
                collapses: 3,
                reclaimed: 4,
                replica_pages: vec![0, 5],
                arrivals: vec![[7, 8], [9, 10]],
                events: numa_events(),
                skipped: 6,
            })),
            sharing: Some(Box::new(SharingFrame {
                v_pages: vec![1, 2],
                m_pages: 3,
                shared_pages: 4,
                cow_breaks: 5,
                cache_hits: 6,
                top: vec![shared_page(); SharingFrame::MAX_TOP],
                breaks: vec![cow_break(); SharingFrame::MAX_BREAKS],
                breaks_skipped: 7,
                net: NetFrame { frames: 8, bytes_copied: 9, pages_remapped: 10, dropped: 11 },
            })),
        }
    }

    fn shared_page() -> SharedPage {
        SharedPage {
            page: 70_000,
            block: Some(DiskBlock { disk: 1, image: "pmake-full".into(), sector: 123_456 }),
            kernel_text: false,
            guests: vec![0, 1, 5, 7],
            mappings: 5,
        }
    }

    fn cow_break() -> CowBreak {
        CowBreak {
            cycle: (1 << 61) + 3,
            guest: 3,
            guest_page: 4095,
            shared: PageAt { page: 70_000, node: 3 },
            private: PageAt { page: 12, node: 0 },
            sharers_left: 2,
        }
    }

    /// One event of each action, every field set.
    fn numa_events() -> Vec<NumaEvent> {
        NumaAction::ALL
            .iter()
            .enumerate()
            .map(|(i, &action)| NumaEvent {
                cycle: (1 << 60) + i as u64,
                action,
                guest: (action != NumaAction::Policy).then_some(1),
                guest_page: Some(77),
                from: vec![PageAt { page: 9, node: 0 }, PageAt { page: 10, node: 2 }],
                to: (i % 2 == 0).then_some(PageAt { page: 8200, node: 1 }),
                why: format!("node 1 took 140 of 160 misses → {} · é", action.label()),
            })
            .collect()
    }

    #[test]
    fn a_full_frame_round_trips_exactly() {
        let f = full_frame();
        let json = serde_json::to_string(&Event::Frame(f.clone())).expect("encode");
        assert!(json.starts_with(r#"{"type":"Frame","cycle":18446744073709551614"#), "{json}");
        match serde_json::from_str::<Event>(&json).expect("decode") {
            Event::Frame(back) => assert_eq!(back, f),
            e => panic!("not a frame: {e:?}"),
        }
    }

    #[test]
    fn page_maps_layouts_and_page_details_round_trip() {
        let map = PageMap {
            owner: vec![0, 1, 2, 3],
            kind: vec![0, 5, 3, 4],
            heat: Some(vec![1, 2, 3, 4, 5, 6, 7, 8]),
            replicas: vec![2, 3],
            shared: vec![SharedMark { page: 1, guests: vec![0, 3] }],
        };
        let info = PageInfo {
            page: 7,
            node: 1,
            owner: 3,
            kind: PageKind::BufferCache,
            guest_page: Some(99),
            heat: vec![0, 4],
            replica: true,
            copies: vec![PageAt { page: 3, node: 0 }],
            moves: numa_events(),
            shared: Some(shared_page()),
        };
        let layout = Layout {
            scenario: Preset::DEFAULT.scenario(),
            disco: true,
            nodes: 4,
            cpus_per_node: 2,
            pages: 32768,
            pages_per_node: 8192,
            clock_mhz: 200,
            guests: vec![GuestInfo {
                name: "vm0".into(),
                workload: "pmake-full".into(),
                cpus: 2,
                memory_mb: 28,
            }],
            monitor_kinds: vec!["emulation".into()],
        };
        for e in [
            Event::PageMap(map.clone()),
            Event::PageMap(PageMap { heat: None, replicas: Vec::new(), shared: Vec::new(), ..map }),
            Event::PageInfo(PageInfo {
                replica: false,
                copies: Vec::new(),
                moves: Vec::new(),
                shared: None,
                ..info.clone()
            }),
            Event::PageInfo(info),
            Event::Loaded(layout),
        ] {
            let json = serde_json::to_string(&e).expect("encode");
            assert_eq!(serde_json::from_str::<Event>(&json).expect("decode"), e);
        }
    }

    #[test]
    fn messages_without_the_numa_parts_still_decode() {
        let f: Frame = serde_json::from_str(
            r#"{"cycle":1,"instructions":0,"local_misses":0,"remote_misses":0,"coherence_misses":0,"cpus":[],"guests":[],"memory":[],"segments":[],"console":[],"run_hash":null}"#,
        )
        .expect("decode");
        assert_eq!(f.numa, None);
        let m: PageMap =
            serde_json::from_str(r#"{"owner":[0],"kind":[0],"heat":null}"#).expect("decode");
        assert!(m.replicas.is_empty() && m.shared.is_empty());
        let s: SharingFrame = serde_json::from_str(
            r#"{"v_pages":[1],"m_pages":1,"shared_pages":0,"cow_breaks":0,"cache_hits":0}"#,
        )
        .expect("decode");
        assert!(s.top.is_empty() && s.breaks.is_empty());
    }

    #[test]
    fn a_frame_carries_few_numa_events() {
        // Each event is a few hundred bytes of JSON: the bound keeps a busy frame small.
        let mut f = full_frame();
        let e = numa_events()[0].clone();
        f.numa.as_mut().expect("numa").events = vec![e; NumaFrame::MAX_EVENTS];
        let json = serde_json::to_string(&Event::Frame(f)).expect("encode");
        // The sharing part at its bounds (8 VMs on every listed page) adds little.
        assert!(json.len() < 16 * 1024, "{} bytes", json.len());
    }

    #[test]
    fn shared_marks_survive_their_flat_form() {
        let marks = vec![
            SharedMark { page: 7, guests: vec![0, 3] },
            SharedMark { page: 9, guests: vec![] },
            SharedMark { page: 70_000, guests: vec![1, 2, 5, 7] },
        ];
        let flat = SharedMark::flatten(&marks);
        assert_eq!(SharedMark::unflatten(&flat), marks);
        assert_eq!(SharedMark::unflatten(&flat[..flat.len() - 1]), marks[..2]);
        assert!(SharedMark::unflatten(&[]).is_empty());
    }

    #[test]
    fn page_kind_codes_are_stable() {
        for (code, kind) in PageKind::ALL.iter().enumerate() {
            assert_eq!(*kind as u8, code as u8);
            assert_eq!(PageKind::from_code(code as u8), *kind);
        }
        assert_eq!(PageKind::from_code(200), PageKind::Unknown);
        assert_eq!(
            serde_json::to_string(&PageKind::BufferCache).expect("encode"),
            r#""BufferCache""#
        );
    }

    #[test]
    fn a_truncated_frame_is_an_error_not_a_panic() {
        let json = serde_json::to_string(&Event::Frame(full_frame())).expect("encode");
        for cut in [10, json.len() / 2, json.len() - 1] {
            // At a character boundary: the frame holds non-ASCII text (arrows in descriptions).
            let cut = (0..=cut).rev().find(|&c| json.is_char_boundary(c)).unwrap_or(0);
            assert!(serde_json::from_str::<Event>(&json[..cut]).is_err());
        }
        assert!(serde_json::from_str::<Event>(r#"{"type":"Frame","cycle":-1}"#).is_err());
    }
}
