//! The boot ROM at physical 0x1FC0_0000 (kseg1 0xBFC0_0000): the reset vector and the
//! exception vectors used while Status.BEV is set. The machine boots images straight into
//! memory, so the ROM has one job: a guest that takes an exception with BEV set (or jumps to
//! the reset vector) must not loop forever on bus errors. Every vector holds a stub that powers
//! the machine off with exit code [`BEV_EXIT`].

use abi::address_map::{POWER, power};
use abi::segments::KSEG1;
use mips::asm::{K0, K1, ZERO, addiu, b, lui, nop, ori, sw};

/// Physical base of the ROM.
pub const ROM_BASE: u32 = 0x1FC0_0000;
/// Bytes of ROM.
pub const ROM_BYTES: u32 = 0x1000;
/// Exit code of a machine stopped by the ROM.
pub const BEV_EXIT: u32 = 0xBE;

/// The power register, through kseg1 (uncached, as the stub runs before anything is set up).
const POWER_HALT: u32 = KSEG1 + POWER + power::HALT;

/// The stub: store BEV_EXIT to the power register, then spin.
const STUB: [u32; 6] = [
    lui(K0, (POWER_HALT >> 16) as u16),
    ori(K0, K0, POWER_HALT as u16),
    addiu(K1, ZERO, BEV_EXIT as i16),
    sw(K1, 0, K0),
    b(-1),
    nop(),
];

/// The ROM word at physical address `pa`, if `pa` is in the ROM.
pub fn word(pa: u32) -> Option<u32> {
    let off = pa.checked_sub(ROM_BASE).filter(|&o| o < ROM_BYTES)?;
    // Vectors: reset 0x000, refill 0x200, general 0x380, interrupt (IV) 0x400.
    let stub_at =
        [0x000, 0x200, 0x380, 0x400].into_iter().find(|&v| (v..v + 24).contains(&(off & !3)))?;
    Some(STUB[((off & !3) - stub_at) as usize / 4])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_hold_the_stub() {
        assert_eq!(word(ROM_BASE + 0x380), Some(STUB[0]));
        assert_eq!(word(ROM_BASE + 0x394), Some(STUB[5]));
        assert_eq!(word(ROM_BASE + 0x398), None);
        assert_eq!(word(ROM_BASE - 4), None);
    }
}
