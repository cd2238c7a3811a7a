//! The HAL of the native build: the kernel runs in kernel mode from kseg0, sees physical
//! memory through kseg0, reaches the devices through kseg1 (uncached) and uses CP0 directly.

use core::ptr::{read_volatile, write_volatile};

use abi::address_map::{self as map, console, disk, info, intc, irq, power};
use abi::segments::{KSEG0, KSEG1, PAGE_BYTES};

/// Direct map of physical memory: kseg0 (cached, unmapped).
pub const KBASE: u32 = KSEG0;
/// The per-CPU data area: a wired, global TLB entry maps this page of kseg3 to each CPU's own
/// page, so it is reachable with a 16-bit offset from `$zero`.
pub const PDA: u32 = 0xFFFF_E000;
/// Status.KSU of kernel code: kernel mode.
pub const KERNEL_KSU: u32 = 0;
/// TLB entries reserved (wired) by the kernel: entry 0 maps the PDA.
pub const WIRED: u32 = 1;

// ---- Assembly fragments for entry.rs ------------------------------------------------------
// The exception paths read and write a few CP0 registers. On the bare machine these are
// MFC0/MTC0; the Disco HAL uses the monitor's special page instead, so each fragment is a
// macro that expands to the right instructions. `$dst`/`$src`/`$tmp` are register names.

/// Reads a CP0 register (`status`, `epc`, `cause`, `badvaddr`, `entryhi`) into `$dst`.
#[macro_export]
macro_rules! hal_mfc0 {
    ($dst:literal, status) => {
        concat!("mfc0 ", $dst, ", $12\n")
    };
    ($dst:literal, epc) => {
        concat!("mfc0 ", $dst, ", $14\n")
    };
    ($dst:literal, cause) => {
        concat!("mfc0 ", $dst, ", $13\n")
    };
    ($dst:literal, badvaddr) => {
        concat!("mfc0 ", $dst, ", $8\n")
    };
    ($dst:literal, entryhi) => {
        concat!("mfc0 ", $dst, ", $10\n")
    };
    ($dst:literal, count) => {
        concat!("mfc0 ", $dst, ", $9\n")
    };
}

/// The end of the TLB-refill handler: `$k1` points at the even/odd PTE pair; write it at a
/// random index and return.
#[macro_export]
macro_rules! hal_refill_write {
    () => {
        "lw $k0, 0($k1)\nlw $k1, 4($k1)\nmtc0 $k0, $2\nmtc0 $k1, $3\nehb\ntlbwr\neret\n"
    };
}

/// The end of the TLB-refill handler for a missing page table: write an invalid pair.
#[macro_export]
macro_rules! hal_refill_write_invalid {
    () => {
        "mtc0 $zero, $2\nmtc0 $zero, $3\nehb\ntlbwr\neret\n"
    };
}

/// Writes `$src` to a CP0 register (`status`, `epc`), using `$tmp` as scratch if needed.
#[macro_export]
macro_rules! hal_mtc0 {
    ($src:literal, $tmp:literal, status) => {
        concat!("mtc0 ", $src, ", $12\nehb\n")
    };
    ($src:literal, $tmp:literal, epc) => {
        concat!("mtc0 ", $src, ", $14\nehb\n")
    };
}

/// Disables interrupts using `$tmp` as scratch.
#[macro_export]
macro_rules! hal_di {
    ($tmp:literal) => {
        "di\nehb\n"
    };
}

// The devices, seen through kseg1 (uncached, as device registers must be).
const CONSOLE: u32 = KSEG1 + map::CONSOLE;
const POWER: u32 = KSEG1 + map::POWER;
const INFO: u32 = KSEG1 + map::INFO;
const INTC: u32 = KSEG1 + map::INTC;

/// The registers of disk `unit`, through kseg1.
fn disk_regs(unit: u32) -> u32 {
    KSEG1 + map::disk(unit)
}

fn rd(addr: u32) -> u32 {
    // SAFETY: device registers are always mapped through kseg1; reads have no memory effects
    // the compiler must know about.
    unsafe { read_volatile(addr as *const u32) }
}

