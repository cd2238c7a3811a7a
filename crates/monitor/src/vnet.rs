//! The virtual subnet (paper §4.2.6): a network between the VMs of one monitor, with a virtual
//! network interface per VM, its own MAC ([`abi::mcall::net::mac`] of the VM's index) and no
//! MTU. Like the virtual disk (`vdisk.rs`), the interface is a set of monitor calls — the
//! paper's "special drivers using monitor calls", all arguments in one trap — not trapped
//! device registers:
//!
//! | call | arguments | result |
//! |---|---|---|
//! | `net_send` (16) | header gpa, header bytes (14..=4096), payload gpa, payload pages (0..=255) | 0 |
//! | `net_recv` (17) | header gpa, header room, payload gpa, payload room (pages) | 0; Busy while a frame is unacknowledged |
//! | `net_status` (18) | | bit 0 received, 1 armed, 2 truncated; pages at bit 8, header bytes at bit 16 |
//! | `net_ack` (19) | | 0; the frame and its interrupt are cleared |
//! | `net_wait` (20) | | as `net_status`; armed and empty, the VCPU waits for a frame |
//!
//! **Frames** are scatter-gather: a header (an Ethernet-style link header — destination MAC,
//! source MAC, type — and whatever the protocol above puts after it) and a payload of whole
//! 4 KB pages. The monitor writes the sender's own MAC into the source field (a VM cannot
//! claim another's), delivers to the VM the destination MAC names, or to every other VM for
//! the broadcast MAC, and drops a frame to an unknown MAC, to the sender itself or to a VM
//! that has powered off. A VM only ever receives frames addressed to it or broadcast.
//!
//! **Remap instead of copy.** A payload page whose sender address and receive address are both
//! page-aligned is not copied: the sender's machine page becomes read-only and shared
//! ([`PageOwner::Shared`], the copy-on-write machinery of `disk_cache.rs`) and the receiver's
//! guest page maps it, its old machine page released. A later store by either side breaks the
//! share with a charged copy and an [`EventKind::CowBreak`]. A sender page that was a private
//! page of the disk-block cache is compared with the base block first: still the base's bytes,
//! it stays in the cache (NFS: the server's buffer-cache page becomes the client's — one
//! global buffer cache across VMs); changed, the cache forgets it. Everything else — a header,
//! an unaligned buffer, a replicated page or one a disk transfer targets, a frame queued
//! because the receiver was not armed — is copied, charged per byte as a share of a page copy.
//!
//! **Timing and determinism.** A frame is placed in the receiver's armed buffer during the
//! sender's `net_send` (the sender's trap is a deterministic point), receivers in VM order for
//! a broadcast; a receiver not armed gets it queued (at most [`QUEUE`] frames, then dropped)
//! and placed when it arms. The receive interrupt (device source `NET`, on VCPU 0) and the
//! wake-up of a VCPU in `net_wait` come at the next quantum boundary, VM by VM in order —
//! the subnet's latency. The interface's state is the monitor's, so a snapshot keeps it.

use std::collections::VecDeque;

use abi::mcall::Error;
use abi::mcall::net::{self as wire, ARMED, HEADER_SHIFT, PAGES_SHIFT, RECEIVED, TRUNCATED};
use machine::Machine;

use crate::cost::Kind;
use crate::events::EventKind;
use crate::ids::{Gppn, VcpuId, VcpuRef, VmId};
use crate::mcall::CallResult;
use crate::memmap::PageOwner;
use crate::monitor::Monitor;

/// Frames a receiver not armed can have waiting; more are dropped.
pub const QUEUE: usize = 32;

/// Where a VM's next frame goes (set by `net_recv`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RxBuffer {
    /// Guest-physical address of the header buffer.
    pub header: u32,
    /// Its size, bytes.
    pub header_room: u32,
    /// Guest-physical address of the payload buffer.
    pub payload: u32,
    /// Its size, pages.
    pub payload_room: u32,
}

/// A frame waiting for its receiver to arm a buffer (its bytes copied out of the sender).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QueuedFrame {
    /// The header, source MAC stamped.
    pub header: Vec<u8>,
    /// The payload, whole pages.
    pub payload: Vec<u8>,
}

