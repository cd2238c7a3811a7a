//! The disk driver: one request at a time to disk unit 0, by DMA, completed by the disk's
//! interrupt. A process waiting for the disk sleeps; during boot (no process yet) the driver
//! polls instead.

use abi::address_map::disk::{DONE, ERROR};
use core::sync::atomic::{AtomicBool, Ordering};

use crate::{cpu, hal, nfs, proc, spinlock::Spinlock, stats};

struct Disk {
    busy: bool,
    done: bool,
    error: bool,
}

static DISK: Spinlock<Disk> =
    Spinlock::new("disk", Disk { busy: false, done: false, error: false });

/// Set once processes exist (from then on the driver sleeps instead of polling).
pub static SLEEPING: AtomicBool = AtomicBool::new(false);

const UNIT: u32 = 0;

fn chan() -> usize {
    core::ptr::addr_of!(DISK) as usize
}

/// Transfers `sectors` sectors at `sector` to (`write` = false) or from physical `pa`.
/// Returns false on a device error.
pub fn rw(sector: u32, pa: u32, sectors: u32, write: bool) -> bool {
    if write {
        stats::count(stats::Event::DiskWrite);
        nfs::wrote(sector, sectors);
    }
    if !SLEEPING.load(Ordering::Acquire) || cpu::this().current.is_none() {
        return rw_polling(sector, pa, sectors, write);
    }
    let mut d = DISK.lock();
    while d.busy {
        d = proc::sleep(chan(), d);
    }
    d.busy = true;
    d.done = false;
    hal::disk_start(UNIT, sector, pa, sectors, write);
    while !d.done {
        d = proc::sleep(chan(), d);
    }
    let ok = !d.error;
    d.busy = false;
    d.done = false;
    drop(d);
    proc::wakeup(chan());
    ok
}

fn rw_polling(sector: u32, pa: u32, sectors: u32, write: bool) -> bool {
    let _d = DISK.lock();
    hal::disk_start(UNIT, sector, pa, sectors, write);
    loop {
        let s = hal::disk_wait(UNIT);
        if s & DONE != 0 {
            hal::disk_ack(UNIT);
            return s & ERROR == 0;
        }
    }
}

/// The disk interrupt (device source 8 + unit).
pub fn interrupt() {
    // Status is read under the lock: a CPU polling at boot holds it, and must be the one to
    // see (and acknowledge) its own completion.
    let mut d = DISK.lock();
    let s = hal::disk_status(UNIT);
    if s & DONE == 0 {
        return;
    }
    hal::disk_ack(UNIT);
    d.done = true;
    d.error = s & ERROR != 0;
    drop(d);
    proc::wakeup(chan());
}
