//! Instruction semantics: one arm per [`Op`].
//!
//! `exec` runs with `pc` already advanced (see cpu.rs): `self.pc` is the delay slot of a
//! branch at `pc`, and a taken branch writes its target into `self.npc`.

use crate::bus::{Bus, BusFault, Size};
use crate::cp0::{self, Cp0, cause, reg, status};
use crate::cpu::Cpu;
use crate::decode::{Insn, Op, decode};
use crate::exception::{ExcCode, Fault};
use crate::mmu::Access;
use crate::predecode::Predecode;
use crate::tlb::TlbEntry;

impl Cpu {
    /// Executes `i`, the instruction at `pc` (`bd`: it sits in a delay slot). Inlined into
    /// the run loop, so the dispatch is a jump table in the loop itself, not a call.
    #[inline(always)]
    pub(crate) fn exec<B: Bus>(
        &mut self,
        i: Insn,
        pc: u32,
        bd: bool,
        bus: &mut B,
        pre: &mut Predecode,
    ) -> Result<(), Fault> {
        let s = self.regs[i.s as usize];
        let t = self.regs[i.t as usize];
        let d = i.d as usize;
        match i.op {
            Op::Undecoded => return self.decode_and_exec(pc, bd, bus, pre),
            Op::Nop | Op::Sync | Op::Pref => {}
            Op::Reserved => return Err(Fault::new(ExcCode::Ri)),
            Op::CopUnusable => return Err(Fault { ce: i.imm as u8, ..Fault::new(ExcCode::CpU) }),

            Op::Sll => self.regs[d] = t << i.imm,
            Op::Srl => self.regs[d] = t >> i.imm,
            Op::Sra => self.regs[d] = ((t as i32) >> i.imm) as u32,
            Op::Rotr => self.regs[d] = t.rotate_right(i.imm),
            Op::Sllv => self.regs[d] = t << (s & 31),
            Op::Srlv => self.regs[d] = t >> (s & 31),
            Op::Srav => self.regs[d] = ((t as i32) >> (s & 31)) as u32,
            Op::Rotrv => self.regs[d] = t.rotate_right(s & 31),

            Op::Add => self.regs[d] = overflow((s as i32).checked_add(t as i32))?,
            Op::Addu => self.regs[d] = s.wrapping_add(t),
            Op::Sub => self.regs[d] = overflow((s as i32).checked_sub(t as i32))?,
            Op::Subu => self.regs[d] = s.wrapping_sub(t),
            Op::And => self.regs[d] = s & t,
            Op::Or => self.regs[d] = s | t,
            Op::Xor => self.regs[d] = s ^ t,
            Op::Nor => self.regs[d] = !(s | t),
            Op::Slt => self.regs[d] = ((s as i32) < (t as i32)) as u32,
            Op::Sltu => self.regs[d] = (s < t) as u32,
            Op::Addi => self.regs[d] = overflow((s as i32).checked_add(i.imm as i32))?,
            Op::Addiu => self.regs[d] = s.wrapping_add(i.imm),
            Op::Slti => self.regs[d] = ((s as i32) < (i.imm as i32)) as u32,
            Op::Sltiu => self.regs[d] = (s < i.imm) as u32,
            Op::Andi => self.regs[d] = s & i.imm,
            Op::Ori => self.regs[d] = s | i.imm,
            Op::Xori => self.regs[d] = s ^ i.imm,
            Op::Lui => self.regs[d] = i.imm,
            Op::Movz => {
                if t == 0 {
                    self.regs[d] = s;
                }
            }
            Op::Movn => {
                if t != 0 {
                    self.regs[d] = s;
                }
            }

            Op::Mfhi => self.regs[d] = self.hi,
            Op::Mflo => self.regs[d] = self.lo,
            Op::Mthi => self.hi = s,
            Op::Mtlo => self.lo = s,
            Op::Mult => self.set_hilo((i64::from(s as i32) * i64::from(t as i32)) as u64),
            Op::Multu => self.set_hilo(u64::from(s) * u64::from(t)),
            Op::Madd => {
                let p = i64::from(s as i32) * i64::from(t as i32);
                self.set_hilo(self.hilo().wrapping_add(p as u64));
            }
            Op::Maddu => self.set_hilo(self.hilo().wrapping_add(u64::from(s) * u64::from(t))),
            Op::Msub => {
                let p = i64::from(s as i32) * i64::from(t as i32);
                self.set_hilo(self.hilo().wrapping_sub(p as u64));
            }
            Op::Msubu => self.set_hilo(self.hilo().wrapping_sub(u64::from(s) * u64::from(t))),
            Op::Mul => self.regs[d] = (s as i32).wrapping_mul(t as i32) as u32,
            Op::Div => {
                // The result of a zero divisor is UNPREDICTABLE; like qemu, divide by 1.
                // INT_MIN / -1 gives LO = INT_MIN, HI = 0 (no exception).
                let (n, m) = (s as i32, if t == 0 { 1 } else { t as i32 });
                self.lo = n.wrapping_div(m) as u32;
                self.hi = n.wrapping_rem(m) as u32;
            }
            Op::Divu => {
                let m = if t == 0 { 1 } else { t };
                self.lo = s / m;
                self.hi = s % m;
            }

            Op::Clz => self.regs[d] = s.leading_zeros(),
            Op::Clo => self.regs[d] = s.leading_ones(),
            Op::Ext => {
                let (pos, size) = (i.imm & 31, i.imm >> 8);
                self.regs[d] = (s >> pos) & mask(size);
            }
            Op::Ins => {
                let (pos, size) = (i.imm & 31, i.imm >> 8);
                let m = mask(size) << pos;
                self.regs[d] = (t & !m) | ((s << pos) & m);
            }
            Op::Wsbh => self.regs[d] = ((t & 0x00FF_00FF) << 8) | ((t >> 8) & 0x00FF_00FF),
            Op::Seb => self.regs[d] = t as i8 as i32 as u32,
            Op::Seh => self.regs[d] = t as i16 as i32 as u32,

            Op::J | Op::Jal | Op::Jr | Op::Jalr => {
                if bd {
                    return Err(Fault::new(ExcCode::Ri));
                }
                let target = match i.op {
                    Op::J | Op::Jal => (self.pc & 0xF000_0000) | i.imm,
                    _ => s,
                };
                if matches!(i.op, Op::Jal | Op::Jalr) {
                    self.regs[d] = pc.wrapping_add(8);
                }
                self.npc = target;
                self.next_in_delay = true;
            }
            Op::Beq => self.branch(bd, s == t, i.imm, false)?,
            Op::Bne => self.branch(bd, s != t, i.imm, false)?,
            Op::Blez => self.branch(bd, (s as i32) <= 0, i.imm, false)?,
            Op::Bgtz => self.branch(bd, (s as i32) > 0, i.imm, false)?,
            Op::Bltz => self.branch(bd, (s as i32) < 0, i.imm, false)?,
            Op::Bgez => self.branch(bd, (s as i32) >= 0, i.imm, false)?,
            Op::Beql => self.branch(bd, s == t, i.imm, true)?,
            Op::Bnel => self.branch(bd, s != t, i.imm, true)?,
            Op::Blezl => self.branch(bd, (s as i32) <= 0, i.imm, true)?,
            Op::Bgtzl => self.branch(bd, (s as i32) > 0, i.imm, true)?,
            Op::Bltzl => self.branch(bd, (s as i32) < 0, i.imm, true)?,
            Op::Bgezl => self.branch(bd, (s as i32) >= 0, i.imm, true)?,
            Op::Bltzal | Op::Bgezal | Op::Bltzall | Op::Bgezall => {
                // The condition reads rs before the link register is written.
                let cond = match i.op {
                    Op::Bltzal | Op::Bltzall => (s as i32) < 0,
                    _ => (s as i32) >= 0,
                };
                let likely = matches!(i.op, Op::Bltzall | Op::Bgezall);
                self.branch(bd, cond, i.imm, likely)?;
                self.regs[31] = pc.wrapping_add(8);
            }

            Op::Syscall => return Err(Fault::new(ExcCode::Sys)),
            Op::Break => return Err(Fault::new(ExcCode::Bp)),
            Op::Tge => trap((s as i32) >= (t as i32))?,
            Op::Tgeu => trap(s >= t)?,
            Op::Tlt => trap((s as i32) < (t as i32))?,
            Op::Tltu => trap(s < t)?,
            Op::Teq => trap(s == t)?,
            Op::Tne => trap(s != t)?,
            Op::Tgei => trap((s as i32) >= (i.imm as i32))?,
            Op::Tgeiu => trap(s >= i.imm)?,
            Op::Tlti => trap((s as i32) < (i.imm as i32))?,
            Op::Tltiu => trap(s < i.imm)?,
            Op::Teqi => trap(s == i.imm)?,
            Op::Tnei => trap(s != i.imm)?,

            Op::Lb => {
                self.regs[d] =
                    self.load(bus, s.wrapping_add(i.imm), Size::Byte)? as i8 as i32 as u32
            }
            Op::Lbu => self.regs[d] = self.load(bus, s.wrapping_add(i.imm), Size::Byte)?,
            Op::Lh => {
                self.regs[d] =
                    self.load(bus, s.wrapping_add(i.imm), Size::Half)? as i16 as i32 as u32
            }
            Op::Lhu => self.regs[d] = self.load(bus, s.wrapping_add(i.imm), Size::Half)?,
            Op::Lw => self.regs[d] = self.load(bus, s.wrapping_add(i.imm), Size::Word)?,
            Op::Lwl => {
                let va = s.wrapping_add(i.imm);
                let word = self.load(bus, va & !3, Size::Word).map_err(|f| f.moved_to(va))?;
                let shift = (3 - (va & 3)) * 8;
                let m = u32::MAX << shift;
                self.regs[d] = (t & !m) | (word << shift);
            }
            Op::Lwr => {
                let va = s.wrapping_add(i.imm);
                let word = self.load(bus, va & !3, Size::Word).map_err(|f| f.moved_to(va))?;
                let shift = (va & 3) * 8;
                let m = u32::MAX >> shift;
                self.regs[d] = (t & !m) | (word >> shift);
            }
            Op::Sb => self.store(bus, s.wrapping_add(i.imm), Size::Byte, t)?,
            Op::Sh => self.store(bus, s.wrapping_add(i.imm), Size::Half, t)?,
            Op::Sw => self.store(bus, s.wrapping_add(i.imm), Size::Word, t)?,
            Op::Swl => {
                let va = s.wrapping_add(i.imm);
                let shift = (3 - (va & 3)) * 8;
                let old = self.load_for_store(bus, va & !3).map_err(|f| f.moved_to(va))?;
                let m = u32::MAX >> shift;
                self.store(bus, va & !3, Size::Word, (old & !m) | (t >> shift))
                    .map_err(|f| f.moved_to(va))?;
            }
            Op::Swr => {
                let va = s.wrapping_add(i.imm);
                let shift = (va & 3) * 8;
                let old = self.load_for_store(bus, va & !3).map_err(|f| f.moved_to(va))?;
                let m = u32::MAX << shift;
                self.store(bus, va & !3, Size::Word, (old & !m) | (t << shift))
                    .map_err(|f| f.moved_to(va))?;
            }
            Op::Ll => {
                let va = s.wrapping_add(i.imm);
                if va & 3 != 0 {
                    return Err(Fault::at(ExcCode::AdEL, va));
                }
                let tr = self.mmu.read(self.mode, self.cp0.asid(), va, Access::Load)?;
                let v = bus
                    .read(tr.pa, Size::Word, tr.cached, &mut self.cycles)
                    .map_err(|_| Fault::new(ExcCode::Dbe))?;
                bus.link(tr.pa);
                self.cp0.lladdr = tr.pa >> 4;
                self.regs[d] = v;
            }
            Op::Sc => {
                let va = s.wrapping_add(i.imm);
                if va & 3 != 0 {
                    return Err(Fault::at(ExcCode::AdES, va));
                }
                let tr = self.mmu.write(self.mode, self.cp0.asid(), va)?;
                let ok = bus.check_link(tr.pa);
                if ok {
                    self.store(bus, va, Size::Word, t)?;
                }
                self.regs[d] = ok as u32;
            }
            Op::Synci => self.drop_fetch_page(),
            Op::Cache => {
                self.privileged()?;
                self.drop_fetch_page();
            }
            Op::Rdhwr => {
                let n = i.imm;
                let allowed = self.mode.is_kernel() || self.cp0.hwrena & (1 << n) != 0;
                let v = match n {
                    0 => self.cp0.ebase & 0x3FF,
                    1 => 32,
                    2 => self.count(),
                    3 => 2,
                    29 => self.cp0.user_local,
                    _ => return Err(Fault::new(ExcCode::Ri)),
                };
                if !allowed {
                    return Err(Fault::new(ExcCode::Ri));
                }
                self.regs[d] = v;
            }

            Op::Mfc0 => {
                self.privileged()?;
                self.regs[d] = self.read_cp0(i.imm);
            }
            Op::Mtc0 => {
                self.privileged()?;
                self.write_cp0(i.imm, t);
            }
            Op::Di | Op::Ei => {
                self.privileged()?;
                self.regs[d] = self.cp0.status;
                if i.op == Op::Ei {
                    self.cp0.status |= status::IE;
                } else {
                    self.cp0.status &= !status::IE;
                }
                self.limit = 0;
            }
            Op::Rdpgpr | Op::Wrpgpr => {
                // One register set: the previous shadow set is the current one.
                self.privileged()?;
                self.regs[d] = t;
            }
            Op::Tlbr => {
                self.privileged()?;
                let e = self.mmu.tlb.get((self.cp0.index & 0x3F) as usize);
                let g = u32::from(e.global());
                let old_asid = self.cp0.asid();
                self.cp0.entry_hi = e.hi;
                self.cp0.page_mask = e.mask;
                self.cp0.entry_lo0 = (e.lo0 & !1) | g;
                self.cp0.entry_lo1 = (e.lo1 & !1) | g;
                if self.cp0.asid() != old_asid {
                    self.flush_translations();
                }
            }
            Op::Tlbwi => {
                self.privileged()?;
                self.write_tlb((self.cp0.index & 0x3F) as usize);
            }
            Op::Tlbwr => {
                self.privileged()?;
                self.write_tlb(self.random() as usize);
            }
            Op::Tlbp => {
                self.privileged()?;
                self.cp0.index = match self.mmu.tlb.probe(self.cp0.entry_hi) {
                    Some(ix) => ix as u32,
                    None => 0x8000_0000,
                };
            }
            Op::Eret => {
                self.privileged()?;
                if bd {
                    return Err(Fault::new(ExcCode::Ri));
                }
                let target = if self.cp0.status & status::ERL != 0 {
                    self.cp0.status &= !status::ERL;
                    self.cp0.error_epc
                } else {
                    self.cp0.status &= !status::EXL;
                    self.cp0.epc
                };
                bus.unlink();
                self.set_pc(target);
                self.status_changed();
                if let Some(since) = self.utlb_since.take() {
                    self.stats.utlb_refills += 1;
                    self.stats.utlb_cycles += self.cycles - since;
                }
            }
            Op::Wait => {
                self.privileged()?;
                self.waiting = true;
                self.limit = 0;
            }
        }
        Ok(())
    }

