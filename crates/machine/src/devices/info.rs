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

use crate::address_map::info::*;
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
            CPU_ID => ctx.cpu as u32,
            CPU_COUNT => c.cpus() as u32,
            MEMORY_BYTES => c.memory_bytes(),
            NODE => c.node_of_cpu(ctx.cpu) as u32,
            NODE_COUNT => c.nodes,
            NODE_BYTES => c.node_bytes(),
            CLOCK_MHZ => c.clock_mhz,
            CYCLES_LO => ctx.now as u32,
            CYCLES_HI => (ctx.now >> 32) as u32,
            LINE_BYTES => c.cache.line_bytes,
            DISK_COUNT => self.disks,
            CPUS_PER_NODE => c.cpus_per_node,
            CACHE_BYTES => c.cache.size_kb * 1024,
            CACHE_ASSOC => c.cache.assoc,
            _ => return None,
        })
    }

    fn write(&mut self, offset: u32, _value: u32, _ctx: &mut DeviceCtx<'_>) -> Option<()> {
        // Read-only: writes to existing registers are ignored.
        (offset <= CACHE_ASSOC).then_some(())
    }
}
