//! Instruction decoding: a 32-bit word becomes an [`Insn`], an 8-byte record the executor
//! dispatches on without looking at the word again.
//!
//! Decoding happens once per instruction word per code page (see `predecode.rs`), so all the
//! bit-fiddling is done here: immediates arrive sign- or zero-extended and shifted as the
//! executor needs them, and a destination register 0 is redirected to [`SINK`], a 33rd
//! register nobody reads, so the executor never has to test for `$zero`.

/// Register index that absorbs writes to `$zero`.
pub const SINK: u8 = 32;

/// Every operation the executor knows. `Undecoded` (0) marks a predecode slot not filled yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
#[repr(u8)]
#[allow(missing_docs)] // the variants are the MIPS mnemonics
pub enum Op {
    #[default]
    Undecoded,
    /// Reserved instruction: raises RI.
    Reserved,
    /// A coprocessor 1-3 instruction: raises CpU with CE = `imm` (there is no FPU).
    CopUnusable,
    Nop,
    // Shifts.
    Sll,
    Srl,
    Sra,
    Rotr,
    Sllv,
    Srlv,
    Srav,
    Rotrv,
    // Jumps and branches.
    Jr,
    Jalr,
    J,
    Jal,
    Beq,
    Bne,
    Blez,
    Bgtz,
    Bltz,
    Bgez,
    Bltzal,
    Bgezal,
    Beql,
    Bnel,
    Blezl,
    Bgtzl,
    Bltzl,
    Bgezl,
    Bltzall,
    Bgezall,
    // Conditional moves.
    Movz,
    Movn,
    // System.
    Syscall,
    Break,
    Sync,
    Synci,
    // HI/LO.
    Mfhi,
    Mthi,
    Mflo,
    Mtlo,
    Mult,
    Multu,
    Div,
    Divu,
    Madd,
    Maddu,
    Msub,
    Msubu,
    Mul,
    // Three-register ALU.
    Add,
    Addu,
    Sub,
    Subu,
    And,
    Or,
    Xor,
    Nor,
    Slt,
    Sltu,
    // Traps.
    Tge,
    Tgeu,
    Tlt,
    Tltu,
    Teq,
    Tne,
    Tgei,
    Tgeiu,
    Tlti,
    Tltiu,
    Teqi,
    Tnei,
    // Immediate ALU.
    Addi,
    Addiu,
    Slti,
    Sltiu,
    Andi,
    Ori,
    Xori,
    Lui,
    // Bit manipulation (release 2 and SPECIAL2).
    Clz,
    Clo,
    Ext,
    Ins,
    Wsbh,
    Seb,
    Seh,
    Rdhwr,
    // Loads and stores.
    Lb,
    Lh,
    Lwl,
    Lw,
    Lbu,
    Lhu,
    Lwr,
    Sb,
    Sh,
    Swl,
    Sw,
    Swr,
    Ll,
    Sc,
    Cache,
    Pref,
    // Coprocessor 0.
    Mfc0,
    Mtc0,
    Di,
    Ei,
    Rdpgpr,
    Wrpgpr,
    Tlbr,
    Tlbwi,
    Tlbwr,
    Tlbp,
    Eret,
    Wait,
}

/// A decoded instruction. Field meanings depend on `op`; see [`decode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct Insn {
    /// The operation.
    pub op: Op,
    /// Destination register (rd or rt as the format says), [`SINK`] for `$zero`.
    pub d: u8,
    /// The rs field (first source, or the base register of a memory access).
    pub s: u8,
    /// The rt field (second source, or the value of a store).
    pub t: u8,
    /// The immediate, prepared: sign- or zero-extended, branch offsets in bytes, jump targets
    /// as `target << 2`, shift amounts, `pos | size << 8` for EXT/INS, `reg * 8 + sel` for
    /// MFC0/MTC0, codes for SYSCALL/BREAK/traps.
    pub imm: u32,
}

impl Insn {
    /// True for the instructions that have a delay slot (jumps and branches).
    pub fn has_delay_slot(&self) -> bool {
        matches!(
            self.op,
            Op::Jr
                | Op::Jalr
                | Op::J
                | Op::Jal
                | Op::Beq
                | Op::Bne
                | Op::Blez
                | Op::Bgtz
                | Op::Bltz
                | Op::Bgez
                | Op::Bltzal
                | Op::Bgezal
                | Op::Beql
                | Op::Bnel
                | Op::Blezl
                | Op::Bgtzl
                | Op::Bltzl
                | Op::Bgezl
                | Op::Bltzall
                | Op::Bgezall
        )
    }
}

fn sink(r: u32) -> u8 {
    if r == 0 { SINK } else { r as u8 }
}

