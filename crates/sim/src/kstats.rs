//! The guest kernel's statistics block (`KSTATS`, see guests/kernel/src/stats.rs), read from the
//! guest's memory: per kernel service (system calls, faults, interrupts) a count and the cycles
//! spent in it — the data of the paper's Table 2 —, the process each CPU runs, TLB refills, and
//! the address of the kernel's page-use table (what every physical page is used for).
//!
//! The layout is `abi::kstats`'s, which the kernel compiles against: fields are read at the
//! `offset_of!` offsets of its `#[repr(C)]` types, never at offsets written down here.

use core::mem::{offset_of, size_of};

use abi::kstats::{EVENTS, Event, Header, MAGIC, MAX_SYSCALL, Row, SYMBOL};
use abi::syscall::Syscall;
use object::{Object, ObjectSymbol};

/// Bytes before the first per-CPU row.
const HEADER: u32 = size_of::<Header>() as u32;

/// Bytes of one counter (the rows' arrays are of `u64`).
const U64: u32 = size_of::<u64>() as u32;

/// Byte offset of field `$field` of `$ty`, as the `u32` addresses are counted in.
macro_rules! at {
    ($ty:ty, $field:ident) => {
        offset_of!($ty, $field) as u32
    };
}

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
        let sym = file.symbols().find(|s| s.name() == Ok(SYMBOL))?;
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
    /// Per system-call number: of its cycles, the monitor's on the kernel's TLB faults and its
    /// other cycles (the paper's Table 2 breakdown; zeros natively).
    pub per_syscall_monitor: Vec<[u64; 2]>,
    /// Per kernel event: the same split of its cycles.
    pub per_event_monitor: Vec<[u64; 2]>,
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
        if u64_at(&head, at!(Header, magic)) != MAGIC {
            return None;
        }
        let cpus = u32_at(&head, at!(Header, cpus)).min(64);
        let row_bytes = u32_at(&head, at!(Header, row_bytes));
        // A row holds at least the fields read here (a newer kernel may append some).
        if !(size_of::<Row>() as u32..=4096).contains(&row_bytes) {
            return None;
        }
        let rows = read(pa + HEADER, cpus * row_bytes)?;
        let mut k = Kstats {
            page_uses: u32_at(&head, at!(Header, page_uses)),
            pages: u32_at(&head, at!(Header, pages)),
            per_syscall: vec![(0, 0); MAX_SYSCALL],
            per_event: vec![(0, 0); EVENTS],
            per_syscall_monitor: vec![[0; 2]; MAX_SYSCALL],
            per_event_monitor: vec![[0; 2]; EVENTS],
            ..Kstats::default()
        };
        for c in 0..cpus {
            let row = c * row_bytes;
            k.current_pid.push(u64_at(&rows, row + at!(Row, current_pid)) as u32);
            k.utlb_misses += u64_at(&rows, row + at!(Row, utlb_misses));
            for i in 0..MAX_SYSCALL as u32 {
                let s = &mut k.per_syscall[i as usize];
                s.0 += u64_at(&rows, row + at!(Row, syscalls) + i * U64);
                s.1 += u64_at(&rows, row + at!(Row, syscall_cycles) + i * U64);
                let m = &mut k.per_syscall_monitor[i as usize];
                m[0] += u64_at(&rows, row + at!(Row, syscall_tlb_cycles) + i * U64);
                m[1] += u64_at(&rows, row + at!(Row, syscall_monitor_cycles) + i * U64);
            }
            for i in 0..EVENTS as u32 {
                let e = &mut k.per_event[i as usize];
                e.0 += u64_at(&rows, row + at!(Row, events) + i * U64);
                e.1 += u64_at(&rows, row + at!(Row, event_cycles) + i * U64);
                let m = &mut k.per_event_monitor[i as usize];
                m[0] += u64_at(&rows, row + at!(Row, event_tlb_cycles) + i * U64);
                m[1] += u64_at(&rows, row + at!(Row, event_monitor_cycles) + i * U64);
            }
        }
        k.syscalls = k.per_syscall.iter().map(|s| s.0).sum();
        Some(k)
    }

    /// The kernel services with their counts and cycles, busiest first: every system call
    /// made, and the timed events (demand-zero and copy-on-write faults, slow TLB faults,
    /// device interrupts). Names as in docs/guest-os.md.
    pub fn services(&self) -> Vec<Service> {
        let split = |v: &[[u64; 2]], i: usize| v.get(i).copied().unwrap_or_default();
        let calls = self.per_syscall.iter().enumerate().filter_map(|(nr, &(count, cycles))| {
            let name = SYSCALL_NAMES.get(nr).copied().filter(|n| !n.is_empty())?;
            let [tlb_cycles, monitor_cycles] = split(&self.per_syscall_monitor, nr);
            (count > 0).then_some(Service { name, count, cycles, tlb_cycles, monitor_cycles })
        });
        let events = self.per_event.iter().enumerate().filter_map(|(i, &(count, cycles))| {
            let name = EVENT_NAMES.get(i).copied()?;
            let [tlb_cycles, monitor_cycles] = split(&self.per_event_monitor, i);
            (count > 0 && cycles > 0).then_some(Service {
                name,
                count,
                cycles,
                tlb_cycles,
                monitor_cycles,
            })
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
    /// Of `cycles`, the monitor's on TLB faults the kernel took in it (the paper's "kernel
    /// TLB faults"; 0 natively).
    pub tlb_cycles: u64,
    /// Of `cycles`, the monitor's other work in it: trap reflection, emulation of privileged
    /// instructions, monitor calls (the paper's "other Disco"; 0 natively). What remains is
    /// the kernel's own execution.
    pub monitor_cycles: u64,
}

/// System-call names by number, `""` for a number that is no call: abi's `Syscall` names
/// (docs/guest-os.md; a test keeps the two equal).
pub const SYSCALL_NAMES: [&str; MAX_SYSCALL] = {
    let mut names = [""; MAX_SYSCALL];
    let mut i = 0;
    while i < Syscall::ALL.len() {
        names[Syscall::ALL[i] as usize] = Syscall::ALL[i].name();
        i += 1;
    }
    names
};

/// Kernel event names by index: abi's `Event` names.
pub const EVENT_NAMES: [&str; EVENTS] = {
    let mut names = [""; EVENTS];
    let mut i = 0;
    while i < EVENTS {
        names[Event::ALL[i] as usize] = Event::ALL[i].name();
        i += 1;
    }
    names
};

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

    #[test]
    fn names_are_abis() {
        for (nr, name) in SYSCALL_NAMES.iter().enumerate() {
            assert_eq!(*name, Syscall::name_of(nr).unwrap_or(""), "system call {nr}");
        }
        for e in Event::ALL {
            assert_eq!(EVENT_NAMES[e as usize], e.name());
        }
        // The protocol's name for the service that sums others is the kernel's event's.
        assert_eq!(EVENT_NAMES[Event::SlowFault as usize], crate::frame::SLOW_FAULT);
    }

    #[test]
    fn reads_a_block_laid_out_as_abi_says() {
        let header = Header {
            magic: MAGIC,
            cpus: 2,
            row_bytes: size_of::<Row>() as u32,
            page_uses: 0x5000,
            pages: 7,
        };
        let mut rows = [Row::ZERO; 2];
        rows[0].syscalls[Syscall::Write as usize] = 3;
        rows[1].syscalls[Syscall::Write as usize] = 4;
        rows[1].syscall_cycles[Syscall::Write as usize] = 90;
        rows[0].events[Event::DemandZero as usize] = 2;
        rows[0].event_cycles[Event::DemandZero as usize] = 500;
        rows[1].current_pid = 9;
        rows[0].utlb_misses = 11;
        rows[1].utlb_misses = 1;
        let mut block = Vec::new();
        // SAFETY: both types are `repr(C)` plain integers, without padding (abi asserts their
        // sizes), so their bytes are their fields in memory order.
        unsafe {
            let h = &header as *const Header as *const u8;
            block.extend_from_slice(std::slice::from_raw_parts(h, size_of::<Header>()));
            let r = rows.as_ptr() as *const u8;
            block.extend_from_slice(std::slice::from_raw_parts(r, 2 * size_of::<Row>()));
        }
        let base = 0x1000;
        let k = Kstats::read(base, |pa, n| {
            let o = (pa - base) as usize;
            block.get(o..o + n as usize).map(<[u8]>::to_vec)
        })
        .expect("a valid block");
        assert_eq!(k.current_pid, vec![0, 9]);
        assert_eq!(k.syscalls, 7);
        assert_eq!(k.per_syscall[Syscall::Write as usize], (7, 90));
        assert_eq!(k.per_event[Event::DemandZero as usize], (2, 500));
        assert_eq!((k.utlb_misses, k.page_uses, k.pages), (12, 0x5000, 7));
    }
}
