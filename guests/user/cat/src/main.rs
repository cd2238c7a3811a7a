//! `cat [file...]`: copies each file (or standard input, if none) to standard output, 4 KB at
//! a time. Status 1 if some file could not be read.

#![no_std]
#![no_main]

use ulib::fs::File;
use ulib::{Result, eprintln, io};

ulib::entry!(main);

fn copy(from: &File) -> Result<()> {
    let mut buf = [0u8; 4096];
    loop {
        match from.read(&mut buf)? {
            0 => return Ok(()),
            n => io::write_all(io::STDOUT, &buf[..n])?,
        }
    }
}

fn main(args: &[&str]) -> i32 {
    if args.len() < 2 {
        let stdin = File::from_raw_fd(io::STDIN);
        let result = copy(&stdin);
        let _ = stdin.into_raw_fd();
        return match result {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("cat: {e}");
                1
            }
        };
    }
    let mut status = 0;
    for path in &args[1..] {
        if let Err(e) = File::open(path).and_then(|f| copy(&f)) {
            eprintln!("cat: {path}: {e}");
            status = 1;
        }
    }
    status
}
