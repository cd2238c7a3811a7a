//! # sim — the one face the front ends use
//!
//! The web UI, the web worker and the command line all talk to the simulator through this crate.
//!
//! - [`protocol`]: the messages between the page and the worker — one [`protocol::Command`] enum
//!   in, one [`protocol::Event`] enum out. Always built; it pulls in no simulator code, so the
//!   UI (`web`) depends on `sim` with `default-features = false` and gets only this.
//! - [`control`] (feature `engine`): the run-control state machine that owns a simulation,
//!   answers commands with events and runs the work in budgeted slices.
//!
//! ```
//! use sim::control::Controller;
//! use sim::protocol::{Command, Event, RunState};
//!
//! let mut c = Controller::new();
//! c.handle(Command::Run);
//! assert!(c.wants_slice());
//! c.run_slice(1_000);
//! let events = c.handle(Command::Pause);
//! assert!(events.contains(&Event::State { state: RunState::Paused }));
//! assert!(!c.wants_slice());
//! ```

pub mod protocol;

#[cfg(feature = "engine")]
pub mod control;
#[cfg(feature = "engine")]
pub mod demo;
