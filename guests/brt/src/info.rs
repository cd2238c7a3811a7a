//! The machine-information registers (read-only): who is reading, and how big the machine
//! is. Every read is an uncached device access and costs the device latency (200 cycles on
//! the default machine), so read what you need once.

use crate::mmio::{INFO, read};

/// The reading CPU's number.
pub fn cpu_id() -> u32 {
    read(INFO)
}

/// CPUs in the machine.
pub fn cpu_count() -> u32 {
    read(INFO + 0x04)
}

/// Bytes of memory, all nodes together.
pub fn memory_bytes() -> u32 {
    read(INFO + 0x08)
}

/// The node of the reading CPU.
pub fn node() -> u32 {
    read(INFO + 0x0C)
}

/// Nodes in the machine.
pub fn node_count() -> u32 {
    read(INFO + 0x10)
}

/// Bytes of memory per node: node n owns physical `[n * NODE_BYTES, (n + 1) * NODE_BYTES)`.
pub fn node_bytes() -> u32 {
    read(INFO + 0x14)
}

/// CPU clock in MHz.
pub fn clock_mhz() -> u32 {
    read(INFO + 0x18)
}

/// Low word of the reading CPU's cycle counter, at the end of this read.
pub fn cycles_lo() -> u32 {
    read(INFO + 0x1C)
}

/// High word of the reading CPU's cycle counter.
pub fn cycles_hi() -> u32 {
    read(INFO + 0x20)
}

/// The reading CPU's cycle counter (high, low, high again until the high word is stable).
pub fn cycles() -> u64 {
    loop {
        let hi = cycles_hi();
        let lo = cycles_lo();
        if cycles_hi() == hi {
            return u64::from(hi) << 32 | u64::from(lo);
        }
    }
}

/// Cache line size in bytes.
pub fn line_bytes() -> u32 {
    read(INFO + 0x24)
}

/// Disk units attached.
pub fn disk_count() -> u32 {
    read(INFO + 0x28)
}

/// CPUs on each node (CPU c is on node `c / CPUS_PER_NODE`).
pub fn cpus_per_node() -> u32 {
    read(INFO + 0x2C)
}
