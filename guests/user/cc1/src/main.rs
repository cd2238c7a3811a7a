//! `cc1 [-I dir]... -o out.o unit.c`: compiles one Mini-C unit (the work is in
//! `workloads::cc1`). Prints nothing on success; status 1 on a compile error, 2 on bad usage.

#![no_std]
#![no_main]

use ulib::eprintln;
use workloads::cc1;
use workloads::files::DuxFiles;

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    let opts = match cc1::parse_args(&args[1..]) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("cc1: {e}");
            return 2;
        }
    };
    match cc1::run(&opts, &mut DuxFiles) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cc1: {e}");
            1
        }
    }
}
