//! Test harness for the monitor's unit tests: a few supervisor-mode instructions, assembled with
//! `mips::asm`, run as the "kernel" of one VM on a small machine.
//!
//! The kernel is a tiny ELF32 MIPS little-endian image built here from the assembled words (the
//! monitor loads ELF only). Its one segment starts at the supervisor segment's base, so
//! guest-physical address `p` holds image byte `p`:
//!
//! | guest-physical | guest virtual | what |
//! |---|---|---|
//! | 0x0000 | [`EBASE`] | exception vectors: default handlers at [`REFILL`], [`GENERAL`], [`INTERRUPT`] |
//! | 0x1000 | [`CODE`] | the test's code (VCPU 0 starts here) |
//! | 0x2000 | [`CODE2`] | more code (another VCPU's, a test's own handler) |
//! | 0x4000 | [`USER`] page | code or data a test maps at a user address |
//! | 0x5000 | [`SPARE`] | a test's own vectors or handlers |
//! | 0x6000 | [`DATA`] | results: word `k` at `DATA + 4k` ([`Code::result`], [`Guest::result`]) |
//! | 0x7000 | [`RECORD`] | what the default handlers saw (see [`Record`]) |
//!
//! Pages from [`IMAGE_END`] up are untouched until the test touches them. A default handler
//! records the special page's Cause, EPC, BadVAddr, Status, Context and EntryHi, then powers the
//! VM off with [`EXIT_REFILL`], [`EXIT_GENERAL`] or [`EXIT_INTERRUPT`]; test code ends with
//! [`Code::power_off`]`(`[`EXIT_OK`]`)`.
//!
//! [`Guest`] runs the machine with an owner that forwards to the monitor and checks the
//! monitor's invariants after every trap and quantum (the monitor checks them itself only in
//! debug builds; these tests run in release), and every run asserts that none broke.
#![allow(dead_code)]

use abi::mcall::MonitorCall;
use machine::{Machine, MachineConfig, MachineEvent, Owner, Stop};
use mips::Exception;
use mips::asm::{self, AT, K0, K1, V0};
use monitor::Monitor;
use monitor::config::{MonitorConfig, VmSpec};
use monitor::ids::{Gppn, VcpuId, VmId};
use monitor::special_page::off;
use monitor::stats::VmStats;
use monitor::vcpu::Vcpu;
use monitor::vm::Vm;

/// The supervisor segment: guest-physical `p` is at `SSEG + p`.
pub const SSEG: u32 = 0xC000_0000;
/// The guest's exception base (guest-physical 0).
pub const EBASE: u32 = SSEG;
/// TLB refill vector (EBase + 0).
pub const REFILL: u32 = EBASE;
/// General exception vector (EBase + 0x180).
pub const GENERAL: u32 = EBASE + 0x180;
/// Interrupt vector with Cause.IV (EBase + 0x200).
pub const INTERRUPT: u32 = EBASE + 0x200;
/// The test's code, and VCPU 0's entry point.
pub const CODE: u32 = SSEG + 0x1000;
/// More code.
pub const CODE2: u32 = SSEG + 0x2000;
/// A page for tests to map at a user address.
pub const USER: u32 = SSEG + 0x4000;
/// A page for a test's own vectors or handlers.
pub const SPARE: u32 = SSEG + 0x5000;
/// Results.
pub const DATA: u32 = SSEG + 0x6000;
/// The default handlers' records.
pub const RECORD: u32 = SSEG + 0x7000;
/// End of the image (guest-physical): pages above are never touched before the test does.
pub const IMAGE_END: u32 = 0x8000;
/// The special page (docs/monitor-abi.md).
pub const SPECIAL: u32 = abi::special::GUEST_VA;

/// Exit code of test code that ran to its end.
pub const EXIT_OK: u32 = 0;
/// Exit code of the default TLB-refill handler.
pub const EXIT_REFILL: u32 = 0xEE00;
/// Exit code of the default general-exception handler.
pub const EXIT_GENERAL: u32 = 0xEE01;
/// Exit code of the default interrupt handler (Cause.IV).
pub const EXIT_INTERRUPT: u32 = 0xEE02;

