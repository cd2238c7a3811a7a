//! `wc [file...]`: counts the lines, words and bytes of each file (or of standard input) and
//! prints them as `lines words bytes name`, each number right-aligned in 7 columns; with
//! several files a `total` line follows. A word is a run of non-space bytes.

#![no_std]
#![no_main]

use ulib::fs::File;
use ulib::{Result, eprintln, io, println};

ulib::entry!(main);

#[derive(Default, Clone, Copy)]
struct Counts {
    lines: u64,
    words: u64,
    bytes: u64,
}

fn count(f: &File) -> Result<Counts> {
    let mut c = Counts::default();
    let mut in_word = false;
    let mut buf = [0u8; 4096];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(c);
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                c.lines += 1;
            }
            if b.is_ascii_whitespace() {
                in_word = false;
            } else if !in_word {
                in_word = true;
                c.words += 1;
            }
        }
        c.bytes += n as u64;
    }
}

fn show(c: &Counts, name: &str) {
    println!("{:>7} {:>7} {:>7} {name}", c.lines, c.words, c.bytes);
}

fn main(args: &[&str]) -> i32 {
    if args.len() < 2 {
        let stdin = File::from_raw_fd(io::STDIN);
        let result = count(&stdin);
        let _ = stdin.into_raw_fd();
        return match result {
            Ok(c) => {
                show(&c, "");
                0
            }
            Err(e) => {
                eprintln!("wc: {e}");
                1
            }
        };
    }
    let (mut total, mut status) = (Counts::default(), 0);
    for path in &args[1..] {
        match File::open(path).and_then(|f| count(&f)) {
            Ok(c) => {
                show(&c, path);
                total.lines += c.lines;
                total.words += c.words;
                total.bytes += c.bytes;
            }
            Err(e) => {
                eprintln!("wc: {path}: {e}");
                status = 1;
            }
        }
    }
    if args.len() > 2 {
        show(&total, "total");
    }
    status
}