/// Decodes one instruction word. Never fails: an encoding this CPU does not implement decodes
/// to [`Op::Reserved`] (or [`Op::CopUnusable`] for coprocessors 1–3).
pub fn decode(w: u32) -> Insn {
    let opcode = w >> 26;
    let rs = (w >> 21) & 31;
    let rt = (w >> 16) & 31;
    let rd = (w >> 11) & 31;
    let sa = (w >> 6) & 31;
    let funct = w & 63;
    let simm = (w as u16 as i16) as i32 as u32;
    let zimm = w & 0xFFFF;
    let branch = ((w as u16 as i16) as i32 as u32) << 2;

    let r = |op: Op| Insn { op, d: sink(rd), s: rs as u8, t: rt as u8, imm: sa };
    let i = |op: Op, imm: u32| Insn { op, d: sink(rt), s: rs as u8, t: rt as u8, imm };
    let reserved = Insn { op: Op::Reserved, ..Insn::default() };

    match opcode {
        0 => match funct {
            0 if w == 0 => Insn { op: Op::Nop, ..Insn::default() },
            0 => r(Op::Sll),
            2 if rs == 0 => r(Op::Srl),
            2 if rs == 1 => r(Op::Rotr),
            3 => r(Op::Sra),
            4 => r(Op::Sllv),
            6 if sa == 0 => r(Op::Srlv),
            6 if sa == 1 => r(Op::Rotrv),
            7 => r(Op::Srav),
            8 => r(Op::Jr),
            9 => r(Op::Jalr),
            10 => r(Op::Movz),
            11 => r(Op::Movn),
            12 => Insn { op: Op::Syscall, imm: (w >> 6) & 0xF_FFFF, ..Insn::default() },
            13 => Insn { op: Op::Break, imm: (w >> 6) & 0xF_FFFF, ..Insn::default() },
            15 => Insn { op: Op::Sync, imm: sa, ..Insn::default() },
            16 => r(Op::Mfhi),
            17 => r(Op::Mthi),
            18 => r(Op::Mflo),
            19 => r(Op::Mtlo),
            24 => r(Op::Mult),
            25 => r(Op::Multu),
            26 => r(Op::Div),
            27 => r(Op::Divu),
            32 => r(Op::Add),
            33 => r(Op::Addu),
            34 => r(Op::Sub),
            35 => r(Op::Subu),
            36 => r(Op::And),
            37 => r(Op::Or),
            38 => r(Op::Xor),
            39 => r(Op::Nor),
            42 => r(Op::Slt),
            43 => r(Op::Sltu),
            48..=52 | 54 => {
                let op = match funct {
                    48 => Op::Tge,
                    49 => Op::Tgeu,
                    50 => Op::Tlt,
                    51 => Op::Tltu,
                    52 => Op::Teq,
                    _ => Op::Tne,
                };
                Insn { op, d: SINK, s: rs as u8, t: rt as u8, imm: (w >> 6) & 0x3FF }
            }
            1 => Insn { op: Op::CopUnusable, imm: 1, ..Insn::default() }, // MOVCI (FPU)
            _ => reserved,
        },
        1 => {
            let b = |op: Op| Insn { op, d: 31, s: rs as u8, t: 0, imm: branch };
            let t = |op: Op| Insn { op, d: SINK, s: rs as u8, t: 0, imm: simm };
            match rt {
                0 => b(Op::Bltz),
                1 => b(Op::Bgez),
                2 => b(Op::Bltzl),
                3 => b(Op::Bgezl),
                8 => t(Op::Tgei),
                9 => t(Op::Tgeiu),
                10 => t(Op::Tlti),
                11 => t(Op::Tltiu),
                12 => t(Op::Teqi),
                14 => t(Op::Tnei),
                16 => b(Op::Bltzal),
                17 => b(Op::Bgezal),
                18 => b(Op::Bltzall),
                19 => b(Op::Bgezall),
                31 => Insn { op: Op::Synci, d: SINK, s: rs as u8, t: 0, imm: simm },
                _ => reserved,
            }
        }
        2 => Insn { op: Op::J, imm: (w & 0x03FF_FFFF) << 2, ..Insn::default() },
        3 => Insn { op: Op::Jal, d: 31, imm: (w & 0x03FF_FFFF) << 2, ..Insn::default() },
        4 => i(Op::Beq, branch),
        5 => i(Op::Bne, branch),
        6 => i(Op::Blez, branch),
        7 => i(Op::Bgtz, branch),
        8 => i(Op::Addi, simm),
        9 => i(Op::Addiu, simm),
        10 => i(Op::Slti, simm),
        11 => i(Op::Sltiu, simm),
        12 => i(Op::Andi, zimm),
        13 => i(Op::Ori, zimm),
        14 => i(Op::Xori, zimm),
        15 => i(Op::Lui, zimm << 16),
        16 => decode_cop0(w, rs, rt, rd, funct),
        17 => Insn { op: Op::CopUnusable, imm: 1, ..Insn::default() },
        18 => Insn { op: Op::CopUnusable, imm: 2, ..Insn::default() },
        19 => Insn { op: Op::CopUnusable, imm: 1, ..Insn::default() }, // COP1X
        20 => i(Op::Beql, branch),
        21 => i(Op::Bnel, branch),
        22 => i(Op::Blezl, branch),
        23 => i(Op::Bgtzl, branch),
        28 => match funct {
            0 => r(Op::Madd),
            1 => r(Op::Maddu),
            2 => r(Op::Mul),
            4 => r(Op::Msub),
            5 => r(Op::Msubu),
            32 => r(Op::Clz),
            33 => r(Op::Clo),
            _ => reserved,
        },
        31 => match funct {
            0 => {
                let (pos, size) = (sa, rd + 1);
                if pos + size > 32 {
                    return reserved;
                }
                i(Op::Ext, pos | size << 8)
            }
            4 => {
                let (pos, msb) = (sa, rd);
                if msb < pos {
                    return reserved;
                }
                i(Op::Ins, pos | (msb - pos + 1) << 8)
            }
            32 => match sa {
                2 => r(Op::Wsbh),
                16 => r(Op::Seb),
                24 => r(Op::Seh),
                _ => reserved,
            },
            59 => Insn { op: Op::Rdhwr, d: sink(rt), s: 0, t: rt as u8, imm: rd },
            _ => reserved,
        },
        32 => i(Op::Lb, simm),
        33 => i(Op::Lh, simm),
        34 => i(Op::Lwl, simm),
        35 => i(Op::Lw, simm),
        36 => i(Op::Lbu, simm),
        37 => i(Op::Lhu, simm),
        38 => i(Op::Lwr, simm),
        40 => i(Op::Sb, simm),
        41 => i(Op::Sh, simm),
        42 => i(Op::Swl, simm),
        43 => i(Op::Sw, simm),
        46 => i(Op::Swr, simm),
        47 => i(Op::Cache, simm),
        48 => i(Op::Ll, simm),
        51 => i(Op::Pref, simm),
        56 => i(Op::Sc, simm),
        49 | 53 | 57 | 61 => Insn { op: Op::CopUnusable, imm: 1, ..Insn::default() },
        50 | 54 | 58 | 62 => Insn { op: Op::CopUnusable, imm: 2, ..Insn::default() },
        _ => reserved,
    }
}

