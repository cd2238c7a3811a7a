//! Time: a 64-bit cycle clock per CPU built on CP0 Count (which wraps every 2^32 counts), and
//! the periodic tick that drives preemption.

use core::sync::atomic::{AtomicU32, Ordering};

use crate::{cpu, hal, proc};

/// Ticks per second of simulated time.
pub const HZ: u32 = 100;

/// This CPU's cycle clock (Count advances every other cycle).
pub fn cycles() -> u64 {
    let c = cpu::this();
    let mut now = hal::count();
    if now < c.count_last {
        if c.count_last - now >= 1 << 31 {
            c.count_high += 1;
        } else {
            // Under the monitor this virtual CPU may have moved to a physical CPU whose clock
            // is a little behind the last one's: a clock never runs backwards.
            now = c.count_last;
        }
    }
    c.count_last = now;
    ((u64::from(c.count_high) << 32) | u64::from(now)) * 2
}

/// Cycles since Count read `then` (this CPU's Count; 0 if `then` is not in the past half of
/// its range, as a stale reading would be).
pub fn cycles_since(then: u32) -> u64 {
    let d = hal::count().wrapping_sub(then);
    if d < 1 << 31 { u64::from(d) * 2 } else { 0 }
}

/// Simulated nanoseconds since boot on this CPU.
pub fn nanos() -> u64 {
    cycles() * 1000 / u64::from(hal::clock_mhz_cached())
}

/// Counts per tick.
fn interval() -> u32 {
    hal::clock_mhz_cached() * 1_000_000 / 2 / HZ
}

/// Arms the first tick on this CPU.
pub fn init() {
    hal::set_compare(hal::count().wrapping_add(interval()));
}

/// Handles a timer interrupt: re-arms the tick (relative to the previous deadline, so ticks do
/// not drift) and counts it.
pub fn tick() {
    let c = cpu::this();
    c.ticks += 1;
    let _ = cycles();
    crate::stats::sample_utlb(crate::pda::this().utlb_misses);
    hal::set_compare(hal::count().wrapping_add(interval()));
    // Only a tick with nappers takes the process table's lock: the common tick stays cheap.
    if NAPPERS.load(Ordering::Relaxed) != 0 {
        proc::wakeup(tick_chan());
    }
}

/// Processes in [`nap`].
static NAPPERS: AtomicU32 = AtomicU32::new(0);

/// The sleep channel of [`nap`]: the address of [`NAPPERS`], which no other sleeper uses.
fn tick_chan() -> usize {
    &NAPPERS as *const AtomicU32 as usize
}

/// Sleeps until the next tick of any CPU (at most 1/HZ s): for waits on things that raise no
/// interrupt of their own (console input, a time to pass). The CPU idles meanwhile.
pub fn nap() {
    NAPPERS.fetch_add(1, Ordering::Relaxed);
    let t = proc::PTABLE.lock();
    drop(proc::sleep_ptable(tick_chan(), t));
    NAPPERS.fetch_sub(1, Ordering::Relaxed);
}
