//! The assembly the kernel cannot do without: the boot entry, the exception vectors (the
//! TLB-refill fast path and the general exception entry that builds a trap frame), the return
//! from a trap, and the context switch.
//!
//! Register conventions: `$k0`/`$k1` belong to the exception handlers (user code never relies
//! on them). The per-CPU data area ([`crate::pda`]) is at a fixed virtual address the HAL
//! chooses ([`crate::hal::PDA`]): its first words are the current page directory and kernel
//! stack, which the handlers load without any other register.

use abi::segments::KSEG3;
use abi::special;

use crate::hal::{KERNEL_KSU, PDA};
use crate::trap::TrapFrame;
use crate::{hal_di, hal_mfc0, hal_mtc0, hal_refill_write, hal_refill_write_invalid};

/// Bytes of a trap frame on the kernel stack (multiple of 8).
pub const FRAME_BYTES: usize = 160;
const _: () = assert!(core::mem::size_of::<TrapFrame>() <= FRAME_BYTES);

/// Callee-saved registers of a kernel thread, saved by [`swtch`].
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Context {
    /// Return address.
    pub ra: u32,
    /// Stack pointer.
    pub sp: u32,
    /// s0..s7.
    pub s: [u32; 8],
    /// s8 / fp.
    pub fp: u32,
    /// gp.
    pub gp: u32,
}

unsafe extern "C" {
    /// Saves the current kernel thread's registers in `old` and resumes the one in `new`.
    pub fn swtch(old: *mut Context, new: *const Context);
    /// Where a new process's kernel thread starts: calls `forkret`, then returns to user mode
    /// through the trap frame at its stack pointer.
    pub fn forkret_trampoline();
    /// The start of the exception vectors (EBase).
    pub static __vectors: u8;
    /// Start and end of .bss.
    pub static mut __bss_start: u8;
    /// End of .bss.
    pub static mut __bss_end: u8;
    /// First page after the kernel image.
    pub static __kernel_end: u8;
}

const fn hi(a: u32) -> u32 {
    a.wrapping_add(0x8000) >> 16
}

const fn lo(a: u32) -> i32 {
    a as u16 as i16 as i32
}

