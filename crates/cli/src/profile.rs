//! `disco run --profile`: where the guest kernels spend their time, by function. Every CPU's
//! program counter is sampled at each quantum boundary (every 10,000 cycles) — the simulation
//! runs exactly as without sampling, so the run hash is the same — and each sample is charged to
//! the function of the guest kernel running on that CPU. The monitor's own time is not in it:
//! the monitor runs as host code whose cycles are charged in bulk, never as a guest pc.

use std::collections::BTreeMap;

use cli::symbols::Symbols;
use sim::assets::Assets;
use sim::scenario::{Guests, Scenario};
use sim::simulation::Simulation;

/// Samples by guest and function.
pub struct Profile {
    /// Each guest's kernel symbols (one table per distinct kernel image, shared by index).
    kernels: Vec<usize>,
    tables: Vec<Symbols>,
    names: Vec<String>,
    counts: BTreeMap<(usize, String), u64>,
    total: u64,
}

impl Profile {
    /// A profile of `s`'s guests, naming functions from their kernels' symbols in `assets`.
    pub fn new(s: &Scenario, assets: &Assets, names: &[String]) -> Profile {
        let native = matches!(s.guests, Guests::Native { .. });
        let mut kernel_names: Vec<&str> = Vec::new();
        let mut kernels = Vec::new();
        for w in s.workloads() {
            let k = Assets::kernel_for(w, native);
            let i = kernel_names.iter().position(|n| *n == k).unwrap_or_else(|| {
                kernel_names.push(k);
                kernel_names.len() - 1
            });
            kernels.push(i);
        }
        let tables =
            kernel_names.iter().map(|k| Symbols::new(assets.get(k).unwrap_or(&[]))).collect();
        Profile { kernels, tables, names: names.to_vec(), counts: BTreeMap::new(), total: 0 }
    }

    /// Takes one sample of every running CPU.
    pub fn sample(&mut self, sim: &Simulation) {
        let m = sim.machine();
        for (p, cpu) in m.cpus.iter().enumerate() {
            if !m.started(p) || sim.finished() {
                continue;
            }
            // Natively guest 0 owns every CPU; under the monitor, the VM it runs now (none:
            // the CPU idles in the monitor, which has no guest pc).
            let g = match sim.monitor() {
                None => 0,
                Some(mon) => match mon.running_on(machine::ids::PcpuId::of_index(p)) {
                    Some(v) => v.vm.index(),
                    None => continue,
                },
            };
            let pc = cpu.pc();
            let what = if pc < 0x8000_0000 {
                "(user mode)".to_string()
            } else {
                self.kernels
                    .get(g)
                    .and_then(|&t| self.tables[t].function(pc))
                    .unwrap_or_else(|| "(kernel, no symbol)".to_string())
            };
            *self.counts.entry((g, what)).or_default() += 1;
            self.total += 1;
        }
    }

    /// Prints the `top` functions with the most samples, then each guest's user-mode share.
    pub fn print(&self, top: usize) {
        let mut rows: Vec<(&(usize, String), &u64)> = self.counts.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        println!("\n-- profile: {} samples (each CPU's pc every 10,000 cycles)", self.total);
        println!("{:>9} {:>6}  {:<12} function", "samples", "%", "guest");
        for ((g, f), n) in rows.into_iter().take(top) {
            let name = self.names.get(*g).map_or("?", String::as_str);
            println!(
                "{n:>9} {:>5.1}%  {name:<12} {f}",
                100.0 * *n as f64 / self.total.max(1) as f64
            );
        }
    }
}
