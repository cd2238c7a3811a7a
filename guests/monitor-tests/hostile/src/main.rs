//! A hostile guest kernel for the monitor's isolation tests (crates/monitor/tests/isolation.rs).
//!
//! It boots like the Disco build of dux (linked at 0xC0010000, entered on VCPU 0 with `$sp` at
//! the top of its memory) and then does everything a guest must not be able to get away with:
//!
//! 1. monitor calls with unknown numbers and bad arguments (addresses outside its memory,
//!    absurd lengths, VCPUs and disk units that do not exist);
//! 2. loads and stores outside its memory: past the end of its kernel segment, in kseg0/kseg1
//!    (the machine's unmapped segments, where the real devices and all of memory are);
//! 3. TLB entries whose frame numbers point outside its memory (the machine page the monitor
//!    would naively insert belongs to someone else), then accesses through them;
//! 4. a flood of traps: privileged instructions, breakpoints, bad monitor calls.
//!
//! Every fault comes back to its own exception vector (it counts them and skips the
//! instruction); every bad call returns an error code. It prints what it saw and powers off
//! with 0 if every attack was refused, 1 otherwise. The test checks that the other VMs ran
//! unharmed and that the monitor's own bookkeeping agrees.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

use core::fmt::Write;
use core::sync::atomic::{AtomicU32, Ordering};

use abi::address_map::{self as map, disk};
use abi::mcall::{self, MonitorCall, info};
use abi::segments::{KSEG0, KSEG1, KSEG3, SSEG};
use abi::special;

/// Exceptions delivered to our vectors, by ExcCode.
static FAULTS: [AtomicU32; 32] = [const { AtomicU32::new(0) }; 32];

core::arch::global_asm!(
    r#"
    .section .text.vectors, "ax", @progbits
    .set push
    .set noreorder
    .set noat
    .globl __vectors
    # TLB refill (EBase + 0x000) and general exception (EBase + 0x180) alike: count the cause
    # and resume after the faulting instruction (the tests never fault in a delay slot).
__vectors:
    j       __hostile_fault
    nop
    .org 0x180
    j       __hostile_fault
    nop
__hostile_fault:
    lui     $k0, {special_hi}
    lw      $k1, {special_cause}($k0)   # virtual Cause
    srl     $k1, $k1, 2
    andi    $k1, $k1, 31
    sll     $k1, $k1, 2
    lui     $k0, %hi({faults})
    addiu   $k0, $k0, %lo({faults})
    addu    $k0, $k0, $k1
    lw      $k1, 0($k0)
    addiu   $k1, $k1, 1
    sw      $k1, 0($k0)
    lui     $k0, {special_hi}
    lw      $k1, {special_epc}($k0)     # virtual EPC
    addiu   $k1, $k1, 4
    sw      $k1, {special_epc}($k0)
    eret
    nop
    .set pop

    .section .text.start, "ax", @progbits
    .globl _start
_start:
    addiu   $t0, $zero, -16
    and     $sp, $sp, $t0
    jal     hostile_main
    nop
1:  b       1b
    nop
"#,
    faults = sym FAULTS,
    // The special page is the segment's last page: `lui` of its end, then a negative offset.
    special_hi = const KSEG3 >> 16,
    special_cause = const special::FROM_TOP + special::CAUSE as i32,
    special_epc = const special::FROM_TOP + special::EPC as i32,
);

unsafe extern "C" {
    static __vectors: u8;
}

/// A monitor call by number, valid or not: `(v0, v1)`; `v1` is the error code (0 = success).
fn call(n: u32, a0: u32, a1: u32, a2: u32, a3: u32) -> (u32, u32) {
    let v0: u32;
    let v1: u32;
    // SAFETY: the monitor-call convention; only $v0/$v1 change.
    unsafe {
        core::arch::asm!("syscall", inout("$2") mcall::TAG | n => v0, out("$3") v1,
            in("$4") a0, in("$5") a1, in("$6") a2, in("$7") a3);
    }
    (v0, v1)
}

/// A monitor call that exists (its arguments may still be bad).
fn mcall(c: MonitorCall, a0: u32, a1: u32, a2: u32, a3: u32) -> (u32, u32) {
    call(c as u32, a0, a1, a2, a3)
}

fn special_write(off: u32, v: u32) {
    // SAFETY: the special page is mapped by the monitor for every guest.
    unsafe { core::ptr::write_volatile((special::GUEST_VA + off) as *mut u32, v) }
}

