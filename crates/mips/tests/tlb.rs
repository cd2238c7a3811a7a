//! The TLB and address translation: TLBR/TLBWI/TLBWR/TLBP through CP0, refill vs invalid vs
//! modified, ASIDs and global entries, Wired/Random, and a property test of the translation
//! path (TLB plus its software cache) against a deliberately naive oracle.

mod common;

use common::{GENERAL, REFILL, T, li, prog};
use mips::asm::*;
use mips::cp0::{Mode, reg};
use mips::mmu::Access;
use mips::tlb::TlbEntry;
use mips::{Cpu, ExcCode};
use proptest::prelude::*;

fn lo(pfn: u32, d: bool, v: bool, g: bool) -> u32 {
    pfn << 6 | 3 << 3 | u32::from(d) << 2 | u32::from(v) << 1 | u32::from(g)
}

/// Code that writes TLB entry `index` from the given register values with TLBWI.
fn write_entry(index: u32, hi: u32, lo0: u32, lo1: u32) -> Vec<u32> {
    let mut v = vec![];
    v.extend(li(T0, index));
    v.push(mtc0(T0, 0, 0));
    v.extend(li(T0, hi));
    v.push(mtc0(T0, 10, 0));
    v.extend(li(T0, lo0));
    v.push(mtc0(T0, 2, 0));
    v.extend(li(T0, lo1));
    v.push(mtc0(T0, 3, 0));
    v.push(mtc0(ZERO, 5, 0));
    v.push(tlbwi());
    v
}

#[test]
fn tlbwi_tlbr_round_trip_and_tlbp() {
    let mut code =
        write_entry(5, 0x0040_0000 | 7, lo(0x123, true, true, true), lo(0x456, false, true, true));
    code.extend([
        mtc0(ZERO, 2, 0),
        mtc0(ZERO, 3, 0),
        mtc0(ZERO, 10, 0),
        tlbr(),
        mfc0(V0, 10, 0),
        mfc0(V1, 2, 0),
        mfc0(A0, 3, 0),
    ]);
    // Probe a hit (other ASID: the entry is global) and a miss.
    code.extend(li(T0, 0x0040_1000 | 9));
    code.extend([mtc0(T0, 10, 0), tlbp(), mfc0(A1, 0, 0)]);
    code.extend(li(T0, 0x0080_0000 | 7));
    code.extend([mtc0(T0, 10, 0), tlbp(), mfc0(A2, 0, 0)]);
    let mut t = T::new(&prog(&[&code]));
    t.run_to_end();
    assert_eq!(t.r(V0 as usize), 0x0040_0000 | 7);
    assert_eq!(t.r(V1 as usize), lo(0x123, true, true, true));
    assert_eq!(t.r(A0 as usize), lo(0x456, false, true, true));
    assert_eq!(t.r(A1 as usize), 5, "probe hit: index");
    assert_eq!(t.r(A2 as usize), 0x8000_0000, "probe miss: P bit");
}

#[test]
fn g_reads_back_only_if_both_halves_had_it() {
    let mut code = write_entry(1, 0x1000_0000, lo(1, true, true, true), lo(2, true, true, false));
    code.extend([tlbr(), mfc0(V0, 2, 0), mfc0(V1, 3, 0)]);
    let mut t = T::new(&prog(&[&code]));
    t.run_to_end();
    assert_eq!(t.r(V0 as usize) & 1, 0);
    assert_eq!(t.r(V1 as usize) & 1, 0);
}

