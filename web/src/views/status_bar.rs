//! The status strip, fixed to the bottom of the window so that it never leaves the screen:
//! worker connection, run state, simulated time, instructions and how fast the simulation runs
//! (simulated instructions per second of wall time, measured from the frames), what the guests
//! are doing now (the phase and the latest console line), and a link down to the consoles.

use sim::frame::{Frame, Layout};
use sim::protocol::RunState;
use yew::prelude::*;

use crate::format;
use crate::state::Link;
use crate::state::Shared;
use crate::state::console_log::ConsoleLog;
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
    /// The loaded scenario's shape (guest names), once loaded.
    pub layout: Option<Shared<Layout>>,
    /// The consoles (their latest line says what the guests do).
    pub consoles: Shared<ConsoleLog>,
    /// Bytes fetched of bytes to fetch, while a scenario's files download.
    #[prop_or_default]
    pub bytes: Option<(u64, u64)>,
}

/// What the run is doing, in words: the phase of a long preset that otherwise shows only its
/// boot line for a while. `latest` is the latest console line.
pub fn phase(run: RunState, latest: Option<&str>) -> &'static str {
    // The guest kernel's own lines start with "dux:" (its boot banner); the workload's do not.
    let booting = latest.is_none_or(|l| l.starts_with("dux:") || l.contains("boot"));
    match run {
        RunState::Empty => "loading",
        RunState::Idle => "not started",
        RunState::Running if booting => "booting",
        RunState::Running => "running the workload",
        RunState::Paused => "paused",
        RunState::Finished => "finished",
    }
}

/// The strip at the bottom of the window.
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
    let run_text = match (props.loading, props.bytes) {
        (Some((done, total)), Some((got, all))) if done < total && all > 0 => {
            format!("downloading {} of {}", format::bytes(got), format::bytes(all))
        }
        (Some((done, total)), _) if done < total => format!("fetching {done}/{total}"),
        (Some(_), _) => "booting".into(),
        // Loaded and booted, but the run has not begun: "idle" said nothing of that.
        (None, _) if props.run == RunState::Idle => "not started".into(),
        (None, _) => run.into(),
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
    let latest = props.consoles.latest();
    let name = |g: usize| {
        props
            .layout
            .as_ref()
            .and_then(|l| l.guests.get(g))
            .map_or_else(|| format!("vm{g}"), |i| i.name.clone())
    };
    let doing = phase(props.run, latest.map(|(_, l)| l));
    let line = latest.map(|(g, l)| format!("{}: {}", name(g), l.trim_end()));
    html! {
        <footer class="statusbar" aria-label="Run status" data-testid="status">
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
            if props.loading.is_none() {
                <span class="doing" data-testid="run-phase" data-phase={doing} title={line.clone().unwrap_or_default()}>
                    // The run state says the rest; while running, the phase is news.
                    if props.run == RunState::Running {
                        <b>{ doing }</b>{ " · " }
                    }
                    if let Some(l) = line.clone() {
                        <span class="latest-line" data-testid="latest-line">{ l }</span>
                    }
                </span>
            }
            <a class="to-consoles" href="#consoles" title="Down to the consoles">{ "consoles ↓" }</a>
            if let Some(h) = f.run_hash {
                <span class="hash" title="Run hash: equal runs give equal hashes" data-testid="run-hash" data-value={format!("{h:016x}")}>{ format!("hash {h:016x}") }</span>
            }
        </footer>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phase_follows_the_run_and_the_console() {
        assert_eq!(phase(RunState::Idle, None), "not started");
        assert_eq!(
            phase(RunState::Running, Some("dux: 4 CPUs, 64 MB, 15000 free pages")),
            "booting"
        );
        assert_eq!(phase(RunState::Running, Some("pmake: 3 of 8")), "running the workload");
        assert_eq!(phase(RunState::Finished, Some("halt")), "finished");
    }
}
