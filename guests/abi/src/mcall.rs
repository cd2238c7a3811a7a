//! Monitor calls (docs/monitor-abi.md): a `syscall` executed by a guest kernel in supervisor
//! mode with `$v0 = TAG | n`, arguments in `$a0..$a3`; the monitor answers with the result in
//! `$v0` and 0 or an [`Error`] in `$v1`. From guest user mode, `syscall` is the guest's own
//! system call.

/// The high half of `$v0` that marks a monitor call.
pub const TAG: u32 = 0xD15C_0000;

/// `$v0` for call `c`.
#[inline]
pub const fn v0(c: MonitorCall) -> u32 {
    TAG | c as u32
}

/// Is `$v0` a monitor call's (whatever its number)?
#[inline]
pub const fn is_monitor_call(v0: u32) -> bool {
    v0 & 0xFFFF_0000 == TAG
}

/// A monitor call, by number (the low half of `$v0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum MonitorCall {
    /// `(guest-physical address, length)` → bytes written to the VM's console.
    ConsoleWrite = 1,
    /// `(guest-physical address, length)` → bytes of console input read (0 if none).
    ConsoleRead = 2,
    /// `(exit code)`: the VM stops; does not return.
    PowerOff = 3,
    /// `(which: an [`info`] selector)` → the value.
    Info = 4,
    /// `(VCPU, pc, sp)` → 0; the VCPU starts at pc with `$sp` and `$a0` = its index.
    StartVcpu = 5,
    /// `(VCPU)` → 0; raises IP3 on that VCPU.
    SendIpi = 6,
    /// `()` → 0; clears this VCPU's IP3.
    AckIpi = 7,
    /// `(unit, sector, guest-physical address, sectors | bit 31 for a write)` → 0; completes
    /// with device source 8 + unit on IP2.
    DiskStart = 8,
    /// `(unit)` → status: bit 0 busy, 1 done, 2 error.
    DiskStatus = 9,
    /// `(unit)` → 0; clears done and error.
    DiskAck = 10,
    /// `(guest-physical page address)` → 0; the page now reads as zeros.
    ZeroPage = 11,
    /// `(guest-physical page address)` → 0; the guest will not use the page until it
    /// allocates it again.
    FreePage = 12,
    /// `()` → 0; every non-wired virtual TLB entry and the monitor's cached translations of
    /// this VCPU are dropped.
    TlbFlush = 13,
    /// `(virtual address, ASID)` → 0; drops the translation of that page for that ASID.
    TlbInvalidate = 14,
    /// `(unit)` → as [`MonitorCall::DiskStatus`]; while the request is in progress the VCPU
    /// is descheduled until it completes, whatever its interrupt mask.
    DiskWait = 15,
    /// `(header gpa, header bytes, payload gpa, payload pages)` → 0; sends one frame on the
    /// virtual subnet (`crates/monitor/src/vnet.rs`): the header's first 6 bytes name the
    /// destination MAC (the monitor writes the sender's MAC into bytes 6..12), the payload is
    /// `payload pages` × 4 KB (0 for none).
    NetSend = 16,
    /// `(header gpa, header room, payload gpa, payload room in pages)` → 0; arms the receive
    /// buffer for one frame ([`Error::Busy`] while a received frame is not yet acknowledged).
    NetRecv = 17,
    /// `()` → the receive status: [`net::RECEIVED`], [`net::ARMED`], [`net::TRUNCATED`], the
    /// pages received at [`net::PAGES_SHIFT`] and the header bytes at [`net::HEADER_SHIFT`].
    NetStatus = 18,
    /// `()` → 0; clears the received frame (and its interrupt).
    NetAck = 19,
    /// `()` → as [`MonitorCall::NetStatus`]; while the buffer is armed and empty, the VCPU is
    /// descheduled until a frame arrives, whatever its interrupt mask.
    NetWait = 20,
}

impl MonitorCall {
    /// Every call, by number order.
    pub const ALL: [MonitorCall; 20] = [
        MonitorCall::ConsoleWrite,
        MonitorCall::ConsoleRead,
        MonitorCall::PowerOff,
        MonitorCall::Info,
        MonitorCall::StartVcpu,
        MonitorCall::SendIpi,
        MonitorCall::AckIpi,
        MonitorCall::DiskStart,
        MonitorCall::DiskStatus,
        MonitorCall::DiskAck,
        MonitorCall::ZeroPage,
        MonitorCall::FreePage,
        MonitorCall::TlbFlush,
        MonitorCall::TlbInvalidate,
        MonitorCall::DiskWait,
        MonitorCall::NetSend,
        MonitorCall::NetRecv,
        MonitorCall::NetStatus,
        MonitorCall::NetAck,
        MonitorCall::NetWait,
    ];

