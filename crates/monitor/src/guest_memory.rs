//! Guest-physical memory: the pages a VM believes are its physical memory, backed by machine
//! pages the monitor allocates on first touch, on the node of the CPU that touches them (paper
//! §4.2.3: the NUMA-aware placement Disco gives an OS that knows nothing of NUMA) — and the
//! monitor's own reads and writes of them (loading a kernel, device data, statistics).

use std::collections::BTreeMap;

use machine::Machine;
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader};

use crate::VcpuRef;
use crate::config::MonitorError;
use crate::cost::Kind;
use crate::events::CollapseCause;
use crate::ids::{Gppn, Mppn, NodeId, PAGE_SHIFT, VmId};
use crate::memmap::PageOwner;
use crate::monitor::{KSEG, Monitor};
use crate::numa_policy::Placement;

impl Monitor {
    /// The machine page of VM `k`'s guest-physical page `gppn`, allocated on `node` on first
    /// touch (zeroed: memory handed to a VM starts zeroed, whoever had the page before).
    /// `None` beyond the VM's memory, or when the machine has no free page left.
    pub(crate) fn guest_page(
        &mut self,
        m: &mut Machine,
        k: VmId,
        gppn: Gppn,
        node: NodeId,
    ) -> Option<Mppn> {
        let vm = &self.vms[k];
        if !vm.pmap.contains(gppn) {
            return None;
        }
        if let Some(mppn) = vm.pmap.get(gppn) {
            return Some(mppn);
        }
        let node = match self.cfg.numa.placement {
            Placement::FirstTouch => node,
            Placement::RoundRobin => {
                let n = self.next_node % self.memmap.nodes().max(1);
                self.next_node = n + 1;
                NodeId::of_index(n)
            }
        };
        let mppn = self.memmap.alloc(node, PageOwner::Vm { vm: k, gppn })?;
        m.sys.mem.dma_write(mppn.pa(), &[0; 4096]);
        let vm = &mut self.vms[k];
        vm.pmap.set(gppn, mppn);
        vm.stats.pages += 1;
        Some(mppn)
    }

    /// [`Monitor::guest_page`] for a touch by virtual CPU `r` on physical CPU `p` (a TLB miss
    /// on the page): a machine page allocated now is charged to `p` — the allocation, and the
    /// zeroing the monitor owes a VM before it hands it a machine page (what the page held for
    /// another VM must not leak), its stores through `p`'s cache like [`Monitor::zero_page`]'s.
    pub(crate) fn guest_page_by(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        gppn: Gppn,
        node: NodeId,
    ) -> Option<Mppn> {
        let fresh = self.unallocated(r.vm, gppn);
        let mppn = self.guest_page(m, r.vm, gppn, node)?;
        if fresh {
            self.charge_fresh_page(m, p, r, mppn);
        }
        Some(mppn)
    }

    /// True if VM `k`'s guest page `gppn` is inside its memory and has no machine page yet.
    pub(crate) fn unallocated(&self, k: VmId, gppn: Gppn) -> bool {
        let pmap = &self.vms[k].pmap;
        pmap.contains(gppn) && pmap.get(gppn).is_none()
    }

    /// Charges physical CPU `p` for a machine page just allocated to `r`'s VM: the allocation
    /// and its zeroing ([`Monitor::zero_with_cpu`]).
    pub(crate) fn charge_fresh_page(&mut self, m: &mut Machine, p: usize, r: VcpuRef, mppn: Mppn) {
        self.zero_with_cpu(m, p, r, mppn, self.cfg.cost.page_alloc);
    }

    /// Zeroes machine page `mppn` for `r`'s VM with physical CPU `p`'s stores and charges `p`
    /// for it, plus `extra` cycles: the lines end up in `p`'s cache, where the guest is about
    /// to use them, and the misses cost what the guest's own loop's would (local or remote,
    /// other copies invalidated).
    pub(crate) fn zero_with_cpu(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        mppn: Mppn,
        extra: u64,
    ) {
        let now = m.cpus[p].cycles();
        let stall = m.sys.mem.cpu_write(p, mppn.pa(), &[0; 4096], now).unwrap_or(0);
        let cost = extra + self.cfg.cost.zero_page + stall;
        self.charge(m, p, r, Kind::Memory, cost);
    }

    /// Copies bytes into VM `k`'s guest-physical memory at `gpa` (pages allocated as needed,
    /// on the VM's home node); false if the range leaves the VM's memory.
    pub(crate) fn write_guest(&mut self, m: &mut Machine, k: VmId, gpa: u32, data: &[u8]) -> bool {
        let node = self.vms[k].home_node;
        let mut done = 0;
        while done < data.len() {
            let a = gpa + done as u32;
            let cause = CollapseCause::MonitorWrite;
            let page = self.guest_page_for_write(m, None, k, Gppn::of_gpa(a), node, cause);
            let Some(mppn) = page else { return false };
            let n = (4096 - (a & 0xFFF) as usize).min(data.len() - done);
            m.sys.mem.dma_write(mppn.pa() | (a & 0xFFF), &data[done..done + n]);
            done += n;
        }
        true
    }

