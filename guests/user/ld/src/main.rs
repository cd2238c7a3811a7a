//! `ld -o prog a.o b.o ...`: links Mini-C objects (the work is in `workloads::ld`) and prints
//! one line with the executable's checksum. Status 1 on a link error, 2 on bad usage.

#![no_std]
#![no_main]

use ulib::{eprintln, println};
use workloads::files::DuxFiles;
use workloads::ld;

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    let opts = match ld::parse_args(&args[1..]) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("ld: {e}");
            return 2;
        }
    };
    match ld::run(&opts, &mut DuxFiles) {
        Ok(line) => {
            println!("{line}");
            0
        }
        Err(e) => {
            eprintln!("ld: {e}");
            1
        }
    }
}
