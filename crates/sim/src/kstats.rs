//! The guest kernel's statistics block (`KSTATS`, see guests/kernel/src/stats.rs), read from the
//! guest's memory: per-CPU system-call counts, the process each CPU runs, TLB refills, and the
//! address of the kernel's page-use table (what every physical page is used for).

use object::{Object, ObjectSymbol};

/// `"KSTATS01"` as the kernel stores it (little-endian u64).
const MAGIC: u64 = u64::from_le_bytes(*b"KSTATS01");
/// Bytes before the first per-CPU row.
const HEADER: u32 = 24;
/// Offsets in a row (u64 fields): syscalls[40], syscall_cycles[40], events[11],
/// event_cycles[11], current_pid, utlb_misses.
const ROW_SYSCALLS: u32 = 0;
const SYSCALLS: u32 = 40;
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
        let mut k =
            Kstats { page_uses: u32_at(&head, 16), pages: u32_at(&head, 20), ..Kstats::default() };
        for c in 0..cpus {
            let row = c * row_bytes;
            k.current_pid.push(u64_at(&rows, row + ROW_PID) as u32);
            k.utlb_misses += u64_at(&rows, row + ROW_UTLB);
            k.syscalls +=
                (0..SYSCALLS).map(|i| u64_at(&rows, row + ROW_SYSCALLS + i * 8)).sum::<u64>();
        }
        Some(k)
    }
}