    /// Reads `len` bytes of VM `k`'s guest-physical memory at `gpa` (unallocated pages read as
    /// zeros); `None` if the range leaves the VM's memory.
    pub fn read_guest(&self, m: &Machine, k: VmId, gpa: u32, len: u32) -> Option<Vec<u8>> {
        let vm = self.vms.get(k.index())?;
        gpa.checked_add(len).filter(|&end| end <= vm.memory_bytes())?;
        let mut out = Vec::with_capacity(len as usize);
        let mut done = 0;
        while done < len {
            let a = gpa + done;
            let n = (4096 - (a & 0xFFF)).min(len - done);
            match vm.pmap.get(Gppn::of_gpa(a)) {
                Some(mppn) => {
                    out.extend_from_slice(m.sys.mem.ram.slice(mppn.pa() | (a & 0xFFF), n)?)
                }
                None => out.resize(out.len() + n as usize, 0),
            }
            done += n;
        }
        Some(out)
    }

    /// Copies a kernel image's segments into VM `k`'s guest-physical memory; its entry point.
    /// Pages of zeros are left to first touch.
    ///
    /// A page only read-only segments touch (text, read-only data) is, with
    /// `MonitorConfig::share_kernel_text`, shared with an earlier VM's page at the same guest
    /// page holding the same bytes: one machine page, [`PageOwner::Shared`], read-only in every
    /// VM and copied on the first write like a disk-cache page (`disk_cache.rs`). `text` lists
    /// the read-only kernel pages loaded so far, per guest page.
    pub(crate) fn load_kernel(
        &mut self,
        m: &mut Machine,
        k: VmId,
        image: &[u8],
        text: &mut BTreeMap<Gppn, Vec<Mppn>>,
    ) -> Result<u32, MonitorError> {
        let bad = |message: String| MonitorError::BadKernel { vm: k.index(), message };
        let h = elf::FileHeader32::<object::LittleEndian>::parse(image)
            .map_err(|e| bad(e.to_string()))?;
        let e = h.endian().map_err(|e| bad(e.to_string()))?;
        if h.e_machine(e) != elf::EM_MIPS {
            return Err(bad("not a MIPS executable".into()));
        }
        let limit = self.vms[k].memory_bytes();
        // Each page's bytes, and whether a writable segment touches it.
        let mut pages: BTreeMap<Gppn, (Vec<u8>, bool)> = BTreeMap::new();
        for ph in h.program_headers(e, image).map_err(|e| bad(e.to_string()))? {
            if ph.p_type(e) != elf::PT_LOAD || ph.p_memsz(e) == 0 {
                continue;
            }
            let va = ph.p_vaddr(e);
            let gpa = va.wrapping_sub(KSEG);
            let memsz = ph.p_memsz(e);
            if !(KSEG..abi::segments::KSEG3).contains(&va)
                || gpa.checked_add(memsz).is_none_or(|end| end > limit)
            {
                return Err(bad(format!(
                    "segment at {va:#010x} is not inside the VM's kernel segment"
                )));
            }
            let data = ph.data(e, image).map_err(|_| bad("segment outside the file".into()))?;
            let writable = ph.p_flags(e) & elf::PF_W != 0;
            for a in (gpa & !0xFFF..gpa + memsz).step_by(1 << PAGE_SHIFT) {
                let (bytes, w) =
                    pages.entry(Gppn::of_gpa(a)).or_insert_with(|| (vec![0; 4096], false));
                *w |= writable;
                // The part of the segment inside this page, and where it comes from.
                let (from, to) = (a.max(gpa), (a + 4096).min(gpa + memsz));
                for at in from..to {
                    let i = (at - gpa) as usize;
                    bytes[(at & 0xFFF) as usize] = data.get(i).copied().unwrap_or(0);
                }
            }
        }
        let node = self.vms[k].home_node;
        for (gppn, (bytes, writable)) in pages {
            // A page of zeros (the kernel's bss: its 2 MB heap, most of it never used) is left
            // to first touch, which hands out a zeroed page just the same: a VM's footprint is
            // what its kernel uses, not what its image reserves.
            if bytes.iter().all(|&b| b == 0) {
                continue;
            }
            let read_only = !writable && self.cfg.share_kernel_text;
            if read_only && self.share_kernel_page(m, k, gppn, &bytes, text) {
                continue;
            }
            let Some(page) = self.guest_page(m, k, gppn, node) else { continue };
            m.sys.mem.dma_write(page.pa(), &bytes);
            if read_only {
                text.entry(gppn).or_default().push(page);
            }
        }
        Ok(h.e_entry(e))
    }

    /// Maps VM `k`'s guest page `gppn` to a read-only kernel page loaded earlier (a candidate
    /// in `text`) holding `bytes`, shared from now on; false if none does.
    fn share_kernel_page(
        &mut self,
        m: &mut Machine,
        k: VmId,
        gppn: Gppn,
        bytes: &[u8],
        text: &BTreeMap<Gppn, Vec<Mppn>>,
    ) -> bool {
        if !self.vms[k].pmap.contains(gppn) {
            return false;
        }
        for &page in text.get(&gppn).into_iter().flatten() {
            let first = match self.memmap.owner(page) {
                PageOwner::Shared => None,
                PageOwner::Vm { vm, gppn: g } if g == gppn => Some(vm),
                _ => continue,
            };
            if m.sys.mem.ram.slice(page.pa(), 4096) != Some(bytes) {
                continue;
            }
            if let Some(first) = first {
                // Nothing has run yet, but the rule holds from now on: no writable mapping.
                self.shootdown(m, first, gppn);
                self.memmap.share(page, vec![(first, gppn)]);
                self.kernel_text.insert(page);
            }
            self.vms[k].pmap.set(gppn, page);
            self.memmap.add_sharer(page, k, gppn);
            return true;
        }
        false
    }
}