    /// First execution of a predecode slot: fetch and decode the word, keep the decode, run
    /// it. Kept out of line so that `exec` does not call itself and can be inlined.
    #[inline(never)]
    fn decode_and_exec<B: Bus>(
        &mut self,
        pc: u32,
        bd: bool,
        bus: &mut B,
        pre: &mut Predecode,
    ) -> Result<(), Fault> {
        let pa = self.fetch_pbase | (pc & 0xFFF);
        let word = bus.fetch(pa, &mut self.cycles).map_err(|_| Fault::new(ExcCode::Ibe))?;
        let insn = decode(word);
        pre.store(self.fetch_slot, (pc >> 2) as usize, insn);
        self.exec(insn, pc, bd, bus, pre)
    }

    #[inline(always)]
    fn hilo(&self) -> u64 {
        u64::from(self.hi) << 32 | u64::from(self.lo)
    }

    #[inline(always)]
    fn set_hilo(&mut self, v: u64) {
        self.hi = (v >> 32) as u32;
        self.lo = v as u32;
    }

    /// A conditional branch at the instruction before `self.pc`.
    #[inline(always)]
    fn branch(&mut self, bd: bool, taken: bool, offset: u32, likely: bool) -> Result<(), Fault> {
        if bd {
            return Err(Fault::new(ExcCode::Ri));
        }
        if taken {
            self.npc = self.pc.wrapping_add(offset);
            self.next_in_delay = true;
        } else if likely {
            // Not taken: the delay slot is nullified.
            self.pc = self.npc;
            self.npc = self.npc.wrapping_add(4);
        } else {
            self.next_in_delay = true;
        }
        Ok(())
    }

