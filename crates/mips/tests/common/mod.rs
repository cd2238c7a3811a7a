//! Test harness: a CPU on a flat memory with code in kseg0 and a `break` at each exception
//! vector, so a test can see which vector an exception went to.
#![allow(dead_code, clippy::unwrap_used)]

use mips::flat::FlatMemory;
use mips::{Cpu, ExcCode, Exception, Exit, cp0::reg};

/// Where test code is placed (kseg0).
pub const CODE: u32 = 0x8000_1000;
/// Where the data area is (kseg0 view), and its physical address.
pub const DATA: u32 = 0x8001_0000;
pub const DATA_PA: u32 = 0x0001_0000;
/// The handlers at the vectors (EBase = 0x80000000).
pub const REFILL: u32 = 0x8000_0000;
pub const GENERAL: u32 = 0x8000_0180;
pub const INTERRUPT: u32 = 0x8000_0200;

pub struct T {
    pub cpu: Cpu,
    pub mem: FlatMemory,
}

impl T {
    /// A CPU in kernel mode (Status = 0: no BEV, no ERL), `code` at [`CODE`], `break` at the
    /// three vectors, BREAK reported to the test.
    pub fn new(code: &[u32]) -> T {
        Self::with_memory(code, 1 << 20)
    }

    pub fn with_memory(code: &[u32], bytes: usize) -> T {
        let mut mem = FlatMemory::new(bytes);
        for (vector, n) in [(REFILL, 1), (GENERAL, 2), (INTERRUPT, 3)] {
            assert!(
                mem.load_words(vector & 0x1FFF_FFFF, &[mips::asm::break_(n), mips::asm::nop()])
            );
        }
        assert!(mem.load_words(CODE & 0x1FFF_FFFF, code));
        let mut cpu = Cpu::new(0, 16);
        cpu.set_report_mask(1 << ExcCode::Bp as u32);
        cpu.write_cp0(reg::STATUS, 0);
        cpu.set_pc(CODE);
        T { cpu, mem }
    }

    /// Runs until a BREAK (reported), returning it. Panics after 1M cycles.
    pub fn run(&mut self) -> Exception {
        match self.cpu.run(&mut self.mem, self.cpu.cycles() + 1_000_000) {
            Exit::Exception(e) => e,
            other => {
                panic!("expected a reported exception, got {other:?} at pc {:#x}", self.cpu.pc())
            }
        }
    }

    /// Runs until the BREAK that ends the test code; asserts it is not in a handler.
    pub fn run_to_end(&mut self) {
        let e = self.run();
        assert_eq!(e.fault.code, ExcCode::Bp);
        assert!(
            e.epc >= CODE,
            "stopped in a handler at {:#x}: cause {:#x}",
            e.epc,
            self.cpu.cp0.cause
        );
    }

    pub fn r(&self, n: usize) -> u32 {
        self.cpu.gpr(n)
    }

    /// ExcCode in Cause.
    pub fn exc_code(&self) -> u32 {
        (self.cpu.cp0.cause >> 2) & 0x1F
    }

    pub fn data_word(&self, off: u32) -> u32 {
        self.mem.word(DATA_PA + off).unwrap()
    }
}

/// Code that loads a 32-bit constant into `r` (two instructions).
pub fn li(r: u32, v: u32) -> [u32; 2] {
    [mips::asm::lui(r, (v >> 16) as u16), mips::asm::ori(r, r, v as u16)]
}

/// Concatenates instruction groups and appends the final `break 0`.
pub fn prog(parts: &[&[u32]]) -> Vec<u32> {
    let mut v: Vec<u32> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    v.push(mips::asm::break_(0));
    v.push(mips::asm::nop());
    v
}
