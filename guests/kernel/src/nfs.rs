//! An NFS-like file service between VMs (paper §4.2.6), over the virtual subnet (`net.rs`).
//!
//! The design is the simplest sound one for shared inputs: a **block-level, read-only export**
//! of VM 0's file system. Every VM boots the same image (one copy-on-write disk under the
//! monitor). VM 0 serves ([`start`] there never returns: it answers until every client has
//! said it is done, then powers off) and writes nothing outside `/export` (the clients'
//! file-level writes, `export.rs`), so every other block stays the image's. A
//! client that has mounted ([`start`] elsewhere) reads each block its buffer cache misses from
//! the server — unless the client has written that block itself, which then lives on its own
//! copy-on-write disk — so its view is the image plus its own writes, as with its local disk.
//!
//! The server answers a read from its buffer cache with the buffer's page as the frame's
//! page-aligned payload, and the client receives it straight into its own buffer's page: the
//! monitor remaps the server's machine page into the client instead of copying it, so one
//! machine page backs the block in the server and in every client that read it — the
//! paper's global buffer cache across VMs. Either side writing the page gets a private copy
//! from the monitor (copy on write), unseen by dux.
//!
//! Messages ([`net::Msg`] words): `[READ, block]` → `[DATA, block]` with the block as one page
//! (or `[ERROR, block]` for a block outside the file system); `[DONE]` from a client at
//! [`stop`]. The server answers the file-level requests of `export.rs` in the same loop:
//! writes over NFS go to its `/export` directory, the one part of its file system it changes.

use alloc::collections::BTreeSet;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use fsformat::SECTORS_PER_BLOCK;

use crate::net::{self, Msg};
use crate::spinlock::Spinlock;
use crate::{bio, export, fs, kalloc, kprintln};

const READ: u32 = 1;
const DATA: u32 = 2;
const DONE: u32 = 3;
const ERROR: u32 = 4;

/// The server: VM 0.
pub const SERVER: u32 = 0;

/// This VM reads its blocks from the server.
static MOUNTED: AtomicBool = AtomicBool::new(false);
/// Blocks read from the server.
pub static READS: AtomicU32 = AtomicU32::new(0);

/// Blocks this VM has written to its own disk: those it must read back from there.
static WRITTEN: Spinlock<BTreeSet<u32>> = Spinlock::new("nfs", BTreeSet::new());

/// Has this VM mounted the server's file system (a client between `start` and `stop`)?
pub fn mounted() -> bool {
    MOUNTED.load(Ordering::Acquire)
}

/// `nfs(NFS_START)`: serve on VM 0 (never returns), mount on the others; nothing without a
/// subnet or alone.
pub fn start() {
    let (me, vms) = net::whoami();
    if !net::present() || vms < 2 {
        return;
    }
    if me == SERVER {
        serve(vms - 1);
    }
    MOUNTED.store(true, Ordering::Release);
}

/// `nfs(NFS_STOP)`: a client tells the server it is done (its later misses read its disk).
pub fn stop() {
    if MOUNTED.swap(false, Ordering::AcqRel) {
        net::send(SERVER, Msg([DONE, 0, 0, 0]), 0, 0);
    }
}

/// Reads `block` into physical page `page` from the server, if this VM has mounted it and has
/// not written the block itself; false if the caller must read its own disk.
pub fn read(block: u32, page: u32) -> bool {
    if !MOUNTED.load(Ordering::Acquire) || WRITTEN.lock().contains(&block) {
        return false;
    }
    match net::call(SERVER, Msg([READ, block, 0, 0]), page, 1) {
        Some((SERVER, Msg([DATA, b, _, _]), 1)) if b == block => {
            READS.fetch_add(1, Ordering::Relaxed);
            true
        }
        _ => false,
    }
}

/// The disk driver wrote `sectors` sectors at `sector`: those blocks are this VM's own now
/// (recorded before a mount too: a block written at boot must not be read from the server).
pub fn wrote(sector: u32, sectors: u32) {
    let first = sector / SECTORS_PER_BLOCK;
    let last = (sector + sectors.max(1) - 1) / SECTORS_PER_BLOCK;
    let mut w = WRITTEN.lock();
    for b in first..=last {
        w.insert(b);
    }
}

/// The server's loop: answers reads from the buffer cache, and the file requests of
/// `export.rs`, until `clients` have said they are done; then reports what they left in
/// `/export` and powers the VM off.
fn serve(clients: u32) -> ! {
    let blocks = fs::blocks();
    export::init();
    // A request's payload (an NFS write's block, a name) lands here.
    let Some(page) = kalloc::alloc(kalloc::Use::Kernel) else { crate::shutdown(1) };
    // Clients that said they are done (a second DONE from one counts once).
    let mut done = BTreeSet::new();
    let mut served = 0u32;
    while (done.len() as u32) < clients {
        let Some((from, msg, pages)) = net::receive(page, 1) else { break };
        match msg.0 {
            [READ, block, _, _] if block < blocks => {
                let b = bio::bread(block);
                net::send(from, Msg([DATA, block, 0, 0]), b.page(), 1);
                bio::brelse(b);
                served += 1;
            }
            [READ, block, _, _] => {
                net::send(from, Msg([ERROR, block, 0, 0]), 0, 0);
            }
            [DONE, _, _, _] => {
                done.insert(from);
            }
            // The file requests of `export.rs`; it answers anything else with an error.
            _ => export::serve(from, msg, page, pages),
        }
    }
    kprintln!("nfsd: every client done");
    kprintln!("nfsd: {} blocks served", served);
    export::report();
    crate::shutdown(0)
}
