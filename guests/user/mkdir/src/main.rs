//! `mkdir dir...`: creates each directory. Status 1 if one could not be created.

#![no_std]
#![no_main]

use ulib::{eprintln, fs};

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    if args.len() < 2 {
        eprintln!("usage: mkdir dir...");
        return 2;
    }
    let mut status = 0;
    for path in &args[1..] {
        if let Err(e) = fs::mkdir(path) {
            eprintln!("mkdir: {path}: {e}");
            status = 1;
        }
    }
    status
}
