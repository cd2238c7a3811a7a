//! Coprocessor 0: the privileged registers, their bit fields and their write masks.
//!
//! Count is not stored: it is derived from the CPU's cycle counter (it advances once every
//! two cycles, as on the R4000 and most MIPS32 cores), so reading it costs nothing per cycle.
//! Random is derived the same way, from the instruction count.

/// Status register bits.
pub mod status {
    /// Coprocessor 0 usable in user and supervisor mode.
    pub const CU0: u32 = 1 << 28;
    /// Bootstrap exception vectors.
    pub const BEV: u32 = 1 << 22;
    /// Interrupt mask IM7..IM0.
    pub const IM: u32 = 0xFF << 8;
    /// Mode field: 00 kernel, 01 supervisor, 10 user.
    pub const KSU: u32 = 3 << 3;
    /// Error level.
    pub const ERL: u32 = 1 << 2;
    /// Exception level.
    pub const EXL: u32 = 1 << 1;
    /// Interrupt enable.
    pub const IE: u32 = 1;
    /// Bits software can write (CU1-3 stay 0: there are no such coprocessors).
    pub const WRITABLE: u32 = CU0 | BEV | IM | KSU | ERL | EXL | IE;
}

/// Cause register bits.
pub mod cause {
    /// Branch delay.
    pub const BD: u32 = 1 << 31;
    /// Timer interrupt pending.
    pub const TI: u32 = 1 << 30;
    /// Coprocessor number of a CpU exception.
    pub const CE_SHIFT: u32 = 28;
    /// Interrupts use the special vector (offset 0x200).
    pub const IV: u32 = 1 << 23;
    /// Pending interrupts IP7..IP0.
    pub const IP: u32 = 0xFF << 8;
    /// The timer's line, IP7.
    pub const IP_TIMER: u32 = 1 << 15;
    /// Software interrupt lines IP1..IP0, the only IP bits software writes.
    pub const IP_SW: u32 = 3 << 8;
    /// Exception code field.
    pub const EXC_SHIFT: u32 = 2;
    /// Bits MTC0 can write.
    pub const WRITABLE: u32 = IV | IP_SW;
}

/// CP0 register numbers as `reg * 8 + sel`, the way decoded MFC0/MTC0 carry them.
pub mod reg {
    /// Index.
    pub const INDEX: u32 = 0;
    /// Random.
    pub const RANDOM: u32 = 8;
    /// EntryLo0.
    pub const ENTRY_LO0: u32 = 2 * 8;
    /// EntryLo1.
    pub const ENTRY_LO1: u32 = 3 * 8;
    /// Context.
    pub const CONTEXT: u32 = 4 * 8;
    /// UserLocal (Context, select 2), read by RDHWR $29.
    pub const USER_LOCAL: u32 = 4 * 8 + 2;
    /// PageMask.
    pub const PAGE_MASK: u32 = 5 * 8;
    /// Wired.
    pub const WIRED: u32 = 6 * 8;
    /// HWREna.
    pub const HWRENA: u32 = 7 * 8;
    /// BadVAddr.
    pub const BAD_VADDR: u32 = 8 * 8;
    /// Count.
    pub const COUNT: u32 = 9 * 8;
    /// EntryHi.
    pub const ENTRY_HI: u32 = 10 * 8;
    /// Compare.
    pub const COMPARE: u32 = 11 * 8;
    /// Status.
    pub const STATUS: u32 = 12 * 8;
    /// IntCtl.
    pub const INTCTL: u32 = 12 * 8 + 1;
    /// SRSCtl.
    pub const SRSCTL: u32 = 12 * 8 + 2;
    /// Cause.
    pub const CAUSE: u32 = 13 * 8;
    /// EPC.
    pub const EPC: u32 = 14 * 8;
    /// PRId.
    pub const PRID: u32 = 15 * 8;
    /// EBase.
    pub const EBASE: u32 = 15 * 8 + 1;
    /// Config.
    pub const CONFIG: u32 = 16 * 8;
    /// Config1.
    pub const CONFIG1: u32 = 16 * 8 + 1;
    /// Config2.
    pub const CONFIG2: u32 = 16 * 8 + 2;
    /// Config3.
    pub const CONFIG3: u32 = 16 * 8 + 3;
    /// LLAddr.
    pub const LLADDR: u32 = 17 * 8;
    /// ErrorEPC.
    pub const ERROR_EPC: u32 = 30 * 8;
}

/// Processor identification: company 1 (MIPS Technologies), processor 0x93 (a 24K-class
/// MIPS32r2 core), revision 0.
pub const PRID: u32 = 0x0001_9300;

/// Bits of EntryHi that exist: VPN2 and ASID.
pub const ENTRY_HI_MASK: u32 = 0xFFFF_E0FF;
/// Bits of EntryLo that exist: PFN (20 bits), C, D, V, G.
pub const ENTRY_LO_MASK: u32 = 0x03FF_FFFF;
/// Bits of PageMask that exist (4 KB .. 256 MB pages).
pub const PAGE_MASK_MASK: u32 = 0x1FFF_E000;

