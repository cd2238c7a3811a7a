//! Loads and stores: sizes and extension, the partial-word instructions at every byte offset
//! (checked against a byte-by-byte model of the little-endian definition), alignment faults,
//! LL/SC, and code that rewrites itself.

mod common;

use common::{DATA, DATA_PA, T, li, prog};
use mips::asm::*;
use mips::{Bus, ExcCode, Size};

const MEM: [u8; 8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
const REG: u32 = 0xA1B2_C3D4;

fn setup(code: &[u32]) -> T {
    let mut t = T::new(&prog(&[&li(S0, DATA), &li(T0, REG), code]));
    assert!(t.mem.load_bytes(DATA_PA, &MEM));
    t
}

/// The little-endian definition, byte by byte: LWL at byte offset `b` of a word puts memory
/// bytes 0..=b into register bytes (3-b)..=3; LWR puts bytes b..=3 into register bytes 0..=(3-b).
fn model_load(left: bool, b: usize, reg: u32, mem: [u8; 4]) -> u32 {
    let mut r = reg.to_le_bytes();
    if left {
        r[3 - b..].copy_from_slice(&mem[..=b]);
    } else {
        r[..4 - b].copy_from_slice(&mem[b..]);
    }
    u32::from_le_bytes(r)
}

/// SWL at offset `b` stores register bytes (3-b)..=3 into memory bytes 0..=b; SWR stores
/// register bytes 0..=(3-b) into memory bytes b..=3.
fn model_store(left: bool, b: usize, reg: u32, mut mem: [u8; 4]) -> [u8; 4] {
    let r = reg.to_le_bytes();
    if left {
        mem[..=b].copy_from_slice(&r[3 - b..]);
    } else {
        mem[b..].copy_from_slice(&r[..4 - b]);
    }
    mem
}

#[test]
fn byte_and_half_loads_extend() {
    let mut t =
        setup(&[lb(V0, 7, S0), lbu(V1, 7, S0), lh(A0, 6, S0), lhu(A1, 6, S0), lw(A2, 4, S0)]);
    t.run_to_end();
    assert_eq!(t.r(V0 as usize), 0xFFFF_FF88);
    assert_eq!(t.r(V1 as usize), 0x88);
    assert_eq!(t.r(A0 as usize), 0xFFFF_8877);
    assert_eq!(t.r(A1 as usize), 0x8877);
    assert_eq!(t.r(A2 as usize), 0x8877_6655);
}

#[test]
fn stores_write_exactly_their_bytes() {
    let mut t = setup(&[sb(T0, 1, S0), sh(T0, 6, S0)]);
    t.run_to_end();
    assert_eq!(t.mem.slice(DATA_PA, 8).unwrap(), &[0x11, 0xD4, 0x33, 0x44, 0x55, 0x66, 0xD4, 0xC3]);
}

#[test]
fn partial_loads_at_every_offset() {
    for left in [true, false] {
        for b in 0..4u32 {
            let insn = if left { lwl(T0, 4 + b as i16, S0) } else { lwr(T0, 4 + b as i16, S0) };
            let mut t = setup(&[insn]);
            t.run_to_end();
            let want = model_load(left, b as usize, REG, [0x55, 0x66, 0x77, 0x88]);
            assert_eq!(t.r(T0 as usize), want, "{} offset {b}", if left { "lwl" } else { "lwr" });
        }
    }
}

#[test]
fn unaligned_word_load_pair_at_every_offset() {
    // The compiler's unaligned load: lwr rt, off(b); lwl rt, off+3(b).
    for off in 0..5i16 {
        let mut t = setup(&[lwr(V0, off, S0), lwl(V0, off + 3, S0)]);
        t.run_to_end();
        let o = off as usize;
        let want = u32::from_le_bytes([MEM[o], MEM[o + 1], MEM[o + 2], MEM[o + 3]]);
        assert_eq!(t.r(V0 as usize), want, "offset {off}");
    }
}

#[test]
fn partial_stores_at_every_offset() {
    for left in [true, false] {
        for b in 0..4u32 {
            let insn = if left { swl(T0, 4 + b as i16, S0) } else { swr(T0, 4 + b as i16, S0) };
            let mut t = setup(&[insn]);
            t.run_to_end();
            let want = model_store(left, b as usize, REG, [0x55, 0x66, 0x77, 0x88]);
            assert_eq!(
                t.mem.slice(DATA_PA + 4, 4).unwrap(),
                &want,
                "{} offset {b}",
                if left { "swl" } else { "swr" }
            );
            assert_eq!(
                t.mem.slice(DATA_PA, 4).unwrap(),
                &MEM[..4],
                "the neighbour word is untouched"
            );
        }
    }
}

#[test]
fn misaligned_accesses_are_address_errors() {
    let cases = [
        (lw(V0, 2, S0), ExcCode::AdEL),
        (lh(V0, 1, S0), ExcCode::AdEL),
        (sw(V0, 1, S0), ExcCode::AdES),
        (sh(V0, 3, S0), ExcCode::AdES),
        (ll(V0, 2, S0), ExcCode::AdEL),
        (sc(V0, 2, S0), ExcCode::AdES),
    ];
    for (insn, code) in cases {
        let mut t = setup(&[insn]);
        assert_eq!(t.run().epc, common::GENERAL);
        assert_eq!(t.exc_code(), code as u32);
        assert_eq!(
            t.cpu.cp0.bad_vaddr,
            DATA + (insn & 0xFFFF),
            "BadVAddr is the misaligned address"
        );
    }
}

#[test]
fn ll_sc_succeeds_when_undisturbed() {
    let mut t = setup(&[ll(V0, 0, S0), addiu(V0, V0, 1), sc(V0, 0, S0)]);
    t.run_to_end();
    assert_eq!(t.r(V0 as usize), 1, "sc reports success");
    assert_eq!(t.data_word(0), 0x4433_2212);
}

#[test]
fn sc_fails_after_another_write_to_the_line() {
    let mut t = setup(&[ll(V0, 0, S0), break_(9), addiu(V0, V0, 1), sc(V0, 0, S0)]);
    let e = t.run();
    assert_eq!(e.epc, common::CODE + 20, "stopped at the break between ll and sc");
    // Another agent writes the line (as another CPU or a DMA would).
    let mut clock = 0;
    t.mem.write(DATA_PA + 8, Size::Word, 0xDEAD, true, &mut clock).unwrap();
    t.run_to_end();
    assert_eq!(t.r(V0 as usize), 0, "sc reports failure");
    assert_eq!(t.data_word(0), 0x4433_2211, "and stores nothing");
}

#[test]
fn eret_breaks_the_link() {
    // ll, then syscall -> general vector; the handler (break 2) is reported; we ERET back.
    let mut t = setup(&[ll(V0, 0, S0), syscall(0), addiu(V0, V0, 1), sc(V0, 0, S0)]);
    let e = t.run();
    assert_eq!(e.epc, common::GENERAL);
    // Emulate the handler: skip the syscall and ERET.
    t.cpu.cp0.epc += 4;
    t.mem.load_words(0x180, &[eret(), nop()]);
    t.cpu.set_pc(common::GENERAL);
    t.cpu.drop_fetch_page();
    t.run_to_end();
    assert_eq!(t.r(V0 as usize), 0, "ERET cleared the link");
}

#[test]
fn self_modifying_code_takes_effect() {
    // A loop that runs `addiu v0, zero, 1`, then overwrites it with `addiu v0, zero, 77` and
    // runs it again: the second pass must see the new instruction, not the cached decode.
    let new = addiu(V0, ZERO, 77);
    let target = common::CODE + 5 * 4;
    let code = [
        addiu(S2, ZERO, 2),
        lui(S1, (target >> 16) as u16),
        ori(S1, S1, target as u16),
        lui(T1, (new >> 16) as u16),
        ori(T1, T1, new as u16),
        addiu(V0, ZERO, 1), // target: rewritten after the first pass
        addu(S3, S3, V0),
        sw(T1, 0, S1),
        addiu(S2, S2, -1),
        bne(S2, ZERO, -5),
        nop(),
        break_(0),
        nop(),
    ];
    let mut t = T::new(&code);
    t.run_to_end();
    assert_eq!(t.r(S3 as usize), 1 + 77, "second pass executed the rewritten instruction");
}
