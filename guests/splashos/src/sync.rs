//! Locks, waiting and barriers for the threads (one per VCPU).
//!
//! - [`SpinLock`]: test-and-set on one word (Rust's compare-exchange is an LL/SC loop on
//!   MIPS32). For short critical sections: the console, the heap, results.
//! - [`wait_until`]: spin on a condition for a while, then sleep in WAIT until another VCPU
//!   sends an IPI ([`wake_sleepers`]). Spinning is what a dedicated machine wants; sleeping
//!   gives the physical CPU back to the monitor when the wait is long (or when the VM shares
//!   the machine with others), and shows up as idle time in the ledger.
//! - [`Barrier`]: a generation counter that the last arriving thread advances.

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU32, Ordering};

use crate::mon;

/// A spinlock protecting a `T`.
pub struct SpinLock<T> {
    locked: AtomicU32,
    value: UnsafeCell<T>,
}

// SAFETY: the lock gives one thread at a time access to the value.
unsafe impl<T: Send> Sync for SpinLock<T> {}
// SAFETY: moving the lock moves the value.
unsafe impl<T: Send> Send for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// An unlocked lock.
    pub const fn new(value: T) -> Self {
        SpinLock { locked: AtomicU32::new(0), value: UnsafeCell::new(value) }
    }

    /// Spins until it holds the lock.
    pub fn lock(&self) -> SpinGuard<'_, T> {
        loop {
            if self.locked.compare_exchange_weak(0, 1, Ordering::Acquire, Ordering::Relaxed).is_ok()
            {
                return SpinGuard { lock: self };
            }
            // Wait with plain loads (the line stays shared in this CPU's cache) until it looks
            // free, then try again.
            while self.locked.load(Ordering::Relaxed) != 0 {
                core::hint::spin_loop();
            }
        }
    }
}

/// Access to a [`SpinLock`]'s value; unlocks when dropped.
pub struct SpinGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.locked.store(0, Ordering::Release);
    }
}

/// VCPUs asleep in [`wait_until`] (bit k: VCPU k).
static SLEEPERS: AtomicU32 = AtomicU32::new(0);

/// Checks of the condition before a waiter goes to sleep (each a few instructions on a cached
/// line: some tens of microseconds).
const SPINS: u32 = 4000;

/// Returns once `cond()` is true: spins for a while, then sleeps in WAIT and re-checks after
/// every IPI. Whoever makes the condition true must call [`wake_sleepers`] afterwards.
pub fn wait_until(cond: impl Fn() -> bool) {
    for _ in 0..SPINS {
        if cond() {
            return;
        }
        core::hint::spin_loop();
    }
    let me = 1u32 << (mon::my_vcpu() & 31);
    loop {
        // Clear a stale IPI first, so that WAIT sleeps unless a wake-up comes after this.
        mon::ack_ipi();
        // Announce the sleep, then look again: a waker that changed the condition before our
        // look is seen now; one that changes it after sees our bit and sends an IPI, which
        // makes the WAIT return at once.
        SLEEPERS.fetch_or(me, Ordering::SeqCst);
        if cond() {
            SLEEPERS.fetch_and(!me, Ordering::SeqCst);
            return;
        }
        mon::wait();
        SLEEPERS.fetch_and(!me, Ordering::SeqCst);
        if cond() {
            return;
        }
    }
}

/// Wakes every VCPU sleeping in [`wait_until`] (they re-check their conditions).
pub fn wake_sleepers() {
    let mut s = SLEEPERS.swap(0, Ordering::SeqCst);
    while s != 0 {
        let k = s.trailing_zeros() as usize;
        s &= s - 1;
        mon::send_ipi(k);
    }
}

/// A word alone on its cache line (the machine's lines are 128 bytes).
#[repr(align(128))]
struct Padded(AtomicU32);

/// `n` threads wait until all have arrived.
pub struct Barrier {
    n: u32,
    arrived: Padded,
    generation: Padded,
}

impl Barrier {
    /// A barrier for `n` threads.
    pub fn new(n: u32) -> Barrier {
        Barrier { n, arrived: Padded(AtomicU32::new(0)), generation: Padded(AtomicU32::new(0)) }
    }

    /// Waits until all `n` threads have called it.
    pub fn wait(&self) {
        let generation = self.generation.0.load(Ordering::Acquire);
        if self.arrived.0.fetch_add(1, Ordering::AcqRel) + 1 >= self.n {
            self.arrived.0.store(0, Ordering::Relaxed);
            self.generation.0.fetch_add(1, Ordering::Release);
            wake_sleepers();
        } else {
            wait_until(|| self.generation.0.load(Ordering::Acquire) != generation);
        }
    }
}
