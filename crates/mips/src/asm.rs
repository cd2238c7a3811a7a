//! An instruction encoder for MIPS32 release 2: one function per mnemonic, returning the
//! instruction word.
//!
//! Tests and test generators use it to write machine code without an assembler; the CPU's decoder
//! is tested against it, and it is checked against LLVM's MIPS assembler (`llvm-mc`) word for
//! word. Operands come in the order the assembler writes them:
//!
//! - registers are numbers `0..=31` (the constants [`ZERO`] … [`RA`] name them);
//! - immediates are the 16-bit field as the assembler takes it: `i16` where the instruction
//!   sign-extends it (`addiu`, loads, stores, `slti`, `sltiu`, trap immediates), `u16` where it
//!   zero-extends it (`andi`, `ori`, `xori`, `lui`);
//! - branch offsets are in *instructions* relative to the delay slot, exactly as the hardware
//!   encodes them: the target is `PC + 4 + 4 * offset`, so `beq(rs, rt, 1)` lands just after
//!   the delay slot (skipping nothing), `beq(rs, rt, 2)` skips one instruction, and
//!   `beq(rs, rt, -1)` branches to itself;
//! - jump targets are byte addresses; only bits 27..2 are encoded (the rest come from the delay
//!   slot's address), so the target must be word aligned.
//!
//! Out-of-range operands (a register above 31, a shift of 32, a field that does not fit) panic:
//! the encoder is for tests, where a wrong word would silently test the wrong thing.
//!
//! ```
//! use mips::asm::{self, A0, SP, T0, V0};
//! assert_eq!(asm::addiu(SP, SP, -32), 0x27bd_ffe0);
//! assert_eq!(asm::lw(A0, 0, SP), 0x8fa4_0000);
//! assert_eq!(asm::beq(T0, V0, -1), 0x1102_ffff);
//! assert_eq!(asm::syscall(0), 0x0000_000c);
//! ```

// ---------------------------------------------------------------------------------------------
// Register names (o32 ABI)
// ---------------------------------------------------------------------------------------------

/// `$zero`: always reads 0; writes are discarded.
pub const ZERO: u32 = 0;
/// `$at`: the assembler temporary.
pub const AT: u32 = 1;
/// `$v0`: first result register (and the syscall number on Linux).
pub const V0: u32 = 2;
/// `$v1`: second result register.
pub const V1: u32 = 3;
/// `$a0`: first argument register.
pub const A0: u32 = 4;
/// `$a1`: second argument register.
pub const A1: u32 = 5;
/// `$a2`: third argument register.
pub const A2: u32 = 6;
/// `$a3`: fourth argument register (the syscall error flag on Linux).
pub const A3: u32 = 7;
/// `$t0`: temporary.
pub const T0: u32 = 8;
/// `$t1`: temporary.
pub const T1: u32 = 9;
/// `$t2`: temporary.
pub const T2: u32 = 10;
/// `$t3`: temporary.
pub const T3: u32 = 11;
/// `$t4`: temporary.
pub const T4: u32 = 12;
/// `$t5`: temporary.
pub const T5: u32 = 13;
/// `$t6`: temporary.
pub const T6: u32 = 14;
/// `$t7`: temporary.
pub const T7: u32 = 15;
/// `$s0`: callee-saved.
pub const S0: u32 = 16;
/// `$s1`: callee-saved.
pub const S1: u32 = 17;
/// `$s2`: callee-saved.
pub const S2: u32 = 18;
/// `$s3`: callee-saved.
pub const S3: u32 = 19;
/// `$s4`: callee-saved.
pub const S4: u32 = 20;
/// `$s5`: callee-saved.
pub const S5: u32 = 21;
/// `$s6`: callee-saved.
pub const S6: u32 = 22;
/// `$s7`: callee-saved.
pub const S7: u32 = 23;
/// `$t8`: temporary.
pub const T8: u32 = 24;
/// `$t9`: temporary (the callee's address in PIC calls).
pub const T9: u32 = 25;
/// `$k0`: reserved for the kernel's exception handlers.
pub const K0: u32 = 26;
/// `$k1`: reserved for the kernel's exception handlers.
pub const K1: u32 = 27;
/// `$gp`: global pointer.
pub const GP: u32 = 28;
/// `$sp`: stack pointer.
pub const SP: u32 = 29;
/// `$fp` (`$s8`): frame pointer.
pub const FP: u32 = 30;
/// `$ra`: return address, written by `jal`, `bal` and the other link forms.
pub const RA: u32 = 31;

// ---------------------------------------------------------------------------------------------
// Field packing
// ---------------------------------------------------------------------------------------------

/// Major opcodes (bits 31..26).
mod op {
    pub const SPECIAL: u32 = 0x00;
    pub const REGIMM: u32 = 0x01;
    pub const J: u32 = 0x02;
    pub const JAL: u32 = 0x03;
    pub const BEQ: u32 = 0x04;
    pub const BNE: u32 = 0x05;
    pub const BLEZ: u32 = 0x06;
    pub const BGTZ: u32 = 0x07;
    pub const ADDI: u32 = 0x08;
    pub const ADDIU: u32 = 0x09;
    pub const SLTI: u32 = 0x0a;
    pub const SLTIU: u32 = 0x0b;
    pub const ANDI: u32 = 0x0c;
    pub const ORI: u32 = 0x0d;
    pub const XORI: u32 = 0x0e;
    pub const LUI: u32 = 0x0f;
    pub const COP0: u32 = 0x10;
    pub const BEQL: u32 = 0x14;
    pub const BNEL: u32 = 0x15;
    pub const BLEZL: u32 = 0x16;
    pub const BGTZL: u32 = 0x17;
    pub const SPECIAL2: u32 = 0x1c;
    pub const SPECIAL3: u32 = 0x1f;
    pub const LB: u32 = 0x20;
    pub const LH: u32 = 0x21;
    pub const LWL: u32 = 0x22;
    pub const LW: u32 = 0x23;
    pub const LBU: u32 = 0x24;
    pub const LHU: u32 = 0x25;
    pub const LWR: u32 = 0x26;
    pub const SB: u32 = 0x28;
    pub const SH: u32 = 0x29;
    pub const SWL: u32 = 0x2a;
    pub const SW: u32 = 0x2b;
    pub const SWR: u32 = 0x2e;
    pub const CACHE: u32 = 0x2f;
    pub const LL: u32 = 0x30;
    pub const PREF: u32 = 0x33;
    pub const SC: u32 = 0x38;
}

/// Checks a register number.
const fn r(reg: u32) -> u32 {
    assert!(reg < 32, "register number out of range 0..=31");
    reg
}

/// Checks a 5-bit field (shift amount, bit position, cache op, hint).
const fn f5(v: u32) -> u32 {
    assert!(v < 32, "5-bit field out of range 0..=31");
    v
}

/// R-type: SPECIAL-like opcode, rs, rt, rd, sa, function.
const fn rtype(opcode: u32, rs: u32, rt: u32, rd: u32, sa: u32, funct: u32) -> u32 {
    opcode << 26 | r(rs) << 21 | r(rt) << 16 | r(rd) << 11 | f5(sa) << 6 | funct
}

/// I-type: opcode, rs, rt, 16-bit immediate.
const fn itype(opcode: u32, rs: u32, rt: u32, imm: u16) -> u32 {
    opcode << 26 | r(rs) << 21 | r(rt) << 16 | imm as u32
}

/// SPECIAL function with rs, rt, rd.
const fn special(rs: u32, rt: u32, rd: u32, funct: u32) -> u32 {
    rtype(op::SPECIAL, rs, rt, rd, 0, funct)
}

/// REGIMM: rs, the rt-field sub-opcode, 16-bit immediate.
const fn regimm(rs: u32, sub: u32, imm: u16) -> u32 {
    itype(op::REGIMM, rs, sub, imm)
}

/// A COP0 instruction with CO = 1 (TLB operations, ERET, WAIT).
const fn cop0_co(funct: u32) -> u32 {
    op::COP0 << 26 | 1 << 25 | funct
}

// ---------------------------------------------------------------------------------------------
// Arithmetic and logic
// ---------------------------------------------------------------------------------------------

/// `add rd, rs, rt`: rd = rs + rt; Integer Overflow exception on signed overflow (rd unchanged).
pub const fn add(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x20)
}

/// `addu rd, rs, rt`: rd = rs + rt, modulo 2^32 (never traps).
pub const fn addu(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x21)
}

