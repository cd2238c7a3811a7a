//! TLB shootdown: dropping translations the monitor's TLBs hold — the physical CPUs' hardware
//! TLBs and the virtual CPUs' second-level TLBs — when what they translate changes.
//!
//! - The guest changed its own TLB (TLBWI over an entry, TLBP before an update, the
//!   `tlb_flush` / `tlb_invalidate` monitor calls): drop what was cached from the old entry.
//! - The monitor changes the machine page behind a guest page (zeroing it afresh, migrating or
//!   replicating it, paper §4.2.3): [`Monitor::shootdown`] drops every translation of that
//!   guest page, found through the pmap's back-maps. A virtual CPU's translations live in its
//!   L2TLB and, only while it runs, in its physical CPU's TLB (the hardware TLB is flushed
//!   whenever another VCPU is put on the CPU), so the physical CPUs to interrupt are those
//!   running a VCPU named in the back-maps. Each such CPU other than the caller's would take an
//!   inter-processor interrupt on real hardware; the result says which, so the caller can
//!   charge them.

use machine::Machine;
use mips::tlb::TlbEntry;

use crate::ids::{Gppn, Mppn, PcpuId, VcpuId, VcpuRef, VmId};
use crate::monitor::Monitor;
use crate::pmap::Backmap;

/// What a shootdown did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shootdown {
    /// Physical CPUs whose hardware TLB lost an entry (each is interrupted, unless it is the
    /// CPU doing the shootdown).
    pub cpus: Vec<PcpuId>,
    /// Hardware TLB entries dropped.
    pub hw_entries: u32,
    /// The back-maps had overflowed: every translation of the VM was dropped.
    pub whole_vm: bool,
}

impl Monitor {
    /// Drops every translation of VM `vm`'s guest page `gppn` from every TLB the monitor
    /// manages: hardware TLBs of the physical CPUs running the VM's VCPUs that map it, and
    /// those VCPUs' second-level TLBs. The page's back-maps are consumed (the next refill
    /// records them again).
    pub fn shootdown(&mut self, m: &mut Machine, vm: VmId, gppn: Gppn) -> Shootdown {
        self.shootdown_with(m, vm, gppn, false).0
    }

    /// A shootdown for a page whose machine page is about to change under the same guest
    /// mappings (a migration, a new replica): the hardware TLBs lose the page as in
    /// [`Monitor::shootdown`], but the second-level TLBs keep their entries, to be pointed at
    /// the new machine page by [`Monitor::retarget`] once the pmap says which it is. The guest's
    /// view (virtual page → guest-physical page) has not changed, so there is nothing to
    /// forget: dropping the entries instead sent every later miss on the page through the
    /// guest's own refill handler, whose privileged instructions the monitor emulates. The
    /// back-maps returned are the ones to retarget (`None`: there were too many to track, and
    /// every translation of the VM is gone).
    pub(crate) fn shootdown_keeping_l2(
        &mut self,
        m: &mut Machine,
        vm: VmId,
        gppn: Gppn,
    ) -> (Shootdown, Option<Vec<Backmap>>) {
        self.shootdown_with(m, vm, gppn, true)
    }

    /// Points the second-level TLB entries of `backmaps` (from
    /// [`Monitor::shootdown_keeping_l2`]), which named machine page `from`, at the machine page
    /// the pmap now gives VM `vm`'s guest page `gppn` on each VCPU's node (its local replica if
    /// it has one). An entry that named another page is dropped; the back-maps of the entries
    /// kept are recorded again.
    pub(crate) fn retarget(&mut self, vm: VmId, gppn: Gppn, from: Mppn, backmaps: Vec<Backmap>) {
        let Some(master) = self.vms.get(vm.index()).and_then(|v| v.pmap.get(gppn)) else {
            return;
        };
        for b in backmaps {
            let r = VcpuRef { vm, vcpu: b.vcpu };
            let pcpu = self.running_pcpu(r).unwrap_or_else(|| self.vcpu(r).home.index());
            let node = self.node_of_cpu(pcpu);
            // The machine EntryLo the pmap gives the page on that node, with every flag the
            // guest could have set; the entry keeps its own flags, less those (a replica is
            // read-only).
            let template = self.mapped_lo(vm, gppn, node, master, 0b111);
            let to = move |old: u32| (template & !0b111) | (old & template & 0b111);
            if self.vcpu_mut(r).l2tlb.retarget(b.vpn, b.asid, from.0, to) {
                self.vms[vm].pmap.add_backmap(gppn, b);
            }
        }
    }

    fn shootdown_with(
        &mut self,
        m: &mut Machine,
        vm: VmId,
        gppn: Gppn,
        keep_l2: bool,
    ) -> (Shootdown, Option<Vec<Backmap>>) {
        let mut done = Shootdown::default();
        let Some(v) = self.vms.get_mut(vm.index()) else { return (done, Some(Vec::new())) };
        let backmaps: Vec<Backmap> = match v.pmap.take_backmaps(gppn) {
            Some(list) => list,
            None => {
                done.whole_vm = true;
                let vcpus = v.vcpus.len();
                for j in 0..vcpus {
                    let r = VcpuRef { vm, vcpu: VcpuId::of_index(j) };
                    self.vcpu_mut(r).l2tlb.flush();
                    if let Some(p) = self.running_pcpu(r) {
                        done.hw_entries += flush_hw_tlb(m, p);
                        done.cpus.push(PcpuId::of_index(p));
                    }
                }
                return (done, None);
            }
        };
        for &b in &backmaps {
            let r = VcpuRef { vm, vcpu: b.vcpu };
            let va = b.vpn << 12;
            // The L2TLB and the hardware TLB hold the even/odd pair: the pair goes (from the
            // L2TLB only if it is not to be retargeted).
            if !keep_l2 {
                self.vcpu_mut(r).l2tlb.invalidate_all_asids(va >> 13);
            }
            if let Some(p) = self.running_pcpu(r) {
                let cpu = &mut m.cpus[p];
                let mut dropped = 0;
                for i in 0..cpu.mmu.tlb.len() {
                    let e = cpu.mmu.tlb.get(i);
                    let span = e.page_size().saturating_mul(2);
                    let base = e.hi & !(span.wrapping_sub(1)) & !0x1FFF;
                    let valid = e.lo0 & 2 != 0 || e.lo1 & 2 != 0;
                    if valid && (base..base.wrapping_add(span)).contains(&va) {
                        cpu.write_tlb_entry(i, TlbEntry::unused(i));
                        dropped += 1;
                    }
                }
                if dropped > 0 {
                    done.hw_entries += dropped;
                    let id = PcpuId::of_index(p);
                    if !done.cpus.contains(&id) {
                        done.cpus.push(id);
                    }
                }
            }
        }
        (done, Some(backmaps))
    }

