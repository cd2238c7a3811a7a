//! Prints a line, then ends with status 42 through the `exit` system call (4001) rather than
//! `exit_group`, so both exit paths are covered.

#![no_std]
#![no_main]

use lrt::println;

lrt::entry!(main);

fn main(args: lrt::Args) -> i32 {
    println!("exiting with status 42 ({} args)", args.len());
    lrt::sys::exit(42)
}
