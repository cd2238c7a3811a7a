//! Processes: the process table, fork/exit/wait, sleep/wakeup, and the per-CPU scheduler.
//!
//! One lock, [`PTABLE`], guards every process's state, the parent links and the run queues — as
//! xv6's process table; it is held across the context switch between a process and its CPU's
//! scheduler (taken by one, released by the other). Lock order: any other lock, then PTABLE;
//! never the reverse.
//!
//! Each CPU has a run queue. A process made runnable goes to the queue of the CPU it last ran
//! on (cache affinity), a new process to the shortest queue; a CPU with an empty queue steals
//! from the longest one. Timer ticks preempt user code.

use alloc::boxed::Box;
use alloc::sync::Arc;

use crate::cpu::{self, MAX_CPUS};
use crate::entry::{self, Context, FRAME_BYTES};
use crate::file::Files;
use crate::hal::MonitorCycles;
use crate::spinlock::{Spinlock, SpinlockGuard};
use crate::trap::TrapFrame;
use crate::vm::Mm;
use crate::{hal, ipi, pda, stats};

/// Process slots.
pub const NPROC: usize = 64;
/// Kernel stack bytes per process.
pub const KSTACK_BYTES: usize = 16384;
/// No process.
pub const NONE: usize = usize::MAX;

/// Where a process is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Free slot.
    Unused,
    /// Being created.
    Embryo,
    /// Waiting on a channel.
    Sleeping,
    /// On a run queue.
    Runnable,
    /// On a CPU.
    Running,
    /// Exited, waiting for its parent.
    Zombie,
}

/// One process (or thread).
pub struct Proc {
    /// State.
    pub state: State,
    /// Process (or thread) id.
    pub pid: u32,
    /// Thread-group id: the pid of the process whose address space this is.
    pub tgid: u32,
    /// Parent's slot.
    pub parent: usize,
    /// Set by a fatal error; the process exits at its next return to user mode.
    pub killed: bool,
    /// Exit status.
    pub xstate: i32,
    /// Sleep channel.
    pub chan: usize,
    /// Saved kernel registers.
    pub context: Context,
    /// Kernel stack (direct-mapped), `KSTACK_BYTES` long; allocated once per slot.
    pub kstack: u32,
    /// Address space (shared by threads).
    pub mm: Option<Arc<Mm>>,
    /// Open files (shared by threads).
    pub files: Option<Arc<Spinlock<Files>>>,
    /// Current directory (inode number).
    pub cwd: u32,
    /// Name (the program's), NUL-padded.
    pub name: [u8; 16],
    /// The CPU it last ran on.
    pub last_cpu: usize,
    /// Cycles it ran (user + kernel), for statistics.
    pub cycles: u64,
    /// Of those, the monitor's (`hal::monitor_cycles`: kernel TLB faults, other; wrapping).
    pub monitor: MonitorCycles,
}

const UNUSED: Proc = Proc {
    state: State::Unused,
    pid: 0,
    tgid: 0,
    parent: NONE,
    killed: false,
    xstate: 0,
    chan: 0,
    context: Context { ra: 0, sp: 0, s: [0; 8], fp: 0, gp: 0 },
    kstack: 0,
    mm: None,
    files: None,
    cwd: 0,
    name: [0; 16],
    last_cpu: 0,
    cycles: 0,
    monitor: MonitorCycles::ZERO,
};

/// A fixed-size ring of process slots.
#[derive(Clone, Copy)]
struct RunQueue {
    slots: [u8; NPROC],
    head: usize,
    len: usize,
}

impl RunQueue {
    const EMPTY: RunQueue = RunQueue { slots: [0; NPROC], head: 0, len: 0 };

    fn push(&mut self, i: usize) {
        self.slots[(self.head + self.len) % NPROC] = i as u8;
        self.len += 1;
    }

    fn pop(&mut self) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let i = self.slots[self.head] as usize;
        self.head = (self.head + 1) % NPROC;
        self.len -= 1;
        Some(i)
    }
}

/// The process table.
pub struct Table {
    /// Every slot.
    pub procs: [Proc; NPROC],
    runq: [RunQueue; MAX_CPUS],
    next_pid: u32,
    cpus: usize,
}

/// The process table and its lock.
pub static PTABLE: Spinlock<Table> = Spinlock::new(
    "ptable",
    Table { procs: [UNUSED; NPROC], runq: [RunQueue::EMPTY; MAX_CPUS], next_pid: 1, cpus: 1 },
);