    /// Kernel mode, or CP0 usable: else a CpU exception for coprocessor 0.
    #[inline(always)]
    fn privileged(&self) -> Result<(), Fault> {
        if self.mode.is_kernel() || self.cp0.status & status::CU0 != 0 {
            Ok(())
        } else {
            Err(Fault::new(ExcCode::CpU))
        }
    }

    #[inline(always)]
    fn load<B: Bus>(&mut self, bus: &mut B, va: u32, size: Size) -> Result<u32, Fault> {
        if va & (size as u32 - 1) != 0 {
            return Err(Fault::at(ExcCode::AdEL, va));
        }
        let tr = self.mmu.read(self.mode, self.cp0.asid(), va, Access::Load)?;
        bus.read(tr.pa, size, tr.cached, &mut self.cycles).map_err(|_| Fault::new(ExcCode::Dbe))
    }

    /// The old word under a partial store (SWL/SWR), translated as a store so a clean or
    /// missing page faults as a store would.
    #[inline(always)]
    fn load_for_store<B: Bus>(&mut self, bus: &mut B, va: u32) -> Result<u32, Fault> {
        let tr = self.mmu.write(self.mode, self.cp0.asid(), va)?;
        bus.read(tr.pa, Size::Word, tr.cached, &mut self.cycles)
            .map_err(|_| Fault::new(ExcCode::Dbe))
    }