fn decode_cop0(w: u32, rs: u32, rt: u32, rd: u32, funct: u32) -> Insn {
    let reserved = Insn { op: Op::Reserved, ..Insn::default() };
    let sel = w & 7;
    match rs {
        0 => Insn { op: Op::Mfc0, d: sink(rt), s: 0, t: rt as u8, imm: rd * 8 + sel },
        4 => Insn { op: Op::Mtc0, d: SINK, s: 0, t: rt as u8, imm: rd * 8 + sel },
        10 => Insn { op: Op::Rdpgpr, d: sink(rd), s: 0, t: rt as u8, imm: 0 },
        14 => Insn { op: Op::Wrpgpr, d: sink(rd), s: 0, t: rt as u8, imm: 0 },
        11 if rd == 12 && (w & 0x7FF) & !0x20 == 0 => {
            let op = if w & 0x20 != 0 { Op::Ei } else { Op::Di };
            Insn { op, d: sink(rt), s: 0, t: rt as u8, imm: 0 }
        }
        16..=31 => {
            let op = match funct {
                1 => Op::Tlbr,
                2 => Op::Tlbwi,
                6 => Op::Tlbwr,
                8 => Op::Tlbp,
                24 => Op::Eret,
                32 => Op::Wait,
                _ => return reserved,
            };
            Insn { op, d: SINK, imm: (w >> 6) & 0x7_FFFF, ..Insn::default() }
        }
        _ => reserved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn immediates_are_prepared() {
        // addiu $sp, $sp, -32
        let i = decode(0x27BD_FFE0);
        assert_eq!((i.op, i.d, i.s, i.imm), (Op::Addiu, 29, 29, (-32i32) as u32));
        // ori $1, $1, 0x8000: zero-extended
        assert_eq!(decode(0x3421_8000).imm, 0x8000);
        // lui $1, 0x8002
        assert_eq!(decode(0x3C01_8002).imm, 0x8002_0000);
        // bne $2, $4, -3 instructions
        let b = decode(0x1444_FFFD);
        assert_eq!((b.op, b.imm), (Op::Bne, (-12i32) as u32));
    }

    #[test]
    fn writes_to_zero_go_to_the_sink() {
        // addu $0, $1, $2
        assert_eq!(decode(0x0022_0021).d, SINK);
        // lw $0, 0($1)
        assert_eq!(decode(0x8C20_0000).d, SINK);
        assert_eq!(decode(0).op, Op::Nop);
    }

    #[test]
    fn every_word_decodes_without_panicking() {
        // A sweep over opcode/funct/rs/rt combinations with varied other bits.
        for hi in 0..64u32 {
            for lo in 0..64u32 {
                for mid in [0u32, 0x1F_0000, 0x3E0_0000, 0x3FF_FFC0, 0x0001_F7C0] {
                    let _ = decode(hi << 26 | mid | lo);
                }
            }
        }
    }
}
