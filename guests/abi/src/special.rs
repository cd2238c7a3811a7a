//! The special page (docs/monitor-abi.md, paper §4.1): one page per virtual CPU, mapped by the
//! monitor at [`GUEST_VA`], holding virtual privileged registers the guest reads and writes
//! with plain loads and stores instead of trapping MFC0/MTC0. The monitor keeps the registers
//! here as their only copy.

/// Where every guest sees its VCPU's special page: the last page of the supervisor segment.
pub const GUEST_VA: u32 = 0xDFFF_F000;
/// [`GUEST_VA`] relative to the end of the supervisor segment (0xE000_0000): lets guest
/// assembly reach a register with `lui r, 0xE000` and one load or store of
/// `FROM_TOP + offset`.
pub const FROM_TOP: i32 = GUEST_VA.wrapping_sub(crate::segments::KSEG3) as i32;

/// Status: read/write.
pub const STATUS: u32 = 0x00;
/// Cause: read; writes change only IP0/IP1.
pub const CAUSE: u32 = 0x04;
/// EPC: read/write.
pub const EPC: u32 = 0x08;
/// BadVAddr: read.
pub const BADVADDR: u32 = 0x0C;
/// EntryHi: read/write (its ASID is the one the physical CPU uses).
pub const ENTRYHI: u32 = 0x10;
/// Context: read/write.
pub const CONTEXT: u32 = 0x14;
/// Count: read; the virtual CPU's Count when the monitor last delivered an exception or
/// interrupt to it, or began its quantum (the guest reads the live Count with `rdhwr $2`).
pub const COUNT: u32 = 0x18;
/// Compare: read/write (writing acknowledges the timer interrupt).
pub const COMPARE: u32 = 0x1C;
/// The VCPU's index: read.
pub const CPU: u32 = 0x20;
/// EBase: read/write.
pub const EBASE: u32 = 0x24;
/// EntryLo0: read/write (used by the next TLBWI/TLBWR).
pub const ENTRYLO0: u32 = 0x28;
/// EntryLo1: read/write.
pub const ENTRYLO1: u32 = 0x2C;
/// Pending device sources (bit 8 + k: virtual disk k, bit 0 console): read.
pub const PENDING: u32 = 0x30;
/// ErrorEPC: read/write.
pub const ERROREPC: u32 = 0x34;
/// Monitor cycles spent on TLB faults the guest kernel took (in supervisor mode) while this
/// virtual CPU ran, a running total (wrapping u32): read. With [`MON_OTHER`], the paper's
/// Table 2 breakdown of a service's time under Disco into "kernel TLB faults", "other Disco"
/// and kernel execution. The monitor stores these four words without disturbing the caches'
/// timing (they are statistics, not registers).
pub const MON_TLB: u32 = 0x38;
/// Every other monitor cycle charged while this virtual CPU ran (trap reflection, emulation,
/// monitor calls, ...), a running total: read.
pub const MON_OTHER: u32 = 0x3C;
/// [`MON_TLB`] as the monitor last delivered an exception or interrupt (set with [`COUNT`],
/// before the trap's own cost is charged): read.
pub const MON_TLB_AT: u32 = 0x40;
/// [`MON_OTHER`] as the monitor last delivered an exception or interrupt: read.
pub const MON_OTHER_AT: u32 = 0x44;
/// Of [`MON_OTHER`], the cycles of the emulated ERETs that returned the guest to user mode
/// while [`RETURN_ARM`] was set, a running total: read. A service ends when its return has
/// been emulated (under Disco the return from every exception traps, as in IRIX on Disco);
/// the kernel adds this to the service it just finished at its next entry.
pub const MON_RETURN: u32 = 0x48;
/// Write non-zero when a service has finished and its return to user mode comes next: the
/// monitor counts the next emulated ERET to user mode in [`MON_RETURN`] and clears this (the
/// refill handler's own ERETs, later, are not the service's).
pub const RETURN_ARM: u32 = 0x4C;

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_is_reachable_from_the_top_of_the_segment() {
        assert_eq!(super::FROM_TOP, -4096);
    }
}