/// Slot of the init process.
pub const INIT: usize = 0;

impl Table {
    /// Puts slot `i` on `cpu`'s run queue and makes sure that CPU looks at it.
    pub fn make_runnable(&mut self, i: usize, cpu: usize) {
        self.procs[i].state = State::Runnable;
        self.runq[cpu].push(i);
        if cpu != hal::cpu_id() {
            ipi::request_reschedule(cpu);
        }
    }

    /// The CPU with the shortest run queue (this CPU on ties).
    pub fn least_loaded(&self) -> usize {
        let me = hal::cpu_id();
        (0..self.cpus).min_by_key(|&c| (self.runq[c].len, c != me)).unwrap_or(me)
    }

    fn pick(&mut self, me: usize) -> Option<usize> {
        loop {
            let i = match self.runq[me].pop() {
                Some(i) => i,
                None => {
                    let victim =
                        (0..self.cpus).filter(|&c| c != me).max_by_key(|&c| self.runq[c].len)?;
                    self.runq[victim].pop()?
                }
            };
            // A killed-while-queued or reaped slot may linger in a queue: skip it.
            if self.procs[i].state == State::Runnable {
                return Some(i);
            }
        }
    }

    /// A free slot, set up as an embryo with a fresh pid.
    pub fn alloc(&mut self) -> Option<usize> {
        let i = self.procs.iter().position(|p| p.state == State::Unused)?;
        let pid = self.next_pid;
        self.next_pid += 1;
        let p = &mut self.procs[i];
        p.state = State::Embryo;
        p.pid = pid;
        p.tgid = pid;
        p.killed = false;
        p.xstate = 0;
        p.chan = 0;
        p.parent = NONE;
        p.cycles = 0;
        p.monitor = MonitorCycles::ZERO;
        if p.kstack == 0 {
            let stack = Box::leak(Box::new(KStack([0; KSTACK_BYTES])));
            p.kstack = stack as *mut KStack as u32;
        }
        Some(i)
    }

    /// Marks every process sleeping on `chan` runnable.
    pub fn wakeup(&mut self, chan: usize) {
        for i in 0..NPROC {
            if self.procs[i].state == State::Sleeping && self.procs[i].chan == chan {
                let cpu = self.procs[i].last_cpu;
                self.make_runnable(i, cpu);
            }
        }
    }
}

#[repr(align(16))]
#[allow(dead_code)] // only its address is used
struct KStack([u8; KSTACK_BYTES]);

/// Sets the CPU count (boot).
pub fn init(cpus: usize) {
    PTABLE.lock().cpus = cpus;
}

/// The slot of the process running on this CPU.
pub fn current() -> usize {
    cpu::this().current.expect("no current process")
}

/// The trap frame of slot `i` (at the top of its kernel stack).
pub fn trapframe(kstack: u32) -> *mut TrapFrame {
    (kstack + KSTACK_BYTES as u32 - FRAME_BYTES as u32) as *mut TrapFrame
}

