//! The MIPS32 virtual-address segments the guests and the monitor rely on.

/// kseg0: unmapped, cached; physical address `p` is at `KSEG0 + p`.
pub const KSEG0: u32 = 0x8000_0000;
/// kseg1: unmapped, uncached; where bare-metal guests reach device registers.
pub const KSEG1: u32 = 0xA000_0000;
/// The supervisor segment (sseg / kseg2): mapped. On the monitor the guest kernel is linked
/// here, and `SSEG + p` is guest-physical address `p` (the monitor's direct map, standing in
/// for kseg0, which a guest in supervisor mode cannot use — paper §4.3.1).
pub const SSEG: u32 = 0xC000_0000;
/// kseg3: mapped, kernel only; the end of the supervisor segment.
pub const KSEG3: u32 = 0xE000_0000;
/// dux's mapped kernel segment (IRIX's K2): kernel virtual memory its own page tables live in,
/// mapped by the kernel's own TLB entries and refilled by its own handler. It lies above any
/// direct map (machine and VM memory stay within 448 MB, so `SSEG + p` ends below it) and
/// below the Disco HAL's per-CPU area and special page at the top of the supervisor segment.
pub const K2_BASE: u32 = 0xDC00_0000;
/// Bytes of the mapped kernel segment: 1024 TLB entry pairs, one 4 KB page each.
pub const K2_BYTES: u32 = 8 << 20;
/// Bytes of a page (the monitor maps only 4 KB pages, paper §4.2.2).
pub const PAGE_BYTES: u32 = 4096;
/// log2 of [`PAGE_BYTES`].
pub const PAGE_SHIFT: u32 = 12;