/// `sub rd, rs, rt`: rd = rs − rt; Integer Overflow exception on signed overflow.
pub const fn sub(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x22)
}

/// `subu rd, rs, rt`: rd = rs − rt, modulo 2^32 (never traps).
pub const fn subu(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x23)
}

/// `and rd, rs, rt`.
pub const fn and(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x24)
}

/// `or rd, rs, rt`.
pub const fn or(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x25)
}

/// `xor rd, rs, rt`.
pub const fn xor(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x26)
}

/// `nor rd, rs, rt`: rd = !(rs | rt).
pub const fn nor(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x27)
}

/// `slt rd, rs, rt`: rd = 1 if rs < rt (signed), else 0.
pub const fn slt(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x2a)
}

/// `sltu rd, rs, rt`: rd = 1 if rs < rt (unsigned), else 0.
pub const fn sltu(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x2b)
}

/// `addi rt, rs, imm`: rt = rs + sign-extended imm; Integer Overflow exception on overflow.
pub const fn addi(rt: u32, rs: u32, imm: i16) -> u32 {
    itype(op::ADDI, rs, rt, imm as u16)
}

/// `addiu rt, rs, imm`: rt = rs + sign-extended imm, modulo 2^32 (never traps).
pub const fn addiu(rt: u32, rs: u32, imm: i16) -> u32 {
    itype(op::ADDIU, rs, rt, imm as u16)
}

/// `slti rt, rs, imm`: rt = 1 if rs < sign-extended imm (signed).
pub const fn slti(rt: u32, rs: u32, imm: i16) -> u32 {
    itype(op::SLTI, rs, rt, imm as u16)
}

/// `sltiu rt, rs, imm`: rt = 1 if rs < sign-extended imm, compared unsigned.
pub const fn sltiu(rt: u32, rs: u32, imm: i16) -> u32 {
    itype(op::SLTIU, rs, rt, imm as u16)
}

/// `andi rt, rs, imm`: rt = rs & zero-extended imm.
pub const fn andi(rt: u32, rs: u32, imm: u16) -> u32 {
    itype(op::ANDI, rs, rt, imm)
}

/// `ori rt, rs, imm`: rt = rs | zero-extended imm.
pub const fn ori(rt: u32, rs: u32, imm: u16) -> u32 {
    itype(op::ORI, rs, rt, imm)
}

/// `xori rt, rs, imm`: rt = rs ^ zero-extended imm.
pub const fn xori(rt: u32, rs: u32, imm: u16) -> u32 {
    itype(op::XORI, rs, rt, imm)
}

/// `lui rt, imm`: rt = imm << 16.
pub const fn lui(rt: u32, imm: u16) -> u32 {
    itype(op::LUI, 0, rt, imm)
}

// ---------------------------------------------------------------------------------------------
// Shifts and rotates
// ---------------------------------------------------------------------------------------------

/// `sll rd, rt, sa`: rd = rt << sa. (`sll $0, $0, 0` is `nop`.)
pub const fn sll(rd: u32, rt: u32, sa: u32) -> u32 {
    rtype(op::SPECIAL, 0, rt, rd, sa, 0x00)
}

/// `srl rd, rt, sa`: logical right shift.
pub const fn srl(rd: u32, rt: u32, sa: u32) -> u32 {
    rtype(op::SPECIAL, 0, rt, rd, sa, 0x02)
}

/// `rotr rd, rt, sa`: rotate right (release 2; SRL with the rs field = 1).
pub const fn rotr(rd: u32, rt: u32, sa: u32) -> u32 {
    rtype(op::SPECIAL, 1, rt, rd, sa, 0x02)
}

/// `sra rd, rt, sa`: arithmetic right shift.
pub const fn sra(rd: u32, rt: u32, sa: u32) -> u32 {
    rtype(op::SPECIAL, 0, rt, rd, sa, 0x03)
}

/// `sllv rd, rt, rs`: rd = rt << (rs & 31).
pub const fn sllv(rd: u32, rt: u32, rs: u32) -> u32 {
    special(rs, rt, rd, 0x04)
}

/// `srlv rd, rt, rs`: logical right shift by rs & 31.
pub const fn srlv(rd: u32, rt: u32, rs: u32) -> u32 {
    special(rs, rt, rd, 0x06)
}

/// `rotrv rd, rt, rs`: rotate right by rs & 31 (release 2; SRLV with the sa field = 1).
pub const fn rotrv(rd: u32, rt: u32, rs: u32) -> u32 {
    rtype(op::SPECIAL, rs, rt, rd, 1, 0x06)
}

/// `srav rd, rt, rs`: arithmetic right shift by rs & 31.
pub const fn srav(rd: u32, rt: u32, rs: u32) -> u32 {
    special(rs, rt, rd, 0x07)
}

// ---------------------------------------------------------------------------------------------
// Multiply, divide, HI/LO
// ---------------------------------------------------------------------------------------------

/// `mult rs, rt`: HI:LO = rs × rt (signed 64-bit product).
pub const fn mult(rs: u32, rt: u32) -> u32 {
    special(rs, rt, 0, 0x18)
}

/// `multu rs, rt`: HI:LO = rs × rt (unsigned).
pub const fn multu(rs: u32, rt: u32) -> u32 {
    special(rs, rt, 0, 0x19)
}

/// `div rs, rt`: LO = rs / rt, HI = rs % rt (signed; UNPREDICTABLE when rt = 0, no exception).
/// The two-operand machine form, as `div $zero, rs, rt` in GNU syntax.
pub const fn div(rs: u32, rt: u32) -> u32 {
    special(rs, rt, 0, 0x1a)
}

/// `divu rs, rt`: LO = rs / rt, HI = rs % rt (unsigned; UNPREDICTABLE when rt = 0).
pub const fn divu(rs: u32, rt: u32) -> u32 {
    special(rs, rt, 0, 0x1b)
}

/// `mul rd, rs, rt`: rd = low 32 bits of rs × rt (SPECIAL2; HI and LO are UNPREDICTABLE after).
pub const fn mul(rd: u32, rs: u32, rt: u32) -> u32 {
    rtype(op::SPECIAL2, rs, rt, rd, 0, 0x02)
}

/// `madd rs, rt`: HI:LO += rs × rt (signed).
pub const fn madd(rs: u32, rt: u32) -> u32 {
    rtype(op::SPECIAL2, rs, rt, 0, 0, 0x00)
}

/// `maddu rs, rt`: HI:LO += rs × rt (unsigned).
pub const fn maddu(rs: u32, rt: u32) -> u32 {
    rtype(op::SPECIAL2, rs, rt, 0, 0, 0x01)
}

/// `msub rs, rt`: HI:LO −= rs × rt (signed).
pub const fn msub(rs: u32, rt: u32) -> u32 {
    rtype(op::SPECIAL2, rs, rt, 0, 0, 0x04)
}

/// `msubu rs, rt`: HI:LO −= rs × rt (unsigned).
pub const fn msubu(rs: u32, rt: u32) -> u32 {
    rtype(op::SPECIAL2, rs, rt, 0, 0, 0x05)
}

/// `mfhi rd`: rd = HI.
pub const fn mfhi(rd: u32) -> u32 {
    special(0, 0, rd, 0x10)
}

/// `mthi rs`: HI = rs.
pub const fn mthi(rs: u32) -> u32 {
    special(rs, 0, 0, 0x11)
}

/// `mflo rd`: rd = LO.
pub const fn mflo(rd: u32) -> u32 {
    special(0, 0, rd, 0x12)
}

/// `mtlo rs`: LO = rs.
pub const fn mtlo(rs: u32) -> u32 {
    special(rs, 0, 0, 0x13)
}

// ---------------------------------------------------------------------------------------------
// Bit manipulation and conditional moves
// ---------------------------------------------------------------------------------------------

/// `clz rd, rs`: count leading zeros (32 for 0). The rt field repeats rd, as the ISA requires.
pub const fn clz(rd: u32, rs: u32) -> u32 {
    rtype(op::SPECIAL2, rs, rd, rd, 0, 0x20)
}

/// `clo rd, rs`: count leading ones (32 for 0xFFFF_FFFF). The rt field repeats rd.
pub const fn clo(rd: u32, rs: u32) -> u32 {
    rtype(op::SPECIAL2, rs, rd, rd, 0, 0x21)
}

/// `seb rd, rt`: sign-extend the low byte (release 2).
pub const fn seb(rd: u32, rt: u32) -> u32 {
    rtype(op::SPECIAL3, 0, rt, rd, 0x10, 0x20)
}

