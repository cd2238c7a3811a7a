//! The page's state: a reducer over the worker's events. Frames carry cumulative counters plus
//! deltas (scheduling segments, console text); the model keeps the latest counters and
//! accumulates the deltas in bounded histories. Large parts are behind [`Shared`] pointers, so a
//! new model version copies pointers and a view re-draws only what really changed.
//!
//! - [`segments`]: the scheduling history the timeline draws.
//! - [`console_log`]: each guest's console text.
//! - [`speed`]: simulated instructions per wall second.
//! - [`numa`]: the NUMA policy's actions and the miss counters over time.
//! - [`sharing`]: V and M over time and the copy-on-write breaks.
//! - [`poll`]: when to ask the worker for a page map.
//! - [`url`]: the scenario in the address bar.

pub mod compare;
pub mod console_log;
pub mod numa;
pub mod poll;
pub mod segments;
pub mod sharing;
pub mod speed;
pub mod url;

use std::ops::Deref;
use std::rc::Rc;

use sim::frame::{CowBreak, Frame, Layout, NumaEvent, PageInfo, PageMap};
use sim::protocol::{Event, RunState};
use yew::Reducible;

use console_log::ConsoleLog;
use numa::{NumaLog, Sample};
use segments::SegmentLog;
use sharing::SharingLog;
use speed::SpeedMeter;

/// While running, the numeric views are refreshed at most this often (milliseconds).
pub const COUNTERS_MS: f64 = 250.0;

/// A shared, immutable value compared by identity: cheap to clone and to compare, so views
/// re-render only when a new value was made.
#[derive(Debug, Default)]
pub struct Shared<T>(Rc<T>);

impl<T> Shared<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        Shared(Rc::new(value))
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Rc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// The state of the connection to the worker.
#[derive(Clone, Debug, PartialEq)]
pub enum Link {
    /// The worker's WebAssembly is loading; commands are queued.
    Loading,
    /// The handshake completed.
    Ready {
        /// Simulator version the worker reported.
        version: String,
    },
}

/// Everything the page shows, rebuilt from worker events.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Connection state.
    pub link: Link,
    /// Run state as last reported.
    pub run: RunState,
    /// Files fetched of files needed, while a scenario loads.
    pub loading: Option<(u32, u32)>,
    /// Bytes downloaded of bytes to download, while a scenario's files download (when the
    /// server announced their sizes).
    pub bytes: Option<(u64, u64)>,
    /// The loaded scenario's shape.
    pub layout: Option<Shared<Layout>>,
    /// Latest statistics frame (its deltas moved to the histories): what moves — the
    /// timeline, the CPUs.
    pub frame: Shared<Frame>,
    /// The frame the numbers are read from: the latest one, but while running at most every
    /// [`COUNTERS_MS`] — figures changing 30 times a second cannot be read, and every change
    /// costs the browser a layout and a paint.
    pub counters: Shared<Frame>,
    counters_at: f64,
    /// Console output per guest.
    pub consoles: Shared<ConsoleLog>,
    /// Scheduling history.
    pub segments: Shared<SegmentLog>,
    /// The NUMA policy's actions and the miss counters over time; refreshed with
    /// [`Model::counters`] (a list changing 30 times a second cannot be read either).
    pub numa: Shared<NumaLog>,
    /// What frames delivered since the last refresh of [`Model::numa`].
    numa_pending: NumaPending,
    /// V and M over time and the copy-on-write breaks; refreshed with [`Model::counters`].
    pub sharing: Shared<SharingLog>,
    /// What frames delivered since the last refresh of [`Model::sharing`].
    sharing_pending: SharingPending,
    /// Latest page map.
    pub page_map: Option<Shared<PageMap>>,
    /// Latest page details asked for.
    pub page_info: Option<Shared<PageInfo>>,
    /// Simulation speed.
    pub speed: SpeedMeter,
    /// Its reading when the counters were last refreshed.
    pub speed_shown: speed::Reading,
    /// Latest error, shown until dismissed or replaced.
    pub error: Option<String>,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            link: Link::Loading,
            run: RunState::Empty,
            loading: None,
            bytes: None,
            layout: None,
            frame: Shared::default(),
            counters: Shared::default(),
            counters_at: f64::NEG_INFINITY,
            consoles: Shared::default(),
            segments: Shared::default(),
            numa: Shared::default(),
            numa_pending: NumaPending::default(),
            sharing: Shared::default(),
            sharing_pending: SharingPending::default(),
            page_map: None,
            page_info: None,
            speed: SpeedMeter::default(),
            speed_shown: speed::Reading::default(),
            error: None,
        }
    }
}

/// What frames delivered for the NUMA log since it was last refreshed.
#[derive(Clone, Debug, Default, PartialEq)]
struct NumaPending {
    events: Vec<Rc<NumaEvent>>,
    skipped: u64,
    samples: Vec<Sample>,
}

