//! SPLASHOS: a thin library operating system that runs directly on the Disco monitor for one
//! parallel program (paper §4.4; Fig. 7's radix runs on it). docs/monitor-abi.md, "SPLASHOS",
//! describes what it asks of the monitor.
//!
//! - **Boot**: the monitor loads it like a guest kernel (linked at 0xC0010000 in the
//!   supervisor segment, entered on VCPU 0 with `$sp` at the top of guest memory); it points
//!   its virtual EBase at its own vectors and runs [`splash_main`].
//! - **Memory**: no virtual memory of its own. All memory is the supervisor segment, where
//!   0xC000_0000 + p is guest-physical p; the monitor maps it on demand and places each page on
//!   the node of the VCPU that first touches it. A bump heap ([`heap`]) hands out addresses
//!   without touching them; each VCPU's stack is carved from the top of memory.
//! - **Threads** ([`thread`]): one per VCPU, started with the monitor's `start_vcpu` call;
//!   **synchronisation** ([`sync`]): spinlocks and a barrier on LL/SC, long waits in WAIT until
//!   an IPI.
//! - **Console** ([`console`]) and **file input** ([`fs`]): read-only, dux's file system on the
//!   virtual disk.
//! - **The program**: SPLASHOS reads `/etc/rc` from the disk — the same image dux boots — and
//!   runs its `radix ...` line with the same arguments and output as dux's radix ([`radix`]),
//!   then powers off with radix's status. A missing or unusable `/etc/rc` is an error line and
//!   exit status 2; a fault is a line with the PC, cause and address and status 3; a panic 101.

#![no_std]
#![no_main]
#![feature(asm_experimental_arch)]

extern crate alloc;

pub mod console;
pub mod fs;
pub mod heap;
pub mod mon;
pub mod radix;
/// SPLASH-2's radix sort: the very source file of dux's radix (`workloads::radix`, in
/// guests/workloads/src/radix.rs). It is included by path rather than through the `workloads`
/// crate because the guests' workspace builds that crate with its `dux` feature, which brings
/// dux's user runtime (its allocator and panic handler) along.
#[path = "../../workloads/src/radix.rs"]
#[allow(dead_code)]
pub mod splash2_radix;
pub mod sync;
pub mod thread;

use alloc::vec::Vec;
use core::fmt::Write;
use core::sync::atomic::{AtomicU32, Ordering};

/// Exit status of a VM that cannot run its program (bad `/etc/rc`, no disk ...).
pub const EXIT_CONFIG: u32 = 2;
/// Exit status after an exception.
pub const EXIT_FAULT: u32 = 3;
/// Exit status after a panic.
pub const EXIT_PANIC: u32 = 101;

/// Per-VCPU stacks for the exception handler (1 KB each).
#[repr(C, align(16))]
struct FaultStacks([u8; thread::MAX_VCPUS * 1024]);

static mut FAULT_STACKS: FaultStacks = FaultStacks([0; thread::MAX_VCPUS * 1024]);

core::arch::global_asm!(
    r#"
    .section .text.vectors, "ax", @progbits
    .set push
    .set noreorder
    .set noat
    .globl __vectors
    # TLB refill (EBase + 0) and general exception (EBase + 0x180) alike: SPLASHOS expects none
    # (the monitor serves every TLB miss inside the VM's memory): report it on a fault stack.
__vectors:
    j       __splash_fault
    nop
    .org 0x180
    j       __splash_fault
    nop
__splash_fault:
    lui     $k0, %hi({cpu})          # the special page's registers, at their addresses
    lw      $k1, %lo({cpu})($k0)     # this VCPU
    andi    $k1, $k1, 15
    addiu   $k1, $k1, 1
    sll     $k1, $k1, 10
    lui     $sp, %hi({stacks})
    addiu   $sp, $sp, %lo({stacks})
    addu    $sp, $sp, $k1
    addiu   $sp, $sp, -16
    lw      $a0, %lo({cause})($k0)   # Cause
    lw      $a1, %lo({epc})($k0)     # EPC
    lw      $a2, %lo({badvaddr})($k0) # BadVAddr
    lw      $a3, %lo({cpu})($k0)     # VCPU
    jal     splash_fault
    nop
1:  b       1b
    nop

    .section .text.start, "ax", @progbits
    .globl _start
    # VCPU 0, from the monitor: $sp at the top of guest memory, $a0 = 0.
_start:
    addiu   $t0, $zero, -16
    and     $sp, $sp, $t0
    jal     splash_main
    nop
1:  b       1b
    nop

    .globl __thread_start
    # Another VCPU, started by start_vcpu: $sp = its stack, $a0 = its index.
__thread_start:
    addiu   $t0, $zero, -16
    and     $sp, $sp, $t0
    jal     splash_thread
    nop
1:  b       1b
    nop
    .set pop
"#,
    stacks = sym FAULT_STACKS,
    cpu = const mon::SPECIAL + mon::reg::CPU, cause = const mon::SPECIAL + mon::reg::CAUSE,
    epc = const mon::SPECIAL + mon::reg::EPC, badvaddr = const mon::SPECIAL + mon::reg::BADVADDR,
);

