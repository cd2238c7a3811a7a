//! Device registers through kseg1, and the machine's address map (docs/machine.md).
//!
//! Devices live in the physical window 0x1F00_0000..0x1F02_0000. kseg1 (virtual
//! 0xA000_0000 + physical) reaches them unmapped and **uncached**, which device registers need;
//! a cached access to the device window is a bus error. RAM is reached through kseg0 (virtual
//! 0x8000_0000 + physical, cached).

use core::ptr::{read_volatile, write_volatile};

/// Base of kseg0: unmapped, cached.
pub const KSEG0: u32 = 0x8000_0000;
/// Base of kseg1: unmapped, uncached.
pub const KSEG1: u32 = 0xA000_0000;

/// Console (physical).
pub const CONSOLE: u32 = 0x1F00_0000;
/// Power register (physical).
pub const POWER: u32 = 0x1F00_1000;
/// Machine information (physical).
pub const INFO: u32 = 0x1F00_2000;
/// Interrupt controller (physical).
pub const INTC: u32 = 0x1F00_3000;
/// Network interface (physical).
pub const NET: u32 = 0x1F00_5000;
/// Disk unit 0 (physical); unit k is at `DISK0 + 0x1000 * k`.
pub const DISK0: u32 = 0x1F01_0000;

/// The kseg0 (cached) address of physical address `pa`.
pub const fn kseg0(pa: u32) -> u32 {
    KSEG0 + pa
}

/// The physical address of a kseg0 or kseg1 address.
pub const fn physical(va: u32) -> u32 {
    va & 0x1FFF_FFFF
}

/// The physical address of a reference into this program's memory (which is in kseg0).
pub fn physical_of<T: ?Sized>(p: *const T) -> u32 {
    physical(p as *const u8 as usize as u32)
}

/// Reads the device register at physical address `pa` (uncached, through kseg1).
#[inline]
pub fn read(pa: u32) -> u32 {
    // SAFETY: kseg1 is always mapped; a register that does not exist is a bus error the
    // machine reports, not undefined behaviour of this program.
    unsafe { read_volatile((KSEG1 | pa) as usize as *const u32) }
}

/// Writes the device register at physical address `pa` (uncached, through kseg1).
#[inline]
pub fn write(pa: u32, value: u32) {
    // SAFETY: as for `read`.
    unsafe { write_volatile((KSEG1 | pa) as usize as *mut u32, value) }
}
