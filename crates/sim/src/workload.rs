//! The catalogue of workloads a scenario can name. Each is a disk image built by
//! `cargo xtask guests` (`target/guests/images/<image>.img`) holding the guest's programs, its
//! `/etc/rc` and `/expected.txt`, the lines a correct run prints (computed on the host), and the
//! operating system that runs it: dux (the guest OS, native or in a VM), or for the `-splashos`
//! workloads SPLASHOS, the library OS that runs one parallel program directly on the monitor
//! (paper §4.4, Fig. 7) and reads the same image's `/etc/rc`.

use serde::Serialize;

/// SPLASHOS's kernel file (`target/guests/splashos`).
pub const SPLASHOS: &str = "splashos";

/// A workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Workload {
    /// Its name in scenarios and URLs.
    pub name: &'static str,
    /// One line for menus.
    pub title: &'static str,
    /// The workload of the paper it stands for, and what to watch.
    pub description: &'static str,
    /// How it uses the CPUs (or VCPUs) it is given, in words for the scenario form: every
    /// workload runs on any count; the parallel ones take one thread or job per CPU, the others
    /// keep a fixed set of processes, as the paper's did.
    pub parallelism: &'static str,
    /// Guest memory it needs, MB.
    pub min_memory_mb: u32,
    /// Its disk image's name (`images/<image>.img`).
    pub image: &'static str,
    /// The kernel that runs it instead of dux, by file name ([`SPLASHOS`]); `None` for dux.
    /// Such a workload runs only in a virtual machine.
    pub kernel: Option<&'static str>,
}

impl Workload {
    /// The workload called `name`.
    pub fn named(name: &str) -> Option<&'static Workload> {
        WORKLOADS.iter().find(|w| w.name == name)
    }

    /// The disk image's file name.
    pub fn image_file(&self) -> String {
        format!("images/{}.img", self.image)
    }

    /// True if it runs on dux (natively or in a VM), false for a library OS on the monitor.
    pub fn on_dux(&self) -> bool {
        self.kernel.is_none()
    }

    /// Whether a line of the image's `/expected.txt` is one this workload's OS prints: all of
    /// them under dux; under another kernel all but dux's own (its `init`'s report on
    /// `/etc/rc`), since the program's lines are the same whoever runs it.
    ///
    /// The NFS images' lines are split between their server and their clients: the server
    /// (`-nfsd`) prints only `nfsd: ` lines, the clients everything else.
    pub fn expects(&self, line: &str) -> bool {
        let nfsd = line.starts_with("nfsd: ");
        if self.is_nfs_server() {
            return nfsd;
        }
        !nfsd && (self.on_dux() || !line.starts_with("init: "))
    }

    /// True for the server side of an NFS run (its name ends in `-nfsd`): it must be VM 0.
    pub fn is_nfs_server(&self) -> bool {
        self.name.ends_with("-nfsd")
    }
}

