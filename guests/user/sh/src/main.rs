//! `sh`: the dux shell (the language is documented in the `shell` crate).
//!
//! ```text
//! sh                 read commands from standard input, with a `$ ` prompt; status: N after
//!                    `exit N`, else 0 (a failed command is reported, not remembered); ends
//!                    at end of input (Ctrl-D at the console)
//! sh script          run a script; status: N after `exit N`, else 0 if nothing failed, else 1
//! sh -c words...     run one command line
//! ```

#![no_std]
#![no_main]

extern crate alloc;

use shell::dux::Dux;
use shell::run::{Flow, Shell};
use ulib::io::{self, LineReader};
use ulib::{eprintln, fs, print, println};

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    let mut sh = Shell::new(Dux, "sh");
    match args.get(1).copied() {
        Some("-c") => match sh.run_line(&args[2..].join(" "), "") {
            Flow::Exit(code) => code,
            Flow::Continue => sh.finish(),
        },
        Some(script) => match fs::read(script) {
            Ok(bytes) => sh.run_script(&alloc::string::String::from_utf8_lossy(&bytes), script),
            Err(e) => {
                eprintln!("sh: {script}: {e}");
                127
            }
        },
        None => {
            let mut input = LineReader::new(io::STDIN);
            loop {
                print!("$ ");
                sh.forget_failures();
                match input.next_line() {
                    Ok(Some(line)) => {
                        if let Flow::Exit(code) = sh.run_line(&line, "") {
                            sh.finish();
                            return code;
                        }
                    }
                    Ok(None) | Err(_) => {
                        // End of input: end the prompt's line, as terminals' shells do.
                        println!();
                        return sh.finish();
                    }
                }
            }
        }
    }
}
