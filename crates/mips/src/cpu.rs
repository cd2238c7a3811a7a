//! The CPU: register file, program counter with its delay-slot state, CP0, MMU, and the run
//! loop.
//!
//! ## Delay slots
//! The CPU keeps `pc` (the instruction to execute next) and `npc` (the one after it). Each
//! step advances `pc = npc; npc += 4` before executing, so a branch only has to overwrite
//! `npc` with its target and the delay slot at `pc` runs next. `next_in_delay` says whether
//! the instruction at `pc` sits in a delay slot, which is what an exception there needs to set
//! EPC to the branch and Cause.BD.
//!
//! ## The run loop
//! [`Cpu::run`] runs until a cycle deadline. Between batches it raises the timer interrupt and
//! takes pending interrupts; inside a batch it only fetches and executes. Anything that may
//! change whether an interrupt is deliverable (MTC0 to Status/Cause/Compare, EI/DI, ERET),
//! and every exception, ends the batch by setting `limit` to 0, so the check happens at once.
//!
//! ## Exceptions: vector or report
//! By default an exception vectors, as the hardware does. An owner that wants to handle some
//! exceptions itself — the monitor emulating privileged instructions, the user-mode runner
//! emulating Linux system calls — sets a report mask: those exceptions change no CP0 state;
//! the run loop returns [`Exit::Exception`] and leaves `pc` past the faulting instruction
//! (so emulating it and resuming is just "run again"; [`Cpu::retry`] restarts it instead).

use crate::bus::Bus;
use crate::cp0::{Cp0, Mode, cause, status};
use crate::decode::Insn;
use crate::exception::{ExcCode, Exception, Fault};
use crate::mmu::{Access, Mmu};
use crate::predecode::Predecode;

/// A fetch page base that no `pc & FETCH_MASK` can equal, meaning "no fetch page".
const NO_PAGE: u32 = u32::MAX;
/// The bits of `pc` compared with the fetch page base: the page, and the two alignment bits,
/// so a misaligned pc misses the fast path and faults in the slow one.
const FETCH_MASK: u32 = 0xFFFF_F003;

/// The architectural registers in snapshots: the 32 GPRs (the rest of the array is the
/// decoder's sink and padding, always rebuilt as zeros).
mod regs_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(regs: &[u32; 256], s: S) -> Result<S::Ok, S::Error> {
        regs[..32].serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u32; 256], D::Error> {
        let v: Vec<u32> = Vec::deserialize(d)?;
        if v.len() != 32 {
            return Err(serde::de::Error::invalid_length(v.len(), &"32 registers"));
        }
        let mut regs = [0; 256];
        regs[..32].copy_from_slice(&v);
        regs[0] = 0;
        Ok(regs)
    }
}

fn no_page() -> u32 {
    NO_PAGE
}

/// Why [`Cpu::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The cycle deadline was reached.
    Budget,
    /// An exception the owner asked to see (see [`Cpu::set_report_mask`]).
    Exception(Exception),
    /// The bus asked the CPU to stop (for example, the machine was powered off).
    Stopped,
}

/// Counters the CPU keeps about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CpuStats {
    /// Instructions retired (including ones that faulted).
    pub instructions: u64,
    /// Instructions by mode: kernel, supervisor, user.
    pub instructions_by_mode: [u64; 3],
    /// Cycles by mode (instructions and their stalls): kernel, supervisor, user. A CPU's
    /// cycles are these plus `idle_cycles` plus `charged_cycles`.
    pub cycles_by_mode: [u64; 3],
    /// Cycles with nothing to run: waiting (WAIT) for an interrupt, or parked by the owner.
    pub idle_cycles: u64,
    /// Exceptions by ExcCode (vectored or reported).
    pub exceptions: [u64; 16],
    /// Cycles charged by the CPU's owner for work done on the CPU's behalf outside the
    /// instruction stream (the monitor's emulation): part of `cycles`, in no mode.
    pub charged_cycles: u64,
    /// TLB refills of a user address taken through the refill vector and ended by ERET with no
    /// other exception in between: the paper's UTLB_MISS, timed by the machine (a kernel's
    /// dozen-instruction refill handler keeps no count of its own).
    #[serde(default)]
    pub utlb_refills: u64,
    /// Their cycles, from the miss to the end of the ERET.
    #[serde(default)]
    pub utlb_cycles: u64,
}

