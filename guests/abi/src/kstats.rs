//! The kernel-statistics block dux keeps for the host (guests/kernel/src/stats.rs writes it;
//! crates/sim/src/kstats.rs reads it out of guest memory): per kernel service a count and the
//! cycles spent in it — the paper's Table 2 —, the process each CPU runs, TLB refills, and where
//! the kernel's page-use table is.
//!
//! In guest memory: a [`Header`], then `cpus` rows of `row_bytes` bytes, each a [`Row`]. The
//! kernel finds the block by its symbol `KSTATS` ([`SYMBOL`]). Each CPU writes only its own row;
//! the host adds the rows up. The host reads fields at `core::mem::offset_of!` offsets of these
//! types, never at hand-written ones.

/// The block's first eight bytes, `"KSTATS01"` (little-endian u64).
pub const MAGIC: u64 = u64::from_le_bytes(*b"KSTATS01");
/// The kernel symbol at the block.
pub const SYMBOL: &str = "KSTATS";
/// System-call numbers counted: `0..MAX_SYSCALL` ([`crate::syscall::Syscall`]).
pub const MAX_SYSCALL: usize = 40;
/// Kernel events counted besides system calls ([`Event`]).
pub const EVENTS: usize = 13;

/// The block's header.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// [`MAGIC`] once the kernel has set the block up.
    pub magic: u64,
    /// CPUs with rows in use.
    pub cpus: u32,
    /// Bytes per row (`size_of::<Row>()` of the kernel that wrote it).
    pub row_bytes: u32,
    /// Physical address (guest-physical under the monitor) of the page-use table: one
    /// [`PageUse`] byte per page.
    pub page_uses: u32,
    /// Entries in that table.
    pub pages: u32,
}

/// One CPU's counters.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// Calls per system-call number.
    pub syscalls: [u64; MAX_SYSCALL],
    /// CPU cycles per system-call number, entry to exit (time asleep excluded).
    pub syscall_cycles: [u64; MAX_SYSCALL],
    /// Counts per [`Event`].
    pub events: [u64; EVENTS],
    /// Cycles per [`Event`] where it has a duration.
    pub event_cycles: [u64; EVENTS],
    /// The pid running on this CPU now (0: none).
    pub current_pid: u64,
    /// TLB refills served by the kernel's refill fast path.
    pub utlb_misses: u64,
    /// Of [`Row::syscall_cycles`], the monitor's cycles on the kernel's TLB faults (0
    /// natively): the paper's "kernel TLB faults" column of Table 2.
    pub syscall_tlb_cycles: [u64; MAX_SYSCALL],
    /// Of [`Row::syscall_cycles`], the monitor's other cycles (trap reflection, emulation,
    /// monitor calls): the paper's "other Disco".
    pub syscall_monitor_cycles: [u64; MAX_SYSCALL],
    /// Of [`Row::event_cycles`], the monitor's cycles on the kernel's TLB faults.
    pub event_tlb_cycles: [u64; EVENTS],
    /// Of [`Row::event_cycles`], the monitor's other cycles.
    pub event_monitor_cycles: [u64; EVENTS],
}

impl Row {
    /// A row of zeros.
    pub const ZERO: Row = Row {
        syscalls: [0; MAX_SYSCALL],
        syscall_cycles: [0; MAX_SYSCALL],
        events: [0; EVENTS],
        event_cycles: [0; EVENTS],
        current_pid: 0,
        utlb_misses: 0,
        syscall_tlb_cycles: [0; MAX_SYSCALL],
        syscall_monitor_cycles: [0; MAX_SYSCALL],
        event_tlb_cycles: [0; EVENTS],
        event_monitor_cycles: [0; EVENTS],
    };
}

// The layout is the same for the mipsel guest and the 64-bit host: only u32 and u64 fields,
// each naturally aligned.
const _: () = assert!(core::mem::size_of::<Header>() == 24);
const _: () = assert!(core::mem::size_of::<Row>() == (4 * MAX_SYSCALL + 4 * EVENTS + 2) * 8);

/// Kernel events counted besides system calls (index into [`Row::events`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(usize)]
pub enum Event {
    /// A page allocated and zeroed on first touch (the paper's DEMAND_ZERO).
    DemandZero = 0,
    /// A copy-on-write fault that copied a shared page.
    CopyOnWrite = 1,
    /// A TLB fault the refill fast path could not serve that neither zeroed nor copied a page —
    /// the slow path through the general vector loading a translation (IRIX's QUICK_FAULT).
    SlowFault = 2,
    /// A timer interrupt.
    Tick = 3,
    /// An inter-processor interrupt.
    Ipi = 4,
    /// A device interrupt.
    Device = 5,
    /// A context switch.
    Switch = 6,
    /// A process killed by an exception.
    Killed = 7,
    /// A buffer-cache hit.
    BufferHit = 8,
    /// A buffer-cache miss (a disk read).
    BufferMiss = 9,
    /// A disk write.
    DiskWrite = 10,
    /// A whole-TLB flush for the mapped kernel segment's lazy reclaim (dux's `k2.rs`): a new
    /// reclaim epoch began on this CPU, or another CPU's new epoch asked for it by IPI.
    K2Flush = 11,
    /// No slot of the mapped kernel segment was free for a page table, which the kernel then
    /// used through the direct map (its reclaim has not caught up).
    K2Full = 12,
}

impl Event {
    /// Every event, by index.
    pub const ALL: [Event; EVENTS] = [
        Event::DemandZero,
        Event::CopyOnWrite,
        Event::SlowFault,
        Event::Tick,
        Event::Ipi,
        Event::Device,
        Event::Switch,
        Event::Killed,
        Event::BufferHit,
        Event::BufferMiss,
        Event::DiskWrite,
        Event::K2Flush,
        Event::K2Full,
    ];

    /// Its name as a kernel service (capitals, like the paper's `DEMAND_ZERO`;
    /// docs/guest-os.md).
    pub const fn name(self) -> &'static str {
        match self {
            Event::DemandZero => "DEMAND_ZERO",
            Event::CopyOnWrite => "COPY_ON_WRITE",
            Event::SlowFault => "SLOW_FAULT",
            Event::Tick => "TICK",
            Event::Ipi => "IPI",
            Event::Device => "INTERRUPT",
            Event::Switch => "SWITCH",
            Event::Killed => "KILLED",
            Event::BufferHit => "BUFFER_HIT",
            Event::BufferMiss => "BUFFER_MISS",
            Event::DiskWrite => "DISK_WRITE",
            Event::K2Flush => "K2_FLUSH",
            Event::K2Full => "K2_FULL",
        }
    }
}

/// What the kernel uses a physical page for (one byte per page in the page-use table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PageUse {
    /// Free.
    Free = 0,
    /// Kernel text, data or heap.
    Kernel = 1,
    /// A page-table page.
    PageTable = 2,
    /// A user page.
    User = 3,
    /// A buffer-cache page.
    BufferCache = 4,
}

impl PageUse {
    /// The use of code `c`, if it is one.
    pub const fn from_code(c: u8) -> Option<PageUse> {
        match c {
            0 => Some(PageUse::Free),
            1 => Some(PageUse::Kernel),
            2 => Some(PageUse::PageTable),
            3 => Some(PageUse::User),
            4 => Some(PageUse::BufferCache),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_indexed_by_their_discriminant() {
        for (i, e) in Event::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i);
        }
    }
}
