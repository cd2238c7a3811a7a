//! The monitor's memory bookkeeping, checked: the pmaps and the memmap must agree page for
//! page, every translation a physical CPU or a second-level TLB holds must point at a machine
//! page of the VM it serves (isolation), and every such translation of a guest page must be in
//! that page's back-map (or the back-map must have overflowed to "flush everything"), since the
//! NUMA policy finds the mappings to shoot down through the back-maps. Replicas (`replicate.rs`)
//! belong to their VM's page in both maps, one per node at most, hold the master's bytes, and no
//! translation of a replicated page is writable. A page shared copy-on-write
//! (`disk_cache.rs`) lists every guest page that maps it as a sharer (and only those), is
//! exactly one of the disk-block cache's page for its block, a guest kernel text page and a
//! page the virtual subnet remapped (`vnet.rs`), and no translation of it is writable.
//!
//! [`Monitor::check_invariants`] returns the first violation. With
//! `MonitorConfig::check_invariants` set, debug builds run it after every trap and every
//! quantum and keep the first violation in [`Monitor::violation`]; the tests assert there is
//! none.

use machine::Machine;

use crate::ids::{Mppn, NodeId, VmId};
use crate::memmap::PageOwner;
use crate::monitor::Monitor;
use crate::pmap::{Backmap, Backmaps};

/// EntryLo → machine page, if the V bit is set.
fn valid_pfn(lo: u32) -> Option<Mppn> {
    (lo & 2 != 0).then_some(Mppn((lo >> 6) & 0xF_FFFF))
}

impl Monitor {
    /// Checks the invariants; the first violation, described.
    pub fn check_invariants(&self, m: &Machine) -> Result<(), String> {
        self.check_pmaps_and_memmap()?;
        self.check_replicas(m)?;
        self.check_hardware_tlbs(m)?;
        self.check_l2tlbs()
    }

    fn check_pmaps_and_memmap(&self) -> Result<(), String> {
        let mut mapped = 0usize;
        let mut mapped_shared = 0usize;
        for (k, vm) in self.vms.iter().enumerate() {
            for (gppn, mppn) in vm.pmap.mapped() {
                let owner = self.memmap.owner(mppn);
                if owner == PageOwner::Shared {
                    mapped_shared += 1;
                    if !self.memmap.sharers(mppn).contains(&(VmId::of_index(k), gppn)) {
                        return Err(format!(
                            "vm{k}: pmap maps {gppn} to shared {mppn}, whose sharers {:?} miss it",
                            self.memmap.sharers(mppn)
                        ));
                    }
                    continue;
                }
                mapped += 1;
                if owner != (PageOwner::Vm { vm: VmId::of_index(k), gppn }) {
                    return Err(format!(
                        "vm{k}: pmap maps {gppn} to {mppn}, whose memmap owner is {owner:?}"
                    ));
                }
            }
        }
        let mut owned = 0usize;
        let mut special = 0usize;
        let mut replicas = 0usize;
        let mut shared = 0usize;
        let mut sharers = 0usize;
        let cached: std::collections::BTreeSet<Mppn> =
            self.disk_cache.blocks().map(|(_, p)| p).collect();
        for ppn in (0..self.memmap.pages()).map(Mppn) {
            match self.memmap.owner(ppn) {
                PageOwner::Shared => {
                    shared += 1;
                    let list = self.memmap.sharers(ppn);
                    if list.is_empty() {
                        return Err(format!("shared {ppn} has no sharers"));
                    }
                    for &(vm, gppn) in list {
                        sharers += 1;
                        let back = self.vms.get(vm.index()).and_then(|v| v.pmap.get(gppn));
                        if back != Some(ppn) {
                            return Err(format!(
                                "shared {ppn} lists {vm} {gppn} as a sharer, but its pmap says {back:?}"
                            ));
                        }
                    }
                    let block = self.disk_cache.block_of(ppn);
                    let back = block.and_then(|(u, s)| self.disk_cache.get(u, s));
                    let in_cache = cached.contains(&ppn) && back == Some(ppn);
                    let kinds =
                        [in_cache, self.kernel_text.contains(&ppn), self.net_pages.contains(&ppn)];
                    if kinds.iter().filter(|&&k| k).count() != 1 {
                        return Err(format!(
                            "shared {ppn} is not exactly one of the disk-block cache's page for \
                             a block ({block:?}), a kernel text page and a page the subnet \
                             remapped ({kinds:?})"
                        ));
                    }
                }
                PageOwner::Vm { vm, gppn } => {
                    owned += 1;
                    let back = self.vms.get(vm.index()).and_then(|v| v.pmap.get(gppn));
                    if back != Some(ppn) {
                        return Err(format!(
                            "{ppn} belongs to {vm} {gppn} in the memmap, but its pmap says {back:?}"
                        ));
                    }
                }
                PageOwner::Monitor => special += 1,
                PageOwner::Replica { vm, gppn } => {
                    replicas += 1;
                    let listed = self.vms.get(vm.index()).map(|v| v.pmap.replicas(gppn));
                    if !listed.is_some_and(|l| l.contains(&ppn)) {
                        return Err(format!(
                            "{ppn} is a replica of {vm} {gppn} in the memmap, but the pmap lists {listed:?}"
                        ));
                    }
                }
                PageOwner::Free => {}
            }
        }
        if owned != mapped {
            return Err(format!("{mapped} pmap entries but {owned} VM pages in the memmap"));
        }
        if sharers != mapped_shared {
            return Err(format!(
                "{mapped_shared} pmap entries map shared pages, but the memmap lists {sharers} sharers"
            ));
        }
        let vcpus: usize = self.vms.iter().map(|v| v.vcpus.len()).sum();
        let image = self.image.pages();
        if special != vcpus + image {
            return Err(format!(
                "{special} monitor pages for {vcpus} special pages and {image} of the monitor's image"
            ));
        }
        let free: usize = self.memmap.free_per_node().iter().sum();
        if free + owned + special + replicas + shared != self.memmap.pages() as usize {
            return Err(format!(
                "free lists hold {free} pages, VMs {owned}, replicas {replicas}, shared {shared}, monitor {special}, of {}",
                self.memmap.pages()
            ));
        }
        if let Some(p) =
            self.kernel_text.iter().find(|&&p| self.memmap.owner(p) != PageOwner::Shared)
        {
            return Err(format!("kernel text page {p} is listed but not shared"));
        }
        if let Some(p) = self.net_pages.iter().find(|&&p| self.memmap.owner(p) != PageOwner::Shared)
        {
            return Err(format!("subnet page {p} is listed but not shared"));
        }
        Ok(())
    }