#[test]
fn refill_invalid_and_modified_are_distinguished() {
    // Entry for 0x00400000 (ASID 1): even page valid and clean, odd page invalid.
    let mut setup =
        write_entry(0, 0x0040_0000 | 1, lo(0x20, false, true, false), lo(0x21, true, false, false));
    let cases: [(u32, ExcCode, u32); 4] = [
        (lw(V0, 0, S0), ExcCode::TlbL, REFILL), // 0x00800000: no entry
        (lw(V0, 0, S1), ExcCode::TlbL, GENERAL), // odd page: V = 0
        (sw(V0, 0, S2), ExcCode::Mod, GENERAL), // even page: D = 0
        (sw(V0, 0, S1), ExcCode::TlbS, GENERAL), // odd page store: invalid
    ];
    setup.extend(li(S0, 0x0080_0000));
    setup.extend(li(S1, 0x0040_1008));
    setup.extend(li(S2, 0x0040_0004));
    for (insn, code, vector) in cases {
        let mut t = T::new(&prog(&[&setup, &[insn]]));
        assert_eq!(t.run().epc, vector, "{}", mips::disasm::disasm(insn, 0));
        assert_eq!(t.exc_code(), code as u32);
        let va = t.cpu.cp0.bad_vaddr;
        assert_eq!(
            t.cpu.cp0.entry_hi,
            (va & 0xFFFF_E000) | 1,
            "EntryHi: VPN2 of the fault, ASID kept"
        );
    }
    // A load from the valid clean page works.
    let mut t = T::new(&prog(&[&setup, &[lw(V0, 0, S2)]]));
    t.mem.load_words(0x20004, &[0xBEEF]);
    t.run_to_end();
    assert_eq!(t.r(V0 as usize), 0xBEEF);
}

#[test]
fn asid_must_match_unless_global() {
    let mut setup =
        write_entry(0, 0x0040_0000 | 1, lo(0x20, true, true, false), lo(0x21, true, true, false));
    setup.extend(write_entry(
        1,
        0x0050_0000 | 1,
        lo(0x30, true, true, true),
        lo(0x31, true, true, true),
    ));
    setup.extend([addiu(T0, ZERO, 2), mtc0(T0, 10, 0)]); // ASID 2
    setup.extend(li(S0, 0x0050_0000));
    setup.extend(li(S1, 0x0040_0000));
    let mut t = T::new(&prog(&[&setup, &[lw(V0, 0, S0)]]));
    t.mem.load_words(0x30000, &[77]);
    t.run_to_end();
    assert_eq!(t.r(V0 as usize), 77, "global entry matches any ASID");
    let mut t = T::new(&prog(&[&setup, &[lw(V0, 0, S1)]]));
    assert_eq!(t.run().epc, REFILL, "ASID 1 entry does not match ASID 2");
}

#[test]
fn tlbwr_never_replaces_wired_entries() {
    // Wired = 4 of 16; 300 TLBWRs of distinct entries; entries 0..4 keep their contents.
    let mut code = vec![];
    for i in 0..4u32 {
        code.extend(write_entry(i, 0x1000_0000 + (i << 13), lo(i, true, true, false), 0));
    }
    code.extend([addiu(T0, ZERO, 4), mtc0(T0, 6, 0), addiu(S0, ZERO, 300)]);
    code.extend(li(S1, 0x2000_0000));
    code.extend([
        mtc0(S1, 10, 0),
        tlbwr(),
        mfc0(T1, 1, 0), // Random
        sltiu(T2, T1, 4),
        or(S3, S3, T2), // any Random below Wired?
        lui(T3, 0),
        addiu(S1, S1, 0x2000),
        addiu(S0, S0, -1),
        bne(S0, ZERO, -9),
        nop(),
    ]);
    let mut t = T::new(&prog(&[&code]));
    t.cpu = {
        let mut c = Cpu::new(0, 16);
        c.set_report_mask(1 << ExcCode::Bp as u32);
        c.write_cp0(reg::STATUS, 0);
        c.set_pc(common::CODE);
        c
    };
    t.run_to_end();
    assert_eq!(t.r(S3 as usize), 0, "Random stayed within Wired..15");
    for i in 0..4usize {
        assert_eq!(t.cpu.mmu.tlb.get(i).hi, 0x1000_0000 + ((i as u32) << 13), "wired entry {i}");
    }
    let replaced = (4..16).filter(|&i| t.cpu.mmu.tlb.get(i).hi >= 0x2000_0000).count();
    assert_eq!(replaced, 12, "every unwired entry was used");
}

