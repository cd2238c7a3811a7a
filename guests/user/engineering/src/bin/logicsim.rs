//! `logicsim [tiny|full] [instance]`: one gate-level logic simulation of the Engineering
//! workload (`workloads::engineering::logicsim`): generates the netlist of its instance,
//! simulates it, prints `logicsim N: ... checksum H`.

#![no_std]
#![no_main]

use ulib::{eprintln, println};
use workloads::engineering::{self, logicsim};

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    match engineering::parse_args(&args[1..]) {
        Ok((size, instance)) => {
            println!("{}", logicsim::run(&size.logic, instance));
            0
        }
        Err(e) => {
            eprintln!("logicsim: {e}\nusage: logicsim [tiny|full] [instance]");
            2
        }
    }
}
