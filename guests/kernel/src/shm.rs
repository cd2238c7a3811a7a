//! Shared-memory regions: named sets of pages that several processes map at the same address,
//! for parallel programs built from processes rather than threads (like System V `shmget` +
//! `shmat`, simplified).
//!
//! A region is created by the first `shm_attach` of its key, with all its pages allocated and
//! zeroed at once; the region holds one reference on each page, and each mapping one more, so
//! the pages live until the region is removed and the last process using them has exited.
//! Region `k` of the table is always mapped at `SHM_BASE + k * SHM_MAX`, the same address in
//! every process. A shared PTE is marked [`crate::vm::PTE_SHARED`]: fork shares it writable
//! instead of copy-on-write.

use alloc::vec::Vec;

use crate::kalloc::{self, PAGE};
use crate::spinlock::Spinlock;

/// Where region 0 is mapped in every process.
pub const SHM_BASE: u32 = 0x7000_0000;
/// Largest region (and the distance between two regions' addresses).
pub const SHM_MAX: u32 = 16 << 20;
/// Regions in the system.
pub const SHM_REGIONS: usize = 8;

struct Region {
    key: u32,
    pages: Vec<u32>,
}

static REGIONS: Spinlock<[Option<Region>; SHM_REGIONS]> =
    Spinlock::new("shm", [const { None }; SHM_REGIONS]);

/// Why a region cannot be had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShmError {
    /// Size 0 or over [`SHM_MAX`], or larger than the existing region of that key.
    BadSize,
    /// Every slot is in use.
    Full,
    /// Out of memory.
    NoMemory,
    /// No region has that key.
    NoRegion,
}

/// The address and physical pages of the region `key`, created with `size` bytes (rounded up
/// to pages) if it does not exist. The pages are returned with one reference taken for the
/// caller's mapping.
pub fn attach(key: u32, size: u32) -> Result<(u32, Vec<u32>), ShmError> {
    if size == 0 || size > SHM_MAX {
        return Err(ShmError::BadSize);
    }
    let want = size.div_ceil(PAGE) as usize;
    let mut regions = REGIONS.lock();
    let slot = match regions.iter().position(|r| r.as_ref().is_some_and(|r| r.key == key)) {
        Some(i) => i,
        None => {
            let i = regions.iter().position(Option::is_none).ok_or(ShmError::Full)?;
            let mut pages = Vec::with_capacity(want);
            for _ in 0..want {
                match kalloc::alloc_zeroed(kalloc::Use::User) {
                    Some(pa) => pages.push(pa),
                    None => {
                        pages.into_iter().for_each(kalloc::decref);
                        return Err(ShmError::NoMemory);
                    }
                }
            }
            regions[i] = Some(Region { key, pages });
            i
        }
    };
    let region = regions[slot].as_ref().ok_or(ShmError::NoRegion)?;
    if want > region.pages.len() {
        return Err(ShmError::BadSize);
    }
    let pages: Vec<u32> = region.pages[..want].to_vec();
    pages.iter().for_each(|&pa| kalloc::incref(pa));
    Ok((SHM_BASE + slot as u32 * SHM_MAX, pages))
}

/// Removes the region `key`: new attaches create a fresh one; processes that have it mapped
/// keep its pages until they exit.
pub fn remove(key: u32) -> Result<(), ShmError> {
    let mut regions = REGIONS.lock();
    let i = regions
        .iter()
        .position(|r| r.as_ref().is_some_and(|r| r.key == key))
        .ok_or(ShmError::NoRegion)?;
    if let Some(r) = regions[i].take() {
        r.pages.into_iter().for_each(kalloc::decref);
    }
    Ok(())
}
