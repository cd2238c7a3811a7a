//! Interpreter throughput in functional mode (flat memory, no timing model): simulated
//! instructions per second of host time, reported by criterion as elements per second.
//!
//! Two guest loops, both running from kseg0 in kernel mode:
//! - `alu_mem_loop`: a hash over a 4 KB buffer — loads, stores, shifts, ALU, a branch: the
//!   instruction mix of compiled integer code;
//! - `mapped_user_loop`: the same loop in user mode through the TLB (kuseg), to show the cost
//!   of mapped translation.
//!
//! Run: `cargo bench -p mips --bench interpreter`.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mips::asm::*;
use mips::cp0::reg;
use mips::flat::FlatMemory;
use mips::tlb::TlbEntry;
use mips::{Cpu, Exit};

/// Instructions per measured iteration.
const INSNS: u64 = 10_000_000;

/// The loop body (13 instructions per iteration); `a0` walks a 4 KB buffer at `a3`.
fn hash_loop() -> Vec<u32> {
    vec![
        lw(T0, 0, A0),
        addu(T1, T1, T0),
        sll(T2, T0, 3),
        xor(T1, T1, T2),
        srl(T3, T1, 5),
        addu(T1, T1, T3),
        sw(T1, 0, A0),
        addiu(A0, A0, 4),
        and(A0, A0, A2),
        or(A0, A0, A3),
        addiu(V0, V0, -1),
        bne(V0, ZERO, -12),
        nop(),
    ]
}

fn setup(user: bool) -> (Cpu, FlatMemory) {
    let mut mem = FlatMemory::new(1 << 20);
    let mut code = vec![
        lui(V0, 0x7FFF), // a very long loop: the budget ends the run, not the loop
        lui(A3, if user { 0x0002 } else { 0x8002 }),
        ori(A2, ZERO, 0x0FFC),
        or(A0, A3, ZERO),
    ];
    code.extend(hash_loop());
    mem.load_words(0x1000, &code);
    let mut cpu = Cpu::new(0, 64);
    cpu.write_cp0(reg::STATUS, 0);
    if user {
        // Identity-map kuseg pages 0x1000 (code) and 0x20000 (data) for ASID 0.
        cpu.write_tlb_entry(0, TlbEntry { hi: 0, mask: 0, lo0: 0, lo1: 1 << 6 | 0b11110 });
        cpu.write_tlb_entry(1, TlbEntry { hi: 0x20000, mask: 0, lo0: 0x20 << 6 | 0b11110, lo1: 0 });
        cpu.write_cp0(reg::STATUS, 2 << 3);
        cpu.set_pc(0x1000);
    } else {
        cpu.set_pc(0x8000_1000);
    }
    (cpu, mem)
}

fn run(cpu: &mut Cpu, mem: &mut FlatMemory) {
    let until = cpu.cycles() + INSNS;
    let exit = cpu.run(mem, until);
    assert_eq!(exit, Exit::Budget);
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("interpreter");
    g.throughput(Throughput::Elements(INSNS));
    g.sample_size(20);
    for (name, user) in [("alu_mem_loop", false), ("mapped_user_loop", true)] {
        let (mut cpu, mut mem) = setup(user);
        g.bench_function(name, |b| b.iter(|| run(&mut cpu, &mut mem)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
