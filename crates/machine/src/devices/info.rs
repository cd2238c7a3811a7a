//! Machine-information registers (read-only): who am I, how big is the machine.
//!
//! | offset | register |
//! |---|---|
//! | 0x00 | CPU_ID of the reading CPU |
//! | 0x04 | CPU_COUNT |
//! | 0x08 | MEMORY_BYTES (all nodes) |
//! | 0x0C | NODE of the reading CPU |
//! | 0x10 | NODE_COUNT |
//! | 0x14 | NODE_BYTES (memory per node; node n owns [n * NODE_BYTES, (n+1) * NODE_BYTES)) |
//! | 0x18 | CLOCK_MHZ |
//! | 0x1C | CYCLES_LO of the reading CPU |
//! | 0x20 | CYCLES_HI |
//! | 0x24 | LINE_BYTES (cache line) |
//! | 0x28 | DISK_COUNT |
//! | 0x2C | CPUS_PER_NODE |
//! | 0x30 | CACHE_BYTES (each CPU's cache) |
//! | 0x34 | CACHE_ASSOC |

use crate::config::MachineConfig;
use crate::device::{Device, DeviceCtx};

/// The information device.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Info {
    cfg: MachineConfig,
    disks: u32,
}

impl Info {
    /// Information about a machine with `disks` disk units.
    pub fn new(cfg: &MachineConfig, disks: u32) -> Info {
        Info { cfg: cfg.clone(), disks }
    }
}

impl Device for Info {
    fn read(&mut self, offset: u32, ctx: &mut DeviceCtx<'_>) -> Option<u32> {
        let c = &self.cfg;
        Some(match offset {
            0x00 => ctx.cpu as u32,
            0x04 => c.cpus() as u32,
            0x08 => c.memory_bytes(),
            0x0C => c.node_of_cpu(ctx.cpu) as u32,
            0x10 => c.nodes,
            0x14 => c.node_bytes(),
            0x18 => c.clock_mhz,
            0x1C => ctx.now as u32,
            0x20 => (ctx.now >> 32) as u32,
            0x24 => c.cache.line_bytes,
            0x28 => self.disks,
            0x2C => c.cpus_per_node,
            0x30 => c.cache.size_kb * 1024,
            0x34 => c.cache.assoc,
            _ => return None,
        })
    }

    fn write(&mut self, offset: u32, _value: u32, _ctx: &mut DeviceCtx<'_>) -> Option<()> {
        // Read-only: writes to existing registers are ignored.
        (offset <= 0x34).then_some(())
    }
}
