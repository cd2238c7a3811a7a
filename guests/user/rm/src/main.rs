//! `rm file...`: removes each file (unlinks its name). Status 1 if one could not be removed.

#![no_std]
#![no_main]

use ulib::{eprintln, fs};

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    if args.len() < 2 {
        eprintln!("usage: rm file...");
        return 2;
    }
    let mut status = 0;
    for path in &args[1..] {
        if let Err(e) = fs::unlink(path) {
            eprintln!("rm: {path}: {e}");
            status = 1;
        }
    }
    status
}