/// The state a CPU needs to resume a thread of execution exactly where it stopped: the
/// general registers, HI/LO, and the program counter with its delay-slot state (a context
/// saved between a branch and its delay slot resumes with the delay slot).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Context {
    /// $0..$31 ($0 is always 0).
    pub regs: [u32; 32],
    /// HI.
    pub hi: u32,
    /// LO.
    pub lo: u32,
    /// Next instruction.
    pub pc: u32,
    /// The one after it (the branch target if `pc` is a delay slot).
    pub npc: u32,
    /// True if `pc` is in a delay slot.
    pub in_delay: bool,
}

/// One MIPS32 CPU.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Cpu {
    /// General-purpose registers, indexed by a decoded register field. Only 0..32 are
    /// architectural; 32 is the sink for writes to `$zero`; the rest exist so that any `u8`
    /// index is in bounds without a check.
    #[serde(with = "regs_serde")]
    pub(crate) regs: [u32; 256],
    /// HI.
    pub hi: u32,
    /// LO.
    pub lo: u32,
    pub(crate) pc: u32,
    pub(crate) npc: u32,
    pub(crate) next_in_delay: bool,
    /// Coprocessor 0.
    pub cp0: Cp0,
    /// TLB and translation cache.
    pub mmu: Mmu,
    pub(crate) mode: Mode,
    pub(crate) cycles: u64,
    pub(crate) limit: u64,
    timer_at: u64,
    pub(crate) waiting: bool,
    pub(crate) stop: bool,
    reported: Option<Exception>,
    report_mask: u32,
    // Instruction fetch state: the virtual page being executed and its decoded page. The
    // decoded pages are a cache (a restored snapshot starts without them, see `run`); the rest
    // is kept, because re-entering the page would fetch its line again and count it.
    pub(crate) fetch_vbase: u32,
    pub(crate) fetch_pbase: u32,
    pub(crate) fetch_ppn: u32,
    pub(crate) fetch_slot: usize,
    last_iline: u32,
    /// What the run loop compares `pc` with to take its fast path: the fetch page's base (or,
    /// with a bus that tracks instruction fetches, the base of the line last charged), both
    /// with `pc`'s alignment bits; `NO_PAGE` whenever the fetch page is dropped. Derived from
    /// the fetch state above, so a restored snapshot starts without it.
    #[serde(skip, default = "no_page")]
    fetch_key: u32,
    iline_shift: u32,
    #[serde(skip)]
    pub(crate) pre: Predecode,
    pub(crate) stats: CpuStats,
    mode_since_cycles: u64,
    mode_since_insns: u64,
    /// The cycle a user TLB refill began, until its ERET (`CpuStats::utlb_refills`).
    #[serde(default)]
    pub(crate) utlb_since: Option<u64>,
}

impl Cpu {
    /// A CPU in its reset state: CPU number `id` (EBase.CPUNum), a TLB of `tlb_entries` pairs,
    /// kernel mode with BEV and ERL set, pc at the reset vector 0xBFC00000.
    pub fn new(id: u32, tlb_entries: usize) -> Cpu {
        let cp0 = Cp0::reset(id, tlb_entries as u32);
        let mode = cp0.mode();
        let mut cpu = Cpu {
            regs: [0; 256],
            hi: 0,
            lo: 0,
            pc: 0,
            npc: 0,
            next_in_delay: false,
            cp0,
            mmu: Mmu::new(tlb_entries),
            mode,
            cycles: 0,
            limit: 0,
            timer_at: u64::MAX,
            waiting: false,
            stop: false,
            reported: None,
            report_mask: 0,
            fetch_vbase: NO_PAGE,
            fetch_pbase: 0,
            fetch_ppn: u32::MAX,
            fetch_slot: 0,
            last_iline: u32::MAX,
            fetch_key: NO_PAGE,
            iline_shift: 5,
            pre: Predecode::new(),
            stats: CpuStats::default(),
            mode_since_cycles: 0,
            mode_since_insns: 0,
            utlb_since: None,
        };
        cpu.set_pc(0xBFC0_0000);
        cpu.reschedule_timer();
        cpu
    }

