//! Prints argc and every argument (byte-exact, escaped), then exits 0. The harness passes a few
//! arguments, including an empty one, one with a space and one with non-ASCII bytes.

#![no_std]
#![no_main]

use lrt::{print, println};

lrt::entry!(main);

fn main(args: lrt::Args) -> i32 {
    println!("argc = {}", args.len());
    for (i, arg) in args.enumerate() {
        print!("argv[{i}] = \"");
        for &b in arg {
            if b.is_ascii_graphic() || b == b' ' {
                print!("{}", b as char);
            } else {
                print!("\\x{b:02x}");
            }
        }
        println!("\" ({} bytes)", arg.len());
    }
    0
}
