//! Page replication (paper §4.2.3): a page that several nodes read gets a read-only copy on
//! each node that misses on it, so every node reads it locally.
//!
//! - **Replicate**: every mapping of the page is dropped (`shootdown.rs`), the bytes are
//!   copied to a free page on the hot node, and the copy is recorded — in the memmap as a
//!   [`PageOwner::Replica`] and in the pmap beside the master. From then on the TLB-miss paths
//!   (`tlb_miss.rs`) map the copy on the missing CPU's node, and map every copy without the
//!   dirty bit, so that no store can reach a copy.
//! - **Collapse**: a store to a replicated page takes a TLB-modification exception, which the
//!   monitor catches before the guest sees it ([`Monitor::write_to_replica`]): the copies go
//!   back to one writable page on the writer's node, and the store is retried. The guest never
//!   sees a stale byte — no copy is ever written, so every copy holds the master's bytes until
//!   the collapse. The monitor's own writes into guest memory and virtual-disk transfers
//!   collapse the page first, too.
//! - **Reclaim**: replicas are spare memory. A node never gets a new replica when it has no
//!   more than [`Monitor::replica_reserve`] free pages, and when first-touch allocation brings
//!   a node down to that reserve, its replicas are freed at the next quantum boundary.

use machine::Machine;
use mips::Exception;

use crate::cost::Kind;
use crate::events::{CollapseCause, EventKind};
use crate::ids::{Gppn, Mppn, NodeId, PcpuId, VcpuId, VcpuRef, VmId};
use crate::memmap::PageOwner;
use crate::monitor::{KSEG, Monitor};
use crate::numa_policy::Refusal;
use crate::special_page::GUEST_VA as SPECIAL_VA;
use crate::tlb_miss::{guest_frame, machine_lo};

/// What a replication did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replication {
    /// The master copy.
    pub master: Mppn,
    /// The new copy.
    pub copy: Mppn,
    /// Physical CPUs interrupted to drop the page's writable mappings.
    pub interrupted: Vec<PcpuId>,
}

impl Monitor {
    /// Free pages a node keeps for first-touch allocation: no replica is made on a node with
    /// this few free pages, and a node down to it gives its replicas back. A thirty-second of
    /// the node (256 pages of a 32 MB node), at least 16.
    pub fn replica_reserve(&self) -> usize {
        (self.memmap.pages_per_node() as usize / 32).max(16)
    }

    /// Replica pages held on `node`.
    pub fn replica_pages_on(&self, node: NodeId) -> u32 {
        self.replicas_on.get(node.index()).copied().unwrap_or(0)
    }

    /// Every copy of VM `vm`'s guest page `gppn`: the master first, then the replicas.
    pub fn copies(&self, vm: VmId, gppn: Gppn) -> Vec<Mppn> {
        let Some(v) = self.vms.get(vm.index()) else { return Vec::new() };
        v.pmap.get(gppn).into_iter().chain(v.pmap.replicas(gppn).iter().copied()).collect()
    }

    /// The machine EntryLo to map guest page `gppn` of VM `vm` (master copy `master`) for a
    /// CPU on `node`: the copy on that node if the page is replicated — never writable — else
    /// the master with the guest's own bits.
    pub(crate) fn mapped_lo(
        &self,
        vm: VmId,
        gppn: Gppn,
        node: NodeId,
        master: Mppn,
        guest_lo: u32,
    ) -> u32 {
        let pmap = &self.vms[vm].pmap;
        if !pmap.is_replicated(gppn) {
            // A page shared copy-on-write (`disk_cache.rs`) is never writable: a store must
            // fault so that the writer gets its own copy.
            if self.memmap.owner(master) == PageOwner::Shared {
                return machine_lo(master, guest_lo & !4);
            }
            return machine_lo(master, guest_lo);
        }
        let local = pmap.replicas(gppn).iter().copied().find(|&c| self.memmap.node_of(c) == node);
        machine_lo(local.unwrap_or(master), guest_lo & !4)
    }

