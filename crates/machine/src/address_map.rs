//! The physical address map (docs/machine.md is the guest-facing description; the numbers are
//! the `abi` crate's, which the guests compile against too).
//!
//! RAM from 0, node 0 first; the device window at [`DEVICE_BASE`]..[`DEVICE_END`], one 4 KB
//! page per device and per disk unit ([`disk()`]); each device's register offsets in its module
//! ([`console`], [`info`], [`intc`], [`mod@disk`], [`net`], [`power`]); the interrupt sources
//! ([`source`]) and lines ([`irq`]). Devices are reached with uncached accesses (kseg1). An
//! access to an address that is neither RAM nor a device register is a bus error.

pub use abi::address_map::*;
