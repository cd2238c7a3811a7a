//! The program: SPLASH-2's radix sort (`workloads::radix`, the same source as dux's
//! `guests/user/radix`; see [`crate::splash2_radix`]), with SPLASHOS's threads and barrier. It
//! takes the same arguments and prints the same line, so the radix disk images' `/expected.txt`
//! applies unchanged.

use alloc::vec::Vec;

use crate::splash2_radix::{self as radix, Outcome, Partial, Sort};
use crate::sync::{Barrier, SpinLock};
use crate::{heap, mon, println, thread};

/// Runs `radix args...` (`args[0]` is the program name); its exit status.
pub fn main(args: &[&str]) -> u32 {
    let vcpus = mon::vcpus();
    // Without -p, one thread per VCPU: the same /etc/rc fits a VM of any size.
    let opts = match radix::parse_args(&args[1..], vcpus) {
        Ok(o) => o,
        Err(e) => {
            println!("radix: {e}\n{}", radix::USAGE);
            return 2;
        }
    };
    if opts.threads > vcpus {
        println!(
            "radix: -p {} asks for more threads than this VM's {vcpus} VCPUs (SPLASHOS runs one thread per VCPU)",
            opts.threads
        );
        return 2;
    }
    // Two arrays of 4-byte keys, the histogram matrix, and slack.
    let need = opts.keys * 8 + opts.threads * radix::RADIX * 4 + (64 << 10);
    if need > heap::free_bytes() {
        println!(
            "radix: {} keys need {} KB of memory; SPLASHOS has {} KB left in this VM",
            opts.keys,
            need >> 10,
            heap::free_bytes() >> 10
        );
        return 2;
    }
    // Allocated zeroed and not touched here: each thread first touches its own chunk of the
    // arrays (the monitor places those pages on its node).
    let sort = Sort::new(opts.keys, opts.threads);
    let barrier = Barrier::new(opts.threads as u32);
    let partials: Vec<SpinLock<Partial>> =
        (0..opts.threads).map(|_| SpinLock::new(Partial::default())).collect();
    println!("{}", Outcome::threads_line(opts.threads));
    let start = mon::count();
    let ran = thread::parallel(opts.threads, &|id| {
        let p = sort.worker(id, &|| barrier.wait());
        *partials[id].lock() = p;
    });
    if let Err(e) = ran {
        println!("radix: {e}");
        return 1;
    }
    let counts = mon::count().wrapping_sub(start);
    let partials: Vec<Partial> = partials.iter().map(|p| *p.lock()).collect();
    let outcome = Outcome::from_partials(opts.keys, opts.threads, &partials);
    println!("{}", outcome.line());
    // Count advances every other cycle.
    let us = u64::from(counts) * 2 / u64::from(mon::clock_mhz().max(1));
    println!("splashos: radix sorted in {}.{:03} ms of simulated time", us / 1000, us % 1000);
    if outcome.sorted { 0 } else { 1 }
}
