//! The guest kernel's statistics block (`KSTATS`, see guests/kernel/src/stats.rs), read from the
//! guest's memory: per kernel service (system calls, faults, interrupts) a count and the cycles
//! spent in it — the data of the paper's Table 2 —, the process each CPU runs, TLB refills, and
//! the address of the kernel's page-use table (what every physical page is used for).

use object::{Object, ObjectSymbol};

/// `"KSTATS01"` as the kernel stores it (little-endian u64).
const MAGIC: u64 = u64::from_le_bytes(*b"KSTATS01");
/// Bytes before the first per-CPU row.
const HEADER: u32 = 24;
/// Offsets in a row (u64 fields): syscalls[40], syscall_cycles[40], events[11],
/// event_cycles[11], current_pid, utlb_misses.
const ROW_SYSCALLS: u32 = 0;
const SYSCALLS: u32 = 40;
const EVENTS: u32 = 11;
const ROW_SYSCALL_CYCLES: u32 = SYSCALLS * 8;
const ROW_EVENTS: u32 = ROW_SYSCALL_CYCLES + SYSCALLS * 8;
const ROW_EVENT_CYCLES: u32 = ROW_EVENTS + EVENTS * 8;
const ROW_PID: u32 = (SYSCALLS + SYSCALLS + 11 + 11) * 8;
const ROW_UTLB: u32 = ROW_PID + 8;

/// Where the block is in a kernel image.
#[derive(Debug, Clone, Copy)]
pub struct KstatsSymbol {
    /// The block's virtual address.
    pub va: u32,
}

impl KstatsSymbol {
    /// Finds `KSTATS` in the kernel's symbol table.
    pub fn find(kernel: &[u8]) -> Option<KstatsSymbol> {
        let file = object::File::parse(kernel).ok()?;
        let sym = file.symbols().find(|s| s.name() == Ok("KSTATS"))?;
        Some(KstatsSymbol { va: sym.address() as u32 })
    }
}

/// What the host reads of the block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kstats {
    /// Per CPU: the running process (0: none).
    pub current_pid: Vec<u32>,
    /// System calls, all CPUs.
    pub syscalls: u64,
    /// Per system-call number: calls and cycles (entry to exit), all CPUs.
    pub per_syscall: Vec<(u64, u64)>,
    /// Per kernel event ([`EVENT_NAMES`]): occurrences and cycles where timed, all CPUs.
    pub per_event: Vec<(u64, u64)>,
    /// TLB refills by the kernel's refill handler, all CPUs.
    pub utlb_misses: u64,
    /// Physical (guest-physical under the monitor) address of the page-use table.
    pub page_uses: u32,
    /// Entries in the table.
    pub pages: u32,
}

