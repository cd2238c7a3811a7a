//! The body shared by the `bench-*` programs: read the size from the command line, run one
//! computation of the `benchset` crate, print its checksum.
//!
//! `bench-<name> SIZE` prints `bench-<name> SIZE: <checksum, 8 hex digits>` and exits 0; a
//! missing or bad SIZE prints the usage to stderr and exits 2. The checksum is the one
//! `benchset::run(name, SIZE)` computes on the host, which is how the tests and `cargo xtask
//! bench` check the program.

#![no_std]

use lrt::{eprintln, println};

/// Runs the set's computation `name` with the size in `args` (after the program name).
pub fn main(name: &str, mut args: lrt::Args) -> i32 {
    let _program = args.next();
    let size = args.next().and_then(|a| core::str::from_utf8(a).ok()).and_then(|s| s.parse().ok());
    let (Some(size), None) = (size, args.next()) else {
        eprintln!("usage: bench-{name} SIZE (a whole number of rounds, 0 to 4294967295)");
        return 2;
    };
    match benchset::run(name, size) {
        Some(sum) => {
            println!("bench-{name} {size}: {sum:08x}");
            0
        }
        None => {
            eprintln!("bench-{name}: not a computation of the set");
            2
        }
    }
}