    /// General-purpose register `r` (0..32).
    pub fn gpr(&self, r: usize) -> u32 {
        if r < 32 { self.regs[r] } else { 0 }
    }

    /// Sets general-purpose register `r` (writes to 0 and out-of-range indexes are ignored).
    pub fn set_gpr(&mut self, r: usize, v: u32) {
        if (1..32).contains(&r) {
            self.regs[r] = v;
        }
    }

    /// The address of the next instruction to execute.
    pub fn pc(&self) -> u32 {
        self.pc
    }

    /// True if the next instruction sits in a branch delay slot.
    pub fn in_delay_slot(&self) -> bool {
        self.next_in_delay
    }

    /// The CPU's resumable state.
    pub fn context(&self) -> Context {
        let mut regs = [0; 32];
        regs.copy_from_slice(&self.regs[..32]);
        Context {
            regs,
            hi: self.hi,
            lo: self.lo,
            pc: self.pc,
            npc: self.npc,
            in_delay: self.next_in_delay,
        }
    }

    /// Resumes a saved context.
    pub fn set_context(&mut self, c: &Context) {
        self.regs[..32].copy_from_slice(&c.regs);
        self.regs[0] = 0;
        self.hi = c.hi;
        self.lo = c.lo;
        self.pc = c.pc;
        self.npc = c.npc;
        self.next_in_delay = c.in_delay;
    }

    /// Advances the clock by `cycles` of work done for this CPU outside its instruction stream
    /// (a monitor emulating an instruction, say): counted in [`CpuStats::charged_cycles`], not
    /// in any mode.
    pub fn charge(&mut self, cycles: u64) {
        self.cycles += cycles;
        self.mode_since_cycles += cycles;
        self.stats.charged_cycles += cycles;
    }

    /// Advances the clock to `cycle` as idle time (the CPU had nothing to run).
    pub fn idle_to(&mut self, cycle: u64) {
        if cycle > self.cycles {
            let d = cycle - self.cycles;
            self.cycles = cycle;
            self.mode_since_cycles += d;
            self.stats.idle_cycles += d;
        }
    }

    /// Continues execution at `pc` (no delay slot pending).
    pub fn set_pc(&mut self, pc: u32) {
        self.pc = pc;
        self.npc = pc.wrapping_add(4);
        self.next_in_delay = false;
    }

    /// Restarts the instruction of a reported exception (the branch, if it was in a delay
    /// slot) instead of continuing after it.
    pub fn retry(&mut self, e: &Exception) {
        self.set_pc(e.epc);
    }

    /// Cycles run so far (instructions plus stalls plus idle).
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Moves the clock forward to `cycle` without running, for a CPU that did not exist for
    /// the machine until now (not yet started). The skipped time belongs to no mode.
    pub fn skip_to(&mut self, cycle: u64) {
        if cycle > self.cycles {
            self.mode_since_cycles += cycle - self.cycles;
            self.cycles = cycle;
            self.reschedule_timer();
        }
    }

    /// Instructions executed so far.
    pub fn instructions(&self) -> u64 {
        self.stats.instructions
    }

    /// The current privilege mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// True while the CPU sits in WAIT with no interrupt pending.
    pub fn is_waiting(&self) -> bool {
        self.waiting
    }

    /// Statistics, up to date.
    pub fn stats(&self) -> CpuStats {
        let mut s = self.stats.clone();
        let m = self.mode_index();
        s.cycles_by_mode[m] += self.cycles - self.mode_since_cycles;
        s.instructions_by_mode[m] += self.stats.instructions - self.mode_since_insns;
        s
    }

    fn mode_index(&self) -> usize {
        match self.mode {
            Mode::Kernel | Mode::KernelErl => 0,
            Mode::Supervisor => 1,
            Mode::User => 2,
        }
    }

    /// Exceptions whose ExcCode bit is set in `mask` are reported to the owner (see
    /// [`Exit::Exception`]) instead of vectoring. [`REPORT_ALL`] reports everything.
    pub fn set_report_mask(&mut self, mask: u32) {
        self.report_mask = mask;
    }

