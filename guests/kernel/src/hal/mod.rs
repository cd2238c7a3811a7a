//! The hardware abstraction layer: everything that differs between running on the bare
//! machine and running on the Disco monitor lives behind this module, so the rest of the kernel
//! is the same in both builds — as the paper did with IRIX's HAL (§4.3).
//!
//! What it covers: where the kernel sees physical memory ([`KBASE`]) and its per-CPU area
//! ([`PDA`]), the privilege level the kernel runs at ([`KERNEL_KSU`]), privileged registers
//! (Status, Cause, EPC, Count/Compare, EBase), the TLB, the devices (console, disk, interrupt
//! controller, power, machine information), page zeroing, and idling.

use core::ops::{Add, Sub};

/// The monitor's cycles as the Disco HAL reads them from the special page: two wrapping
/// totals, kernel TLB faults and the rest (the paper's Table 2 breakdown); none natively.
/// Sums and differences wrap, so a span under 2^32 cycles comes out right.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonitorCycles(pub [u32; 2]);

impl MonitorCycles {
    /// None.
    pub const ZERO: MonitorCycles = MonitorCycles([0; 2]);

    /// The two totals widened (for a span, after a subtraction).
    pub fn widen(self) -> [u64; 2] {
        self.0.map(u64::from)
    }
}

impl Add for MonitorCycles {
    type Output = MonitorCycles;
    fn add(self, o: MonitorCycles) -> MonitorCycles {
        MonitorCycles([self.0[0].wrapping_add(o.0[0]), self.0[1].wrapping_add(o.0[1])])
    }
}

impl Sub for MonitorCycles {
    type Output = MonitorCycles;
    fn sub(self, o: MonitorCycles) -> MonitorCycles {
        MonitorCycles([self.0[0].wrapping_sub(o.0[0]), self.0[1].wrapping_sub(o.0[1])])
    }
}

#[cfg(not(feature = "disco"))]
pub mod native;
#[cfg(not(feature = "disco"))]
pub use native::*;

#[cfg(feature = "disco")]
pub mod disco;
#[cfg(feature = "disco")]
pub use disco::*;