fn u32_at(b: &[u8], off: u32) -> u32 {
    let o = off as usize;
    b.get(o..o + 4).map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u64_at(b: &[u8], off: u32) -> u64 {
    u64::from(u32_at(b, off)) | (u64::from(u32_at(b, off + 4)) << 32)
}

impl Kstats {
    /// Reads the block at physical address `pa` through `read(pa, len)`; `None` until the
    /// kernel has initialised it (or if it makes no sense: a guest can write anything there).
    pub fn read(pa: u32, read: impl Fn(u32, u32) -> Option<Vec<u8>>) -> Option<Kstats> {
        let head = read(pa, HEADER)?;
        if u64_at(&head, 0) != MAGIC {
            return None;
        }
        let cpus = u32_at(&head, 8).min(64);
        let row_bytes = u32_at(&head, 12);
        if !(ROW_UTLB + 8..=4096).contains(&row_bytes) {
            return None;
        }
        let rows = read(pa + HEADER, cpus * row_bytes)?;
        let mut k = Kstats {
            page_uses: u32_at(&head, 16),
            pages: u32_at(&head, 20),
            per_syscall: vec![(0, 0); SYSCALLS as usize],
            per_event: vec![(0, 0); EVENTS as usize],
            ..Kstats::default()
        };
        for c in 0..cpus {
            let row = c * row_bytes;
            k.current_pid.push(u64_at(&rows, row + ROW_PID) as u32);
            k.utlb_misses += u64_at(&rows, row + ROW_UTLB);
            for i in 0..SYSCALLS {
                let s = &mut k.per_syscall[i as usize];
                s.0 += u64_at(&rows, row + ROW_SYSCALLS + i * 8);
                s.1 += u64_at(&rows, row + ROW_SYSCALL_CYCLES + i * 8);
            }
            for i in 0..EVENTS {
                let e = &mut k.per_event[i as usize];
                e.0 += u64_at(&rows, row + ROW_EVENTS + i * 8);
                e.1 += u64_at(&rows, row + ROW_EVENT_CYCLES + i * 8);
            }
        }
        k.syscalls = k.per_syscall.iter().map(|s| s.0).sum();
        Some(k)
    }

    /// The kernel services with their counts and cycles, busiest first: every system call
    /// made, and the timed events (demand-zero and copy-on-write faults, slow TLB faults,
    /// device interrupts). Names as in docs/guest-os.md.
    pub fn services(&self) -> Vec<Service> {
        let calls = self.per_syscall.iter().enumerate().filter_map(|(nr, &(count, cycles))| {
            let name = SYSCALL_NAMES.get(nr).copied().filter(|n| !n.is_empty())?;
            (count > 0).then_some(Service { name, count, cycles })
        });
        let events = self.per_event.iter().enumerate().filter_map(|(i, &(count, cycles))| {
            let name = EVENT_NAMES.get(i).copied()?;
            (count > 0 && cycles > 0).then_some(Service { name, count, cycles })
        });
        let mut all: Vec<Service> = calls.chain(events).collect();
        all.sort_by(|a, b| b.cycles.cmp(&a.cycles).then(a.name.cmp(b.name)));
        all
    }
}

/// One kernel service's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// Its name (a system call, or an event in capitals like the paper's `DEMAND_ZERO`).
    pub name: &'static str,
    /// How many times it ran.
    pub count: u64,
    /// Cycles spent in it, all CPUs (under the monitor, including the monitor's work for it).
    pub cycles: u64,
}

/// System-call names by number (docs/guest-os.md; a test keeps the two equal).
pub const SYSCALL_NAMES: [&str; SYSCALLS as usize] = [
    "",
    "exit",
    "fork",
    "wait",
    "exec",
    "getpid",
    "sbrk",
    "yield",
    "sleep",
    "open",
    "close",
    "read",
    "write",
    "lseek",
    "fstat",
    "stat",
    "unlink",
    "mkdir",
    "readdir",
    "dup",
    "pipe",
    "chdir",
    "clock",
    "cpuid",
    "thread_create",
    "thread_exit",
    "thread_join",
    "futex_wait",
    "futex_wake",
    "shutdown",
    "kstats",
    "shm_attach",
    "shm_remove",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
];

/// Kernel event names by index (guests/kernel/src/stats.rs `Event`).
pub const EVENT_NAMES: [&str; EVENTS as usize] = [
    "DEMAND_ZERO",
    "COPY_ON_WRITE",
    crate::frame::SLOW_FAULT,
    "TICK",
    "IPI",
    "INTERRUPT",
    "SWITCH",
    "KILLED",
    "BUFFER_HIT",
    "BUFFER_MISS",
    "DISK_WRITE",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscall_names_are_the_documented_ones() {
        let doc = include_str!("../../../docs/guest-os.md");
        let mut seen = 0;
        for line in doc.lines() {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() > 3
                && let Ok(nr) = cells[1].parse::<usize>()
            {
                assert_eq!(SYSCALL_NAMES[nr], cells[2], "system call {nr}");
                seen += 1;
            }
        }
        let named = SYSCALL_NAMES.iter().filter(|n| !n.is_empty()).count();
        assert_eq!(seen, named, "every documented call is named, and only those");
    }
}