    /// Sets the instruction-cache line size that [`Bus::ifetch_line`] calls follow.
    pub fn set_icache_line(&mut self, bytes: u32) {
        self.iline_shift = bytes.max(4).trailing_zeros();
        self.last_iline = u32::MAX;
        self.fetch_key = NO_PAGE;
    }

    /// Drives the hardware interrupt lines IP2..IP7 (bits 10..15 of `lines`; the timer's IP7
    /// is ORed in by the CPU itself). Takes effect at the next batch boundary.
    pub fn set_interrupt_lines(&mut self, lines: u32) {
        let hw = lines & 0xFC00;
        let timer = self.cp0.cause & cause::TI;
        let timer_ip = if timer != 0 { cause::IP_TIMER } else { 0 };
        self.cp0.cause = (self.cp0.cause & !0xFC00) | hw | timer_ip;
        self.limit = 0;
    }

    /// Count, derived from the cycle counter.
    pub fn count(&self) -> u32 {
        ((self.cycles >> 1) as u32).wrapping_add(self.cp0.count_offset)
    }

    /// Sets Count (MTC0 Count).
    pub fn set_count(&mut self, v: u32) {
        self.cp0.count_offset = v.wrapping_sub((self.cycles >> 1) as u32);
        self.reschedule_timer();
    }

    /// Sets Compare (MTC0 Compare): clears the timer interrupt and schedules the next one.
    pub fn set_compare(&mut self, v: u32) {
        self.cp0.compare = v;
        self.cp0.cause &= !(cause::TI | cause::IP_TIMER);
        self.reschedule_timer();
    }

    /// The cycle at which Count next equals Compare.
    pub(crate) fn reschedule_timer(&mut self) {
        let delta = self.cp0.compare.wrapping_sub(self.count());
        let delta = if delta == 0 { 1u64 << 32 } else { u64::from(delta) };
        self.timer_at = ((self.cycles >> 1) + delta) << 1;
        self.limit = 0;
    }

    /// The TLB's Random register: between Wired and the last entry, derived from the
    /// instruction count so replacement is spread like the hardware's without a per-cycle
    /// update.
    pub fn random(&self) -> u32 {
        let n = self.mmu.tlb.len() as u64;
        let wired = u64::from(self.cp0.wired).min(n - 1);
        (n - 1 - self.stats.instructions % (n - wired)) as u32
    }

    /// Re-derives the mode after a Status change, accounting time to the old mode, and drops
    /// the fetch page (privilege decides what may be fetched).
    pub(crate) fn status_changed(&mut self) {
        let m = self.cp0.mode();
        if m != self.mode {
            let i = self.mode_index();
            self.stats.cycles_by_mode[i] += self.cycles - self.mode_since_cycles;
            self.stats.instructions_by_mode[i] += self.stats.instructions - self.mode_since_insns;
            self.mode_since_cycles = self.cycles;
            self.mode_since_insns = self.stats.instructions;
            self.mode = m;
        }
        self.drop_fetch_page();
        self.limit = 0;
    }

    /// Drops every cached translation and the fetch page (after ASID or TLB changes).
    pub fn flush_translations(&mut self) {
        self.mmu.flush();
        self.drop_fetch_page();
    }

    /// Drops the fetch page so the next fetch re-validates its decoded instructions (the
    /// owner wrote code behind the CPU's back, or a CACHE/SYNCI asked for it).
    pub fn drop_fetch_page(&mut self) {
        self.fetch_vbase = NO_PAGE;
        self.fetch_key = NO_PAGE;
    }

    /// Runs until the cycle counter reaches `until`, an owner-reported exception, or a stop
    /// request from the bus.
    pub fn run<B: Bus>(&mut self, bus: &mut B, until: u64) -> Exit {
        // The decoded-page cache is lent to the loop for the run, so that the loop holds it as
        // its own (its base in a register) while `exec` has `self` mutably.
        let mut pre = std::mem::replace(&mut self.pre, Predecode::none());
        let exit = self.run_with(bus, &mut pre, until);
        self.pre = pre;
        exit
    }

