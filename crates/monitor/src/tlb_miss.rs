//! TLB-miss service (paper §4.2.2). A hardware TLB miss of a guest traps to the monitor, which
//! serves it itself when it can and forwards it to the guest only when the guest's own TLB
//! does not know the page — the four routes of [`MissRoute`]:
//!
//! - the kernel segment: the monitor's **direct map** (guest-physical p at `KSEG + p`, in place
//!   of kseg0), or the guest's own TLB entry there, or the special page;
//! - a user address: the **second-level TLB** (a large software cache of machine
//!   translations), then the guest's **virtual TLB** — translating the guest-physical frame to
//!   a machine page through the pmap, allocating it on first touch on the node of the CPU that
//!   touches it — and caching the result in the L2TLB;
//! - **forwarded**: the guest's refill handler (it does not know the page either) or its
//!   general vector (the guest's entry is there but invalid or clean).
//!
//! Every translation the monitor installs is recorded in the pmap's back-maps, so that
//! `shootdown.rs` can find it again. A replicated page (`replicate.rs`) is mapped to the copy on
//! the missing CPU's node, never writable; a store to it comes back here as a TLB-modification
//! exception, and the copies collapse before the store is retried.

use machine::Machine;
use mips::Exception;
use mips::tlb::TlbEntry;

use crate::cost::Kind;
use crate::deliver::GuestException;
use crate::ids::{Gppn, Mppn, VcpuRef};
use crate::l2tlb::L2Entry;
use crate::monitor::{KSEG, Monitor};
use crate::pmap::Backmap;
use crate::special_page::GUEST_VA as SPECIAL_VA;

/// Where a TLB miss went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissRoute {
    /// Served from the kernel segment's direct map (or the guest's entry there, or the
    /// special page).
    DirectMap,
    /// Served from the second-level TLB.
    L2Tlb,
    /// Served from the guest's virtual TLB, translated through the pmap.
    VirtualTlb,
    /// The guest handles it: through its TLB-refill vector (`refill`: it has no entry for the
    /// page) or its general vector (its entry is invalid there).
    Forward {
        /// To the refill vector.
        refill: bool,
    },
}

/// One 4 KB page of a kernel-segment refill.
#[derive(Clone, Copy)]
struct SegmentLo {
    /// Its machine EntryLo (0: invalid).
    lo: u32,
    /// A guest TLB entry (or the special page) decided it, not the direct map.
    from_guest: bool,
    /// That guest entry belongs to one address space only (not global).
    local: bool,
}

/// EntryLo of a machine page: cacheable, with the guest's D, V and G bits.
pub(crate) fn machine_lo(mppn: Mppn, guest_lo: u32) -> u32 {
    mppn.0 << 6 | 3 << 3 | (guest_lo & 0b111)
}

/// The guest-physical page an EntryLo names for the 4 KB page at `page_va` of a
/// `page_size`-byte page.
pub(crate) fn guest_frame(lo: u32, page_size: u32, page_va: u32) -> Gppn {
    let gpa = (((lo >> 6) & 0xF_FFFF) << 12 & !(page_size - 1)) | (page_va & (page_size - 1));
    Gppn::of_gpa(gpa)
}

impl Monitor {
    /// Serves a TLB exception, or forwards it to the guest; true if the monitor's refill fast
    /// path served it (the hardware refill vector, a lookup, a TLB write, ERET).
    pub(crate) fn tlb_fault(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        e: &Exception,
    ) -> bool {
        let f = e.fault;
        let va = f.vaddr;
        if !f.refill {
            // A store to a replicated page (mapped read-only whatever the guest allows) is the
            // monitor's: the copies collapse and the store is retried.
            if f.code == mips::ExcCode::Mod && self.write_to_replica(m, p, r, e) {
                return false;
            }
            // The hardware entry came from a guest entry that is invalid or clean there: the
            // guest decides (its page-fault path).
            self.forward(m, p, r, e);
            return false;
        }
        let route = if (KSEG..abi::segments::KSEG3).contains(&va) {
            self.refill_kernel_segment(m, p, r, va)
        } else if va < abi::segments::KSEG0 {
            self.refill_user(m, p, r, va)
        } else {
            MissRoute::Forward { refill: true }
        };
        match route {
            MissRoute::Forward { refill } => {
                self.vms[r.vm].stats.refills_forwarded += 1;
                self.pcpus[p].utlb_forwarded = refill && f.is_user_refill();
                let x =
                    GuestException { code: f.code, vaddr: va, refill, ce: 0, epc: e.epc, bd: e.bd };
                self.deliver(m, p, r, x);
                false
            }
            MissRoute::DirectMap | MissRoute::L2Tlb | MissRoute::VirtualTlb => {
                m.cpus[p].retry(e);
                true
            }
        }
    }

    /// Inserts a translation into physical CPU `p`'s TLB.
    fn insert_hw(&mut self, m: &mut Machine, p: usize, va: u32, asid: u8, lo0: u32, lo1: u32) {
        let cpu = &mut m.cpus[p];
        let index = cpu.random() as usize;
        cpu.write_tlb_entry(
            index,
            TlbEntry { hi: (va & !0x1FFF) | u32::from(asid), mask: 0, lo0, lo1 },
        );
    }