/// What frames delivered for the sharing log since it was last refreshed.
#[derive(Clone, Debug, Default, PartialEq)]
struct SharingPending {
    breaks: Vec<CowBreak>,
    skipped: u64,
    samples: Vec<sharing::Sample>,
}

/// What changes the page state.
pub enum Action {
    /// An event from the worker, received at `ms` (the page's clock, milliseconds).
    Worker(Event, f64),
    /// Show a message (a bad URL, a refused scenario).
    Error(String),
    /// Hide the error banner.
    DismissError,
}

impl Model {
    /// A new run starts (load or reset): the histories start empty.
    fn clear_histories(&mut self) {
        self.consoles = Shared::default();
        self.segments = Shared::default();
        self.numa = Shared::default();
        self.numa_pending = NumaPending::default();
        self.sharing = Shared::default();
        self.sharing_pending = SharingPending::default();
        self.page_map = None;
        self.page_info = None;
        self.speed = SpeedMeter::default();
    }

    /// Moves what frames delivered (actions, samples of the counters) into the NUMA log, under the
    /// monitor (natively there is nothing to show).
    fn refresh_numa(&mut self, ms: f64) {
        let Some(layout) = &self.layout else { return };
        if !layout.disco {
            return;
        }
        let pending = std::mem::take(&mut self.numa_pending);
        if pending.events.is_empty() && pending.samples.is_empty() && pending.skipped == 0 {
            return;
        }
        let mut log = (*self.numa).clone();
        log.push(pending.events, pending.skipped, ms);
        for s in pending.samples {
            log.sample(s);
        }
        self.numa = Shared::new(log);
    }

    /// Moves what frames delivered (breaks, samples of V and M) into the sharing log.
    fn refresh_sharing(&mut self, ms: f64) {
        let pending = std::mem::take(&mut self.sharing_pending);
        if pending.breaks.is_empty() && pending.samples.is_empty() && pending.skipped == 0 {
            return;
        }
        let mut log = (*self.sharing).clone();
        log.push(pending.breaks, pending.skipped, ms);
        for s in pending.samples {
            log.sample(s);
        }
        self.sharing = Shared::new(log);
    }

