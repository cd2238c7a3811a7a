//! The page ⇄ worker protocol: one enum of commands in, one enum of events out.
//!
//! Messages cross the worker boundary as structured-clone objects made by
//! `serde-wasm-bindgen`; each is tagged by its `type` field, so the JSON form is readable in the
//! browser's developer tools. The page must not send anything before it has received
//! [`Event::Ready`]: until then the worker's WebAssembly is still loading and would drop the
//! message. Bump [`PROTOCOL_VERSION`] on every incompatible change.

use serde::{Deserialize, Serialize};

use crate::frame::{Frame, Layout, PageInfo, PageMap};
use crate::scenario::{Scenario, ScenarioError};

/// Version of this protocol; the worker reports it in [`Event::Ready`] and the page refuses a
/// worker that speaks another one (a stale cached bundle).
pub const PROTOCOL_VERSION: u32 = 4;

/// Version of the simulator build, shown in the UI.
pub const SIM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the page asks the worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Command {
    /// Load a scenario (replacing the current one): the worker fetches what it needs (kernels,
    /// disk images), boots it, and answers [`Event::Loaded`], [`Event::State`] (`Idle`) and a
    /// first [`Event::Frame`] — or [`Event::BadScenario`] / [`Event::Error`], keeping the old one.
    Load {
        /// The scenario.
        scenario: Scenario,
    },
    /// Start or continue running, slice after slice. Ignored when nothing is loaded or the run
    /// has finished. Answered by [`Event::State`] with [`RunState::Running`].
    Run,
    /// Stop at the end of the slice now running; honoured before the next slice starts.
    /// Answered by [`Event::State`] with [`RunState::Paused`] (or the current state if it was
    /// not running) and a final [`Event::Frame`].
    Pause,
    /// Run exactly `cycles` more machine cycles, then pause. Valid when not running (ignored
    /// while running). Answered by [`Event::Frame`] and [`Event::State`].
    Step {
        /// Machine cycles to run.
        cycles: u64,
    },
    /// Run until the machine's clock reaches `cycle` — to the first point of its quantum grid at
    /// or after it, as a free run cut there would — then pause. The A/B compare mode drives two
    /// workers with it so that neither runs ahead of the other in simulated time; where the run
    /// is cut does not change what it computes (the same run hash as a free run). Valid when
    /// loaded and not finished (while running it sets where to stop). Answered by
    /// [`Event::State`] with [`RunState::Running`]; on arrival by [`Event::State`] with
    /// [`RunState::Paused`], a [`Event::Frame`] and [`Event::Reached`] — or, if every guest
    /// powers off first, by [`RunState::Finished`] and the final frame as in a free run. A
    /// `Pause`, `Run` or `Reset` forgets the target.
    RunUntil {
        /// The machine cycle to stop at.
        cycle: u64,
    },
    /// Throw the run away and boot the scenario again, paused at its start. Answered by
    /// [`Event::State`] with [`RunState::Idle`] and a fresh [`Event::Frame`].
    Reset,
    /// Limit how fast the simulation runs: at most `mhz` million simulated cycles per second of
    /// wall time (`None`: as fast as the host can). Slow motion for a lecture.
    SetSpeed {
        /// The limit.
        mhz: Option<u32>,
    },
    /// Ask for an [`Event::PageMap`] (with per-node heat if `heat`).
    PageMap {
        /// Include the heat.
        heat: bool,
    },
    /// Ask for an [`Event::PageInfo`] about machine page `page`.
    InspectPage {
        /// Machine page number.
        page: u32,
    },
    /// Change the NUMA policy of the loaded run from now on (the scenario keeps its starting
    /// values): the next hot-page interrupt is judged by the new settings. Valid in any state
    /// under the monitor; natively answered by [`Event::Error`].
    SetPolicy {
        /// The new settings.
        numa: crate::scenario::NumaPolicy,
    },
    /// Type `text` on guest `guest`'s console.
    ConsoleInput {
        /// The guest.
        guest: u16,
        /// What to type.
        text: String,
    },
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
    /// Nothing loaded yet.
    Empty,
    /// Loaded, nothing run yet (or just reset).
    Idle,
    /// Running slices.
    Running,
    /// Stopped by the user; resumable.
    Paused,
    /// Every guest powered off; only `Reset` or `Load` leave this state.
    Finished,
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
    /// A scenario is being loaded: `done` of `total` files fetched, and `bytes` of
    /// `total_bytes` downloaded (0 of 0 when the sizes are not known, or nothing is to fetch).
    Loading {
        /// Files fetched.
        done: u32,
        /// Files needed.
        total: u32,
        /// Bytes downloaded so far (the files to fetch, not those already cached).
        #[serde(default)]
        bytes: u64,
        /// Bytes to download in all, as the server announced them (0 if unknown).
        #[serde(default)]
        total_bytes: u64,
    },
    /// A scenario was loaded and booted.
    Loaded(Layout),
    /// The run state changed (or a command asked for it).
    State {
        /// The new state.
        state: RunState,
    },
    /// A statistics frame; sent at most about 30 times a second while running, and after each
    /// state change.
    Frame(Frame),
    /// The page map asked for.
    PageMap(PageMap),
    /// The page asked about.
    PageInfo(PageInfo),
    /// A [`Command::RunUntil`] arrived: the run is paused at machine cycle `cycle` (at or just
    /// after the target).
    Reached {
        /// The machine's clock now.
        cycle: u64,
    },
    /// Answer to [`Command::Ping`].
    Pong {
        /// The `id` of the ping.
        id: u32,
    },
    /// A scenario was refused; the field says which part.
    BadScenario(ScenarioError),
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
        let json = serde_json::to_string(&Command::Step { cycles: 7 }).expect("serialise");
        assert_eq!(json, r#"{"type":"Step","cycles":7}"#);
        let back: Command = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, Command::Step { cycles: 7 });
        let load = Command::Load { scenario: crate::scenario::PRESETS[0].scenario() };
        let json = serde_json::to_string(&load).expect("serialise");
        assert_eq!(serde_json::from_str::<Command>(&json).expect("parse"), load);
    }

    #[test]
    fn events_round_trip() {
        let events = [
            Event::Ready { version: SIM_VERSION.into(), protocol: PROTOCOL_VERSION },
            Event::State { state: RunState::Paused },
            Event::Frame(Frame { cycle: 7, ..Frame::default() }),
            Event::BadScenario(ScenarioError { field: "nodes".into(), message: "x".into() }),
            Event::Pong { id: 9 },
            Event::Reached { cycle: 1 << 40 },
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