    fn run_with<B: Bus>(&mut self, bus: &mut B, pre: &mut Predecode, until: u64) -> Exit {
        // After a snapshot is restored the decoded-page cache starts empty: give the fetch page
        // its slot back (keeping the rest of the fetch state, so nothing observable changes).
        if self.fetch_vbase != NO_PAGE && !pre.holds(self.fetch_slot, self.fetch_ppn) {
            self.fetch_slot = pre.enter(self.fetch_ppn, bus.code_generation(self.fetch_ppn));
        }
        // The fast path's mask: the line (if the bus charges instruction fetches per line) or
        // the page, with the alignment bits so that a misaligned pc misses it and faults.
        let key_mask =
            if B::TRACKS_IFETCH { !((1u32 << self.iline_shift) - 1) | 3 } else { FETCH_MASK };
        loop {
            if let Some(e) = self.reported.take() {
                return Exit::Exception(e);
            }
            if self.stop {
                self.stop = false;
                return Exit::Stopped;
            }
            if self.cycles >= self.timer_at {
                self.cp0.cause |= cause::TI | cause::IP_TIMER;
                self.reschedule_timer();
            }
            if self.cp0.pending_interrupts() != 0 {
                // WAIT ends on any pending unmasked interrupt, even with IE clear.
                self.waiting = false;
                if self.cp0.interrupts_enabled() {
                    let (pc, bd) = (self.pc, self.next_in_delay);
                    self.exception(Fault::new(ExcCode::Int), pc, bd);
                    continue;
                }
            }
            if self.cycles >= until {
                return Exit::Budget;
            }
            let deadline = until.min(self.timer_at);
            if self.waiting {
                let idle = deadline - self.cycles;
                self.stats.idle_cycles += idle;
                self.mode_since_cycles += idle;
                self.cycles = deadline;
                continue;
            }
            self.limit = deadline;
            self.run_steps(bus, pre, key_mask);
        }
    }

    /// Steps until the clock reaches the limit: the hot loop, kept a function of its own so
    /// that the compiler lays it out and allocates its registers apart from the checks around
    /// it.
    #[inline(never)]
    fn run_steps<B: Bus>(&mut self, bus: &mut B, pre: &mut Predecode, key_mask: u32) {
        while self.cycles < self.limit {
            self.step(bus, pre, key_mask);
        }
    }

    /// Executes one instruction.
    #[inline(always)]
    fn step<B: Bus>(&mut self, bus: &mut B, pre: &mut Predecode, key_mask: u32) {
        let pc = self.pc;
        let insn = if pc & key_mask == self.fetch_key {
            pre.get(self.fetch_slot, (pc >> 2) as usize)
        } else if pc & FETCH_MASK == self.fetch_vbase {
            // Another line of the fetch page: common enough (every 32 instructions in a
            // straight line, most taken branches) to stay inline.
            self.fetch_line(bus, pc, key_mask);
            pre.get(self.fetch_slot, (pc >> 2) as usize)
        } else {
            match self.fetch_slow(bus, pre, pc, key_mask) {
                Ok(i) => i,
                Err(f) => {
                    let bd = self.next_in_delay;
                    self.cycles += 1;
                    self.exception(f, pc, bd);
                    return;
                }
            }
        };
        let bd = self.next_in_delay;
        self.next_in_delay = false;
        self.pc = self.npc;
        self.npc = self.npc.wrapping_add(4);
        self.cycles += 1;
        self.stats.instructions += 1;
        if let Err(f) = self.exec(insn, pc, bd, bus, pre) {
            self.exception(f, pc, bd);
        }
    }

    /// The fetch of an instruction on another page: translate, check alignment, find its
    /// decodes, then charge its line.
    #[cold]
    #[inline(never)]
    fn fetch_slow<B: Bus>(
        &mut self,
        bus: &mut B,
        pre: &mut Predecode,
        pc: u32,
        key_mask: u32,
    ) -> Result<Insn, Fault> {
        self.enter_page(bus, pre, pc)?;
        self.fetch_line(bus, pc, key_mask);
        Ok(pre.get(self.fetch_slot, (pc >> 2) as usize))
    }

