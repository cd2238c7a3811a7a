//! Disassembler: an instruction word in standard MIPS assembler syntax (ABI register names,
//! absolute branch targets), for the UI's trap views and for tests.

use std::fmt::Write;

use crate::decode::{Op, decode};

/// ABI names of the 32 general-purpose registers.
pub const REG_NAMES: [&str; 32] = [
    "zero", "at", "v0", "v1", "a0", "a1", "a2", "a3", "t0", "t1", "t2", "t3", "t4", "t5", "t6",
    "t7", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "t8", "t9", "k0", "k1", "gp", "sp", "fp",
    "ra",
];

/// Name of CP0 register `reg` select `sel`, if it is one this CPU implements.
pub fn cp0_name(reg: u32, sel: u32) -> Option<&'static str> {
    Some(match (reg, sel) {
        (0, 0) => "Index",
        (1, 0) => "Random",
        (2, 0) => "EntryLo0",
        (3, 0) => "EntryLo1",
        (4, 0) => "Context",
        (4, 2) => "UserLocal",
        (5, 0) => "PageMask",
        (6, 0) => "Wired",
        (7, 0) => "HWREna",
        (8, 0) => "BadVAddr",
        (9, 0) => "Count",
        (10, 0) => "EntryHi",
        (11, 0) => "Compare",
        (12, 0) => "Status",
        (12, 1) => "IntCtl",
        (12, 2) => "SRSCtl",
        (13, 0) => "Cause",
        (14, 0) => "EPC",
        (15, 0) => "PRId",
        (15, 1) => "EBase",
        (16, 0) => "Config",
        (16, 1) => "Config1",
        (16, 2) => "Config2",
        (16, 3) => "Config3",
        (17, 0) => "LLAddr",
        (30, 0) => "ErrorEPC",
        _ => return None,
    })
}

fn r(n: u32) -> String {
    format!("${}", REG_NAMES[(n & 31) as usize])
}