/// Cycles a run may take before the test gives up.
pub const BUDGET: u64 = 5_000_000;

/// CP0 register numbers (rd) for `asm::mfc0` / `asm::mtc0`.
pub mod cp0 {
    pub const INDEX: u32 = 0;
    pub const RANDOM: u32 = 1;
    pub const ENTRY_LO0: u32 = 2;
    pub const ENTRY_LO1: u32 = 3;
    pub const CONTEXT: u32 = 4;
    pub const PAGE_MASK: u32 = 5;
    pub const WIRED: u32 = 6;
    pub const BAD_VADDR: u32 = 8;
    pub const COUNT: u32 = 9;
    pub const ENTRY_HI: u32 = 10;
    pub const COMPARE: u32 = 11;
    pub const STATUS: u32 = 12;
    pub const CAUSE: u32 = 13;
    pub const EPC: u32 = 14;
    /// PRId (sel 0) and EBase (sel 1).
    pub const PRID_EBASE: u32 = 15;
    /// Config (sel 0), Config1 (sel 1) ...
    pub const CONFIG: u32 = 16;
    pub const ERROR_EPC: u32 = 30;
}

/// Status bits, from the MIPS32 privileged architecture.
pub mod st {
    pub const IE: u32 = 1;
    pub const EXL: u32 = 1 << 1;
    pub const ERL: u32 = 1 << 2;
    pub const KSU_SUPERVISOR: u32 = 1 << 3;
    pub const KSU_USER: u32 = 2 << 3;
    /// IM0..IM7 (bits 8..15): IM0 = 1 << 8, IM7 = 1 << 15.
    pub const fn im(line: u32) -> u32 {
        1 << (8 + line)
    }
}

/// ExcCode values (Cause bits 6..2).
pub mod exc {
    pub const INT: u32 = 0;
    pub const MOD: u32 = 1;
    pub const TLBL: u32 = 2;
    pub const TLBS: u32 = 3;
    pub const SYS: u32 = 8;
    pub const BP: u32 = 9;
    pub const CPU: u32 = 11;
}

/// ExcCode of a Cause value.
pub fn exc_code(cause: u32) -> u32 {
    (cause >> 2) & 0x1F
}

/// Cause.BD.
pub const BD: u32 = 1 << 31;

/// An EntryLo: `gppn` as the guest's PFN, cacheable (C = 3), with D, V and G as given.
pub fn entry_lo(gppn: u32, d: bool, v: bool, g: bool) -> u32 {
    gppn << 6 | 3 << 3 | u32::from(d) << 2 | u32::from(v) << 1 | u32::from(g)
}

// ---- Code -----------------------------------------------------------------------------------

/// Instructions being assembled at a known guest virtual address.
#[derive(Clone, Debug)]
pub struct Code {
    base: u32,
    words: Vec<u32>,
}

/// A `li` whose value is filled in later (a forward reference).
#[derive(Clone, Copy, Debug)]
pub struct Patch(usize);

impl Code {
    /// Code at `base` that first points the VCPU's EBase (in its special page) at the harness's
    /// vectors: a VCPU starts with EBase = kseg0, which supervisor mode cannot reach.
    pub fn at(base: u32) -> Code {
        let mut c = Code { base, words: Vec::new() };
        c.li(K0, EBASE);
        c.special_sw(K0, off::EBASE);
        c
    }

    /// [`Code::at`] [`CODE`]: VCPU 0's code.
    pub fn new() -> Code {
        Code::at(CODE)
    }

    /// Code at `base` with nothing before it (a handler).
    pub fn bare(base: u32) -> Code {
        Code { base, words: Vec::new() }
    }

    /// Where the code starts.
    pub fn base(&self) -> u32 {
        self.base
    }

