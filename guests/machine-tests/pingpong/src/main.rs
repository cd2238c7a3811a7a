//! Coherence traffic: CPUs 0 and 1 take turns incrementing one shared counter (CPU 0 at even
//! values, CPU 1 at odd ones), N times each, so the counter's cache line moves between their
//! caches on every turn — one coherence miss per turn for each CPU. Then each CPU increments
//! a counter on its own line N times, which costs no coherence misses at all. The program
//! prints only the counts and a checksum; the host test reads the machine's miss counters.
//!
//! Parameters (see `brt::params`): word 0 = phases (bit 0 shared, bit 1 private; 0 means
//! both), word 1 = N (0 means 1000).

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};

use brt::{params, println};

brt::entry!(main);

/// A counter alone on its cache line (lines are at most 512 bytes).
#[repr(align(512))]
struct Line(AtomicU32);

static SHARED: Line = Line(AtomicU32::new(0));
static PRIVATE: [Line; 2] = [Line(AtomicU32::new(0)), Line(AtomicU32::new(0))];
static DONE: Line = Line(AtomicU32::new(0));

/// Phase bits.
const SHARED_PHASE: u32 = 1;
const PRIVATE_PHASE: u32 = 2;

fn phases() -> u32 {
    match params::word(0) {
        0 => SHARED_PHASE | PRIVATE_PHASE,
        p => p,
    }
}

fn rounds() -> u32 {
    match params::word(1) {
        0 => 1000,
        n => n,
    }
}

fn main(cpu: u32) -> u32 {
    if brt::info::cpu_count() < 2 {
        println!("pingpong: needs 2 CPUs");
        return 1;
    }
    brt::start_cpu(1, |c| {
        run(c);
        DONE.0.store(1, Ordering::Release);
    });
    run(cpu);
    while DONE.0.load(Ordering::Acquire) == 0 {
        core::hint::spin_loop();
    }
    let (p, n) = (phases(), rounds());
    let shared = SHARED.0.load(Ordering::Relaxed);
    let private = [PRIVATE[0].0.load(Ordering::Relaxed), PRIVATE[1].0.load(Ordering::Relaxed)];
    let checksum = shared.wrapping_mul(31).wrapping_add(private[0]).wrapping_mul(31) + private[1];
    println!(
        "pingpong phases={p} n={n} shared={shared} private={},{} checksum={checksum}",
        private[0], private[1]
    );
    let want_shared = if p & SHARED_PHASE != 0 { 2 * n } else { 0 };
    let want_private = if p & PRIVATE_PHASE != 0 { n } else { 0 };
    if shared == want_shared && private == [want_private; 2] { 0 } else { 1 }
}

/// CPU `me`'s part of every phase.
fn run(me: u32) {
    let n = rounds();
    if phases() & SHARED_PHASE != 0 {
        for _ in 0..n {
            // Wait for our turn: plain loads, which hit until the other CPU writes the line.
            let mut v = SHARED.0.load(Ordering::Acquire);
            while v % 2 != me {
                core::hint::spin_loop();
                v = SHARED.0.load(Ordering::Acquire);
            }
            SHARED.0.store(v + 1, Ordering::Release);
        }
    }
    if phases() & PRIVATE_PHASE != 0 {
        let mine = PRIVATE[me as usize].0.as_ptr();
        for _ in 0..n {
            // SAFETY: only this CPU touches its private counter during the phase; volatile so
            // every increment is a load and a store, as the phase is meant to measure.
            unsafe { mine.write_volatile(mine.read_volatile() + 1) };
        }
    }
}
