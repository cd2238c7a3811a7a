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
//!
//! Like the disks of the paper's day (SimOS modelled an HP 97560 with its cache), the unit
//! reads ahead into a track buffer after each read: a read that starts where the previous read
//! ended and lies within the next [`READ_AHEAD_SECTORS`] is served from the buffer, paying a
//! tenth of the latency (the controller's command overhead, no seek or rotation) plus the
//! transfer. A write that starts where the previous write ended finds the head already there
//! and pays the same. A file laid out contiguously is then read or written at close to the
//! transfer rate, block after block; any other request (a jump elsewhere, a change of
//! direction) pays the full latency.

use crate::address_map::disk::{
    ACK, ADDR, BUSY, CAPACITY, CMD_READ, CMD_WRITE, COMMAND, COUNT, DONE, ERROR, SECTOR, STATUS,
};
use crate::device::{Device, DeviceCtx, source};
use crate::event::EventKind;

/// Bytes per sector.
pub use crate::address_map::disk::SECTOR_BYTES;

/// How far the unit reads ahead after a read: 64 KB, a track of a mid-1990s disk.
pub const READ_AHEAD_SECTORS: u32 = 128;

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
    /// After a request, where the next one may start to be sequential, and where it must end:
    /// a read's end and [`READ_AHEAD_SECTORS`] past it (the track buffer), or a write's end and
    /// no limit; with the direction. None before the first request.
    #[serde(default)]
    ahead: Option<(u32, u32, bool)>,
    /// Sequential requests: reads served from the track buffer, writes streamed on.
    #[serde(default)]
    pub sequential: u64,
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
            ahead: None,
            sequential: 0,
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

    /// The latency of the request in the registers now (a write if `write`), before its
    /// transfer: a tenth of the unit's latency if it is sequential (see the module's comment),
    /// else the full latency and the seed's jitter. Remembers where the next request would be
    /// sequential.
    fn latency(&mut self, write: bool) -> u64 {
        let end = self.sector.saturating_add(self.count);
        let sequential =
            self.ahead.is_some_and(|(from, to, w)| w == write && self.sector == from && end <= to);
        let latency = if sequential {
            self.sequential += 1;
            self.latency_cycles / 10
        } else {
            self.latency_cycles + self.jitter(self.started)
        };
        let limit = if write { u32::MAX } else { end.saturating_add(READ_AHEAD_SECTORS) };
        self.ahead = Some((end, limit, write));
        self.started += 1;
        latency
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
                let latency = self.latency(value == CMD_WRITE);
                let at = ctx.now + latency + transfer;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit with a 1000-cycle latency; `go` puts a request in the registers and returns its
    /// latency.
    fn unit() -> Disk {
        Disk::new(0, vec![0; 1 << 20], 1000, 100, 10)
    }

    fn go(d: &mut Disk, write: bool, sector: u32, count: u32) -> u64 {
        d.sector = sector;
        d.count = count;
        d.latency(write)
    }

    #[test]
    fn sequential_requests_pay_a_tenth_of_the_latency() {
        let mut d = unit();
        assert_eq!(go(&mut d, false, 0, 8), 1000, "the first request seeks");
        assert_eq!(go(&mut d, false, 8, 8), 100, "the next block: in the track buffer");
        assert_eq!(go(&mut d, false, 16, 128), 100, "all of the read-ahead");
        assert_eq!(go(&mut d, false, 144, 129), 1000, "past the read-ahead");
        assert_eq!(go(&mut d, false, 0, 8), 1000, "back to the start: a seek");
        assert_eq!(go(&mut d, false, 16, 8), 1000, "a gap: a seek");
        assert_eq!(go(&mut d, true, 24, 8), 1000, "a write after a read");
        assert_eq!(go(&mut d, true, 32, 8), 100, "the next write streams on");
        assert_eq!(go(&mut d, true, 40, 4096), 100, "however long");
        assert_eq!(go(&mut d, false, 4136, 8), 1000, "a read after a write");
        assert_eq!(d.sequential, 4);
    }
}
