//! `/init`, process 1 of dux: runs `/etc/rc` line by line with the shell's rules (see the
//! `shell` crate), reporting every failure on the console, and exits with 0 if every command
//! succeeded, else 1 (or N after `exit N`). The kernel then powers the machine off with that
//! status, so the script's result is the run's result.

#![no_std]
#![no_main]

use shell::dux::Dux;
use shell::run::Shell;
use ulib::{eprintln, fs, println};

ulib::entry!(main);

const RC: &str = "/etc/rc";

fn main(_args: &[&str]) -> i32 {
    let script = match fs::read(RC) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("init: {RC}: {e}");
            return 1;
        }
    };
    let text = alloc::string::String::from_utf8_lossy(&script);
    let mut sh = Shell::new(Dux, "init");
    let status = sh.run_script(&text, RC);
    println!("init: {RC} finished with status {status}");
    status
}

extern crate alloc;
