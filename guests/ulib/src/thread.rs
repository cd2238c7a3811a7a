//! Threads: [`spawn`] runs a closure in a new thread of this process, on a stack taken from
//! the heap; [`JoinHandle::join`] waits for it and returns the closure's result.
//!
//! The kernel starts a thread at an entry address with one argument in `$a0` and its stack
//! pointer in `$sp`. Our entry is a few instructions of assembly (`__ulib_thread_start`) that
//! set `$gp`, align the stack and call `__ulib_thread_main` with the argument: a pointer to the
//! boxed closure. A panic in any thread ends the whole process (status 101).

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use crate::errno::{Errno, Result};
use crate::syscall;

core::arch::global_asm!(
    r#"
    .section .text.__ulib_thread_start, "ax", @progbits
    .globl __ulib_thread_start
    .type __ulib_thread_start, @function
    .set push
    .set noreorder
__ulib_thread_start:
    lui     $gp, %hi(_gp)
    addiu   $gp, $gp, %lo(_gp)
    addiu   $t0, $zero, -8
    and     $sp, $sp, $t0       # o32: 8-byte aligned stack
    addiu   $sp, $sp, -16       # the callee's argument save area
    jal     __ulib_thread_main  # $a0 is the kernel's argument
    nop
    break                       # never returns
    .set pop
    .size __ulib_thread_start, . - __ulib_thread_start
"#
);

unsafe extern "C" {
    fn __ulib_thread_start();
}

/// What a new thread runs: the user's closure, wrapped to store its result.
type Main = Box<dyn FnOnce() + Send>;

/// The smallest stack [`spawn`] hands out.
pub const MIN_STACK: usize = 4096;

/// Called by `__ulib_thread_start` in the new thread.
#[unsafe(no_mangle)]
extern "C" fn __ulib_thread_main(arg: *mut Main) -> ! {
    // SAFETY: `spawn` passed a pointer from `Box::into_raw`, used by this thread alone.
    let main = unsafe { Box::from_raw(arg) };
    main();
    syscall::thread_exit(0)
}

/// Where the thread leaves its result for `join`.
struct Slot<T>(UnsafeCell<Option<T>>);

// SAFETY: the thread writes the slot before it exits, `join` reads it after the kernel says
// the thread exited; never both at once.
unsafe impl<T: Send> Sync for Slot<T> {}

/// A running thread.
pub struct JoinHandle<T> {
    tid: u32,
    slot: Arc<Slot<T>>,
    /// The thread's stack: freed only after the thread has exited.
    stack: Vec<u64>,
}

/// Starts `f` in a new thread with a stack of `stack_size` bytes (at least [`MIN_STACK`]).
pub fn spawn<F, T>(f: F, stack_size: usize) -> Result<JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let slot = Arc::new(Slot(UnsafeCell::new(None)));
    let theirs = slot.clone();
    let main: Main = Box::new(move || {
        let value = f();
        // SAFETY: see `Slot`: only this thread touches the slot until it exits.
        unsafe { *theirs.0.get() = Some(value) };
    });
    let arg = Box::into_raw(Box::new(main));
    let mut stack: Vec<u64> = Vec::new();
    stack.try_reserve_exact(stack_size.max(MIN_STACK) / 8).map_err(|_| Errno::ENOMEM)?;
    stack.resize(stack.capacity(), 0);
    let top = stack.as_ptr_range().end as usize;
    // SAFETY: the entry starts a thread as the kernel expects; `arg` is a valid boxed closure;
    // the stack lives in the handle until `join` (or forever, if the handle is dropped).
    match unsafe {
        syscall::thread_create(__ulib_thread_start as *const () as usize, arg as usize, top)
    } {
        Ok(tid) => Ok(JoinHandle { tid, slot, stack }),
        Err(e) => {
            // SAFETY: the thread was not created, so the closure is still ours.
            drop(unsafe { Box::from_raw(arg) });
            Err(e)
        }
    }
}

impl<T> JoinHandle<T> {
    /// The kernel's thread id.
    pub fn id(&self) -> u32 {
        self.tid
    }

    /// Waits for the thread to finish; the closure's result.
    pub fn join(mut self) -> Result<T> {
        syscall::thread_join(self.tid)?;
        core::sync::atomic::fence(core::sync::atomic::Ordering::Acquire);
        drop(core::mem::take(&mut self.stack));
        // SAFETY: the thread has exited (see `Slot`).
        unsafe { (*self.slot.0.get()).take() }.ok_or(Errno::ESRCH)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // Not joined: the thread may still run on its stack, so the stack must never be
        // freed. (`join` moves the stack out before this runs, leaving an empty vector.)
        core::mem::forget(core::mem::take(&mut self.stack));
    }
}
