//! The monitor's cache footprint (paper §5.3: part of what virtualization costs a kernel
//! service is the monitor's own instructions and data going through the caches).
//!
//! The monitor is host code, so its work is charged in cycles (`cost.rs`); but Disco ran on the
//! machine's own CPUs, and its handlers fetched their instructions and read and wrote their data
//! through the same caches as the guest: each trap could miss on monitor lines the guest had
//! evicted, and evict guest lines in turn. This module gives the monitor an image in simulated
//! memory — [`IMAGE_PAGES`] pages per node, a copy on every node as Disco replicated its code —
//! and has each of its paths touch the lines that path would use, through the physical CPU's
//! cache: the misses are charged at their latency on top of the path's cost, and the lines stay
//! in the cache where the guest's were.
//!
//! The layout is a model, not a measurement of Disco (the paper gives none): the first half of
//! the image is code, in line-sized pieces per path (trap entry and return 512 bytes, an
//! emulation, a refill or a delivery 256–384, a VCPU switch 768); the second half is data — the
//! second-level TLB and pmap entries a path reads, at a line chosen by the entry's index. The
//! virtual CPU's own state (the registers the monitor saves and restores) is kept beside its
//! special page, in that page's next lines.

use machine::Machine;
use serde::{Deserialize, Serialize};

/// Pages of the monitor's image on each node: half code, half data.
pub const IMAGE_PAGES: u32 = 8;

/// Bytes of the code half of the image.
const CODE_BYTES: u32 = IMAGE_PAGES * 4096 / 2;

/// A monitor path: which code lines it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Entering the monitor on a trap, dispatching, and returning to the guest.
    Trap,
    /// The refill vector's fast path (a refill from the direct map or the L2TLB).
    Refill,
    /// Emulating a privileged instruction.
    Emulate,
    /// A refill from the guest's virtual TLB (translated through the pmap).
    RefillVtlb,
    /// Delivering an exception or interrupt to the guest.
    Deliver,
    /// A monitor call's dispatch.
    Call,
    /// Switching a physical CPU to another virtual CPU.
    Switch,
}

impl Path {
    /// The path's code: (first line, lines) in the code half.
    fn code(self) -> (u32, u32) {
        match self {
            Path::Trap => (0, 4),
            Path::Refill => (4, 1),
            Path::Emulate => (5, 3),
            Path::RefillVtlb => (8, 3),
            Path::Deliver => (11, 2),
            Path::Call => (13, 3),
            Path::Switch => (16, 6),
        }
    }
}

/// Where the monitor's image is on each node.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Image {
    /// Per node, the physical addresses of the image's pages; empty for a monitor restored
    /// from before it had one.
    pages: Vec<Vec<u32>>,
}

impl Image {
    /// The image made of `pages[node]` on each node ([`IMAGE_PAGES`] each).
    pub fn new(pages: Vec<Vec<u32>>) -> Image {
        Image { pages }
    }

    /// Machine pages the image takes, on all nodes together.
    pub fn pages(&self) -> usize {
        self.pages.iter().map(Vec::len).sum()
    }

    /// The physical address of byte `off` of `node`'s image.
    fn pa(pages: &[u32], off: u32) -> Option<u32> {
        pages.get((off / 4096) as usize).map(|p| p + off % 4096)
    }

    /// Physical CPU `cpu` on `node` runs `path` for a virtual CPU whose special page is at
    /// `special`: fetches its code lines and saves the VCPU's state beside its special page (a
    /// full trap) or reads `data` (an index into the data half: the L2TLB slot or pmap entry
    /// the path reads). Returns the stall cycles.
    pub fn touch(
        &self,
        m: &mut Machine,
        cpu: usize,
        node: usize,
        path: Path,
        special: u32,
        data: Option<u32>,
    ) -> u64 {
        let Some(pages) = self.pages.get(node).filter(|p| p.len() == IMAGE_PAGES as usize) else {
            return 0;
        };
        let line = m.sys.mem.line_bytes();
        let mut now = m.cpus[cpu].cycles();
        let mut stall = 0;
        let (first, lines) = path.code();
        for k in first..first + lines {
            let Some(pa) = Image::pa(pages, (k * line) % CODE_BYTES) else { continue };
            let s = m.sys.mem.access(cpu, pa, false, true, now);
            stall += s;
            now += s;
        }
        if matches!(path, Path::Trap | Path::Switch) {
            // The VCPU's saved registers: the two lines after its special page's registers.
            for k in 1..3 {
                let s = m.sys.mem.access(cpu, special + k * line, true, false, now);
                stall += s;
                now += s;
            }
        }
        if let Some(pa) =
            data.and_then(|i| Image::pa(pages, CODE_BYTES + i.wrapping_mul(16) % CODE_BYTES))
        {
            stall += m.sys.mem.access(cpu, pa, false, false, now);
        }
        stall
    }
}
