//! The devices of the machine, and the routing of device-window addresses to them.

pub mod console;
pub mod disk;
pub mod info;
pub mod intc;
pub mod net;
pub mod power;

use crate::address_map::{
    self as map, CONSOLE, DISK_STRIDE, DISK0, INFO, INTC, MAX_DISKS, NET, POWER,
};
use crate::config::MachineConfig;
use crate::device::{Device, DeviceCtx};
use crate::event::EventKind;

/// Every device of a machine.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Devices {
    /// The console.
    pub console: console::Console,
    /// The power register.
    pub power: power::Power,
    /// Machine information.
    pub info: info::Info,
    /// Interrupt controller.
    pub intc: intc::Intc,
    /// Network interface.
    pub net: net::Net,
    /// Disk units.
    pub disks: Vec<disk::Disk>,
}

impl Devices {
    /// The devices of a machine with the given disk images (at most 16).
    pub fn new(cfg: &MachineConfig, disk_images: Vec<Vec<u8>>) -> Devices {
        let latency = cfg.cycles(cfg.disk_latency_us.saturating_mul(1000));
        let disks: Vec<_> = disk_images
            .into_iter()
            .take(MAX_DISKS as usize)
            .enumerate()
            .map(|(i, img)| {
                disk::Disk::new(i as u8, img, latency, cfg.clock_mhz, cfg.disk_mb_per_s)
                    .with_seed(cfg.seed)
            })
            .collect();
        Devices {
            console: console::Console::default(),
            power: power::Power,
            info: info::Info::new(cfg, disks.len() as u32),
            intc: intc::Intc,
            net: net::Net::new(cfg.cycles(10_000)),
            disks,
        }
    }

    /// The device whose window holds `pa`, and the offset in it.
    fn route(&mut self, pa: u32) -> Option<(&mut dyn Device, u32)> {
        let (base, off) = (pa & !0xFFF, pa & 0xFFC);
        let dev: &mut dyn Device = match base {
            CONSOLE => &mut self.console,
            POWER => &mut self.power,
            INFO => &mut self.info,
            INTC => &mut self.intc,
            NET => &mut self.net,
            b if (DISK0..map::disk(MAX_DISKS)).contains(&b) => {
                self.disks.get_mut(((b - DISK0) / DISK_STRIDE) as usize)?
            }
            _ => return None,
        };
        Some((dev, off))
    }

    /// A CPU reads a device register; `None` is a bus error.
    pub fn read(&mut self, pa: u32, ctx: &mut DeviceCtx<'_>) -> Option<u32> {
        let (dev, off) = self.route(pa)?;
        dev.read(off, ctx)
    }

    /// A CPU writes a device register; `None` is a bus error.
    pub fn write(&mut self, pa: u32, value: u32, ctx: &mut DeviceCtx<'_>) -> Option<()> {
        let (dev, off) = self.route(pa)?;
        dev.write(off, value, ctx)
    }

    /// Delivers a due event to its device.
    pub fn event(&mut self, kind: EventKind, ctx: &mut DeviceCtx<'_>) {
        match kind {
            EventKind::DiskDone { unit } => {
                if let Some(d) = self.disks.get_mut(unit as usize) {
                    d.event(kind, ctx);
                }
            }
            EventKind::NetDeliver => self.net.event(kind, ctx),
        }
    }
}
