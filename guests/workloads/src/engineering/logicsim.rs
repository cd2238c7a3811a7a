//! logicsim: an event-driven gate-level logic simulator, the Verilog half of the Engineering
//! workload (the paper ran Chronologic VCS simulating a chip).
//!
//! The netlist is generated from a seed: primary inputs, D flip-flops, and two-input gates
//! (AND, OR, NAND, NOR, XOR, XNOR, NOT) whose inputs are drawn from anywhere among the gates
//! before them, so the combinational logic is acyclic and the flip-flops close the loops. Each
//! clock cycle the flip-flops take their inputs' values, one primary input in 16 flips,
//! and the changes ripple through the logic: a timing wheel holds the gates to evaluate at each
//! time step; a gate whose output changes schedules its fanout after their delays (1–3 steps).
//!
//! Memory behaviour: a few megabytes of gates, fanout lists, values and schedule marks, touched
//! in the order the events go, which is no order at all (inputs and fanouts are random gates),
//! so almost every evaluation misses in the cache; the working set is private to the process.

use alloc::vec::Vec;

use crate::hash::Fnv64;
use crate::rng::Rng;

/// How big a simulation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Gates in all (inputs and flip-flops included).
    pub gates: u32,
    /// Clock cycles to simulate.
    pub cycles: u32,
}

const INPUT: u8 = 0;
const DFF: u8 = 1;
const AND: u8 = 2;
const OR: u8 = 3;
const NAND: u8 = 4;
const NOR: u8 = 5;
const XOR: u8 = 6;
const XNOR: u8 = 7;
const NOT: u8 = 8;

/// A gate: its kind, delay and input gates (a flip-flop's `in0` is its D input).
#[derive(Clone, Copy, Debug)]
struct Gate {
    in0: u32,
    in1: u32,
    kind: u8,
    delay: u8,
}

/// Slots of the timing wheel (more than the longest delay).
const WHEEL: usize = 4;

/// The netlist and the simulation state.
pub struct Sim {
    gates: Vec<Gate>,
    /// `fanout[fan_start[g]..fan_start[g + 1]]`: the gates `g` drives.
    fan_start: Vec<u32>,
    fanout: Vec<u32>,
    /// Each gate's output value (0 or 1).
    value: Vec<u8>,
    /// 1 + the last time step a gate was scheduled for (0: never).
    scheduled: Vec<u32>,
    inputs: u32,
    flops: u32,
    wheel: [Vec<u32>; WHEEL],
    pending: usize,
    now: u32,
    rng: Rng,
    /// Gate evaluations so far.
    pub evaluations: u64,
    /// Output changes so far.
    pub toggles: u64,
    hash: Fnv64,
}

impl Sim {
    /// Generates the netlist of `gates` gates (at least 64) from `seed`: 1/32 of them primary
    /// inputs, 1/16 flip-flops, the rest logic; every value starts at 0.
    pub fn new(gates: u32, seed: u64) -> Sim {
        let gates = gates.max(64);
        let mut rng = Rng::new(seed);
        let inputs = gates / 32;
        let flops = gates / 16;
        let first_logic = inputs + flops;
        let mut g: Vec<Gate> = Vec::with_capacity(gates as usize);
        for i in 0..gates {
            let gate = if i < inputs {
                Gate { in0: 0, in1: 0, kind: INPUT, delay: 0 }
            } else if i < first_logic {
                // D comes from the logic: drawn below, once all gates exist.
                Gate { in0: 0, in1: 0, kind: DFF, delay: 0 }
            } else {
                let kind = match rng.below(20) {
                    0..=4 => NAND,
                    5..=7 => NOR,
                    8..=10 => AND,
                    11..=13 => OR,
                    14..=16 => XOR,
                    17 => XNOR,
                    _ => NOT,
                };
                Gate { in0: rng.below(i), in1: rng.below(i), kind, delay: rng.range(1, 3) as u8 }
            };
            g.push(gate);
        }
        for f in inputs..first_logic {
            g[f as usize].in0 = rng.range(first_logic, gates - 1);
        }
        // Fanout lists (compressed rows): a flip-flop's D input is sampled at the clock edge,
        // not driven by events, so it is nobody's fanout.
        let mut fan_start = alloc::vec![0u32; gates as usize + 1];
        let drives = |gate: &Gate| -> [Option<u32>; 2] {
            match gate.kind {
                INPUT | DFF => [None, None],
                NOT => [Some(gate.in0), None],
                _ if gate.in0 == gate.in1 => [Some(gate.in0), None],
                _ => [Some(gate.in0), Some(gate.in1)],
            }
        };
        for gate in &g {
            for src in drives(gate).into_iter().flatten() {
                fan_start[src as usize + 1] += 1;
            }
        }
        for i in 0..gates as usize {
            fan_start[i + 1] += fan_start[i];
        }
        let mut fill = fan_start.clone();
        let mut fanout = alloc::vec![0u32; fan_start[gates as usize] as usize];
        for (i, gate) in g.iter().enumerate() {
            for src in drives(gate).into_iter().flatten() {
                fanout[fill[src as usize] as usize] = i as u32;
                fill[src as usize] += 1;
            }
        }
        let mut sim = Sim {
            gates: g,
            fan_start,
            fanout,
            value: alloc::vec![0; gates as usize],
            scheduled: alloc::vec![0; gates as usize],
            inputs,
            flops,
            wheel: Default::default(),
            pending: 0,
            now: 0,
            rng,
            evaluations: 0,
            toggles: 0,
            hash: Fnv64::new(),
        };
        // Settle the all-zero state: evaluate every logic gate once, in order.
        for i in first_logic..gates {
            sim.value[i as usize] = sim.eval(i);
        }
        sim
    }