    /// Copies VM `vm`'s guest page `gppn` to a free page on node `to`, working on physical CPU
    /// `on` (charged the copy; other CPUs that lose a mapping are charged an interrupt).
    /// Refused — nothing changes — if the page is not mapped, already has a copy on `to`, is
    /// the target of a disk transfer in progress, or `to` has no page to spare.
    pub fn replicate(
        &mut self,
        m: &mut Machine,
        on: PcpuId,
        vm: VmId,
        gppn: Gppn,
        to: NodeId,
    ) -> Result<Replication, Refusal> {
        let master = self.vms.get(vm.index()).and_then(|v| v.pmap.get(gppn));
        let master = master.ok_or(Refusal::NotGuestMemory)?;
        if self.memmap.owner(master) == PageOwner::Shared {
            return Err(Refusal::SharedPage);
        }
        if self.copies(vm, gppn).iter().any(|&c| self.memmap.node_of(c) == to) {
            return Err(Refusal::AlreadyLocal);
        }
        if self.dma_targets(vm, master) {
            return Err(Refusal::UnderDma);
        }
        if self.memmap.free_on(to) <= self.replica_reserve() {
            return Err(Refusal::NoFreePage);
        }
        let copy =
            self.memmap.alloc_on(to, PageOwner::Replica { vm, gppn }).ok_or(Refusal::NoFreePage)?;
        // Writable mappings of the master go: the hardware TLBs lose the page, the L2TLBs'
        // entries are pointed read-only at the copy on each VCPU's node (or the master).
        let (shot, kept) = self.shootdown_keeping_l2(m, vm, gppn);
        let bytes = m.sys.mem.ram.slice(master.pa(), 4096).map(<[u8]>::to_vec).unwrap_or_default();
        m.sys.mem.dma_write(copy.pa(), &bytes);
        self.vms[vm].pmap.add_replica(gppn, copy);
        if let Some(kept) = kept {
            self.retarget(vm, gppn, master, kept);
        }
        self.count_replica(to, true);
        let p = on.index();
        let r = VcpuRef { vm, vcpu: VcpuId(0) };
        let cost = self.cfg.cost.page_copy;
        self.charge(m, p, r, Kind::NumaPolicy, cost);
        self.charge_interrupts(m, Some(p), r, &shot.cpus);
        self.vms[vm].stats.replications += 1;
        self.node_actions(to).replications += 1;
        Ok(Replication { master, copy, interrupted: shot.cpus })
    }

    /// Makes VM `vm`'s replicated guest page `gppn` one writable page again, keeping the copy
    /// on node `keep` if there is one (else the master), for `cause`; the page kept. `p` is the
    /// physical CPU doing it, if any (the others that lose a mapping are charged an
    /// interrupt). A page that is not replicated is left alone.
    pub(crate) fn collapse(
        &mut self,
        m: &mut Machine,
        p: Option<usize>,
        vm: VmId,
        gppn: Gppn,
        keep: NodeId,
        cause: CollapseCause,
    ) -> Option<Mppn> {
        let master = self.vms[vm].pmap.get(gppn)?;
        let replicas = self.vms[vm].pmap.take_replicas(gppn);
        if replicas.is_empty() {
            return Some(master);
        }
        let shot = self.shootdown(m, vm, gppn);
        let all = std::iter::once(master).chain(replicas.iter().copied());
        let kept = all.clone().find(|&c| self.memmap.node_of(c) == keep).unwrap_or(master);
        let mut freed = Vec::new();
        for c in all.filter(|&c| c != kept) {
            if c != master {
                self.count_replica(self.memmap.node_of(c), false);
            }
            m.sys.mem.flush_page(c);
            self.memmap.free(c);
            freed.push(c);
        }
        if kept != master {
            self.count_replica(self.memmap.node_of(kept), false);
            self.memmap.set_owner(kept, PageOwner::Vm { vm, gppn });
            self.vms[vm].pmap.set(gppn, kept);
            self.moves[kept.index()] = std::mem::take(&mut self.moves[master.index()]);
        }
        let r = VcpuRef { vm, vcpu: VcpuId(0) };
        self.charge_interrupts(m, p, r, &shot.cpus);
        self.vms[vm].stats.collapses += 1;
        let kept_node = self.memmap.node_of(kept);
        self.node_actions(kept_node).collapses += 1;
        let kind = EventKind::Collapsed {
            vm,
            gppn,
            kept,
            kept_node: self.memmap.node_of(kept),
            freed,
            cause,
            interrupted: shot.cpus,
        };
        self.events.push(m.now(), kind);
        Some(kept)
    }

    /// The machine page of VM `k`'s guest page `gppn` for the monitor or a device to write
    /// into (allocated on `node` on first touch): a replicated page collapses first, onto
    /// `node` if it has a copy there; a page shared copy-on-write is broken first (the VM gets
    /// its own copy).
    pub(crate) fn guest_page_for_write(
        &mut self,
        m: &mut Machine,
        p: Option<usize>,
        k: VmId,
        gppn: Gppn,
        node: NodeId,
        cause: CollapseCause,
    ) -> Option<Mppn> {
        let page = self.guest_page(m, k, gppn, node)?;
        if self.vms[k].pmap.is_replicated(gppn) {
            return self.collapse(m, p, k, gppn, node, cause);
        }
        if self.memmap.owner(page) == PageOwner::Shared {
            return self.cow_break(m, p, k, gppn, node);
        }
        Some(page)
    }

