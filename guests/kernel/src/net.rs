//! The network driver and a minimal message transport, for the monitor's virtual subnet (paper
//! §4.2.6; docs/monitor-abi.md). A VM's address is its index (its MAC is derived from it).
//! A message is a frame whose header is the 14-byte link header, two bytes of padding and a
//! [`Msg`] of four words; it may carry whole pages as its payload, which the monitor remaps
//! into the receiver instead of copying when both ends are page-aligned.
//!
//! One frame is received at a time: a receiver arms the interface ([`receive`]) and sleeps
//! until the interrupt says the frame is in (the interrupt handler acknowledges it, so the
//! interface raises nothing more until the next arm). Sends complete in the monitor call.
//! Under the native HAL there is no subnet: [`present`] is false and nothing here is used.

use abi::mcall::net::{self as wire, RECEIVED};

use crate::spinlock::Spinlock;
use crate::{hal, proc};

/// A message: an operation and three arguments, the protocol's to define.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Msg(pub [u32; 4]);

/// Bytes of a frame's header: link header, padding, the message.
const HEADER: usize = 16 + 16;

/// A header buffer, word-aligned (the monitor reads and writes it by physical address).
#[repr(C, align(64))]
struct Frame([u8; HEADER]);

struct Nic {
    /// A receiver waits for a frame.
    armed: bool,
    /// The frame's status, once the interrupt saw it.
    got: Option<u32>,
    /// A process owns the receive side (one receive at a time).
    busy: bool,
    rx: Frame,
    tx: Frame,
}

static NIC: Spinlock<Nic> = Spinlock::new(
    "net",
    Nic { armed: false, got: None, busy: false, rx: Frame([0; HEADER]), tx: Frame([0; HEADER]) },
);

fn chan() -> usize {
    core::ptr::addr_of!(NIC) as usize
}

/// Is there a subnet (under the monitor)?
pub fn present() -> bool {
    hal::net_info().is_some()
}

/// This VM's address and the number of VMs on the subnet (`(0, 1)` without one).
pub fn whoami() -> (u32, u32) {
    hal::net_info().unwrap_or((0, 1))
}

/// Sends `msg` to VM `to`, with `pages` whole pages from physical `payload` (0 pages: none).
/// False if the interface refused it.
pub fn send(to: u32, msg: Msg, payload: u32, pages: u32) -> bool {
    let mut n = NIC.lock();
    let n = &mut *n;
    let h = &mut n.tx.0;
    h[..6].copy_from_slice(&wire::mac(to));
    // The source MAC is the monitor's to write; the type marks our transport.
    h[12..14].copy_from_slice(&0xD15Cu16.to_be_bytes());
    for (k, w) in msg.0.iter().enumerate() {
        h[16 + 4 * k..20 + 4 * k].copy_from_slice(&w.to_le_bytes());
    }
    let pa = hal::v2p(h.as_ptr() as u32);
    hal::net_send(pa, HEADER as u32, payload, pages)
}

/// Waits for the next message (into `pages` whole pages at physical `payload`, if any); the
/// sender's address, the message and the pages received. `None` if the interface refused the
/// buffer. Must be called by a process (it sleeps).
pub fn receive(payload: u32, pages: u32) -> Option<(u32, Msg, u32)> {
    exchange(None, payload, pages)
}

/// Sends `msg` to VM `to` and waits for the answer (into `pages` whole pages at physical
/// `payload`): the receive buffer is armed before the request leaves, so the answer always
/// finds it. As [`receive`]; `None` also if the request was refused.
pub fn call(to: u32, msg: Msg, payload: u32, pages: u32) -> Option<(u32, Msg, u32)> {
    exchange(Some((to, msg, 0, 0)), payload, pages)
}

/// As [`call`], the request carrying `send_pages` whole pages from physical `send` (an NFS
/// write's block) and the answer none.
pub fn call_sending(to: u32, msg: Msg, send: u32, send_pages: u32) -> Option<(u32, Msg, u32)> {
    exchange(Some((to, msg, send, send_pages)), 0, 0)
}

/// A request (destination, message, payload pages) to send once the receive side is armed.
type Request = (u32, Msg, u32, u32);

fn exchange(request: Option<Request>, payload: u32, pages: u32) -> Option<(u32, Msg, u32)> {
    let mut n = NIC.lock();
    while n.busy {
        n = proc::sleep(chan(), n);
    }
    n.busy = true;
    n.got = None;
    n.armed = true;
    let pa = hal::v2p(n.rx.0.as_ptr() as u32);
    let mut ok = hal::net_recv(pa, HEADER as u32, payload, pages);
    if ok && let Some((to, msg, send_at, send_pages)) = request {
        drop(n);
        ok = send(to, msg, send_at, send_pages);
        n = NIC.lock();
    }
    // A frame may already be in (it was queued): the interrupt comes at the monitor's next
    // quantum, or look now.
    if ok {
        take(&mut n);
    }
    while ok && n.got.is_none() {
        n = proc::sleep(chan(), n);
    }
    n.armed = false;
    n.busy = false;
    let got = n.got.take();
    let h = n.rx.0;
    drop(n);
    proc::wakeup(chan());
    let status = got?;
    let word =
        |k: usize| u32::from_le_bytes([h[16 + 4 * k], h[17 + 4 * k], h[18 + 4 * k], h[19 + 4 * k]]);
    let from = wire::vm_of(&h[6..12]).unwrap_or(u32::MAX);
    let pages = (status >> wire::PAGES_SHIFT) & 0xFF;
    Some((from, Msg([word(0), word(1), word(2), word(3)]), pages))
}

/// Takes a received frame's status (acknowledging it) if one is in and a receiver waits.
fn take(n: &mut Nic) -> bool {
    if !n.armed || n.got.is_some() {
        return false;
    }
    let s = hal::net_status();
    if s & RECEIVED == 0 {
        return false;
    }
    hal::net_ack();
    n.got = Some(s);
    true
}

/// The network interrupt (device source `NET`).
pub fn interrupt() {
    let mut n = NIC.lock();
    let woke = take(&mut n);
    drop(n);
    if woke {
        proc::wakeup(chan());
    }
}