    #[inline(always)]
    fn store<B: Bus>(&mut self, bus: &mut B, va: u32, size: Size, v: u32) -> Result<(), Fault> {
        if va & (size as u32 - 1) != 0 {
            return Err(Fault::at(ExcCode::AdES, va));
        }
        let tr = self.mmu.write(self.mode, self.cp0.asid(), va)?;
        match bus.write(tr.pa, size, v, tr.cached, &mut self.cycles) {
            Ok(()) => {}
            Err(BusFault::Stop) => {
                self.stop = true;
                self.limit = 0;
            }
            Err(BusFault::Error) => return Err(Fault::new(ExcCode::Dbe)),
        }
        if tr.pa >> 12 == self.fetch_ppn {
            // Our own code page changed under us: decode it again.
            self.drop_fetch_page();
        }
        Ok(())
    }

    /// TLBWI/TLBWR: writes entry `index` from EntryHi, EntryLo0/1 and PageMask.
    fn write_tlb(&mut self, index: usize) {
        let c = &self.cp0;
        let e = TlbEntry { hi: c.entry_hi, mask: c.page_mask, lo0: c.entry_lo0, lo1: c.entry_lo1 };
        self.write_tlb_entry(index, e);
    }

    /// Writes TLB entry `index` (wrapping at the TLB size) the way TLBWI does — masking the
    /// fields to what the hardware keeps — and drops any translation the old or new entry
    /// could have cached. For owners that manage the TLB directly (the monitor, the user-mode
    /// runner).
    pub fn write_tlb_entry(&mut self, index: usize, e: TlbEntry) {
        let mask = e.mask & cp0::PAGE_MASK_MASK;
        let new = TlbEntry {
            hi: e.hi & !mask & cp0::ENTRY_HI_MASK,
            mask,
            lo0: e.lo0 & cp0::ENTRY_LO_MASK,
            lo1: e.lo1 & cp0::ENTRY_LO_MASK,
        };
        let old = self.mmu.tlb.get(index);
        self.mmu.tlb.set(index, new);
        self.mmu.forget_entry(&old);
        self.mmu.forget_entry(&new);
        self.drop_fetch_page();
    }

