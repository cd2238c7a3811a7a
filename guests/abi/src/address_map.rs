//! The machine's physical address map and device registers (docs/machine.md is the prose).
//!
//! ```text
//! 0x0000_0000 .. memory_bytes     RAM, node 0 first, then node 1, ... (FLASH layout)
//! 0x1F00_0000                     console
//! 0x1F00_1000                     power (halt with exit code)
//! 0x1F00_2000                     machine information
//! 0x1F00_3000                     interrupt controller, inter-processor interrupts, CPU start
//! 0x1F00_5000                     network interface
//! 0x1F01_0000 + 0x1000 * k        disk unit k (k < 16)
//! ```
//! Devices are reached with uncached accesses (kseg1: virtual 0xBF00_0000 + offset). An access
//! to an address that is neither RAM nor a device register is a bus error.

/// Base of the device window.
pub const DEVICE_BASE: u32 = 0x1F00_0000;
/// End (exclusive) of the device window.
pub const DEVICE_END: u32 = 0x1F02_0000;
/// Console registers.
pub const CONSOLE: u32 = 0x1F00_0000;
/// Power register.
pub const POWER: u32 = 0x1F00_1000;
/// Machine-information registers.
pub const INFO: u32 = 0x1F00_2000;
/// Interrupt controller.
pub const INTC: u32 = 0x1F00_3000;
/// Network interface.
pub const NET: u32 = 0x1F00_5000;
/// Disk unit 0; unit k is at [`disk`]`(k)`.
pub const DISK0: u32 = 0x1F01_0000;
/// Bytes of register space per disk unit.
pub const DISK_STRIDE: u32 = 0x1000;
/// Disk units the address map has room for.
pub const MAX_DISKS: u32 = 16;

/// The registers of disk unit `k`.
#[inline]
pub const fn disk(k: u32) -> u32 {
    DISK0 + DISK_STRIDE * k
}

/// Console registers (offsets from [`CONSOLE`]).
pub mod console {
    /// w: the low byte is appended to the output.
    pub const TX: u32 = 0x00;
    /// r: the next input byte, or 0xFFFF_FFFF if none; reading consumes it.
    pub const RX: u32 = 0x04;
    /// r: bit 0 input available.
    pub const STATUS: u32 = 0x08;
    /// rw: bit 0 raises device source [`super::source::CONSOLE`] while input is available.
    pub const CTRL: u32 = 0x0C;
    /// rw: physical address of bytes for [`TX_DMA`].
    pub const TX_ADDR: u32 = 0x10;
    /// w: appends that many bytes (at most [`TX_DMA_MAX`]) from [`TX_ADDR`] to the output, read
    /// from memory by the device (DMA), as a serial port with a transmit ring takes a whole
    /// buffer in one request; reads 0.
    pub const TX_DMA: u32 = 0x14;
    /// Most bytes one [`TX_DMA`] request takes.
    pub const TX_DMA_MAX: u32 = 4096;
}

/// Power register (offset from [`POWER`]).
pub mod power {
    /// w: halts the machine with the value as exit code.
    pub const HALT: u32 = 0x00;
}

/// Machine-information registers (offsets from [`INFO`]).
pub mod info {
    /// The reading CPU's number.
    pub const CPU_ID: u32 = 0x00;
    /// CPUs in the machine.
    pub const CPU_COUNT: u32 = 0x04;
    /// RAM, all nodes.
    pub const MEMORY_BYTES: u32 = 0x08;
    /// The reading CPU's node.
    pub const NODE: u32 = 0x0C;
    /// Nodes.
    pub const NODE_COUNT: u32 = 0x10;
    /// RAM per node.
    pub const NODE_BYTES: u32 = 0x14;
    /// Clock in MHz.
    pub const CLOCK_MHZ: u32 = 0x18;
    /// The reading CPU's cycle counter, low word.
    pub const CYCLES_LO: u32 = 0x1C;
    /// High word.
    pub const CYCLES_HI: u32 = 0x20;
    /// Cache line size.
    pub const LINE_BYTES: u32 = 0x24;
    /// Disk units attached.
    pub const DISK_COUNT: u32 = 0x28;
    /// CPUs per node.
    pub const CPUS_PER_NODE: u32 = 0x2C;
    /// Each CPU's cache, bytes.
    pub const CACHE_BYTES: u32 = 0x30;
    /// Its ways.
    pub const CACHE_ASSOC: u32 = 0x34;
}