/// Gives up the CPU: the caller holds PTABLE (its guard is given here) and has already set
/// the current process's state. Returns holding PTABLE again.
pub fn sched(mut t: SpinlockGuard<'static, Table>) -> SpinlockGuard<'static, Table> {
    let c = cpu::this();
    assert_eq!(c.noff, 1, "sched with other locks held");
    let i = c.current.expect("sched without a process");
    let intena = c.intena;
    let ctx: *mut Context = &mut t.procs[i].context;
    core::mem::forget(t);
    stats::count(stats::Event::Switch);
    // SAFETY: the scheduler context was saved by the scheduler loop on this CPU.
    unsafe { entry::swtch(ctx, &cpu::this().scheduler) };
    cpu::this().intena = intena;
    // SAFETY: the scheduler switched back to us holding PTABLE.
    unsafe { PTABLE.assume_locked() }
}

/// Sleeps on `chan`, releasing `held` (a guard of another lock) once PTABLE is taken, and
/// retaking it after waking: the xv6 pattern that cannot lose a wakeup.
pub fn sleep<T>(chan: usize, held: SpinlockGuard<'_, T>) -> SpinlockGuard<'_, T> {
    let lock = held.lock_ref();
    let mut t = PTABLE.lock();
    drop(held);
    let i = current();
    t.procs[i].state = State::Sleeping;
    t.procs[i].chan = chan;
    let mut t = sched(t);
    t.procs[i].chan = 0;
    drop(t);
    lock.lock()
}

/// Sleeps on `chan` while holding PTABLE itself.
pub fn sleep_ptable(
    chan: usize,
    mut t: SpinlockGuard<'static, Table>,
) -> SpinlockGuard<'static, Table> {
    let i = current();
    t.procs[i].state = State::Sleeping;
    t.procs[i].chan = chan;
    let mut t = sched(t);
    t.procs[i].chan = 0;
    t
}

/// CPU cycles the running process has used so far (time asleep or waiting to run excluded).
pub fn cpu_time() -> u64 {
    let c = cpu::this();
    c.run_base + (crate::timer::cycles() - c.run_start)
}

/// The monitor's cycles charged while the running process ran (kernel TLB faults, other;
/// wrapping), as [`cpu_time`] counts its cycles: a system call's share of them is the paper's
/// Table 2 breakdown. Zero natively.
pub fn monitor_time() -> MonitorCycles {
    let c = cpu::this();
    c.monitor_base + (hal::monitor_cycles() - c.monitor_start)
}

/// Wakes every process sleeping on `chan`.
pub fn wakeup(chan: usize) {
    PTABLE.lock().wakeup(chan);
}

/// Gives the CPU to someone else for a while.
pub fn yield_now() {
    let mut t = PTABLE.lock();
    let i = current();
    let me = hal::cpu_id();
    t.make_runnable(i, me);
    drop(sched(t));
}

/// Each CPU's scheduler loop: run a process from the run queue, or idle until an interrupt.
pub fn scheduler() -> ! {
    let me = hal::cpu_id();
    let empty = pda::this().pgdir;
    loop {
        hal::intr_on();
        let mut t = PTABLE.lock();
        let Some(i) = t.pick(me) else {
            drop(t);
            hal::idle();
            continue;
        };
        let p = &mut t.procs[i];
        p.state = State::Running;
        p.last_cpu = me;
        let kstack = p.kstack;
        let mm = p.mm.clone();
        let ctx: *const Context = &p.context;
        cpu::this().current = Some(i);
        if let Some(mm) = &mm {
            mm.activate();
        }
        pda::this().kstack_top = kstack + KSTACK_BYTES as u32;
        stats::running(p_pid(&t, i));
        let start = crate::timer::cycles();
        let c = cpu::this();
        c.run_base = t.procs[i].cycles;
        c.run_start = start;
        let monitor_start = hal::monitor_cycles();
        if hal::MONITORED {
            c.monitor_base = t.procs[i].monitor;
            c.monitor_start = monitor_start;
        }
        core::mem::forget(t);
        // SAFETY: `ctx` is the process's saved context; we hold PTABLE, which it releases.
        unsafe { entry::swtch(&mut cpu::this().scheduler, ctx) };
        // SAFETY: the process switched back to us holding PTABLE.
        let mut t = unsafe { PTABLE.assume_locked() };
        t.procs[i].cycles += crate::timer::cycles() - start;
        if hal::MONITORED {
            t.procs[i].monitor = t.procs[i].monitor + (hal::monitor_cycles() - monitor_start);
        }
        if let Some(mm) = &mm {
            mm.deactivate();
        }
        pda::this().pgdir = empty;
        cpu::this().current = None;
        stats::running(0);
        drop(t);
        drop(mm);
    }
}

fn p_pid(t: &Table, i: usize) -> u32 {
    t.procs[i].pid
}

/// A new process's first code in the kernel: release PTABLE (held since the scheduler picked
/// it) and return to user mode through `trapret`.
#[unsafe(no_mangle)]
extern "C" fn forkret() {
    // SAFETY: the scheduler switched to us holding PTABLE.
    unsafe { PTABLE.force_unlock() };
}

/// Prepares slot `i` to start in user mode with the given trap frame.
pub fn set_start(t: &mut Table, i: usize, tf: &TrapFrame) {
    let p = &mut t.procs[i];
    let frame = trapframe(p.kstack);
    // SAFETY: the frame is at the top of the slot's own kernel stack.
    unsafe { *frame = *tf };
    p.context = Context::default();
    p.context.ra = entry::forkret_trampoline as *const () as u32;
    p.context.sp = frame as u32;
}

/// Sets a process's name from a path.
pub fn set_name(p: &mut Proc, path: &[u8]) {
    let base = path.rsplit(|&c| c == b'/').next().unwrap_or(path);
    p.name = [0; 16];
    let n = base.len().min(15);
    p.name[..n].copy_from_slice(&base[..n]);
}

/// The name of a process as text.
pub fn name_of(p: &Proc) -> &str {
    let n = p.name.iter().position(|&c| c == 0).unwrap_or(16);
    core::str::from_utf8(&p.name[..n]).unwrap_or("?")
}

/// Channel a process's parent (or joiner) sleeps on.
pub fn chan_of(i: usize) -> usize {
    0x2000_0000 + i
}

/// Ends the calling process (all its threads) with `code`. Init's exit shuts the machine down.
pub fn exit(code: i32) -> ! {
    let i = current();
    let (is_init, tgid) = {
        let t = PTABLE.lock();
        (i == INIT, t.procs[i].tgid)
    };
    if is_init {
        crate::shutdown(code as u32);
    }
    // Other threads of the process die at their next return to user mode.
    {
        let mut t = PTABLE.lock();
        for j in 0..NPROC {
            if j != i && t.procs[j].tgid == tgid && t.procs[j].state != State::Unused {
                t.procs[j].killed = true;
                if t.procs[j].state == State::Sleeping {
                    let cpu = t.procs[j].last_cpu;
                    t.make_runnable(j, cpu);
                }
            }
        }
    }
    finish(i, code, false)
}

/// Ends the calling thread with `code` (its joiner collects it).
pub fn exit_thread(code: i32) -> ! {
    let i = current();
    let leader = {
        let t = PTABLE.lock();
        t.procs[i].pid == t.procs[i].tgid
    };
    if leader {
        exit(code);
    }
    finish(i, code, true)
}

fn finish(i: usize, code: i32, thread: bool) -> ! {
    let (mm, files) = {
        let mut t = PTABLE.lock();
        (t.procs[i].mm.take(), t.procs[i].files.take())
    };
    drop(files);
    if let Some(mm) = mm {
        // The scheduler still holds its own reference; this CPU keeps using the page
        // directory until the switch, which is harmless.
        drop(mm);
    }
    let mut t = PTABLE.lock();
    if !thread {
        for j in 0..NPROC {
            if t.procs[j].parent == i && t.procs[j].pid == t.procs[j].tgid {
                t.procs[j].parent = INIT;
                if t.procs[j].state == State::Zombie {
                    t.wakeup(chan_of(INIT));
                }
            }
        }
    }
    t.procs[i].xstate = code;
    t.procs[i].state = State::Zombie;
    let parent = t.procs[i].parent;
    if parent != NONE {
        t.wakeup(chan_of(parent));
    }
    let _ = sched(t);
    unreachable!("a zombie ran again");
}

/// Waits for a child process to exit: its pid and exit status.
pub fn wait() -> Result<(u32, i32), u32> {
    let me = current();
    let mut t = PTABLE.lock();
    loop {
        let mut have = false;
        for j in 0..NPROC {
            let p = &t.procs[j];
            if p.parent != me || p.pid != p.tgid || p.state == State::Unused {
                continue;
            }
            have = true;
            if p.state == State::Zombie {
                let r = (p.pid, p.xstate);
                t.procs[j].state = State::Unused;
                t.procs[j].parent = NONE;
                return Ok(r);
            }
        }
        if !have || t.procs[me].killed {
            return Err(crate::syscall::errno::ECHILD);
        }
        t = sleep_ptable(chan_of(me), t);
    }
}

/// Waits for thread `tid` of the caller's process to exit; its exit code.
pub fn thread_join(tid: u32) -> Result<u32, u32> {
    let me = current();
    let mut t = PTABLE.lock();
    let tgid = t.procs[me].tgid;
    let Some(j) = (0..NPROC).find(|&j| {
        t.procs[j].pid == tid
            && t.procs[j].tgid == tgid
            && t.procs[j].state != State::Unused
            && tid != tgid
    }) else {
        return Err(crate::syscall::errno::ECHILD);
    };
    loop {
        if t.procs[j].state == State::Zombie {
            let code = t.procs[j].xstate;
            t.procs[j].state = State::Unused;
            t.procs[j].parent = NONE;
            return Ok(code as u32);
        }
        // The joiner may not be the thread's creator: sleep on the thread's own channel too.
        t.procs[j].parent = me;
        t = sleep_ptable(chan_of(me), t);
    }
}