    /// MFC0: the value of CP0 register `r` (`reg * 8 + sel`); unimplemented ones read 0.
    pub fn read_cp0(&self, r: u32) -> u32 {
        let c = &self.cp0;
        match r {
            reg::INDEX => c.index,
            reg::RANDOM => self.random(),
            reg::ENTRY_LO0 => c.entry_lo0,
            reg::ENTRY_LO1 => c.entry_lo1,
            reg::CONTEXT => c.context,
            reg::USER_LOCAL => c.user_local,
            reg::PAGE_MASK => c.page_mask,
            reg::WIRED => c.wired,
            reg::HWRENA => c.hwrena,
            reg::BAD_VADDR => c.bad_vaddr,
            reg::COUNT => self.count(),
            reg::ENTRY_HI => c.entry_hi,
            reg::COMPARE => c.compare,
            reg::STATUS => c.status,
            reg::INTCTL => 7 << 29,
            reg::CAUSE => c.cause,
            reg::EPC => c.epc,
            reg::PRID => cp0::PRID,
            reg::EBASE => c.ebase,
            reg::CONFIG => c.config(),
            reg::CONFIG1 => c.config1,
            reg::CONFIG2 => 1 << 31,
            reg::CONFIG3 => 1 << 13,
            reg::LLADDR => c.lladdr,
            reg::ERROR_EPC => c.error_epc,
            _ => 0,
        }
    }

