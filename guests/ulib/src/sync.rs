//! Locks and a barrier for threads of one process.
//!
//! - [`SpinLock`]: test-and-set on one word (LL/SC underneath); after a while it yields the CPU,
//!   since the holder may be descheduled. For very short critical sections.
//! - [`Mutex`]: the classic futex mutex (Drepper, "Futexes Are Tricky", mutex #2): an
//!   uncontended lock or unlock is one atomic instruction, no system call; a contended one
//!   sleeps in the kernel (`futex_wait`) and is woken by the unlocker (`futex_wake`).
//! - [`Barrier`]: `n` threads wait until all have arrived; a generation counter is the futex.

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU32, Ordering};

use crate::syscall;

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

    /// Spins (yielding now and then) until it holds the lock.
    pub fn lock(&self) -> SpinGuard<'_, T> {
        let mut spins = 0u32;
        while self.locked.compare_exchange_weak(0, 1, Ordering::Acquire, Ordering::Relaxed).is_err()
        {
            spins += 1;
            if spins % 64 == 0 {
                syscall::yield_now();
            }
            core::hint::spin_loop();
        }
        SpinGuard { lock: self }
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

/// Lock states of [`Mutex`].
const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
const CONTENDED: u32 = 2; // locked, and someone may sleep on it

/// A mutex protecting a `T`; contended waiters sleep in the kernel.
pub struct Mutex<T> {
    state: AtomicU32,
    value: UnsafeCell<T>,
}

// SAFETY: the lock gives one thread at a time access to the value.
unsafe impl<T: Send> Sync for Mutex<T> {}
// SAFETY: moving the lock moves the value.
unsafe impl<T: Send> Send for Mutex<T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex.
    pub const fn new(value: T) -> Self {
        Mutex { state: AtomicU32::new(UNLOCKED), value: UnsafeCell::new(value) }
    }

    /// Takes the lock, sleeping while another thread holds it.
    pub fn lock(&self) -> MutexGuard<'_, T> {
        if self
            .state
            .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            // Mark it contended; whoever unlocks will wake a sleeper. If the swap finds it
            // unlocked, we own it (marked contended: at worst one needless wake later).
            while self.state.swap(CONTENDED, Ordering::Acquire) != UNLOCKED {
                let _ = syscall::futex_wait(&self.state, CONTENDED);
            }
        }
        MutexGuard { lock: self }
    }

    /// Takes the lock if it is free.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.state
            .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .ok()
            .map(|_| MutexGuard { lock: self })
    }
}

/// Access to a [`Mutex`]'s value; unlocks when dropped.
pub struct MutexGuard<'a, T> {
    lock: &'a Mutex<T>,
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        if self.lock.state.swap(UNLOCKED, Ordering::Release) == CONTENDED {
            let _ = syscall::futex_wake(&self.lock.state, 1);
        }
    }
}

/// A barrier for `n` threads.
pub struct Barrier {
    n: u32,
    arrived: AtomicU32,
    generation: AtomicU32,
}

impl Barrier {
    /// A barrier that opens when `n` threads wait on it (`n` ≥ 1); it can be reused.
    pub const fn new(n: u32) -> Self {
        Barrier { n, arrived: AtomicU32::new(0), generation: AtomicU32::new(0) }
    }

    /// Waits until `n` threads have called `wait`; true in exactly one of them (the last).
    pub fn wait(&self) -> bool {
        let generation = self.generation.load(Ordering::Acquire);
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 >= self.n {
            // The last one resets the count for the next round, then opens the barrier.
            self.arrived.store(0, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::Release);
            let _ = syscall::futex_wake(&self.generation, u32::MAX);
            return true;
        }
        while self.generation.load(Ordering::Acquire) == generation {
            let _ = syscall::futex_wait(&self.generation, generation);
        }
        false
    }
}