/// The CP0 register file (those that hold state; Count and Random are derived).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Cp0 {
    /// Index.
    pub index: u32,
    /// EntryLo0.
    pub entry_lo0: u32,
    /// EntryLo1.
    pub entry_lo1: u32,
    /// Context.
    pub context: u32,
    /// UserLocal.
    pub user_local: u32,
    /// PageMask.
    pub page_mask: u32,
    /// Wired.
    pub wired: u32,
    /// HWREna.
    pub hwrena: u32,
    /// BadVAddr.
    pub bad_vaddr: u32,
    /// Count = (cycles / 2) + count_offset.
    pub count_offset: u32,
    /// EntryHi.
    pub entry_hi: u32,
    /// Compare.
    pub compare: u32,
    /// Status.
    pub status: u32,
    /// Cause (the timer's TI/IP7 bits are kept up to date by the CPU).
    pub cause: u32,
    /// EPC.
    pub epc: u32,
    /// EBase (exception base and CPU number).
    pub ebase: u32,
    /// LLAddr (physical address of the last LL, shifted right by 4 as MIPS32 says).
    pub lladdr: u32,
    /// ErrorEPC.
    pub error_epc: u32,
    /// Config1 (TLB size and cache geometry).
    pub config1: u32,
}

impl Cp0 {
    /// Reset state for CPU `cpu_num` with a TLB of `tlb_entries` pairs: BEV and ERL set,
    /// kernel mode, interrupts off.
    pub fn reset(cpu_num: u32, tlb_entries: u32) -> Cp0 {
        Cp0 {
            index: 0,
            entry_lo0: 0,
            entry_lo1: 0,
            context: 0,
            user_local: 0,
            page_mask: 0,
            wired: 0,
            hwrena: 0,
            bad_vaddr: 0,
            count_offset: 0,
            entry_hi: 0,
            compare: 0,
            status: status::BEV | status::ERL,
            cause: 0,
            epc: 0,
            ebase: 0x8000_0000 | (cpu_num & 0x3FF),
            lladdr: 0,
            error_epc: 0,
            // M (Config2 follows), MMU size - 1, 32 KB 4-way 32-byte-line L1 I and D.
            config1: 1 << 31
                | (tlb_entries.clamp(1, 64) - 1) << 25
                | 2 << 22
                | 4 << 19
                | 3 << 16
                | 2 << 13
                | 4 << 10
                | 3 << 7,
        }
    }

    /// Describes the cache in Config1's first-level fields (the machine models one cache per
    /// CPU): `sets` per way (64..=8192), `line` bytes (4..=128), `assoc` ways (1..=8); values
    /// outside what the fields can say are clamped.
    pub fn set_cache_geometry(&mut self, sets: u32, line: u32, assoc: u32) {
        let s = sets.clamp(64, 8192).trailing_zeros() - 6;
        let l = line.clamp(4, 128).trailing_zeros() - 1;
        let a = assoc.clamp(1, 8) - 1;
        let field = s << 6 | l << 3 | a;
        // IS/IL/IA at 24..16 and DS/DL/DA at 15..7.
        self.config1 = (self.config1 & !(0x1FF << 16 | 0x1FF << 7)) | field << 16 | field << 7;
    }

    /// Config: M (Config1 follows), little-endian, MIPS32 release 2, standard TLB, kseg0
    /// cacheable (K0 = 3).
    pub fn config(&self) -> u32 {
        1 << 31 | 1 << 10 | 1 << 7 | 3
    }

    /// The mode the CPU runs in, from Status.
    pub fn mode(&self) -> Mode {
        let s = self.status;
        if s & status::ERL != 0 {
            Mode::KernelErl
        } else if s & status::EXL != 0 {
            Mode::Kernel
        } else {
            match (s & status::KSU) >> 3 {
                0 => Mode::Kernel,
                1 => Mode::Supervisor,
                // KSU = 11 is reserved; MIPS32 says it behaves as user mode.
                _ => Mode::User,
            }
        }
    }

    /// The current ASID (EntryHi bits 7..0).
    pub fn asid(&self) -> u8 {
        self.entry_hi as u8
    }

    /// True if interrupts are enabled and not held off by EXL/ERL.
    pub fn interrupts_enabled(&self) -> bool {
        self.status & (status::IE | status::EXL | status::ERL) == status::IE
    }

    /// Pending and unmasked interrupt lines.
    pub fn pending_interrupts(&self) -> u32 {
        self.cause & self.status & cause::IP
    }
}

/// Privilege mode, with kernel-with-ERL separate because it changes how kuseg translates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[repr(u8)]
pub enum Mode {
    /// Kernel mode (KSU = 0, or EXL = 1).
    Kernel = 0,
    /// Supervisor mode.
    Supervisor = 1,
    /// User mode.
    User = 2,
    /// Kernel mode with ERL = 1: kuseg is unmapped and uncached.
    KernelErl = 3,
}

impl Mode {
    /// True in kernel mode (with or without ERL).
    pub fn is_kernel(self) -> bool {
        matches!(self, Mode::Kernel | Mode::KernelErl)
    }

    /// Human-readable name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Kernel | Mode::KernelErl => "kernel",
            Mode::Supervisor => "supervisor",
            Mode::User => "user",
        }
    }
}