    /// The physical CPU virtual CPU `r` runs on now.
    fn running_pcpu(&self, r: VcpuRef) -> Option<usize> {
        (0..self.pcpus.len()).find(|&p| self.pcpus[p].running == Some(r))
    }

    /// Forgets the cached translations of the page pair of EntryHi `hi` (its VPN2 and ASID)
    /// in the virtual CPU's second-level TLB and, if it runs on `p`, the physical TLB.
    pub(crate) fn drop_cached_pair(&mut self, m: &mut Machine, p: usize, r: VcpuRef, hi: u32) {
        let asid = (hi & 0xFF) as u8;
        self.vcpu_mut(r).l2tlb.invalidate(hi, asid);
        if self.pcpus[p].running == Some(r) {
            let cpu = &mut m.cpus[p];
            for i in 0..cpu.mmu.tlb.len() {
                if cpu.mmu.tlb.get(i).matches(hi & !0x1FFF, asid) {
                    cpu.write_tlb_entry(i, TlbEntry::unused(i));
                }
            }
        }
    }

    /// Forgets what the monitor's TLBs cached from a guest entry's address range in the
    /// entry's address space (every address space for a global entry). Another address
    /// space's translation of the same pages is not the guest's concern here, and keeping it
    /// is what lets the processes of a multiprogrammed guest share the second-level TLB. The
    /// physical TLB drops every overlapping entry whatever its ASID (it holds few).
    pub(crate) fn drop_translations(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        e: &TlbEntry,
    ) {
        let span = e.page_size().saturating_mul(2);
        let base = e.hi & !(span.wrapping_sub(1));
        let pairs = (span / 8192).clamp(1, 1 << 16);
        let (global, asid) = (e.global(), (e.hi & 0xFF) as u8);
        let v = self.vcpu_mut(r);
        for k in 0..pairs {
            let vpn2 = (base >> 13) + k;
            if global {
                v.l2tlb.invalidate_all_asids(vpn2);
            } else {
                v.l2tlb.invalidate(vpn2 << 13, asid);
            }
        }
        if self.pcpus[p].running == Some(r) {
            let cpu = &mut m.cpus[p];
            for i in 0..cpu.mmu.tlb.len() {
                let h = cpu.mmu.tlb.get(i);
                let hv = h.hi & !0x1FFF;
                if (base..base.wrapping_add(span)).contains(&hv) || (span == 0 && hv == base) {
                    cpu.write_tlb_entry(i, TlbEntry::unused(i));
                }
            }
        }
    }

    /// Drops every non-wired entry of the virtual CPU's TLB and everything the monitor cached
    /// for it (the `tlb_flush` monitor call).
    pub(crate) fn flush_vcpu_tlbs(&mut self, m: &mut Machine, p: usize, r: VcpuRef) {
        let v = self.vcpu_mut(r);
        let wired = v.wired as usize;
        for i in wired..v.vtlb.len() {
            v.vtlb.set(i, TlbEntry::unused(i));
        }
        v.l2tlb.flush();
        if self.pcpus[p].running == Some(r) {
            flush_hw_tlb(m, p);
        }
    }

    /// Drops the translation of `va` for `asid` from the virtual CPU's TLBs (the
    /// `tlb_invalidate` monitor call).
    pub(crate) fn invalidate_page(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        va: u32,
        asid: u8,
    ) {
        let v = self.vcpu_mut(r);
        if let Some(ix) = v.vtlb.probe((va & !0x1FFF) | u32::from(asid)) {
            let old = v.vtlb.get(ix);
            v.vtlb.set(ix, TlbEntry::unused(ix));
            self.drop_translations(m, p, r, &old);
        }
        self.vcpu_mut(r).l2tlb.invalidate(va, asid);
        if self.pcpus[p].running == Some(r) {
            let cpu = &mut m.cpus[p];
            if let Some(ix) = cpu.mmu.tlb.probe((va & !0x1FFF) | u32::from(asid)) {
                cpu.write_tlb_entry(ix, TlbEntry::unused(ix));
            }
        }
    }
}

/// Invalidates every entry of physical CPU `p`'s TLB; the entries that were valid.
pub(crate) fn flush_hw_tlb(m: &mut Machine, p: usize) -> u32 {
    let cpu = &mut m.cpus[p];
    let mut valid = 0;
    for i in 0..cpu.mmu.tlb.len() {
        let e = cpu.mmu.tlb.get(i);
        valid += u32::from(e.lo0 & 2 != 0 || e.lo1 & 2 != 0);
        cpu.write_tlb_entry(i, TlbEntry::unused(i));
    }
    cpu.flush_translations();
    valid
}
