//! `radix [-p threads] [-n keys]`: the Radix workload, SPLASH-2's parallel radix sort
//! (`workloads::radix`, which holds the whole algorithm). This program only provides what
//! the algorithm needs: `threads` threads (the main thread is number 0; without `-p`, one per
//! CPU the kernel reports) and a barrier. It prints the thread count, then the keys, whether
//! the output is sorted, and its checksum.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::sync::Arc;
use alloc::vec::Vec;
use ulib::sync::Barrier;
use ulib::{eprintln, println, thread};
use workloads::radix::{self, Outcome, Sort};

ulib::entry!(main);

/// Each sorting thread's stack (the worker keeps two 4 KB tables on it).
const STACK: usize = 64 * 1024;

fn main(args: &[&str]) -> i32 {
    let opts = match radix::parse_args(&args[1..], ulib::process::cpus()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("radix: {e}\n{}", radix::USAGE);
            return 2;
        }
    };
    println!("{}", Outcome::threads_line(opts.threads));
    let shared = Arc::new((Sort::new(opts.keys, opts.threads), Barrier::new(opts.threads as u32)));
    let mut helpers = Vec::new();
    for id in 1..opts.threads {
        let s = shared.clone();
        let worker = move || {
            let (sort, barrier) = &*s;
            sort.worker(id, &|| {
                barrier.wait();
            })
        };
        match thread::spawn(worker, STACK) {
            Ok(h) => helpers.push(h),
            Err(e) => {
                // The others would wait at the barrier forever.
                eprintln!("radix: cannot start a thread: {e}");
                ulib::process::exit(1);
            }
        }
    }
    let (sort, barrier) = &*shared;
    let mut partials = Vec::with_capacity(opts.threads);
    partials.push(sort.worker(0, &|| {
        barrier.wait();
    }));
    for h in helpers {
        match h.join() {
            Ok(p) => partials.push(p),
            Err(e) => {
                eprintln!("radix: join: {e}");
                return 1;
            }
        }
    }
    let outcome = Outcome::from_partials(opts.keys, opts.threads, &partials);
    println!("{}", outcome.line());
    if outcome.sorted { 0 } else { 1 }
}