    /// Bytes of netlist and state.
    pub fn bytes(&self) -> usize {
        self.gates.len() * core::mem::size_of::<Gate>()
            + (self.fan_start.len() + self.fanout.len() + self.scheduled.len()) * 4
            + self.value.len()
    }

    fn eval(&self, g: u32) -> u8 {
        let gate = self.gates[g as usize];
        let a = self.value[gate.in0 as usize];
        let b = self.value[gate.in1 as usize];
        match gate.kind {
            AND => a & b,
            OR => a | b,
            NAND => 1 ^ (a & b),
            NOR => 1 ^ (a | b),
            XOR => a ^ b,
            XNOR => 1 ^ a ^ b,
            NOT => 1 ^ a,
            _ => self.value[g as usize],
        }
    }

    /// Sets gate `g`'s output to `v` and, if it changed, schedules its fanout.
    fn set(&mut self, g: u32, v: u8) {
        if self.value[g as usize] == v {
            return;
        }
        self.value[g as usize] = v;
        self.toggles += 1;
        let (lo, hi) = (self.fan_start[g as usize], self.fan_start[g as usize + 1]);
        for k in lo..hi {
            let f = self.fanout[k as usize];
            let at = self.now + u32::from(self.gates[f as usize].delay);
            if self.scheduled[f as usize] != at + 1 {
                self.scheduled[f as usize] = at + 1;
                self.wheel[at as usize % WHEEL].push(f);
                self.pending += 1;
            }
        }
    }

    /// Simulates one clock cycle: the edge, then events until the logic is quiet.
    pub fn cycle(&mut self) {
        let (evals, toggles) = (self.evaluations, self.toggles);
        // The edge: every flip-flop samples its D input, then inputs change.
        let first_logic = self.inputs + self.flops;
        let sampled: Vec<u8> = (self.inputs..first_logic)
            .map(|f| self.value[self.gates[f as usize].in0 as usize])
            .collect();
        for (f, v) in (self.inputs..first_logic).zip(sampled) {
            self.set(f, v);
        }
        for i in 0..self.inputs {
            if self.rng.below(16) == 0 {
                let v = self.value[i as usize] ^ 1;
                self.set(i, v);
            }
        }
        while self.pending > 0 {
            self.now += 1;
            let slot = self.now as usize % WHEEL;
            let due = core::mem::take(&mut self.wheel[slot]);
            self.pending -= due.len();
            for &g in &due {
                self.evaluations += 1;
                let v = self.eval(g);
                self.set(g, v);
            }
            // Give the buffer back (events scheduled meanwhile went to other slots).
            let mut due = due;
            due.clear();
            self.wheel[slot] = due;
        }
        self.now += 1;
        self.hash.write_u32((self.evaluations - evals) as u32);
        self.hash.write_u32((self.toggles - toggles) as u32);
    }

    /// The checksum: the per-cycle activity so far and every flip-flop's state.
    pub fn checksum(&self) -> u64 {
        let mut h = self.hash;
        for f in self.inputs..self.inputs + self.flops {
            h.write(&[self.value[f as usize]]);
        }
        h.finish()
    }
}

/// Runs instance `instance` of `size`; its output line.
pub fn run(size: &Size, instance: u32) -> alloc::string::String {
    let mut sim = Sim::new(size.gates, super::seed(0x1091c, instance));
    for _ in 0..size.cycles {
        sim.cycle();
    }
    alloc::format!(
        "logicsim {instance}: {} gates, {} cycles, {} evaluations, {} toggles, checksum {:016x}",
        size.gates,
        size.cycles,
        sim.evaluations,
        sim.toggles,
        sim.checksum()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_logic_is_busy_but_settles_every_cycle() {
        let mut sim = Sim::new(4096, 1);
        for _ in 0..50 {
            sim.cycle();
            assert_eq!(sim.pending, 0);
            assert!(sim.wheel.iter().all(Vec::is_empty));
        }
        let per_cycle = sim.evaluations / 50;
        assert!(per_cycle > 4096 / 20, "activity: {per_cycle} evaluations per cycle");
        assert!(sim.toggles > 0 && sim.toggles < sim.evaluations + 50 * 4096);
        // After settling, every logic gate agrees with its inputs.
        for g in sim.inputs + sim.flops..4096 {
            assert_eq!(sim.value[g as usize], sim.eval(g), "gate {g}");
        }
    }

    #[test]
    fn instances_differ_and_repeat() {
        let size = Size { gates: 2048, cycles: 20 };
        assert_eq!(run(&size, 0), run(&size, 0));
        assert_ne!(run(&size, 0), run(&size, 1));
        assert!(run(&size, 3).starts_with("logicsim 3: 2048 gates, 20 cycles, "));
    }
}
