//! The machine-information registers (read-only): who is reading, and how big the machine
//! is. Every read is an uncached device access and costs the device latency (200 cycles on
//! the default machine), so read what you need once.

use abi::address_map::info::*;

use crate::mmio::{INFO, read};

/// The reading CPU's number.
pub fn cpu_id() -> u32 {
    read(INFO + CPU_ID)
}

/// CPUs in the machine.
pub fn cpu_count() -> u32 {
    read(INFO + CPU_COUNT)
}

/// Bytes of memory, all nodes together.
pub fn memory_bytes() -> u32 {
    read(INFO + MEMORY_BYTES)
}

/// The node of the reading CPU.
pub fn node() -> u32 {
    read(INFO + NODE)
}

/// Nodes in the machine.
pub fn node_count() -> u32 {
    read(INFO + NODE_COUNT)
}

/// Bytes of memory per node: node n owns physical `[n * NODE_BYTES, (n + 1) * NODE_BYTES)`.
pub fn node_bytes() -> u32 {
    read(INFO + NODE_BYTES)
}

/// CPU clock in MHz.
pub fn clock_mhz() -> u32 {
    read(INFO + CLOCK_MHZ)
}

/// Low word of the reading CPU's cycle counter, at the end of this read.
pub fn cycles_lo() -> u32 {
    read(INFO + CYCLES_LO)
}

/// High word of the reading CPU's cycle counter.
pub fn cycles_hi() -> u32 {
    read(INFO + CYCLES_HI)
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
    read(INFO + LINE_BYTES)
}

/// Disk units attached.
pub fn disk_count() -> u32 {
    read(INFO + DISK_COUNT)
}

/// CPUs on each node (CPU c is on node `c / CPUS_PER_NODE`).
pub fn cpus_per_node() -> u32 {
    read(INFO + CPUS_PER_NODE)
}
