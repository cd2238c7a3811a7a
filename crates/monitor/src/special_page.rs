//! The special page (paper §4.1): one machine page per virtual CPU, mapped into the guest at
//! [`GUEST_VA`], holding virtual privileged registers the guest reads and writes with plain
//! loads and stores (the layout is `abi::special`; docs/monitor-abi.md the prose). The monitor
//! keeps the registers here as their only copy and reads them whenever it needs them.

use machine::Machine;

use crate::ids::Mppn;
use off::{MON_OTHER, MON_OTHER_AT, MON_TLB, MON_TLB_AT};

pub use abi::special::GUEST_VA;

/// Register offsets in the page (`abi::special`).
pub mod off {
    pub use abi::special::{
        BADVADDR, CAUSE, COMPARE, CONTEXT, COUNT, CPU, EBASE, ENTRYHI, ENTRYLO0, ENTRYLO1, EPC,
        ERROREPC, MON_OTHER, MON_OTHER_AT, MON_RETURN, MON_TLB, MON_TLB_AT, PENDING, RETURN_ARM,
        STATUS,
    };
}

/// A virtual CPU's special page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpecialPage(pub Mppn);

impl SpecialPage {
    /// Reads a register.
    pub fn get(self, m: &Machine, offset: u32) -> u32 {
        m.sys.mem.ram.read(self.0.pa() + offset, 4)
    }

    /// Writes a register (the guest sees it at its next load; cached copies are dropped so the
    /// timing model stays coherent with the change).
    pub fn set(self, m: &mut Machine, offset: u32, v: u32) {
        m.sys.mem.dma_write(self.0.pa() + offset, &v.to_le_bytes());
    }

    /// Adds `cycles` to a statistics word (`MON_TLB`, `MON_OTHER`), wrapping. Stored into
    /// memory only, the caches' timing untouched: the words are the monitor's account of its
    /// own time for the guest to read, and keeping them must not change the time they count.
    pub fn add_stat(self, m: &mut Machine, offset: u32, cycles: u64) {
        let pa = self.0.pa() + offset;
        let v = m.sys.mem.ram.read(pa, 4).wrapping_add(cycles as u32);
        m.sys.mem.ram.write(pa, 4, v);
    }

    /// Takes the guest's `RETURN_ARM` (clearing it), as quietly as [`SpecialPage::add_stat`].
    pub fn take_return_arm(self, m: &mut Machine) -> bool {
        let pa = self.0.pa() + off::RETURN_ARM;
        let armed = m.sys.mem.ram.read(pa, 4) != 0;
        if armed {
            m.sys.mem.ram.write(pa, 4, 0);
        }
        armed
    }

    /// Copies the statistics words as an exception is delivered (`MON_TLB_AT`,
    /// `MON_OTHER_AT`), as quietly as [`SpecialPage::add_stat`].
    pub fn snapshot_stats(self, m: &mut Machine) {
        let pa = self.0.pa();
        let tlb = m.sys.mem.ram.read(pa + MON_TLB, 4);
        let other = m.sys.mem.ram.read(pa + MON_OTHER, 4);
        m.sys.mem.ram.write(pa + MON_TLB_AT, 4, tlb);
        m.sys.mem.ram.write(pa + MON_OTHER_AT, 4, other);
    }
}
