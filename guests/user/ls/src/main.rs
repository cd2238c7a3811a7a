//! `ls [-l] [path...]`: lists each directory's entries sorted by name (without `.` and `..`),
//! or names each file; `-l` adds the kind (`d` directory, `-` file, `c` device) and the size.
//! With several paths, each directory's listing starts with `path:`.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use ulib::abi::{KIND_DIR, KIND_FILE, Stat};
use ulib::{eprintln, fs, println};

ulib::entry!(main);

fn show(name: &str, st: Option<Stat>, long: bool) {
    match (long, st) {
        (false, _) => println!("{name}"),
        (true, Some(st)) => {
            let kind = match st.kind {
                KIND_DIR => 'd',
                KIND_FILE => '-',
                _ => 'c',
            };
            println!("{kind} {:>9} {name}", st.size);
        }
        (true, None) => println!("? {:>9} {name}", "?"),
    }
}

fn list(path: &str, long: bool, header: bool) -> bool {
    let st = match fs::stat(path) {
        Ok(st) => st,
        Err(e) => {
            eprintln!("ls: {path}: {e}");
            return false;
        }
    };
    if st.kind != KIND_DIR {
        show(path, Some(st), long);
        return true;
    }
    let mut names: Vec<String> = match fs::read_dir(path) {
        Ok(entries) => {
            entries.into_iter().map(|e| e.name).filter(|n| n != "." && n != "..").collect()
        }
        Err(e) => {
            eprintln!("ls: {path}: {e}");
            return false;
        }
    };
    names.sort();
    if header {
        println!("{path}:");
    }
    for name in &names {
        let st = if long {
            fs::stat(&alloc::format!("{}/{name}", path.trim_end_matches('/'))).ok()
        } else {
            None
        };
        show(name, st, long);
    }
    true
}

fn main(args: &[&str]) -> i32 {
    let long = args.get(1) == Some(&"-l");
    let mut paths: Vec<&str> = args[1..].iter().copied().filter(|a| *a != "-l").collect();
    if paths.is_empty() {
        paths.push(".");
    }
    let header = paths.len() > 1;
    let mut ok = true;
    for p in &paths {
        ok &= list(p, long, header);
    }
    i32::from(!ok)
}
