//! `nfs start|stop|put FILE|check FILE|probe W0 W1 W2 W3`: the NFS-like file service between VMs (paper §4.2.6;
//! the kernel's `nfs.rs` and `export.rs`).
//!
//! - `nfs start` on VM 0 of several serves VM 0's file system to the others until each has
//!   stopped, then prints what they left in its `/export` and powers VM 0 off; on the other VMs
//!   it mounts VM 0's file system: their reads of blocks they have not written come from VM
//!   0's buffer cache over the virtual subnet, and every path under `/export` is a file of the
//!   server's (`echo hi > /export/x` writes it there; `cat /export/x` reads it back anywhere).
//! - `nfs stop` tells the server this client is done.
//! - `nfs put FILE` (a client) copies FILE to the server as `/export/vmN-NAME` (N this VM's
//!   address, NAME the file's last component), reads it back from there and compares, then
//!   marks it complete with an empty `/export/vmN-NAME.ok`.
//! - `nfs check FILE` (a client) waits until every other client has put its NAME and compares
//!   each with this VM's FILE: the same build gives the same bytes in every VM.
//! - `nfs probe W0 W1 W2 W3` (a client) sends the server a raw request of four words (with
//!   one zeroed page) and prints the answer's (`nfs: answer A B C D`): what a faulty or hostile
//!   client could send, to test the server's checks (kernel `export.rs` has the protocol).
//!
//! Natively, or alone, `start` and `stop` do nothing; `put` and `check` need a mount.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::String;

use ulib::{eprintln, fs, println};

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    match (args.get(1).copied(), args.get(2).copied()) {
        (Some("start"), None) => service(ulib::abi::NFS_START),
        (Some("stop"), None) => service(ulib::abi::NFS_STOP),
        (Some("put"), Some(file)) => put(file),
        (Some("check"), Some(file)) => check(file),
        (Some("probe"), Some(_)) => probe(&args[2..]),
        _ => {
            eprintln!("usage: nfs start|stop|put FILE|check FILE|probe W0 W1 W2 W3");
            2
        }
    }
}

fn service(op: u32) -> i32 {
    match ulib::syscall::nfs(op) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("nfs: {e:?}");
            1
        }
    }
}

/// The server's name for VM `vm`'s copy of `file`.
fn exported(vm: u32, file: &str) -> String {
    let name = file.rsplit('/').next().unwrap_or(file);
    format!("/export/vm{vm}-{name}")
}

/// This VM's address and the VM count, if it is a client of a server.
fn client() -> Option<(u32, u32)> {
    match ulib::syscall::nfs_whoami() {
        Ok((me, vms)) if me != 0 && vms > 1 => Some((me, vms)),
        _ => {
            eprintln!("nfs: not a client of a server");
            None
        }
    }
}

fn put(file: &str) -> i32 {
    let Some((me, _)) = client() else { return 1 };
    let to = exported(me, file);
    let name = file.rsplit('/').next().unwrap_or(file);
    let r = fs::read(file).and_then(|data| {
        fs::write(&to, &data)?;
        Ok(fs::read(&to)? == data)
    });
    match r {
        Ok(true) if fs::write(&format!("{to}.ok"), b"").is_ok() => {
            println!("nfs: wrote {name} to the server and read it back intact");
            0
        }
        Ok(_) => {
            eprintln!("nfs: {to}: read back wrong");
            1
        }
        Err(e) => {
            eprintln!("nfs: {to}: {e}");
            1
        }
    }
}

fn check(file: &str) -> i32 {
    let Some((me, vms)) = client() else { return 1 };
    let name = file.rsplit('/').next().unwrap_or(file);
    let Ok(mine) = fs::read(file) else {
        eprintln!("nfs: {file}: cannot read");
        return 1;
    };
    for vm in (1..vms).filter(|&vm| vm != me) {
        let theirs = exported(vm, file);
        // The other client is done once its mark is there.
        while !fs::exists(&format!("{theirs}.ok")) {
            ulib::syscall::sleep(2);
        }
        if fs::read(&theirs).ok().as_deref() != Some(&mine[..]) {
            println!("nfs: {theirs} differs from this VM's {name}");
            return 1;
        }
    }
    println!("nfs: every client's {name} matches this VM's");
    0
}

fn probe(words: &[&str]) -> i32 {
    let mut req = [0u32; 4];
    if words.len() != 4 {
        eprintln!("nfs: probe takes four words");
        return 2;
    }
    for (w, s) in req.iter_mut().zip(words) {
        match s.parse() {
            Ok(v) => *w = v,
            Err(_) => {
                eprintln!("nfs: {s}: not a number");
                return 2;
            }
        }
    }
    match ulib::syscall::nfs_probe(req) {
        Ok([a, b, c, d]) => {
            println!("nfs: answer {a} {b} {c} {d}");
            0
        }
        Err(e) => {
            eprintln!("nfs: probe: {e}");
            1
        }
    }
}