/// What one VM's interface counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NetStats {
    /// Frames it sent.
    pub sent: u64,
    /// Frames it received.
    pub received: u64,
    /// Bytes the monitor copied into it (headers, unaligned payloads, queued frames).
    pub bytes_copied: u64,
    /// Payload pages it received by remapping instead of copying.
    pub pages_remapped: u64,
    /// Frames for it dropped (its queue full), or from it dropped (no such receiver).
    pub dropped: u64,
}

/// A VM's virtual network interface.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct VNic {
    /// The armed receive buffer, if any.
    pub rx: Option<RxBuffer>,
    /// A frame was received and not yet acknowledged (its interrupt is pending).
    pub received: bool,
    /// That frame did not fit the buffer.
    pub truncated: bool,
    /// Its header bytes placed.
    pub rx_header: u32,
    /// Its payload pages placed.
    pub rx_pages: u32,
    /// Frames waiting for a buffer, oldest first.
    pub inbox: VecDeque<QueuedFrame>,
    /// A VCPU descheduled by `net_wait`.
    pub waiter: Option<VcpuRef>,
    /// A frame arrived since the last quantum boundary: wake the VM then.
    pub wake: bool,
    /// Counters.
    pub stats: NetStats,
}

impl VNic {
    /// The `net_status` word.
    pub fn status(&self) -> u32 {
        (if self.received { RECEIVED } else { 0 })
            | (if self.rx.is_some() { ARMED } else { 0 })
            | (if self.truncated { TRUNCATED } else { 0 })
            | (self.rx_pages & 0xFF) << PAGES_SHIFT
            | (self.rx_header & 0xFFFF) << HEADER_SHIFT
    }
}

/// A frame's payload as delivered: still in the sender's memory (remappable), or bytes.
enum Payload<'a> {
    Sender { vm: VmId, gpa: u32, pages: u32 },
    Bytes(&'a [u8]),
}

impl Payload<'_> {
    fn pages(&self) -> u32 {
        match self {
            Payload::Sender { pages, .. } => *pages,
            Payload::Bytes(b) => (b.len() / 4096) as u32,
        }
    }
}

impl Monitor {
    /// Is `[gpa, gpa + len)` inside VM `vm`'s memory?
    fn inside(&self, vm: VmId, gpa: u32, len: u32) -> bool {
        gpa.checked_add(len).is_some_and(|end| end <= self.vms[vm].memory_bytes())
    }

