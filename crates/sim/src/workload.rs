//! The catalogue of workloads a scenario can name. Each is a disk image built by
//! `cargo xtask guests` (`target/guests/images/<name>.img`) holding the guest's programs, its
//! `/etc/rc` and `/expected.txt`, the lines a correct run prints (computed on the host).

use serde::Serialize;

/// A workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Workload {
    /// Its name in scenarios and URLs; also the disk image's file name without `.img`.
    pub name: &'static str,
    /// One line for menus.
    pub title: &'static str,
    /// The workload of the paper it stands for, and what to watch.
    pub description: &'static str,
    /// Guest memory it needs, MB.
    pub min_memory_mb: u32,
}

impl Workload {
    /// The workload called `name`.
    pub fn named(name: &str) -> Option<&'static Workload> {
        WORKLOADS.iter().find(|w| w.name == name)
    }

    /// The disk image's file name.
    pub fn image_file(&self) -> String {
        format!("images/{}.img", self.name)
    }
}

/// Every workload.
pub const WORKLOADS: [Workload; 11] = [
    Workload {
        name: "smoke",
        title: "smoke test",
        description: "Boots, runs a few utilities and a file round trip.",
        min_memory_mb: 8,
    },
    Workload {
        name: "pmake-tiny",
        title: "pmake (tiny)",
        description: "Pmake (paper §5.1): a parallel make of many short compile processes — system calls, process creation, file I/O and the buffer cache.",
        min_memory_mb: 12,
    },
    Workload {
        name: "pmake-full",
        title: "pmake (full)",
        description: "Pmake (paper §5.1): a parallel make of many short compile processes — system calls, process creation, file I/O and the buffer cache.",
        min_memory_mb: 16,
    },
    Workload {
        name: "db-tiny",
        title: "database (tiny)",
        description: "Database (paper §5.1, decision support): one process scanning and joining large tables — a big heap and many TLB misses.",
        min_memory_mb: 12,
    },
    Workload {
        name: "db-full",
        title: "database (full)",
        description: "Database (paper §5.1, decision support): one process scanning and joining large tables — a big heap and many TLB misses.",
        min_memory_mb: 64,
    },
    Workload {
        name: "engineering-tiny",
        title: "engineering (tiny)",
        description: "Engineering (paper §5.1, Fig. 8): gate-level logic simulators and memory-system simulators side by side, each with a large private working set — its pages end up remote as the OS moves processes: the case for page migration.",
        min_memory_mb: 16,
    },
    Workload {
        name: "engineering-full",
        title: "engineering (full)",
        description: "Engineering (paper §5.1, Fig. 8): six logic simulators and six memory-system simulators, each with a large private working set — its pages end up remote as the OS moves processes: the case for page migration.",
        min_memory_mb: 48,
    },
    Workload {
        name: "raytrace-tiny",
        title: "raytrace (tiny)",
        description: "Raytrace (SPLASH-2, paper Fig. 8): threads render tiles of one image from a large read-shared scene — every node reads the same pages: the case for page replication.",
        min_memory_mb: 12,
    },
    Workload {
        name: "raytrace-full",
        title: "raytrace (full)",
        description: "Raytrace (SPLASH-2, paper Fig. 8): threads render tiles of one image from a large read-shared scene — every node reads the same pages: the case for page replication.",
        min_memory_mb: 16,
    },
    Workload {
        name: "radix-tiny",
        title: "radix (tiny)",
        description: "Radix (SPLASH-2, paper Fig. 7): a parallel radix sort; every thread scatters keys over one large shared array.",
        min_memory_mb: 12,
    },
    Workload {
        name: "radix-full",
        title: "radix (full)",
        description: "Radix (SPLASH-2, paper Fig. 7): a parallel radix sort of 4 M keys; every thread scatters keys over one large shared array.",
        min_memory_mb: 48,
    },
];