    /// Its name in docs/monitor-abi.md.
    pub const fn name(self) -> &'static str {
        match self {
            MonitorCall::ConsoleWrite => "console_write",
            MonitorCall::ConsoleRead => "console_read",
            MonitorCall::PowerOff => "power_off",
            MonitorCall::Info => "info",
            MonitorCall::StartVcpu => "start_vcpu",
            MonitorCall::SendIpi => "send_ipi",
            MonitorCall::AckIpi => "ack_ipi",
            MonitorCall::DiskStart => "disk_start",
            MonitorCall::DiskStatus => "disk_status",
            MonitorCall::DiskAck => "disk_ack",
            MonitorCall::ZeroPage => "zero_page",
            MonitorCall::FreePage => "free_page",
            MonitorCall::TlbFlush => "tlb_flush",
            MonitorCall::TlbInvalidate => "tlb_invalidate",
            MonitorCall::DiskWait => "disk_wait",
            MonitorCall::NetSend => "net_send",
            MonitorCall::NetRecv => "net_recv",
            MonitorCall::NetStatus => "net_status",
            MonitorCall::NetAck => "net_ack",
            MonitorCall::NetWait => "net_wait",
        }
    }
}

impl TryFrom<u32> for MonitorCall {
    /// The number, which names no call: the monitor answers [`Error::NoCall`].
    type Error = u32;

    fn try_from(n: u32) -> Result<MonitorCall, u32> {
        match n {
            1..=20 => Ok(MonitorCall::ALL[n as usize - 1]),
            _ => Err(n),
        }
    }
}

/// Why a monitor call failed (`$v1`; 0 is success). A failed call changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Error {
    /// No such call.
    NoCall = 1,
    /// A bad argument.
    BadArg = 2,
    /// An address outside the VM's memory.
    BadAddress = 3,
    /// The device is busy.
    Busy = 4,
}

impl Error {
    /// The code in `$v1` → the error (`None` for 0, success, or an unknown code).
    pub const fn from_code(code: u32) -> Option<Error> {
        match code {
            1 => Some(Error::NoCall),
            2 => Some(Error::BadArg),
            3 => Some(Error::BadAddress),
            4 => Some(Error::Busy),
            _ => None,
        }
    }
}

/// Selectors of [`MonitorCall::Info`].
pub mod info {
    /// The VM's VCPUs.
    pub const VCPUS: u32 = 0;
    /// Its memory, bytes.
    pub const MEMORY_BYTES: u32 = 1;
    /// The clock, MHz.
    pub const CLOCK_MHZ: u32 = 2;
    /// Virtual disks (0 or 1).
    pub const DISKS: u32 = 3;
    /// The calling VCPU's index.
    pub const THIS_VCPU: u32 = 4;
    /// The VM's index (its MAC on the virtual subnet is [`super::net::mac`] of it).
    pub const VM_ID: u32 = 5;
    /// VMs on the monitor.
    pub const VMS: u32 = 6;
}

/// The virtual subnet's frame layout and status bits ([`MonitorCall::NetSend`] ...).
pub mod net {
    /// Bytes of the Ethernet-style link header: destination MAC, source MAC, type.
    pub const LINK_HEADER: u32 = 14;
    /// Largest header of a frame, bytes.
    pub const MAX_HEADER: u32 = 4096;
    /// Most payload pages in one frame (the subnet has no MTU; this bounds one call's work).
    pub const MAX_PAGES: u32 = 255;
    /// The broadcast MAC: every other VM receives the frame.
    pub const BROADCAST: [u8; 6] = [0xFF; 6];
    /// Status: a frame was received (and its interrupt is pending until acknowledged).
    pub const RECEIVED: u32 = 1;
    /// Status: the receive buffer is armed.
    pub const ARMED: u32 = 2;
    /// Status: the frame was larger than the buffer (header or payload cut).
    pub const TRUNCATED: u32 = 4;
    /// Status: payload pages received, at this shift (8 bits).
    pub const PAGES_SHIFT: u32 = 8;
    /// Status: header bytes received, at this shift (16 bits).
    pub const HEADER_SHIFT: u32 = 16;

    /// The MAC of VM `vm`: locally administered, `02:D1:5C:00:hi:lo`.
    pub const fn mac(vm: u32) -> [u8; 6] {
        [0x02, 0xD1, 0x5C, 0x00, (vm >> 8) as u8, vm as u8]
    }

    /// The VM a MAC names, if it is one of [`mac`]'s.
    pub fn vm_of(mac: &[u8]) -> Option<u32> {
        match mac {
            [0x02, 0xD1, 0x5C, 0x00, hi, lo] => Some(u32::from(*hi) << 8 | u32::from(*lo)),
            _ => None,
        }
    }
}

/// `sectors` argument of [`MonitorCall::DiskStart`]: this bit makes the request a write.
pub const DISK_WRITE: u32 = 1 << 31;
/// Most sectors in one [`MonitorCall::DiskStart`].
pub const DISK_MAX_SECTORS: u32 = 1024;
/// Largest [`MonitorCall::ConsoleWrite`] or read, bytes.
pub const CONSOLE_MAX: u32 = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_unknown_numbers_are_refused() {
        for c in MonitorCall::ALL {
            assert_eq!(MonitorCall::try_from(c as u32), Ok(c));
            assert!(is_monitor_call(v0(c)));
        }
        for n in [0, 21, 0xFFFF, u32::MAX] {
            assert_eq!(MonitorCall::try_from(n), Err(n));
        }
        assert!(!is_monitor_call(4004));
    }

    #[test]
    fn error_codes_round_trip() {
        for e in [Error::NoCall, Error::BadArg, Error::BadAddress, Error::Busy] {
            assert_eq!(Error::from_code(e as u32), Some(e));
        }
        assert_eq!(Error::from_code(0), None);
    }
}