    /// The fetch of an instruction off the fast path on the fetch page: with a bus that
    /// tracks instruction fetches, a line other than the last one is charged to the bus. The
    /// fast path then holds until the next change of line (or page).
    #[inline(always)]
    fn fetch_line<B: Bus>(&mut self, bus: &mut B, pc: u32, key_mask: u32) {
        if B::TRACKS_IFETCH {
            let line = pc >> self.iline_shift;
            if line != self.last_iline {
                self.last_iline = line;
                let pa = self.fetch_pbase | (pc & 0xFFF & !((1 << self.iline_shift) - 1));
                bus.ifetch_line(pa, &mut self.cycles);
            }
        }
        self.fetch_key = pc & key_mask;
    }

    /// Makes `pc`'s page the fetch page: translate, check alignment, find its decoded page.
    fn enter_page<B: Bus>(
        &mut self,
        bus: &mut B,
        pre: &mut Predecode,
        pc: u32,
    ) -> Result<(), Fault> {
        if pc & 3 != 0 {
            return Err(Fault::at(ExcCode::AdEL, pc));
        }
        let t = self.mmu.read(self.mode, self.cp0.asid(), pc, Access::Fetch)?;
        let ppn = t.pa >> 12;
        let generation = bus.code_generation(ppn);
        self.fetch_slot = pre.enter(ppn, generation);
        self.fetch_vbase = pc & !0xFFF;
        self.fetch_pbase = t.pa & !0xFFF;
        self.fetch_ppn = ppn;
        self.last_iline = u32::MAX;
        Ok(())
    }

    /// Delivers an exception raised by the instruction at `pc`: reports it to the owner if
    /// asked to, else vectors.
    #[cold]
    pub(crate) fn exception(&mut self, f: Fault, pc: u32, bd: bool) {
        self.stats.exceptions[f.code as usize] += 1;
        let epc = if bd { pc.wrapping_sub(4) } else { pc };
        self.limit = 0;
        if self.report_mask & (1 << f.code as u32) != 0 {
            self.reported = Some(Exception { fault: f, epc, bd });
            return;
        }
        self.vector(f, epc, bd);
    }

    /// Takes an exception the way the hardware does: EPC/BD (unless already at exception
    /// level), Cause, BadVAddr/Context/EntryHi for address and TLB faults, EXL, and a jump to
    /// the refill or general vector.
    pub fn vector(&mut self, f: Fault, epc: u32, bd: bool) {
        let cp0 = &mut self.cp0;
        let exl = cp0.status & status::EXL != 0;
        if !exl {
            cp0.epc = epc;
            cp0.cause = (cp0.cause & !cause::BD) | if bd { cause::BD } else { 0 };
        }
        cp0.cause = (cp0.cause & !(0x1F << cause::EXC_SHIFT | 3 << cause::CE_SHIFT))
            | (f.code as u32) << cause::EXC_SHIFT
            | u32::from(f.ce & 3) << cause::CE_SHIFT;
        if f.has_vaddr() {
            cp0.bad_vaddr = f.vaddr;
        }
        if f.is_tlb() {
            cp0.context = (cp0.context & 0xFF80_0000) | ((f.vaddr >> 9) & 0x007F_FFF0);
            cp0.entry_hi = (f.vaddr & 0xFFFF_E000) | (cp0.entry_hi & 0xFF);
        }
        cp0.status |= status::EXL;
        // A user TLB refill begins; any other exception before its ERET ends the timing.
        self.utlb_since = (f.is_user_refill() && !exl).then_some(self.cycles);
        let cp0 = &mut self.cp0;
        let base =
            if cp0.status & status::BEV != 0 { 0xBFC0_0200 } else { cp0.ebase & 0xFFFF_F000 };
        let offset = if f.refill && !exl {
            0
        } else if f.code == ExcCode::Int && cp0.cause & cause::IV != 0 {
            0x200
        } else {
            0x180
        };
        self.set_pc(base.wrapping_add(offset));
        self.waiting = false;
        self.status_changed();
    }
}

/// A report mask with every exception code set.
pub const REPORT_ALL: u32 = 0xFFFF;

impl std::fmt::Debug for Cpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cpu")
            .field("pc", &format_args!("{:#010x}", self.pc))
            .field("mode", &self.mode)
            .field("cycles", &self.cycles)
            .field("regs", &&self.regs[..32])
            .finish_non_exhaustive()
    }
}