    /// The address of the next instruction.
    pub fn here(&self) -> u32 {
        self.base + 4 * self.words.len() as u32
    }

    /// Appends one instruction; its address.
    pub fn push(&mut self, w: u32) -> u32 {
        let at = self.here();
        self.words.push(w);
        at
    }

    /// Appends instructions; the address of the first.
    pub fn extend(&mut self, ws: impl IntoIterator<Item = u32>) -> u32 {
        let at = self.here();
        self.words.extend(ws);
        at
    }

    /// The words.
    pub fn words(&self) -> &[u32] {
        &self.words
    }

    /// `r = v` (always two instructions, so addresses are easy to count).
    pub fn li(&mut self, r: u32, v: u32) {
        self.push(asm::lui(r, (v >> 16) as u16));
        self.push(asm::ori(r, r, v as u16));
    }

    /// `r = ?`, filled in by [`Code::patch`].
    pub fn li_later(&mut self, r: u32) -> Patch {
        let p = Patch(self.words.len());
        self.li(r, 0);
        p
    }

    /// Fills in a [`Code::li_later`].
    pub fn patch(&mut self, p: Patch, v: u32) {
        self.words[p.0] = (self.words[p.0] & 0xFFFF_0000) | (v >> 16);
        self.words[p.0 + 1] = (self.words[p.0 + 1] & 0xFFFF_0000) | (v & 0xFFFF);
    }

    /// MTC0 of a constant (through `tmp`).
    pub fn mtc0_imm(&mut self, tmp: u32, reg: u32, sel: u32, v: u32) {
        self.li(tmp, v);
        self.push(asm::mtc0(tmp, reg, sel));
    }

    /// Writes TLB entry `index` (PageMask 0) with TLBWI (clobbers `$t0`; leaves EntryHi =
    /// `hi`).
    pub fn tlbwi(&mut self, index: u32, hi: u32, lo0: u32, lo1: u32) {
        self.mtc0_imm(asm::T0, cp0::ENTRY_HI, 0, hi);
        self.mtc0_imm(asm::T0, cp0::ENTRY_LO0, 0, lo0);
        self.mtc0_imm(asm::T0, cp0::ENTRY_LO1, 0, lo1);
        self.push(asm::mtc0(asm::ZERO, cp0::PAGE_MASK, 0));
        self.mtc0_imm(asm::T0, cp0::INDEX, 0, index);
        self.push(asm::tlbwi());
    }

    /// Stores `r` as result `k` (clobbers `$at`).
    pub fn result(&mut self, r: u32, k: u32) {
        self.push(asm::lui(AT, (DATA >> 16) as u16));
        self.push(asm::sw(r, data_off(k), AT));
    }

    /// Loads result `k` into `r` (clobbers `$at`).
    pub fn load_result(&mut self, r: u32, k: u32) {
        self.push(asm::lui(AT, (DATA >> 16) as u16));
        self.push(asm::lw(r, data_off(k), AT));
    }

    /// Loads a special-page register with a plain load (clobbers `$at`).
    pub fn special_lw(&mut self, r: u32, offset: u32) {
        self.push(asm::lui(AT, (abi::segments::KSEG3 >> 16) as u16));
        self.push(asm::lw(r, special_off(offset), AT));
    }

    /// Stores a special-page register with a plain store (clobbers `$at`).
    pub fn special_sw(&mut self, r: u32, offset: u32) {
        self.push(asm::lui(AT, (abi::segments::KSEG3 >> 16) as u16));
        self.push(asm::sw(r, special_off(offset), AT));
    }

    /// A monitor call with up to three arguments (`$v0` = tag | n; `$a0..$a2`).
    pub fn mcall(&mut self, c: MonitorCall, args: &[u32]) {
        for (k, &a) in args.iter().enumerate() {
            self.li(asm::A0 + k as u32, a);
        }
        self.li(V0, abi::mcall::v0(c));
        self.push(asm::syscall(0));
        self.push(asm::nop());
    }