/// Disassembles `word`, the instruction at address `pc` (used for branch and jump targets).
pub fn disasm(word: u32, pc: u32) -> String {
    let i = decode(word);
    let rs = (word >> 21) & 31;
    let rt = (word >> 16) & 31;
    let rd = (word >> 11) & 31;
    let sa = (word >> 6) & 31;
    let simm = word as u16 as i16;
    let target = pc.wrapping_add(4).wrapping_add(i.imm);
    let name = mnemonic(i.op);
    let mut s = String::new();
    // `write!` into a String cannot fail.
    let _ = match i.op {
        Op::Undecoded | Op::Reserved => write!(s, ".word {word:#010x}"),
        Op::CopUnusable => write!(s, ".word {word:#010x}  # coprocessor {} instruction", i.imm),
        Op::Nop | Op::Tlbr | Op::Tlbwi | Op::Tlbwr | Op::Tlbp | Op::Eret | Op::Wait => {
            write!(s, "{name}")
        }
        Op::Sync if sa == 0 => write!(s, "sync"),
        Op::Sync => write!(s, "sync {sa}"),
        Op::Sll | Op::Srl | Op::Sra | Op::Rotr => {
            write!(s, "{name} {}, {}, {sa}", r(rd), r(rt))
        }
        Op::Sllv | Op::Srlv | Op::Srav | Op::Rotrv => {
            write!(s, "{name} {}, {}, {}", r(rd), r(rt), r(rs))
        }
        Op::Jr => write!(s, "jr {}", r(rs)),
        Op::Jalr if rd == 31 => write!(s, "jalr {}", r(rs)),
        Op::Jalr => write!(s, "jalr {}, {}", r(rd), r(rs)),
        Op::J | Op::Jal => {
            write!(s, "{name} {:#010x}", (pc.wrapping_add(4) & 0xF000_0000) | i.imm)
        }
        Op::Beq | Op::Bne | Op::Beql | Op::Bnel => {
            write!(s, "{name} {}, {}, {target:#010x}", r(rs), r(rt))
        }
        Op::Blez
        | Op::Bgtz
        | Op::Bltz
        | Op::Bgez
        | Op::Bltzal
        | Op::Bgezal
        | Op::Blezl
        | Op::Bgtzl
        | Op::Bltzl
        | Op::Bgezl
        | Op::Bltzall
        | Op::Bgezall => write!(s, "{name} {}, {target:#010x}", r(rs)),
        Op::Movz | Op::Movn | Op::Add | Op::Addu | Op::Sub | Op::Subu | Op::And | Op::Or => {
            write!(s, "{name} {}, {}, {}", r(rd), r(rs), r(rt))
        }
        Op::Xor | Op::Nor | Op::Slt | Op::Sltu | Op::Mul => {
            write!(s, "{name} {}, {}, {}", r(rd), r(rs), r(rt))
        }
        Op::Syscall | Op::Break if i.imm == 0 => write!(s, "{name}"),
        Op::Syscall | Op::Break => write!(s, "{name} {:#x}", i.imm),
        Op::Synci => write!(s, "synci {simm}({})", r(rs)),
        Op::Mfhi | Op::Mflo => write!(s, "{name} {}", r(rd)),
        Op::Mthi | Op::Mtlo => write!(s, "{name} {}", r(rs)),
        Op::Mult | Op::Multu | Op::Div | Op::Divu | Op::Madd | Op::Maddu | Op::Msub | Op::Msubu => {
            write!(s, "{name} {}, {}", r(rs), r(rt))
        }
        Op::Tge | Op::Tgeu | Op::Tlt | Op::Tltu | Op::Teq | Op::Tne => {
            if i.imm == 0 {
                write!(s, "{name} {}, {}", r(rs), r(rt))
            } else {
                write!(s, "{name} {}, {}, {}", r(rs), r(rt), i.imm)
            }
        }
        Op::Tgei | Op::Tgeiu | Op::Tlti | Op::Tltiu | Op::Teqi | Op::Tnei => {
            write!(s, "{name} {}, {simm}", r(rs))
        }
        Op::Addi | Op::Addiu | Op::Slti | Op::Sltiu => {
            write!(s, "{name} {}, {}, {simm}", r(rt), r(rs))
        }
        Op::Andi | Op::Ori | Op::Xori => {
            write!(s, "{name} {}, {}, {:#x}", r(rt), r(rs), word & 0xFFFF)
        }
        Op::Lui => write!(s, "lui {}, {:#x}", r(rt), word & 0xFFFF),
        Op::Clz | Op::Clo => write!(s, "{name} {}, {}", r(rd), r(rs)),
        Op::Ext | Op::Ins => {
            write!(s, "{name} {}, {}, {}, {}", r(rt), r(rs), i.imm & 31, i.imm >> 8)
        }
        Op::Wsbh | Op::Seb | Op::Seh => write!(s, "{name} {}, {}", r(rd), r(rt)),
        Op::Rdhwr => write!(s, "rdhwr {}, ${rd}", r(rt)),
        Op::Lb
        | Op::Lh
        | Op::Lwl
        | Op::Lw
        | Op::Lbu
        | Op::Lhu
        | Op::Lwr
        | Op::Sb
        | Op::Sh
        | Op::Swl
        | Op::Sw
        | Op::Swr
        | Op::Ll
        | Op::Sc => write!(s, "{name} {}, {simm}({})", r(rt), r(rs)),
        Op::Cache | Op::Pref => write!(s, "{name} {rt:#x}, {simm}({})", r(rs)),
        Op::Mfc0 | Op::Mtc0 => {
            let sel = word & 7;
            if sel == 0 {
                write!(s, "{name} {}, ${rd}", r(rt))
            } else {
                write!(s, "{name} {}, ${rd}, {sel}", r(rt))
            }
        }
        Op::Di | Op::Ei if rt == 0 => write!(s, "{name}"),
        Op::Di | Op::Ei => write!(s, "{name} {}", r(rt)),
        Op::Rdpgpr | Op::Wrpgpr => write!(s, "{name} {}, {}", r(rd), r(rt)),
    };
    s
}

