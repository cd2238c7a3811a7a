//! User-mode runner: runs a static MIPS32 Linux (o32) program the way `qemu-mipsel` does, so
//! the two can be compared instruction set against instruction set.
//!
//! The program runs in user mode on a real [`Cpu`]: its addresses go through the TLB, and
//! this module plays a tiny operating system with every exception reported to it:
//! - TLB refills and invalid-entry faults are served from the runner's page map (an entry pair
//!   written at the TLB's Random index, as a refill handler would), or become SIGSEGV;
//! - `syscall` is the o32 Linux ABI (number in `$v0`, arguments in `$a0..$a3` then the stack,
//!   result in `$v0`, error flag in `$a3`): write, writev, read, exit, exit_group, brk, mmap,
//!   munmap, set_thread_area and a few harmless ones;
//! - other exceptions become the signals qemu-mipsel delivers: SIGILL, SIGTRAP (every
//!   `break` and trap), SIGFPE (overflow), SIGBUS (address errors), SIGSEGV.
//!
//! Signals are reported with the host's (x86/generic Linux) numbers, because that is how a
//! qemu-mipsel process dies and how a shell shows it.

use std::collections::BTreeMap;

use mips::cp0::status;
use mips::flat::FlatMemory;
use mips::tlb::TlbEntry;
use mips::{Cpu, ExcCode, Exception, Exit, REPORT_ALL};
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader};

/// How a user program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `exit(code)` / `exit_group(code)`; the code is truncated to 0..=255 as a shell sees it.
    Exited(i32),
    /// Killed by a signal (host Linux numbering), as qemu-mipsel reports a fatal signal.
    Signaled(i32),
}

/// What a user program did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Bytes written to file descriptor 1.
    pub stdout: Vec<u8>,
    /// Bytes written to file descriptor 2.
    pub stderr: Vec<u8>,
    /// How it ended.
    pub status: Status,
    /// Instructions executed.
    pub instructions: u64,
}

/// Why a program could not be run at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserError {
    /// The image is not a loadable static MIPS32 little-endian ELF executable.
    BadImage(String),
    /// The program ran for more than the instruction limit.
    Timeout(u64),
}

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UserError::BadImage(why) => write!(f, "not a runnable MIPS program: {why}"),
            UserError::Timeout(n) => write!(f, "still running after {n} instructions"),
        }
    }
}

impl std::error::Error for UserError {}

/// Host signal numbers.
mod sig {
    pub const ILL: i32 = 4;
    pub const TRAP: i32 = 5;
    pub const ABRT: i32 = 6;
    pub const BUS: i32 = 7;
    pub const FPE: i32 = 8;
    pub const SEGV: i32 = 11;
}

/// MIPS Linux errno values the shim returns.
mod errno {
    pub const EBADF: u32 = 9;
    pub const ENOMEM: u32 = 12;
    pub const EFAULT: u32 = 14;
    pub const EINVAL: u32 = 22;
    pub const ENOTTY: u32 = 25;
    pub const ENOSYS: u32 = 89;
}

/// Physical memory of the simulated process.
const PHYS_BYTES: usize = 128 << 20;
/// Top of the initial stack (exclusive) and its size.
const STACK_TOP: u32 = 0x7FFF_0000;
const STACK_BYTES: u32 = 8 << 20;
/// Where anonymous mmap regions are placed, growing down.
const MMAP_TOP: u32 = 0x7700_0000;
/// Instructions per run slice between limit checks.
const SLICE: u64 = 1 << 20;

#[derive(Clone, Copy)]
struct Page {
    ppn: u32,
    writable: bool,
}

