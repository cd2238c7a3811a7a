//! `db [-v] [dir]`: the Database workload. Loads the tables from `dir` (default `/data`),
//! builds its hash indexes and runs the eight queries of `workloads::db`, printing a line per
//! query as it finishes (`-v`: with every result row) and a final checksum.

#![no_std]
#![no_main]

use ulib::{eprintln, println};
use workloads::db;
use workloads::files::DuxFiles;

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    let mut verbose = false;
    let mut dir = "/data";
    for a in &args[1..] {
        match *a {
            "-v" => verbose = true,
            _ if a.starts_with('-') => {
                eprintln!("usage: db [-v] [dir]");
                return 2;
            }
            _ => dir = a,
        }
    }
    match db::run(dir, &mut DuxFiles, verbose, &mut |line| println!("{line}")) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("db: {e}");
            1
        }
    }
}