unsafe extern "C" {
    static __vectors: u8;
    static __kernel_end: u8;
}

/// What every VCPU does first: exceptions to our vectors; interrupts off, IPIs unmasked.
pub fn cpu_setup() {
    mon::special_write(mon::reg::EBASE, core::ptr::addr_of!(__vectors) as u32);
    mon::special_write(mon::reg::STATUS, mon::STATUS_IM_IPI);
}

#[unsafe(no_mangle)]
extern "C" fn splash_main(_vcpu: u32) -> ! {
    cpu_setup();
    let memory = mon::memory_bytes();
    let vcpus = mon::vcpus().min(thread::MAX_VCPUS);
    let heap_start = core::ptr::addr_of!(__kernel_end) as usize;
    let heap_end = (thread::stack_top(memory, vcpus - 1) + 16 - thread::STACK) as usize;
    heap::init(heap_start, heap_end);
    println!(
        "splashos: {vcpus} VCPUs, {} MB, heap {} KB at {heap_start:#010x}",
        memory >> 20,
        (heap_end - heap_start) >> 10
    );
    mon::power_off(run_rc())
}

/// Reads `/etc/rc` and runs its command; the exit status.
fn run_rc() -> u32 {
    let text = match fs::Fs::mount().and_then(|mut f| f.read_file("/etc/rc")) {
        Ok(bytes) => bytes,
        Err(e) => {
            println!("splashos: /etc/rc: {e}");
            return EXIT_CONFIG;
        }
    };
    let Ok(text) = core::str::from_utf8(&text) else {
        println!("splashos: /etc/rc: not text");
        return EXIT_CONFIG;
    };
    // Check the whole script before running anything.
    let mut commands: Vec<(usize, Vec<&str>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words[0] != "radix" || words.iter().any(|w| is_shell_syntax(w)) {
            println!(
                "splashos: /etc/rc, line {}: `{line}`: SPLASHOS runs one program, radix, with its arguments",
                n + 1
            );
            return EXIT_CONFIG;
        }
        commands.push((n + 1, words));
    }
    if commands.is_empty() {
        println!("splashos: /etc/rc: no radix command to run");
        return EXIT_CONFIG;
    }
    let mut status = 0;
    for (_, words) in &commands {
        status = radix::main(words);
        if status != 0 {
            break;
        }
    }
    println!("splashos: /etc/rc finished with status {status}");
    status
}

fn is_shell_syntax(w: &str) -> bool {
    w.contains(['&', '|', ';', '<', '>', '$', '`'])
}

/// Set once a VCPU is reporting a fault: a second fault (or one while reporting) powers off.
static FAULTING: AtomicU32 = AtomicU32::new(0);

/// Exception names by code.
fn exception_name(code: u32) -> &'static str {
    match code {
        0 => "interrupt",
        1 => "TLB modified",
        2 => "TLB miss (load)",
        3 => "TLB miss (store)",
        4 => "address error (load)",
        5 => "address error (store)",
        6 | 7 => "bus error",
        8 => "syscall",
        9 => "breakpoint",
        10 => "reserved instruction",
        11 => "coprocessor unusable",
        12 => "overflow",
        13 => "trap",
        _ => "exception",
    }
}

/// Every exception lands here (vectors above): report it and power off.
#[unsafe(no_mangle)]
extern "C" fn splash_fault(cause: u32, epc: u32, badvaddr: u32, vcpu: u32) -> ! {
    if FAULTING.swap(1, Ordering::SeqCst) != 0 {
        mon::power_off(EXIT_FAULT);
    }
    let code = (cause >> 2) & 31;
    let mut line = console::Line::new();
    let _ = writeln!(
        line,
        "splashos: vcpu {vcpu}: {} (cause {code}) at pc {epc:#010x}, address {badvaddr:#010x}",
        exception_name(code)
    );
    line.flush();
    mon::power_off(EXIT_FAULT)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    if FAULTING.swap(1, Ordering::SeqCst) == 0 {
        let mut line = console::Line::new();
        let _ = writeln!(line, "splashos: vcpu {}: panic: {info}", mon::my_vcpu());
        line.flush();
    }
    mon::power_off(EXIT_PANIC)
}
