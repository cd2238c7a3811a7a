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
pub const WORKLOADS: [Workload; 5] = [
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
];
