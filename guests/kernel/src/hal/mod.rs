//! The hardware abstraction layer: everything that differs between running on the bare
//! machine and running on the Disco monitor lives behind this module, so the rest of the kernel
//! is the same in both builds — as the paper did with IRIX's HAL (§4.3).
//!
//! What it covers: where the kernel sees physical memory ([`KBASE`]) and its per-CPU area
//! ([`PDA`]), the privilege level the kernel runs at ([`KERNEL_KSU`]), privileged registers
//! (Status, Cause, EPC, Count/Compare, EBase), the TLB, the devices (console, disk, interrupt
//! controller, power, machine information), page zeroing, and idling.

#[cfg(not(feature = "disco"))]
pub mod native;
#[cfg(not(feature = "disco"))]
pub use native::*;

#[cfg(feature = "disco")]
pub mod disco;
#[cfg(feature = "disco")]
pub use disco::*;
