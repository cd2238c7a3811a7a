//! Scheduling virtual CPUs on physical CPUs, between quanta.
//!
//! Each virtual CPU has a home physical CPU (its VM's node first): it is queued there when
//! ready and goes back there after running, so its memory — allocated on the node that first
//! touched it — stays local. A virtual CPU runs for a time slice; then, if another is ready for
//! that CPU, it yields. An idle physical CPU takes a ready virtual CPU from the longest queue
//! (when stealing is on) or parks. A virtual CPU in WAIT leaves its CPU until a virtual
//! interrupt is pending. Every change of what a physical CPU runs is recorded for the
//! timeline.

use machine::Machine;

use crate::cost::Kind;
use crate::ids::{PcpuId, VcpuId, VcpuRef, VmId};
use crate::monitor::Monitor;
use crate::shootdown::flush_hw_tlb;
use crate::special_page::off;
use crate::stats::SchedEvent;
use crate::vcpu::VcpuState;

impl Monitor {
    /// Between quanta: timers, devices, wake-ups, time slices, idle CPUs.
    pub(crate) fn tick(&mut self, m: &mut Machine) {
        self.poll_disks(m);
        self.poll_net();
        self.reclaim_replicas(m);
        self.update_timers(m);
        let now = m.now();
        for p in 0..self.pcpus.len() {
            self.account(m, p);
            let Some(r) = self.pcpus[p].running else { continue };
            let expired = now.saturating_sub(self.vcpu(r).slice_start) >= self.cfg.slice_cycles;
            if expired && !self.pcpus[p].queue.is_empty() {
                self.switch_out(m, p, VcpuState::Ready);
            }
        }
        for p in 0..self.pcpus.len() {
            if self.pcpus[p].running.is_none() {
                self.run_next(m, p);
            } else if let Some(r) = self.pcpus[p].running {
                self.sync_asid(m, p, r);
                self.check_interrupts(m, p, r);
            }
        }
        if self.all_halted() && m.sys.halt.is_none() {
            let code = self.vms.iter().filter_map(|v| v.halted).find(|&c| c != 0).unwrap_or(0);
            m.sys.halt = Some(code);
        }
    }

    /// Advances every started virtual CPU's timer: Count follows machine time (it advances
    /// every other cycle); the timer interrupt is pending from the moment Count passes Compare
    /// until the guest writes Compare.
    fn update_timers(&mut self, m: &mut Machine) {
        let count = (m.now() >> 1) as u32;
        for k in 0..self.vms.len() {
            let vm = VmId::of_index(k);
            if self.vms[vm].halted.is_some() {
                continue;
            }
            for j in 0..self.vms[vm].vcpus.len() {
                let r = VcpuRef { vm, vcpu: VcpuId::of_index(j) };
                if self.vcpu(r).state == VcpuState::Offline {
                    continue;
                }
                let sp = self.vcpu(r).special;
                let compare = sp.get(m, off::COMPARE);
                sp.set(m, off::COUNT, count);
                let v = self.vcpu_mut(r);
                if compare != v.compare_seen {
                    v.compare_seen = compare;
                    v.timer = false;
                }
                let since = count.wrapping_sub(v.count_seen);
                if !v.timer
                    && since != 0
                    && compare.wrapping_sub(v.count_seen).wrapping_sub(1) < since
                {
                    v.timer = true;
                }
                v.count_seen = count;
                if v.timer {
                    self.wake(r);
                }
            }
        }
    }

    /// Makes a waiting virtual CPU ready if an unmasked interrupt is pending for it.
    pub(crate) fn wake(&mut self, r: VcpuRef) {
        if self.vcpu(r).state != VcpuState::Waiting {
            return;
        }
        let v = self.vcpu_mut(r);
        v.state = VcpuState::Ready;
        let home = v.home;
        self.pcpus[home.index()].queue.push_back(r);
    }

    /// Takes the virtual CPU off physical CPU `p`, saving its state, into `state`.
    pub(crate) fn switch_out(&mut self, m: &mut Machine, p: usize, state: VcpuState) {
        self.account(m, p);
        let Some(r) = self.pcpus[p].running.take() else { return };
        let ctx = m.cpus[p].context();
        let v = self.vcpu_mut(r);
        v.ctx = ctx;
        v.state = state;
        v.utlb = None;
        if state == VcpuState::Ready {
            let home = v.home;
            self.pcpus[home.index()].queue.push_back(r);
        }
        self.record(m, p, None);
    }

    /// Puts the next ready virtual CPU on physical CPU `p`, or parks it.
    pub(crate) fn run_next(&mut self, m: &mut Machine, p: usize) {
        let mut next = self.pcpus[p].queue.pop_front();
        if next.is_none() && self.cfg.steal {
            let victim = (0..self.pcpus.len())
                .filter(|&q| q != p)
                .max_by_key(|&q| self.pcpus[q].queue.len());
            if let Some(q) = victim {
                next = self.pcpus[q].queue.pop_front();
            }
        }
        // Skip virtual CPUs whose VM stopped meanwhile.
        while let Some(r) = next {
            if self.vcpu(r).state == VcpuState::Ready {
                break;
            }
            next = self.pcpus[p].queue.pop_front();
        }
        match next {
            Some(r) => self.switch_in(m, p, r),
            None => m.set_parked(p, true),
        }
    }

    /// Puts virtual CPU `r` on physical CPU `p`.
    fn switch_in(&mut self, m: &mut Machine, p: usize, r: VcpuRef) {
        m.set_parked(p, false);
        let now = m.cpus[p].cycles().max(m.now());
        m.cpus[p].idle_to(now);
        self.account(m, p);
        let (ctx, user) = {
            let v = self.vcpu_mut(r);
            v.state = VcpuState::Running(PcpuId::of_index(p));
            v.slice_start = now;
            (v.ctx, v.user)
        };
        self.pcpus[p].running = Some(r);
        let cpu = &mut m.cpus[p];
        cpu.set_context(&ctx);
        flush_hw_tlb(m, p);
        self.set_guest_mode(m, p, user);
        self.sync_asid(m, p, r);
        let (node, special) = (self.node_of_cpu(p).index(), self.vcpu(r).special.0.pa());
        let stall = self.image.touch(m, p, node, crate::footprint::Path::Switch, special, None);
        let cost = self.cfg.cost.vcpu_switch + stall;
        self.charge(m, p, r, Kind::Scheduling, cost);
        self.record(m, p, Some(r));
        self.check_interrupts(m, p, r);
    }

    fn record(&mut self, m: &Machine, p: usize, runs: Option<VcpuRef>) {
        let cycle = m.cpus[p].cycles().max(m.now());
        self.timeline.push(SchedEvent { cycle, pcpu: PcpuId::of_index(p), runs });
    }

    /// VM `vm` powered off with `code`: its virtual CPUs stop.
    pub(crate) fn power_off(&mut self, m: &mut Machine, vm: VmId, code: u32) {
        self.vms[vm].halted = Some(code);
        for p in 0..self.pcpus.len() {
            if self.pcpus[p].running.is_some_and(|r| r.vm == vm) {
                self.switch_out(m, p, VcpuState::Halted);
                self.run_next(m, p);
            }
        }
        for v in &mut self.vms[vm].vcpus {
            v.state = VcpuState::Halted;
        }
        for p in &mut self.pcpus {
            p.queue.retain(|r| r.vm != vm);
        }
        if self.all_halted() {
            let code = self.vms.iter().filter_map(|v| v.halted).find(|&c| c != 0).unwrap_or(0);
            m.sys.halt = Some(code);
        }
    }
}