    /// MTC0: writes CP0 register `r` with the architectural write masks and side effects.
    pub fn write_cp0(&mut self, r: u32, v: u32) {
        let tlb_mask = (self.mmu.tlb.len() as u32).next_power_of_two() - 1;
        let c: &mut Cp0 = &mut self.cp0;
        match r {
            reg::INDEX => c.index = (c.index & 0x8000_0000) | (v & tlb_mask),
            reg::ENTRY_LO0 => c.entry_lo0 = v & cp0::ENTRY_LO_MASK,
            reg::ENTRY_LO1 => c.entry_lo1 = v & cp0::ENTRY_LO_MASK,
            reg::CONTEXT => c.context = (v & 0xFF80_0000) | (c.context & 0x007F_FFFF),
            reg::USER_LOCAL => c.user_local = v,
            reg::PAGE_MASK => c.page_mask = v & cp0::PAGE_MASK_MASK,
            reg::WIRED => c.wired = v & tlb_mask,
            reg::HWRENA => c.hwrena = v & (0xF | 1 << 29),
            reg::COUNT => self.set_count(v),
            reg::ENTRY_HI => {
                let old = c.asid();
                c.entry_hi = v & cp0::ENTRY_HI_MASK;
                if c.asid() != old {
                    self.flush_translations();
                }
            }
            reg::COMPARE => self.set_compare(v),
            reg::STATUS => {
                c.status = (c.status & !status::WRITABLE) | (v & status::WRITABLE);
                self.status_changed();
            }
            reg::CAUSE => {
                c.cause = (c.cause & !cause::WRITABLE) | (v & cause::WRITABLE);
                self.limit = 0;
            }
            reg::EPC => c.epc = v,
            reg::EBASE => c.ebase = (c.ebase & !0x3FFF_F000) | (v & 0x3FFF_F000),
            reg::ERROR_EPC => c.error_epc = v,
            _ => {}
        }
    }
}

impl Fault {
    /// The same fault reported at `va` (partial-word accesses fault at the address the program
    /// gave, not the aligned word the CPU used).
    fn moved_to(self, va: u32) -> Fault {
        if self.has_vaddr() { Fault { vaddr: va, ..self } } else { self }
    }
}

#[inline(always)]
fn overflow(r: Option<i32>) -> Result<u32, Fault> {
    r.map(|v| v as u32).ok_or(Fault::new(ExcCode::Ov))
}

#[inline(always)]
fn trap(cond: bool) -> Result<(), Fault> {
    if cond { Err(Fault::new(ExcCode::Tr)) } else { Ok(()) }
}

#[inline(always)]
fn mask(size: u32) -> u32 {
    if size >= 32 { u32::MAX } else { (1 << size) - 1 }
}