fn wr(addr: u32, v: u32) {
    // SAFETY: as `rd`; a device register write affects only the device.
    unsafe { write_volatile(addr as *mut u32, v) }
}

macro_rules! mfc0 {
    ($reg:literal, $sel:literal) => {{
        let v: u32;
        // SAFETY: reading a CP0 register has no side effects.
        unsafe {
            core::arch::asm!(".set noat", concat!("mfc0 {}, $", $reg, ", ", $sel), ".set at", out(reg) v)
        };
        v
    }};
}

macro_rules! mtc0 {
    ($reg:literal, $sel:literal, $v:expr) => {{
        let v: u32 = $v;
        // SAFETY: the callers below write architecturally valid values.
        unsafe {
            core::arch::asm!(".set noat", concat!("mtc0 {}, $", $reg, ", ", $sel), "ehb", ".set at", in(reg) v)
        };
    }};
}

// ---- CPU and privileged registers ------------------------------------------------------------

/// This CPU's number (EBase.CPUNum).
#[inline]
pub fn cpu_id() -> usize {
    (mfc0!("15", "1") & 0x3FF) as usize
}

/// Status.
#[inline]
pub fn status() -> u32 {
    mfc0!("12", "0")
}

/// Writes Status.
#[inline]
pub fn set_status(v: u32) {
    mtc0!("12", "0", v)
}

/// Cause.
pub fn cause() -> u32 {
    mfc0!("13", "0")
}

/// Enables interrupts (Status.IE).
#[inline]
pub fn intr_on() {
    // SAFETY: EI only sets Status.IE.
    unsafe { core::arch::asm!("ei", "ehb") };
}

/// Disables interrupts; returns whether they were enabled.
#[inline]
pub fn intr_off() -> bool {
    let old: u32;
    // SAFETY: DI only clears Status.IE.
    unsafe { core::arch::asm!(".set noat", "di {}", "ehb", ".set at", out(reg) old) };
    old & 1 != 0
}

/// Points the exception vectors at `base` (4 KB aligned, kseg0).
pub fn set_ebase(base: u32) {
    mtc0!("15", "1", base & 0x3FFF_F000)
}

/// Count (advances every other cycle).
#[inline]
pub fn count() -> u32 {
    mfc0!("9", "0")
}

/// No monitor: its cycles are none (the Disco HAL's `monitor_cycles`).
#[inline]
pub fn monitor_cycles() -> super::MonitorCycles {
    super::MonitorCycles::ZERO
}

/// No monitor: a return to user mode is one instruction, inside the service's time.
#[inline]
pub fn monitor_return_cycles() -> u32 {
    0
}

/// No monitor: nothing to arm.
#[inline]
pub fn arm_return() {}

/// Natively there is no monitor's time to attribute: the code that does compiles away.
pub const MONITORED: bool = false;

/// No monitor: none at the exception either.
#[inline]
pub fn monitor_cycles_at_entry() -> super::MonitorCycles {
    super::MonitorCycles::ZERO
}

/// Sets Compare: the timer interrupt (IP7) fires when Count reaches it; writing acknowledges
/// the previous one.
pub fn set_compare(v: u32) {
    mtc0!("11", "0", v)
}

/// Enables the interrupt lines the kernel uses: IP2 (devices), IP3 (IPI), IP7 (timer).
pub fn enable_interrupt_lines() {
    set_status((status() & !0xFF00) | irq::DEVICE | irq::IPI | irq::TIMER);
}

/// Idles until an interrupt arrives (WAIT).
#[inline]
pub fn idle() {
    // SAFETY: WAIT stops the CPU until an interrupt is pending.
    unsafe { core::arch::asm!("wait") };
}

// ---- TLB ----------------------------------------------------------------------------------

