//! Trap dispatch (paper §4.1): every exception of a physical CPU running a guest lands here and
//! goes to the part of the monitor that handles it —
//!
//! - a privileged instruction in the guest kernel (CpU from supervisor mode): emulated against
//!   the virtual CPU (`emulate.rs`);
//! - `syscall` from the guest kernel with the monitor-call tag: a monitor call (`mcall.rs`);
//! - a TLB miss or modification: served by the monitor when it can (`tlb_miss.rs`), otherwise
//!   forwarded;
//! - everything else (the guest's programs' system calls, address errors, overflow ...) is
//!   delivered to the guest as the hardware would (`deliver.rs`).
//!
//! Each trap is logged in the VM's trap log and its cost charged to the physical CPU.

use machine::Machine;
use mips::cp0::Mode;
use mips::{ExcCode, Exception};

use crate::cost::Kind;
use crate::deliver::GuestException;
use crate::footprint::Path;
use crate::ids::{PcpuId, VcpuRef};
use crate::monitor::Monitor;
use crate::special_page::off;
use crate::stats::TrapRecord;
use crate::vcpu::UtlbTiming;

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
        let mut fast = false;
        let user = m.cpus[p].mode() == Mode::User;
        let f = e.fault;
        // Table 2's UTLB_MISS: a refill of a user address, timed from here.
        let utlb = f.is_user_refill();
        let (start, monitor_start) = (m.cpus[p].cycles(), self.pcpus[p].monitor_total());
        let detail = if f.code == ExcCode::Sys { m.cpus[p].gpr(2) } else { f.vaddr };
        let log = &mut self.vms[r.vm].traps;
        if log.len() == crate::vm::TRAP_LOG {
            log.pop_front();
        }
        log.push_back(TrapRecord {
            cycle: m.cpus[p].cycles(),
            vcpu: r.vcpu,
            epc: e.epc,
            code: f.code as u8,
            user,
            detail,
        });
        // A TLB fault of the guest kernel's own (Table 2's "kernel TLB faults").
        self.pcpus[p].kernel_tlb_trap =
            !user && matches!(f.code, ExcCode::TlbL | ExcCode::TlbS | ExcCode::Mod);
        let kind = match f.code {
            ExcCode::CpU if f.ce == 0 && !user => {
                self.emulate(m, p, r, &e);
                Kind::Emulation
            }
            ExcCode::Sys if !user && abi::mcall::is_monitor_call(m.cpus[p].gpr(2)) => {
                self.monitor_call(m, p, r);
                Kind::Devices
            }
            ExcCode::TlbL | ExcCode::TlbS | ExcCode::Mod => {
                if self.tlb_fault(m, p, r, &e) {
                    cost = self.cfg.cost.refill_trap;
                    fast = true;
                }
                Kind::TlbMiss
            }
            _ => {
                self.forward(m, p, r, &e);
                Kind::Forwarding
            }
        };
        // The monitor's own lines through this CPU's cache (`footprint.rs`).
        let node = self.node_of_cpu(p).index();
        let special = self.vcpu(r).special.0.pa();
        let stall = if fast {
            self.image.touch(m, p, node, Path::Refill, special, Some(f.vaddr >> 13))
        } else {
            let (path, data) = match kind {
                Kind::Emulation => (Path::Emulate, None),
                Kind::Devices => (Path::Call, None),
                Kind::TlbMiss => (Path::RefillVtlb, Some(f.vaddr >> 12)),
                _ => (Path::Deliver, None),
            };
            self.image.touch(m, p, node, Path::Trap, special, None)
                + self.image.touch(m, p, node, path, special, data)
        };
        self.charge(m, p, r, kind, cost + stall);
        if utlb {
            self.time_utlb_miss(m, p, r, start, monitor_start, fast);
        }
        if std::mem::take(&mut self.pcpus[p].utlb_eret) {
            self.end_utlb_miss(m, p, r);
        }
        self.pcpus[p].kernel_tlb_trap = false;
        self.pcpus[p].return_to_user = false;
        if self.pcpus[p].running == Some(r) {
            self.sync_asid(m, p, r);
            self.check_interrupts(m, p, r);
        }
    }

    /// A user TLB miss just handled: served here (timed now), or forwarded to the guest's
    /// refill handler (timed to its ERET, unless another exception reaches the guest first or
    /// the VCPU leaves this CPU).
    fn time_utlb_miss(
        &mut self,
        m: &Machine,
        p: usize,
        r: VcpuRef,
        start: u64,
        monitor_start: u64,
        served: bool,
    ) {
        if served {
            let took = m.cpus[p].cycles() - start;
            self.vms[r.vm].stats.count_utlb_miss(took, took);
        } else if std::mem::take(&mut self.pcpus[p].utlb_forwarded) {
            self.vcpu_mut(r).utlb =
                Some(UtlbTiming { start, monitor_start, pcpu: PcpuId::of_index(p) });
        }
    }

    /// The guest's refill handler returned (its ERET, just emulated): the miss is timed.
    fn end_utlb_miss(&mut self, m: &Machine, p: usize, r: VcpuRef) {
        let Some(t) = self.vcpu_mut(r).utlb.take() else { return };
        if t.pcpu != PcpuId::of_index(p) {
            return;
        }
        let monitor = self.pcpus[p].monitor_total() - t.monitor_start;
        let took = m.cpus[p].cycles() - t.start;
        let s = &mut self.vms[r.vm].stats;
        s.count_utlb_miss(took, monitor);
        s.utlb_forwarded += 1;
        s.utlb_forwarded_cycles += took;
    }

    /// Delivers a hardware exception to the guest unchanged.
    pub(crate) fn forward(&mut self, m: &mut Machine, p: usize, r: VcpuRef, e: &Exception) {
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
}
