//! Device registers through kseg1, and the machine's address map (docs/machine.md).
//!
//! Devices live in the physical window 0x1F00_0000..0x1F02_0000. kseg1 (virtual
//! 0xA000_0000 + physical) reaches them unmapped and **uncached**, which device registers need;
//! a cached access to the device window is a bus error. RAM is reached through kseg0 (virtual
//! 0x8000_0000 + physical, cached).

use core::ptr::{read_volatile, write_volatile};

// The segments and the devices' physical bases (disk unit k at `abi::address_map::disk(k)`):
// the `abi` crate's, which the machine implements.
pub use abi::address_map::{CONSOLE, DEVICE_BASE, DEVICE_END, DISK0, INFO, INTC, NET, POWER};
pub use abi::segments::{KSEG0, KSEG1};

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
