//! Copy-on-write disks (paper §4.2.5): several VMs boot from one base disk image that none of
//! them may change. Each VM's view of the disk is the base plus its own **log of modified
//! sectors** (here a `BTreeMap` from sector to its 512 bytes, the paper's per-(disk, VM)
//! B-tree). A write goes to the writer's log only; a read of a logged sector comes from the log;
//! every other sector comes from the one machine disk unit that holds the base. The disks are
//! non-persistent, as Disco's were: the logs live in the monitor's memory and vanish with the
//! run (a snapshot keeps them, being the monitor's state).
//!
//! A machine disk unit is a copy-on-write disk when more than one VM names it (`Monitor::new`
//! decides; a unit of one VM is that VM's own disk, written in place as before). The VMs'
//! requests to the unit wait in their own queues and take turns on the unit
//! (`vdisk.rs`), so each read still costs the machine disk's latency and transfer time.

use std::collections::BTreeMap;

use abi::address_map::disk::SECTOR_BYTES;

/// One VM's modified sectors of a copy-on-write disk.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CowLog {
    sectors: BTreeMap<u32, Vec<u8>>,
}

impl CowLog {
    /// Records `data` (whole sectors; a trailing partial sector is ignored) as the new contents
    /// of the sectors from `sector` on.
    pub fn write(&mut self, sector: u32, data: &[u8]) {
        for (i, chunk) in data.chunks_exact(SECTOR_BYTES as usize).enumerate() {
            self.sectors.insert(sector + i as u32, chunk.to_vec());
        }
    }

    /// Copies the logged sectors among the `buf.len() / 512` sectors from `sector` into their
    /// places in `buf`; whether there were any.
    pub fn overlay(&self, sector: u32, buf: &mut [u8]) -> bool {
        let count = buf.len() as u32 / SECTOR_BYTES;
        let mut any = false;
        for (&s, data) in self.sectors.range(sector..sector.saturating_add(count)) {
            let at = ((s - sector) * SECTOR_BYTES) as usize;
            buf[at..at + data.len()].copy_from_slice(data);
            any = true;
        }
        any
    }

    /// Is any of the `count` sectors from `sector` logged?
    pub fn covers_any(&self, sector: u32, count: u32) -> bool {
        self.sectors.range(sector..sector.saturating_add(count)).next().is_some()
    }

    /// Is every one of the `count` sectors from `sector` logged?
    pub fn covers_all(&self, sector: u32, count: u32) -> bool {
        self.sectors.range(sector..sector.saturating_add(count)).count() == count as usize
    }

    /// Sectors logged.
    pub fn len(&self) -> usize {
        self.sectors.len()
    }

    /// Nothing logged?
    pub fn is_empty(&self) -> bool {
        self.sectors.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_overrides_the_base_sector_by_sector() {
        let mut log = CowLog::default();
        log.write(10, &[7u8; 1024]);
        assert!(log.covers_any(8, 3) && !log.covers_any(0, 10) && log.covers_all(10, 2));
        assert!(!log.covers_all(9, 2));
        let mut buf = vec![1u8; 2048];
        assert!(log.overlay(9, &mut buf));
        assert_eq!((buf[0], buf[512], buf[1535], buf[1536]), (1, 7, 7, 1));
        assert_eq!(log.len(), 2);
    }
}
