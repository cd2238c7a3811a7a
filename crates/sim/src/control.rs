//! Run control: the state machine between the front ends' [`Command`]s and the simulation.
//!
//! The worker (and the tests) drive it the same way: [`Controller::load`] a scenario with its
//! files, hand every other command to [`Controller::handle`] and post the events it returns;
//! whenever [`Controller::wants_slice`] is true, call [`Controller::run_slice`] and post its
//! events, then yield to the event loop so the next command is seen before the next slice. A
//! `Pause` is therefore honoured within one slice. The controller never reads the clock: how
//! long a slice takes is the driver's concern, and the simulation's result does not depend on
//! where slices are cut.
//!
//! Reset restores a snapshot taken just after the boot: restoring one (~20 ms for pmake in four
//! VMs) is cheaper than booting again from the files (~35 ms), and the files need not be kept
//! (`cargo bench -p sim --bench reset`).

use crate::assets::Assets;
use crate::frame::Frame;
use crate::protocol::{Command, Event, RunState};
use crate::scenario::Scenario;
use crate::simulation::{SimError, Simulation};

/// Owns one simulation and its run state.
#[derive(Debug)]
pub struct Controller {
    state: RunState,
    loaded: Option<Loaded>,
    /// Where a [`Command::RunUntil`] stops the run.
    target: Option<u64>,
}

/// A loaded simulation and the snapshot Reset returns it to.
#[derive(Debug)]
struct Loaded {
    sim: Simulation,
    booted: Vec<u8>,
}

impl Default for Controller {
    fn default() -> Self {
        Self::new()
    }
}

fn sim_error(e: SimError) -> Event {
    match e {
        SimError::Scenario(e) => Event::BadScenario(e),
        e => Event::Error { message: e.to_string() },
    }
}

impl Controller {
    /// A controller with nothing loaded.
    pub fn new() -> Self {
        Controller { state: RunState::Empty, loaded: None, target: None }
    }

    /// The current run state.
    pub fn state(&self) -> RunState {
        self.state
    }

    /// The simulation, if one is loaded.
    pub fn simulation(&self) -> Option<&Simulation> {
        self.loaded.as_ref().map(|l| &l.sim)
    }

    /// True when the driver should run another slice.
    pub fn wants_slice(&self) -> bool {
        self.state == RunState::Running
    }

    /// Boots `scenario` from `assets`, replacing what was loaded (which stays if this fails).
    /// Answers `Loaded`, `State(Idle)` and a first frame, or the error.
    pub fn load(&mut self, scenario: &Scenario, assets: &Assets) -> Vec<Event> {
        match Simulation::new(scenario, assets) {
            Ok(sim) => {
                let layout = sim.layout();
                let booted = sim.snapshot();
                self.loaded = Some(Loaded { sim, booted });
                self.state = RunState::Idle;
                self.target = None;
                vec![Event::Loaded(layout), self.state_event(), Event::Frame(self.frame(true))]
            }
            Err(e) => vec![sim_error(e)],
        }
    }

    /// A frame now (`with_hash`: include the run hash, which costs a pass over memory).
    pub fn frame(&mut self, with_hash: bool) -> Frame {
        match &mut self.loaded {
            Some(Loaded { sim, .. }) => {
                let mut f = sim.take_frame();
                if with_hash {
                    f.run_hash = Some(sim.run_hash());
                }
                f
            }
            None => Frame::default(),
        }
    }