    /// `net_send(header gpa, header bytes, payload gpa, payload pages)` by `r` on CPU `p`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn net_send(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        header: u32,
        header_len: u32,
        payload: u32,
        pages: u32,
    ) -> CallResult {
        if !(wire::LINK_HEADER..=wire::MAX_HEADER).contains(&header_len) || pages > wire::MAX_PAGES
        {
            return Err(Error::BadArg);
        }
        if !self.inside(r.vm, payload, pages * 4096) {
            return Err(Error::BadAddress);
        }
        let mut h = self.read_guest(m, r.vm, header, header_len).ok_or(Error::BadAddress)?;
        h[6..12].copy_from_slice(&wire::mac(r.vm.index() as u32));
        let dests: Vec<VmId> = if h[..6] == wire::BROADCAST {
            (0..self.vms.len()).map(VmId::of_index).filter(|&d| d != r.vm).collect()
        } else {
            wire::vm_of(&h[..6])
                .map(|d| VmId::of_index(d as usize))
                .filter(|&d| d.index() < self.vms.len() && d != r.vm)
                .into_iter()
                .collect()
        };
        let dests: Vec<VmId> =
            dests.into_iter().filter(|&d| self.vms[d].halted.is_none()).collect();
        self.vms[r.vm].net.stats.sent += 1;
        if dests.is_empty() {
            self.vms[r.vm].net.stats.dropped += 1;
        }
        let mut work = self.cfg.cost.device;
        for d in dests {
            let nic = &self.vms[d].net;
            if nic.rx.is_some() && !nic.received {
                let from = Payload::Sender { vm: r.vm, gpa: payload, pages };
                work += self.net_deliver(m, p, r, d, &h, from);
            } else if nic.inbox.len() < QUEUE {
                let bytes = self.read_guest(m, r.vm, payload, pages * 4096).unwrap_or_default();
                work += self.cfg.cost.page_copy * (bytes.len() as u64) / 4096;
                self.vms[d].net.inbox.push_back(QueuedFrame { header: h.clone(), payload: bytes });
            } else {
                self.vms[d].net.stats.dropped += 1;
            }
        }
        self.charge(m, p, r, Kind::Devices, work);
        Ok(0)
    }

    /// `net_recv(header gpa, header room, payload gpa, payload room)` by `r` on CPU `p`: arms
    /// the buffer, and places the oldest queued frame at once if there is one.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn net_recv(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        header: u32,
        header_room: u32,
        payload: u32,
        payload_room: u32,
    ) -> CallResult {
        if header_room > wire::MAX_HEADER || payload_room > wire::MAX_PAGES {
            return Err(Error::BadArg);
        }
        if !self.inside(r.vm, header, header_room)
            || !self.inside(r.vm, payload, payload_room * 4096)
        {
            return Err(Error::BadAddress);
        }
        if self.vms[r.vm].net.received {
            return Err(Error::Busy);
        }
        self.vms[r.vm].net.rx = Some(RxBuffer { header, header_room, payload, payload_room });
        if let Some(f) = self.vms[r.vm].net.inbox.pop_front() {
            let work = self.net_deliver(m, p, r, r.vm, &f.header, Payload::Bytes(&f.payload));
            self.charge(m, p, r, Kind::Devices, work);
        }
        Ok(0)
    }

    /// `net_status()`.
    pub(crate) fn net_status(&self, r: VcpuRef) -> CallResult {
        Ok(self.vms[r.vm].net.status())
    }

    /// `net_ack()`: the received frame is the guest's now; its interrupt goes.
    pub(crate) fn net_ack(&mut self, r: VcpuRef) -> CallResult {
        let nic = &mut self.vms[r.vm].net;
        nic.received = false;
        nic.truncated = false;
        nic.rx_header = 0;
        nic.rx_pages = 0;
        Ok(0)
    }

    /// `net_wait()`: the status; sets `block` while the buffer is armed and empty.
    pub(crate) fn net_wait(&mut self, r: VcpuRef, block: &mut bool) -> CallResult {
        let nic = &mut self.vms[r.vm].net;
        *block = nic.rx.is_some() && !nic.received;
        if *block {
            nic.waiter = Some(r);
        }
        Ok(nic.status())
    }

    /// Places a frame in VM `d`'s armed buffer (which it disarms), remapping what it can;
    /// the monitor cycles it took, which the caller charges on CPU `p` for `r`.
    fn net_deliver(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        d: VmId,
        header: &[u8],
        payload: Payload<'_>,
    ) -> u64 {
        let Some(rx) = self.vms[d].net.rx.take() else { return 0 };
        let h = header.len().min(rx.header_room as usize);
        let mut copied = h as u64;
        self.write_guest(m, d, rx.header, &header[..h]);
        let pages = payload.pages().min(rx.payload_room);
        let mut remapped = 0u64;
        for i in 0..pages {
            let to = rx.payload + i * 4096;
            if let Payload::Sender { vm: s, gpa, .. } = payload {
                let from = gpa + i * 4096;
                if from & 0xFFF == 0
                    && to & 0xFFF == 0
                    && self.net_remap(m, p, r, s, Gppn::of_gpa(from), d, Gppn::of_gpa(to))
                {
                    remapped += 1;
                    continue;
                }
            }
            let bytes = match &payload {
                Payload::Sender { vm: s, gpa, .. } => {
                    self.read_guest(m, *s, gpa + i * 4096, 4096).unwrap_or_default()
                }
                Payload::Bytes(b) => b[(i * 4096) as usize..][..4096].to_vec(),
            };
            self.write_guest(m, d, to, &bytes);
            copied += 4096;
        }
        let nic = &mut self.vms[d].net;
        nic.received = true;
        nic.truncated = h < header.len() || pages < payload.pages();
        nic.rx_header = h as u32;
        nic.rx_pages = pages;
        nic.wake = true;
        nic.stats.received += 1;
        nic.stats.bytes_copied += copied;
        nic.stats.pages_remapped += remapped;
        self.cfg.cost.page_copy * copied / 4096 + self.cfg.cost.page_remap * remapped
    }

    /// Maps VM `s`'s guest page `sg` read-only at VM `d`'s guest page `dg` (both sharing the
    /// machine page from now on, copy-on-write); false if the page cannot be shared (then
    /// the caller copies). CPU `p` does the work for `r`.
    #[allow(clippy::too_many_arguments)]
    fn net_remap(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        s: VmId,
        sg: Gppn,
        d: VmId,
        dg: Gppn,
    ) -> bool {
        let Some(page) = self.vms[s].pmap.get(sg) else { return false };
        let dv = &self.vms[d];
        if self.vms[s].pmap.is_replicated(sg)
            || self.dma_targets(s, page)
            || !dv.pmap.contains(dg)
            || dv.pmap.is_replicated(dg)
            || dv.pmap.get(dg).is_some_and(|old| self.dma_targets(d, old))
        {
            return false;
        }
        if dv.pmap.get(dg) == Some(page) {
            return true;
        }
        match self.memmap.owner(page) {
            PageOwner::Shared => {}
            PageOwner::Vm { vm, gppn } if (vm, gppn) == (s, sg) => {
                // The sender keeps the page, read-only from now on: its writable translations go.
                let shot = self.shootdown(m, s, sg);
                self.charge_interrupts(m, Some(p), r, &shot.cpus);
                if !self.cache_page_still_base(m, p, r, page) {
                    self.disk_cache.forget_page(page);
                }
                if self.disk_cache.block_of(page).is_none() {
                    self.net_pages.insert(page);
                }
                self.memmap.share(page, vec![(s, sg)]);
            }
            _ => return false,
        }
        if self.vms[d].pmap.get(dg).is_some() {
            let shot = self.shootdown(m, d, dg);
            self.charge_interrupts(m, Some(p), r, &shot.cpus);
            self.release(m, d, dg);
        }
        self.vms[d].pmap.set(dg, page);
        self.memmap.add_sharer(page, d, dg);
        let sharers = self.memmap.sharers(page).len() as u32;
        self.events.push(
            m.now(),
            EventKind::NetRemap { from: s, from_gppn: sg, to: d, to_gppn: dg, page, sharers },
        );
        true
    }

    /// Between quanta: raises the receive interrupt of every VM a frame reached since the last
    /// boundary, and wakes what waits for it (VM by VM, in order).
    pub(crate) fn poll_net(&mut self) {
        for k in 0..self.vms.len() {
            let vm = VmId::of_index(k);
            if !std::mem::take(&mut self.vms[vm].net.wake) {
                continue;
            }
            let waiter = self.vms[vm].net.waiter.take();
            self.wake(VcpuRef { vm, vcpu: VcpuId(0) });
            if let Some(w) = waiter {
                self.wake(w);
            }
        }
    }

    /// The subnet's counters, all VMs together.
    pub fn net_totals(&self) -> NetStats {
        let mut t = NetStats::default();
        for v in &self.vms {
            let s = v.net.stats;
            t.sent += s.sent;
            t.received += s.received;
            t.bytes_copied += s.bytes_copied;
            t.pages_remapped += s.pages_remapped;
            t.dropped += s.dropped;
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_packs_pages_and_header_bytes() {
        let nic = VNic {
            rx: None,
            received: true,
            truncated: true,
            rx_header: 40,
            rx_pages: 3,
            ..VNic::default()
        };
        let s = nic.status();
        assert_eq!(s & (RECEIVED | ARMED | TRUNCATED), RECEIVED | TRUNCATED);
        assert_eq!((s >> PAGES_SHIFT) & 0xFF, 3);
        assert_eq!(s >> HEADER_SHIFT, 40);
    }

    #[test]
    fn macs_name_vms_and_nothing_else() {
        assert_eq!(wire::vm_of(&wire::mac(7)), Some(7));
        assert_eq!(wire::vm_of(&wire::mac(300)), Some(300));
        assert_eq!(wire::vm_of(&wire::BROADCAST), None);
        assert_eq!(wire::vm_of(&[0x02, 0xD1, 0x5C, 0x01, 0, 1]), None);
    }
}
