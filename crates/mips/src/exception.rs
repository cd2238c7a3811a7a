//! Exceptions: their codes (Cause.ExcCode) and the record the CPU gives its owner.

use std::fmt;

/// Cause.ExcCode values (MIPS32 Vol. III, table 9.31).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[repr(u8)]
pub enum ExcCode {
    /// Interrupt.
    Int = 0,
    /// TLB modification: store to a page whose entry has D = 0.
    Mod = 1,
    /// TLB miss or invalid entry on a load or fetch.
    TlbL = 2,
    /// TLB miss or invalid entry on a store.
    TlbS = 3,
    /// Address error on a load or fetch (misaligned, or a segment this mode may not use).
    AdEL = 4,
    /// Address error on a store.
    AdES = 5,
    /// Bus error on an instruction fetch.
    Ibe = 6,
    /// Bus error on a data access.
    Dbe = 7,
    /// SYSCALL.
    Sys = 8,
    /// BREAK.
    Bp = 9,
    /// Reserved instruction.
    Ri = 10,
    /// Coprocessor unusable (privileged instruction outside kernel mode, or no such
    /// coprocessor).
    CpU = 11,
    /// Integer overflow (ADD, ADDI, SUB).
    Ov = 12,
    /// Trap instruction condition true.
    Tr = 13,
}

impl ExcCode {
    /// The conventional short name (as in the MIPS manuals).
    pub fn name(self) -> &'static str {
        match self {
            ExcCode::Int => "Int",
            ExcCode::Mod => "Mod",
            ExcCode::TlbL => "TLBL",
            ExcCode::TlbS => "TLBS",
            ExcCode::AdEL => "AdEL",
            ExcCode::AdES => "AdES",
            ExcCode::Ibe => "IBE",
            ExcCode::Dbe => "DBE",
            ExcCode::Sys => "Sys",
            ExcCode::Bp => "Bp",
            ExcCode::Ri => "RI",
            ExcCode::CpU => "CpU",
            ExcCode::Ov => "Ov",
            ExcCode::Tr => "Tr",
        }
    }
}

impl fmt::Display for ExcCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What went wrong inside one instruction, before the CPU decides how to deliver it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Fault {
    /// The exception code.
    pub code: ExcCode,
    /// The faulting virtual address (address errors and TLB exceptions), else 0.
    pub vaddr: u32,
    /// True for a TLB miss (no matching entry): with EXL = 0 it uses the refill vector.
    pub refill: bool,
    /// The coprocessor number of a CpU exception (Cause.CE).
    pub ce: u8,
}

impl Fault {
    /// A fault with no address.
    pub fn new(code: ExcCode) -> Fault {
        Fault { code, vaddr: 0, refill: false, ce: 0 }
    }

    /// An address or TLB fault at `vaddr`.
    pub fn at(code: ExcCode, vaddr: u32) -> Fault {
        Fault { code, vaddr, refill: false, ce: 0 }
    }

    /// True if this fault sets BadVAddr.
    pub fn has_vaddr(&self) -> bool {
        matches!(
            self.code,
            ExcCode::AdEL | ExcCode::AdES | ExcCode::TlbL | ExcCode::TlbS | ExcCode::Mod
        )
    }

    /// True for the TLB exceptions, which also load EntryHi.VPN2 and Context.BadVPN2.
    pub fn is_tlb(&self) -> bool {
        matches!(self.code, ExcCode::TlbL | ExcCode::TlbS | ExcCode::Mod)
    }

    /// True for a TLB miss on a user (kuseg) address: what a kernel's user TLB refill handler
    /// serves (the paper's UTLB_MISS; timed by the CPU natively and by a monitor above it).
    pub fn is_user_refill(&self) -> bool {
        self.refill && self.is_tlb() && self.vaddr < 0x8000_0000
    }
}

/// An exception as the CPU reports it to its owner (see `Cpu::set_report_mask`), before — or
/// instead of — vectoring to the exception handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Exception {
    /// What happened.
    pub fault: Fault,
    /// The restart address: the faulting instruction, or the branch before it if it sits in a
    /// delay slot (what EPC would receive).
    pub epc: u32,
    /// True if the faulting instruction is in a branch delay slot (Cause.BD).
    pub bd: bool,
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at pc {:#010x}", self.fault.code, self.epc)?;
        if self.bd {
            f.write_str(" (delay slot)")?;
        }
        if self.fault.has_vaddr() {
            write!(f, ", address {:#010x}", self.fault.vaddr)?;
        }
        Ok(())
    }
}