/// Writes TLB entry `index` (EntryHi, EntryLo0, EntryLo1, 4 KB pages).
pub fn tlb_write(index: u32, hi: u32, lo0: u32, lo1: u32) {
    mtc0!("0", "0", index);
    mtc0!("10", "0", hi);
    mtc0!("2", "0", lo0);
    mtc0!("3", "0", lo1);
    mtc0!("5", "0", 0);
    // SAFETY: the registers above describe the entry.
    unsafe { core::arch::asm!("tlbwi", "ehb") };
}

/// Sets the number of wired TLB entries.
pub fn set_wired(n: u32) {
    mtc0!("6", "0", n)
}

/// Number of TLB entries.
pub fn tlb_size() -> u32 {
    ((mfc0!("16", "1") >> 25) & 0x3F) + 1
}

/// Sets the current ASID (EntryHi.ASID).
#[inline]
pub fn set_asid(asid: u32) {
    mtc0!("10", "0", asid & 0xFF)
}

/// Drops the TLB entry mapping `va` for `asid`, if there is one.
pub fn tlb_invalidate(va: u32, asid: u32) {
    let old_hi = mfc0!("10", "0");
    mtc0!("10", "0", (va & !0x1FFF) | (asid & 0xFF));
    // SAFETY: TLBP only sets Index.
    unsafe { core::arch::asm!("tlbp", "ehb") };
    let index = mfc0!("0", "0");
    if index & 0x8000_0000 == 0 {
        // A unique kseg0 address that nothing translates, invalid.
        tlb_write(index, KBASE + (index << 13), 0, 0);
    }
    mtc0!("10", "0", old_hi);
}

/// Drops every entry but the wired ones.
pub fn tlb_flush_all() {
    let old_hi = mfc0!("10", "0");
    for i in WIRED..tlb_size() {
        tlb_write(i, KBASE + (i << 13), 0, 0);
    }
    mtc0!("10", "0", old_hi);
}

// ---- Memory ---------------------------------------------------------------------------------

/// The kernel's address for physical address `pa`.
#[inline]
pub fn p2v(pa: u32) -> u32 {
    pa + KBASE
}

/// The physical address of kernel address `va` (in the direct map).
#[inline]
pub fn v2p(va: u32) -> u32 {
    va - KBASE
}

/// Fills the physical page `pa` with zeros.
pub fn zero_page(pa: u32) {
    // Eight word stores an iteration, as a kernel's bzero is written (IRIX's was): the
    // generic memset spends five instructions a word. Volatile so that the compiler does not
    // fold the loop back into a memset call.
    let base = p2v(pa) as *mut u32;
    for k in (0..PAGE_BYTES as usize / 4).step_by(8) {
        // SAFETY: the caller owns the page; the direct map covers all of memory.
        unsafe {
            let w = base.add(k);
            write_volatile(w, 0);
            write_volatile(w.add(1), 0);
            write_volatile(w.add(2), 0);
            write_volatile(w.add(3), 0);
            write_volatile(w.add(4), 0);
            write_volatile(w.add(5), 0);
            write_volatile(w.add(6), 0);
            write_volatile(w.add(7), 0);
        }
    }
}

// ---- Machine information ------------------------------------------------------------------------

/// Number of CPUs.
pub fn cpu_count() -> usize {
    rd(INFO + info::CPU_COUNT) as usize
}

/// Bytes of memory.
pub fn memory_bytes() -> u32 {
    rd(INFO + info::MEMORY_BYTES)
}

/// Bytes of memory per node (node n owns [n * size, (n + 1) * size)).
pub fn node_bytes() -> u32 {
    rd(INFO + info::NODE_BYTES)
}

/// Clock in MHz.
pub fn clock_mhz() -> u32 {
    rd(INFO + info::CLOCK_MHZ)
}

static CLOCK_MHZ: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// Clock in MHz, read once from the device and then remembered (a device read is slow).
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

/// Number of disk units.
pub fn disk_count() -> u32 {
    rd(INFO + info::DISK_COUNT)
}

// ---- Devices --------------------------------------------------------------------------------