    /// Powers the VM off with `code`.
    pub fn power_off(&mut self, code: u32) {
        self.mcall(MonitorCall::PowerOff, &[code]);
        // Never reached: power_off does not return.
        self.push(asm::b(-1));
        self.push(asm::nop());
    }

    /// Spins until result `k` is non-zero (clobbers `r` and `$at`).
    pub fn wait_for_result(&mut self, r: u32, k: u32) {
        self.load_result(r, k);
        self.push(asm::beq(r, asm::ZERO, -3));
        self.push(asm::nop());
    }

    /// Spins for `n` iterations of a three-instruction loop (clobbers `r`).
    pub fn delay(&mut self, r: u32, n: u16) {
        self.li(r, u32::from(n));
        self.push(asm::addiu(r, r, -1));
        self.push(asm::bne(r, asm::ZERO, -2));
        self.push(asm::nop());
    }
}

impl Default for Code {
    fn default() -> Self {
        Code::new()
    }
}

fn data_off(k: u32) -> i16 {
    assert!(k < 1024, "result {k} is outside the data page");
    (DATA & 0xFFFF) as i16 + 4 * k as i16
}

fn special_off(offset: u32) -> i16 {
    abi::special::FROM_TOP as i16 + offset as i16
}

// ---- Kernel image ---------------------------------------------------------------------------

/// Which default handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vector {
    /// EBase + 0.
    Refill,
    /// EBase + 0x180.
    General,
    /// EBase + 0x200.
    Interrupt,
}

impl Vector {
    fn slot(self) -> u32 {
        self as u32
    }

    fn address(self) -> u32 {
        match self {
            Vector::Refill => REFILL,
            Vector::General => GENERAL,
            Vector::Interrupt => INTERRUPT,
        }
    }

    fn exit(self) -> u32 {
        EXIT_REFILL + self.slot()
    }
}

/// A default handler: records the special page's registers at [`RECORD`] (slot `v`), powers
/// the VM off with the vector's exit code. At most 32 words (the general vector's room before
/// the interrupt vector).
fn default_handler(v: Vector) -> Code {
    let mut c = Code::bare(v.address());
    c.push(asm::lui(K0, (abi::segments::KSEG3 >> 16) as u16));
    c.push(asm::lui(AT, (RECORD >> 16) as u16));
    let base = (RECORD & 0xFFFF) + v.slot() * 0x40;
    for (k, reg) in Record::FIELDS.iter().enumerate() {
        c.push(asm::lw(K1, special_off(*reg), K0));
        c.push(asm::sw(K1, (base + 4 * k as u32) as i16, AT));
    }
    c.push(asm::addiu(K1, asm::ZERO, 1));
    c.push(asm::sw(K1, (base + 0x3C) as i16, AT));
    c.li(asm::A0, v.exit());
    c.li(V0, abi::mcall::v0(MonitorCall::PowerOff));
    c.push(asm::syscall(0));
    assert!(c.words().len() <= 32, "default handler too long");
    c
}

/// The kernel's memory image, guest-physical 0..[`IMAGE_END`].
#[derive(Clone)]
pub struct Kernel {
    image: Vec<u8>,
    entry: u32,
}

impl Kernel {
    /// The default handlers and `main` (which must start at [`CODE`], the entry point).
    pub fn new(main: &Code) -> Kernel {
        assert_eq!(main.base(), CODE, "VCPU 0 starts at CODE");
        let mut k = Kernel { image: vec![0; IMAGE_END as usize], entry: CODE };
        for v in [Vector::Refill, Vector::General, Vector::Interrupt] {
            k.put(&default_handler(v));
        }
        k.put(main);
        k
    }

    /// Places `code` at its address (replacing what was there).
    pub fn put(&mut self, code: &Code) -> &mut Kernel {
        self.put_words(code.base(), code.words())
    }