/// `seh rd, rt`: sign-extend the low halfword (release 2).
pub const fn seh(rd: u32, rt: u32) -> u32 {
    rtype(op::SPECIAL3, 0, rt, rd, 0x18, 0x20)
}

/// `wsbh rd, rt`: swap the bytes within each halfword (release 2).
pub const fn wsbh(rd: u32, rt: u32) -> u32 {
    rtype(op::SPECIAL3, 0, rt, rd, 0x02, 0x20)
}

/// `ext rt, rs, pos, size`: rt = zero-extended rs[pos + size − 1 .. pos] (release 2).
/// Requires `size >= 1` and `pos + size <= 32`.
pub const fn ext(rt: u32, rs: u32, pos: u32, size: u32) -> u32 {
    assert!(size >= 1 && pos < 32 && pos + size <= 32, "ext: field outside the word");
    rtype(op::SPECIAL3, rs, rt, size - 1, pos, 0x00)
}

/// `ins rt, rs, pos, size`: rt[pos + size − 1 .. pos] = rs[size − 1 .. 0], other bits of rt kept
/// (release 2). Requires `size >= 1` and `pos + size <= 32`.
pub const fn ins(rt: u32, rs: u32, pos: u32, size: u32) -> u32 {
    assert!(size >= 1 && pos < 32 && pos + size <= 32, "ins: field outside the word");
    rtype(op::SPECIAL3, rs, rt, pos + size - 1, pos, 0x04)
}

/// `movn rd, rs, rt`: rd = rs if rt ≠ 0.
pub const fn movn(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x0b)
}

/// `movz rd, rs, rt`: rd = rs if rt = 0.
pub const fn movz(rd: u32, rs: u32, rt: u32) -> u32 {
    special(rs, rt, rd, 0x0a)
}

// ---------------------------------------------------------------------------------------------
// Branches (offsets in instructions, relative to the delay slot)
// ---------------------------------------------------------------------------------------------

/// `beq rs, rt, offset`: branch if rs = rt.
pub const fn beq(rs: u32, rt: u32, offset: i16) -> u32 {
    itype(op::BEQ, rs, rt, offset as u16)
}

/// `bne rs, rt, offset`: branch if rs ≠ rt.
pub const fn bne(rs: u32, rt: u32, offset: i16) -> u32 {
    itype(op::BNE, rs, rt, offset as u16)
}

/// `blez rs, offset`: branch if rs ≤ 0.
pub const fn blez(rs: u32, offset: i16) -> u32 {
    itype(op::BLEZ, rs, 0, offset as u16)
}

/// `bgtz rs, offset`: branch if rs > 0.
pub const fn bgtz(rs: u32, offset: i16) -> u32 {
    itype(op::BGTZ, rs, 0, offset as u16)
}

/// `beql rs, rt, offset`: branch likely if rs = rt; the delay slot is nullified if not taken.
pub const fn beql(rs: u32, rt: u32, offset: i16) -> u32 {
    itype(op::BEQL, rs, rt, offset as u16)
}

/// `bnel rs, rt, offset`: branch likely if rs ≠ rt.
pub const fn bnel(rs: u32, rt: u32, offset: i16) -> u32 {
    itype(op::BNEL, rs, rt, offset as u16)
}

/// `blezl rs, offset`: branch likely if rs ≤ 0.
pub const fn blezl(rs: u32, offset: i16) -> u32 {
    itype(op::BLEZL, rs, 0, offset as u16)
}

/// `bgtzl rs, offset`: branch likely if rs > 0.
pub const fn bgtzl(rs: u32, offset: i16) -> u32 {
    itype(op::BGTZL, rs, 0, offset as u16)
}

/// `bltz rs, offset`: branch if rs < 0.
pub const fn bltz(rs: u32, offset: i16) -> u32 {
    regimm(rs, 0x00, offset as u16)
}

/// `bgez rs, offset`: branch if rs ≥ 0.
pub const fn bgez(rs: u32, offset: i16) -> u32 {
    regimm(rs, 0x01, offset as u16)
}

/// `bltzl rs, offset`: branch likely if rs < 0.
pub const fn bltzl(rs: u32, offset: i16) -> u32 {
    regimm(rs, 0x02, offset as u16)
}

/// `bgezl rs, offset`: branch likely if rs ≥ 0.
pub const fn bgezl(rs: u32, offset: i16) -> u32 {
    regimm(rs, 0x03, offset as u16)
}

/// `bltzal rs, offset`: $ra = address after the delay slot; branch if rs < 0.
/// (rs = $ra is UNPREDICTABLE.)
pub const fn bltzal(rs: u32, offset: i16) -> u32 {
    regimm(rs, 0x10, offset as u16)
}

/// `bgezal rs, offset`: $ra = address after the delay slot; branch if rs ≥ 0.
/// (`bgezal $zero, offset` is `bal offset`.)
pub const fn bgezal(rs: u32, offset: i16) -> u32 {
    regimm(rs, 0x11, offset as u16)
}

/// `bltzall rs, offset`: link, branch likely if rs < 0.
pub const fn bltzall(rs: u32, offset: i16) -> u32 {
    regimm(rs, 0x12, offset as u16)
}

/// `bgezall rs, offset`: link, branch likely if rs ≥ 0.
pub const fn bgezall(rs: u32, offset: i16) -> u32 {
    regimm(rs, 0x13, offset as u16)
}

/// `b offset`: unconditional branch (`beq $zero, $zero, offset`).
pub const fn b(offset: i16) -> u32 {
    beq(ZERO, ZERO, offset)
}

/// `bal offset`: branch and link (`bgezal $zero, offset`).
pub const fn bal(offset: i16) -> u32 {
    bgezal(ZERO, offset)
}

// ---------------------------------------------------------------------------------------------
// Jumps
// ---------------------------------------------------------------------------------------------

/// The 26-bit target field of `j`/`jal`: bits 27..2 of a word-aligned target address.
const fn target26(target: u32) -> u32 {
    assert!(target & 3 == 0, "jump target must be word aligned");
    (target >> 2) & 0x03ff_ffff
}

/// `j target`: jump within the current 256 MB region (target's bits 31..28 must equal those of
/// the delay slot's address; only bits 27..2 are encoded).
pub const fn j(target: u32) -> u32 {
    op::J << 26 | target26(target)
}

/// `jal target`: $ra = address after the delay slot; jump as [`j`].
pub const fn jal(target: u32) -> u32 {
    op::JAL << 26 | target26(target)
}

/// `jr rs`: jump to the address in rs.
pub const fn jr(rs: u32) -> u32 {
    special(rs, 0, 0, 0x08)
}

/// `jr.hb rs`: jump register, clearing execution and instruction hazards (hint bit 10).
pub const fn jr_hb(rs: u32) -> u32 {
    jr(rs) | 1 << 10
}

/// `jalr rd, rs`: rd = address after the delay slot; jump to rs (rd = rs is UNPREDICTABLE).
/// The assembler's one-operand `jalr rs` is `jalr(RA, rs)`.
pub const fn jalr(rd: u32, rs: u32) -> u32 {
    special(rs, 0, rd, 0x09)
}

/// `jalr.hb rd, rs`: jump and link register, clearing hazards (hint bit 10).
pub const fn jalr_hb(rd: u32, rs: u32) -> u32 {
    jalr(rd, rs) | 1 << 10
}

// ---------------------------------------------------------------------------------------------
// Loads and stores (offset is the signed 16-bit displacement from base)
// ---------------------------------------------------------------------------------------------

/// `lb rt, offset(base)`: load byte, sign-extended.
pub const fn lb(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::LB, base, rt, offset as u16)
}

/// `lbu rt, offset(base)`: load byte, zero-extended.
pub const fn lbu(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::LBU, base, rt, offset as u16)
}

/// `lh rt, offset(base)`: load halfword, sign-extended (address must be 2-aligned).
pub const fn lh(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::LH, base, rt, offset as u16)
}

/// `lhu rt, offset(base)`: load halfword, zero-extended (address must be 2-aligned).
pub const fn lhu(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::LHU, base, rt, offset as u16)
}

/// `lw rt, offset(base)`: load word (address must be 4-aligned).
pub const fn lw(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::LW, base, rt, offset as u16)
}

/// `lwl rt, offset(base)`: load word left (the high-order bytes of an unaligned word).
pub const fn lwl(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::LWL, base, rt, offset as u16)
}

/// `lwr rt, offset(base)`: load word right (the low-order bytes of an unaligned word).
pub const fn lwr(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::LWR, base, rt, offset as u16)
}