/// Prints bytes on the console.
pub fn console_write(bytes: &[u8]) {
    // The device's transmit DMA takes bytes in the direct map (the kernel's own), a piece of
    // up to TX_DMA_MAX at a time: two register writes for a line, not one per byte. Anything
    // else (never the case today) goes a byte at a time.
    let at = bytes.as_ptr() as u32;
    if (KSEG0..KSEG1).contains(&at) && (KSEG0..=KSEG1).contains(&(at + bytes.len() as u32)) {
        for piece in bytes.chunks(console::TX_DMA_MAX as usize) {
            wr(CONSOLE + console::TX_ADDR, v2p(piece.as_ptr() as u32));
            wr(CONSOLE + console::TX_DMA, piece.len() as u32);
        }
        return;
    }
    for &b in bytes {
        wr(CONSOLE + console::TX, u32::from(b));
    }
}

/// Takes one byte of console input, if any.
pub fn console_getc() -> Option<u8> {
    let v = rd(CONSOLE + console::RX);
    (v != u32::MAX).then_some(v as u8)
}

/// Powers the machine off.
pub fn power_off(code: u32) -> ! {
    wr(POWER + power::HALT, code);
    loop {
        idle();
    }
}

/// Raises an inter-processor interrupt on `cpu`.
pub fn send_ipi(cpu: usize) {
    wr(INTC + intc::IPI_SEND, cpu as u32);
}

/// Clears this CPU's inter-processor interrupt.
pub fn ack_ipi() {
    wr(INTC + intc::IPI_ACK, 0);
}

/// Pending device interrupt sources (bit 0 console, 1 network, 8 + k disk k).
pub fn device_pending() -> u32 {
    rd(INTC + intc::PENDING)
}

/// Starts CPU `cpu` at `pc` with stack pointer `sp` (and `$a0` = its number).
pub fn start_cpu(cpu: usize, pc: u32, sp: u32) {
    wr(INTC + intc::START_PC, pc);
    wr(INTC + intc::START_SP, sp);
    wr(INTC + intc::START, cpu as u32);
}

/// Starts a DMA transfer on disk `unit`: `count` sectors from `sector`, to (`write` = false)
/// or from physical memory `pa`.
pub fn disk_start(unit: u32, sector: u32, pa: u32, count: u32, write: bool) {
    let base = disk_regs(unit);
    wr(base + disk::SECTOR, sector);
    wr(base + disk::ADDR, pa);
    wr(base + disk::COUNT, count);
    wr(base + disk::COMMAND, if write { disk::CMD_WRITE } else { disk::CMD_READ });
}

/// Disk `unit`'s status: bit 0 busy, 1 done, 2 error.
pub fn disk_status(unit: u32) -> u32 {
    rd(disk_regs(unit) + disk::STATUS)
}

/// Disk `unit`'s status, for a caller that will ask again until the request is done (a driver
/// polling with interrupts off): on the bare machine, simply the status register.
pub fn disk_wait(unit: u32) -> u32 {
    disk_status(unit)
}

/// Acknowledges disk `unit`'s completion.
pub fn disk_ack(unit: u32) {
    wr(disk_regs(unit) + disk::ACK, 0);
}

/// Disk `unit`'s size in 512-byte sectors.
pub fn disk_sectors(unit: u32) -> u32 {
    rd(disk_regs(unit) + disk::CAPACITY)
}

// ---- Network: none on the bare machine's dux (the virtual subnet is the monitor's) ----------

/// No virtual subnet on the bare machine.
pub fn net_info() -> Option<(u32, u32)> {
    None
}

/// Never called without a subnet; refuses.
pub fn net_send(_header: u32, _header_len: u32, _payload: u32, _pages: u32) -> bool {
    false
}

/// Never called without a subnet; refuses.
pub fn net_recv(_header: u32, _header_room: u32, _payload: u32, _pages: u32) -> bool {
    false
}

/// Nothing received, nothing armed.
pub fn net_status() -> u32 {
    0
}

/// Nothing to acknowledge.
pub fn net_ack() {}
