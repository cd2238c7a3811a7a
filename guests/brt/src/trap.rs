//! Exceptions and interrupts.
//!
//! The machine boots every CPU with Status = 0: BEV clear, so exceptions vector through EBase
//! (0x8000_0000): TLB refill at +0x000, everything else at +0x180 (interrupts too, since
//! Cause.IV is 0). [`install`] writes a four-instruction jump to `__brt_exception` at each
//! vector (the linker script keeps 0x8000_0000..0x8001_0000 free for them). The handler saves
//! the caller-saved registers on the interrupted stack (kernel mode: there is only one),
//! calls [`__brt_trap`], restores and ERETs.
//!
//! An interrupt calls the handler set with [`set_handler`] with the pending, unmasked lines
//! (Cause.IP & Status.IM); it runs with interrupts off (Status.EXL) and must make its lines
//! drop (acknowledge the device or IPI, write Compare) — or, if it cannot, mask them. Because
//! the machine updates device and IPI lines only at quantum boundaries, the handler can be
//! entered again with nothing left to do; it must tolerate that. Any other exception prints
//! what happened and powers off with exit code 102.

use core::sync::atomic::{AtomicUsize, Ordering};

use crate::cp0;
use crate::mmio::KSEG1;

/// Exit code of an unexpected exception.
pub const EXIT_EXCEPTION: u32 = 102;

core::arch::global_asm!(
    r#"
    .section .text.__brt_exception, "ax", @progbits
    .globl __brt_exception
    .type __brt_exception, @function
    .set push
    .set noreorder
    .set noat
__brt_exception:
    addiu   $sp, $sp, -96       # 16 bytes of argument area, then 20 saved words
    sw      $at, 16($sp)
    sw      $v0, 20($sp)
    sw      $v1, 24($sp)
    sw      $a0, 28($sp)
    sw      $a1, 32($sp)
    sw      $a2, 36($sp)
    sw      $a3, 40($sp)
    sw      $t0, 44($sp)
    sw      $t1, 48($sp)
    sw      $t2, 52($sp)
    sw      $t3, 56($sp)
    sw      $t4, 60($sp)
    sw      $t5, 64($sp)
    sw      $t6, 68($sp)
    sw      $t7, 72($sp)
    sw      $t8, 76($sp)
    sw      $t9, 80($sp)
    sw      $ra, 84($sp)
    mfhi    $k0
    sw      $k0, 88($sp)
    mflo    $k0
    sw      $k0, 92($sp)
    mfc0    $a0, $13            # Cause
    mfc0    $a1, $14            # EPC
    jal     __brt_trap
    move    $a2, $sp            # (delay slot) the saved registers
    lw      $k0, 88($sp)
    mthi    $k0
    lw      $k0, 92($sp)
    mtlo    $k0
    lw      $at, 16($sp)
    lw      $v0, 20($sp)
    lw      $v1, 24($sp)
    lw      $a0, 28($sp)
    lw      $a1, 32($sp)
    lw      $a2, 36($sp)
    lw      $a3, 40($sp)
    lw      $t0, 44($sp)
    lw      $t1, 48($sp)
    lw      $t2, 52($sp)
    lw      $t3, 56($sp)
    lw      $t4, 60($sp)
    lw      $t5, 64($sp)
    lw      $t6, 68($sp)
    lw      $t7, 72($sp)
    lw      $t8, 76($sp)
    lw      $t9, 80($sp)
    lw      $ra, 84($sp)
    addiu   $sp, $sp, 96
    eret
    .set pop
    .size __brt_exception, . - __brt_exception
"#
);

/// The interrupt handler: a `fn(u32)` as an address, 0 for none.
static HANDLER: AtomicUsize = AtomicUsize::new(0);

/// Vector offsets from EBase that get a jump to the handler: TLB refill, general, and the
/// special interrupt vector (used only if software sets Cause.IV).
const VECTORS: [u32; 3] = [0x000, 0x180, 0x200];

/// Writes the exception vectors (once, on CPU 0, before interrupts are enabled anywhere).
/// The words go through kseg1, so no cache maintenance is needed.
pub fn install() {
    unsafe extern "C" {
        fn __brt_exception();
    }
    let target = __brt_exception as *const () as usize as u32;
    let hi = target.wrapping_add(0x8000) >> 16;
    let lo = target & 0xFFFF;
    let stub = [
        0x3C1A_0000 | hi, // lui   $k0, %hi(target)
        0x275A_0000 | lo, // addiu $k0, $k0, %lo(target)
        0x0340_0008,      // jr    $k0
        0,                // nop
    ];
    let base = cp0::ebase() & 0x3FFF_F000; // physical base of the vectors
    for v in VECTORS {
        for (i, w) in stub.iter().enumerate() {
            let va = KSEG1 | (base + v + 4 * i as u32);
            // SAFETY: the vector area is RAM reserved for this by the linker script.
            unsafe { core::ptr::write_volatile(va as usize as *mut u32, *w) };
        }
    }
}

/// Sets the interrupt handler (for every CPU): called with the pending, unmasked lines
/// (`cp0::IM_*` bits). It must not print (the interrupted code may hold the print lock).
pub fn set_handler(f: fn(u32)) {
    HANDLER.store(f as usize, Ordering::Release);
}

/// Called by the exception vector with Cause, EPC and the saved registers (20 words from
/// `frame[4]`: at, v0-v1, a0-a3, t0-t9, ra, hi, lo).
#[unsafe(no_mangle)]
extern "C" fn __brt_trap(cause: u32, epc: u32, frame: *const u32) {
    let code = (cause >> 2) & 0x1F;
    if code == 0 {
        let pending = cause & cp0::status() & cp0::IP_MASK;
        let h = HANDLER.load(Ordering::Acquire);
        if h != 0 {
            // SAFETY: only `set_handler` stores here, and it stores a `fn(u32)`.
            let f: fn(u32) = unsafe { core::mem::transmute::<usize, fn(u32)>(h) };
            f(pending);
        } else {
            // Nobody wants these lines: mask them rather than loop on them forever.
            cp0::set_status(cp0::status() & !pending);
        }
        return;
    }
    // SAFETY: the vector passes its stack frame; word 21 is the saved $ra.
    let ra = unsafe { frame.add(21).read() };
    crate::console::_print_unlocked(format_args!(
        "cpu {}: unexpected exception {} ({}) at epc {epc:#010x}, badvaddr {:#010x}, ra {ra:#010x}\n",
        cp0::cpu_num(),
        code,
        name(code),
        cp0::bad_vaddr(),
    ));
    crate::power_off(EXIT_EXCEPTION)
}

/// The conventional name of exception code `code`.
pub fn name(code: u32) -> &'static str {
    match code {
        0 => "Int",
        1 => "Mod",
        2 => "TLBL",
        3 => "TLBS",
        4 => "AdEL",
        5 => "AdES",
        6 => "IBE",
        7 => "DBE",
        8 => "Sys",
        9 => "Bp",
        10 => "RI",
        11 => "CpU",
        12 => "Ov",
        13 => "Tr",
        _ => "?",
    }
}
