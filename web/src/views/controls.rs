//! The controls panel: the preset picker, the scenario form, run control and the speed limit.

use sim::protocol::{Command, RunState};
use sim::scenario::{Guests, NumaMode, NumaPolicy, PRESETS, Preset, Scenario};
use yew::prelude::*;

use crate::views::glossary::Term;
use crate::views::scenario_form::ScenarioForm;

/// Machine cycles one press of "Step" may run, with their simulated time at 200 MHz; the
/// third (1 M cycles, 5 ms) is the default.
const STEPS: [(u64, &str); 4] = [
    (10_000, "10 K cycles (50 µs)"),
    (100_000, "100 K cycles (0.5 ms)"),
    (1_000_000, "1 M cycles (5 ms)"),
    (10_000_000, "10 M cycles (50 ms)"),
];

/// Index in [`STEPS`] of the default step.
const DEFAULT_STEP: usize = 2;

/// Speed limits offered, in simulated MHz (`None`: as fast as the host can).
const SPEEDS: [(Option<u32>, &str); 5] = [
    (None, "as fast as possible"),
    (Some(50), "50 MHz (¼ of real time)"),
    (Some(10), "10 MHz"),
    (Some(2), "2 MHz"),
    (Some(1), "1 MHz (slow motion)"),
];

/// Properties of [`Controls`].
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// Current run state.
    pub run: RunState,
    /// True once the worker has answered the handshake.
    pub ready: bool,
    /// The scenario loaded (or being loaded).
    pub scenario: Option<Scenario>,
    /// Sends a command to the worker.
    pub send: Callback<Command>,
    /// Loads a scenario (and puts it in the URL).
    pub on_load: Callback<Scenario>,
}