/// Every workload.
pub const WORKLOADS: [Workload; 30] = [
    Workload {
        name: "smoke",
        title: "smoke test",
        description: "Boots, runs a few utilities and a file round trip.",
        parallelism: "one process at a time",
        min_memory_mb: 8,
        image: "smoke",
        kernel: None,
    },
    Workload {
        name: "shell",
        title: "interactive shell",
        description: "The guest OS's shell on the console: type commands (ls, cat, echo, wc, mkdir, rm, sh) under the console; `exit` powers the machine off. Each VM has its own disk and file system.",
        parallelism: "the commands you type, one at a time",
        min_memory_mb: 8,
        image: "shell",
        kernel: None,
    },
    Workload {
        name: "pmake-tiny",
        title: "pmake (tiny)",
        description: "Pmake (paper §5.1): a parallel make of many short compile processes — system calls, process creation, file I/O and the buffer cache.",
        parallelism: "a compile job per CPU (at least two), then one link",
        min_memory_mb: 12,
        image: "pmake-tiny",
        kernel: None,
    },
    Workload {
        name: "pmake-full",
        title: "pmake (full)",
        description: "Pmake (paper §5.1): a parallel make of many short compile processes — system calls, process creation, file I/O and the buffer cache.",
        parallelism: "a compile job per CPU (at least two), then one link",
        min_memory_mb: 16,
        image: "pmake-full",
        kernel: None,
    },
    Workload {
        name: "pmake-tiny-nfs",
        title: "pmake on NFS (tiny)",
        description: "Pmake (paper §5.1) reading its sources and programs from VM 0 over the virtual subnet (§4.2.6): VM 0 answers from its buffer cache and the monitor maps the answering page into this VM instead of copying it. Its outputs go to its own copy-on-write disk, and the program it linked to the server's /export (writes over NFS: the server's file system does the writing). Run it in VMs 1.. beside pmake-tiny-nfsd in VM 0.",
        parallelism: "a compile job per CPU (at least two), then one link",
        min_memory_mb: 12,
        image: "pmake-tiny-nfs",
        kernel: None,
    },
    Workload {
        name: "pmake-tiny-nfsd",
        title: "NFS server (tiny)",
        description: "VM 0 of an NFS run (paper §4.2.6): serves the pmake image's file system to the other VMs over the virtual subnet, and takes their writes under /export, until each is done; then prints what they wrote and powers off.",
        parallelism: "one server loop",
        min_memory_mb: 12,
        image: "pmake-tiny-nfs",
        kernel: None,
    },
    Workload {
        name: "pmake-full-nfs",
        title: "pmake on NFS (full)",
        description: "Pmake (paper §5.1) reading its sources and programs from VM 0 over the virtual subnet (§4.2.6): VM 0 answers from its buffer cache and the monitor maps the answering page into this VM instead of copying it. Its outputs go to its own copy-on-write disk, and the program it linked to the server's /export (writes over NFS: the server's file system does the writing). Run it in VMs 1.. beside pmake-full-nfsd in VM 0.",
        parallelism: "a compile job per CPU (at least two), then one link",
        min_memory_mb: 16,
        image: "pmake-full-nfs",
        kernel: None,
    },
    Workload {
        name: "pmake-full-nfsd",
        title: "NFS server (full)",
        description: "VM 0 of an NFS run (paper §4.2.6): serves the pmake image's file system to the other VMs over the virtual subnet, and takes their writes under /export, until each is done; then prints what they wrote and powers off.",
        parallelism: "one server loop",
        min_memory_mb: 16,
        image: "pmake-full-nfs",
        kernel: None,
    },
    Workload {
        name: "pmake-tiny-x1-nfs",
        title: "pmake ×1 on NFS (tiny)",
        description: "One of Fig. 7's eight pmake builds (§5.4) reading its sources and programs from VM 0 over the virtual subnet (§4.2.6), the paper's \"8 VMs/NFS\" bar: VM 0 answers from its buffer cache and the monitor maps the answering page into this VM. Its outputs go to its own copy-on-write disk, and the program it linked to the server's /export (writes over NFS: the server's file system does the writing). Run it in VMs 1.. beside pmake-tiny-x1-nfsd in VM 0.",
        parallelism: "one build at once, two compile jobs, whatever the CPUs",
        min_memory_mb: 12,
        image: "pmake-tiny-x1-nfs",
        kernel: None,
    },
    Workload {
        name: "pmake-tiny-x1-nfsd",
        title: "NFS server ×1 (tiny)",
        description: "VM 0 of Fig. 7's NFS run (paper §4.2.6, §5.4): serves the one-build image's file system to the other VMs over the virtual subnet, and takes their writes under /export, until each is done; then prints what they wrote and powers off.",
        parallelism: "one server loop",
        min_memory_mb: 12,
        image: "pmake-tiny-x1-nfs",
        kernel: None,
    },
    Workload {
        name: "pmake-mid-x1-nfs",
        title: "pmake ×1 on NFS (mid)",
        description: "One of Fig. 7's eight pmake builds (§5.4) reading its sources and programs from VM 0 over the virtual subnet (§4.2.6), the paper's \"8 VMs/NFS\" bar: VM 0 answers from its buffer cache and the monitor maps the answering page into this VM. Its outputs go to its own copy-on-write disk, and the program it linked to the server's /export (writes over NFS: the server's file system does the writing). Run it in VMs 1.. beside pmake-mid-x1-nfsd in VM 0.",
        parallelism: "one build at once, two compile jobs, whatever the CPUs",
        min_memory_mb: 16,
        image: "pmake-mid-x1-nfs",
        kernel: None,
    },
    Workload {
        name: "pmake-mid-x1-nfsd",
        title: "NFS server ×1 (mid)",
        description: "VM 0 of Fig. 7's NFS run (paper §4.2.6, §5.4): serves the one-build image's file system to the other VMs over the virtual subnet, and takes their writes under /export, until each is done; then prints what they wrote and powers off.",
        parallelism: "one server loop",
        min_memory_mb: 16,
        image: "pmake-mid-x1-nfs",
        kernel: None,
    },
    Workload {
        name: "db-tiny",
        title: "database (tiny)",
        description: "Database (paper §5.1, decision support): one process scanning and joining large tables — a big heap and many TLB misses.",
        parallelism: "one process: a second CPU has nothing to run",
        min_memory_mb: 12,
        image: "db-tiny",
        kernel: None,
    },
    Workload {
        name: "db-full",
        title: "database (full)",
        description: "Database (paper §5.1, decision support): one process scanning and joining large tables — a big heap and many TLB misses.",
        parallelism: "one process: a second CPU has nothing to run",
        min_memory_mb: 64,
        image: "db-full",
        kernel: None,
    },
    Workload {
        name: "engineering-tiny",
        title: "engineering (tiny)",
        description: "Engineering (paper §5.1, Fig. 8): gate-level logic simulators and memory-system simulators side by side, each with a large private working set — its pages end up remote as the OS moves processes: the case for page migration.",
        parallelism: "eight processes (four of each) on any number of CPUs, time-shared when there are fewer",
        min_memory_mb: 16,
        image: "engineering-tiny",
        kernel: None,
    },
    Workload {
        name: "engineering-full",
        title: "engineering (full)",
        description: "Engineering (paper §5.1, Fig. 8): six logic simulators and six memory-system simulators, each with a large private working set — its pages end up remote as the OS moves processes: the case for page migration.",
        parallelism: "twelve processes (six of each) on any number of CPUs, time-shared when there are fewer",
        min_memory_mb: 48,
        image: "engineering-full",
        kernel: None,
    },
    Workload {
        name: "raytrace-tiny",
        title: "raytrace (tiny)",
        description: "Raytrace (SPLASH-2, paper Fig. 8): threads render tiles of one image from a large read-shared scene — every node reads the same pages: the case for page replication.",
        parallelism: "a thread per CPU",
        min_memory_mb: 12,
        image: "raytrace-tiny",
        kernel: None,
    },
    Workload {
        name: "raytrace-full",
        title: "raytrace (full)",
        description: "Raytrace (SPLASH-2, paper Fig. 8): threads render tiles of one image from a large read-shared scene — every node reads the same pages: the case for page replication.",
        parallelism: "a thread per CPU",
        min_memory_mb: 16,
        image: "raytrace-full",
        kernel: None,
    },
    Workload {
        name: "radix-tiny",
        title: "radix (tiny)",
        description: "Radix (SPLASH-2, paper Fig. 7): a parallel radix sort; every thread scatters keys over one large shared array.",
        parallelism: "a thread per CPU",
        min_memory_mb: 12,
        image: "radix-tiny",
        kernel: None,
    },
    Workload {
        name: "radix-full",
        title: "radix (full)",
        description: "Radix (SPLASH-2, paper Fig. 7): a parallel radix sort of 4 M keys; every thread scatters keys over one large shared array.",
        parallelism: "a thread per CPU",
        min_memory_mb: 48,
        image: "radix-full",
        kernel: None,
    },
    Workload {
        name: "radix-tiny-splashos",
        title: "radix on SPLASHOS (tiny)",
        description: "Radix (SPLASH-2) on SPLASHOS, the paper's library OS for parallel programs (§4.4, Fig. 7): threads on VCPUs, no virtual memory of its own — every page is placed by the monitor on the node of the VCPU that first touches it. Runs only under the monitor.",
        parallelism: "a thread per VCPU",
        min_memory_mb: 8,
        image: "radix-tiny",
        kernel: Some(SPLASHOS),
    },
    Workload {
        name: "radix-full-splashos",
        title: "radix on SPLASHOS (full)",
        description: "Radix (SPLASH-2) of 4 M keys on SPLASHOS, the paper's library OS for parallel programs (§4.4, Fig. 7): threads on VCPUs, no virtual memory of its own — every page is placed by the monitor on the node of the VCPU that first touches it. Runs only under the monitor.",
        parallelism: "a thread per VCPU",
        min_memory_mb: 40,
        image: "radix-full",
        kernel: Some(SPLASHOS),
    },
    Workload {
        name: "pmake-tiny-x1",
        title: "pmake ×1 (tiny, Fig. 7)",
        description: "1 of the eight pmake instances of the paper's scalability run (§5.4, Fig. 7), at once, each compiling its own copy of the tiny tree: the native OS or one VM runs the ×8 image, N VMs each run the ×(8/N) one, so the work is the same.",
        parallelism: "one build at once, two compile jobs each, whatever the CPUs",
        min_memory_mb: 12,
        image: "pmake-tiny-x1",
        kernel: None,
    },
    Workload {
        name: "pmake-tiny-x2",
        title: "pmake ×2 (tiny, Fig. 7)",
        description: "2 of the eight pmake instances of the paper's scalability run (§5.4, Fig. 7), at once, each compiling its own copy of the tiny tree: the native OS or one VM runs the ×8 image, N VMs each run the ×(8/N) one, so the work is the same.",
        parallelism: "2 builds at once, two compile jobs each, whatever the CPUs",
        min_memory_mb: 16,
        image: "pmake-tiny-x2",
        kernel: None,
    },
    Workload {
        name: "pmake-tiny-x4",
        title: "pmake ×4 (tiny, Fig. 7)",
        description: "4 of the eight pmake instances of the paper's scalability run (§5.4, Fig. 7), at once, each compiling its own copy of the tiny tree: the native OS or one VM runs the ×8 image, N VMs each run the ×(8/N) one, so the work is the same.",
        parallelism: "4 builds at once, two compile jobs each, whatever the CPUs",
        min_memory_mb: 24,
        image: "pmake-tiny-x4",
        kernel: None,
    },
    Workload {
        name: "pmake-tiny-x8",
        title: "pmake ×8 (tiny, Fig. 7)",
        description: "8 of the eight pmake instances of the paper's scalability run (§5.4, Fig. 7), at once, each compiling its own copy of the tiny tree: the native OS or one VM runs the ×8 image, N VMs each run the ×(8/N) one, so the work is the same.",
        parallelism: "8 builds at once, two compile jobs each, whatever the CPUs",
        min_memory_mb: 40,
        image: "pmake-tiny-x8",
        kernel: None,
    },
    Workload {
        name: "pmake-mid-x1",
        title: "pmake ×1 (mid, Fig. 7)",
        description: "1 of the eight pmake instances of the paper's scalability run (§5.4, Fig. 7), at once, each compiling its own copy of a mid-size tree (a third of pmake-full's): the native OS or one VM runs the ×8 image, N VMs each run the ×(8/N) one, so the work is the same.",
        parallelism: "one build at once, two compile jobs each, whatever the CPUs",
        min_memory_mb: 16,
        image: "pmake-mid-x1",
        kernel: None,
    },
    Workload {
        name: "pmake-mid-x2",
        title: "pmake ×2 (mid, Fig. 7)",
        description: "2 of the eight pmake instances of the paper's scalability run (§5.4, Fig. 7), at once, each compiling its own copy of a mid-size tree (a third of pmake-full's): the native OS or one VM runs the ×8 image, N VMs each run the ×(8/N) one, so the work is the same.",
        parallelism: "2 builds at once, two compile jobs each, whatever the CPUs",
        min_memory_mb: 24,
        image: "pmake-mid-x2",
        kernel: None,
    },
    Workload {
        name: "pmake-mid-x4",
        title: "pmake ×4 (mid, Fig. 7)",
        description: "4 of the eight pmake instances of the paper's scalability run (§5.4, Fig. 7), at once, each compiling its own copy of a mid-size tree (a third of pmake-full's): the native OS or one VM runs the ×8 image, N VMs each run the ×(8/N) one, so the work is the same.",
        parallelism: "4 builds at once, two compile jobs each, whatever the CPUs",
        min_memory_mb: 40,
        image: "pmake-mid-x4",
        kernel: None,
    },
    Workload {
        name: "pmake-mid-x8",
        title: "pmake ×8 (mid, Fig. 7)",
        description: "8 of the eight pmake instances of the paper's scalability run (§5.4, Fig. 7), at once, each compiling its own copy of a mid-size tree (a third of pmake-full's): the native OS or one VM runs the ×8 image, N VMs each run the ×(8/N) one, so the work is the same.",
        parallelism: "8 builds at once, two compile jobs each, whatever the CPUs",
        min_memory_mb: 72,
        image: "pmake-mid-x8",
        kernel: None,
    },
];
