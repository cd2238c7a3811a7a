//! The page ⇄ worker protocol: one enum of commands in, one enum of events out.
//!
//! Messages cross the worker boundary as structured-clone objects made by
//! `serde-wasm-bindgen`; each is tagged by its `type` field, so the JSON form is readable in the
//! browser's developer tools. The page must not send anything before it has received
//! [`Event::Ready`]: until then the worker's WebAssembly is still loading and would drop the
//! message. Bump [`PROTOCOL_VERSION`] on every incompatible change.

use serde::{Deserialize, Serialize};

/// Version of this protocol; the worker reports it in [`Event::Ready`] and the page refuses a
/// worker that speaks another one (a stale cached bundle).
pub const PROTOCOL_VERSION: u32 = 1;

/// Version of the simulator build, shown in the UI.
pub const SIM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the page asks the worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Command {
    /// Start or continue running, slice after slice. Valid in any state but `Finished`
    /// (ignored there). Answered by [`Event::State`] with [`RunState::Running`].
    Run,
    /// Stop at the end of the slice now running; honoured before the next slice starts.
    /// Valid in any state. Answered by [`Event::State`] with [`RunState::Paused`] (or the
    /// current state if it was not running) and a final [`Event::Progress`].
    Pause,
    /// Run exactly one slice of `budget` work units, then pause. Valid when not running
    /// (ignored while running). Answered by [`Event::Progress`] and [`Event::State`].
    Step {
        /// Work units to run in this step.
        budget: u64,
    },
    /// Throw the simulation away and start again from its initial state, paused. Valid in any
    /// state. Answered by [`Event::State`] with [`RunState::Idle`] and a zeroed
    /// [`Event::Progress`].
    Reset,
    /// Ask for a [`Event::Pong`] carrying the same `id`; the page uses it to check that the
    /// worker is alive and to measure round trips. Valid in any state.
    Ping {
        /// Echoed back unchanged.
        id: u32,
    },
}

/// Where the run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunState {
    /// Loaded, nothing run yet (or just reset).
    Idle,
    /// Running slices.
    Running,
    /// Stopped by the user; resumable.
    Paused,
    /// The workload ended; only `Reset` leaves this state.
    Finished,
}

/// A statistics frame: how far the run has come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Progress {
    /// Slices run since the last reset.
    pub slices: u64,
    /// Work units (simulated instructions, once the machine is plugged in) since the last reset.
    pub work: u64,
    /// A stable hash of the simulation state; equal runs give equal hashes.
    pub run_hash: u64,
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Event {
    /// Sent once, first, when the worker's WebAssembly has loaded and it listens for commands.
    Ready {
        /// [`SIM_VERSION`] of the worker build.
        version: String,
        /// [`PROTOCOL_VERSION`] the worker speaks.
        protocol: u32,
    },
    /// The run state changed (or a command asked for it).
    State {
        /// The new state.
        state: RunState,
    },
    /// A statistics frame; sent at most about 30 times a second while running, and once after
    /// each state change.
    Progress(Progress),
    /// Answer to [`Command::Ping`].
    Pong {
        /// The `id` of the ping.
        id: u32,
    },
    /// A command could not be understood or carried out; the run is unaffected.
    Error {
        /// Human-readable explanation.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_tagged_by_type() {
        let json = serde_json::to_string(&Command::Step { budget: 7 }).expect("serialise");
        assert_eq!(json, r#"{"type":"Step","budget":7}"#);
        let back: Command = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, Command::Step { budget: 7 });
    }

    #[test]
    fn events_round_trip() {
        let events = [
            Event::Ready { version: SIM_VERSION.into(), protocol: PROTOCOL_VERSION },
            Event::State { state: RunState::Paused },
            Event::Progress(Progress { slices: 1, work: 2, run_hash: 3 }),
            Event::Pong { id: 9 },
            Event::Error { message: "x".into() },
        ];
        for e in events {
            let json = serde_json::to_string(&e).expect("serialise");
            let back: Event = serde_json::from_str(&json).expect("parse");
            assert_eq!(back, e);
        }
    }

    #[test]
    fn unknown_command_is_an_error_not_a_panic() {
        assert!(serde_json::from_str::<Command>(r#"{"type":"Explode"}"#).is_err());
        assert!(serde_json::from_str::<Command>(r#"{"type":"Step"}"#).is_err());
    }
}
