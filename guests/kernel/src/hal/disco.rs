//! The HAL of the Disco build: the kernel runs in supervisor mode from the supervisor segment
//! (0xC000_0000 + p is guest-physical p), reads and writes its virtual privileged registers
//! through the monitor's special page, and asks the monitor for devices, zeroed pages, TLB
//! maintenance and other CPUs through monitor calls (docs/monitor-abi.md). The rest of the
//! kernel is unchanged.

use core::ptr::{read_volatile, write_volatile};

/// Direct map of guest-physical memory: the supervisor segment.
pub const KBASE: u32 = 0xC000_0000;
/// The per-CPU data area, at the top of the supervisor segment, mapped by a wired TLB entry
/// (the monitor keeps it per virtual CPU).
pub const PDA: u32 = 0xDFFF_E000;
/// Status.KSU of kernel code: supervisor mode.
pub const KERNEL_KSU: u32 = 0x08;
/// TLB entries reserved (wired) by the kernel: entry 0 maps the PDA.
pub const WIRED: u32 = 1;

/// The special page (virtual privileged registers).
const SPECIAL: u32 = 0xDFFF_F000;

mod sp {
    pub const STATUS: u32 = 0x00;
    pub const CAUSE: u32 = 0x04;
    pub const ENTRYHI: u32 = 0x10;
    pub const COUNT: u32 = 0x18;
    pub const COMPARE: u32 = 0x1C;
    pub const CPU: u32 = 0x20;
    pub const EBASE: u32 = 0x24;
    pub const ENTRYLO0: u32 = 0x28;
    pub const ENTRYLO1: u32 = 0x2C;
    pub const PENDING: u32 = 0x30;
}

// ---- Assembly fragments for entry.rs: the special page instead of MFC0/MTC0 ----------------
// 0xDFFF_F000 = 0xE000_0000 - 0x1000: `lui r, 0xE000` then offset -4096 + register.

/// Reads a virtual CP0 register (`status`, `epc`, `cause`, `badvaddr`, `entryhi`) into `$dst`.
#[macro_export]
macro_rules! hal_mfc0 {
    ($dst:literal, status) => {
        concat!("lui ", $dst, ", 0xE000\nlw ", $dst, ", -4096(", $dst, ")\n")
    };
    ($dst:literal, cause) => {
        concat!("lui ", $dst, ", 0xE000\nlw ", $dst, ", -4092(", $dst, ")\n")
    };
    ($dst:literal, epc) => {
        concat!("lui ", $dst, ", 0xE000\nlw ", $dst, ", -4088(", $dst, ")\n")
    };
    ($dst:literal, badvaddr) => {
        concat!("lui ", $dst, ", 0xE000\nlw ", $dst, ", -4084(", $dst, ")\n")
    };
    ($dst:literal, entryhi) => {
        concat!("lui ", $dst, ", 0xE000\nlw ", $dst, ", -4080(", $dst, ")\n")
    };
}

/// Writes `$src` to a virtual CP0 register (`status`, `epc`), using `$tmp` as scratch.
#[macro_export]
macro_rules! hal_mtc0 {
    ($src:literal, $tmp:literal, status) => {
        concat!("lui ", $tmp, ", 0xE000\nsw ", $src, ", -4096(", $tmp, ")\n")
    };
    ($src:literal, $tmp:literal, epc) => {
        concat!("lui ", $tmp, ", 0xE000\nsw ", $src, ", -4088(", $tmp, ")\n")
    };
}

/// Clears the virtual Status.IE, using `$tmp` (and `$k0`, which the caller reloads) as scratch.
#[macro_export]
macro_rules! hal_di {
    ($tmp:literal) => {
        concat!(
            "lui ",
            $tmp,
            ", 0xE000\nlw $k0, -4096(",
            $tmp,
            ")\nsrl $k0, $k0, 1\nsll $k0, $k0, 1\nsw $k0, -4096(",
            $tmp,
            ")\n"
        )
    };
}

fn rd(off: u32) -> u32 {
    // SAFETY: the monitor maps the special page for every virtual CPU.
    unsafe { read_volatile((SPECIAL + off) as *const u32) }
}

fn wr(off: u32, v: u32) {
    // SAFETY: as `rd`.
    unsafe { write_volatile((SPECIAL + off) as *mut u32, v) }
}

