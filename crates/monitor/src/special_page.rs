//! The special page (paper §4.1): one machine page per virtual CPU, mapped into the guest at
//! [`GUEST_VA`], holding virtual privileged registers the guest reads and writes with plain
//! loads and stores (the layout is `abi::special`; docs/monitor-abi.md the prose). The monitor
//! keeps the registers here as their only copy and reads them whenever it needs them.

use machine::Machine;

use crate::ids::Mppn;

pub use abi::special::GUEST_VA;

/// Register offsets in the page (`abi::special`).
pub mod off {
    pub use abi::special::{
        BADVADDR, CAUSE, COMPARE, CONTEXT, COUNT, CPU, EBASE, ENTRYHI, ENTRYLO0, ENTRYLO1, EPC,
        ERROREPC, PENDING, STATUS,
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
}