/// The process: its memory, page map and program break.
struct Process {
    mem: FlatMemory,
    pages: BTreeMap<u32, Page>,
    next_ppn: u32,
    brk_start: u32,
    brk: u32,
    mmap_next: u32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

enum Flow {
    Continue,
    Retry,
    End(Status),
}

impl Process {
    fn new() -> Process {
        Process {
            mem: FlatMemory::new(PHYS_BYTES),
            pages: BTreeMap::new(),
            next_ppn: 1,
            brk_start: 0,
            brk: 0,
            mmap_next: MMAP_TOP,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }

    /// Maps the virtual page `vpn` if it is not mapped (zero-filled), or widens its rights.
    fn map(&mut self, vpn: u32, writable: bool) -> Result<(), UserError> {
        if let Some(p) = self.pages.get_mut(&vpn) {
            p.writable |= writable;
            return Ok(());
        }
        if (self.next_ppn as usize + 1) * 4096 > PHYS_BYTES {
            return Err(UserError::BadImage("program needs more than 128 MB".into()));
        }
        self.pages.insert(vpn, Page { ppn: self.next_ppn, writable });
        self.next_ppn += 1;
        Ok(())
    }

    fn map_range(&mut self, start: u32, end: u32, writable: bool) -> Result<(), UserError> {
        if end > start {
            for vpn in start >> 12..=(end - 1) >> 12 {
                self.map(vpn, writable)?;
            }
        }
        Ok(())
    }

    /// Physical address of virtual address `va`, if mapped.
    fn phys(&self, va: u32) -> Option<u32> {
        self.pages.get(&(va >> 12)).map(|p| p.ppn << 12 | (va & 0xFFF))
    }

    fn copy_in(&mut self, va: u32, data: &[u8]) -> bool {
        for (i, b) in data.iter().enumerate() {
            let Some(pa) = self.phys(va.wrapping_add(i as u32)) else { return false };
            if !self.mem.load_bytes(pa, &[*b]) {
                return false;
            }
        }
        true
    }

    fn copy_out(&self, va: u32, len: u32) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len {
            let pa = self.phys(va.wrapping_add(i))?;
            out.push(*self.mem.slice(pa, 1)?.first()?);
        }
        Some(out)
    }