core::arch::global_asm!(
    concat!(r#"
# The special page's registers as the Disco HAL's fragments (hal_mfc0!, hal_mtc0!, hal_di!) reach
# them: `lui r, .Lspecial_hi` then a load or store at `.Lspecial_<register>(r)`. Defined here
# from abi::special for both builds; the native HAL's fragments use CP0 and leave them unused.
    .set .Lspecial_hi, {special_hi}
    .set .Lspecial_status, {special_status}
    .set .Lspecial_cause, {special_cause}
    .set .Lspecial_epc, {special_epc}
    .set .Lspecial_badvaddr, {special_badvaddr}
    .set .Lspecial_entryhi, {special_entryhi}
    .set .Lspecial_count, {special_count}
    .set .Lspecial_entrylo0, {special_entrylo0}
    .set .Lspecial_entrylo1, {special_entrylo1}
    .set .Lpda_scratch, {pda_scratch}

    .section .text.vectors, "ax", @progbits
    .set push
    .set noreorder
    .set noat

# --- TLB refill (EBase + 0x000): a user address missed in the TLB. Walk the two-level page
# table of the current address space and write the even/odd PTE pair at a random index. A
# missing page-table page writes an invalid pair: the retry then takes a TLB-invalid exception
# through the general vector, where the kernel decides (demand zero, or a bad address).
# A kernel address here is in the mapped kernel segment (k2.rs): its pair is in k2::PTES.
utlb_refill:
"#, hal_mfc0!("$k0", badvaddr), r#"
    bltz    $k0, 2f                   # a kernel address: the mapped kernel segment
    lui     $k0, {pda_hi}
    lw      $k1, {pda_lo}+8($k0)      # PDA.utlb_misses += 1
    addiu   $k1, $k1, 1
    sw      $k1, {pda_lo}+8($k0)
    lw      $k1, {pda_lo}($k0)        # PDA.pgdir
"#, hal_mfc0!("$k0", badvaddr), r#"
    srl     $k0, $k0, 22
    sll     $k0, $k0, 2
    addu    $k1, $k1, $k0
    lw      $k1, 0($k1)               # page-table page (direct-mapped address), or 0
    beqz    $k1, 1f
    nop
"#, hal_mfc0!("$k0", badvaddr), r#"
    srl     $k0, $k0, 10
    andi    $k0, $k0, 0xff8           # offset of the even PTE of the pair
    addu    $k1, $k1, $k0
"#, hal_refill_write!(), r#"
2:
"#, hal_mfc0!("$k0", badvaddr), r#"
    lui     $k1, {k2_hi}
    subu    $k0, $k0, $k1
    srl     $k0, $k0, 13              # the slot
    sltiu   $k1, $k0, {k2_slots}
    beqz    $k1, 1f                   # beyond the segment: invalid
    sll     $k0, $k0, 3               # (delay slot) the slot's pair in k2::PTES
    lui     $k1, %hi({k2_ptes})
    addiu   $k1, $k1, %lo({k2_ptes})
    addu    $k1, $k1, $k0
"#, hal_refill_write!(), r#"
1:
"#, hal_refill_write_invalid!(), r#"

# --- General exception (EBase + 0x180): save the interrupted context in a trap frame on the
# kernel stack (the process's own if we came from user mode) and call trap_entry.
    .org 0x180
general_vector:
"#, hal_mfc0!("$k0", status), r#"
    andi    $k0, $k0, 0x10            # Status.KSU bit 4: we came from user mode
    beqz    $k0, 1f
    move    $k1, $sp
    lui     $k0, {pda_hi}
    lw      $sp, {pda_lo}+4($k0)      # PDA.kstack_top
1:  addiu   $sp, $sp, -{frame}
    j       save_context
    sw      $k1, 116($sp)             # the interrupted $sp

    .text
save_context:
    sw      $1, 4($sp)
    sw      $2, 8($sp)
    sw      $3, 12($sp)
    sw      $4, 16($sp)
    sw      $5, 20($sp)
    sw      $6, 24($sp)
    sw      $7, 28($sp)
    sw      $8, 32($sp)
    sw      $9, 36($sp)
    sw      $10, 40($sp)
    sw      $11, 44($sp)
    sw      $12, 48($sp)
    sw      $13, 52($sp)
    sw      $14, 56($sp)
    sw      $15, 60($sp)
    sw      $16, 64($sp)
    sw      $17, 68($sp)
    sw      $18, 72($sp)
    sw      $19, 76($sp)
    sw      $20, 80($sp)
    sw      $21, 84($sp)
    sw      $22, 88($sp)
    sw      $23, 92($sp)
    sw      $24, 96($sp)
    sw      $25, 100($sp)
    sw      $28, 112($sp)
    sw      $30, 120($sp)
    sw      $31, 124($sp)
    mfhi    $k0
    sw      $k0, 128($sp)
    mflo    $k0
    sw      $k0, 132($sp)
"#, hal_mfc0!("$k0", epc), r#"
    sw      $k0, 136($sp)
"#, hal_mfc0!("$k1", cause), r#"
    sw      $k1, 144($sp)
"#, hal_mfc0!("$k1", badvaddr), r#"
    sw      $k1, 148($sp)
"#, hal_mfc0!("$k1", entryhi), r#"
    sw      $k1, 152($sp)
"#, hal_mfc0!("$k1", count), r#"
    sw      $k1, 156($sp)             # Count at the exception, to time the services from
"#, hal_mfc0!("$k0", status), r#"
    sw      $k0, 140($sp)
    # Kernel mode (the HAL's KSU), EXL and ERL off, interrupts off.
    addiu   $k1, $zero, -32
    and     $k0, $k0, $k1
    ori     $k0, $k0, {ksu}
"#, hal_mtc0!("$k0", "$k1", status), r#"
    lui     $gp, %hi(_gp)
    addiu   $gp, $gp, %lo(_gp)
    move    $a0, $sp
    jal     trap_entry
    addiu   $sp, $sp, -16             # the callee's argument area
    addiu   $sp, $sp, 16

    .globl trapret
trapret:
    # Interrupts off first: the system-call path runs with them on, and an interrupt between
    # loading $k0 and writing Status would clobber $k0 (handlers own $k0/$k1).
"#, hal_di!("$k1"), r#"
    lw      $k0, 140($sp)             # saved Status: EXL = 1, so interrupts stay off
"#, hal_mtc0!("$k0", "$k1", status), r#"
    lw      $k0, 136($sp)
"#, hal_mtc0!("$k0", "$k1", epc), r#"
    lw      $k0, 128($sp)
    mthi    $k0
    lw      $k0, 132($sp)
    mtlo    $k0
    lw      $1, 4($sp)
    lw      $2, 8($sp)
    lw      $3, 12($sp)
    lw      $4, 16($sp)
    lw      $5, 20($sp)
    lw      $6, 24($sp)
    lw      $7, 28($sp)
    lw      $8, 32($sp)
    lw      $9, 36($sp)
    lw      $10, 40($sp)
    lw      $11, 44($sp)
    lw      $12, 48($sp)
    lw      $13, 52($sp)
    lw      $14, 56($sp)
    lw      $15, 60($sp)
    lw      $16, 64($sp)
    lw      $17, 68($sp)
    lw      $18, 72($sp)
    lw      $19, 76($sp)
    lw      $20, 80($sp)
    lw      $21, 84($sp)
    lw      $22, 88($sp)
    lw      $23, 92($sp)
    lw      $24, 96($sp)
    lw      $25, 100($sp)
    lw      $28, 112($sp)
    lw      $30, 120($sp)
    lw      $31, 124($sp)
    lw      $sp, 116($sp)
    eret

# --- swtch(old: *mut Context, new: *const Context)
    .globl swtch
swtch:
    sw      $ra, 0($a0)
    sw      $sp, 4($a0)
    sw      $s0, 8($a0)
    sw      $s1, 12($a0)
    sw      $s2, 16($a0)
    sw      $s3, 20($a0)
    sw      $s4, 24($a0)
    sw      $s5, 28($a0)
    sw      $s6, 32($a0)
    sw      $s7, 36($a0)
    sw      $fp, 40($a0)
    sw      $gp, 44($a0)
    lw      $ra, 0($a1)
    lw      $sp, 4($a1)
    lw      $s0, 8($a1)
    lw      $s1, 12($a1)
    lw      $s2, 16($a1)
    lw      $s3, 20($a1)
    lw      $s4, 24($a1)
    lw      $s5, 28($a1)
    lw      $s6, 32($a1)
    lw      $s7, 36($a1)
    lw      $fp, 40($a1)
    jr      $ra
    lw      $gp, 44($a1)

    .globl forkret_trampoline
forkret_trampoline:
    jal     forkret
    addiu   $sp, $sp, -16
    j       trapret
    addiu   $sp, $sp, 16

# --- Boot: CPU 0 enters at _start (the loader's $sp is not ours to keep: use the boot stack);
# secondary CPUs enter at _secondary with the stack the intc START_SP gave them.
    .section .text.start, "ax", @progbits
    .globl _start
_start:
    lui     $gp, %hi(_gp)
    addiu   $gp, $gp, %lo(_gp)
    lui     $sp, %hi(BOOT_STACK + {boot_stack})
    addiu   $sp, $sp, %lo(BOOT_STACK + {boot_stack})
    jal     kmain
    addiu   $sp, $sp, -16
1:  b       1b
    nop

    .globl _secondary
_secondary:
    lui     $gp, %hi(_gp)
    addiu   $gp, $gp, %lo(_gp)
    jal     kmain_secondary
    addiu   $sp, $sp, -16
1:  b       1b
    nop
    .set pop
"#),
    pda_hi = const hi(PDA),
    k2_hi = const abi::segments::K2_BASE >> 16,
    k2_slots = const crate::k2::SLOTS,
    k2_ptes = sym crate::k2::PTES,
    pda_lo = const lo(PDA),
    frame = const FRAME_BYTES,
    ksu = const KERNEL_KSU,
    boot_stack = const BOOT_STACK_BYTES,
    special_hi = const KSEG3 >> 16,
    special_status = const special::FROM_TOP + special::STATUS as i32,
    special_cause = const special::FROM_TOP + special::CAUSE as i32,
    special_epc = const special::FROM_TOP + special::EPC as i32,
    special_badvaddr = const special::FROM_TOP + special::BADVADDR as i32,
    special_entryhi = const special::FROM_TOP + special::ENTRYHI as i32,
    special_count = const special::FROM_TOP + special::COUNT as i32,
    special_entrylo0 = const special::FROM_TOP + special::ENTRYLO0 as i32,
    special_entrylo1 = const special::FROM_TOP + special::ENTRYLO1 as i32,
    // The PDA's scratch word from the special page's `lui` base (the Disco HAL's PDA is the
    // page below the special page; the native HAL never uses it).
    pda_scratch = const (PDA + 16).wrapping_sub(KSEG3) as i32,
);

/// Size of CPU 0's boot stack.
pub const BOOT_STACK_BYTES: usize = 16384;

/// CPU 0's stack until the scheduler runs (the loader's stack pointer is in memory the page
/// allocator will hand out).
#[unsafe(no_mangle)]
static mut BOOT_STACK: [u8; BOOT_STACK_BYTES] = [0; BOOT_STACK_BYTES];
