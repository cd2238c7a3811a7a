//! The status bar: worker connection, run state and progress.

use sim::frame::Frame;
use sim::protocol::RunState;
use yew::prelude::*;

use crate::app::Link;

/// Properties of [`StatusBar`].
#[derive(Properties, PartialEq)]
pub struct StatusBarProps {
    /// Connection to the worker.
    pub link: Link,
    /// Run state.
    pub run: RunState,
    /// Latest statistics.
    pub frame: Frame,
}

/// The bar at the bottom of the page.
#[function_component(StatusBar)]
pub fn status_bar(props: &StatusBarProps) -> Html {
    let (link_class, link_text) = match &props.link {
        Link::Loading => ("loading", "worker loading…".to_string()),
        Link::Ready { version } => ("ready", format!("worker ready · sim v{version}")),
    };
    let run = match props.run {
        RunState::Empty => "loading",
        RunState::Idle => "idle",
        RunState::Running => "running",
        RunState::Paused => "paused",
        RunState::Finished => "finished",
    };
    html! {
        <footer class="statusbar">
            <span class={classes!("dot", link_class)} data-testid="worker-status"
                data-state={link_class}>{ link_text }</span>
            <span data-testid="run-state" data-state={run}>{ run }</span>
            <span>{ "instructions " }<b data-testid="work">{ props.frame.instructions }</b></span>
            <span>{ "cycles " }<b data-testid="cycles">{ props.frame.cycle }</b></span>
            if let Some(h) = props.frame.run_hash {
                <span class="hash" title="Run hash: equal runs give equal hashes">
                    { format!("hash {h:016x}") }
                </span>
            }
        </footer>
    }
}