    fn read_word(&self, va: u32) -> Option<u32> {
        let b = self.copy_out(va, 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn load_elf(&mut self, image: &[u8]) -> Result<u32, UserError> {
        let bad = |why: &str| UserError::BadImage(why.to_string());
        let header = elf::FileHeader32::<object::LittleEndian>::parse(image)
            .map_err(|e| bad(&format!("ELF header: {e}")))?;
        let e = header.endian().map_err(|e| bad(&format!("ELF header: {e}")))?;
        if header.e_machine(e) != elf::EM_MIPS {
            return Err(bad("not a MIPS executable"));
        }
        if header.e_type(e) != elf::ET_EXEC {
            return Err(bad("not a static executable (ET_EXEC)"));
        }
        let phdrs =
            header.program_headers(e, image).map_err(|e| bad(&format!("program headers: {e}")))?;
        let mut top = 0u32;
        for ph in phdrs {
            match ph.p_type(e) {
                elf::PT_LOAD => {
                    let (va, memsz) = (ph.p_vaddr(e), ph.p_memsz(e));
                    let end = va.checked_add(memsz).filter(|&end| end <= 0x8000_0000);
                    let Some(end) = end else { return Err(bad("segment outside user space")) };
                    let data =
                        ph.data(e, image).map_err(|_| bad("segment data out of the file"))?;
                    if data.len() as u32 > memsz {
                        return Err(bad("segment file size exceeds its memory size"));
                    }
                    let writable = ph.p_flags(e) & elf::PF_W != 0;
                    self.map_range(va, end, writable)?;
                    if !self.copy_in(va, data) {
                        return Err(bad("segment does not fit"));
                    }
                    top = top.max(end);
                }
                elf::PT_INTERP | elf::PT_DYNAMIC => {
                    return Err(bad("dynamically linked; only static programs run here"));
                }
                _ => {}
            }
        }
        if top == 0 {
            return Err(bad("no loadable segment"));
        }
        self.brk_start = (top + 0xFFF) & !0xFFF;
        self.brk = self.brk_start;
        Ok(header.e_entry(e))
    }

    /// Builds the initial stack (argc, argv, envp, auxv) and returns the stack pointer.
    fn build_stack(&mut self, args: &[String]) -> Result<u32, UserError> {
        self.map_range(STACK_TOP - STACK_BYTES, STACK_TOP, true)?;
        let mut strings = Vec::new();
        let mut ptrs = Vec::new();
        let mut cursor = STACK_TOP - 4096;
        for a in args {
            ptrs.push(cursor);
            strings.extend_from_slice(a.as_bytes());
            strings.push(0);
            cursor += a.len() as u32 + 1;
        }
        if !self.copy_in(STACK_TOP - 4096, &strings) || strings.len() > 4000 {
            return Err(UserError::BadImage("arguments too long".into()));
        }
        // argc, argv..., NULL, envp NULL, AT_PAGESZ 4096, AT_NULL.
        let mut words = vec![args.len() as u32];
        words.extend(&ptrs);
        words.extend([0, 0, 6, 4096, 0, 0]);
        let sp = (STACK_TOP - 8192 - 4 * words.len() as u32) & !7;
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        self.copy_in(sp, &bytes);
        Ok(sp)
    }

    /// Serves a TLB miss or invalid fault at `va` by writing the entry pair around it.
    fn refill(&mut self, cpu: &mut Cpu, va: u32, store: bool) -> Flow {
        let vpn = va >> 12;
        match self.pages.get(&vpn) {
            None => return Flow::End(Status::Signaled(sig::SEGV)),
            Some(p) if store && !p.writable => return Flow::End(Status::Signaled(sig::SEGV)),
            Some(_) => {}
        }
        let lo = |p: Option<&Page>| match p {
            Some(p) => p.ppn << 6 | 3 << 3 | u32::from(p.writable) << 2 | 2,
            None => 0,
        };
        let even = vpn & !1;
        let entry = TlbEntry {
            hi: (even << 12) | u32::from(cpu.cp0.asid()),
            mask: 0,
            lo0: lo(self.pages.get(&even)),
            lo1: lo(self.pages.get(&(even + 1))),
        };
        let index = cpu.random() as usize;
        cpu.write_tlb_entry(index, entry);
        Flow::Retry
    }

    fn syscall(&mut self, cpu: &mut Cpu) -> Flow {
        let nr = cpu.gpr(2);
        let a = [cpu.gpr(4), cpu.gpr(5), cpu.gpr(6), cpu.gpr(7)];
        let result: Result<u32, u32> = match nr {
            4001 | 4246 => return Flow::End(Status::Exited((a[0] & 0xFF) as i32)),
            4003 => Ok(0),
            4004 => self.write(a[0], a[1], a[2]),
            4146 => self.writev(a[0], a[1], a[2]),
            4045 => Ok(self.set_brk(a[0])),
            // Anonymous memory only: address hint, protection, flags, fd and offset are ignored.
            4090 => self.mmap(a[1]),
            4091 => Ok(0),
            4283 => {
                cpu.cp0.user_local = a[0];
                Ok(0)
            }
            4054 => Err(errno::ENOTTY),
            4037 | 4238 | 4266 if a.contains(&6) => return Flow::End(Status::Signaled(sig::ABRT)),
            _ => Err(errno::ENOSYS),
        };
        match result {
            Ok(v) => {
                cpu.set_gpr(2, v);
                cpu.set_gpr(7, 0);
            }
            Err(e) => {
                cpu.set_gpr(2, e);
                cpu.set_gpr(7, 1);
            }
        }
        Flow::Continue
    }

    fn write(&mut self, fd: u32, buf: u32, len: u32) -> Result<u32, u32> {
        if fd != 1 && fd != 2 {
            return Err(errno::EBADF);
        }
        let data = self.copy_out(buf, len).ok_or(errno::EFAULT)?;
        if fd == 1 { &mut self.stdout } else { &mut self.stderr }.extend_from_slice(&data);
        Ok(len)
    }

    fn writev(&mut self, fd: u32, iov: u32, count: u32) -> Result<u32, u32> {
        if count > 1024 {
            return Err(errno::EINVAL);
        }
        let mut total = 0u32;
        for i in 0..count {
            let base = self.read_word(iov + 8 * i).ok_or(errno::EFAULT)?;
            let len = self.read_word(iov + 8 * i + 4).ok_or(errno::EFAULT)?;
            total = total.wrapping_add(self.write(fd, base, len)?);
        }
        Ok(total)
    }

    fn set_brk(&mut self, want: u32) -> u32 {
        if want >= self.brk_start
            && want < MMAP_TOP - (64 << 20)
            && self.map_range(self.brk, want, true).is_ok()
        {
            self.brk = want;
        }
        self.brk
    }

    fn mmap(&mut self, len: u32) -> Result<u32, u32> {
        let len = len.checked_add(0xFFF).ok_or(errno::ENOMEM)? & !0xFFF;
        if len == 0 {
            return Err(errno::EINVAL);
        }
        let start = self.mmap_next.checked_sub(len).ok_or(errno::ENOMEM)?;
        if start <= self.brk + (64 << 20) {
            return Err(errno::ENOMEM);
        }
        self.map_range(start, start + len, true).map_err(|_| errno::ENOMEM)?;
        self.mmap_next = start;
        Ok(start)
    }

    /// The signal Linux sends for an exception, or how the runner serves it.
    fn exception(&mut self, cpu: &mut Cpu, e: &Exception) -> Flow {
        let f = e.fault;
        match f.code {
            ExcCode::Sys => self.syscall(cpu),
            ExcCode::TlbL | ExcCode::TlbS => self.refill(cpu, f.vaddr, f.code == ExcCode::TlbS),
            ExcCode::Mod => Flow::End(Status::Signaled(sig::SEGV)),
            ExcCode::AdEL | ExcCode::AdES | ExcCode::Ibe | ExcCode::Dbe => {
                Flow::End(Status::Signaled(sig::BUS))
            }
            ExcCode::Ri | ExcCode::CpU => Flow::End(Status::Signaled(sig::ILL)),
            ExcCode::Ov => Flow::End(Status::Signaled(sig::FPE)),
            // qemu-mipsel sends SIGTRAP for every BREAK and trap code; Linux itself turns codes 6
            // and 7 (overflow, divide by zero) into SIGFPE. The runner follows qemu, its
            // reference.
            ExcCode::Bp | ExcCode::Tr => Flow::End(Status::Signaled(sig::TRAP)),
            ExcCode::Int => Flow::Retry,
        }
    }
}

/// Loads `image` (an ELF file's bytes), runs it with `args` (args[0] is the program name) for at
/// most `limit` instructions, and returns what it did.
pub fn run_elf(image: &[u8], args: &[String], limit: u64) -> Result<Outcome, UserError> {
    let mut p = Process::new();
    let entry = p.load_elf(image)?;
    let sp = p.build_stack(args)?;
    let mut cpu = Cpu::new(0, 64);
    cpu.set_report_mask(REPORT_ALL);
    // User mode, interrupts off, user-visible hardware registers enabled as Linux does.
    cpu.write_cp0(mips::cp0::reg::STATUS, 2 << 3 & status::KSU);
    cpu.cp0.hwrena = 0xF | 1 << 29;
    cpu.set_gpr(29, sp);
    cpu.set_pc(entry);
    loop {
        if cpu.instructions() >= limit {
            return Err(UserError::Timeout(limit));
        }
        let until = cpu.cycles() + SLICE.min(limit - cpu.instructions());
        match cpu.run(&mut p.mem, until) {
            Exit::Budget | Exit::Stopped => {}
            Exit::Exception(e) => match p.exception(&mut cpu, &e) {
                Flow::Continue => {}
                Flow::Retry => cpu.retry(&e),
                Flow::End(status) => {
                    return Ok(Outcome {
                        stdout: p.stdout,
                        stderr: p.stderr,
                        status,
                        instructions: cpu.instructions(),
                    });
                }
            },
        }
    }
}
