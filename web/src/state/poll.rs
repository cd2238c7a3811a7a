//! When the page asks the worker for a page map. Page maps are large (a byte of owner and one of
//! kind per machine page, and with heat a counter per page per node), so they come on request
//! rather than in every frame: after each change of the simulated state, at most every
//! [`INTERVAL_MS`] while running ([`HEAT_INTERVAL_MS`] with heat), at once when the run stops,
//! and never with a request already in flight (unless it was lost for [`LOST_MS`]).

use sim::protocol::{Command, Event, RunState};

/// Least time between two page-map requests while running.
pub const INTERVAL_MS: f64 = 250.0;
/// The same with heat, which is a counter per page per node.
pub const HEAT_INTERVAL_MS: f64 = 1000.0;
/// An unanswered request is given up after this long.
pub const LOST_MS: f64 = 3000.0;

/// The decision, fed with every worker event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PageMapPoller {
    /// Ask half as often (compare mode draws two maps).
    slow: bool,
    heat: bool,
    running: bool,
    /// Newest frame's cycle.
    cycle: Option<u64>,
    /// The cycle and time of the last request, and whether it was answered.
    asked: Option<(u64, f64)>,
    answered: bool,
}

impl PageMapPoller {
    /// A poller that asks half as often while running: compare mode has two maps to draw.
    pub fn slower() -> Self {
        PageMapPoller { slow: true, ..PageMapPoller::default() }
    }

    /// Sees `event` (received at `ms`); returns the request to send, if one is due.
    pub fn event(&mut self, event: &Event, ms: f64) -> Option<Command> {
        match event {
            Event::State { state } => {
                self.running = *state == RunState::Running;
                if *state == RunState::Idle {
                    self.asked = None;
                }
                None
            }
            Event::Loaded(_) => {
                self.asked = None;
                None
            }
            Event::PageMap(_) => {
                self.answered = true;
                None
            }
            Event::Frame(f) => {
                self.cycle = Some(f.cycle);
                self.due(ms)
            }
            _ => None,
        }
    }

    /// The user switched heat on or off: a new map is due at once.
    pub fn set_heat(&mut self, heat: bool, ms: f64) -> Option<Command> {
        self.heat = heat;
        self.asked = None;
        self.answered = true;
        self.due(ms)
    }

    fn due(&mut self, ms: f64) -> Option<Command> {
        let cycle = self.cycle?;
        if let Some((at_cycle, at_ms)) = self.asked {
            let interval = if self.heat { HEAT_INTERVAL_MS } else { INTERVAL_MS };
            let interval = if self.slow { 2.0 * interval } else { interval };
            let waiting = !self.answered && ms - at_ms < LOST_MS;
            if at_cycle == cycle || waiting || (self.running && ms - at_ms < interval) {
                return None;
            }
        }
        self.asked = Some((cycle, ms));
        self.answered = false;
        Some(Command::PageMap { heat: self.heat })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::{Frame, PageMap};

    fn frame(cycle: u64) -> Event {
        Event::Frame(Frame { cycle, ..Frame::default() })
    }

    const MAP: Command = Command::PageMap { heat: false };

    #[test]
    fn asks_after_load_then_paces_itself_while_running() {
        let mut p = PageMapPoller::default();
        assert_eq!(p.event(&Event::State { state: RunState::Idle }, 0.0), None);
        assert_eq!(p.event(&frame(0), 1.0), Some(MAP));
        assert_eq!(p.event(&frame(0), 2.0), None, "in flight");
        assert_eq!(p.event(&Event::PageMap(PageMap::default()), 3.0), None);
        assert_eq!(p.event(&frame(0), 4.0), None, "nothing changed");
        p.event(&Event::State { state: RunState::Running }, 5.0);
        assert_eq!(p.event(&frame(100), 40.0), None, "too soon");
        assert_eq!(p.event(&frame(200), 260.0), Some(MAP));
        p.event(&Event::PageMap(PageMap::default()), 270.0);
        assert_eq!(p.event(&frame(300), 300.0), None);
        // Pausing sends a last frame: its map is asked for at once.
        p.event(&Event::State { state: RunState::Paused }, 310.0);
        assert_eq!(p.event(&frame(350), 311.0), Some(MAP));
    }

    #[test]
    fn a_lost_request_is_retried_and_heat_is_immediate() {
        let mut p = PageMapPoller::default();
        assert_eq!(p.event(&frame(1), 0.0), Some(MAP));
        assert_eq!(p.event(&frame(2), 100.0), None);
        assert_eq!(p.event(&frame(3), LOST_MS + 1.0), Some(MAP));
        assert_eq!(p.set_heat(true, LOST_MS + 2.0), Some(Command::PageMap { heat: true }));
        assert_eq!(p.set_heat(true, LOST_MS + 3.0), Some(Command::PageMap { heat: true }));
    }

    #[test]
    fn nothing_before_the_first_frame() {
        let mut p = PageMapPoller::default();
        assert_eq!(p.set_heat(true, 0.0), None);
        assert_eq!(p.event(&Event::Pong { id: 1 }, 1.0), None);
    }

    #[test]
    fn a_slower_poller_asks_half_as_often() {
        let mut p = PageMapPoller::slower();
        let frame = |c| Event::Frame(Frame { cycle: c, ..Default::default() });
        p.event(&Event::State { state: RunState::Running }, 0.0);
        assert!(p.event(&frame(1), 0.0).is_some());
        p.event(&Event::PageMap(Default::default()), 1.0);
        assert_eq!(p.event(&frame(2), INTERVAL_MS + 1.0), None);
        assert!(p.event(&frame(3), 2.0 * INTERVAL_MS + 1.0).is_some());
    }
}