    /// The machine EntryLo for one 4 KB page of the kernel segment (0: invalid), whether a
    /// guest TLB entry decided it, and whether that entry is of one address space only.
    fn kernel_segment_lo(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        page_va: u32,
        asid: u8,
    ) -> SegmentLo {
        if page_va == SPECIAL_VA {
            let special = self.vcpu(r).special.0;
            return SegmentLo { lo: machine_lo(special, 0b111), from_guest: true, local: false };
        }
        let node = self.node_of_cpu(p);
        let backmap = Backmap { vcpu: r.vcpu, asid, vpn: page_va >> 12 };
        // A guest TLB entry for the segment takes precedence over the direct map.
        let vtlb = &self.vcpu(r).vtlb;
        let guest = vtlb.find(page_va, asid).map(|i| vtlb.get(i));
        if let Some(e) = guest {
            let lo = e.lo_for(page_va);
            let gppn = guest_frame(lo, e.page_size(), page_va);
            let lo = match (lo & 2 != 0).then(|| self.guest_page_by(m, p, r, gppn, node)).flatten()
            {
                Some(mppn) => {
                    self.vms[r.vm].pmap.add_backmap(gppn, backmap);
                    self.mapped_lo(r.vm, gppn, node, mppn, lo)
                }
                None => 0,
            };
            return SegmentLo { lo, from_guest: true, local: !e.global() };
        }
        let gppn = Gppn::of_gpa(page_va - KSEG);
        let lo = match self.guest_page_by(m, p, r, gppn, node) {
            Some(mppn) => {
                self.vms[r.vm].pmap.add_backmap(gppn, backmap);
                self.mapped_lo(r.vm, gppn, node, mppn, 0b111)
            }
            None => 0,
        };
        SegmentLo { lo, from_guest: false, local: false }
    }

    /// A miss in the kernel segment.
    fn refill_kernel_segment(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        va: u32,
    ) -> MissRoute {
        let asid = (m.cpus[p].cp0.entry_hi & 0xFF) as u8;
        let even = va & !0x1FFF;
        let half0 = self.kernel_segment_lo(m, p, r, even, asid);
        let half1 = self.kernel_segment_lo(m, p, r, even + 0x1000, asid);
        let mine = if va & 0x1000 == 0 { half0 } else { half1 };
        if mine.lo & 2 == 0 {
            // Outside the VM's memory (or the guest's own invalid entry): its problem.
            return MissRoute::Forward { refill: !mine.from_guest };
        }
        // Global: the direct map and the special page are the same in every guest address
        // space. A page the guest mapped with an entry of one ASID is only there.
        let g = u32::from(!(half0.local || half1.local));
        self.insert_hw(m, p, va, asid, (half0.lo & !1) | g, (half1.lo & !1) | g);
        self.vms[r.vm].stats.refills_direct += 1;
        let cost = self.cfg.cost.refill_direct;
        self.charge(m, p, r, Kind::TlbMiss, cost);
        MissRoute::DirectMap
    }

    /// Translates a guest entry's page containing `page_va` to a machine EntryLo (0 if the
    /// guest page is invalid or outside the VM).
    fn guest_lo(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        e: &TlbEntry,
        page_va: u32,
    ) -> u32 {
        let lo = e.lo_for(page_va);
        if lo & 2 == 0 {
            return lo & !2;
        }
        let gppn = guest_frame(lo, e.page_size(), page_va & !0xFFF);
        let node = self.node_of_cpu(p);
        match self.guest_page_by(m, p, r, gppn, node) {
            Some(mppn) => {
                let asid = (e.hi & 0xFF) as u8;
                self.vms[r.vm]
                    .pmap
                    .add_backmap(gppn, Backmap { vcpu: r.vcpu, asid, vpn: page_va >> 12 });
                self.mapped_lo(r.vm, gppn, node, mppn, lo)
            }
            // A frame outside the VM's memory: the guest cannot reach it.
            None => 0,
        }
    }

    /// A miss on a user address: the second-level TLB, then the guest's TLB.
    fn refill_user(&mut self, m: &mut Machine, p: usize, r: VcpuRef, va: u32) -> MissRoute {
        let asid = (m.cpus[p].cp0.entry_hi & 0xFF) as u8;
        if let Some(l2) = self.vcpu_mut(r).l2tlb.lookup(va, asid) {
            let mine = if va & 0x1000 == 0 { l2.lo0 } else { l2.lo1 };
            if mine & 2 != 0 {
                self.insert_hw(m, p, va, asid, l2.lo0, l2.lo1);
                self.vms[r.vm].stats.refills_l2tlb += 1;
                let cost = self.cfg.cost.refill_l2tlb;
                self.charge(m, p, r, Kind::TlbMiss, cost);
                return MissRoute::L2Tlb;
            }
        }
        let v = self.vcpu(r);
        let Some(ix) = v.vtlb.find(va, asid) else {
            return MissRoute::Forward { refill: true };
        };
        let e = v.vtlb.get(ix);
        let even = va & !0x1FFF;
        let lo0 = self.guest_lo(m, p, r, &e, even);
        let lo1 = self.guest_lo(m, p, r, &e, even + 0x1000);
        let mine = if va & 0x1000 == 0 { lo0 } else { lo1 };
        if mine & 2 == 0 {
            // The guest's entry is there but invalid: a TLB-invalid exception for the guest.
            return MissRoute::Forward { refill: false };
        }
        let global = e.global();
        let (lo0, lo1) = if global { (lo0 | 1, lo1 | 1) } else { (lo0 & !1, lo1 & !1) };
        self.vcpu_mut(r).l2tlb.insert(L2Entry { vpn2: va >> 13, asid, global, lo0, lo1 });
        self.insert_hw(m, p, va, asid, lo0, lo1);
        self.vms[r.vm].stats.refills_vtlb += 1;
        let cost = self.cfg.cost.refill_vtlb;
        self.charge(m, p, r, Kind::TlbMiss, cost);
        MissRoute::VirtualTlb
    }
}
