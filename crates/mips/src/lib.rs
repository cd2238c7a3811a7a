//! # mips — a MIPS32 release 2 CPU
//!
//! The processor of the simulated machine: little-endian MIPS32r2 integer ISA, coprocessor 0
//! with a software-managed TLB, kernel/supervisor/user modes and precise exceptions. It
//! reaches memory only through the [`Bus`] trait, so the machine can put caches, NUMA
//! latencies and devices behind it, and it either vectors exceptions as the hardware does or
//! reports them to its owner (the monitor emulates privileged instructions that way).
//!
//! - [`bus`]: the memory trait; [`flat`]: a flat RAM implementing it.
//! - [`decode`] → [`predecode`]: words become 8-byte records, cached per physical page.
//! - [`cpu`] (state, run loop, exception delivery) and `exec` (semantics).
//! - [`cp0`], [`tlb`], [`mmu`]: privileged state and address translation.
//! - [`exception`]: exception codes and records; [`disasm`]: assembler syntax; [`asm`]: an
//!   encoder for building instruction words.
//!
//! ```
//! use mips::{Cpu, flat::FlatMemory, asm};
//!
//! let mut mem = FlatMemory::new(1 << 20);
//! // kseg0 0x80001000: addiu $2, $0, 40; addiu $2, $2, 2; then power off (BREAK, reported).
//! mem.load_words(0x1000, &[asm::addiu(2, 0, 40), asm::addiu(2, 2, 2), asm::break_(0)]);
//! let mut cpu = Cpu::new(0, 64);
//! cpu.set_report_mask(1 << mips::ExcCode::Bp as u32);
//! cpu.set_pc(0x8000_1000);
//! let exit = cpu.run(&mut mem, 1_000);
//! assert!(matches!(exit, mips::Exit::Exception(e) if e.fault.code == mips::ExcCode::Bp));
//! assert_eq!(cpu.gpr(2), 42);
//! ```

pub mod asm;
pub mod bus;
pub mod cp0;
pub mod cpu;
pub mod decode;
pub mod disasm;
pub mod exception;
mod exec;
pub mod flat;
pub mod mmu;
pub mod predecode;
pub mod tlb;

pub use bus::{Bus, BusFault, Size};
pub use cpu::{Context, Cpu, CpuStats, Exit, REPORT_ALL};
pub use exception::{ExcCode, Exception, Fault};
