//! One CPU's port onto the machine: the [`mips::Bus`] the CPU runs against. RAM accesses go
//! through the memory system's timing model; device-window accesses go to the devices and cost
//! the device latency; anything else is a bus error.

use mips::{Bus, BusFault, Size};

use crate::address_map::{DEVICE_BASE, DEVICE_END};
use crate::device::DeviceCtx;
use crate::machine::System;

/// The bus of CPU `cpu`.
pub struct Port<'a> {
    /// Everything but the CPUs.
    pub sys: &'a mut System,
    /// Which CPU this port belongs to.
    pub cpu: usize,
}

impl Port<'_> {
    fn device_read(&mut self, pa: u32, clock: &mut u64) -> Result<u32, BusFault> {
        let s = &mut *self.sys;
        *clock += s.device_cycles;
        s.mem.device_access(self.cpu, s.device_cycles);
        let mut ctx = DeviceCtx {
            cpu: self.cpu,
            now: *clock,
            mem: &mut s.mem,
            events: &mut s.events,
            irq: &mut s.irq,
            halt: &mut s.halt,
        };
        s.devices.read(pa, &mut ctx).ok_or(BusFault::Error)
    }

    fn device_write(&mut self, pa: u32, value: u32, clock: &mut u64) -> Result<(), BusFault> {
        let s = &mut *self.sys;
        *clock += s.device_cycles;
        s.mem.device_access(self.cpu, s.device_cycles);
        let lines_before = s.irq.lines(self.cpu);
        let mut ctx = DeviceCtx {
            cpu: self.cpu,
            now: *clock,
            mem: &mut s.mem,
            events: &mut s.events,
            irq: &mut s.irq,
            halt: &mut s.halt,
        };
        s.devices.write(pa, value, &mut ctx).ok_or(BusFault::Error)?;
        // A halt, a CPU start, or a change of this CPU's own interrupt lines (an acknowledge)
        // must take effect before the CPU runs on: stop it so the machine can apply them.
        let stop =
            s.halt.is_some() || !s.irq.starts.is_empty() || s.irq.lines(self.cpu) != lines_before;
        if stop { Err(BusFault::Stop) } else { Ok(()) }
    }
}

impl Bus for Port<'_> {
    const TRACKS_IFETCH: bool = true;

    #[inline]
    fn fetch(&mut self, pa: u32, _clock: &mut u64) -> Result<u32, BusFault> {
        let ram = &self.sys.mem.ram;
        if pa & 3 == 0 && ram.contains(pa, 4) {
            return Ok(ram.read(pa, 4));
        }
        crate::rom::word(pa).ok_or(BusFault::Error)
    }

    #[inline(always)]
    fn ifetch_line(&mut self, pa: u32, clock: &mut u64) {
        if self.sys.mem.ram.contains(pa, 1) {
            *clock += self.sys.mem.access(self.cpu, pa, false, true, *clock);
        }
    }

    #[inline(always)]
    fn read(
        &mut self,
        pa: u32,
        size: Size,
        cached: bool,
        clock: &mut u64,
    ) -> Result<u32, BusFault> {
        let n = size as u32;
        let mem = &mut self.sys.mem;
        if mem.ram.contains(pa, n) {
            *clock += if cached {
                mem.access(self.cpu, pa, false, false, *clock)
            } else {
                mem.uncached(self.cpu, pa)
            };
            return Ok(mem.ram.read(pa, n));
        }
        if let Some(w) = crate::rom::word(pa & !3) {
            let shift = (pa & 3) * 8;
            return Ok((w >> shift) & (u32::MAX >> (32 - 8 * n)));
        }
        if (DEVICE_BASE..DEVICE_END).contains(&pa) && !cached {
            let shift = (pa & 3) * 8;
            let v = self.device_read(pa, clock)?;
            return Ok((v >> shift) & (u32::MAX >> (32 - 8 * n)));
        }
        Err(BusFault::Error)
    }

    #[inline(always)]
    fn write(
        &mut self,
        pa: u32,
        size: Size,
        value: u32,
        cached: bool,
        clock: &mut u64,
    ) -> Result<(), BusFault> {
        let n = size as u32;
        let mem = &mut self.sys.mem;
        if mem.ram.contains(pa, n) {
            *clock += if cached {
                mem.access(self.cpu, pa, true, false, *clock)
            } else {
                mem.uncached(self.cpu, pa)
            };
            mem.ram.write(pa, n, value);
            mem.wrote(self.cpu, pa);
            return Ok(());
        }
        if (DEVICE_BASE..DEVICE_END).contains(&pa) && !cached {
            // Only the bytes the store writes reach the device.
            return self.device_write(pa, value & (u32::MAX >> (32 - 8 * n)), clock);
        }
        Err(BusFault::Error)
    }

    fn link(&mut self, pa: u32) {
        self.sys.mem.link(self.cpu, pa);
    }

    fn check_link(&mut self, pa: u32) -> bool {
        self.sys.mem.check_link(self.cpu, pa)
    }

    fn unlink(&mut self) {
        self.sys.mem.unlink(self.cpu);
    }

    fn code_generation(&mut self, ppn: u32) -> u32 {
        self.sys.mem.ram.code_generation(crate::ids::Mppn(ppn))
    }
}
