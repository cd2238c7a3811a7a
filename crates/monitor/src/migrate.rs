//! Page migration (paper §4.2.3): move a VM's page to the node that uses it. The monitor
//! allocates a page on the hot node, drops every translation of the old page (`shootdown.rs`:
//! hardware TLBs of the CPUs running the VM's VCPUs that map it, and the VCPUs' L2TLBs),
//! copies the bytes, points the pmap at the new page and frees the old one. The guest never
//! notices: its guest-physical page is the same, only the machine page behind it changed, and
//! its next access refills from the pmap.
//!
//! Also here: what happens when FLASH's counters report a hot page — the event is recorded,
//! the policy's rule (`numa_policy.rs`) decides, and the decision is carried out or recorded
//! with its reason.

use machine::Machine;
use machine::hot_page::HotPageEvent;

use crate::cost::Kind;
use crate::events::{CollapseCause, EventKind};
use crate::ids::{Gppn, Mppn, NodeId, PcpuId, VcpuId, VcpuRef, VmId};
use crate::memmap::PageOwner;
use crate::monitor::Monitor;
use crate::numa_policy::{Decision, PolicyMode, Refusal, decide};

/// What a migration did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    /// The old machine page (now free).
    pub from: Mppn,
    /// The new one.
    pub to: Mppn,
    /// Physical CPUs interrupted to drop translations.
    pub interrupted: Vec<PcpuId>,
}

impl Monitor {
    /// FLASH's counters found `h.page` hot: record it, and if the policy is on, decide and act.
    pub(crate) fn hot_page(&mut self, m: &mut Machine, h: HotPageEvent) {
        let owner = self.memmap.owner(h.page);
        self.events.push(
            h.cycle,
            EventKind::HotPage {
                page: h.page,
                owner,
                node: h.node,
                misses: h.misses.clone(),
                writes: h.writes,
            },
        );
        let mode = self.cfg.numa.mode;
        if mode == PolicyMode::Off {
            return;
        }
        // A page and its replicas are one guest page: the master's moves count, and a copy on
        // the hot node makes it local.
        let copies = owner.guest_page().map(|(vm, gppn)| self.copies(vm, gppn)).unwrap_or_default();
        let moves =
            copies.first().and_then(|c| self.moves.get(c.index())).map_or(0, |&n| u32::from(n));
        let left = |reason| EventKind::Left {
            page: h.page,
            owner,
            node: h.node,
            reason,
            misses: h.misses.clone(),
            writes: h.writes,
            moves,
        };
        let Some((vm, gppn)) = owner.guest_page() else {
            let why = if owner == PageOwner::Shared {
                Refusal::SharedPage
            } else {
                Refusal::NotGuestMemory
            };
            self.events.push(h.cycle, left(why));
            return;
        };
        // The interrupt goes to a CPU of the hot node; its time is the VM's.
        let p = self.cpus_per_node * h.node.index();
        let r = VcpuRef { vm, vcpu: VcpuId(0) };
        let cost = self.cfg.cost.hot_page;
        self.charge(m, p, r, Kind::NumaPolicy, cost);
        let on_hot = copies.iter().any(|&c| self.memmap.node_of(c) == h.node);
        let t = self.cfg.numa.thresholds;
        let decision = decide(mode, &t, h.node, &h.misses, h.writes, moves, on_hot);
        let on = PcpuId::of_index(p);
        let decision = match decision {
            // A replicated page is read by several nodes already: the hot node gets its own
            // copy rather than taking the page from the others.
            Decision::Migrate(to) if copies.len() > 1 && mode.replicates() => {
                Decision::Replicate(to)
            }
            d => d,
        };
        let kind = match decision {
            Decision::Migrate(to) => {
                self.migrate(m, on, vm, gppn, to).map(|mig| EventKind::Migrated {
                    vm,
                    gppn,
                    from: mig.from,
                    to: mig.to,
                    from_node: self.memmap.node_of(mig.from),
                    to_node: self.memmap.node_of(mig.to),
                    misses: h.misses.clone(),
                    writes: h.writes,
                    moves: moves + 1,
                    interrupted: mig.interrupted,
                })
            }
            Decision::Replicate(to) => self.replicate(m, on, vm, gppn, to).map(|rep| {
                let nodes = self.copies(vm, gppn).iter().map(|&c| self.memmap.node_of(c)).collect();
                EventKind::Replicated {
                    vm,
                    gppn,
                    master: rep.master,
                    copy: rep.copy,
                    to_node: to,
                    nodes,
                    misses: h.misses.clone(),
                    writes: h.writes,
                    interrupted: rep.interrupted,
                }
            }),
            Decision::Leave(reason) => Err(reason),
        };
        let kind = kind.unwrap_or_else(left);
        self.events.push(h.cycle, kind);
    }