// ---- Property test: translation against a naive oracle ------------------------------------

/// The oracle: the MIPS32 rules written out directly, with no caching and no shared code.
fn oracle(
    entries: &[TlbEntry],
    mode: Mode,
    asid: u8,
    va: u32,
    store: bool,
) -> Result<u32, (ExcCode, bool)> {
    let adr = if store { ExcCode::AdES } else { ExcCode::AdEL };
    let kernel = matches!(mode, Mode::Kernel | Mode::KernelErl);
    if (0x8000_0000..0xC000_0000).contains(&va) {
        return if kernel {
            Ok(va - if va < 0xA000_0000 { 0x8000_0000 } else { 0xA000_0000 })
        } else {
            Err((adr, false))
        };
    }
    if va >= 0xE000_0000 && !kernel {
        return Err((adr, false));
    }
    if va >= 0xC000_0000 && mode == Mode::User {
        return Err((adr, false));
    }
    if va < 0x8000_0000 && mode == Mode::KernelErl {
        return Ok(va);
    }
    for e in entries {
        let page_bytes = (u64::from(e.mask >> 13) + 1) * 4096;
        let pair_bytes = 2 * page_bytes;
        let base = u64::from(e.hi & 0xFFFF_E000) / pair_bytes * pair_bytes;
        let g = e.lo0 & 1 == 1 && e.lo1 & 1 == 1;
        let in_pair = (base..base + pair_bytes).contains(&u64::from(va));
        if in_pair && (g || (e.hi & 0xFF) as u8 == asid) {
            let odd = u64::from(va) >= base + page_bytes;
            let lo = if odd { e.lo1 } else { e.lo0 };
            if lo & 2 == 0 {
                return Err((if store { ExcCode::TlbS } else { ExcCode::TlbL }, false));
            }
            if store && lo & 4 == 0 {
                return Err((ExcCode::Mod, false));
            }
            let frame = u64::from((lo >> 6) & 0xF_FFFF) * 4096 / page_bytes * page_bytes;
            return Ok((frame + u64::from(va) % page_bytes) as u32);
        }
    }
    Err((if store { ExcCode::TlbS } else { ExcCode::TlbL }, true))
}

#[derive(Clone, Debug)]
enum Step {
    Write { index: usize, hi: u32, mask: u32, lo0: u32, lo1: u32 },
    Asid(u8),
    Mode(u32),
    Access { va: u32, store: bool },
}

