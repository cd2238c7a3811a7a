//! # sim — the one face the front ends use
//!
//! The web UI, the web worker and the command line all talk to the simulator through this crate.
//!
//! - [`protocol`]: the messages between the page and the worker — one [`protocol::Command`] enum
//!   in, one [`protocol::Event`] enum out; [`scenario`] (what to run, validated, in URLs),
//!   [`workload`] (the catalogue) and [`frame`] (what the views draw). Always built; they pull in
//!   no simulator code, so the UI (`web`) depends on `sim` with `default-features = false`.
//! - With the `engine` feature: [`simulation`] (a scenario booted: the machine with the native OS
//!   or the monitor and its VMs), [`control`] (the run-control state machine the worker and tests
//!   drive), [`assets`] (kernels and disk images by name), [`kstats`] (the guest kernel's
//!   statistics, read from its memory), [`timeline`] (scheduling segments), [`numa`] (the NUMA
//!   policy's actions in words), [`sharing`] (pages shared between VMs, their disk blocks and
//!   the copy-on-write breaks).
//!
//! ```no_run
//! use sim::assets::Assets;
//! use sim::scenario::Preset;
//! use sim::simulation::Simulation;
//!
//! let scenario = Preset::named("tiny-2vms").unwrap().scenario();
//! let assets = Assets::from_dir("target/guests".as_ref(), &scenario).unwrap();
//! let mut sim = Simulation::new(&scenario, &assets).unwrap();
//! sim.run_to_end(10_000_000_000);
//! for g in 0..2 {
//!     print!("{}", String::from_utf8_lossy(sim.console(g)));
//! }
//! ```

pub mod assets;
pub mod frame;
pub mod protocol;
pub mod scenario;
pub mod workload;

#[cfg(feature = "engine")]
pub mod control;
#[cfg(feature = "engine")]
pub mod kstats;
#[cfg(feature = "engine")]
pub mod numa;
#[cfg(feature = "engine")]
pub mod sharing;
#[cfg(feature = "engine")]
pub mod simulation;
#[cfg(feature = "engine")]
pub mod timeline;
