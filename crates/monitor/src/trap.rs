//! Trap and emulate: every exception of a physical CPU running a guest lands here.
//!
//! - a privileged instruction in the guest kernel (CpU from supervisor mode) is decoded and
//!   emulated against the virtual CPU: MFC0/MTC0, the TLB instructions, ERET, WAIT, DI/EI,
//!   CACHE;
//! - `syscall` from the guest kernel is a monitor call (`mcall.rs`);
//! - a hardware TLB miss is served by the monitor when it can: the kernel segment from the
//!   direct map (or the guest's own TLB entry there, or the special page), user addresses from
//!   the second-level TLB, then from the guest's virtual TLB — translating guest-physical
//!   frames to machine pages through the pmap, allocating on first touch on the node of the CPU
//!   that touches them. A miss the guest's TLB cannot serve is forwarded to the guest's refill
//!   handler;
//! - everything else (the guest's programs' system calls, address errors, overflow ...) is
//!   delivered to the guest as the hardware would.

use machine::Machine;
use mips::cp0::{Mode, status};
use mips::decode::{Op, decode};
use mips::tlb::{Lookup, TlbEntry};
use mips::{ExcCode, Exception};

use crate::cost::Kind;
use crate::deliver::GuestException;
use crate::l2tlb::L2Entry;
use crate::monitor::{KSEG, Monitor, VcpuRef};
use crate::pmap::Backmap;
use crate::special_page::{GUEST_VA as SPECIAL_VA, off};
use crate::vcpu::VcpuState;

/// EntryLo of a machine page: cacheable, with the guest's D, V and G bits.
fn machine_lo(mppn: u32, guest_lo: u32) -> u32 {
    mppn << 6 | 3 << 3 | (guest_lo & 0b111)
}

impl Monitor {
    /// Handles an exception of physical CPU `p`.
    pub(crate) fn trap(&mut self, m: &mut Machine, p: usize, e: Exception) {
        let Some(r) = self.pcpus[p].running else {
            // Nothing should run here: stop the CPU.
            m.set_parked(p, true);
            return;
        };
        self.vms[r.vm].stats.traps += 1;
        // A TLB refill the monitor serves itself never leaves its refill vector's fast path;
        // everything else is a full trap (see `tlb_fault`).
        let mut cost = self.cfg.cost.trap;
        let user = m.cpus[p].mode() == Mode::User;
        let f = e.fault;
        let detail = if f.code == ExcCode::Sys { m.cpus[p].gpr(2) } else { f.vaddr };
        let log = &mut self.vms[r.vm].traps;
        if log.len() == crate::vm::TRAP_LOG {
            log.pop_front();
        }
        log.push_back(crate::stats::TrapRecord {
            cycle: m.cpus[p].cycles(),
            vcpu: r.vcpu as u16,
            epc: e.epc,
            code: f.code as u8,
            user,
            detail,
        });
        let kind = match f.code {
            ExcCode::CpU if f.ce == 0 && !user => {
                self.emulate(m, p, r, &e);
                Kind::Emulation
            }
            ExcCode::Sys if !user && m.cpus[p].gpr(2) >> 16 == 0xD15C => {
                self.monitor_call(m, p, r);
                Kind::Devices
            }
            ExcCode::TlbL | ExcCode::TlbS | ExcCode::Mod => {
                if self.tlb_fault(m, p, r, &e) {
                    cost = self.cfg.cost.refill_trap;
                }
                Kind::TlbMiss
            }
            _ => {
                self.forward(m, p, r, &e);
                Kind::Forwarding
            }
        };
        self.charge(m, p, r, kind, cost);
        if self.pcpus[p].running == Some(r) {
            self.sync_asid(m, p, r);
            self.check_interrupts(m, p, r);
        }
    }

    /// Delivers a hardware exception to the guest unchanged.
    fn forward(&mut self, m: &mut Machine, p: usize, r: VcpuRef, e: &Exception) {
        let f = e.fault;
        let x = GuestException {
            code: f.code,
            vaddr: f.vaddr,
            refill: f.refill,
            ce: f.ce,
            epc: e.epc,
            bd: e.bd,
        };
        self.deliver(m, p, r, x);
    }

    /// Makes the physical CPU's ASID the guest's current one (the guest sets it in the special
    /// page's EntryHi without trapping).
    pub(crate) fn sync_asid(&mut self, m: &mut Machine, p: usize, r: VcpuRef) {
        let asid = self.vcpu(r).special.get(m, off::ENTRYHI) & 0xFF;
        let cpu = &mut m.cpus[p];
        if cpu.cp0.entry_hi & 0xFF != asid {
            cpu.write_cp0(mips::cp0::reg::ENTRY_HI, asid);
        }
    }

