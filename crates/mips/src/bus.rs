//! The CPU's view of the machine: a [`Bus`] that serves physical addresses.
//!
//! The CPU translates virtual addresses itself (segments and TLB) and hands the bus physical
//! addresses. The bus decides what an address is (memory, a device), what it costs (caches,
//! NUMA latency) and who else must hear of it (other CPUs' LL links). Every method takes the
//! CPU's cycle `clock`, to which the bus adds the stall cycles of the access; a purely functional
//! bus leaves it alone. The trait is generic, not `dyn`: each machine gets a CPU loop
//! specialised for it, with no dynamic dispatch per access.

/// Width of a data access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// One byte.
    Byte = 1,
    /// Two bytes, naturally aligned.
    Half = 2,
    /// Four bytes, naturally aligned.
    Word = 4,
}

/// Why a bus access did not simply complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusFault {
    /// Nothing answers at this address: the CPU raises a bus error (IBE for a fetch, DBE for
    /// data).
    Error,
    /// The access completed, but the machine needs the CPU to stop running now (for example the
    /// power register was written). The instruction retires; `Cpu::run` returns.
    Stop,
}

/// A physical address space as one CPU sees it.
pub trait Bus {
    /// True if the bus wants [`Bus::ifetch_line`] calls (a timing model with an instruction
    /// cache); false lets the CPU skip the bookkeeping entirely.
    const TRACKS_IFETCH: bool = false;

    /// Reads the aligned instruction word at `pa`. Called when an instruction is decoded; the
    /// CPU keeps decoded instructions and does not call this again until the page changes.
    fn fetch(&mut self, pa: u32, clock: &mut u64) -> Result<u32, BusFault>;

    /// Called with the physical address of each instruction cache line the CPU starts fetching
    /// from (only if [`Bus::TRACKS_IFETCH`]), so a timing model can charge instruction misses.
    fn ifetch_line(&mut self, pa: u32, clock: &mut u64) {
        let _ = (pa, clock);
    }

    /// Reads `size` bytes at `pa` (naturally aligned), zero-extended. `cached` is false for
    /// uncached accesses (kseg1, or a TLB entry with an uncached attribute).
    fn read(&mut self, pa: u32, size: Size, cached: bool, clock: &mut u64)
    -> Result<u32, BusFault>;

    /// Writes the low `size` bytes of `value` at `pa` (naturally aligned).
    fn write(
        &mut self,
        pa: u32,
        size: Size,
        value: u32,
        cached: bool,
        clock: &mut u64,
    ) -> Result<(), BusFault>;

    /// Load-linked: remember `pa` as this CPU's link. A later write to its line by another
    /// agent (CPU or DMA) must break the link.
    fn link(&mut self, pa: u32);

    /// Store-conditional: true (and forget the link) if this CPU's link to `pa`'s line is
    /// intact; the CPU then performs the store.
    fn check_link(&mut self, pa: u32) -> bool;

    /// Breaks this CPU's link (ERET does this).
    fn unlink(&mut self);

    /// The write generation of physical page `ppn`, and from now on count writes to it.
    /// Decoded instructions of a page are reused only while its generation is unchanged, so
    /// every write to a page that has been asked about (by any agent: CPU or DMA) must change
    /// the generation that the next call returns.
    fn code_generation(&mut self, ppn: u32) -> u32;
}
