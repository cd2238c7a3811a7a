//! Emulation of the guest kernel's privileged instructions (paper §4.1: "trap, update the
//! virtual privileged registers, return"): MFC0/MTC0 against the virtual CP0 (most of it in
//! the special page), DI/EI, the TLB instructions against the virtual CPU's own TLB, ERET,
//! WAIT (the virtual CPU leaves its physical CPU), CACHE/SYNCI, RDPGPR/WRPGPR. A trap the
//! monitor cannot emulate (the instruction cannot be read, or is none of these) is delivered to
//! the guest unchanged, as the coprocessor-unusable exception it was.

use machine::Machine;
use mips::Exception;
use mips::cp0::status;
use mips::decode::{Op, decode};
use mips::tlb::{Lookup, TlbEntry};

use crate::cost::Kind;
use crate::ids::VcpuRef;
use crate::monitor::{KSEG, Monitor};
use crate::special_page::off;
use crate::tlb_miss::guest_frame;
use crate::vcpu::VcpuState;

impl Monitor {
    /// The instruction word at guest virtual `va`, as the guest kernel on physical CPU `p` sees
    /// it: through the guest's own TLB entry if one maps the page (it takes precedence over the
    /// kernel segment's direct map, `tlb_miss.rs`), else through the direct map.
    fn kernel_word(&self, m: &Machine, p: usize, r: VcpuRef, va: u32) -> Option<u32> {
        let asid = (m.cpus[p].cp0.entry_hi & 0xFF) as u8;
        let gpa = match self.vcpu(r).vtlb.lookup(va, asid) {
            Lookup::Hit { lo, page_size } if lo & 2 != 0 => {
                guest_frame(lo, page_size, va & !0xFFF).gpa() | (va & 0xFFF)
            }
            _ => va.checked_sub(KSEG)?,
        };
        let bytes = self.read_guest(m, r.vm, gpa & !3, 4)?;
        Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// Emulates the privileged instruction that trapped on physical CPU `p`.
    pub(crate) fn emulate(&mut self, m: &mut Machine, p: usize, r: VcpuRef, e: &Exception) {
        let pc = if e.bd { e.epc.wrapping_add(4) } else { e.epc };
        let Some(w) = self.kernel_word(m, p, r, pc) else {
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
                    (v.index_reg & v.index_mask()) as usize
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
                let e = v.vtlb.get((v.index_reg & v.index_mask()) as usize);
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
                // Back to user mode at the end of a kernel service (the guest armed it): this
                // return is the service's.
                self.pcpus[p].return_to_user = user && sp.take_return_arm(m);
                self.pcpus[p].utlb_eret = self.vcpu(r).utlb.is_some();
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
            R::EBASE => {
                (sp.get(m, off::EBASE) & 0x3FFF_F000) | abi::segments::KSEG0 | u32::from(r.vcpu.0)
            }
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
            // Index.P is read-only (only TLBP sets it); the index field is as wide as the TLB
            // needs, as on the physical CPU.
            R::INDEX => {
                let v = self.vcpu_mut(r);
                v.index_reg = (v.index_reg & 0x8000_0000) | (val & v.index_mask());
            }
            R::ENTRY_LO0 => sp.set(m, off::ENTRYLO0, val & mips::cp0::ENTRY_LO_MASK),
            R::ENTRY_LO1 => sp.set(m, off::ENTRYLO1, val & mips::cp0::ENTRY_LO_MASK),
            // BadVPN2 (22..4) is the hardware's: only PTEBase (31..23) is written.
            R::CONTEXT => {
                let old = sp.get(m, off::CONTEXT);
                sp.set(m, off::CONTEXT, (val & 0xFF80_0000) | (old & 0x007F_FFFF));
            }
            R::PAGE_MASK => self.vcpu_mut(r).page_mask = val & mips::cp0::PAGE_MASK_MASK,
            R::WIRED => {
                let v = self.vcpu_mut(r);
                v.wired = val & v.index_mask();
            }
            R::ENTRY_HI => sp.set(m, off::ENTRYHI, val & mips::cp0::ENTRY_HI_MASK),
            // Writing Compare acknowledges the timer interrupt at once (the special page's copy
            // is only noticed at the next quantum, `sched.rs`).
            R::COMPARE => {
                sp.set(m, off::COMPARE, val);
                let v = self.vcpu_mut(r);
                v.compare_seen = val;
                v.timer = false;
            }
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
            // EBase 31..30 read as kseg0 (0b10), whatever is written; the guest's kseg0 is the
            // kernel segment, so the vectors go to the same guest-physical base there.
            R::EBASE => sp.set(m, off::EBASE, KSEG | (val & 0x3FFF_F000)),
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
    /// dropped; so is anything of its address space overlapping the new entry. Guests must flush with the
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