    /// Places words at guest virtual address `va` (in the image).
    pub fn put_words(&mut self, va: u32, words: &[u32]) -> &mut Kernel {
        let start = (va - SSEG) as usize;
        let end = start + 4 * words.len();
        assert!(end <= self.image.len(), "{va:#x}+{} is outside the image", 4 * words.len());
        for (k, w) in words.iter().enumerate() {
            self.image[start + 4 * k..start + 4 * k + 4].copy_from_slice(&w.to_le_bytes());
        }
        self
    }

    /// The image as an ELF file.
    pub fn elf(&self) -> Vec<u8> {
        elf32_mips_le(self.entry, SSEG, &self.image)
    }
}

/// A minimal ELF32 little-endian MIPS executable: the 52-byte file header, one 32-byte PT_LOAD
/// program header, and the segment at file offset 0x1000 (so that offset and address agree
/// modulo the page size, as loaders expect). No section headers: a loader needs none.
pub fn elf32_mips_le(entry: u32, vaddr: u32, segment: &[u8]) -> Vec<u8> {
    const EHSIZE: u16 = 52;
    const PHENTSIZE: u16 = 32;
    const DATA_OFFSET: u32 = 0x1000;
    let mut f = Vec::with_capacity(DATA_OFFSET as usize + segment.len());
    // e_ident: magic, ELFCLASS32, ELFDATA2LSB, EV_CURRENT, System V ABI, padding.
    f.extend_from_slice(&[0x7F, b'E', b'L', b'F', 1, 1, 1, 0]);
    f.extend_from_slice(&[0; 8]);
    let u16le = |f: &mut Vec<u8>, v: u16| f.extend_from_slice(&v.to_le_bytes());
    let u32le = |f: &mut Vec<u8>, v: u32| f.extend_from_slice(&v.to_le_bytes());
    u16le(&mut f, 2); // e_type: ET_EXEC
    u16le(&mut f, 8); // e_machine: EM_MIPS
    u32le(&mut f, 1); // e_version
    u32le(&mut f, entry); // e_entry
    u32le(&mut f, u32::from(EHSIZE)); // e_phoff: right after this header
    u32le(&mut f, 0); // e_shoff: no section headers
    u32le(&mut f, 0x7000_1000); // e_flags: EF_MIPS_ARCH_32R2 | EF_MIPS_ABI_O32
    u16le(&mut f, EHSIZE); // e_ehsize
    u16le(&mut f, PHENTSIZE); // e_phentsize
    u16le(&mut f, 1); // e_phnum
    u16le(&mut f, 40); // e_shentsize
    u16le(&mut f, 0); // e_shnum
    u16le(&mut f, 0); // e_shstrndx
    assert_eq!(f.len(), usize::from(EHSIZE));
    let size = segment.len() as u32;
    u32le(&mut f, 1); // p_type: PT_LOAD
    u32le(&mut f, DATA_OFFSET); // p_offset
    u32le(&mut f, vaddr); // p_vaddr
    u32le(&mut f, vaddr - SSEG); // p_paddr (guest-physical)
    u32le(&mut f, size); // p_filesz
    u32le(&mut f, size); // p_memsz
    u32le(&mut f, 7); // p_flags: R | W | X
    u32le(&mut f, 0x1000); // p_align
    f.resize(DATA_OFFSET as usize, 0);
    f.extend_from_slice(segment);
    f
}

// ---- Running ---------------------------------------------------------------------------------

/// The machine and the VM.
#[derive(Clone, Debug)]
pub struct Setup {
    /// The machine.
    pub machine: MachineConfig,
    /// The VM's virtual CPUs.
    pub vcpus: u32,
    /// The VM's memory.
    pub memory_mb: u32,
    /// The monitor's settings (`check_invariants` is always set).
    pub monitor: MonitorConfig,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            machine: MachineConfig::flash(1, 1),
            vcpus: 1,
            memory_mb: 4,
            monitor: MonitorConfig::default(),
        }
    }
}

