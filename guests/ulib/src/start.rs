//! Process start: `__start`, the ELF entry point, and the [`entry!`](crate::entry) macro that
//! names the program's main.
//!
//! dux's exec starts a program with the o32 Linux initial stack: `$sp` points at argc, then
//! argv[0..argc], a NULL, an empty environment (NULL) and an auxiliary vector. `__start` sets
//! `$gp` (the linker's `_gp`), aligns the stack to 8 bytes as o32 requires, leaves the 16-byte
//! argument save area every o32 callee may use, and calls `__ulib_start` with argc and argv; that
//! collects the arguments as `&str`s, calls main and exits with its result.

use alloc::vec::Vec;

core::arch::global_asm!(
    r#"
    .section .text.start, "ax", @progbits
    .globl __start
    .type __start, @function
    .set push
    .set noreorder
__start:
    lui     $gp, %hi(_gp)
    addiu   $gp, $gp, %lo(_gp)
    lw      $a0, 0($sp)         # argc
    addiu   $a1, $sp, 4         # argv
    addiu   $t0, $zero, -8
    and     $sp, $sp, $t0       # o32: 8-byte aligned stack
    addiu   $sp, $sp, -16       # the callee's argument save area
    jal     __ulib_start
    nop
    break                       # __ulib_start never returns
    .set pop
    .size __start, . - __start
"#
);

unsafe extern "Rust" {
    /// The program's main, defined by [`entry!`](crate::entry).
    fn __ulib_main(args: &[&str]) -> i32;
}

/// Called by `__start`: collects the arguments, runs main, exits with its result.
#[unsafe(no_mangle)]
extern "C" fn __ulib_start(argc: i32, argv: *const *const u8) -> ! {
    let argc = usize::try_from(argc).unwrap_or(0);
    let mut args: Vec<&'static str> = Vec::with_capacity(argc);
    for i in 0..argc {
        // SAFETY: the kernel passes argc valid pointers to NUL-terminated strings, which stay
        // on the initial stack (never freed) for the whole run.
        let arg = unsafe { core::ffi::CStr::from_ptr(*argv.add(i) as *const core::ffi::c_char) };
        // Arguments are text; one that is not UTF-8 shows up as "?".
        args.push(arg.to_str().unwrap_or("?"));
    }
    if args.is_empty() {
        args.push(""); // so that `args[0]` always exists
    }
    // SAFETY: `__ulib_main` is the program's main, defined by `entry!` with this signature.
    let code = unsafe { __ulib_main(&args) };
    crate::process::exit(code)
}

/// Declares the program's main: `fn main(args: &[&str]) -> i32`. `args[0]` is the program's
/// name as exec was given it (an empty string if exec gave no arguments at all, so `args` is
/// never empty); the result is the exit status.
///
/// ```ignore
/// #![no_std]
/// #![no_main]
/// ulib::entry!(main);
/// fn main(args: &[&str]) -> i32 {
///     ulib::println!("hello from {}", args[0]);
///     0
/// }
/// ```
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        #[unsafe(no_mangle)]
        fn __ulib_main(args: &[&str]) -> i32 {
            $main(args)
        }
    };
}
