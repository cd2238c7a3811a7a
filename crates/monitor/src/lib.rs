//! # monitor — Disco, the virtual machine monitor
//!
//! Runs several virtual machines, each with its own guest operating system, on the simulated
//! ccNUMA machine (Bugnion, Devine & Rosenblum, SOSP 1997, §4). The guest kernel runs in
//! supervisor mode and its programs in user mode, directly on the physical CPUs; the monitor
//! is the machine's owner ([`machine::Owner`]) and sees every trap.
//!
//! - [`monitor`]: the VMs, the physical CPUs, boot; `trap` (trap-and-emulate, TLB misses),
//!   [`deliver`] (exceptions and interrupts to the guest), [`mcall`] (monitor calls),
//!   `sched` (virtual CPU scheduling);
//! - memory: [`pmap`] (guest-physical → machine pages, back-maps), [`memmap`] (owner of every
//!   machine page, per-node allocation), [`l2tlb`] (the second-level software TLB);
//! - [`vcpu`], [`vm`], [`vdisk`], [`special_page`]: the virtual hardware;
//! - [`config`], [`cost`] (what each monitor action costs), [`stats`] (the overhead ledger).
//!
//! ```no_run
//! use machine::{Machine, MachineConfig};
//! use monitor::{Monitor, config::{MonitorConfig, VmSpec}};
//!
//! let kernel = std::fs::read("target/guests/kernel-disco").unwrap();
//! let disk = std::fs::read("target/guests/images/ktest.img").unwrap();
//! let mut m = Machine::new(MachineConfig::flash(2, 2), vec![disk]).unwrap();
//! let vm = VmSpec { name: "vm0".into(), vcpus: 2, memory_mb: 16, disk_unit: Some(0) };
//! let mut mon = Monitor::new(MonitorConfig::default(), vec![vm], &[kernel], &mut m).unwrap();
//! m.run_to_halt(1_000_000_000, &mut mon);
//! print!("{}", String::from_utf8_lossy(&mon.vms[0].console));
//! ```

pub mod config;
pub mod cost;
pub mod deliver;
pub mod invariants;
pub mod l2tlb;
pub mod mcall;
pub mod memmap;
pub mod monitor;
pub mod pmap;
mod sched;
pub mod special_page;
pub mod stats;
mod trap;
pub mod vcpu;
pub mod vdisk;
pub mod vm;

pub use monitor::{Monitor, VcpuRef};
