//! The top-level component: page state, the worker bridge, and the layout of the panels.

use std::rc::Rc;

use sim::frame::{Frame, Layout};
use sim::protocol::{Command, Event, RunState};
use sim::scenario::{Preset, Scenario};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::bridge::Bridge;
use crate::theme::Theme;
use crate::views::controls::Controls;
use crate::views::header::Header;
use crate::views::panel::Panel;
use crate::views::status_bar::StatusBar;

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
    /// The loaded scenario's shape.
    pub layout: Option<Layout>,
    /// Latest statistics frame.
    pub frame: Frame,
    /// Latest error, shown until the next one replaces it or it is dismissed.
    pub error: Option<String>,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            link: Link::Loading,
            run: RunState::Empty,
            layout: None,
            frame: Frame::default(),
            error: None,
        }
    }
}

/// What changes the page state: a worker event, or the user dismissing the error.
pub enum Action {
    /// An event from the worker.
    Worker(Event),
    /// Hide the error banner.
    DismissError,
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut m = (*self).clone();
        match action {
            Action::DismissError => m.error = None,
            Action::Worker(event) => match event {
                Event::Ready { version, .. } => m.link = Link::Ready { version },
                Event::State { state } => m.run = state,
                Event::Frame(f) => m.frame = f,
                Event::Loaded(layout) => m.layout = Some(layout),
                Event::BadScenario(e) => m.error = Some(format!("scenario: {e}")),
                Event::Pong { .. }
                | Event::Loading { .. }
                | Event::PageMap(_)
                | Event::PageInfo(_) => {
                    return self;
                }
                Event::Error { message } => m.error = Some(message),
            },
        }
        Rc::new(m)
    }
}

/// The scenario in the page's URL, or the default preset (after reporting what was wrong).
fn initial_scenario(on_event: &Callback<Event>) -> Scenario {
    let query = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    if query.trim_start_matches('?').is_empty() {
        return Preset::DEFAULT.scenario();
    }
    match Scenario::from_query(&query) {
        Ok(s) => s,
        Err(e) => {
            on_event.emit(Event::BadScenario(e));
            Preset::DEFAULT.scenario()
        }
    }
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let model = use_reducer(Model::default);
    let bridge = use_mut_ref(|| None::<Bridge>);
    let theme = use_state(Theme::initial);

    {
        let theme = *theme;
        use_effect_with(theme, move |_| theme.apply());
    }

    {
        let dispatcher = model.dispatcher();
        let bridge = bridge.clone();
        use_effect_with((), move |_| {
            let on_event = Callback::from(move |e| dispatcher.dispatch(Action::Worker(e)));
            match Bridge::start(on_event.clone()) {
                Ok(b) => {
                    b.send(Command::Load { scenario: initial_scenario(&on_event) });
                    *bridge.borrow_mut() = Some(b);
                }
                Err(message) => on_event.emit(Event::Error { message }),
            }
            move || drop(bridge.borrow_mut().take())
        });
    }

    let send = {
        let bridge = bridge.clone();
        Callback::from(move |command: Command| {
            if let Some(b) = bridge.borrow().as_ref() {
                b.send(command);
            }
        })
    };

    // Space toggles run/pause, unless a form control has the focus (it handles space itself).
    {
        let send = send.clone();
        let running = model.run == RunState::Running;
        use_effect_with(running, move |running| {
            let running = *running;
            let listener = Closure::<dyn FnMut(KeyboardEvent)>::new(move |ev: KeyboardEvent| {
                let in_control = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| {
                        matches!(el.tag_name().as_str(), "BUTTON" | "INPUT" | "SELECT" | "TEXTAREA")
                    });
                if ev.key() == " " && !in_control {
                    ev.prevent_default();
                    send.emit(if running { Command::Pause } else { Command::Run });
                }
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w
                    .add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "keydown",
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }

    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |_| theme.set(theme.toggled()))
    };
    let on_dismiss = {
        let dispatcher = model.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::DismissError))
    };

    html! {
        <div class="app">
            <Header theme={*theme} on_theme={on_theme} />
            if let Some(message) = model.error.clone() {
                <div class="banner error" role="alert" data-testid="error-banner">
                    <span>{ message }</span>
                    <button class="ghost" onclick={on_dismiss} aria-label="Dismiss">{ "×" }</button>
                </div>
            }
            <main class="layout">
                <Controls run={model.run} ready={matches!(model.link, Link::Ready { .. })} send={send} />
                <Panel class="machine" title="Machine"
                    explain="The ccNUMA multiprocessor: nodes with their CPUs and memory. Each \
                             machine page is coloured by the virtual machine that owns it (paper §4.2.2-3).">
                    <p>{ "Nodes, CPUs and every machine page will appear here when a scenario runs: \
                          which VM's virtual CPU runs where, and where its memory lives." }</p>
                </Panel>
                <Panel class="timeline" title="Scheduling timeline"
                    explain="Physical CPUs over time, coloured by the virtual CPU the monitor ran on \
                             each (paper §4.2.1).">
                    <p>{ "Once running, a row per physical CPU shows which VM's virtual CPU it ran, \
                          slice by slice." }</p>
                </Panel>
                <Panel class="ledger" title="Overhead ledger"
                    explain="Where the time goes: user, guest kernel, monitor and idle — the paper's \
                             Figure 5, live.">
                    <p>{ "Per VM: user / kernel / monitor / idle time, and TLB misses handled by the \
                          monitor's second-level TLB versus forwarded to the guest." }</p>
                </Panel>
                <Panel class="consoles" title="Consoles"
                    explain="What each guest operating system prints on its console.">
                    <p>{ "One tab per virtual machine, with its guest's own output." }</p>
                </Panel>
            </main>
            <StatusBar link={model.link.clone()} run={model.run} frame={model.frame.clone()} />
        </div>
    }
}