fn gpa<T>(p: *const T) -> u32 {
    p as u32 - SSEG
}

struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        mcall(MonitorCall::ConsoleWrite, gpa(s.as_ptr()), s.len() as u32, 0, 0);
        Ok(())
    }
}

macro_rules! say {
    ($($t:tt)*) => { let _ = writeln!(Console, $($t)*); };
}

fn faults(code: usize) -> u32 {
    FAULTS[code].load(Ordering::Relaxed)
}

fn total_faults() -> u32 {
    FAULTS.iter().map(|f| f.load(Ordering::Relaxed)).sum()
}

/// A load from `va` that is allowed to fault (the handler skips it).
fn probe_load(va: u32) -> u32 {
    let v: u32;
    // SAFETY: may fault; the handler skips the instruction and `v` keeps its preset value.
    unsafe {
        core::arch::asm!(".set noreorder", "li $9, 0x5A5A5A5A", "lw $9, 0($8)", "nop",
            ".set reorder", in("$8") va, out("$9") v);
    }
    v
}

/// A store to `va` that is allowed to fault.
fn probe_store(va: u32, value: u32) {
    // SAFETY: may fault; the handler skips the instruction.
    unsafe {
        core::arch::asm!(".set noreorder", "sw $9, 0($8)", "nop", ".set reorder",
            in("$8") va, in("$9") value);
    }
}

/// Writes TLB entry `index` (trapped and emulated by the monitor).
fn tlb_write(index: u32, hi: u32, lo0: u32, lo1: u32) {
    // SAFETY: privileged instructions, emulated against the virtual CP0.
    unsafe {
        core::arch::asm!(
            "mtc0 $8, $0", "mtc0 $9, $10", "mtc0 $10, $2", "mtc0 $11, $3", "mtc0 $zero, $5",
            "ehb", "tlbwi", "ehb",
            in("$8") index, in("$9") hi, in("$10") lo0, in("$11") lo1);
    }
}

struct Score {
    refused: u32,
    expected: u32,
}

impl Score {
    fn expect_refused(&mut self, what: &str, (v0, err): (u32, u32)) {
        self.expected += 1;
        if err != 0 {
            self.refused += 1;
        } else {
            say!("hostile: NOT refused: {what} (returned {v0:#x})");
        }
    }

    fn expect_fault(&mut self, what: &str, before: u32) {
        self.expected += 1;
        if total_faults() > before {
            self.refused += 1;
        } else {
            say!("hostile: NO fault: {what}");
        }
    }
}