/// The mnemonic of an operation.
pub fn mnemonic(op: Op) -> &'static str {
    match op {
        Op::Undecoded | Op::Reserved | Op::CopUnusable => ".word",
        Op::Nop => "nop",
        Op::Sll => "sll",
        Op::Srl => "srl",
        Op::Sra => "sra",
        Op::Rotr => "rotr",
        Op::Sllv => "sllv",
        Op::Srlv => "srlv",
        Op::Srav => "srav",
        Op::Rotrv => "rotrv",
        Op::Jr => "jr",
        Op::Jalr => "jalr",
        Op::J => "j",
        Op::Jal => "jal",
        Op::Beq => "beq",
        Op::Bne => "bne",
        Op::Blez => "blez",
        Op::Bgtz => "bgtz",
        Op::Bltz => "bltz",
        Op::Bgez => "bgez",
        Op::Bltzal => "bltzal",
        Op::Bgezal => "bgezal",
        Op::Beql => "beql",
        Op::Bnel => "bnel",
        Op::Blezl => "blezl",
        Op::Bgtzl => "bgtzl",
        Op::Bltzl => "bltzl",
        Op::Bgezl => "bgezl",
        Op::Bltzall => "bltzall",
        Op::Bgezall => "bgezall",
        Op::Movz => "movz",
        Op::Movn => "movn",
        Op::Syscall => "syscall",
        Op::Break => "break",
        Op::Sync => "sync",
        Op::Synci => "synci",
        Op::Mfhi => "mfhi",
        Op::Mthi => "mthi",
        Op::Mflo => "mflo",
        Op::Mtlo => "mtlo",
        Op::Mult => "mult",
        Op::Multu => "multu",
        Op::Div => "div",
        Op::Divu => "divu",
        Op::Madd => "madd",
        Op::Maddu => "maddu",
        Op::Msub => "msub",
        Op::Msubu => "msubu",
        Op::Mul => "mul",
        Op::Add => "add",
        Op::Addu => "addu",
        Op::Sub => "sub",
        Op::Subu => "subu",
        Op::And => "and",
        Op::Or => "or",
        Op::Xor => "xor",
        Op::Nor => "nor",
        Op::Slt => "slt",
        Op::Sltu => "sltu",
        Op::Tge => "tge",
        Op::Tgeu => "tgeu",
        Op::Tlt => "tlt",
        Op::Tltu => "tltu",
        Op::Teq => "teq",
        Op::Tne => "tne",
        Op::Tgei => "tgei",
        Op::Tgeiu => "tgeiu",
        Op::Tlti => "tlti",
        Op::Tltiu => "tltiu",
        Op::Teqi => "teqi",
        Op::Tnei => "tnei",
        Op::Addi => "addi",
        Op::Addiu => "addiu",
        Op::Slti => "slti",
        Op::Sltiu => "sltiu",
        Op::Andi => "andi",
        Op::Ori => "ori",
        Op::Xori => "xori",
        Op::Lui => "lui",
        Op::Clz => "clz",
        Op::Clo => "clo",
        Op::Ext => "ext",
        Op::Ins => "ins",
        Op::Wsbh => "wsbh",
        Op::Seb => "seb",
        Op::Seh => "seh",
        Op::Rdhwr => "rdhwr",
        Op::Lb => "lb",
        Op::Lh => "lh",
        Op::Lwl => "lwl",
        Op::Lw => "lw",
        Op::Lbu => "lbu",
        Op::Lhu => "lhu",
        Op::Lwr => "lwr",
        Op::Sb => "sb",
        Op::Sh => "sh",
        Op::Swl => "swl",
        Op::Sw => "sw",
        Op::Swr => "swr",
        Op::Ll => "ll",
        Op::Sc => "sc",
        Op::Cache => "cache",
        Op::Pref => "pref",
        Op::Mfc0 => "mfc0",
        Op::Mtc0 => "mtc0",
        Op::Di => "di",
        Op::Ei => "ei",
        Op::Rdpgpr => "rdpgpr",
        Op::Wrpgpr => "wrpgpr",
        Op::Tlbr => "tlbr",
        Op::Tlbwi => "tlbwi",
        Op::Tlbwr => "tlbwr",
        Op::Tlbp => "tlbp",
        Op::Eret => "eret",
        Op::Wait => "wait",
    }
}

#[cfg(test)]
mod tests {
    use super::disasm;

    #[test]
    fn compiler_output_reads_as_assembler() {
        // From `llvm-objdump -d target/guests/hello`.
        assert_eq!(disasm(0x3C01_8002, 0x8001_0000), "lui $at, 0x8002");
        assert_eq!(disasm(0x2422_0000, 0x8001_0004), "addiu $v0, $at, 0");
        assert_eq!(disasm(0x9041_0000, 0x8001_0010), "lbu $at, 0($v0)");
        assert_eq!(disasm(0x1444_FFFD, 0x8001_0018), "bne $v0, $a0, 0x80010010");
        assert_eq!(disasm(0xAC61_0000, 0x8001_001C), "sw $at, 0($v1)");
        assert_eq!(disasm(0x0800_400B, 0x8001_002C), "j 0x8001002c");
        assert_eq!(disasm(0, 0), "nop");
        assert_eq!(disasm(0x03E0_0008, 0), "jr $ra");
        assert_eq!(disasm(0x27BD_FFE0, 0), "addiu $sp, $sp, -32");
        assert_eq!(disasm(0x4080_6000, 0), "mtc0 $zero, $12");
        assert_eq!(disasm(0x4200_0018, 0), "eret");
        assert_eq!(disasm(0xFFFF_FFFF, 0), ".word 0xffffffff");
    }
}
