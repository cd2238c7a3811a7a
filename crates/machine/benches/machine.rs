//! Whole-machine throughput with the full timing model (caches, directory, NUMA accounting):
//! simulated instructions per second of host time, for 1 to 16 simulated CPUs. Each CPU runs
//! the same loop (a hash over its own 4 KB buffer: loads, stores, ALU, a branch — the mix of
//! compiled integer code) on its own node's memory; the per-instruction cost should not grow
//! with the number of CPUs.
//!
//! Run: `cargo bench -p machine --bench machine`.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use machine::machine::Log;
use machine::{Machine, MachineConfig};
use mips::asm::*;

/// Simulated instructions per measured iteration (all CPUs together).
const INSNS: u64 = 10_000_000;

/// The loop; `stride` bytes between accesses over a buffer of `mask + 4` bytes.
fn program(stride: i16, mask: u32) -> Vec<u32> {
    vec![
        // a1 = this CPU's buffer: 0x80000000 + node base + 0x100000 + cpu * 0x1000
        // (the boot code below passes it in a1).
        lui(V0, 0x7FFF),
        or(A3, A1, ZERO),
        lui(A2, (mask >> 16) as u16),
        ori(A2, A2, mask as u16),
        or(A0, A3, ZERO),
        lw(T0, 0, A0),
        addu(T1, T1, T0),
        sll(T2, T0, 3),
        xor(T1, T1, T2),
        srl(T3, T1, 5),
        addu(T1, T1, T3),
        sw(T1, 0, A0),
        addiu(A0, A0, stride),
        and(A0, A0, A2),
        or(A0, A0, A3),
        addiu(V0, V0, -1),
        bne(V0, ZERO, -12),
        nop(),
    ]
}

/// A machine whose CPUs all run the loop; `miss_heavy` walks 1 MB per CPU at 64-byte strides
/// (a miss every other iteration), else a 4 KB buffer that stays in the cache.
fn machine(nodes: u32, cpus_per_node: u32, miss_heavy: bool) -> Machine {
    let mb = if miss_heavy { 24 } else { 4 };
    let cfg =
        MachineConfig { memory_per_node_mb: mb, ..MachineConfig::flash(nodes, cpus_per_node) };
    let mut m = Machine::new(cfg, vec![]).expect("valid config");
    let (stride, mask, span) =
        if miss_heavy { (64, 0x000F_FFC0, 0x10_0000) } else { (4, 0x0FFC, 0x1000) };
    let code: Vec<u8> = program(stride, mask).iter().flat_map(|w| w.to_le_bytes()).collect();
    let node_bytes = m.config().node_bytes();
    let cpus = m.cpus.len();
    for cpu in 0..cpus {
        let node = m.config().node_of_cpu(cpu) as u32;
        // Each node gets its own copy of the code, so fetches are local too.
        let code_pa = node * node_bytes + 0x1000;
        m.sys.mem.ram.write_bytes(code_pa, &code);
        let buffer = 0x8000_0000 + node * node_bytes + 0x10_0000 + cpu as u32 * span;
        m.start_cpu(cpu, 0x8000_0000 + code_pa, 0x8000_0000 + node * node_bytes + 0xF_0000);
        m.cpus[cpu].set_gpr(5, buffer);
    }
    m
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("machine");
    g.throughput(Throughput::Elements(INSNS));
    g.sample_size(10);
    for (nodes, per) in [(1, 1), (1, 2), (2, 2), (4, 2), (8, 2), (16, 1), (4, 4)] {
        let n = u64::from(nodes * per);
        let mut m = machine(nodes, per, false);
        let mut log = Log::default();
        let id = BenchmarkId::new("cache_resident", format!("{n} ({nodes}x{per})"));
        g.bench_function(id, |b| b.iter(|| m.run(INSNS / n, &mut log)));
    }
    for (nodes, per) in [(1, 1), (4, 2), (8, 2)] {
        let n = u64::from(nodes * per);
        let mut m = machine(nodes, per, true);
        let mut log = Log::default();
        let id = BenchmarkId::new("miss_heavy", format!("{n} ({nodes}x{per})"));
        // Misses stall: fewer instructions fit the cycles; count what actually ran.
        let before: u64 = m.cpus.iter().map(|c| c.instructions()).sum();
        m.run(INSNS / n, &mut log);
        let per_cycle =
            (m.cpus.iter().map(|c| c.instructions()).sum::<u64>() - before) as f64 / INSNS as f64;
        let cycles = (INSNS as f64 / per_cycle.max(1e-9)) as u64 / n;
        g.bench_function(id, |b| b.iter(|| m.run(cycles, &mut log)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