/// `sb rt, offset(base)`: store the low byte of rt.
pub const fn sb(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::SB, base, rt, offset as u16)
}

/// `sh rt, offset(base)`: store the low halfword of rt (address must be 2-aligned).
pub const fn sh(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::SH, base, rt, offset as u16)
}

/// `sw rt, offset(base)`: store word (address must be 4-aligned).
pub const fn sw(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::SW, base, rt, offset as u16)
}

/// `swl rt, offset(base)`: store word left (the high-order bytes of an unaligned word).
pub const fn swl(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::SWL, base, rt, offset as u16)
}

/// `swr rt, offset(base)`: store word right (the low-order bytes of an unaligned word).
pub const fn swr(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::SWR, base, rt, offset as u16)
}

/// `ll rt, offset(base)`: load linked word.
pub const fn ll(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::LL, base, rt, offset as u16)
}

/// `sc rt, offset(base)`: store conditional word; rt = 1 if it stored, 0 if not.
pub const fn sc(rt: u32, offset: i16, base: u32) -> u32 {
    itype(op::SC, base, rt, offset as u16)
}

// ---------------------------------------------------------------------------------------------
// Memory ordering, caches, hints
// ---------------------------------------------------------------------------------------------

/// `sync stype`: order memory accesses (`sync` is `sync(0)`).
pub const fn sync(stype: u32) -> u32 {
    rtype(op::SPECIAL, 0, 0, 0, stype, 0x0f)
}

/// `pref hint, offset(base)`: prefetch hint (no architectural effect).
pub const fn pref(hint: u32, offset: i16, base: u32) -> u32 {
    itype(op::PREF, base, f5(hint), offset as u16)
}

/// `cache op, offset(base)`: cache maintenance (privileged).
pub const fn cache(cache_op: u32, offset: i16, base: u32) -> u32 {
    itype(op::CACHE, base, f5(cache_op), offset as u16)
}

/// `nop` (`sll $0, $0, 0`).
pub const fn nop() -> u32 {
    0
}

/// `ssnop` (`sll $0, $0, 1`): superscalar no-op.
pub const fn ssnop() -> u32 {
    sll(ZERO, ZERO, 1)
}

/// `ehb` (`sll $0, $0, 3`): execution hazard barrier (release 2).
pub const fn ehb() -> u32 {
    sll(ZERO, ZERO, 3)
}

// ---------------------------------------------------------------------------------------------
// System calls, breakpoints, traps
// ---------------------------------------------------------------------------------------------

/// `syscall code`: System Call exception; `code` is the 20-bit field in bits 25..6 (the kernel
/// ignores it; `syscall` is `syscall(0)`).
pub const fn syscall(code: u32) -> u32 {
    assert!(code < 1 << 20, "syscall: code does not fit 20 bits");
    code << 6 | 0x0c
}

/// `break code`: Breakpoint exception. `code` is the 10-bit code as the assembler's one-operand
/// form takes it, encoded in bits 25..16 (Linux reads 7 as divide by zero, 6 as overflow).
pub const fn break_(code: u32) -> u32 {
    assert!(code < 1 << 10, "break: code does not fit 10 bits");
    code << 16 | 0x0d
}

/// `sdbbp code`: software debug breakpoint (EJTAG; 20-bit code in bits 25..6).
pub const fn sdbbp(code: u32) -> u32 {
    assert!(code < 1 << 20, "sdbbp: code does not fit 20 bits");
    op::SPECIAL2 << 26 | code << 6 | 0x3f
}

/// The 10-bit code field of the register-register traps (bits 15..6).
const fn trap(rs: u32, rt: u32, code: u32, funct: u32) -> u32 {
    assert!(code < 1 << 10, "trap: code does not fit 10 bits");
    op::SPECIAL << 26 | r(rs) << 21 | r(rt) << 16 | code << 6 | funct
}

/// `tge rs, rt, code`: Trap exception if rs ≥ rt (signed).
pub const fn tge(rs: u32, rt: u32, code: u32) -> u32 {
    trap(rs, rt, code, 0x30)
}

/// `tgeu rs, rt, code`: trap if rs ≥ rt (unsigned).
pub const fn tgeu(rs: u32, rt: u32, code: u32) -> u32 {
    trap(rs, rt, code, 0x31)
}

/// `tlt rs, rt, code`: trap if rs < rt (signed).
pub const fn tlt(rs: u32, rt: u32, code: u32) -> u32 {
    trap(rs, rt, code, 0x32)
}

/// `tltu rs, rt, code`: trap if rs < rt (unsigned).
pub const fn tltu(rs: u32, rt: u32, code: u32) -> u32 {
    trap(rs, rt, code, 0x33)
}

/// `teq rs, rt, code`: trap if rs = rt (compilers emit `teq $divisor, $zero, 7` after a
/// division).
pub const fn teq(rs: u32, rt: u32, code: u32) -> u32 {
    trap(rs, rt, code, 0x34)
}

/// `tne rs, rt, code`: trap if rs ≠ rt.
pub const fn tne(rs: u32, rt: u32, code: u32) -> u32 {
    trap(rs, rt, code, 0x36)
}

/// `tgei rs, imm`: trap if rs ≥ sign-extended imm (signed).
pub const fn tgei(rs: u32, imm: i16) -> u32 {
    regimm(rs, 0x08, imm as u16)
}

/// `tgeiu rs, imm`: trap if rs ≥ sign-extended imm, compared unsigned.
pub const fn tgeiu(rs: u32, imm: i16) -> u32 {
    regimm(rs, 0x09, imm as u16)
}

/// `tlti rs, imm`: trap if rs < sign-extended imm (signed).
pub const fn tlti(rs: u32, imm: i16) -> u32 {
    regimm(rs, 0x0a, imm as u16)
}

/// `tltiu rs, imm`: trap if rs < sign-extended imm, compared unsigned.
pub const fn tltiu(rs: u32, imm: i16) -> u32 {
    regimm(rs, 0x0b, imm as u16)
}

/// `teqi rs, imm`: trap if rs = sign-extended imm.
pub const fn teqi(rs: u32, imm: i16) -> u32 {
    regimm(rs, 0x0c, imm as u16)
}

/// `tnei rs, imm`: trap if rs ≠ sign-extended imm.
pub const fn tnei(rs: u32, imm: i16) -> u32 {
    regimm(rs, 0x0e, imm as u16)
}

// ---------------------------------------------------------------------------------------------
// Coprocessor 0 and privileged instructions
// ---------------------------------------------------------------------------------------------

/// `mfc0 rt, rd, sel`: rt = CP0 register rd, select sel.
pub const fn mfc0(rt: u32, rd: u32, sel: u32) -> u32 {
    assert!(sel < 8, "mfc0: select out of range 0..=7");
    op::COP0 << 26 | r(rt) << 16 | r(rd) << 11 | sel
}

/// `mtc0 rt, rd, sel`: CP0 register rd, select sel = rt.
pub const fn mtc0(rt: u32, rd: u32, sel: u32) -> u32 {
    assert!(sel < 8, "mtc0: select out of range 0..=7");
    op::COP0 << 26 | 0x04 << 21 | r(rt) << 16 | r(rd) << 11 | sel
}

/// `di rt`: rt = Status; Status.IE = 0 (release 2; `di` alone is `di(ZERO)`).
pub const fn di(rt: u32) -> u32 {
    op::COP0 << 26 | 0x0b << 21 | r(rt) << 16 | 12 << 11
}

/// `ei rt`: rt = Status; Status.IE = 1 (release 2).
pub const fn ei(rt: u32) -> u32 {
    di(rt) | 1 << 5
}

/// `rdhwr rt, rd`: rt = hardware register rd (0 CPUNum, 1 SYNCI_Step, 2 CC, 3 CCRes,
/// 29 UserLocal; release 2).
pub const fn rdhwr(rt: u32, rd: u32) -> u32 {
    rtype(op::SPECIAL3, 0, rt, rd, 0, 0x3b)
}

/// `tlbr`: read the TLB entry at Index into EntryHi, EntryLo0/1 and PageMask.
pub const fn tlbr() -> u32 {
    cop0_co(0x01)
}

/// `tlbwi`: write the TLB entry at Index.
pub const fn tlbwi() -> u32 {
    cop0_co(0x02)
}

/// `tlbwr`: write the TLB entry at Random.
pub const fn tlbwr() -> u32 {
    cop0_co(0x06)
}