/// A monitor call: `$v0` = 0xD15C_0000 | n, arguments in `$a0..$a3`; `$v0` result, `$v1` error.
fn call(n: u32, a0: u32, a1: u32, a2: u32, a3: u32) -> (u32, u32) {
    let v0: u32;
    let v1: u32;
    // SAFETY: the monitor-call convention; the monitor preserves everything but $v0/$v1.
    unsafe {
        core::arch::asm!("syscall", inout("$2") 0xD15C_0000u32 | n => v0, out("$3") v1,
            in("$4") a0, in("$5") a1, in("$6") a2, in("$7") a3);
    }
    (v0, v1)
}

macro_rules! mtc0 {
    ($reg:literal, $sel:literal, $v:expr) => {{
        let v: u32 = $v;
        // SAFETY: trapped and emulated by the monitor.
        unsafe {
            core::arch::asm!(".set noat", concat!("mtc0 {}, $", $reg, ", ", $sel), ".set at", in(reg) v)
        };
    }};
}

macro_rules! mfc0 {
    ($reg:literal, $sel:literal) => {{
        let v: u32;
        // SAFETY: trapped and emulated by the monitor.
        unsafe {
            core::arch::asm!(".set noat", concat!("mfc0 {}, $", $reg, ", ", $sel), ".set at", out(reg) v)
        };
        v
    }};
}

// ---- CPU and privileged registers ------------------------------------------------------------

/// This virtual CPU's number.
#[inline]
pub fn cpu_id() -> usize {
    rd(sp::CPU) as usize
}

/// Virtual Status.
#[inline]
pub fn status() -> u32 {
    rd(sp::STATUS)
}

/// Writes virtual Status.
#[inline]
pub fn set_status(v: u32) {
    wr(sp::STATUS, v)
}

/// Virtual Cause.
pub fn cause() -> u32 {
    rd(sp::CAUSE)
}

/// Enables interrupts.
#[inline]
pub fn intr_on() {
    set_status(status() | 1);
}

/// Disables interrupts; returns whether they were enabled.
#[inline]
pub fn intr_off() -> bool {
    let s = status();
    set_status(s & !1);
    s & 1 != 0
}

/// Points the exception vectors at `base`.
pub fn set_ebase(base: u32) {
    wr(sp::EBASE, base & !0xFFF)
}

/// Virtual Count (updated by the monitor at each trap and quantum).
#[inline]
pub fn count() -> u32 {
    rd(sp::COUNT)
}

/// Sets virtual Compare.
pub fn set_compare(v: u32) {
    wr(sp::COMPARE, v)
}

/// Enables the interrupt lines the kernel uses: IP2 (devices), IP3 (IPI), IP7 (timer).
pub fn enable_interrupt_lines() {
    set_status((status() & !0xFF00) | (1 << 10) | (1 << 11) | (1 << 15));
}

/// Idles until an interrupt (WAIT traps: the monitor deschedules this virtual CPU).
#[inline]
pub fn idle() {
    // SAFETY: emulated by the monitor.
    unsafe { core::arch::asm!("wait") };
}

// ---- TLB ----------------------------------------------------------------------------------

/// Writes TLB entry `index`.
pub fn tlb_write(index: u32, hi: u32, lo0: u32, lo1: u32) {
    wr(sp::ENTRYHI, hi);
    wr(sp::ENTRYLO0, lo0);
    wr(sp::ENTRYLO1, lo1);
    mtc0!("5", "0", 0);
    mtc0!("0", "0", index);
    // SAFETY: emulated by the monitor.
    unsafe { core::arch::asm!("tlbwi") };
}

/// Sets the number of wired TLB entries.
pub fn set_wired(n: u32) {
    mtc0!("6", "0", n)
}

/// Number of TLB entries.
pub fn tlb_size() -> u32 {
    ((mfc0!("16", "1") >> 25) & 0x3F) + 1
}

/// Sets the current ASID.
#[inline]
pub fn set_asid(asid: u32) {
    wr(sp::ENTRYHI, (rd(sp::ENTRYHI) & !0xFF) | (asid & 0xFF))
}

/// Drops the translation of `va` for `asid` (one monitor call instead of TLBP + TLBWI).
pub fn tlb_invalidate(va: u32, asid: u32) {
    call(14, va, asid, 0, 0);
}

