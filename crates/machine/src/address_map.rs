//! The physical address map (docs/machine.md is the guest-facing description).
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
//! Devices are reached with uncached accesses (kseg1: virtual 0xBF00_0000 + offset). An
//! access to an address that is neither RAM nor a device register is a bus error.

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
/// Disk unit 0; unit k is at `DISK0 + 0x1000 * k`.
pub const DISK0: u32 = 0x1F01_0000;
/// Disk units the address map has room for.
pub const MAX_DISKS: u32 = 16;

/// Interrupt lines (Cause.IP bits) the devices drive.
pub mod irq {
    /// IP2: device interrupts (console input, disk, network), routed to one CPU.
    pub const DEVICE: u32 = 1 << 10;
    /// IP3: inter-processor interrupt.
    pub const IPI: u32 = 1 << 11;
}
