//! Threads: one per VCPU, the SPLASH-2 model (a team of `p` threads, thread `k` on VCPU `k`,
//! each pinned for good; the monitor's scheduler keeps VCPU `k` on its home physical CPU).
//!
//! VCPU 0 is the boot thread. [`parallel`] starts the other VCPUs it needs with the monitor's
//! `start_vcpu` call the first time (each on its own stack, carved from the top of guest memory
//! below VCPU 0's), publishes the job, runs its own share, and waits for the rest. Between jobs
//! the other VCPUs sleep in WAIT, so a VM that runs one job and powers off costs nothing idle.

use alloc::format;
use alloc::string::String;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use crate::mon;
use crate::sync::{wait_until, wake_sleepers};

/// Stack of each VCPU (the radix worker keeps two 4 KB tables on it).
pub const STACK: u32 = 64 * 1024;

/// Most VCPUs a VM has.
pub const MAX_VCPUS: usize = 16;

/// The current job: the address of a `&(dyn Fn(usize) + Sync)` on VCPU 0's stack.
static JOB: AtomicUsize = AtomicUsize::new(0);
/// Advanced for every job.
static JOB_GENERATION: AtomicU32 = AtomicU32::new(0);
/// Threads of the current job (VCPUs `0..JOB_THREADS`).
static JOB_THREADS: AtomicU32 = AtomicU32::new(0);
/// Threads other than VCPU 0 that have finished the current job.
static DONE: AtomicU32 = AtomicU32::new(0);
/// VCPUs started (bit k: VCPU k).
static STARTED: AtomicU32 = AtomicU32::new(1);

unsafe extern "C" {
    /// Where a started VCPU begins (main.rs): aligns `$sp` and calls [`splash_thread`].
    fn __thread_start();
}

/// The top of VCPU `k`'s stack (VCPU 0's is where the monitor put `$sp` at boot).
pub fn stack_top(memory: u32, k: usize) -> u32 {
    mon::KSEG + memory - k as u32 * STACK - 16
}

/// Runs `f(id)` for `id` in `0..threads`, thread `id` on VCPU `id` (VCPU 0 is the caller), and
/// returns when every call has returned. `threads` must not exceed the VM's VCPUs.
pub fn parallel(threads: usize, f: &(dyn Fn(usize) + Sync)) -> Result<(), String> {
    let vcpus = mon::vcpus().min(MAX_VCPUS);
    if threads == 0 || threads > vcpus {
        return Err(format!(
            "{threads} threads, but this VM has {vcpus} VCPUs (SPLASHOS runs one thread per VCPU)"
        ));
    }
    let memory = mon::memory_bytes();
    for k in 1..threads {
        if STARTED.load(Ordering::Relaxed) & (1 << k) == 0 {
            mon::start_vcpu(k, __thread_start as *const () as usize as u32, stack_top(memory, k))
                .map_err(|e| format!("cannot start VCPU {k} (monitor error {e})"))?;
            STARTED.fetch_or(1 << k, Ordering::Relaxed);
        }
    }
    let job: &(dyn Fn(usize) + Sync) = f;
    JOB.store(&job as *const &(dyn Fn(usize) + Sync) as usize, Ordering::Relaxed);
    JOB_THREADS.store(threads as u32, Ordering::Relaxed);
    DONE.store(0, Ordering::Relaxed);
    JOB_GENERATION.fetch_add(1, Ordering::Release);
    wake_sleepers();
    f(0);
    let others = threads as u32 - 1;
    wait_until(|| DONE.load(Ordering::Acquire) == others);
    JOB.store(0, Ordering::Relaxed);
    Ok(())
}

/// A started VCPU: set up, then run its share of every job.
#[unsafe(no_mangle)]
extern "C" fn splash_thread(vcpu: u32) -> ! {
    crate::cpu_setup();
    let me = vcpu as usize;
    let mut seen = 0;
    loop {
        wait_until(|| JOB_GENERATION.load(Ordering::Acquire) != seen);
        seen = JOB_GENERATION.load(Ordering::Acquire);
        if me < JOB_THREADS.load(Ordering::Relaxed) as usize {
            let job = JOB.load(Ordering::Relaxed) as *const &(dyn Fn(usize) + Sync);
            // SAFETY: VCPU 0 published the job before advancing the generation and keeps it
            // alive until every thread of the job has counted itself done.
            let f = unsafe { *job };
            f(me);
            DONE.fetch_add(1, Ordering::AcqRel);
            wake_sleepers();
        }
    }
}
