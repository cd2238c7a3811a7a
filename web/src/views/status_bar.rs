//! The status bar: worker connection, run state, simulated time, instructions and how fast the
//! simulation runs (simulated instructions per second of wall time, measured from the frames).

use sim::frame::Frame;
use sim::protocol::RunState;
use yew::prelude::*;

use crate::format;
use crate::state::Link;
use crate::state::Shared;
use crate::state::speed::Reading;

/// Properties of [`StatusBar`].
#[derive(Properties, PartialEq)]
pub struct StatusBarProps {
    /// Connection to the worker.
    pub link: Link,
    /// Run state.
    pub run: RunState,
    /// Files fetched of files needed, while loading.
    pub loading: Option<(u32, u32)>,
    /// Latest statistics.
    pub frame: Shared<Frame>,
    /// Clock of the loaded machine, MHz.
    pub clock_mhz: u32,
    /// Simulation speed.
    pub speed: Reading,
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
    let run_text = match props.loading {
        Some((done, total)) if done < total => format!("fetching {done}/{total}"),
        Some(_) => "booting".into(),
        None => run.into(),
    };
    let f = &props.frame;
    let mips = props.speed.mips;
    let avg = props.speed.average_mips;
    let speed_title = match (props.speed.mhz, avg) {
        (Some(mhz), Some(a)) => {
            format!("{mhz:.1} M simulated cycles per second; {a:.1} MIPS on average while running")
        }
        _ => "simulated instructions per second of wall time, while running".into(),
    };
    html! {
        <footer class="statusbar">
            <span class={classes!("dot", link_class)} data-testid="worker-status" data-state={link_class}>{ link_text }</span>
            <span class={classes!("state", run)} data-testid="run-state" data-state={run}>{ run_text }</span>
            <span title="simulated time since power-on">{ "time " }<b data-testid="sim-time">{ format::sim_time(f.cycle, props.clock_mhz.max(1)) }</b></span>
            <span title="instructions executed by all CPUs together">{ "instructions " }<b data-testid="work" data-value={f.instructions.to_string()}>{ format::count(f.instructions) }</b></span>
            <span title="the machine's clock: cycles of each CPU since boot (every CPU runs the same number)">{ "cycles " }<b data-testid="cycles" data-value={f.cycle.to_string()}>{ format::count(f.cycle) }</b></span>
            <span title={speed_title}>{ "speed " }
                <b data-testid="mips" data-value={mips.map(|m| format!("{m:.2}")).unwrap_or_default()}
                    data-average={avg.map(|m| format!("{m:.2}")).unwrap_or_default()}>
                    { match (mips, avg) {
                        (Some(m), _) => format!("{m:.1} MIPS"),
                        (None, Some(a)) => format!("{a:.1} MIPS (average)"),
                        _ => "–".to_string(),
                    } }
                </b>
            </span>
            if let Some(h) = f.run_hash {
                <span class="hash" title="Run hash: equal runs give equal hashes" data-testid="run-hash" data-value={format!("{h:016x}")}>{ format!("hash {h:016x}") }</span>
            }
        </footer>
    }
}