    /// Applies one worker event.
    pub fn apply(&mut self, event: Event, ms: f64) {
        match event {
            Event::Ready { version, .. } => self.link = Link::Ready { version },
            Event::Loading { done, total, bytes, total_bytes } => {
                self.loading = Some((done, total));
                self.bytes = (total_bytes > 0).then_some((bytes, total_bytes));
            }
            Event::Loaded(layout) => {
                self.layout = Some(Shared::new(layout));
                self.loading = None;
                self.bytes = None;
                self.clear_histories();
            }
            Event::State { state } => {
                if state != self.run {
                    self.speed.interrupt();
                }
                if state == RunState::Idle {
                    self.clear_histories();
                }
                // A run that stops shows its latest figures at once (compare mode pauses a
                // worker that is already paused at its lockstep target: no new frame comes).
                if matches!(state, RunState::Paused | RunState::Finished) {
                    self.counters = self.frame.clone();
                    self.speed_shown = self.speed.reading();
                    self.refresh_numa(ms);
                    self.refresh_sharing(ms);
                }
                self.run = state;
            }
            Event::Frame(mut f) => {
                let segments = std::mem::take(&mut f.segments);
                let console = std::mem::take(&mut f.console);
                if !segments.is_empty() {
                    let mut log = (*self.segments).clone();
                    log.push(segments, f.cycle);
                    self.segments = Shared::new(log);
                }
                if !console.is_empty() {
                    let mut log = (*self.consoles).clone();
                    for c in &console {
                        log.push(usize::from(c.guest), &c.text);
                    }
                    self.consoles = Shared::new(log);
                }
                if let Some(n) = f.numa.as_mut() {
                    let p = &mut self.numa_pending;
                    p.events.extend(std::mem::take(&mut n.events).into_iter().map(Rc::new));
                    p.skipped += std::mem::take(&mut n.skipped);
                    // Every frame is a sample: the charts' resolution should not depend on how
                    // often the numbers are redrawn.
                    let cpus_per_node = self.layout.as_ref().map_or(1, |l| l.cpus_per_node);
                    p.samples.push(Sample::of(&f, cpus_per_node));
                }
                if let Some(s) = f.sharing.as_mut() {
                    let p = &mut self.sharing_pending;
                    p.breaks.append(&mut s.breaks);
                    p.skipped += std::mem::take(&mut s.breaks_skipped);
                }
                if let Some(s) = sharing::Sample::of(&f) {
                    self.sharing_pending.samples.push(s);
                }
                let running = self.run == RunState::Running;
                self.speed.frame(ms, f.instructions, f.cycle, running);
                self.frame = Shared::new(f);
                if !running || ms - self.counters_at >= COUNTERS_MS {
                    self.counters = self.frame.clone();
                    self.counters_at = ms;
                    self.speed_shown = self.speed.reading();
                    self.refresh_numa(ms);
                    self.refresh_sharing(ms);
                }
            }
            Event::PageMap(map) => self.page_map = Some(Shared::new(map)),
            Event::PageInfo(info) => self.page_info = Some(Shared::new(info)),
            Event::BadScenario(e) => self.error = Some(format!("The scenario was refused — {e}")),
            Event::Error { message } => self.error = Some(message),
            Event::Pong { .. } | Event::Reached { .. } => {}
        }
    }
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if let Action::Worker(Event::Pong { .. }, _) = action {
            return self;
        }
        let mut m = (*self).clone();
        match action {
            Action::Worker(event, ms) => m.apply(event, ms),
            Action::Error(message) => m.error = Some(message),
            Action::DismissError => m.error = None,
        }
        Rc::new(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::{ConsoleText, Running, Segment};

    fn frame(cycle: u64, instructions: u64, vm: u16, text: &str) -> Event {
        Event::Frame(Frame {
            cycle,
            instructions,
            segments: vec![Segment {
                cpu: 0,
                start: cycle.saturating_sub(10),
                end: cycle,
                running: Running { guest: vm, vcpu: 0 },
            }],
            console: vec![ConsoleText { guest: vm, text: text.into() }],
            ..Frame::default()
        })
    }

    #[test]
    fn frames_accumulate_deltas_and_keep_counters() {
        let mut m = Model::default();
        m.apply(Event::State { state: RunState::Running }, 0.0);
        m.apply(frame(100, 10, 0, "boot "), 1.0);
        m.apply(frame(200, 20, 1, "db\n"), 2.0);
        m.apply(frame(300, 30, 0, "ok\n"), 3.0);
        assert_eq!(m.frame.instructions, 30);
        assert!(m.frame.segments.is_empty() && m.frame.console.is_empty());
        assert_eq!(m.consoles.guest(0).text(), "boot ok\n");
        assert_eq!(m.consoles.guest(1).text(), "db\n");
        assert_eq!((m.segments.seen(0), m.segments.seen(1), m.segments.len()), (2, 1, 3));
    }

    #[test]
    fn reset_clears_the_histories() {
        let mut m = Model::default();
        m.apply(frame(100, 10, 0, "x"), 1.0);
        m.apply(Event::PageMap(PageMap::default()), 2.0);
        m.apply(Event::State { state: RunState::Idle }, 3.0);
        m.apply(Event::Frame(Frame::default()), 4.0);
        assert_eq!(m.frame.instructions, 0);
        assert_eq!(m.consoles.guest(0).text(), "");
        assert_eq!(m.segments.len(), 0);
        assert!(m.page_map.is_none());
    }

    #[test]
    fn a_new_version_shares_what_did_not_change() {
        let mut m = Model::default();
        m.apply(frame(100, 10, 0, "x"), 1.0);
        let before = m.clone();
        m.apply(Event::Frame(Frame { cycle: 200, ..Frame::default() }), 2.0);
        assert!(before.consoles == m.consoles, "no console delta: same log");
        assert!(before.segments == m.segments);
        assert!(before.frame != m.frame);
    }

    #[test]
    fn numbers_refresh_slower_than_motion_while_running() {
        let mut m = Model::default();
        m.apply(Event::State { state: RunState::Running }, 0.0);
        m.apply(frame(100, 10, 0, ""), 1000.0);
        assert_eq!(m.counters.cycle, 100);
        m.apply(frame(200, 20, 0, ""), 1033.0);
        assert_eq!((m.frame.cycle, m.counters.cycle), (200, 100));
        m.apply(frame(300, 30, 0, ""), 1000.0 + COUNTERS_MS);
        assert_eq!(m.counters.cycle, 300);
        m.apply(frame(400, 40, 0, ""), 1000.0 + COUNTERS_MS + 1.0);
        assert_eq!(m.counters.cycle, 300);
        // The frame that answers a pause is shown at once.
        m.apply(Event::State { state: RunState::Paused }, 1000.0 + COUNTERS_MS + 2.0);
        m.apply(frame(450, 45, 0, ""), 1000.0 + COUNTERS_MS + 3.0);
        assert_eq!(m.counters.cycle, 450);
    }

    #[test]
    fn errors_are_shown_and_dismissed() {
        let m = Rc::new(Model::default());
        let m = m.reduce(Action::Worker(Event::Error { message: "boom".into() }, 0.0));
        assert_eq!(m.error.as_deref(), Some("boom"));
        let m = m.reduce(Action::DismissError);
        assert_eq!(m.error, None);
    }
}