    /// Every replica: owned as such, on a node with no other copy of its page, holding the
    /// master's bytes; the per-node counts right.
    fn check_replicas(&self, m: &Machine) -> Result<(), String> {
        let mut per_node = vec![0u32; self.memmap.nodes()];
        for (k, vm) in self.vms.iter().enumerate() {
            let vm_id = VmId::of_index(k);
            for (gppn, replicas) in vm.pmap.replicated() {
                let Some(master) = vm.pmap.get(gppn) else {
                    return Err(format!("vm{k}: {gppn} has replicas {replicas:?} but no master"));
                };
                let bytes = m.sys.mem.ram.slice(master.pa(), 4096);
                let mut nodes = vec![self.memmap.node_of(master)];
                for &c in replicas {
                    let owner = self.memmap.owner(c);
                    if owner != (PageOwner::Replica { vm: vm_id, gppn }) {
                        return Err(format!("vm{k}: replica {c} of {gppn} is owned by {owner:?}"));
                    }
                    let node = self.memmap.node_of(c);
                    if nodes.contains(&node) {
                        return Err(format!("vm{k}: {gppn} has two copies on {node}"));
                    }
                    nodes.push(node);
                    per_node[node.index()] += 1;
                    if m.sys.mem.ram.slice(c.pa(), 4096) != bytes {
                        return Err(format!(
                            "vm{k}: replica {c} of {gppn} differs from its master {master}"
                        ));
                    }
                }
            }
        }
        let counted: Vec<u32> =
            (0..self.memmap.nodes()).map(|n| self.replica_pages_on(NodeId::of_index(n))).collect();
        if counted != per_node {
            return Err(format!("replicas per node counted {counted:?}, held {per_node:?}"));
        }
        Ok(())
    }

