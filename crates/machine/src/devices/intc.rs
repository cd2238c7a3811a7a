//! The interrupt controller: device interrupt sources routed to one CPU on line IP2,
//! inter-processor interrupts on IP3, and the mailbox that starts secondary CPUs.
//!
//! | offset | register | |
//! |---|---|---|
//! | 0x00 | IPI_SEND | write: raise an IPI on CPU `value` |
//! | 0x04 | IPI_ACK | write: clear the writing CPU's IPI |
//! | 0x08 | IPI_PENDING | read: 1 if the reading CPU has an IPI pending |
//! | 0x10 | PENDING | read: pending device sources (bit 0 console, 1 network, 8+k disk k) |
//! | 0x14 | ENABLE | sources allowed to raise IP2 (default all) |
//! | 0x18 | ROUTE | the CPU that receives IP2 (default 0) |
//! | 0x20 | START_PC | address a started CPU begins at |
//! | 0x24 | START_SP | its initial stack pointer |
//! | 0x28 | START | write: start CPU `value` at START_PC with $sp = START_SP, $a0 = its id |
//!
//! Interrupt lines reach a CPU at the next quantum boundary, so an IPI takes at most one
//! quantum to arrive — deterministic, like everything else.

use crate::address_map::intc::{
    ENABLE, IPI_ACK, IPI_PENDING, IPI_SEND, PENDING, ROUTE, START, START_PC, START_SP,
};
use crate::device::{Device, DeviceCtx};

/// The interrupt controller (its state lives in [`crate::device::Irq`]).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Intc;

impl Device for Intc {
    fn read(&mut self, offset: u32, ctx: &mut DeviceCtx<'_>) -> Option<u32> {
        let irq = &*ctx.irq;
        Some(match offset {
            IPI_SEND | IPI_ACK | START => 0,
            IPI_PENDING => u32::from(irq.ipi.get(ctx.cpu).copied().unwrap_or(false)),
            PENDING => irq.pending,
            ENABLE => irq.enabled,
            ROUTE => irq.route as u32,
            START_PC => irq.start_pc,
            START_SP => irq.start_sp,
            _ => return None,
        })
    }

    fn write(&mut self, offset: u32, value: u32, ctx: &mut DeviceCtx<'_>) -> Option<()> {
        let irq = &mut *ctx.irq;
        let cpus = irq.ipi.len();
        match offset {
            IPI_SEND => {
                if let Some(p) = irq.ipi.get_mut(value as usize) {
                    *p = true;
                }
            }
            IPI_ACK => {
                if let Some(p) = irq.ipi.get_mut(ctx.cpu) {
                    *p = false;
                }
            }
            ENABLE => irq.enabled = value,
            ROUTE => {
                if (value as usize) < cpus {
                    irq.route = value as usize;
                }
            }
            START_PC => irq.start_pc = value,
            START_SP => irq.start_sp = value,
            START => {
                if (value as usize) < cpus {
                    irq.starts.push((value as usize, irq.start_pc, irq.start_sp));
                }
            }
            IPI_PENDING | PENDING => {}
            _ => return None,
        }
        Some(())
    }
}
