//! The NUMA latencies, measured from inside the machine: a CPU walks an array on its own node
//! and one on another node, one load per cache line over 2 MB (eight times the default cache),
//! so every load misses; the cycle counter gives the cycles per access. A warm walk over a
//! small array gives the loop's own cost per access, which is subtracted: what remains is the
//! cycles of one miss.
//!
//! CPU 0 (node 0) measures, then the first CPU of node 1 does the same from its side. Each
//! prints `cpuC nodeN base=B local=L remote=R` (cycles per access, two decimals; L and R are
//! the miss costs with the base subtracted). Needs at least 2 nodes of at least 8 MB.

#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};

use brt::{info, mmio, println};

brt::entry!(main);

/// Bytes walked per array.
const AREA: u32 = 2 << 20;
/// Bytes of the warm (cache-resident) walk.
const WARM: u32 = 16 << 10;

/// Set by the node-1 CPU when it has printed its line.
static DONE: AtomicU32 = AtomicU32::new(0);

fn main(cpu: u32) -> u32 {
    let nodes = info::node_count();
    let node_bytes = info::node_bytes();
    if nodes < 2 || node_bytes < 8 << 20 {
        println!("numa-walk: needs 2 nodes of at least 8 MB (have {nodes} of {node_bytes} bytes)");
        return 1;
    }
    measure(cpu);
    let other = info::cpus_per_node(); // the first CPU of node 1
    brt::start_cpu(other, |c| {
        measure(c);
        DONE.store(1, Ordering::Release);
    });
    while DONE.load(Ordering::Acquire) == 0 {
        core::hint::spin_loop();
    }
    println!("numa-walk done");
    0
}

/// Measures from this CPU and prints the result line.
fn measure(cpu: u32) {
    let node_bytes = info::node_bytes();
    let node = info::node();
    let far = (node + 1) % info::node_count();
    let line = info::line_bytes();
    // Each node's arrays start a quarter into it: above the image and below the stacks. The
    // remote array sits after the local one, so the two CPUs never walk the same lines; the
    // warm array sits just below the local one, so none of its lines are cached when the
    // local walk starts.
    let local = mmio::kseg0(node * node_bytes + node_bytes / 4);
    let remote = mmio::kseg0(far * node_bytes + node_bytes / 4 + AREA);
    let warm = local - WARM;
    let fixed = walk(warm, 0, line);
    walk(warm, WARM, line); // bring the warm array in
    let base = per_access(walk(warm, WARM, line) - fixed, WARM / line);
    let l = per_access(walk(local, AREA, line) - fixed, AREA / line).saturating_sub(base);
    let r = per_access(walk(remote, AREA, line) - fixed, AREA / line).saturating_sub(base);
    println!(
        "cpu{cpu} node{node} base={} local={} remote={}",
        Hundredths(base),
        Hundredths(l),
        Hundredths(r)
    );
}

/// Cycles per access, in hundredths.
fn per_access(cycles: u32, accesses: u32) -> u32 {
    (u64::from(cycles) * 100 / u64::from(accesses.max(1))) as u32
}

/// Loads one word per `stride` bytes over `bytes` bytes at `va`; returns the cycles taken.
#[inline(never)]
fn walk(va: u32, bytes: u32, stride: u32) -> u32 {
    let mut sum = 0u32;
    let t0 = info::cycles_lo();
    let mut p = va;
    let end = va + bytes;
    while p < end {
        // SAFETY: the arrays are RAM of this machine that nothing else uses (checked sizes).
        sum = sum.wrapping_add(unsafe { core::ptr::read_volatile(p as usize as *const u32) });
        p += stride;
    }
    let t1 = info::cycles_lo();
    core::hint::black_box(sum);
    t1.wrapping_sub(t0)
}

/// A value in hundredths, printed with two decimals.
struct Hundredths(u32);

impl core::fmt::Display for Hundredths {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}