    // ---- Emulation ----------------------------------------------------------------------

    /// The instruction word at guest virtual `va` in the kernel segment.
    fn kernel_word(&self, m: &Machine, r: VcpuRef, va: u32) -> Option<u32> {
        let gpa = va.checked_sub(KSEG)?;
        let bytes = self.read_guest(m, r.vm, gpa & !3, 4)?;
        Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn emulate(&mut self, m: &mut Machine, p: usize, r: VcpuRef, e: &Exception) {
        let pc = if e.bd { e.epc.wrapping_add(4) } else { e.epc };
        let Some(w) = self.kernel_word(m, r, pc) else {
            self.forward(m, p, r, e);
            return;
        };
        let i = decode(w);
        let rt = ((w >> 16) & 31) as usize;
        let cost = &self.cfg.cost;
        let (emu_cost, tlb_cost, read_cost, eret_cost) =
            (cost.emulate_cp0, cost.emulate_tlb_write, cost.emulate_tlb_read, cost.emulate_eret);
        self.vms[r.vm].stats.emulated += 1;
        let sp = self.vcpu(r).special;
        match i.op {
            Op::Mfc0 => {
                let v = self.read_vcp0(m, p, r, i.imm);
                m.cpus[p].set_gpr(rt, v);
                self.charge(m, p, r, Kind::Emulation, emu_cost);
            }
            Op::Mtc0 => {
                let v = m.cpus[p].gpr(rt);
                self.write_vcp0(m, r, i.imm, v);
                self.charge(m, p, r, Kind::Emulation, emu_cost);
            }
            Op::Di | Op::Ei => {
                let st = sp.get(m, off::STATUS);
                m.cpus[p].set_gpr(rt, st);
                let new = if i.op == Op::Ei { st | status::IE } else { st & !status::IE };
                sp.set(m, off::STATUS, new);
                self.charge(m, p, r, Kind::Emulation, emu_cost);
            }
            Op::Tlbwi | Op::Tlbwr => {
                let v = self.vcpu(r);
                let index = if i.op == Op::Tlbwi {
                    v.index_reg as usize
                } else {
                    let n = v.vtlb.len() as u64;
                    let wired = u64::from(v.wired).min(n - 1);
                    (n - 1 - m.cpus[p].instructions() % (n - wired)) as usize
                };
                let entry = TlbEntry {
                    hi: sp.get(m, off::ENTRYHI),
                    mask: v.page_mask,
                    lo0: sp.get(m, off::ENTRYLO0),
                    lo1: sp.get(m, off::ENTRYLO1),
                };
                self.guest_tlb_write(m, p, r, index, entry, i.op == Op::Tlbwr);
                self.charge(m, p, r, Kind::TlbMiss, tlb_cost);
            }
            Op::Tlbp => {
                let hi = sp.get(m, off::ENTRYHI);
                // A guest probing for a page is usually about to invalidate or update it; a
                // translation of it that the monitor still caches from an entry the guest's
                // TLB has since replaced must not outlive that.
                self.drop_cached_pair(m, p, r, hi);
                let v = self.vcpu_mut(r);
                v.index_reg = match v.vtlb.probe(hi) {
                    Some(ix) => ix as u32,
                    None => 0x8000_0000,
                };
                self.charge(m, p, r, Kind::TlbMiss, read_cost);
            }
            Op::Tlbr => {
                let v = self.vcpu(r);
                let e = v.vtlb.get((v.index_reg & 0x3F) as usize);
                let g = u32::from(e.global());
                self.vcpu_mut(r).page_mask = e.mask;
                sp.set(m, off::ENTRYHI, e.hi);
                sp.set(m, off::ENTRYLO0, (e.lo0 & !1) | g);
                sp.set(m, off::ENTRYLO1, (e.lo1 & !1) | g);
                self.charge(m, p, r, Kind::TlbMiss, read_cost);
            }
            Op::Eret => {
                let st = sp.get(m, off::STATUS);
                let (target, st) = if st & status::ERL != 0 {
                    (sp.get(m, off::ERROREPC), st & !status::ERL)
                } else {
                    (sp.get(m, off::EPC), st & !status::EXL)
                };
                sp.set(m, off::STATUS, st);
                let user = st & status::KSU == 2 << 3 && st & (status::EXL | status::ERL) == 0;
                self.set_guest_mode(m, p, user);
                m.cpus[p].set_pc(target);
                m.sys.mem.unlink(p);
                self.charge(m, p, r, Kind::Emulation, eret_cost);
            }
            Op::Wait => {
                self.charge(m, p, r, Kind::Scheduling, emu_cost);
                self.wait(m, p, r);
            }
            Op::Cache | Op::Synci => {
                m.cpus[p].drop_fetch_page();
                self.charge(m, p, r, Kind::Emulation, emu_cost);
            }
            Op::Rdpgpr | Op::Wrpgpr => {
                let rd = ((w >> 11) & 31) as usize;
                let v = m.cpus[p].gpr(rt);
                m.cpus[p].set_gpr(rd, v);
                self.charge(m, p, r, Kind::Emulation, emu_cost);
            }
            _ => self.forward(m, p, r, e),
        }
    }

    /// MFC0 on the virtual CPU.
    fn read_vcp0(&self, m: &Machine, p: usize, r: VcpuRef, reg: u32) -> u32 {
        use mips::cp0::reg as R;
        let v = self.vcpu(r);
        let sp = v.special;
        match reg {
            R::INDEX => v.index_reg,
            R::RANDOM => {
                let n = v.vtlb.len() as u32;
                let wired = v.wired.min(n - 1);
                n - 1 - (m.cpus[p].instructions() % u64::from(n - wired)) as u32
            }
            R::ENTRY_LO0 => sp.get(m, off::ENTRYLO0),
            R::ENTRY_LO1 => sp.get(m, off::ENTRYLO1),
            R::CONTEXT => sp.get(m, off::CONTEXT),
            R::PAGE_MASK => v.page_mask,
            R::WIRED => v.wired,
            R::BAD_VADDR => sp.get(m, off::BADVADDR),
            R::COUNT => (m.cpus[p].cycles() >> 1) as u32,
            R::ENTRY_HI => sp.get(m, off::ENTRYHI),
            R::COMPARE => sp.get(m, off::COMPARE),
            R::STATUS => sp.get(m, off::STATUS),
            R::CAUSE => sp.get(m, off::CAUSE),
            R::EPC => sp.get(m, off::EPC),
            R::EBASE => (sp.get(m, off::EBASE) & 0x3FFF_F000) | 0x8000_0000 | r.vcpu as u32,
            R::ERROR_EPC => sp.get(m, off::ERROREPC),
            // Identification and configuration: the physical CPU's (the VCPU looks like it).
            _ => m.cpus[p].read_cp0(reg),
        }
    }

    /// MTC0 on the virtual CPU.
    fn write_vcp0(&mut self, m: &mut Machine, r: VcpuRef, reg: u32, val: u32) {
        use mips::cp0::reg as R;
        let sp = self.vcpu(r).special;
        match reg {
            R::INDEX => self.vcpu_mut(r).index_reg = val & 0x3F,
            R::ENTRY_LO0 => sp.set(m, off::ENTRYLO0, val & mips::cp0::ENTRY_LO_MASK),
            R::ENTRY_LO1 => sp.set(m, off::ENTRYLO1, val & mips::cp0::ENTRY_LO_MASK),
            R::CONTEXT => sp.set(m, off::CONTEXT, val),
            R::PAGE_MASK => self.vcpu_mut(r).page_mask = val & mips::cp0::PAGE_MASK_MASK,
            R::WIRED => self.vcpu_mut(r).wired = val & 0x3F,
            R::ENTRY_HI => sp.set(m, off::ENTRYHI, val & mips::cp0::ENTRY_HI_MASK),
            R::COMPARE => sp.set(m, off::COMPARE, val),
            R::STATUS => sp.set(m, off::STATUS, val & status::WRITABLE),
            R::CAUSE => {
                let c = sp.get(m, off::CAUSE);
                sp.set(
                    m,
                    off::CAUSE,
                    (c & !mips::cp0::cause::WRITABLE) | (val & mips::cp0::cause::WRITABLE),
                );
            }
            R::EPC => sp.set(m, off::EPC, val),
            R::EBASE => sp.set(m, off::EBASE, val & 0x3FFF_F000),
            R::ERROR_EPC => sp.set(m, off::ERROREPC, val),
            _ => {}
        }
    }

    /// The guest wrote entry `index` of its TLB; `random` for TLBWR.
    ///
    /// The monitor's TLBs (the second-level TLB, the physical CPU's) behave like a larger TLB
    /// than the guest's (paper §4.2.2): an entry the guest evicts by TLBWR — a refill making
    /// room — stays cached, since the guest's page tables still say the same. An entry the
    /// guest overwrites by TLBWI, which is how a guest invalidates or updates a mapping, is
    /// dropped; so is anything overlapping the new entry. Guests must flush with the
    /// `tlb_flush` / `tlb_invalidate` calls (docs/monitor-abi.md), or TLBP before TLBWI.
    pub(crate) fn guest_tlb_write(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        index: usize,
        e: TlbEntry,
        random: bool,
    ) {
        let mask = e.mask & mips::cp0::PAGE_MASK_MASK;
        let new = TlbEntry {
            hi: e.hi & !mask & mips::cp0::ENTRY_HI_MASK,
            mask,
            lo0: e.lo0 & mips::cp0::ENTRY_LO_MASK,
            lo1: e.lo1 & mips::cp0::ENTRY_LO_MASK,
        };
        let v = self.vcpu_mut(r);
        let old = v.vtlb.get(index);
        v.vtlb.set(index, new);
        self.vms[r.vm].stats.guest_tlb_writes += 1;
        if !random {
            self.drop_translations(m, p, r, &old);
        }
        self.drop_translations(m, p, r, &new);
    }

    /// Forgets the cached translations of the page pair of EntryHi `hi` (its VPN2 and ASID)
    /// in the virtual CPU's second-level TLB and, if it runs on `p`, the physical TLB.
    fn drop_cached_pair(&mut self, m: &mut Machine, p: usize, r: VcpuRef, hi: u32) {
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

    /// Forgets what the monitor's TLBs cached from a guest entry's address range (every ASID:
    /// the guest may be replacing an entry of another address space).
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
        let v = self.vcpu_mut(r);
        for k in 0..pairs {
            v.l2tlb.invalidate_all_asids((base >> 13) + k);
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

    // ---- TLB misses -------------------------------------------------------------------

    /// Serves a TLB exception, or forwards it to the guest; true if the monitor's refill fast
    /// path served it (the hardware refill vector, a lookup, a TLB write, ERET).
    fn tlb_fault(&mut self, m: &mut Machine, p: usize, r: VcpuRef, e: &Exception) -> bool {
        let f = e.fault;
        let va = f.vaddr;
        let store = f.code != ExcCode::TlbL;
        if !f.refill {
            // The hardware entry came from a guest entry that is invalid or clean there: the
            // guest decides (its page-fault path).
            self.forward(m, p, r, e);
            return false;
        }
        let served = if (KSEG..0xE000_0000).contains(&va) {
            self.refill_kernel_segment(m, p, r, va, store)
        } else if va < 0x8000_0000 {
            self.refill_user(m, p, r, va)
        } else {
            Err(true)
        };
        match served {
            Ok(()) => {
                m.cpus[p].retry(e);
                true
            }
            Err(refill) => {
                self.vms[r.vm].stats.refills_forwarded += 1;
                let x =
                    GuestException { code: f.code, vaddr: va, refill, ce: 0, epc: e.epc, bd: e.bd };
                self.deliver(m, p, r, x);
                false
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

    /// The machine EntryLo for one 4 KB page of the kernel segment, or 0 (invalid).
    fn kernel_segment_lo(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        page_va: u32,
        asid: u8,
    ) -> (u32, bool) {
        if page_va == SPECIAL_VA {
            let special = self.vcpu(r).special.0 >> 12;
            return (machine_lo(special, 0b111), true);
        }
        // A guest TLB entry for the segment takes precedence over the direct map.
        if let Lookup::Hit { lo, page_size } = self.vcpu(r).vtlb.lookup(page_va, asid) {
            let gpa =
                (((lo >> 6) & 0xF_FFFF) << 12 & !(page_size - 1)) | (page_va & (page_size - 1));
            return match (lo & 2 != 0)
                .then(|| self.guest_page(m, r.vm, gpa >> 12, self.node_of(p)))
                .flatten()
            {
                Some(mppn) => {
                    self.vms[r.vm].pmap.add_backmap(
                        gpa >> 12,
                        Backmap { vcpu: r.vcpu as u16, asid, vpn: page_va >> 12 },
                    );
                    (machine_lo(mppn, lo), true)
                }
                None => (0, true),
            };
        }
        let gpa = page_va - KSEG;
        match self.guest_page(m, r.vm, gpa >> 12, self.node_of(p)) {
            Some(mppn) => {
                self.vms[r.vm].pmap.add_backmap(
                    gpa >> 12,
                    Backmap { vcpu: r.vcpu as u16, asid, vpn: page_va >> 12 },
                );
                (machine_lo(mppn, 0b111), false)
            }
            None => (0, false),
        }
    }

    /// A miss in the kernel segment. `Err(refill)` when the guest must handle it.
    fn refill_kernel_segment(
        &mut self,
        m: &mut Machine,
        p: usize,
        r: VcpuRef,
        va: u32,
        _store: bool,
    ) -> Result<(), bool> {
        let asid = (m.cpus[p].cp0.entry_hi & 0xFF) as u8;
        let even = va & !0x1FFF;
        let (lo0, from_guest0) = self.kernel_segment_lo(m, p, r, even, asid);
        let (lo1, from_guest1) = self.kernel_segment_lo(m, p, r, even + 0x1000, asid);
        let (mine, from_guest) =
            if va & 0x1000 == 0 { (lo0, from_guest0) } else { (lo1, from_guest1) };
        if mine & 2 == 0 {
            // Outside the VM's memory (or the guest's own invalid entry): its problem.
            return Err(!from_guest);
        }
        // Global: the segment is the same in every guest address space.
        self.insert_hw(m, p, va, asid, lo0 | 1, lo1 | 1);
        self.vms[r.vm].stats.refills_direct += 1;
        let cost = self.cfg.cost.refill_direct;
        self.charge(m, p, r, Kind::TlbMiss, cost);
        Ok(())
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
        let size = e.page_size();
        let gpa = ((((lo >> 6) & 0xF_FFFF) << 12) & !(size - 1)) | (page_va & (size - 1) & !0xFFF);
        match self.guest_page(m, r.vm, gpa >> 12, self.node_of(p)) {
            Some(mppn) => {
                let asid = (e.hi & 0xFF) as u8;
                self.vms[r.vm].pmap.add_backmap(
                    gpa >> 12,
                    Backmap { vcpu: r.vcpu as u16, asid, vpn: page_va >> 12 },
                );
                machine_lo(mppn, lo)
            }
            // A frame outside the VM's memory: the guest cannot reach it.
            None => 0,
        }
    }

    /// A miss on a user address: the second-level TLB, then the guest's TLB.
    fn refill_user(&mut self, m: &mut Machine, p: usize, r: VcpuRef, va: u32) -> Result<(), bool> {
        let asid = (m.cpus[p].cp0.entry_hi & 0xFF) as u8;
        if let Some(l2) = self.vcpu_mut(r).l2tlb.lookup(va, asid) {
            let mine = if va & 0x1000 == 0 { l2.lo0 } else { l2.lo1 };
            if mine & 2 != 0 {
                self.insert_hw(m, p, va, asid, l2.lo0, l2.lo1);
                self.vms[r.vm].stats.refills_l2tlb += 1;
                let cost = self.cfg.cost.refill_l2tlb;
                self.charge(m, p, r, Kind::TlbMiss, cost);
                return Ok(());
            }
        }
        let v = self.vcpu(r);
        let Some(ix) = v.vtlb.entries().iter().position(|e| e.matches(va, asid)) else {
            return Err(true);
        };
        let e = v.vtlb.get(ix);
        let even = va & !0x1FFF;
        let lo0 = self.guest_lo(m, p, r, &e, even);
        let lo1 = self.guest_lo(m, p, r, &e, even + 0x1000);
        let mine = if va & 0x1000 == 0 { lo0 } else { lo1 };
        if mine & 2 == 0 {
            // The guest's entry is there but invalid: a TLB-invalid exception for the guest.
            return Err(false);
        }
        let global = e.global();
        let (lo0, lo1) = if global { (lo0 | 1, lo1 | 1) } else { (lo0 & !1, lo1 & !1) };
        self.vcpu_mut(r).l2tlb.insert(L2Entry { vpn2: va >> 13, asid, global, lo0, lo1 });
        self.insert_hw(m, p, va, asid, lo0, lo1);
        self.vms[r.vm].stats.refills_vtlb += 1;
        let cost = self.cfg.cost.refill_vtlb;
        self.charge(m, p, r, Kind::TlbMiss, cost);
        Ok(())
    }

    /// The guest executed WAIT: its virtual CPU leaves the physical CPU until an interrupt.
    fn wait(&mut self, m: &mut Machine, p: usize, r: VcpuRef) {
        let sp = self.vcpu(r).special;
        let im = sp.get(m, off::STATUS) & 0xFF00;
        if self.pending_lines(r) & im != 0 {
            return;
        }
        self.switch_out(m, p, VcpuState::Waiting);
        self.run_next(m, p);
    }
}