fn step() -> impl Strategy<Value = Step> {
    // A small address space (a few pairs, two ASIDs) so entries collide and get reused.
    let va = prop_oneof![
        (0u32..8, 0u32..0x4000).prop_map(|(p, o)| p * 0x2000 + o),
        (0u32..4, 0u32..0x2000).prop_map(|(p, o)| 0xC000_0000 + p * 0x2000 + o),
        (0u32..2, 0u32..0x2000).prop_map(|(p, o)| 0xE000_0000 + p * 0x2000 + o),
        (0u32..0x4000).prop_map(|o| 0x8000_0000 + o),
        (0u32..0x4000).prop_map(|o| 0xA000_0000 + o),
    ];
    let lo = (0u32..64, 0u32..8).prop_map(|(pfn, bits)| pfn << 6 | 3 << 3 | bits);
    prop_oneof![
        4 => (0usize..8, prop_oneof![0u32..8, 0xC0000u32..0xC0004, 0x70000u32..0x70002], 0u32..2, prop_oneof![Just(0u32), Just(0x6000)], lo.clone(), lo)
            .prop_map(|(index, vpn2, asid, mask, lo0, lo1)| Step::Write { index, hi: vpn2 << 13 | asid, mask, lo0, lo1 }),
        1 => (0u8..2).prop_map(Step::Asid),
        1 => prop_oneof![Just(0u32), Just(1 << 3), Just(2 << 3), Just(4)].prop_map(Step::Mode),
        8 => (va, any::<bool>()).prop_map(|(va, store)| Step::Access { va, store }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn translation_matches_the_oracle(steps in prop::collection::vec(step(), 1..120)) {
        let mut cpu = Cpu::new(0, 8);
        cpu.write_cp0(reg::STATUS, 0);
        for s in steps {
            match s {
                Step::Write { index, hi, mask, lo0, lo1 } => {
                    cpu.write_tlb_entry(index, TlbEntry { hi: hi & !mask, mask, lo0, lo1 });
                }
                Step::Asid(a) => cpu.write_cp0(reg::ENTRY_HI, u32::from(a)),
                Step::Mode(bits) => cpu.write_cp0(reg::STATUS, bits),
                Step::Access { va, store } => {
                    let (mode, asid) = (cpu.mode(), cpu.cp0.asid());
                    let got = if store { cpu.mmu.write(mode, asid, va) } else { cpu.mmu.read(mode, asid, va, Access::Load) };
                    let got = got.map(|t| t.pa).map_err(|f| (f.code, f.refill));
                    let want = oracle(cpu.mmu.tlb.entries(), mode, asid, va, store);
                    prop_assert_eq!(got, want, "va {:#x} store {} mode {:?} asid {}", va, store, mode, asid);
                }
            }
        }
    }
}

// ---- Property test: the TLB's index against a linear scan ---------------------------------

/// A VPN2 for the index test: near the entries' pairs, or anywhere.
fn any_vpn2() -> impl Strategy<Value = u32> {
    prop_oneof![0u32..16, (0u32..4).prop_map(|k| k * 256 + 3), 0x40000u32..0x40004, 0u32..0x8_0000]
}

/// An entry for the index test: VPN2s from a small range (so entries share pairs and buckets,
/// and some fall 256 pairs apart into the same bucket), both ASIDs, G in one or both halves,
/// and page masks of 4 KB, 16 KB, 1 MB and a few stray low bits.
fn any_entry() -> impl Strategy<Value = TlbEntry> {
    let vpn2 = prop_oneof![0u32..16, (0u32..4).prop_map(|k| k * 256 + 3), 0x40000u32..0x40004];
    let mask = prop_oneof![Just(0u32), Just(0x6000), Just(0x1F_E000), Just(0x1000)];
    (vpn2, 0u32..3, mask, 0u32..4, 0u32..4).prop_map(|(vpn2, asid, mask, g0, g1)| TlbEntry {
        hi: vpn2 << 13 | asid,
        mask,
        lo0: lo(1, true, true, g0 & 1 != 0),
        lo1: lo(2, true, true, g1 & 1 != 0),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
    /// `Tlb::find`, `lookup` and `probe` (through the index) give what the full scan gives,
    /// after any sequence of writes, and after a snapshot round trip (the index is rebuilt).
    #[test]
    fn index_matches_the_linear_scan(
        n in 1usize..=64,
        writes in prop::collection::vec((0usize..64, any_entry()), 0..200),
        probes in prop::collection::vec((any_vpn2(), 0u32..0x2000, 0u8..3), 1..64),
    ) {
        let mut t = mips::tlb::Tlb::new(n);
        let check = |t: &mips::tlb::Tlb| -> Result<(), TestCaseError> {
            for &(vpn2, offset, asid) in &probes {
                let va = vpn2 << 13 | offset;
                let scan = t.entries().iter().position(|e| e.matches(va, asid));
                prop_assert_eq!(t.find(va, asid), scan, "va {:#x} asid {}", va, asid);
                let hi = (va & !0x1FFF) | u32::from(asid);
                prop_assert_eq!(t.probe(hi), t.entries().iter().position(|e| e.matches(hi & !0x1FFF, asid)));
            }
            Ok(())
        };
        for (i, e) in writes {
            t.set(i, e);
            check(&t)?;
        }
        let back: mips::tlb::Tlb = serde_json::from_str(&serde_json::to_string(&t).expect("serialises")).expect("reads back");
        prop_assert_eq!(back.entries(), t.entries());
        check(&back)?;
    }
}
