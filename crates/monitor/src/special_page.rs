//! The special page: one machine page per virtual CPU, mapped into the guest at
//! [`GUEST_VA`], holding virtual privileged registers the guest reads and writes with plain
//! loads and stores (docs/monitor-abi.md has the layout). The monitor keeps the registers here
//! as their only copy and reads them whenever it needs them.

use machine::Machine;

/// Where the guest sees its special page.
pub const GUEST_VA: u32 = 0xDFFF_F000;

/// Register offsets in the page.
#[allow(missing_docs)]
pub mod off {
    pub const STATUS: u32 = 0x00;
    pub const CAUSE: u32 = 0x04;
    pub const EPC: u32 = 0x08;
    pub const BADVADDR: u32 = 0x0C;
    pub const ENTRYHI: u32 = 0x10;
    pub const CONTEXT: u32 = 0x14;
    pub const COUNT: u32 = 0x18;
    pub const COMPARE: u32 = 0x1C;
    pub const CPU: u32 = 0x20;
    pub const EBASE: u32 = 0x24;
    pub const ENTRYLO0: u32 = 0x28;
    pub const ENTRYLO1: u32 = 0x2C;
    pub const PENDING: u32 = 0x30;
    pub const ERROREPC: u32 = 0x34;
}

/// A virtual CPU's special page (its machine physical address).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpecialPage(pub u32);

impl SpecialPage {
    /// Reads a register.
    pub fn get(self, m: &Machine, offset: u32) -> u32 {
        m.sys.mem.ram.read(self.0 + offset, 4)
    }

    /// Writes a register (the guest sees it at its next load; cached copies are dropped so the
    /// timing model stays coherent with the change).
    pub fn set(self, m: &mut Machine, offset: u32, v: u32) {
        m.sys.mem.dma_write(self.0 + offset, &v.to_le_bytes());
    }
}