    /// Every valid entry of a physical CPU's TLB maps the running VCPU's special page or a page
    /// of its VM recorded in that page's back-map.
    fn check_hardware_tlbs(&self, m: &Machine) -> Result<(), String> {
        for (p, pcpu) in self.pcpus.iter().enumerate() {
            let Some(r) = pcpu.running else { continue };
            let special = self.vcpu(r).special.0;
            for e in m.cpus[p].mmu.tlb.entries() {
                let size = e.page_size();
                let base = e.hi & !(2 * size - 1) & !0x1FFF;
                for (half, lo) in [(0, e.lo0), (1, e.lo1)] {
                    let Some(pfn) = valid_pfn(lo) else { continue };
                    if pfn == special {
                        continue;
                    }
                    let vpn = (base + half * size) >> 12;
                    if self.memmap.owner(pfn) == PageOwner::Shared {
                        self.check_shared_mapping(r.vm, pfn, lo, &format!("cpu {p} ({r})"))?;
                        let gppns = self.memmap.sharers(pfn).iter().filter(|s| s.0 == r.vm);
                        let recorded =
                            gppns.clone().any(|&(_, g)| match self.vms[r.vm].pmap.backmaps(g) {
                                Backmaps::Known(list) => {
                                    list.iter().any(|b| b.vcpu == r.vcpu && b.vpn == vpn)
                                }
                                Backmaps::Everywhere => true,
                            });
                        if !recorded {
                            return Err(format!(
                                "cpu {p}: {r} maps va {:#x} to shared {pfn}, missing from every back-map",
                                vpn << 12
                            ));
                        }
                        continue;
                    }
                    let Some((vm, gppn)) = self.memmap.owner(pfn).guest_page() else {
                        return Err(format!(
                            "cpu {p} ({r}) maps va {:#x} to {pfn}, which is {:?}",
                            vpn << 12,
                            self.memmap.owner(pfn)
                        ));
                    };
                    if vm != r.vm {
                        return Err(format!(
                            "cpu {p} runs {} but maps va {:#x} to {pfn} of {vm}",
                            r.vm,
                            vpn << 12
                        ));
                    }
                    if lo & 4 != 0 && self.vms[r.vm].pmap.is_replicated(gppn) {
                        return Err(format!(
                            "cpu {p}: {r} maps va {:#x} to replicated {gppn} writable",
                            vpn << 12
                        ));
                    }
                    if let Backmaps::Known(list) = self.vms[r.vm].pmap.backmaps(gppn)
                        && !list.iter().any(|b: &Backmap| b.vcpu == r.vcpu && b.vpn == vpn)
                    {
                        return Err(format!(
                            "cpu {p}: {r} maps va {:#x} to {gppn}, missing from its back-map {list:?}",
                            vpn << 12
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Every second-level TLB entry maps pages of its own VM.
    fn check_l2tlbs(&self) -> Result<(), String> {
        for (k, vm) in self.vms.iter().enumerate() {
            for v in &vm.vcpus {
                for e in v.l2tlb.entries() {
                    for lo in [e.lo0, e.lo1] {
                        let Some(pfn) = valid_pfn(lo) else { continue };
                        if self.memmap.owner(pfn) == PageOwner::Shared {
                            let who = format!("vm{k} vcpu {}", v.index.0);
                            self.check_shared_mapping(VmId::of_index(k), pfn, lo, &who)?;
                            continue;
                        }
                        match self.memmap.owner(pfn).guest_page() {
                            Some((vm, gppn)) if vm.index() == k => {
                                if lo & 4 != 0 && self.vms[k].pmap.is_replicated(gppn) {
                                    return Err(format!(
                                        "vm{k} vcpu {}: second-level TLB maps replicated {gppn} writable",
                                        v.index.0
                                    ));
                                }
                            }
                            o => {
                                return Err(format!(
                                    "vm{k} vcpu {}: second-level TLB maps vpn2 {:#x} to {pfn}, which is {o:?}",
                                    v.index.0, e.vpn2
                                ));
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// A translation of `who` (of VM `vm`) maps the shared page `pfn` with EntryLo `lo`: the VM
    /// must be one of its sharers, and the translation must not be writable.
    fn check_shared_mapping(&self, vm: VmId, pfn: Mppn, lo: u32, who: &str) -> Result<(), String> {
        if !self.memmap.sharers(pfn).iter().any(|s| s.0 == vm) {
            return Err(format!("{who} maps shared {pfn}, which {vm} does not share"));
        }
        if lo & 4 != 0 {
            return Err(format!("{who} maps shared {pfn} writable"));
        }
        Ok(())
    }

    /// Runs the check if the configuration asks for it (debug builds only), keeping the first
    /// violation.
    pub(crate) fn maybe_check(&mut self, m: &Machine, after: &str) {
        if cfg!(debug_assertions)
            && self.cfg.check_invariants
            && self.violation.is_none()
            && let Err(e) = self.check_invariants(m)
        {
            self.violation = Some(format!("after {after} at cycle {}: {e}", m.now()));
        }
    }
}