/// Run / pause / step / reset, the preset, the scenario, the speed.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let speed = use_state(|| 0usize);
    let step = use_state(|| DEFAULT_STEP);
    let (step_cycles, step_label) = STEPS[*step];
    let on_step_size = {
        let step = step.clone();
        Callback::from(move |ev: Event| {
            let v = ev.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            step.set(v.parse::<usize>().unwrap_or(DEFAULT_STEP).min(STEPS.len() - 1));
        })
    };
    let cmd = |c: Command| {
        let send = props.send.clone();
        Callback::from(move |_: MouseEvent| send.emit(c.clone()))
    };
    let running = props.run == RunState::Running;
    let finished = props.run == RunState::Finished;
    let loaded = !matches!(props.run, RunState::Empty);
    let current = props.scenario.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let preset = Preset::named(&current);
    let on_preset = {
        let on_load = props.on_load.clone();
        Callback::from(move |ev: Event| {
            let name = ev.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Some(p) = Preset::named(&name) {
                on_load.emit(p.scenario());
            }
        })
    };
    let on_speed = {
        let (speed, send) = (speed.clone(), props.send.clone());
        Callback::from(move |ev: Event| {
            let v = ev.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            let i = v.parse::<usize>().unwrap_or(0).min(SPEEDS.len() - 1);
            speed.set(i);
            send.emit(Command::SetSpeed { mhz: SPEEDS[i].0 });
        })
    };
    // The NUMA policy can change while the run goes on (`SetPolicy`); the scenario, and so the
    // URL, keep the starting value. A load or reset (run state back to idle) restores it.
    let start_numa: Option<NumaPolicy> = match props.scenario.as_ref().map(|s| &s.guests) {
        Some(Guests::Disco { policies, .. }) => Some(policies.numa),
        _ => None,
    };
    let numa_now = use_state(|| None::<NumaMode>);
    {
        let numa_now = numa_now.clone();
        use_effect_with((props.run == RunState::Idle, current.clone()), move |(idle, _)| {
            if *idle {
                numa_now.set(None);
            }
        });
    }
    let on_numa = {
        let (numa_now, send) = (numa_now.clone(), props.send.clone());
        Callback::from(move |ev: Event| {
            let v = ev.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let (Some(start), Some(mode)) = (start_numa, NumaMode::named(&v)) {
                numa_now.set(Some(mode));
                send.emit(Command::SetPolicy { numa: NumaPolicy { mode, ..start } });
            }
        })
    };
    let numa_mode = numa_now.or(start_numa.map(|n| n.mode));
    html! {
        <aside class="panel controls" aria-label="Controls">
            <header class="panel-head">
                <h2>{ "Controls" }</h2>
                <details class="explain">
                    <summary aria-label="What am I looking at?" title="What am I looking at?">{ "?" }</summary>
                    <div class="explain-text" data-testid="explain">
                        { "A scenario is a machine (" }<Term k="ccnuma">{ "ccNUMA" }</Term>{ " " }<Term k="node">{ "nodes" }</Term>
                        { " of CPUs and memory, §5.1) and what runs on it: the guest OS alone (native), or the " }
                        <Term k="monitor">{ "Disco monitor" }</Term>{ " with several " }<Term k="vm">{ "virtual machines" }</Term>
                        { " (§4), each with its " }<Term k="vcpu">{ "VCPUs" }</Term>{ ", memory and workload (Table 1). Presets are ready-made \
                           scenarios; any change is kept in the page's address, so a copied link opens the same run. Space runs and pauses." }
                    </div>
                </details>
            </header>
            <label class="field">
                <span>{ "Preset" }</span>
                <select onchange={on_preset} data-testid="preset" disabled={!props.ready}>
                    if preset.is_none() {
                        <option value="" selected=true>{ "custom scenario" }</option>
                    }
                    { for PRESETS.iter().map(|p| html! {
                        <option value={p.name} selected={p.name == current}>{ p.title }</option>
                    }) }
                </select>
            </label>
            if let Some(p) = preset {
                <p class="hint" data-testid="preset-description">{ p.description }</p>
            }
            <div class="buttons">
                if running {
                    <button class="primary" onclick={cmd(Command::Pause)} data-testid="btn-pause">{ "Pause" }</button>
                } else {
                    <button class="primary" onclick={cmd(Command::Run)} disabled={!props.ready || finished || !loaded} data-testid="btn-run">
                        { "Run" }
                    </button>
                }
                <button onclick={cmd(Command::Step { cycles: step_cycles })} disabled={!props.ready || running || finished || !loaded}
                    data-testid="btn-step" title={format!("Run {step_label} of simulated time, then pause")}>
                    { "Step" }
                </button>
                <button onclick={cmd(Command::Reset)} disabled={!props.ready || !loaded} data-testid="btn-reset"
                    title="Back to the moment just after the boot, paused">
                    { "Reset" }
                </button>
            </div>
            <label class="field">
                <span>{ "Step by" }</span>
                <select onchange={on_step_size} data-testid="step-size">
                    { for STEPS.iter().enumerate().map(|(i, (_, label))| html! {
                        <option value={i.to_string()} selected={i == *step}>{ *label }</option>
                    }) }
                </select>
            </label>
            <label class="field speed">
                <span>{ "Speed limit (simulated clock)" }</span>
                <select onchange={on_speed} data-testid="speed">
                    { for SPEEDS.iter().enumerate().map(|(i, (_, label))| html! {
                        <option value={i.to_string()} selected={i == *speed}>{ *label }</option>
                    }) }
                </select>
            </label>
            if let Some(mode) = numa_mode {
                <label class="field numa">
                    <span>{ "NUMA policy (§4.2.3), while running" }</span>
                    <select onchange={on_numa} data-testid="numa-policy" disabled={!props.ready || !loaded}
                        title="What the monitor does with a hot page: move it to the node that uses it (migrate), copy it to the nodes that read it (replicate; not built yet), or nothing. Takes effect at the next hot-page interrupt; Reset returns to the scenario's setting.">
                        { for NumaMode::ALL.iter().map(|(m, name)| html! {
                            <option value={*name} selected={*m == mode}>{ *name }</option>
                        }) }
                    </select>
                </label>
            }
            <p class="hint">{ "Space runs and pauses." }</p>
            if let Some(s) = props.scenario.clone() {
                <ScenarioForm loaded={s} on_load={props.on_load.clone()} disabled={!props.ready} />
            }
        </aside>
    }
}
