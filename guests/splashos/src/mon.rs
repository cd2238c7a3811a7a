//! The monitor interface SPLASHOS uses (docs/monitor-abi.md, in code the `abi` crate): monitor
//! calls (`syscall` with `$v0 = abi::mcall::TAG | n`), the special page of virtual privileged
//! registers, WAIT, and the supervisor segment through which all of guest-physical memory is
//! reached.

use core::ptr::{read_volatile, write_volatile};

use abi::mcall::{self, MonitorCall, info};
use abi::special;

/// Base of the supervisor segment: guest-physical address `p` is at `KSEG + p`. The monitor
/// maps it on demand, allocating a machine page on the faulting VCPU's node on first touch.
pub const KSEG: u32 = abi::segments::SSEG;

/// Where this VCPU's special page is (the same address for every VCPU and guest).
pub const SPECIAL: u32 = special::GUEST_VA;

/// Offsets of the special page's registers SPLASHOS uses.
pub mod reg {
    pub use abi::special::{BADVADDR, CAUSE, CPU, EBASE, EPC, STATUS};
}

/// Status.IM3: the inter-VCPU interrupt line (IP3). SPLASHOS keeps Status.IE clear — it takes no
/// interrupts — but an unmasked pending line ends a WAIT.
pub const STATUS_IM_IPI: u32 = abi::address_map::irq::IPI;

/// A monitor call: `(result, error)`; error 0 is success.
pub fn call(c: MonitorCall, a0: u32, a1: u32, a2: u32, a3: u32) -> (u32, u32) {
    let v0: u32;
    let v1: u32;
    // SAFETY: the monitor-call convention; the monitor changes only $v0 and $v1.
    unsafe {
        core::arch::asm!("syscall", inout("$2") mcall::v0(c) => v0, out("$3") v1,
            in("$4") a0, in("$5") a1, in("$6") a2, in("$7") a3);
    }
    (v0, v1)
}

fn result(r: (u32, u32)) -> Result<u32, u32> {
    if r.1 == 0 { Ok(r.0) } else { Err(r.1) }
}

/// Reads a register of the special page.
pub fn special_read(off: u32) -> u32 {
    // SAFETY: the monitor maps the special page for every VCPU.
    unsafe { read_volatile((SPECIAL + off) as *const u32) }
}

/// Writes a register of the special page.
pub fn special_write(off: u32, v: u32) {
    // SAFETY: as `special_read`.
    unsafe { write_volatile((SPECIAL + off) as *mut u32, v) }
}

/// The guest-physical address of a pointer into the supervisor segment (all SPLASHOS memory).
pub fn gpa<T>(p: *const T) -> u32 {
    (p as u32).wrapping_sub(KSEG)
}

/// This VCPU's index.
pub fn my_vcpu() -> usize {
    special_read(reg::CPU) as usize
}

/// The VM's VCPUs.
pub fn vcpus() -> usize {
    call(MonitorCall::Info, info::VCPUS, 0, 0, 0).0 as usize
}

/// The VM's memory, bytes.
pub fn memory_bytes() -> u32 {
    call(MonitorCall::Info, info::MEMORY_BYTES, 0, 0, 0).0
}

/// The clock, MHz.
pub fn clock_mhz() -> u32 {
    call(MonitorCall::Info, info::CLOCK_MHZ, 0, 0, 0).0
}

/// True if the VM has a disk.
pub fn has_disk() -> bool {
    call(MonitorCall::Info, info::DISKS, 0, 0, 0).0 != 0
}

/// Writes bytes on the VM's console.
pub fn console_write(bytes: &[u8]) {
    for chunk in bytes.chunks(mcall::CONSOLE_MAX as usize) {
        call(MonitorCall::ConsoleWrite, gpa(chunk.as_ptr()), chunk.len() as u32, 0, 0);
    }
}

/// Powers the VM off with `code`.
pub fn power_off(code: u32) -> ! {
    call(MonitorCall::PowerOff, code, 0, 0, 0);
    loop {
        core::hint::spin_loop();
    }
}

/// Starts VCPU `which` at `pc` with `$sp` = `sp` and `$a0` = its index.
pub fn start_vcpu(which: usize, pc: u32, sp: u32) -> Result<(), u32> {
    result(call(MonitorCall::StartVcpu, which as u32, pc, sp, 0)).map(|_| ())
}

/// Raises the inter-VCPU interrupt line of VCPU `which`.
pub fn send_ipi(which: usize) {
    call(MonitorCall::SendIpi, which as u32, 0, 0, 0);
}

/// Clears this VCPU's inter-VCPU interrupt line.
pub fn ack_ipi() {
    call(MonitorCall::AckIpi, 0, 0, 0, 0);
}

/// WAIT: the monitor takes this VCPU off its physical CPU until an unmasked interrupt line is
/// pending (here: an IPI), unless one already is.
pub fn wait() {
    // SAFETY: a privileged instruction, emulated by the monitor.
    unsafe { core::arch::asm!("wait") };
}

/// The virtual Count register (advances every other cycle); MFC0 traps, so it is exact.
pub fn count() -> u32 {
    let v: u32;
    // SAFETY: a privileged instruction, emulated by the monitor.
    unsafe { core::arch::asm!("mfc0 $8, $9", out("$8") v) };
    v
}

/// Starts a transfer of `sectors` 512-byte sectors from sector `sector` of disk 0 into
/// guest-physical `pa` (512-byte aligned).
pub fn disk_read_start(sector: u32, pa: u32, sectors: u32) -> Result<(), u32> {
    result(call(MonitorCall::DiskStart, 0, sector, pa, sectors)).map(|_| ())
}

/// Disk 0's status (bit 0 busy, 1 done, 2 error); deschedules this VCPU while a request is in
/// flight.
pub fn disk_wait() -> u32 {
    call(MonitorCall::DiskWait, 0, 0, 0, 0).0
}

/// Acknowledges disk 0's completion.
pub fn disk_ack() {
    call(MonitorCall::DiskAck, 0, 0, 0, 0);
}
