//! The CP0 timer: Count's rate against the cycle counter, then five timer interrupts (IP7)
//! programmed `INTERVAL` counts apart, each re-armed by the handler from the previous
//! Compare. Prints `timer cycles_per_count=R` (two decimals) and
//! `timer ticks=5 interval=I late=L0,L1,.. entries=E` (Lk = how many counts after its Compare
//! value tick k's handler read Count: the exception entry, plus instruction-cache misses the
//! first time; E = handler entries).

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};

use brt::{cp0, info, print, println, trap};

brt::entry!(main);

/// Counts between ticks.
const INTERVAL: u32 = 5000;
/// Ticks to take.
const TICKS: u32 = 5;

static TICKED: AtomicU32 = AtomicU32::new(0);
static LATE: [AtomicU32; TICKS as usize] = [const { AtomicU32::new(0) }; TICKS as usize];
static ENTRIES: AtomicU32 = AtomicU32::new(0);

fn main(_cpu: u32) -> u32 {
    // Count advances every two cycles.
    let (c0, t0) = (cp0::count(), info::cycles_lo());
    let mut x = 0u32;
    for i in 0..10_000 {
        x = core::hint::black_box(x.wrapping_add(i));
    }
    let (c1, t1) = (cp0::count(), info::cycles_lo());
    let ratio = u64::from(t1.wrapping_sub(t0)) * 100 / u64::from(c1.wrapping_sub(c0).max(1));
    println!("timer cycles_per_count={}.{:02}", ratio / 100, ratio % 100);

    trap::install();
    trap::set_handler(on_interrupt);
    cp0::set_compare(cp0::count().wrapping_add(INTERVAL));
    cp0::enable_interrupts(cp0::IM_TIMER);
    cp0::wait_until(|| TICKED.load(Ordering::Acquire) >= TICKS);
    cp0::disable();
    let ticks = TICKED.load(Ordering::Relaxed);
    let entries = ENTRIES.load(Ordering::Relaxed);
    let late = LATE.each_ref().map(|l| l.load(Ordering::Relaxed));
    print!("timer ticks={ticks} interval={INTERVAL} late=");
    for (i, l) in late.iter().enumerate() {
        print!("{}{l}", if i == 0 { "" } else { "," });
    }
    println!(" entries={entries}");
    let ok = (190..=210).contains(&ratio)
        && ticks == TICKS
        && entries == TICKS
        && late.iter().all(|&l| l < 500);
    u32::from(!ok)
}

/// The timer: note how late this tick is, re-arm from the previous Compare (so ticks stay
/// exactly `INTERVAL` apart), stop after `TICKS`.
fn on_interrupt(pending: u32) {
    ENTRIES.fetch_add(1, Ordering::Relaxed);
    if pending & cp0::IM_TIMER == 0 {
        return;
    }
    let compare = cp0::compare();
    let late = cp0::count().wrapping_sub(compare);
    let n = TICKED.load(Ordering::Relaxed) + 1;
    if let Some(l) = LATE.get(n as usize - 1) {
        l.store(late, Ordering::Relaxed);
    }
    TICKED.store(n, Ordering::Release);
    if n < TICKS {
        cp0::set_compare(compare.wrapping_add(INTERVAL));
    } else {
        // Writing Compare drops the line; then mask it for good.
        cp0::set_compare(compare);
        cp0::set_status(cp0::status() & !cp0::IM_TIMER);
    }
}
