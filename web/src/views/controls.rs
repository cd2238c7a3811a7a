//! The controls panel: preset choice and run control.

use sim::protocol::{Command, RunState};
use yew::prelude::*;

/// Machine cycles one press of "Step" runs (5 ms of simulated time at 200 MHz).
const STEP_CYCLES: u64 = 1_000_000;

/// Properties of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// Current run state.
    pub run: RunState,
    /// True once the worker has answered the handshake.
    pub ready: bool,
    /// Sends a command to the worker.
    pub send: Callback<Command>,
}

/// Run / pause / step / reset, and (later) the scenario fields.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let cmd = |c: Command| {
        let send = props.send.clone();
        Callback::from(move |_: MouseEvent| send.emit(c.clone()))
    };
    let running = props.run == RunState::Running;
    let finished = props.run == RunState::Finished;
    html! {
        <aside class="panel controls" aria-label="Controls">
            <header class="panel-head"><h2>{ "Controls" }</h2></header>
            <label class="field">
                <span>{ "Preset" }</span>
                <select disabled=true title="Presets arrive with the scenarios">
                    <option>{ "Demo workload" }</option>
                </select>
            </label>
            <div class="buttons">
                if running {
                    <button class="primary" onclick={cmd(Command::Pause)} data-testid="btn-pause">
                        { "Pause" }
                    </button>
                } else {
                    <button class="primary" onclick={cmd(Command::Run)}
                        disabled={!props.ready || finished} data-testid="btn-run">
                        { "Run" }
                    </button>
                }
                <button onclick={cmd(Command::Step { cycles: STEP_CYCLES })}
                    disabled={!props.ready || running || finished} data-testid="btn-step">
                    { "Step" }
                </button>
                <button onclick={cmd(Command::Reset)} disabled={!props.ready} data-testid="btn-reset">
                    { "Reset" }
                </button>
            </div>
            <p class="hint">{ "Space runs and pauses." }</p>
        </aside>
    }
}
