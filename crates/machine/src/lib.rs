//! # machine — the ccNUMA multiprocessor
//!
//! The FLASH-like machine Disco ran on, built around the `mips` CPU: nodes with CPUs and a
//! slice of memory each, a cache per CPU kept coherent by a directory, NUMA latencies (a
//! remote miss costs three times a local one by default), FLASH's per-page miss counters that
//! tell the monitor which pages are hot, and the devices a bare-metal OS needs.
//!
//! - [`config`]: what the machine is (validated, with presets).
//! - [`address_map`], [`ram`], [`memsys`] ([`cache`], [`directory`]), [`hot_page`],
//!   [`stats`]: memory and its timing.
//! - [`device`], [`devices`], [`event`]: devices and their completions.
//! - [`rom`]: the boot ROM's vectors; [`port`]: the bus one CPU runs against; [`machine`]: the run loop; [`loader`]: ELF
//!   images; [`hash`]: stable run hashes.
//!
//! ```no_run
//! use machine::{Machine, MachineConfig, machine::Log};
//!
//! let image = std::fs::read("target/guests/hello").unwrap();
//! let mut m = Machine::new(MachineConfig::uniprocessor(), vec![]).unwrap();
//! m.boot(&image).unwrap();
//! let code = m.run_to_halt(10_000_000, &mut Log::default());
//! assert_eq!(code, Some(0));
//! print!("{}", String::from_utf8_lossy(m.console()));
//! ```

pub mod address_map;
pub mod cache;
pub mod config;
pub mod device;
pub mod devices;
pub mod directory;
pub mod event;
pub mod hash;
pub mod hot_page;
pub mod ids;
pub mod loader;
pub mod machine;
pub mod memsys;
pub mod port;
pub mod ram;
pub mod rom;
pub mod sparse;
pub mod stats;

pub use config::{ConfigError, MachineConfig};
pub use ids::{Mppn, NodeId, PcpuId};
pub use machine::{Machine, MachineEvent, Owner, Stop};