#[unsafe(no_mangle)]
extern "C" fn hostile_main(vcpu: u32) -> ! {
    use MonitorCall::*;
    special_write(special::EBASE, core::ptr::addr_of!(__vectors) as u32);
    let memory = mcall(MonitorCall::Info, info::MEMORY_BYTES, 0, 0, 0).0;
    say!("hostile: vcpu {vcpu}, {} KB of guest memory", memory >> 10);
    let mut s = Score { refused: 0, expected: 0 };
    let buf = [0u8; 64];
    let inside = gpa(buf.as_ptr());

    // 1. Malformed monitor calls. 999 and 0xFFFF are deliberately numbers of no call.
    s.expect_refused("call 999", call(999, 0, 0, 0, 0));
    s.expect_refused("call 0xFFFF", call(0xFFFF, 1, 2, 3, 4));
    s.expect_refused("console write past memory", mcall(ConsoleWrite, memory + 4096, 16, 0, 0));
    s.expect_refused("console write straddling the end", mcall(ConsoleWrite, memory - 8, 64, 0, 0));
    s.expect_refused("console write of 1 GB", mcall(ConsoleWrite, inside, 1 << 30, 0, 0));
    s.expect_refused("console write wrapping", mcall(ConsoleWrite, 0xFFFF_FFF0, 0x100, 0, 0));
    s.expect_refused("console read past memory", mcall(ConsoleRead, memory, 16, 0, 0));
    s.expect_refused("start a VCPU that does not exist", mcall(StartVcpu, 999, 0xC001_0000, 0, 0));
    s.expect_refused("IPI to a VCPU that does not exist", mcall(SendIpi, 77, 0, 0, 0));
    s.expect_refused(
        "disk request to a unit that does not exist",
        mcall(DiskStart, 3, 0, inside, 4096),
    );
    s.expect_refused("disk read into memory past the end", mcall(DiskStart, 0, 0, memory, 4096));
    s.expect_refused("disk read straddling the end", mcall(DiskStart, 0, 0, memory - 4096, 8192));
    s.expect_refused("disk status of a unit that does not exist", mcall(DiskStatus, 5, 0, 0, 0));
    s.expect_refused("zero a page past memory", mcall(ZeroPage, memory, 0, 0, 0));
    s.expect_refused("zero an unaligned page", mcall(ZeroPage, 0x1234, 0, 0, 0));
    s.expect_refused("free a page past memory", mcall(FreePage, memory + 8192, 0, 0, 0));

    // 2. Memory outside the VM.
    for (what, va) in [
        ("load past the end of the kernel segment", SSEG + memory),
        ("load far past the end", SSEG + memory + (64 << 20)),
        ("load from kseg0 (all machine memory)", KSEG0),
        ("load from kseg1 (the devices)", KSEG1 + map::DEVICE_BASE),
        ("load from a machine disk register", KSEG1 + map::DISK0 + disk::STATUS),
    ] {
        let before = total_faults();
        let v = probe_load(va);
        s.expect_fault(what, before);
        if v != 0x5A5A_5A5A {
            say!("hostile: {what} read {v:#x}");
        }
    }
    for (what, va) in [
        ("store past the end", SSEG + memory + 4096),
        ("store to kseg0 page 0", KSEG0),
        ("store to the power-off register", KSEG1 + map::POWER),
    ] {
        let before = total_faults();
        probe_store(va, 0xDEAD_BEEF);
        s.expect_fault(what, before);
    }

    // 3. TLB entries for frames outside the VM: the monitor must not map them.
    for (k, pfn) in
        [memory >> 12, (memory >> 12) + 1000, 0xF_FFFF, 0x8_0000].into_iter().enumerate()
    {
        let va = 0x0040_0000 + (k as u32) * 0x2000;
        let lo = pfn << 6 | 3 << 3 | 0b110; // cacheable, dirty, valid
        tlb_write(k as u32 + 8, va | 1, lo, lo);
        let before = total_faults();
        let v = probe_load(va);
        s.expect_fault("load through a TLB entry for a foreign frame", before);
        if v != 0x5A5A_5A5A {
            say!("hostile: foreign frame {pfn:#x} read {v:#x}");
        }
        let before = total_faults();
        probe_store(va + 0x1000, 0xBAD0_0000 | k as u32);
        s.expect_fault("store through a TLB entry for a foreign frame", before);
    }
    // A TLB entry for its own page works (the monitor translates, not refuses everything).
    let own = inside & !0xFFF;
    tlb_write(20, 0x0080_0000 | 1, (own >> 12) << 6 | 3 << 3 | 0b110, 0);
    let marker = 0x600D_F00D;
    probe_store(SSEG + own + 0x10, marker);
    let before = total_faults();
    let seen = probe_load(0x0080_0010);
    let own_ok = seen == marker && total_faults() == before;
    say!("hostile: own page through the TLB: {}", if own_ok { "ok" } else { "WRONG" });

    // 4. A flood of traps.
    let before = total_faults();
    for i in 0..20_000u32 {
        call(500 + (i & 7), i, 0, 0, 0); // deliberately numbers of no call
        // SAFETY: privileged and breakpoint instructions; trapped, emulated or delivered.
        unsafe {
            core::arch::asm!("mfc0 $8, $12", "mfc0 $8, $9", out("$8") _);
            core::arch::asm!(".set noreorder", "break", "nop", ".set reorder");
        }
    }
    let breaks = total_faults() - before;
    say!("hostile: trap flood: {breaks} breakpoints delivered");

    let ok = s.refused == s.expected && own_ok && breaks == 20_000;
    say!(
        "hostile: {} of {} attacks refused; faults: tlb refill/invalid {} {}, address error {} {}, bus error {}",
        s.refused,
        s.expected,
        faults(2),
        faults(3),
        faults(4),
        faults(5),
        faults(7)
    );
    say!("hostile: {}", if ok { "contained" } else { "ESCAPED" });
    mcall(PowerOff, if ok { 0 } else { 1 }, 0, 0, 0);
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    mcall(MonitorCall::PowerOff, 101, 0, 0, 0);
    loop {
        core::hint::spin_loop();
    }
}