    /// Applies one command and returns the events that answer it. `Load` needs the scenario's
    /// files, which only the driver can fetch: it is answered with an error here; drivers call
    /// [`Controller::load`].
    pub fn handle(&mut self, command: Command) -> Vec<Event> {
        let none_loaded = || vec![Event::Error { message: "no scenario is loaded".into() }];
        match command {
            Command::Load { .. } => vec![Event::Error {
                message: "Load is handled by the driver (it fetches the files)".into(),
            }],
            Command::Run => {
                self.target = None;
                if matches!(self.state, RunState::Idle | RunState::Paused) {
                    self.state = RunState::Running;
                }
                vec![self.state_event()]
            }
            Command::Pause => {
                self.target = None;
                if self.state == RunState::Running {
                    self.state = RunState::Paused;
                    return vec![self.state_event(), Event::Frame(self.frame(true))];
                }
                vec![self.state_event()]
            }
            Command::RunUntil { cycle } => {
                let Some(Loaded { sim, .. }) = &self.loaded else { return none_loaded() };
                if self.state == RunState::Finished {
                    return vec![self.state_event()];
                }
                let now = sim.machine().now();
                if now >= cycle {
                    return self.reached(now);
                }
                self.target = Some(cycle);
                self.state = RunState::Running;
                vec![self.state_event()]
            }
            Command::Step { cycles } => {
                if self.state == RunState::Running {
                    return vec![Event::Error { message: "Step is ignored while running".into() }];
                }
                if self.loaded.is_none() {
                    return none_loaded();
                }
                if self.state != RunState::Finished {
                    self.state = RunState::Paused;
                }
                let mut events = self.run_slice(cycles);
                if events.is_empty() {
                    events = vec![self.state_event(), Event::Frame(self.frame(true))];
                }
                events
            }
            Command::Reset => {
                let Some(Loaded { sim, booted }) = &mut self.loaded else { return none_loaded() };
                if let Err(e) = sim.restore(booted) {
                    return vec![sim_error(e)];
                }
                self.state = RunState::Idle;
                self.target = None;
                vec![self.state_event(), Event::Frame(self.frame(true))]
            }
            Command::SetSpeed { .. } => Vec::new(),
            Command::PageMap { heat } => match &self.loaded {
                Some(Loaded { sim, .. }) => vec![Event::PageMap(sim.page_map(heat))],
                None => none_loaded(),
            },
            Command::InspectPage { page } => match &self.loaded {
                Some(Loaded { sim, .. }) => match sim.page_info(machine::Mppn(page)) {
                    Some(info) => vec![Event::PageInfo(info)],
                    None => vec![Event::Error { message: format!("no machine page {page}") }],
                },
                None => none_loaded(),
            },
            Command::SetPolicy { numa } => match &mut self.loaded {
                Some(Loaded { sim, .. }) => match sim.set_numa_policy(&numa) {
                    Ok(()) => Vec::new(),
                    Err(e) => vec![sim_error(e)],
                },
                None => none_loaded(),
            },
            Command::ConsoleInput { guest, text } => match &mut self.loaded {
                Some(Loaded { sim, .. }) => {
                    sim.console_input(usize::from(guest), text.as_bytes());
                    Vec::new()
                }
                None => none_loaded(),
            },
            Command::Ping { id } => vec![Event::Pong { id }],
        }
    }

    /// Runs one slice of at most `cycles` machine cycles and returns the events it caused (the
    /// state change and a final frame when every guest has powered off). The driver decides
    /// when to send ordinary frames. Under a [`Command::RunUntil`] the slice stops at the
    /// target, and reaching it pauses the run (answered by the state, a frame and
    /// [`Event::Reached`]).
    pub fn run_slice(&mut self, cycles: u64) -> Vec<Event> {
        let Some(Loaded { sim, .. }) = &mut self.loaded else { return Vec::new() };
        if self.state == RunState::Finished {
            return Vec::new();
        }
        let cycles = match self.target {
            Some(t) => cycles.min(t.saturating_sub(sim.machine().now()).max(1)),
            None => cycles,
        };
        sim.run(cycles);
        let now = sim.machine().now();
        if sim.finished() {
            self.state = RunState::Finished;
            self.target = None;
            return vec![self.state_event(), Event::Frame(self.frame(true))];
        }
        if self.target.is_some_and(|t| now >= t) {
            return self.reached(now);
        }
        Vec::new()
    }

    /// The run stands at or past its [`Command::RunUntil`] target, at cycle `now`: forget the
    /// target, pause a running run, and say so with the state, a frame and [`Event::Reached`].
    fn reached(&mut self, now: u64) -> Vec<Event> {
        self.target = None;
        if self.state == RunState::Running {
            self.state = RunState::Paused;
        }
        vec![self.state_event(), Event::Frame(self.frame(false)), Event::Reached { cycle: now }]
    }

    fn state_event(&self) -> Event {
        Event::State { state: self.state }
    }
}
