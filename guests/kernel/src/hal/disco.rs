//! The HAL of the Disco build: the kernel runs in supervisor mode from the supervisor segment
//! (0xC000_0000 + p is guest-physical p), reads and writes its virtual privileged registers
//! through the monitor's special page, and asks the monitor for devices, zeroed pages, TLB
//! maintenance and other CPUs through monitor calls (docs/monitor-abi.md). The rest of the
//! kernel is unchanged.

use core::ptr::{read_volatile, write_volatile};

use abi::address_map::irq;
use abi::mcall::{self, MonitorCall, info};
use abi::segments::{PAGE_BYTES, SSEG};
use abi::special;

/// Direct map of guest-physical memory: the supervisor segment.
pub const KBASE: u32 = SSEG;
/// The per-CPU data area, at the top of the supervisor segment just below the special page,
/// mapped by a wired TLB entry (the monitor keeps it per virtual CPU).
pub const PDA: u32 = special::GUEST_VA - PAGE_BYTES;
/// Status.KSU of kernel code: supervisor mode.
pub const KERNEL_KSU: u32 = 0x08;
/// TLB entries reserved (wired) by the kernel: entry 0 maps the PDA.
pub const WIRED: u32 = 1;

// ---- Assembly fragments for entry.rs: the special page instead of MFC0/MTC0 ----------------
// The special page is the last page of the supervisor segment, so one `lui r, .Lspecial_hi`
// (the segment's end) and one load or store at `.Lspecial_<register>` (the page's negative
// offset from there plus the register's) reach a register. entry.rs defines these assembler
// symbols from abi::special, as `const` operands of its `global_asm!`.

/// Reads a virtual CP0 register (`status`, `epc`, `cause`, `badvaddr`, `entryhi`) into `$dst`.
#[macro_export]
macro_rules! hal_mfc0 {
    ($dst:literal, status) => {
        concat!("lui ", $dst, ", .Lspecial_hi\nlw ", $dst, ", .Lspecial_status(", $dst, ")\n")
    };
    ($dst:literal, cause) => {
        concat!("lui ", $dst, ", .Lspecial_hi\nlw ", $dst, ", .Lspecial_cause(", $dst, ")\n")
    };
    ($dst:literal, epc) => {
        concat!("lui ", $dst, ", .Lspecial_hi\nlw ", $dst, ", .Lspecial_epc(", $dst, ")\n")
    };
    ($dst:literal, badvaddr) => {
        concat!("lui ", $dst, ", .Lspecial_hi\nlw ", $dst, ", .Lspecial_badvaddr(", $dst, ")\n")
    };
    ($dst:literal, entryhi) => {
        concat!("lui ", $dst, ", .Lspecial_hi\nlw ", $dst, ", .Lspecial_entryhi(", $dst, ")\n")
    };
    ($dst:literal, count) => {
        concat!("lui ", $dst, ", .Lspecial_hi\nlw ", $dst, ", .Lspecial_count(", $dst, ")\n")
    };
}

/// Writes `$src` to a virtual CP0 register (`status`, `epc`), using `$tmp` as scratch.
#[macro_export]
macro_rules! hal_mtc0 {
    ($src:literal, $tmp:literal, status) => {
        concat!("lui ", $tmp, ", .Lspecial_hi\nsw ", $src, ", .Lspecial_status(", $tmp, ")\n")
    };
    ($src:literal, $tmp:literal, epc) => {
        concat!("lui ", $tmp, ", .Lspecial_hi\nsw ", $src, ", .Lspecial_epc(", $tmp, ")\n")
    };
}

/// The end of the TLB-refill handler: `$k1` points at the even/odd PTE pair. EntryLo0/1 go
/// to the special page by plain stores (MTC0 would trap twice more per refill: the patched
/// HAL's point, paper §4.3.3); the PTE pointer waits in the PDA's scratch word meanwhile, the
/// PDA being the page below the special page, in reach of the same `lui`. TLBWR and ERET
/// trap and are emulated.
#[macro_export]
macro_rules! hal_refill_write {
    () => {
        concat!(
            "lui $k0, .Lspecial_hi\n",
            "sw $k1, .Lpda_scratch($k0)\n",
            "lw $k1, 0($k1)\n",
            "sw $k1, .Lspecial_entrylo0($k0)\n",
            "lw $k1, .Lpda_scratch($k0)\n",
            "lw $k1, 4($k1)\n",
            "sw $k1, .Lspecial_entrylo1($k0)\n",
            "tlbwr\n",
            "eret\n"
        )
    };
}

/// The end of the TLB-refill handler for a missing page table: write an invalid pair.
#[macro_export]
macro_rules! hal_refill_write_invalid {
    () => {
        concat!(
            "lui $k0, .Lspecial_hi\n",
            "sw $zero, .Lspecial_entrylo0($k0)\n",
            "sw $zero, .Lspecial_entrylo1($k0)\n",
            "tlbwr\n",
            "eret\n"
        )
    };
}

