//! Prints a line to stdout, then panics: lrt's handler prints the message to stderr and exits
//! with status 101.

#![no_std]
#![no_main]

use core::hint::black_box as bb;
use lrt::println;

lrt::entry!(main);

fn main(_: lrt::Args) -> i32 {
    println!("about to panic");
    let v = bb([1u32, 2, 3]);
    let i = bb(7usize);
    println!("unreachable: {}", v[i]);
    0
}
