//! `nfs start|stop`: the NFS-like file service between VMs (paper §4.2.6; the kernel's
//! `nfs.rs`). `nfs start` on VM 0 of several serves VM 0's file system to the others until each
//! has stopped, then powers VM 0 off; on the other VMs it mounts VM 0's file system, so that
//! their reads of blocks they have not written come from VM 0's buffer cache over the virtual
//! subnet. `nfs stop` tells the server this client is done. Natively, or alone, it does nothing.

#![no_std]
#![no_main]

ulib::entry!(main);

fn main(args: &[&str]) -> i32 {
    let op = match args.get(1).copied() {
        Some("start") => ulib::abi::NFS_START,
        Some("stop") => ulib::abi::NFS_STOP,
        _ => {
            ulib::eprintln!("usage: nfs start|stop");
            return 2;
        }
    };
    match ulib::syscall::nfs(op) {
        Ok(()) => 0,
        Err(e) => {
            ulib::eprintln!("nfs: {e:?}");
            1
        }
    }
}
