//! A minimal network interface: frames leave through a transmit DMA and arrive through a
//! receive DMA. Frames sent are kept for the host to take; the host can inject frames; in
//! loopback mode a sent frame comes straight back. (The monitor's virtual subnet between VMs
//! arrives with its own issue and builds on this.)
//!
//! | offset | register | |
//! |---|---|---|
//! | 0x00 | TX_ADDR | physical address of the frame to send |
//! | 0x04 | TX_LEN | its length in bytes (at most 65536) |
//! | 0x08 | TX_GO | write: send now |
//! | 0x10 | RX_ADDR | physical address of the receive buffer |
//! | 0x14 | RX_MAX | its size |
//! | 0x18 | RX_ARM | write: the buffer is ready for one frame |
//! | 0x1C | RX_LEN | length of the last frame received |
//! | 0x20 | STATUS | bit 0 frame received (interrupt pending), bit 1 armed, bit 2 last frame truncated |
//! | 0x24 | ACK | write: clear bit 0 and drop the interrupt |
//! | 0x28 | CTRL | bit 0 loopback |

use std::collections::VecDeque;

use crate::address_map::net::{
    ACK, CTRL, RX_ADDR, RX_ARM, RX_LEN, RX_MAX, STATUS, TX_ADDR, TX_GO, TX_LEN,
};
use crate::device::{Device, DeviceCtx, source};
use crate::event::EventKind;

/// Largest frame.
pub use crate::address_map::net::MAX_FRAME;

/// The network interface.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Net {
    tx_addr: u32,
    tx_len: u32,
    rx_addr: u32,
    rx_max: u32,
    rx_len: u32,
    status: u32,
    ctrl: u32,
    latency_cycles: u64,
    inbox: VecDeque<Vec<u8>>,
    sent: Vec<Vec<u8>>,
}

const RECEIVED: u32 = 1;
const ARMED: u32 = 2;
const TRUNCATED: u32 = 4;

impl Net {
    /// An interface whose deliveries take `latency_cycles`.
    pub fn new(latency_cycles: u64) -> Net {
        Net {
            tx_addr: 0,
            tx_len: 0,
            rx_addr: 0,
            rx_max: 0,
            rx_len: 0,
            status: 0,
            ctrl: 0,
            latency_cycles,
            inbox: VecDeque::new(),
            sent: Vec::new(),
        }
    }

    /// Frames sent by the guest since the last call.
    pub fn take_sent(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.sent)
    }

    /// Queues a frame for the guest; it is delivered once a buffer is armed.
    pub fn inject(&mut self, frame: Vec<u8>, ctx: &mut DeviceCtx<'_>) {
        self.inbox.push_back(frame);
        ctx.events.schedule(ctx.now + self.latency_cycles, EventKind::NetDeliver);
    }

    fn deliver(&mut self, ctx: &mut DeviceCtx<'_>) {
        if self.status & ARMED == 0 || self.status & RECEIVED != 0 {
            return;
        }
        let Some(frame) = self.inbox.pop_front() else { return };
        let n = (frame.len() as u32).min(self.rx_max);
        if ctx.mem.dma_write(self.rx_addr, &frame[..n as usize]) {
            self.rx_len = n;
            self.status = RECEIVED | if n < frame.len() as u32 { TRUNCATED } else { 0 };
            ctx.irq.pending |= source::NET;
        } else {
            // The buffer is not memory: drop the frame, stay unarmed.
            self.status &= !ARMED;
        }
    }
}

impl Device for Net {
    fn read(&mut self, offset: u32, _ctx: &mut DeviceCtx<'_>) -> Option<u32> {
        Some(match offset {
            TX_ADDR => self.tx_addr,
            TX_LEN => self.tx_len,
            RX_ADDR => self.rx_addr,
            RX_MAX => self.rx_max,
            RX_LEN => self.rx_len,
            STATUS => self.status,
            CTRL => self.ctrl,
            TX_GO | RX_ARM | ACK => 0,
            _ => return None,
        })
    }

    fn write(&mut self, offset: u32, value: u32, ctx: &mut DeviceCtx<'_>) -> Option<()> {
        match offset {
            TX_ADDR => self.tx_addr = value,
            TX_LEN => self.tx_len = value.min(MAX_FRAME),
            TX_GO => {
                if let Some(frame) = ctx.mem.ram.slice(self.tx_addr, self.tx_len) {
                    let frame = frame.to_vec();
                    if self.ctrl & 1 != 0 {
                        self.inject(frame.clone(), ctx);
                    }
                    self.sent.push(frame);
                }
            }
            RX_ADDR => self.rx_addr = value,
            RX_MAX => self.rx_max = value.min(MAX_FRAME),
            RX_ARM => {
                self.status = (self.status & !TRUNCATED) | ARMED;
                if !self.inbox.is_empty() {
                    ctx.events.schedule(ctx.now, EventKind::NetDeliver);
                }
            }
            ACK => {
                self.status &= !(RECEIVED | ARMED | TRUNCATED);
                ctx.irq.pending &= !source::NET;
            }
            CTRL => self.ctrl = value & 1,
            RX_LEN | STATUS => {}
            _ => return None,
        }
        Some(())
    }

    fn event(&mut self, kind: EventKind, ctx: &mut DeviceCtx<'_>) {
        if kind == EventKind::NetDeliver {
            self.deliver(ctx);
        }
    }
}
