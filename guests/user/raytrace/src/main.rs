//! `raytrace [-p threads] [-r WIDTHxHEIGHT] [-n spheres] [tiny|full]`: the Raytrace workload
//! (`workloads::raytrace`). The main thread builds the scene, then it and `threads − 1` more
//! (a thread per CPU unless `-p` says otherwise) render bundles of pixels until none is left;
//! the line printed at the end has the image's checksum, the same for any number of threads.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::sync::Arc;
use alloc::vec::Vec;
use ulib::{eprintln, println, thread};
use workloads::raytrace::{self, Render};

ulib::entry!(main);

/// Each rendering thread's stack.
const STACK: usize = 64 * 1024;

fn main(args: &[&str]) -> i32 {
    let opts = match raytrace::parse_args(&args[1..], ulib::process::cpus()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("raytrace: {e}\n{}", raytrace::USAGE);
            return 2;
        }
    };
    println!("{}", raytrace::threads_line(opts.threads));
    let render = Arc::new(Render::new(opts.size));
    let mut helpers = Vec::new();
    for _ in 1..opts.threads {
        let r = render.clone();
        match thread::spawn(move || r.worker(), STACK) {
            Ok(h) => helpers.push(h),
            Err(e) => {
                eprintln!("raytrace: cannot start a thread: {e}");
                return 1;
            }
        }
    }
    render.worker();
    for h in helpers {
        if let Err(e) = h.join() {
            eprintln!("raytrace: join: {e}");
            return 1;
        }
    }
    println!("{}", raytrace::line(&opts.size, render.checksum()));
    0
}