    /// A TLB-modification exception of virtual CPU `r` on physical CPU `p`: if the store is to
    /// a replicated page the guest maps writable, collapse the page onto this CPU's node and
    /// retry the store (true); if it is to a page shared copy-on-write, break the sharing (a
    /// private copy) and retry. Otherwise (false) the exception is the guest's.
    pub(crate) fn write_to_replica(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        e: &Exception,
    ) -> bool {
        let asid = (m.cpus[p].cp0.entry_hi & 0xFF) as u8;
        let Some((gppn, writable)) = self.guest_mapping(r, e.fault.vaddr, asid) else {
            return false;
        };
        if !writable {
            return false;
        }
        let node = self.node_of_cpu(p);
        if self.shares(r.vm, gppn) {
            // With no page left to copy into, the guest takes the fault (as out of memory).
            if self.cow_break(m, Some(p), r.vm, gppn, node).is_none() {
                return false;
            }
            m.cpus[p].retry(e);
            return true;
        }
        if !self.vms[r.vm].pmap.is_replicated(gppn) {
            return false;
        }
        let cause = CollapseCause::GuestWrite { pcpu: PcpuId::of_index(p) };
        self.collapse(m, Some(p), r.vm, gppn, node, cause);
        m.cpus[p].retry(e);
        true
    }

    /// The guest page virtual address `va` maps to for virtual CPU `r` under `asid`, and
    /// whether the guest allows stores there: its own TLB entry, else (in the kernel segment)
    /// the direct map.
    fn guest_mapping(&self, r: VcpuRef, va: u32, asid: u8) -> Option<(Gppn, bool)> {
        let page_va = va & !0xFFF;
        let kseg = (KSEG..abi::segments::KSEG3).contains(&va);
        if kseg && page_va == SPECIAL_VA || !kseg && va >= abi::segments::KSEG0 {
            return None;
        }
        let vtlb = &self.vcpu(r).vtlb;
        let entry = vtlb.find(va, asid).map(|i| vtlb.get(i));
        match entry {
            Some(e) => {
                let lo = e.lo_for(page_va);
                (lo & 2 != 0).then(|| (guest_frame(lo, e.page_size(), page_va), lo & 4 != 0))
            }
            None if kseg => Some((Gppn::of_gpa(va - KSEG), true)),
            None => None,
        }
    }

    /// At a quantum boundary: every node down to its reserve of free pages frees its replicas
    /// (oldest pages first, by machine page order) until it has twice the reserve or none left.
    pub(crate) fn reclaim_replicas(&mut self, m: &mut Machine) {
        let reserve = self.replica_reserve();
        for n in 0..self.memmap.nodes() {
            let node = NodeId::of_index(n);
            let free = self.memmap.free_on(node);
            if free > reserve || self.replica_pages_on(node) == 0 {
                continue;
            }
            let pages: Vec<Mppn> = self.memmap.pages_of(node).collect();
            for page in pages {
                if self.memmap.free_on(node) >= 2 * reserve || self.replica_pages_on(node) == 0 {
                    break;
                }
                let PageOwner::Replica { vm, gppn } = self.memmap.owner(page) else { continue };
                let shot = self.shootdown(m, vm, gppn);
                self.vms[vm].pmap.remove_replica(gppn, page);
                self.count_replica(node, false);
                m.sys.mem.flush_page(page);
                self.memmap.free(page);
                let r = VcpuRef { vm, vcpu: VcpuId(0) };
                self.charge_interrupts(m, None, r, &shot.cpus);
                self.vms[vm].stats.reclaimed += 1;
                self.node_actions(node).reclaimed += 1;
                let kind = EventKind::Reclaimed { vm, gppn, page, node, free: free as u32 };
                self.events.push(m.now(), kind);
            }
        }
    }

    /// Counts a replica made (`add`) or freed on `node`.
    fn count_replica(&mut self, node: NodeId, add: bool) {
        if self.replicas_on.len() <= node.index() {
            self.replicas_on.resize(node.index() + 1, 0);
        }
        let c = &mut self.replicas_on[node.index()];
        *c = if add { *c + 1 } else { c.saturating_sub(1) };
    }

    /// Charges the interrupt that drops translations to every CPU in `cpus` but `p` (the CPU
    /// doing the work, which pays for it otherwise).
    pub(crate) fn charge_interrupts(
        &mut self,
        m: &mut Machine,
        p: Option<usize>,
        r: VcpuRef,
        cpus: &[PcpuId],
    ) {
        let ipi = self.cfg.cost.shootdown_ipi;
        for c in cpus.iter().filter(|c| Some(c.index()) != p) {
            self.charge(m, c.index(), r, Kind::NumaPolicy, ipi);
        }
    }
}
