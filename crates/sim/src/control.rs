//! Run control: the state machine between the front ends' [`Command`]s and the simulation.
//!
//! The worker (and the tests) drive it the same way: hand every command to
//! [`Controller::handle`] and post the events it returns; whenever [`Controller::wants_slice`]
//! is true, call [`Controller::run_slice`] and post its events, then yield to the event loop so
//! the next command is seen before the next slice. A `Pause` is therefore honoured within one
//! slice. The controller never reads the clock: how long a slice takes is the driver's concern,
//! and the simulation's result does not depend on where slices are cut.

use crate::demo::Demo;
use crate::protocol::{Command, Event, Progress, RunState};

/// Owns one simulation and its run state.
#[derive(Debug)]
pub struct Controller {
    state: RunState,
    slices: u64,
    demo: Demo,
    limit: Option<u64>,
}

impl Default for Controller {
    fn default() -> Self {
        Self::new()
    }
}

impl Controller {
    /// A controller over the endless demo workload, idle.
    pub fn new() -> Self {
        Self::with_limit(None)
    }

    /// A controller over a demo workload that finishes after `limit` work units.
    pub fn with_limit(limit: Option<u64>) -> Self {
        Controller { state: RunState::Idle, slices: 0, demo: Demo::new(limit), limit }
    }

    /// The current run state.
    pub fn state(&self) -> RunState {
        self.state
    }

    /// True when the driver should run another slice.
    pub fn wants_slice(&self) -> bool {
        self.state == RunState::Running
    }

    /// The current statistics frame.
    pub fn progress(&self) -> Progress {
        Progress { slices: self.slices, work: self.demo.done(), run_hash: self.demo.hash() }
    }

    /// Applies one command and returns the events that answer it.
    pub fn handle(&mut self, command: Command) -> Vec<Event> {
        match command {
            Command::Run => {
                if self.state != RunState::Finished {
                    self.state = RunState::Running;
                }
                vec![self.state_event()]
            }
            Command::Pause => {
                if self.state == RunState::Running {
                    self.state = RunState::Paused;
                }
                vec![self.state_event(), Event::Progress(self.progress())]
            }
            Command::Step { budget } => {
                if self.state == RunState::Running {
                    return vec![Event::Error { message: "Step is ignored while running".into() }];
                }
                if self.state != RunState::Finished {
                    self.state = RunState::Paused;
                }
                let mut events = self.run_slice(budget);
                if events.is_empty() {
                    events = vec![self.state_event(), Event::Progress(self.progress())];
                }
                events
            }
            Command::Reset => {
                *self = Controller::with_limit(self.limit);
                vec![self.state_event(), Event::Progress(self.progress())]
            }
            Command::Ping { id } => vec![Event::Pong { id }],
        }
    }

    /// Runs one slice of at most `budget` work units and returns the events it caused (a
    /// state change when the workload ends). The caller decides when to send a progress frame.
    pub fn run_slice(&mut self, budget: u64) -> Vec<Event> {
        if self.state == RunState::Finished {
            return Vec::new();
        }
        self.demo.run(budget);
        self.slices += 1;
        if self.demo.finished() {
            self.state = RunState::Finished;
            return vec![self.state_event(), Event::Progress(self.progress())];
        }
        Vec::new()
    }

    fn state_event(&self) -> Event {
        Event::State { state: self.state }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_of(events: &[Event]) -> Option<RunState> {
        events.iter().find_map(|e| match e {
            Event::State { state } => Some(*state),
            _ => None,
        })
    }

    #[test]
    fn pause_stops_slices_and_resume_continues() {
        let mut c = Controller::new();
        assert_eq!(state_of(&c.handle(Command::Run)), Some(RunState::Running));
        c.run_slice(10);
        c.run_slice(10);
        assert_eq!(state_of(&c.handle(Command::Pause)), Some(RunState::Paused));
        assert!(!c.wants_slice());
        let paused_at = c.progress();
        assert_eq!(paused_at.work, 20);
        c.handle(Command::Run);
        assert!(c.wants_slice());
        c.run_slice(5);
        assert_eq!(c.progress().work, 25);
    }

    #[test]
    fn result_is_independent_of_slicing() {
        let mut a = Controller::new();
        a.handle(Command::Run);
        a.run_slice(1000);
        let mut b = Controller::new();
        b.handle(Command::Run);
        for _ in 0..4 {
            b.run_slice(250);
        }
        assert_eq!(a.progress().run_hash, b.progress().run_hash);
        assert_eq!(a.progress().work, b.progress().work);
    }

    #[test]
    fn step_runs_one_slice_and_pauses() {
        let mut c = Controller::new();
        let events = c.handle(Command::Step { budget: 42 });
        assert_eq!(state_of(&events), Some(RunState::Paused));
        assert_eq!(c.progress().work, 42);
        assert!(events.contains(&Event::Progress(c.progress())), "a step reports its progress");
        c.handle(Command::Run);
        assert!(matches!(c.handle(Command::Step { budget: 1 })[0], Event::Error { .. }));
    }

    #[test]
    fn finishing_and_reset() {
        let mut c = Controller::with_limit(Some(30));
        c.handle(Command::Run);
        c.run_slice(20);
        let events = c.run_slice(20);
        assert_eq!(state_of(&events), Some(RunState::Finished));
        assert!(!c.wants_slice());
        assert_eq!(state_of(&c.handle(Command::Run)), Some(RunState::Finished));
        let events = c.handle(Command::Reset);
        assert_eq!(state_of(&events), Some(RunState::Idle));
        assert_eq!(c.progress().work, 0);
        assert_eq!(c.progress().slices, 0);
    }

    #[test]
    fn ping_is_answered() {
        let mut c = Controller::new();
        assert_eq!(c.handle(Command::Ping { id: 5 }), vec![Event::Pong { id: 5 }]);
    }
}