impl Setup {
    /// `nodes` × `cpus_per_node` CPUs, `vcpus` virtual CPUs, VCPUs kept on their home CPUs
    /// (no stealing) so that placement is predictable.
    pub fn smp(nodes: u32, cpus_per_node: u32, vcpus: u32) -> Setup {
        Setup {
            machine: MachineConfig::flash(nodes, cpus_per_node),
            vcpus,
            monitor: MonitorConfig { steal: false, ..MonitorConfig::default() },
            ..Setup::default()
        }
    }
}

/// A VM of one test kernel on its machine.
pub struct Guest {
    pub m: Machine,
    pub mon: Monitor,
    /// The first broken invariant seen by [`Checked`].
    broken: Option<String>,
}

/// The monitor as the machine's owner, with its invariants checked after every trap and
/// quantum.
struct Checked<'a> {
    mon: &'a mut Monitor,
    broken: &'a mut Option<String>,
}

impl Checked<'_> {
    fn check(&mut self, m: &Machine, after: &str) {
        if self.broken.is_none()
            && let Err(e) = self.mon.check_invariants(m)
        {
            *self.broken = Some(format!("after {after} at cycle {}: {e}", m.now()));
        }
    }
}

impl Owner for Checked<'_> {
    fn exception(&mut self, m: &mut Machine, cpu: usize, e: Exception) {
        self.mon.exception(m, cpu, e);
        self.check(m, "a trap");
    }

    fn event(&mut self, m: &mut Machine, e: MachineEvent) {
        self.mon.event(m, e);
    }

    fn quantum(&mut self, m: &mut Machine) {
        self.mon.quantum(m);
        self.check(m, "a quantum");
    }
}

impl Guest {
    /// Boots `kernel` as VM 0 of a machine set up as `s`.
    pub fn boot(kernel: &Kernel, s: Setup) -> Guest {
        let mut m = Machine::new(s.machine, Vec::new()).expect("machine");
        let spec =
            VmSpec { name: "test".into(), vcpus: s.vcpus, memory_mb: s.memory_mb, disk_unit: None };
        let cfg = MonitorConfig { check_invariants: true, ..s.monitor };
        let mon = Monitor::new(cfg, vec![spec], &[kernel.elf()], &mut m).expect("monitor");
        Guest { m, mon, broken: None }
    }

    /// Boots `code` (at [`CODE`]) with the default handlers on one CPU.
    pub fn boot_code(code: &Code) -> Guest {
        Guest::boot(&Kernel::new(code), Setup::default())
    }

    /// Runs for up to `cycles`; how it stopped.
    pub fn run_for(&mut self, cycles: u64) -> Stop {
        let mut owner = Checked { mon: &mut self.mon, broken: &mut self.broken };
        let stop = self.m.run(cycles, &mut owner);
        self.assert_sound();
        stop
    }

    /// Runs until the VM powers off (or [`BUDGET`] cycles pass); its exit code.
    pub fn run(&mut self) -> Option<u32> {
        match self.run_for(BUDGET) {
            Stop::Halted(code) => Some(code),
            Stop::Budget => None,
        }
    }

    /// Runs until `done` holds (checked every 10 000 cycles); false if `cycles` pass first or
    /// the VM powers off.
    pub fn run_until(&mut self, cycles: u64, done: impl Fn(&Guest) -> bool) -> bool {
        let end = self.m.now() + cycles;
        while self.m.now() < end {
            if done(self) {
                return true;
            }
            if let Stop::Halted(_) = self.run_for(10_000) {
                return done(self);
            }
        }
        done(self)
    }

    /// Runs to the end of the test code: the VM must power off with [`EXIT_OK`].
    pub fn run_ok(&mut self) {
        self.expect_exit(EXIT_OK);
    }

