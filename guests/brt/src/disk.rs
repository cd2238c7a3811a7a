//! Disk units: 512-byte sectors moved by DMA between the disk and physical memory.
//!
//! A request is SECTOR, ADDR (physical), COUNT, then COMMAND; it completes after the
//! machine's disk latency plus the transfer time, all at once: STATUS turns from busy to done
//! (or done + error) and the unit's device interrupt source is raised until [`Disk::ack`].
//! DMA is coherent: a read into memory invalidates cached copies, a write takes memory as the
//! CPUs last wrote it, so no cache maintenance is needed.

use abi::address_map::{self as map, disk as reg};

use crate::mmio::{read, write};

// Bytes per sector, the COMMAND values and the STATUS bits (BUSY, DONE: interrupt pending until
// ACK, ERROR: bad sector range or memory address).
pub use abi::address_map::disk::{BUSY, CMD_READ, CMD_WRITE, DONE, ERROR, SECTOR_BYTES};

/// One disk unit.
#[derive(Clone, Copy, Debug)]
pub struct Disk {
    base: u32,
    unit: u32,
}

/// Why a request failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiskError {
    /// The STATUS register at completion.
    pub status: u32,
}

impl Disk {
    /// Unit `unit` (0..16; check [`crate::info::disk_count`]).
    pub const fn unit(unit: u32) -> Disk {
        Disk { base: map::disk(unit), unit }
    }

    /// The unit's device interrupt source bit (see [`crate::intc::pending`]).
    pub const fn source(&self) -> u32 {
        crate::intc::src_disk(self.unit)
    }

    /// Size in sectors.
    pub fn capacity(&self) -> u32 {
        read(self.base + reg::CAPACITY)
    }

    /// The STATUS register.
    pub fn status(&self) -> u32 {
        read(self.base + reg::STATUS)
    }

    /// Starts a request: `command` ([`CMD_READ`] or [`CMD_WRITE`]) of `count` sectors from
    /// `sector`, to or from physical address `pa`. Ignored by the unit while it is busy.
    pub fn start(&self, command: u32, sector: u32, pa: u32, count: u32) {
        write(self.base + reg::SECTOR, sector);
        write(self.base + reg::ADDR, pa);
        write(self.base + reg::COUNT, count);
        write(self.base + reg::COMMAND, command);
    }

    /// Clears DONE and ERROR and drops the unit's interrupt source.
    pub fn ack(&self) {
        write(self.base + reg::ACK, 0);
    }

    /// Polls STATUS until the request is no longer busy; returns the final STATUS.
    pub fn poll(&self) -> u32 {
        loop {
            let s = self.status();
            if s & BUSY == 0 {
                return s;
            }
        }
    }

    /// Reads `count` sectors from `sector` into physical memory at `pa`, polling; acks.
    pub fn read_sync(&self, sector: u32, pa: u32, count: u32) -> Result<(), DiskError> {
        self.sync(CMD_READ, sector, pa, count)
    }

    /// Writes `count` sectors at `sector` from physical memory at `pa`, polling; acks.
    pub fn write_sync(&self, sector: u32, pa: u32, count: u32) -> Result<(), DiskError> {
        self.sync(CMD_WRITE, sector, pa, count)
    }

    fn sync(&self, command: u32, sector: u32, pa: u32, count: u32) -> Result<(), DiskError> {
        self.start(command, sector, pa, count);
        let status = self.poll();
        self.ack();
        if status & ERROR != 0 { Err(DiskError { status }) } else { Ok(()) }
    }
}
