//! A disk unit: sectors of 512 bytes backed by an in-memory image, transferred by DMA.
//!
//! | offset | register | |
//! |---|---|---|
//! | 0x00 | SECTOR | first sector of the request |
//! | 0x04 | ADDR | physical memory address of the transfer |
//! | 0x08 | COUNT | sectors to transfer |
//! | 0x0C | COMMAND | write 1 = read disk into memory, 2 = write memory to disk: starts the request |
//! | 0x10 | STATUS | bit 0 busy, bit 1 done (interrupt pending), bit 2 error |
//! | 0x14 | ACK | write: clear done and error, drop the interrupt |
//! | 0x18 | CAPACITY | size in sectors |
//!
//! A request takes the configured latency plus its size at the configured transfer rate
//! (megabytes of 10^6 bytes, rounded up to whole cycles); the
//! whole transfer happens at completion, then STATUS.done is set and the unit's interrupt source
//! (bit 8 + unit) is raised. A request with a bad sector range or memory address completes with
//! the error bit set instead. A command while busy is ignored. With a seed (the machine's
//! `seed`), each request's latency grows by a pseudo-random amount up to a quarter of it, a
//! function of the seed, the unit and the request's number only.

use crate::address_map::disk::{
    ACK, ADDR, BUSY, CAPACITY, CMD_READ, CMD_WRITE, COMMAND, COUNT, DONE, ERROR, SECTOR, STATUS,
};
use crate::device::{Device, DeviceCtx, source};
use crate::event::EventKind;

/// Bytes per sector.
pub use crate::address_map::disk::SECTOR_BYTES;

/// One disk unit.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Disk {
    unit: u8,
    #[serde(with = "crate::sparse")]
    image: Vec<u8>,
    sector: u32,
    addr: u32,
    count: u32,
    command: u32,
    status: u32,
    latency_cycles: u64,
    clock_mhz: u64,
    mb_per_s: u64,
    /// The machine's seed (0: no latency jitter).
    #[serde(default)]
    seed: u64,
    /// Requests started.
    #[serde(default)]
    started: u64,
    /// Requests completed.
    pub requests: u64,
    /// Bytes transferred.
    pub bytes: u64,
}

impl Disk {
    /// Unit `unit` over `image` (padded to whole sectors): each request costs `latency_cycles`
    /// plus its bytes at `mb_per_s` (10^6 bytes per second) on a `clock_mhz` clock.
    pub fn new(
        unit: u8,
        mut image: Vec<u8>,
        latency_cycles: u64,
        clock_mhz: u32,
        mb_per_s: u32,
    ) -> Disk {
        let padded = image.len().div_ceil(SECTOR_BYTES as usize) * SECTOR_BYTES as usize;
        image.resize(padded, 0);
        Disk {
            unit,
            image,
            sector: 0,
            addr: 0,
            count: 0,
            command: 0,
            status: 0,
            latency_cycles,
            clock_mhz: u64::from(clock_mhz),
            mb_per_s: u64::from(mb_per_s.max(1)),
            seed: 0,
            started: 0,
            requests: 0,
            bytes: 0,
        }
    }

    /// The same unit with its request latencies perturbed by `seed` (0: not at all).
    pub fn with_seed(mut self, seed: u64) -> Disk {
        self.seed = seed;
        self
    }

    /// Extra latency of the request numbered `n` (0 without a seed).
    fn jitter(&self, n: u64) -> u64 {
        if self.seed == 0 {
            return 0;
        }
        // splitmix64 of (seed, unit, n): well mixed, and cheap enough for one call per request.
        let mut z =
            self.seed ^ (u64::from(self.unit) << 56) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        z % (self.latency_cycles / 4 + 1)
    }

    /// The disk's contents.
    pub fn image(&self) -> &[u8] {
        &self.image
    }

    fn source(&self) -> u32 {
        source::disk(u32::from(self.unit))
    }

    fn capacity(&self) -> u32 {
        (self.image.len() / SECTOR_BYTES as usize) as u32
    }

    /// The byte range of the current request in the image, if the sectors exist.
    fn range(&self) -> Option<std::ops::Range<usize>> {
        let end = self.sector.checked_add(self.count)?;
        (self.count > 0 && end <= self.capacity()).then(|| {
            self.sector as usize * SECTOR_BYTES as usize..end as usize * SECTOR_BYTES as usize
        })
    }

    fn complete(&mut self, ctx: &mut DeviceCtx<'_>) {
        let ok = match self.range() {
            Some(r) if self.command == CMD_READ => ctx.mem.dma_write(self.addr, &self.image[r]),
            Some(r) => match ctx.mem.ram.slice(self.addr, r.len() as u32) {
                Some(data) => {
                    self.image[r].copy_from_slice(data);
                    true
                }
                None => false,
            },
            None => false,
        };
        self.requests += 1;
        if ok {
            self.bytes += u64::from(self.count) * u64::from(SECTOR_BYTES);
        }
        self.status = DONE | if ok { 0 } else { ERROR };
        ctx.irq.pending |= self.source();
    }
}

impl Device for Disk {
    fn read(&mut self, offset: u32, _ctx: &mut DeviceCtx<'_>) -> Option<u32> {
        Some(match offset {
            SECTOR => self.sector,
            ADDR => self.addr,
            COUNT => self.count,
            COMMAND => self.command,
            STATUS => self.status,
            ACK => 0,
            CAPACITY => self.capacity(),
            _ => return None,
        })
    }

    fn write(&mut self, offset: u32, value: u32, ctx: &mut DeviceCtx<'_>) -> Option<()> {
        let busy = self.status & BUSY != 0;
        match offset {
            SECTOR if !busy => self.sector = value,
            ADDR if !busy => self.addr = value,
            COUNT if !busy => self.count = value,
            COMMAND if !busy && (value == CMD_READ || value == CMD_WRITE) => {
                self.command = value;
                self.status = BUSY;
                // bytes / (MB/s * 1e6) seconds at clock_mhz * 1e6 cycles per second, rounded up.
                let bytes = u64::from(self.count.min(1 << 22)) * u64::from(SECTOR_BYTES);
                let transfer = (bytes * self.clock_mhz).div_ceil(self.mb_per_s);
                let jitter = self.jitter(self.started);
                self.started += 1;
                let at = ctx.now + self.latency_cycles + jitter + transfer;
                ctx.events.schedule(at, EventKind::DiskDone { unit: self.unit });
            }
            ACK => {
                self.status &= BUSY;
                ctx.irq.pending &= !self.source();
            }
            // A request's registers while busy, and the read-only ones: ignored.
            SECTOR | ADDR | COUNT | COMMAND | STATUS | CAPACITY => {}
            _ => return None,
        }
        Some(())
    }

    fn event(&mut self, kind: EventKind, ctx: &mut DeviceCtx<'_>) {
        if kind == (EventKind::DiskDone { unit: self.unit }) {
            self.complete(ctx);
        }
    }
}