    /// Runs until the VM powers off; it must do so with `code`.
    pub fn expect_exit(&mut self, code: u32) {
        let got = self.run();
        if got != Some(code) {
            let records: Vec<String> = [Vector::Refill, Vector::General, Vector::Interrupt]
                .into_iter()
                .filter_map(|v| self.record(v).map(|r| format!("{v:?}: {r:x?}")))
                .collect();
            panic!(
                "exit {got:x?}, expected {code:#x}; pc {:#x}; handlers: {records:?}; last traps: {:x?}",
                self.m.cpus[0].pc(),
                self.vm().traps().rev().take(8).collect::<Vec<_>>()
            );
        }
    }

    /// No invariant broke so far (the harness's check after every trap and quantum, the
    /// monitor's own, and a final one now).
    pub fn assert_sound(&self) {
        assert_eq!(self.broken, None, "a monitor invariant broke");
        assert_eq!(self.mon.violation(), None);
        if let Err(e) = self.mon.check_invariants(&self.m) {
            panic!("monitor invariant: {e}");
        }
    }

    /// The VM.
    pub fn vm(&self) -> &Vm {
        self.mon.vm(VmId(0)).expect("vm 0")
    }

    /// Its counters.
    pub fn stats(&self) -> &VmStats {
        self.vm().stats()
    }

    /// One of its virtual CPUs.
    pub fn vcpu(&self, j: u16) -> &Vcpu {
        self.vm().vcpu(VcpuId(j)).expect("vcpu")
    }

    /// A word of guest-physical memory.
    pub fn word(&self, gpa: u32) -> u32 {
        let b = self.mon.read_guest(&self.m, VmId(0), gpa, 4).expect("inside the VM");
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// Result `k` (see [`Code::result`]).
    pub fn result(&self, k: u32) -> u32 {
        self.word(DATA - SSEG + 4 * k)
    }

    /// Writes a word of guest-physical memory behind the guest's back (as a device would); the
    /// page must be allocated.
    pub fn poke(&mut self, gpa: u32, v: u32) {
        let mppn = self.machine_page(gpa >> 12).expect("page allocated");
        assert!(self.m.sys.mem.dma_write(mppn.pa() + (gpa & 0xFFF), &v.to_le_bytes()));
    }

    /// The machine page behind guest-physical page `gppn`, if allocated.
    pub fn machine_page(&self, gppn: u32) -> Option<monitor::Mppn> {
        self.vm().pmap().get(Gppn(gppn))
    }

    /// A register of VCPU `j`'s special page.
    pub fn special(&self, j: u16, offset: u32) -> u32 {
        self.vcpu(j).special.get(&self.m, offset)
    }

    /// Sets a register of VCPU `j`'s special page (as the guest could with a store).
    pub fn set_special(&mut self, j: u16, offset: u32, v: u32) {
        let sp = self.vcpu(j).special;
        sp.set(&mut self.m, offset, v);
    }

    /// What a default handler recorded, if it ran.
    pub fn record(&self, v: Vector) -> Option<Record> {
        let base = RECORD - SSEG + v.slot() * 0x40;
        let w = |k: u32| self.word(base + 4 * k);
        (w(15) != 0).then(|| Record {
            cause: w(0),
            epc: w(1),
            badvaddr: w(2),
            status: w(3),
            context: w(4),
            entryhi: w(5),
        })
    }

    /// The trap log's records of exception code `code` at `epc`.
    pub fn traps_at(&self, code: u32, epc: u32) -> Vec<monitor::stats::TrapRecord> {
        self.vm().traps().filter(|t| u32::from(t.code) == code && t.epc == epc).copied().collect()
    }
}

/// The guest's privileged registers as a default handler found them in the special page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub cause: u32,
    pub epc: u32,
    pub badvaddr: u32,
    pub status: u32,
    pub context: u32,
    pub entryhi: u32,
}

impl Record {
    /// The special-page offsets recorded, in order.
    const FIELDS: [u32; 6] =
        [off::CAUSE, off::EPC, off::BADVADDR, off::STATUS, off::CONTEXT, off::ENTRYHI];
}