    /// Moves VM `vm`'s guest page `gppn` to a free machine page on node `to`, working on
    /// physical CPU `on` (charged the copy; other CPUs that lose a translation are charged an
    /// interrupt). A replicated page first collapses to one copy (on `to` if it has one
    /// there). Refused — nothing (else) changes — if the page is not mapped, is on `to`
    /// already, a virtual-disk transfer into it is in progress, or `to` has no free page.
    pub fn migrate(
        &mut self,
        m: &mut Machine,
        on: PcpuId,
        vm: VmId,
        gppn: Gppn,
        to: NodeId,
    ) -> Result<Migration, Refusal> {
        let p = on.index();
        if self.vms.get(vm.index()).is_some_and(|v| v.pmap.is_replicated(gppn)) {
            self.collapse(m, Some(p), vm, gppn, to, CollapseCause::Migration);
        }
        let old = self.vms.get(vm.index()).and_then(|v| v.pmap.get(gppn));
        let old = old.ok_or(Refusal::NotGuestMemory)?;
        if self.memmap.owner(old) == PageOwner::Shared {
            return Err(Refusal::SharedPage);
        }
        if self.memmap.node_of(old) == to {
            return Err(Refusal::AlreadyLocal);
        }
        if self.dma_targets(vm, old) {
            return Err(Refusal::UnderDma);
        }
        let new =
            self.memmap.alloc_on(to, PageOwner::Vm { vm, gppn }).ok_or(Refusal::NoFreePage)?;
        let (shot, kept) = self.shootdown_keeping_l2(m, vm, gppn);
        // Machine memory holds the page's current bytes (the caches model timing only); the
        // copy lands in no cache, and the old page's lines and counters go with it.
        let bytes = m.sys.mem.ram.slice(old.pa(), 4096).map(<[u8]>::to_vec).unwrap_or_default();
        m.sys.mem.dma_write(new.pa(), &bytes);
        m.sys.mem.flush_page(old);
        self.vms[vm].pmap.set(gppn, new);
        if let Some(kept) = kept {
            self.retarget(vm, gppn, old, kept);
        }
        self.memmap.free(old);
        let moves = self.moves[old.index()];
        self.moves[old.index()] = 0;
        self.moves[new.index()] = moves.saturating_add(1);
        let r = VcpuRef { vm, vcpu: VcpuId(0) };
        let copy = self.cfg.cost.page_copy;
        self.charge(m, p, r, Kind::NumaPolicy, copy);
        self.charge_interrupts(m, Some(p), r, &shot.cpus);
        self.vms[vm].stats.migrations += 1;
        self.node_actions(to).migrations += 1;
        Ok(Migration { from: old, to: new, interrupted: shot.cpus })
    }

    /// Is machine page `page` the target of VM `vm`'s virtual-disk transfer in progress?
    pub(crate) fn dma_targets(&self, vm: VmId, page: Mppn) -> bool {
        let d = &self.vms[vm].disk;
        d.current.iter().chain(&d.queue).any(|t| Mppn::of_pa(t.pa) == page)
    }
}