/// Interrupt-controller registers (offsets from [`INTC`]).
pub mod intc {
    /// w: raise an IPI on CPU `value`.
    pub const IPI_SEND: u32 = 0x00;
    /// w: clear the writing CPU's IPI.
    pub const IPI_ACK: u32 = 0x04;
    /// r: 1 if the reading CPU has an IPI pending.
    pub const IPI_PENDING: u32 = 0x08;
    /// r: pending device sources ([`super::source`]).
    pub const PENDING: u32 = 0x10;
    /// rw: sources allowed to raise IP2.
    pub const ENABLE: u32 = 0x14;
    /// rw: the CPU that receives IP2.
    pub const ROUTE: u32 = 0x18;
    /// rw: where a started CPU begins.
    pub const START_PC: u32 = 0x20;
    /// rw: its initial `$sp`.
    pub const START_SP: u32 = 0x24;
    /// w: start CPU `value`.
    pub const START: u32 = 0x28;
}

/// Disk registers (offsets from [`disk`]`(k)`).
pub mod disk {
    /// rw: first sector of the request.
    pub const SECTOR: u32 = 0x00;
    /// rw: physical memory address of the transfer.
    pub const ADDR: u32 = 0x04;
    /// rw: sectors to transfer.
    pub const COUNT: u32 = 0x08;
    /// rw: [`CMD_READ`] or [`CMD_WRITE`] starts the request.
    pub const COMMAND: u32 = 0x0C;
    /// r: [`BUSY`], [`DONE`], [`ERROR`].
    pub const STATUS: u32 = 0x10;
    /// w: clear done and error, drop the unit's interrupt source.
    pub const ACK: u32 = 0x14;
    /// r: size in sectors.
    pub const CAPACITY: u32 = 0x18;
    /// COMMAND: read the disk into memory.
    pub const CMD_READ: u32 = 1;
    /// COMMAND: write memory to the disk.
    pub const CMD_WRITE: u32 = 2;
    /// STATUS bit: a request is in progress.
    pub const BUSY: u32 = 1;
    /// STATUS bit: the request is done (interrupt pending).
    pub const DONE: u32 = 2;
    /// STATUS bit: it failed.
    pub const ERROR: u32 = 4;
    /// Bytes per sector.
    pub const SECTOR_BYTES: u32 = 512;
}

/// Network-interface registers (offsets from [`NET`]).
pub mod net {
    /// rw: physical address of the frame to send.
    pub const TX_ADDR: u32 = 0x00;
    /// rw: its length.
    pub const TX_LEN: u32 = 0x04;
    /// w: send now.
    pub const TX_GO: u32 = 0x08;
    /// rw: physical address of the receive buffer.
    pub const RX_ADDR: u32 = 0x10;
    /// rw: its size.
    pub const RX_MAX: u32 = 0x14;
    /// w: the buffer is ready for one frame.
    pub const RX_ARM: u32 = 0x18;
    /// r: length of the last frame received.
    pub const RX_LEN: u32 = 0x1C;
    /// r: bit 0 received, bit 1 armed, bit 2 truncated.
    pub const STATUS: u32 = 0x20;
    /// w: clear STATUS bits 0-2, drop the interrupt source.
    pub const ACK: u32 = 0x24;
    /// rw: bit 0 loopback.
    pub const CTRL: u32 = 0x28;
    /// Largest frame.
    pub const MAX_FRAME: u32 = 65536;
}

/// Device interrupt sources (bits of the interrupt controller's PENDING and ENABLE).
pub mod source {
    /// Console input.
    pub const CONSOLE: u32 = 1 << 0;
    /// A network frame received.
    pub const NET: u32 = 1 << 1;
    /// Disk unit `k` completed a request.
    #[inline]
    pub const fn disk(k: u32) -> u32 {
        1 << (8 + k)
    }

    /// Every disk unit's source: the bits from [`disk`]`(0)` up (units 0..16 use bits 8..24;
    /// the bits above are never set), so `pending & DISKS != 0` asks "any disk?".
    pub const DISKS: u32 = !(disk(0) - 1);
}

/// Interrupt lines (Cause.IP bits) the devices drive.
pub mod irq {
    /// IP2: device interrupts (console input, disk, network), routed to one CPU.
    pub const DEVICE: u32 = 1 << 10;
    /// IP3: inter-processor interrupt.
    pub const IPI: u32 = 1 << 11;
    /// IP7: the CPU's own Count/Compare timer.
    pub const TIMER: u32 = 1 << 15;
}
