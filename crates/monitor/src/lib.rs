//! # monitor — Disco, the virtual machine monitor
//!
//! Runs several virtual machines, each with its own guest operating system, on the simulated
//! ccNUMA machine (Bugnion, Devine & Rosenblum, SOSP 1997, §4). The guest kernel runs in
//! supervisor mode and its programs in user mode, directly on the physical CPUs; the monitor
//! is the machine's owner ([`machine::Owner`]) and sees every trap. One file per concept, named
//! with the paper's terms:
//!
//! | file | what |
//! |---|---|
//! | [`monitor`] | the [`Monitor`]: VMs, physical CPUs, boot, what the front ends read |
//! | `trap.rs` | trap dispatch: every guest exception goes to the part that handles it |
//! | `emulate.rs` | privileged-instruction emulation against the virtual CP0 and TLB |
//! | [`tlb_miss`] | TLB-miss service: direct map, second-level TLB, virtual TLB, or forward |
//! | [`shootdown`] | dropping every translation of a page from the hardware TLBs and L2TLBs |
//! | [`migrate`] | page migration, and what happens on a hot-page interrupt |
//! | [`replicate`] | page replication: read-only copies per node, collapse on write, reclaim |
//! | [`numa_policy`] | the NUMA policy's rule: migrate, replicate or leave a hot page, and why |
//! | [`deliver`] | exceptions and interrupts delivered to the guest's vectors |
//! | `mcall.rs` | monitor calls (numbers in `abi::mcall`) |
//! | [`vdisk`] | the virtual disk: guest requests as machine DMA, page by page |
//! | [`cow_disk`] | copy-on-write disks: one base image, a log of modified sectors per VM |
//! | [`disk_cache`] | the global disk-block cache: blocks mapped read-only across VMs, copy on write |
//! | [`vnet`] | the virtual subnet: frames between VMs, payload pages remapped instead of copied |
//! | `guest_memory.rs` | guest-physical memory: first-touch allocation, the monitor's reads and writes |
//! | `sched.rs` | virtual CPU scheduling with affinity, idle VCPUs descheduled |
//! | [`pmap`], [`memmap`], [`l2tlb`] | guest-physical → machine pages with back-maps; owner of every machine page; the second-level TLB |
//! | [`vcpu`], [`vm`], [`special_page`] | the virtual hardware |
//! | [`ids`] | the paper's nouns as types: [`ids::VmId`], [`ids::Gppn`], [`ids::Mppn`] ... |
//! | [`events`] | what the monitor did and why, a bounded stream for the UI |
//! | [`config`], [`cost`], [`stats`], [`invariants`] | settings, the cost model, the overhead ledger, the bookkeeping checks |
//!
//! ```no_run
//! use machine::{Machine, MachineConfig};
//! use monitor::{Monitor, config::{MonitorConfig, VmSpec}, ids::VmId};
//!
//! let kernel = std::fs::read("target/guests/kernel-disco").unwrap();
//! let disk = std::fs::read("target/guests/images/ktest.img").unwrap();
//! let mut m = Machine::new(MachineConfig::flash(2, 2), vec![disk]).unwrap();
//! let vm = VmSpec { name: "vm0".into(), vcpus: 2, memory_mb: 16, disk_unit: Some(0) };
//! let mut mon = Monitor::new(MonitorConfig::default(), vec![vm], &[kernel], &mut m).unwrap();
//! m.run_to_halt(1_000_000_000, &mut mon);
//! print!("{}", String::from_utf8_lossy(mon.vm(VmId(0)).unwrap().console()));
//! ```

pub mod config;
pub mod cost;
pub mod cow_disk;
pub mod deliver;
pub mod disk_cache;
mod emulate;
pub mod events;
pub mod footprint;
mod guest_memory;
pub mod ids;
pub mod invariants;
pub mod l2tlb;
mod mcall;
pub mod memmap;
pub mod migrate;
pub mod monitor;
pub mod numa_policy;
pub mod pmap;
pub mod replicate;
mod sched;
pub mod shootdown;
pub mod special_page;
pub mod stats;
pub mod tlb_miss;
mod trap;
pub mod vcpu;
pub mod vdisk;
pub mod vm;
pub mod vnet;

pub use ids::{Gppn, Mppn, NodeId, PcpuId, VcpuId, VcpuRef, VmId};
pub use monitor::Monitor;
