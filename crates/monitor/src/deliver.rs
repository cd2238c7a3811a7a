//! Delivering exceptions and interrupts to a guest: what the hardware would do to the virtual
//! CPU's privileged registers (EPC and Cause.BD unless already at exception level, Cause,
//! BadVAddr, Context, EntryHi, Status.EXL) and a jump to the guest's vector at its virtual
//! EBase, in supervisor mode (the guest kernel's "kernel mode").

use machine::Machine;
use mips::ExcCode;
use mips::cp0::{cause, status};

use crate::cost::Kind;
use crate::ids::{VcpuRef, VmId};
use crate::monitor::Monitor;
use crate::special_page::off;
use crate::vcpu::line;

/// An exception for the guest.
#[derive(Clone, Copy, Debug)]
pub struct GuestException {
    /// Exception code.
    pub code: ExcCode,
    /// Faulting address (address and TLB exceptions).
    pub vaddr: u32,
    /// A TLB miss (refill vector when not at exception level).
    pub refill: bool,
    /// Coprocessor number (CpU).
    pub ce: u8,
    /// Restart address (the branch for a delay slot).
    pub epc: u32,
    /// In a delay slot.
    pub bd: bool,
}

impl Monitor {
    /// Sets the physical CPU's mode for the guest: user mode for guest user code, supervisor
    /// for the guest kernel; interrupts off (the monitor takes no machine interrupts while a
    /// guest runs: it looks at its devices between quanta).
    pub(crate) fn set_guest_mode(&mut self, m: &mut Machine, p: usize, user: bool) {
        let ksu = if user { 2 << 3 } else { 1 << 3 };
        // The guest kernel may read the cycle counter with RDHWR $2 (CC) without a trap, as
        // a kernel reads Count natively: its clock, and the times it measures its services
        // by, stay exact under the monitor. Guest user code gets no more than natively.
        let hwrena = if user { 0 } else { 1 << 2 };
        let cpu = &mut m.cpus[p];
        if cpu.cp0.status != ksu {
            cpu.write_cp0(mips::cp0::reg::STATUS, ksu);
        }
        if cpu.cp0.hwrena != hwrena {
            cpu.write_cp0(mips::cp0::reg::HWRENA, hwrena);
        }
        if let Some(r) = self.pcpus[p].running {
            self.vcpu_mut(r).user = user;
        }
    }

    /// Delivers `x` to the guest running on `p`.
    pub(crate) fn deliver(&mut self, m: &mut Machine, p: usize, r: VcpuRef, x: GuestException) {
        // An exception inside the guest's refill handler: that refill is not a UTLB_MISS's
        // plain path any more (natively the CPU stops timing it too).
        self.vcpu_mut(r).utlb = None;
        let sp = self.vcpu(r).special;
        // Count as the exception was taken (the trap's cost is charged after this): the guest
        // times its services from here, as a native kernel does from its exception entry.
        sp.set(m, off::COUNT, m.cpus[p].count());
        sp.snapshot_stats(m);
        let st = sp.get(m, off::STATUS);
        let exl = st & status::EXL != 0;
        let mut c = sp.get(m, off::CAUSE);
        if !exl {
            sp.set(m, off::EPC, x.epc);
            c = (c & !cause::BD) | if x.bd { cause::BD } else { 0 };
        }
        c = (c & !(0x1F << 2 | 3 << 28)) | (x.code as u32) << 2 | u32::from(x.ce & 3) << 28;
        sp.set(m, off::CAUSE, c);
        let has_vaddr = matches!(
            x.code,
            ExcCode::AdEL | ExcCode::AdES | ExcCode::TlbL | ExcCode::TlbS | ExcCode::Mod
        );
        if has_vaddr {
            sp.set(m, off::BADVADDR, x.vaddr);
        }
        if matches!(x.code, ExcCode::TlbL | ExcCode::TlbS | ExcCode::Mod) {
            let ctx = sp.get(m, off::CONTEXT);
            sp.set(m, off::CONTEXT, (ctx & 0xFF80_0000) | ((x.vaddr >> 9) & 0x007F_FFF0));
            let hi = sp.get(m, off::ENTRYHI);
            sp.set(m, off::ENTRYHI, (x.vaddr & 0xFFFF_E000) | (hi & 0xFF));
        }
        sp.set(m, off::STATUS, st | status::EXL);
        let base = sp.get(m, off::EBASE) & 0xFFFF_F000;
        let offset = if x.refill && !exl {
            0
        } else if x.code == ExcCode::Int && c & cause::IV != 0 {
            0x200
        } else {
            0x180
        };
        self.set_guest_mode(m, p, false);
        m.cpus[p].set_pc(base.wrapping_add(offset));
        m.sys.mem.unlink(p);
        self.vms[r.vm].stats.forwarded += 1;
        let cost = self.cfg.cost.forward;
        self.charge(m, p, r, Kind::Forwarding, cost);
    }

    /// The virtual CPU's pending interrupt lines (IP2..IP7 from its devices, IPI and timer).
    pub(crate) fn pending_lines(&self, r: VcpuRef) -> u32 {
        let v = self.vcpu(r);
        let mut lines = 0;
        if v.timer {
            lines |= line::TIMER;
        }
        if v.ipi {
            lines |= line::IPI;
        }
        if r.vcpu.0 == 0 && self.device_sources(r.vm) != 0 {
            lines |= line::DEVICE;
        }
        lines
    }

    /// The VM's pending device interrupt sources (bit 8 + k: disk k; bit 1 a network frame).
    pub(crate) fn device_sources(&self, vm: VmId) -> u32 {
        use abi::address_map::source;
        let v = &self.vms[vm];
        (if v.disk.done { source::disk(0) } else { 0 })
            | (if v.net.received { source::NET } else { 0 })
    }

    /// Updates the virtual Cause.IP bits and, if the guest allows it, takes the interrupt.
    pub(crate) fn check_interrupts(&mut self, m: &mut Machine, p: usize, r: VcpuRef) {
        let sp = self.vcpu(r).special;
        // A guest acknowledges its timer by storing Compare in the special page (no trap): a
        // changed Compare clears the pending timer interrupt now, as the hardware's would,
        // not at the next quantum — else every ERET would take the same tick again.
        let compare = sp.get(m, off::COMPARE);
        let v = self.vcpu_mut(r);
        if compare != v.compare_seen {
            v.compare_seen = compare;
            v.timer = false;
        }
        let lines = self.pending_lines(r);
        let c = sp.get(m, off::CAUSE);
        let c = (c & !0xFC00) | lines;
        sp.set(m, off::CAUSE, c);
        sp.set(m, off::PENDING, self.device_sources(r.vm));
        let st = sp.get(m, off::STATUS);
        let enabled = st & (status::IE | status::EXL | status::ERL) == status::IE;
        if enabled && c & st & 0xFF00 != 0 {
            let cpu = &m.cpus[p];
            let (pc, bd) = (cpu.pc(), cpu.in_delay_slot());
            let epc = if bd { pc.wrapping_sub(4) } else { pc };
            self.deliver(
                m,
                p,
                r,
                GuestException { code: ExcCode::Int, vaddr: 0, refill: false, ce: 0, epc, bd },
            );
        }
    }
}