/// Clears the virtual Status.IE, using `$tmp` (and `$k0`, which the caller reloads) as scratch.
#[macro_export]
macro_rules! hal_di {
    ($tmp:literal) => {
        concat!(
            "lui ",
            $tmp,
            ", .Lspecial_hi\nlw $k0, .Lspecial_status(",
            $tmp,
            ")\nsrl $k0, $k0, 1\nsll $k0, $k0, 1\nsw $k0, .Lspecial_status(",
            $tmp,
            ")\n"
        )
    };
}

fn rd(off: u32) -> u32 {
    // SAFETY: the monitor maps the special page for every virtual CPU.
    unsafe { read_volatile((special::GUEST_VA + off) as *const u32) }
}

fn wr(off: u32, v: u32) {
    // SAFETY: as `rd`.
    unsafe { write_volatile((special::GUEST_VA + off) as *mut u32, v) }
}

/// A monitor call: `$v0` = [`mcall::TAG`] | the call's number, arguments in `$a0..$a3`; `$v0`
/// result, `$v1` error.
fn call(c: MonitorCall, a0: u32, a1: u32, a2: u32, a3: u32) -> (u32, u32) {
    let v0: u32;
    let v1: u32;
    // SAFETY: the monitor-call convention; the monitor preserves everything but $v0/$v1.
    unsafe {
        core::arch::asm!("syscall", inout("$2") mcall::v0(c) => v0, out("$3") v1,
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
    rd(special::CPU) as usize
}

/// Virtual Status.
#[inline]
pub fn status() -> u32 {
    rd(special::STATUS)
}

/// Writes virtual Status.
#[inline]
pub fn set_status(v: u32) {
    wr(special::STATUS, v)
}

/// Virtual Cause.
pub fn cause() -> u32 {
    rd(special::CAUSE)
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
    wr(special::EBASE, base & !0xFFF)
}

/// Count, read live with `rdhwr $2` (the monitor enables it for the guest kernel): the
/// special page's copy is only refreshed at each trap and quantum, too coarse to time a
/// kernel service by.
#[inline]
pub fn count() -> u32 {
    let v: u32;
    // SAFETY: reads the cycle counter; no memory is touched.
    unsafe {
        core::arch::asm!(".set push", ".set mips32r2", "rdhwr {0}, $2", ".set pop", out(reg) v)
    };
    v
}

/// The monitor's cycles on this virtual CPU so far, as `[kernel TLB faults, other]`
/// (wrapping totals the monitor keeps in the special page): what a service's time under Disco
/// is made of besides the kernel's own execution (the paper's Table 2 breakdown).
#[inline]
pub fn monitor_cycles() -> super::MonitorCycles {
    super::MonitorCycles([rd(special::MON_TLB), rd(special::MON_OTHER)])
}

/// Of the monitor's other cycles, those of the ERETs it emulated back to user mode (a
/// wrapping total): the end of each service, which the kernel adds to the service it finished
/// when it next enters (`stats::returned`).
#[inline]
pub fn monitor_return_cycles() -> u32 {
    rd(special::MON_RETURN)
}

/// A service has finished: the monitor counts its next return to user mode in
/// [`monitor_return_cycles`].
#[inline]
pub fn arm_return() {
    wr(special::RETURN_ARM, 1)
}

/// Under a monitor: the services' breakdown and their returns are worth keeping.
pub const MONITORED: bool = true;

/// [`monitor_cycles`] as the exception being handled was delivered (services are timed from
/// there, `TrapFrame::entry_count`). Valid until the next exception is delivered: read it
/// before interrupts go on.
#[inline]
pub fn monitor_cycles_at_entry() -> super::MonitorCycles {
    super::MonitorCycles([rd(special::MON_TLB_AT), rd(special::MON_OTHER_AT)])
}

/// Sets virtual Compare.
pub fn set_compare(v: u32) {
    wr(special::COMPARE, v)
}

/// Enables the interrupt lines the kernel uses: IP2 (devices), IP3 (IPI), IP7 (timer).
pub fn enable_interrupt_lines() {
    set_status((status() & !0xFF00) | irq::DEVICE | irq::IPI | irq::TIMER);
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
    wr(special::ENTRYHI, hi);
    wr(special::ENTRYLO0, lo0);
    wr(special::ENTRYLO1, lo1);
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
    wr(special::ENTRYHI, (rd(special::ENTRYHI) & !0xFF) | (asid & 0xFF))
}

/// Drops the translation of `va` for `asid` (one monitor call instead of TLBP + TLBWI).
pub fn tlb_invalidate(va: u32, asid: u32) {
    call(MonitorCall::TlbInvalidate, va, asid, 0, 0);
}

/// Drops every non-wired TLB entry.
pub fn tlb_flush_all() {
    call(MonitorCall::TlbFlush, 0, 0, 0, 0);
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
    call(MonitorCall::ZeroPage, pa, 0, 0, 0);
}

// ---- Machine information ------------------------------------------------------------------------

/// Number of virtual CPUs.
pub fn cpu_count() -> usize {
    call(MonitorCall::Info, info::VCPUS, 0, 0, 0).0 as usize
}

/// Bytes of guest-physical memory.
pub fn memory_bytes() -> u32 {
    call(MonitorCall::Info, info::MEMORY_BYTES, 0, 0, 0).0
}

/// The VM is one node as far as the guest knows.
pub fn node_bytes() -> u32 {
    memory_bytes()
}

/// Clock in MHz.
pub fn clock_mhz() -> u32 {
    call(MonitorCall::Info, info::CLOCK_MHZ, 0, 0, 0).0
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
    call(MonitorCall::Info, info::DISKS, 0, 0, 0).0
}

// ---- Devices --------------------------------------------------------------------------------

/// Prints bytes on the VM's console (one monitor call per buffer).
pub fn console_write(bytes: &[u8]) {
    if !bytes.is_empty() {
        call(MonitorCall::ConsoleWrite, v2p(bytes.as_ptr() as u32), bytes.len() as u32, 0, 0);
    }
}

/// Takes one byte of console input, if any.
pub fn console_getc() -> Option<u8> {
    let mut b = 0u8;
    let (n, _) = call(MonitorCall::ConsoleRead, v2p(&mut b as *mut u8 as u32), 1, 0, 0);
    (n == 1).then_some(b)
}

/// Stops the VM with an exit code.
pub fn power_off(code: u32) -> ! {
    call(MonitorCall::PowerOff, code, 0, 0, 0);
    loop {
        idle();
    }
}

/// Raises an inter-processor interrupt on virtual CPU `cpu`.
pub fn send_ipi(cpu: usize) {
    call(MonitorCall::SendIpi, cpu as u32, 0, 0, 0);
}

/// Clears this virtual CPU's IPI.
pub fn ack_ipi() {
    call(MonitorCall::AckIpi, 0, 0, 0, 0);
}

/// Pending device interrupt sources (bit 0 console, 8 + k disk k).
pub fn device_pending() -> u32 {
    rd(special::PENDING)
}

/// Starts virtual CPU `cpu` at `pc` with stack pointer `sp` (and `$a0` = its number).
pub fn start_cpu(cpu: usize, pc: u32, sp: u32) {
    call(MonitorCall::StartVcpu, cpu as u32, pc, sp, 0);
}

/// Starts a transfer on virtual disk `unit` (guest-physical `pa`).
pub fn disk_start(unit: u32, sector: u32, pa: u32, count: u32, write: bool) {
    call(
        MonitorCall::DiskStart,
        unit,
        sector,
        pa,
        count | if write { mcall::DISK_WRITE } else { 0 },
    );
}

/// Virtual disk `unit`'s status: bit 0 busy, 1 done, 2 error.
pub fn disk_status(unit: u32) -> u32 {
    call(MonitorCall::DiskStatus, unit, 0, 0, 0).0
}

/// Virtual disk `unit`'s status, for a caller that will ask again until the request is done:
/// while it is not, the monitor takes the virtual CPU off its physical CPU until the disk
/// completes, instead of letting it spin through monitor calls.
pub fn disk_wait(unit: u32) -> u32 {
    call(MonitorCall::DiskWait, unit, 0, 0, 0).0
}

/// Acknowledges virtual disk `unit`'s completion.
pub fn disk_ack(unit: u32) {
    call(MonitorCall::DiskAck, unit, 0, 0, 0);
}

// ---- The virtual subnet (docs/monitor-abi.md) -------------------------------------------------

/// This VM's index and the number of VMs on the monitor: the virtual subnet's addresses.
pub fn net_info() -> Option<(u32, u32)> {
    Some((
        call(MonitorCall::Info, info::VM_ID, 0, 0, 0).0,
        call(MonitorCall::Info, info::VMS, 0, 0, 0).0,
    ))
}

/// Sends a frame: `header_len` bytes at physical `header`, `pages` whole pages at `payload`.
/// False if the monitor refused it.
pub fn net_send(header: u32, header_len: u32, payload: u32, pages: u32) -> bool {
    call(MonitorCall::NetSend, header, header_len, payload, pages).1 == 0
}

/// Arms the receive buffer for one frame. False if the monitor refused it.
pub fn net_recv(header: u32, header_room: u32, payload: u32, pages: u32) -> bool {
    call(MonitorCall::NetRecv, header, header_room, payload, pages).1 == 0
}

/// The interface's status (`abi::mcall::net`).
pub fn net_status() -> u32 {
    call(MonitorCall::NetStatus, 0, 0, 0, 0).0
}

/// Acknowledges the frame received (and its interrupt).
pub fn net_ack() {
    call(MonitorCall::NetAck, 0, 0, 0, 0);
}