/// `tlbp`: probe the TLB for EntryHi; Index = the match, or P (bit 31) set.
pub const fn tlbp() -> u32 {
    cop0_co(0x08)
}

/// `eret`: return from exception (no delay slot).
pub const fn eret() -> u32 {
    cop0_co(0x18)
}

/// `wait`: stop until an interrupt.
pub const fn wait() -> u32 {
    cop0_co(0x20)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every encoder against the word LLVM's assembler produces for the same instruction
    /// (`llvm-mc -triple=mipsel -mcpu=mips32r2 -show-encoding`, release 22).
    const LLVM_MC: &[(u32, u32, &str)] = &[
        (add(T0, A1, RA), 0x00bf_4020, "add $8, $5, $31"),
        (add(RA, ZERO, S7), 0x0017_f820, "add $31, $0, $23"),
        (addu(T0, A1, RA), 0x00bf_4021, "addu $8, $5, $31"),
        (addu(RA, ZERO, S7), 0x0017_f821, "addu $31, $0, $23"),
        (sub(T0, A1, RA), 0x00bf_4022, "sub $8, $5, $31"),
        (sub(RA, ZERO, S7), 0x0017_f822, "sub $31, $0, $23"),
        (subu(T0, A1, RA), 0x00bf_4023, "subu $8, $5, $31"),
        (subu(RA, ZERO, S7), 0x0017_f823, "subu $31, $0, $23"),
        (and(T0, A1, RA), 0x00bf_4024, "and $8, $5, $31"),
        (and(RA, ZERO, S7), 0x0017_f824, "and $31, $0, $23"),
        (or(T0, A1, RA), 0x00bf_4025, "or $8, $5, $31"),
        (or(RA, ZERO, S7), 0x0017_f825, "or $31, $0, $23"),
        (xor(T0, A1, RA), 0x00bf_4026, "xor $8, $5, $31"),
        (xor(RA, ZERO, S7), 0x0017_f826, "xor $31, $0, $23"),
        (nor(T0, A1, RA), 0x00bf_4027, "nor $8, $5, $31"),
        (nor(RA, ZERO, S7), 0x0017_f827, "nor $31, $0, $23"),
        (slt(T0, A1, RA), 0x00bf_402a, "slt $8, $5, $31"),
        (slt(RA, ZERO, S7), 0x0017_f82a, "slt $31, $0, $23"),
        (sltu(T0, A1, RA), 0x00bf_402b, "sltu $8, $5, $31"),
        (sltu(RA, ZERO, S7), 0x0017_f82b, "sltu $31, $0, $23"),
        (movn(T0, A1, RA), 0x00bf_400b, "movn $8, $5, $31"),
        (movn(RA, ZERO, S7), 0x0017_f80b, "movn $31, $0, $23"),
        (movz(T0, A1, RA), 0x00bf_400a, "movz $8, $5, $31"),
        (movz(RA, ZERO, S7), 0x0017_f80a, "movz $31, $0, $23"),
        (mul(T0, A1, RA), 0x70bf_4002, "mul $8, $5, $31"),
        (mul(RA, ZERO, S7), 0x7017_f802, "mul $31, $0, $23"),
        (addi(T1, A2, -32768), 0x20c9_8000, "addi $9, $6, -32768"),
        (addi(RA, SP, 0x7fff), 0x23bf_7fff, "addi $31, $29, 32767"),
        (addi(V0, V1, -1), 0x2062_ffff, "addi $2, $3, -1"),
        (addiu(T1, A2, -32768), 0x24c9_8000, "addiu $9, $6, -32768"),
        (addiu(RA, SP, 0x7fff), 0x27bf_7fff, "addiu $31, $29, 32767"),
        (addiu(V0, V1, -1), 0x2462_ffff, "addiu $2, $3, -1"),
        (slti(T1, A2, -32768), 0x28c9_8000, "slti $9, $6, -32768"),
        (slti(RA, SP, 0x7fff), 0x2bbf_7fff, "slti $31, $29, 32767"),
        (slti(V0, V1, -1), 0x2862_ffff, "slti $2, $3, -1"),
        (sltiu(T1, A2, -32768), 0x2cc9_8000, "sltiu $9, $6, -32768"),
        (sltiu(RA, SP, 0x7fff), 0x2fbf_7fff, "sltiu $31, $29, 32767"),
        (sltiu(V0, V1, -1), 0x2c62_ffff, "sltiu $2, $3, -1"),
        (andi(T1, A2, 0xffff), 0x30c9_ffff, "andi $9, $6, 65535"),
        (andi(RA, S0, 0x1234), 0x321f_1234, "andi $31, $16, 0x1234"),
        (ori(T1, A2, 0xffff), 0x34c9_ffff, "ori $9, $6, 65535"),
        (ori(RA, S0, 0x1234), 0x361f_1234, "ori $31, $16, 0x1234"),
        (xori(T1, A2, 0xffff), 0x38c9_ffff, "xori $9, $6, 65535"),
        (xori(RA, S0, 0x1234), 0x3a1f_1234, "xori $31, $16, 0x1234"),
        (lui(A0, 0xffff), 0x3c04_ffff, "lui $4, 0xffff"),
        (lui(RA, 0x8000), 0x3c1f_8000, "lui $31, 0x8000"),
        (sll(T0, A1, 0), 0x0005_4000, "sll $8, $5, 0"),
        (sll(RA, S7, 31), 0x0017_ffc0, "sll $31, $23, 31"),
        (sll(V0, V1, 17), 0x0003_1440, "sll $2, $3, 17"),
        (srl(T0, A1, 0), 0x0005_4002, "srl $8, $5, 0"),
        (srl(RA, S7, 31), 0x0017_ffc2, "srl $31, $23, 31"),
        (srl(V0, V1, 17), 0x0003_1442, "srl $2, $3, 17"),
        (sra(T0, A1, 0), 0x0005_4003, "sra $8, $5, 0"),
        (sra(RA, S7, 31), 0x0017_ffc3, "sra $31, $23, 31"),
        (sra(V0, V1, 17), 0x0003_1443, "sra $2, $3, 17"),
        (rotr(T0, A1, 0), 0x0025_4002, "rotr $8, $5, 0"),
        (rotr(RA, S7, 31), 0x0037_ffc2, "rotr $31, $23, 31"),
        (rotr(V0, V1, 17), 0x0023_1442, "rotr $2, $3, 17"),
        (sllv(T0, A1, RA), 0x03e5_4004, "sllv $8, $5, $31"),
        (sllv(RA, S7, V0), 0x0057_f804, "sllv $31, $23, $2"),
        (srlv(T0, A1, RA), 0x03e5_4006, "srlv $8, $5, $31"),
        (srlv(RA, S7, V0), 0x0057_f806, "srlv $31, $23, $2"),
        (srav(T0, A1, RA), 0x03e5_4007, "srav $8, $5, $31"),
        (srav(RA, S7, V0), 0x0057_f807, "srav $31, $23, $2"),
        (rotrv(T0, A1, RA), 0x03e5_4046, "rotrv $8, $5, $31"),
        (rotrv(RA, S7, V0), 0x0057_f846, "rotrv $31, $23, $2"),
        (mult(A1, RA), 0x00bf_0018, "mult $5, $31"),
        (mult(S7, V0), 0x02e2_0018, "mult $23, $2"),
        (multu(A1, RA), 0x00bf_0019, "multu $5, $31"),
        (multu(S7, V0), 0x02e2_0019, "multu $23, $2"),
        (div(A1, RA), 0x00bf_001a, "div $0, $5, $31"),
        (div(S7, V0), 0x02e2_001a, "div $0, $23, $2"),
        (divu(A1, RA), 0x00bf_001b, "divu $0, $5, $31"),
        (divu(S7, V0), 0x02e2_001b, "divu $0, $23, $2"),
        (madd(A1, RA), 0x70bf_0000, "madd $5, $31"),
        (madd(S7, V0), 0x72e2_0000, "madd $23, $2"),
        (maddu(A1, RA), 0x70bf_0001, "maddu $5, $31"),
        (maddu(S7, V0), 0x72e2_0001, "maddu $23, $2"),
        (msub(A1, RA), 0x70bf_0004, "msub $5, $31"),
        (msub(S7, V0), 0x72e2_0004, "msub $23, $2"),
        (msubu(A1, RA), 0x70bf_0005, "msubu $5, $31"),
        (msubu(S7, V0), 0x72e2_0005, "msubu $23, $2"),
        (mfhi(A1), 0x0000_2810, "mfhi $5"),
        (mfhi(RA), 0x0000_f810, "mfhi $31"),
        (mflo(A1), 0x0000_2812, "mflo $5"),
        (mflo(RA), 0x0000_f812, "mflo $31"),
        (mthi(A1), 0x00a0_0011, "mthi $5"),
        (mthi(RA), 0x03e0_0011, "mthi $31"),
        (mtlo(A1), 0x00a0_0013, "mtlo $5"),
        (mtlo(RA), 0x03e0_0013, "mtlo $31"),
        (clz(T0, A1), 0x70a8_4020, "clz $8, $5"),
        (clz(RA, S7), 0x72ff_f820, "clz $31, $23"),
        (clo(T0, A1), 0x70a8_4021, "clo $8, $5"),
        (clo(RA, S7), 0x72ff_f821, "clo $31, $23"),
        (seb(T0, A1), 0x7c05_4420, "seb $8, $5"),
        (seb(RA, S7), 0x7c17_fc20, "seb $31, $23"),
        (seh(T0, A1), 0x7c05_4620, "seh $8, $5"),
        (seh(RA, S7), 0x7c17_fe20, "seh $31, $23"),
        (wsbh(T0, A1), 0x7c05_40a0, "wsbh $8, $5"),
        (wsbh(RA, S7), 0x7c17_f8a0, "wsbh $31, $23"),
        (ext(T0, A1, 0, 1), 0x7ca8_0000, "ext $8, $5, 0, 1"),
        (ins(RA, S7, 0, 1), 0x7eff_0004, "ins $31, $23, 0, 1"),
        (ext(T0, A1, 0, 32), 0x7ca8_f800, "ext $8, $5, 0, 32"),
        (ins(RA, S7, 0, 32), 0x7eff_f804, "ins $31, $23, 0, 32"),
        (ext(T0, A1, 31, 1), 0x7ca8_07c0, "ext $8, $5, 31, 1"),
        (ins(RA, S7, 31, 1), 0x7eff_ffc4, "ins $31, $23, 31, 1"),
        (ext(T0, A1, 5, 7), 0x7ca8_3140, "ext $8, $5, 5, 7"),
        (ins(RA, S7, 5, 7), 0x7eff_5944, "ins $31, $23, 5, 7"),
        (ext(T0, A1, 16, 16), 0x7ca8_7c00, "ext $8, $5, 16, 16"),
        (ins(RA, S7, 16, 16), 0x7eff_fc04, "ins $31, $23, 16, 16"),
        (ext(T0, A1, 1, 31), 0x7ca8_f040, "ext $8, $5, 1, 31"),
        (ins(RA, S7, 1, 31), 0x7eff_f844, "ins $31, $23, 1, 31"),
        (beq(A0, A1, 2), 0x1085_0002, "beq $4, $5, 8"),
        (beq(RA, S7, -1), 0x13f7_ffff, "beq $31, $23, -4"),
        (beq(ZERO, T9, -32768), 0x1019_8000, "beq $0, $25, -131072"),
        (beq(T0, T1, 0x7fff), 0x1109_7fff, "beq $8, $9, 131068"),
        (bne(A0, A1, 2), 0x1485_0002, "bne $4, $5, 8"),
        (bne(RA, S7, -1), 0x17f7_ffff, "bne $31, $23, -4"),
        (bne(ZERO, T9, -32768), 0x1419_8000, "bne $0, $25, -131072"),
        (bne(T0, T1, 0x7fff), 0x1509_7fff, "bne $8, $9, 131068"),
        (beql(A0, A1, 2), 0x5085_0002, "beql $4, $5, 8"),
        (beql(RA, S7, -1), 0x53f7_ffff, "beql $31, $23, -4"),
        (beql(ZERO, T9, -32768), 0x5019_8000, "beql $0, $25, -131072"),
        (beql(T0, T1, 0x7fff), 0x5109_7fff, "beql $8, $9, 131068"),
        (bnel(A0, A1, 2), 0x5485_0002, "bnel $4, $5, 8"),
        (bnel(RA, S7, -1), 0x57f7_ffff, "bnel $31, $23, -4"),
        (bnel(ZERO, T9, -32768), 0x5419_8000, "bnel $0, $25, -131072"),
        (bnel(T0, T1, 0x7fff), 0x5509_7fff, "bnel $8, $9, 131068"),
        (blez(A0, 2), 0x1880_0002, "blez $4, 8"),
        (blez(S7, -1), 0x1ae0_ffff, "blez $23, -4"),
        (blez(T9, -32768), 0x1b20_8000, "blez $25, -131072"),
        (bgtz(A0, 2), 0x1c80_0002, "bgtz $4, 8"),
        (bgtz(S7, -1), 0x1ee0_ffff, "bgtz $23, -4"),
        (bgtz(T9, -32768), 0x1f20_8000, "bgtz $25, -131072"),
        (blezl(A0, 2), 0x5880_0002, "blezl $4, 8"),
        (blezl(S7, -1), 0x5ae0_ffff, "blezl $23, -4"),
        (blezl(T9, -32768), 0x5b20_8000, "blezl $25, -131072"),
        (bgtzl(A0, 2), 0x5c80_0002, "bgtzl $4, 8"),
        (bgtzl(S7, -1), 0x5ee0_ffff, "bgtzl $23, -4"),
        (bgtzl(T9, -32768), 0x5f20_8000, "bgtzl $25, -131072"),
        (bltz(A0, 2), 0x0480_0002, "bltz $4, 8"),
        (bltz(S7, -1), 0x06e0_ffff, "bltz $23, -4"),
        (bltz(T9, -32768), 0x0720_8000, "bltz $25, -131072"),
        (bgez(A0, 2), 0x0481_0002, "bgez $4, 8"),
        (bgez(S7, -1), 0x06e1_ffff, "bgez $23, -4"),
        (bgez(T9, -32768), 0x0721_8000, "bgez $25, -131072"),
        (bltzl(A0, 2), 0x0482_0002, "bltzl $4, 8"),
        (bltzl(S7, -1), 0x06e2_ffff, "bltzl $23, -4"),
        (bltzl(T9, -32768), 0x0722_8000, "bltzl $25, -131072"),
        (bgezl(A0, 2), 0x0483_0002, "bgezl $4, 8"),
        (bgezl(S7, -1), 0x06e3_ffff, "bgezl $23, -4"),
        (bgezl(T9, -32768), 0x0723_8000, "bgezl $25, -131072"),
        (bltzal(A0, 2), 0x0490_0002, "bltzal $4, 8"),
        (bltzal(S7, -1), 0x06f0_ffff, "bltzal $23, -4"),
        (bltzal(T9, -32768), 0x0730_8000, "bltzal $25, -131072"),
        (bgezal(A0, 2), 0x0491_0002, "bgezal $4, 8"),
        (bgezal(S7, -1), 0x06f1_ffff, "bgezal $23, -4"),
        (bgezal(T9, -32768), 0x0731_8000, "bgezal $25, -131072"),
        (bltzall(A0, 2), 0x0492_0002, "bltzall $4, 8"),
        (bltzall(S7, -1), 0x06f2_ffff, "bltzall $23, -4"),
        (bltzall(T9, -32768), 0x0732_8000, "bltzall $25, -131072"),
        (bgezall(A0, 2), 0x0493_0002, "bgezall $4, 8"),
        (bgezall(S7, -1), 0x06f3_ffff, "bgezall $23, -4"),
        (bgezall(T9, -32768), 0x0733_8000, "bgezall $25, -131072"),
        (b(5), 0x1000_0005, "b 20"),
        (bal(-3), 0x0411_fffd, "bal -12"),
        (j(0x0040_0100), 0x0810_0040, "j 0x400100"),
        (jal(0x0fff_fffc), 0x0fff_ffff, "jal 0xffffffc"),
        (j(0x8001_0000), 0x0800_4000, "j 0x10000"),
        (jr(RA), 0x03e0_0008, "jr $31"),
        (jr(T9), 0x0320_0008, "jr $25"),
        (jr_hb(A0), 0x0080_0408, "jr.hb $4"),
        (jalr(RA, T9), 0x0320_f809, "jalr $25"),
        (jalr(A0, T2), 0x0140_2009, "jalr $4, $10"),
        (jalr_hb(RA, A1), 0x00a0_fc09, "jalr.hb $5"),
        (jalr_hb(V0, A1), 0x00a0_1409, "jalr.hb $2, $5"),
        (lb(T0, -32768, A1), 0x80a8_8000, "lb $8, -32768($5)"),
        (lb(RA, 32767, SP), 0x83bf_7fff, "lb $31, 32767($29)"),
        (lb(V0, 3, ZERO), 0x8002_0003, "lb $2, 3($0)"),
        (lbu(T0, -32768, A1), 0x90a8_8000, "lbu $8, -32768($5)"),
        (lbu(RA, 32767, SP), 0x93bf_7fff, "lbu $31, 32767($29)"),
        (lbu(V0, 3, ZERO), 0x9002_0003, "lbu $2, 3($0)"),
        (lh(T0, -32768, A1), 0x84a8_8000, "lh $8, -32768($5)"),
        (lh(RA, 32767, SP), 0x87bf_7fff, "lh $31, 32767($29)"),
        (lh(V0, 3, ZERO), 0x8402_0003, "lh $2, 3($0)"),
        (lhu(T0, -32768, A1), 0x94a8_8000, "lhu $8, -32768($5)"),
        (lhu(RA, 32767, SP), 0x97bf_7fff, "lhu $31, 32767($29)"),
        (lhu(V0, 3, ZERO), 0x9402_0003, "lhu $2, 3($0)"),
        (lw(T0, -32768, A1), 0x8ca8_8000, "lw $8, -32768($5)"),
        (lw(RA, 32767, SP), 0x8fbf_7fff, "lw $31, 32767($29)"),
        (lw(V0, 3, ZERO), 0x8c02_0003, "lw $2, 3($0)"),
        (lwl(T0, -32768, A1), 0x88a8_8000, "lwl $8, -32768($5)"),
        (lwl(RA, 32767, SP), 0x8bbf_7fff, "lwl $31, 32767($29)"),
        (lwl(V0, 3, ZERO), 0x8802_0003, "lwl $2, 3($0)"),
        (lwr(T0, -32768, A1), 0x98a8_8000, "lwr $8, -32768($5)"),
        (lwr(RA, 32767, SP), 0x9bbf_7fff, "lwr $31, 32767($29)"),
        (lwr(V0, 3, ZERO), 0x9802_0003, "lwr $2, 3($0)"),
        (sb(T0, -32768, A1), 0xa0a8_8000, "sb $8, -32768($5)"),
        (sb(RA, 32767, SP), 0xa3bf_7fff, "sb $31, 32767($29)"),
        (sb(V0, 3, ZERO), 0xa002_0003, "sb $2, 3($0)"),
        (sh(T0, -32768, A1), 0xa4a8_8000, "sh $8, -32768($5)"),
        (sh(RA, 32767, SP), 0xa7bf_7fff, "sh $31, 32767($29)"),
        (sh(V0, 3, ZERO), 0xa402_0003, "sh $2, 3($0)"),
        (sw(T0, -32768, A1), 0xaca8_8000, "sw $8, -32768($5)"),
        (sw(RA, 32767, SP), 0xafbf_7fff, "sw $31, 32767($29)"),
        (sw(V0, 3, ZERO), 0xac02_0003, "sw $2, 3($0)"),
        (swl(T0, -32768, A1), 0xa8a8_8000, "swl $8, -32768($5)"),
        (swl(RA, 32767, SP), 0xabbf_7fff, "swl $31, 32767($29)"),
        (swl(V0, 3, ZERO), 0xa802_0003, "swl $2, 3($0)"),
        (swr(T0, -32768, A1), 0xb8a8_8000, "swr $8, -32768($5)"),
        (swr(RA, 32767, SP), 0xbbbf_7fff, "swr $31, 32767($29)"),
        (swr(V0, 3, ZERO), 0xb802_0003, "swr $2, 3($0)"),
        (ll(T0, -32768, A1), 0xc0a8_8000, "ll $8, -32768($5)"),
        (ll(RA, 32767, SP), 0xc3bf_7fff, "ll $31, 32767($29)"),
        (ll(V0, 3, ZERO), 0xc002_0003, "ll $2, 3($0)"),
        (sc(T0, -32768, A1), 0xe0a8_8000, "sc $8, -32768($5)"),
        (sc(RA, 32767, SP), 0xe3bf_7fff, "sc $31, 32767($29)"),
        (sc(V0, 3, ZERO), 0xe002_0003, "sc $2, 3($0)"),
        (sync(0), 0x0000_000f, "sync"),
        (sync(3), 0x0000_00cf, "sync 3"),
        (sync(0x13), 0x0000_04cf, "sync 0x13"),
        (pref(5, -4, A2), 0xccc5_fffc, "pref 5, -4($6)"),
        (pref(31, 100, RA), 0xcfff_0064, "pref 31, 100($31)"),
        (cache(0x14, 8, A0), 0xbc94_0008, "cache 0x14, 8($4)"),
        (cache(0x1f, -1, K0), 0xbf5f_ffff, "cache 0x1f, -1($26)"),
        (nop(), 0x0000_0000, "nop"),
        (ssnop(), 0x0000_0040, "ssnop"),
        (ehb(), 0x0000_00c0, "ehb"),
        (syscall(0), 0x0000_000c, "syscall"),
        (syscall(5), 0x0000_014c, "syscall 5"),
        (syscall(0xfffff), 0x03ff_ffcc, "syscall 0xfffff"),
        (break_(0), 0x0000_000d, "break"),
        (break_(7), 0x0007_000d, "break 7"),
        (break_(0x3ff), 0x03ff_000d, "break 0x3ff"),
        (sdbbp(0), 0x7000_003f, "sdbbp"),
        (sdbbp(0x12345), 0x7048_d17f, "sdbbp 0x12345"),
        (tge(A0, A1, 0), 0x0085_0030, "tge $4, $5"),
        (tge(RA, ZERO, 7), 0x03e0_01f0, "tge $31, $0, 7"),
        (tge(S7, T9, 0x3ff), 0x02f9_fff0, "tge $23, $25, 0x3ff"),
        (tgeu(A0, A1, 0), 0x0085_0031, "tgeu $4, $5"),
        (tgeu(RA, ZERO, 7), 0x03e0_01f1, "tgeu $31, $0, 7"),
        (tgeu(S7, T9, 0x3ff), 0x02f9_fff1, "tgeu $23, $25, 0x3ff"),
        (tlt(A0, A1, 0), 0x0085_0032, "tlt $4, $5"),
        (tlt(RA, ZERO, 7), 0x03e0_01f2, "tlt $31, $0, 7"),
        (tlt(S7, T9, 0x3ff), 0x02f9_fff2, "tlt $23, $25, 0x3ff"),
        (tltu(A0, A1, 0), 0x0085_0033, "tltu $4, $5"),
        (tltu(RA, ZERO, 7), 0x03e0_01f3, "tltu $31, $0, 7"),
        (tltu(S7, T9, 0x3ff), 0x02f9_fff3, "tltu $23, $25, 0x3ff"),
        (teq(A0, A1, 0), 0x0085_0034, "teq $4, $5"),
        (teq(RA, ZERO, 7), 0x03e0_01f4, "teq $31, $0, 7"),
        (teq(S7, T9, 0x3ff), 0x02f9_fff4, "teq $23, $25, 0x3ff"),
        (tne(A0, A1, 0), 0x0085_0036, "tne $4, $5"),
        (tne(RA, ZERO, 7), 0x03e0_01f6, "tne $31, $0, 7"),
        (tne(S7, T9, 0x3ff), 0x02f9_fff6, "tne $23, $25, 0x3ff"),
        (tgei(A0, -1), 0x0488_ffff, "tgei $4, -1"),
        (tgei(RA, 0x7fff), 0x07e8_7fff, "tgei $31, 32767"),
        (tgei(S7, -32768), 0x06e8_8000, "tgei $23, -32768"),
        (tgeiu(A0, -1), 0x0489_ffff, "tgeiu $4, -1"),
        (tgeiu(RA, 0x7fff), 0x07e9_7fff, "tgeiu $31, 32767"),
        (tgeiu(S7, -32768), 0x06e9_8000, "tgeiu $23, -32768"),
        (tlti(A0, -1), 0x048a_ffff, "tlti $4, -1"),
        (tlti(RA, 0x7fff), 0x07ea_7fff, "tlti $31, 32767"),
        (tlti(S7, -32768), 0x06ea_8000, "tlti $23, -32768"),
        (tltiu(A0, -1), 0x048b_ffff, "tltiu $4, -1"),
        (tltiu(RA, 0x7fff), 0x07eb_7fff, "tltiu $31, 32767"),
        (tltiu(S7, -32768), 0x06eb_8000, "tltiu $23, -32768"),
        (teqi(A0, -1), 0x048c_ffff, "teqi $4, -1"),
        (teqi(RA, 0x7fff), 0x07ec_7fff, "teqi $31, 32767"),
        (teqi(S7, -32768), 0x06ec_8000, "teqi $23, -32768"),
        (tnei(A0, -1), 0x048e_ffff, "tnei $4, -1"),
        (tnei(RA, 0x7fff), 0x07ee_7fff, "tnei $31, 32767"),
        (tnei(S7, -32768), 0x06ee_8000, "tnei $23, -32768"),
        (mfc0(A0, 12, 0), 0x4004_6000, "mfc0 $4, $12, 0"),
        (mfc0(RA, 15, 1), 0x401f_7801, "mfc0 $31, $15, 1"),
        (mfc0(K0, 31, 7), 0x401a_f807, "mfc0 $26, $31, 7"),
        (mtc0(A0, 16, 1), 0x4084_8001, "mtc0 $4, $16, 1"),
        (mtc0(K1, 14, 0), 0x409b_7000, "mtc0 $27, $14, 0"),
        (mtc0(ZERO, 0, 7), 0x4080_0007, "mtc0 $0, $0, 7"),
        (di(ZERO), 0x4160_6000, "di"),
        (di(V1), 0x4163_6000, "di $3"),
        (ei(ZERO), 0x4160_6020, "ei"),
        (ei(RA), 0x417f_6020, "ei $31"),
        (rdhwr(V1, 29), 0x7c03_e83b, "rdhwr $3, $29"),
        (rdhwr(RA, 0), 0x7c1f_003b, "rdhwr $31, $0"),
        (rdhwr(T0, 2), 0x7c08_103b, "rdhwr $8, $2"),
        (tlbr(), 0x4200_0001, "tlbr"),
        (tlbwi(), 0x4200_0002, "tlbwi"),
        (tlbwr(), 0x4200_0006, "tlbwr"),
        (tlbp(), 0x4200_0008, "tlbp"),
        (eret(), 0x4200_0018, "eret"),
        (wait(), 0x4200_0020, "wait"),
    ];

    #[test]
    fn encodings_match_llvm_mc() {
        let mut wrong = Vec::new();
        for &(ours, llvm, text) in LLVM_MC {
            if ours != llvm {
                wrong.push(format!("{text:<28} ours {ours:#010x}, llvm-mc {llvm:#010x}"));
            }
        }
        assert!(wrong.is_empty(), "{} wrong encodings:\n{}", wrong.len(), wrong.join("\n"));
    }

    /// Words taken from `llvm-objdump -d` of compiler output: the `lt-*` test programs in
    /// guests/tests, built by rustc for mipsel-unknown-none and linked by ld.lld.
    #[test]
    fn encodings_match_compiler_output() {
        let cases = [
            (lui(GP, 0x42), 0x3c1c_0042, "lui $gp, 0x42"),
            (addiu(GP, GP, 0x7ff0), 0x279c_7ff0, "addiu $gp, $gp, 0x7ff0"),
            (sw(RA, 0x44, SP), 0xafbf_0044, "sw $ra, 0x44($sp)"),
            (or(S2, A1, ZERO), 0x00a0_9025, "move $18, $5"),
            (lhu(S3, 0x5e, S4), 0x9693_005e, "lhu $19, 0x5e($20)"),
            (beq(V0, ZERO, 0x5b), 0x1040_005b, "beqz $2, (+0x5b words)"),
            (nor(V0, FP, ZERO), 0x03c0_1027, "not $2, $fp"),
            (sll(S6, FP, 2), 0x001e_b080, "sll $22, $fp, 0x2"),
            (srl(V0, A1, 6), 0x0005_1182, "srl $2, $5, 0x6"),
            (movn(AT, A1, V0), 0x00a2_080b, "movn $1, $5, $2"),
            (movz(T0, ZERO, T2), 0x000a_400a, "movz $8, $zero, $10"),
            (jr(RA), 0x03e0_0008, "jr $ra"),
            (j(0x0040_031c), 0x0810_00c7, "j 0x40031c"),
            (jal(0x0040_4d6c), 0x0c10_135b, "jal 0x404d6c"),
            (jalr(RA, T9), 0x0320_f809, "jalr $25"),
            (clz(AT, AT), 0x7021_0820, "clz $1, $1"),
            (multu(V0, S1), 0x0051_0019, "multu $2, $17"),
            (mflo(AT), 0x0000_0812, "mflo $1"),
            (mfhi(V1), 0x0000_1810, "mfhi $3"),
            (mul(A0, S6, S1), 0x72d1_2002, "mul $4, $22, $17"),
            (ext(A2, AT, 8, 8), 0x7c26_3a00, "ext $6, $1, 0x8, 0x8"),
            (ins(A1, AT, 16, 16), 0x7c25_fc04, "ins $5, $1, 0x10, 0x10"),
            (subu(V1, ZERO, S7), 0x0017_1823, "negu $3, $23"),
            (syscall(0), 0x0000_000c, "syscall"),
            (break_(0), 0x0000_000d, "break"),
            (bgez(T0, -10), 0x0501_fff6, "bgez $8, (-10 words)"),
            (seb(AT, V0), 0x7c02_0c20, "seb $1, $2"),
            (seh(AT, T0), 0x7c08_0e20, "seh $1, $8"),
            (wsbh(AT, AT), 0x7c01_08a0, "wsbh $1, $1"),
            (rotr(AT, AT, 16), 0x0021_0c02, "rotr $1, $1, 0x10"),
            (rotrv(A3, V0, V1), 0x0062_3846, "rotrv $7, $2, $3"),
            (srav(A2, V0, V1), 0x0062_3007, "srav $6, $2, $3"),
            (lwl(V1, 4, S5), 0x8aa3_0004, "lwl $3, 0x4($21)"),
            (lwr(V1, 1, S5), 0x9aa3_0001, "lwr $3, 0x1($21)"),
            (swl(AT, 3, V0), 0xa841_0003, "swl $1, 0x3($2)"),
            (swr(AT, 0, V0), 0xb841_0000, "swr $1, 0x0($2)"),
            (divu(A1, A3), 0x00a7_001b, "divu $zero, $5, $7"),
            (teq(A3, ZERO, 7), 0x00e0_01f4, "teq $7, $zero, 0x7"),
            (div(S6, S3), 0x02d3_001a, "div $zero, $22, $19"),
            (madd(V0, AT), 0x7041_0000, "madd $2, $1"),
            (maddu(AT, V1), 0x7023_0001, "maddu $1, $3"),
            (msub(V0, AT), 0x7041_0004, "msub $2, $1"),
            (msubu(V0, AT), 0x7041_0005, "msubu $2, $1"),
            (ll(A0, 0, S0), 0xc204_0000, "ll $4, 0x0($16)"),
            (sc(A3, 0, S0), 0xe207_0000, "sc $7, 0x0($16)"),
            (sync(0), 0x0000_000f, "sync"),
        ];
        for (ours, word, text) in cases {
            assert_eq!(ours, word, "{text}: ours {ours:#010x}, compiler {word:#010x}");
        }
    }

    #[test]
    fn branch_offsets_are_words_after_the_delay_slot() {
        assert_eq!(b(-1) & 0xffff, 0xffff, "a branch to itself");
        assert_eq!(bne(A0, A1, 0x7fff) & 0xffff, 0x7fff);
        assert_eq!(bgezal(ZERO, 1), bal(1));
    }

    #[test]
    fn jumps_keep_bits_27_to_2() {
        assert_eq!(j(0x0040_0000), 0x0810_0000);
        assert_eq!(jal(0x8040_0000), jal(0x0040_0000), "bits 31..28 come from the PC");
    }

    #[test]
    #[should_panic(expected = "register number")]
    fn rejects_a_register_above_31() {
        let _ = addu(32, 0, 0);
    }

    #[test]
    #[should_panic(expected = "5-bit field")]
    fn rejects_a_shift_of_32() {
        let _ = sll(T0, T0, 32);
    }

    #[test]
    #[should_panic(expected = "ext: field")]
    fn rejects_an_ext_past_bit_31() {
        let _ = ext(T0, T1, 8, 25);
    }

    #[test]
    #[should_panic(expected = "ins: field")]
    fn rejects_an_empty_ins() {
        let _ = ins(T0, T1, 8, 0);
    }

    #[test]
    #[should_panic(expected = "word aligned")]
    fn rejects_an_unaligned_jump() {
        let _ = j(0x0040_0002);
    }
}
