//! `memsim [tiny|full] [instance]`: one memory-system simulation of the Engineering workload
//! (`workloads::engineering::memsim`): runs its instance's address trace through a simulated
//! cache-coherent multiprocessor, prints `memsim N: ... checksum H`.

#![no_std]
#![no_main]

use ulib::{eprintln, println};
use workloads::engineering::{self, memsim};

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    match engineering::parse_args(&args[1..]) {
        Ok((size, instance)) => {
            println!("{}", memsim::run(&size.mem, instance));
            0
        }
        Err(e) => {
            eprintln!("memsim: {e}\nusage: memsim [tiny|full] [instance]");
            2
        }
    }
}