/// Drops every non-wired TLB entry.
pub fn tlb_flush_all() {
    call(13, 0, 0, 0, 0);
}

// ---- Memory ---------------------------------------------------------------------------------

/// The kernel's address for guest-physical address `pa`.
#[inline]
pub fn p2v(pa: u32) -> u32 {
    pa + KBASE
}

/// The guest-physical address of kernel address `va`.
#[inline]
pub fn v2p(va: u32) -> u32 {
    va - KBASE
}

/// Zeroes a guest-physical page: the monitor does it (and may hand over a fresh zeroed page).
pub fn zero_page(pa: u32) {
    call(11, pa, 0, 0, 0);
}

// ---- Machine information ------------------------------------------------------------------------

/// Number of virtual CPUs.
pub fn cpu_count() -> usize {
    call(4, 0, 0, 0, 0).0 as usize
}

/// Bytes of guest-physical memory.
pub fn memory_bytes() -> u32 {
    call(4, 1, 0, 0, 0).0
}

/// The VM is one node as far as the guest knows.
pub fn node_bytes() -> u32 {
    memory_bytes()
}

/// Clock in MHz.
pub fn clock_mhz() -> u32 {
    call(4, 2, 0, 0, 0).0
}

static CLOCK_MHZ: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// Clock in MHz, asked once and remembered.
pub fn clock_mhz_cached() -> u32 {
    use core::sync::atomic::Ordering;
    let v = CLOCK_MHZ.load(Ordering::Relaxed);
    if v != 0 {
        return v;
    }
    let v = clock_mhz().max(1);
    CLOCK_MHZ.store(v, Ordering::Relaxed);
    v
}

/// Number of virtual disks.
pub fn disk_count() -> u32 {
    call(4, 3, 0, 0, 0).0
}

// ---- Devices --------------------------------------------------------------------------------

/// Prints bytes on the VM's console (one monitor call per buffer).
pub fn console_write(bytes: &[u8]) {
    if !bytes.is_empty() {
        call(1, v2p(bytes.as_ptr() as u32), bytes.len() as u32, 0, 0);
    }
}

/// Takes one byte of console input, if any.
pub fn console_getc() -> Option<u8> {
    let mut b = 0u8;
    let (n, _) = call(2, v2p(&mut b as *mut u8 as u32), 1, 0, 0);
    (n == 1).then_some(b)
}

/// Stops the VM with an exit code.
pub fn power_off(code: u32) -> ! {
    call(3, code, 0, 0, 0);
    loop {
        idle();
    }
}

/// Raises an inter-processor interrupt on virtual CPU `cpu`.
pub fn send_ipi(cpu: usize) {
    call(6, cpu as u32, 0, 0, 0);
}

/// Clears this virtual CPU's IPI.
pub fn ack_ipi() {
    call(7, 0, 0, 0, 0);
}

/// Pending device interrupt sources (bit 0 console, 8 + k disk k).
pub fn device_pending() -> u32 {
    rd(sp::PENDING)
}

/// Starts virtual CPU `cpu` at `pc` with stack pointer `sp` (and `$a0` = its number).
pub fn start_cpu(cpu: usize, pc: u32, sp: u32) {
    call(5, cpu as u32, pc, sp, 0);
}

/// Starts a transfer on virtual disk `unit` (guest-physical `pa`).
pub fn disk_start(unit: u32, sector: u32, pa: u32, count: u32, write: bool) {
    call(8, unit, sector, pa, count | if write { 1 << 31 } else { 0 });
}

/// Virtual disk `unit`'s status: bit 0 busy, 1 done, 2 error.
pub fn disk_status(unit: u32) -> u32 {
    call(9, unit, 0, 0, 0).0
}

/// Virtual disk `unit`'s status, for a caller that will ask again until the request is done:
/// while it is not, the monitor takes the virtual CPU off its physical CPU until the disk
/// completes, instead of letting it spin through monitor calls.
pub fn disk_wait(unit: u32) -> u32 {
    call(15, unit, 0, 0, 0).0
}

/// Acknowledges virtual disk `unit`'s completion.
pub fn disk_ack(unit: u32) {
    call(10, unit, 0, 0, 0);
}
