//! `echo words...`: prints its arguments, separated by spaces, and a newline.

#![no_std]
#![no_main]

extern crate alloc;

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    ulib::println!("{}", args[1..].join(" "));
    0
}
