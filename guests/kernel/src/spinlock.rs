//! Spinlocks on LL/SC (Rust's atomic swap compiles to an `ll`/`sc` loop on MIPS32). Holding a
//! lock disables interrupts on this CPU, so an interrupt handler can never spin on a lock its
//! own CPU holds. Each lock counts how often it was taken and how many times a CPU had to spin
//! for it: the contention of the global page-allocator lock (IRIX's *memlock*) is part of
//! what the scalability experiment shows.

use core::cell::UnsafeCell;
use core::ops::{Deref, DerefMut};
use core::sync::atomic::{AtomicU32, Ordering};

use crate::cpu;

/// A value protected by a spinlock. `repr(C)`: the lock word comes first, so a debugger (or
/// the simulator's host side) can find it.
#[repr(C)]
pub struct Spinlock<T> {
    locked: AtomicU32,
    /// The CPU holding it, plus one (0: free) — for debugging.
    owner: AtomicU32,
    /// Where it was taken: the address of a `core::panic::Location` — for debugging.
    site: AtomicU32,
    /// Name, for statistics and panics.
    pub name: &'static str,
    /// Acquisitions.
    pub acquired: AtomicU32,
    /// Spin iterations while another CPU held it.
    pub spins: AtomicU32,
    data: UnsafeCell<T>,
}

// SAFETY: the lock serialises all access to `data`.
unsafe impl<T: Send> Sync for Spinlock<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for Spinlock<T> {}

impl<T> Spinlock<T> {
    /// A new unlocked lock.
    pub const fn new(name: &'static str, data: T) -> Self {
        Spinlock {
            locked: AtomicU32::new(0),
            owner: AtomicU32::new(0),
            site: AtomicU32::new(0),
            name,
            acquired: AtomicU32::new(0),
            spins: AtomicU32::new(0),
            data: UnsafeCell::new(data),
        }
    }

    /// Takes the lock (interrupts off until the guard drops).
    #[track_caller]
    pub fn lock(&self) -> SpinlockGuard<'_, T> {
        cpu::push_off();
        let mut spun = 0;
        while self.locked.swap(1, Ordering::Acquire) != 0 {
            spun += 1;
            core::hint::spin_loop();
        }
        self.owner.store(crate::hal::cpu_id() as u32 + 1, Ordering::Relaxed);
        self.site.store(core::panic::Location::caller() as *const _ as u32, Ordering::Relaxed);
        self.acquired.fetch_add(1, Ordering::Relaxed);
        if spun != 0 {
            self.spins.fetch_add(spun, Ordering::Relaxed);
        }
        SpinlockGuard { lock: self }
    }

    /// Releases a lock whose guard was forgotten (the scheduler's hand-off across `swtch`).
    ///
    /// # Safety
    /// The caller must hold the lock and have forgotten its guard.
    pub unsafe fn force_unlock(&self) {
        self.owner.store(0, Ordering::Relaxed);
        self.locked.store(0, Ordering::Release);
        cpu::pop_off();
    }

    /// Returns a guard for a lock this CPU already holds but whose guard was forgotten (the
    /// scheduler hand-off: the lock is taken before `swtch` and released after it, by
    /// different kernel threads on the same CPU).
    ///
    /// # Safety
    /// The caller must hold the lock, with its guard forgotten.
    pub unsafe fn assume_locked(&self) -> SpinlockGuard<'_, T> {
        SpinlockGuard { lock: self }
    }

    /// A shared reference without taking the lock.
    ///
    /// # Safety
    /// Only for fields that never change after construction or are atomics.
    pub unsafe fn peek(&self) -> &T {
        // SAFETY: per the contract, only immutable or atomic fields are read.
        unsafe { &*self.data.get() }
    }

    /// Access without the lock.
    ///
    /// # Safety
    /// The caller must hold the lock (its guard was forgotten across a `swtch`).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn get_unchecked(&self) -> &mut T {
        // SAFETY: the caller holds the lock.
        unsafe { &mut *self.data.get() }
    }
}

/// Proof of holding a [`Spinlock`].
pub struct SpinlockGuard<'a, T> {
    lock: &'a Spinlock<T>,
}

impl<'a, T> SpinlockGuard<'a, T> {
    /// The lock this guard holds.
    pub fn lock_ref(&self) -> &'a Spinlock<T> {
        self.lock
    }
}

impl<T> Deref for SpinlockGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard proves the lock is held.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> DerefMut for SpinlockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard proves the lock is held.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for SpinlockGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.owner.store(0, Ordering::Relaxed);
        self.lock.locked.store(0, Ordering::Release);
        cpu::pop_off();
    }
}
