//! Disk units: 512-byte sectors moved by DMA between the disk and physical memory.
//!
//! A request is SECTOR, ADDR (physical), COUNT, then COMMAND; it completes after the
//! machine's disk latency plus the transfer time, all at once: STATUS turns from busy to done
//! (or done + error) and the unit's device interrupt source is raised until [`Disk::ack`].
//! DMA is coherent: a read into memory invalidates cached copies, a write takes memory as the
//! CPUs last wrote it, so no cache maintenance is needed.

use crate::mmio::{DISK0, read, write};

/// Bytes per sector.
pub const SECTOR_BYTES: u32 = 512;

/// COMMAND: read disk sectors into memory.
pub const CMD_READ: u32 = 1;
/// COMMAND: write memory to disk sectors.
pub const CMD_WRITE: u32 = 2;

/// STATUS bit: a request is in flight.
pub const BUSY: u32 = 1;
/// STATUS bit: the request completed (interrupt pending until ACK).
pub const DONE: u32 = 2;
/// STATUS bit: the request failed (bad sector range or memory address).
pub const ERROR: u32 = 4;

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
        Disk { base: DISK0 + 0x1000 * unit, unit }
    }

    /// The unit's device interrupt source bit (see [`crate::intc::pending`]).
    pub const fn source(&self) -> u32 {
        crate::intc::src_disk(self.unit)
    }

    /// Size in sectors.
    pub fn capacity(&self) -> u32 {
        read(self.base + 0x18)
    }

    /// The STATUS register.
    pub fn status(&self) -> u32 {
        read(self.base + 0x10)
    }

    /// Starts a request: `command` ([`CMD_READ`] or [`CMD_WRITE`]) of `count` sectors from
    /// `sector`, to or from physical address `pa`. Ignored by the unit while it is busy.
    pub fn start(&self, command: u32, sector: u32, pa: u32, count: u32) {
        write(self.base, sector);
        write(self.base + 0x04, pa);
        write(self.base + 0x08, count);
        write(self.base + 0x0C, command);
    }

    /// Clears DONE and ERROR and drops the unit's interrupt source.
    pub fn ack(&self) {
        write(self.base + 0x14, 0);
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
