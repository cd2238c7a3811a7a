//! The machine console: one output stream (every CPU writes to it) and an input queue fed by
//! the host.
//!
//! | offset | register | |
//! |---|---|---|
//! | 0x00 | TX | write: the low byte is printed |
//! | 0x04 | RX | read: next input byte, or 0xFFFFFFFF if none |
//! | 0x08 | STATUS | read: bit 0 = input available |
//! | 0x0C | CTRL | bit 0 = interrupt (source CONSOLE) while input is available |
//! | 0x10 | TX_ADDR | physical address of bytes for TX_DMA |
//! | 0x14 | TX_DMA | write n: the n bytes (at most 4096) at TX_ADDR are printed |
//!
//! TX_DMA is the console's transmit DMA, as the serial ports of SGI's Origin-class machines
//! take a whole buffer from a ring in memory: a kernel prints a line with two register writes
//! instead of one uncached store (a microsecond) per byte. Bytes outside memory print nothing.

use std::collections::VecDeque;

use crate::address_map::console::{CTRL, RX, STATUS, TX, TX_ADDR, TX_DMA, TX_DMA_MAX};
use crate::device::{Device, DeviceCtx, source};

/// Console state.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Console {
    output: Vec<u8>,
    input: VecDeque<u8>,
    ctrl: u32,
    #[serde(default)]
    tx_addr: u32,
}

impl Console {
    /// Everything printed so far.
    pub fn output(&self) -> &[u8] {
        &self.output
    }

    /// Queues input bytes for the guest.
    pub fn push_input(&mut self, bytes: &[u8]) {
        self.input.extend(bytes);
    }

    /// Re-evaluates the console's interrupt source.
    pub fn update_irq(&self, ctx: &mut DeviceCtx<'_>) {
        if self.ctrl & 1 != 0 && !self.input.is_empty() {
            ctx.irq.pending |= source::CONSOLE;
        } else {
            ctx.irq.pending &= !source::CONSOLE;
        }
    }
}

impl Device for Console {
    fn read(&mut self, offset: u32, ctx: &mut DeviceCtx<'_>) -> Option<u32> {
        let v = match offset {
            TX | TX_DMA => 0,
            TX_ADDR => self.tx_addr,
            RX => {
                let v = self.input.pop_front().map_or(u32::MAX, u32::from);
                self.update_irq(ctx);
                v
            }
            STATUS => u32::from(!self.input.is_empty()),
            CTRL => self.ctrl,
            _ => return None,
        };
        Some(v)
    }

    fn write(&mut self, offset: u32, value: u32, ctx: &mut DeviceCtx<'_>) -> Option<()> {
        match offset {
            TX => self.output.push(value as u8),
            CTRL => {
                self.ctrl = value & 1;
                self.update_irq(ctx);
            }
            TX_ADDR => self.tx_addr = value,
            TX_DMA => {
                if let Some(bytes) = ctx.mem.ram.slice(self.tx_addr, value.min(TX_DMA_MAX)) {
                    self.output.extend_from_slice(bytes);
                }
            }
            RX | STATUS => {}
            _ => return None,
        }
        Some(())
    }
}
