//! Parameters from the host: [`WORDS`] words at physical [`BASE`] (in the page the linker
//! script leaves free below the image), zero unless the host wrote them into machine memory
//! before running. The machine tests use them to pick a program's mode. This is a convention
//! of this runtime, not of the machine.

use crate::mmio::kseg0;

/// Physical address of the first word.
pub const BASE: u32 = 0x1000;
/// Number of words.
pub const WORDS: u32 = 16;

/// Parameter word `i` (0 if `i` is out of range).
pub fn word(i: u32) -> u32 {
    if i >= WORDS {
        return 0;
    }
    // SAFETY: the words are RAM that nothing else in the image uses.
    unsafe { core::ptr::read_volatile(kseg0(BASE + 4 * i) as usize as *const u32) }
}
