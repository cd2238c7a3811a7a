//! The controls panel: the preset picker, the scenario form, run control, the speed limit, and
//! under the monitor the NUMA policy and its thresholds (changeable while running).

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

/// The NUMA policy's thresholds as the controls offer them: the test id's suffix, the label,
/// and what the number means.
const THRESHOLDS: [(&str, &str, &str); 4] = [
    ("trigger", "trigger", "misses from one node within an interval (10 ms) that make a page hot"),
    (
        "sharing",
        "sharing",
        "misses from another node that make a hot page shared: replicated rather than migrated",
    ),
    ("writes", "writes", "writes within the interval above which a shared page is not replicated"),
    ("moves", "moves", "moves after which a page is not migrated again"),
];

/// The thresholds of `p` in the order of [`THRESHOLDS`].
fn threshold_values(p: &NumaPolicy) -> [u32; 4] {
    [p.trigger, p.sharing, p.write, p.migrate]
}

/// The policy `base` with the thresholds typed in `drafts` (in the order of [`THRESHOLDS`]), or
/// what is wrong with them, in words.
pub fn with_thresholds(base: NumaPolicy, drafts: &[String; 4]) -> Result<NumaPolicy, String> {
    let mut v = [0u32; 4];
    for (i, d) in drafts.iter().enumerate() {
        let (_, label, meaning) = THRESHOLDS[i];
        v[i] = d.trim().parse().map_err(|_| {
            format!(
                "The {label} threshold must be a whole number ({meaning}); “{}” is not.",
                d.trim()
            )
        })?;
    }
    let p = NumaPolicy { trigger: v[0], sharing: v[1], write: v[2], migrate: v[3], ..base };
    p.validate().map_err(|e| {
        let i = match e.field.rsplit('.').next() {
            Some("trigger") => 0,
            Some("sharing") => 1,
            Some("write") => 2,
            Some("migrate") => 3,
            // Not one typed here (the scenario's own settings are valid): say it as it is.
            _ => return format!("The NUMA settings were refused: {e}"),
        };
        let (_, label, meaning) = THRESHOLDS[i];
        // The scenario's check says "7 is not in 1..=1000000": say it in words.
        let range = e.message.split_once(" is not in ").and_then(|(_, r)| r.split_once("..="));
        match range {
            Some((lo, hi)) => format!(
                "The {label} threshold must be between {lo} and {hi} ({meaning}); {} is not.",
                v[i]
            ),
            None => format!("The {label} threshold: {}", e.message),
        }
    })?;
    Ok(p)
}

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
    /// Simulated million cycles per wall second, measured recently while running.
    #[prop_or_default]
    pub measured_mhz: Option<f64>,
}

/// Below this share of the speed limit, the limit is "not reached" (a rate that merely wavers
/// around the limit is reaching it).
const LIMIT_REACHED: f64 = 0.8;

/// The note under the speed limit when the run is well below it (the host is too slow): what it
/// runs at instead. `limit` in MHz (`None`: no limit), `measured` in simulated MHz.
pub fn limit_note(limit: Option<u32>, measured: Option<f64>) -> Option<String> {
    let (limit, measured) = (f64::from(limit?), measured?);
    (measured < limit * LIMIT_REACHED)
        .then(|| format!("limit not reached: running at {measured:.1} MHz (this host is slower)"))
}

/// Run / pause / step / reset, the preset, the scenario, the speed.
/// `word` with a capital first letter.
fn capitalise(word: &str) -> String {
    let mut c = word.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

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
    // A preset picked while a run is under way (running or paused) waits for a yes: loading
    // it throws the run away. The question is asked in the page (window.confirm would block
    // the page and its tests); Cancel keeps the run and puts the picker back.
    let confirm = use_state(|| None::<Preset>);
    let picker = use_node_ref();
    let keep_ref = use_node_ref();
    let under_way = matches!(props.run, RunState::Running | RunState::Paused);
    let on_preset = {
        let (on_load, confirm) = (props.on_load.clone(), confirm.setter());
        Callback::from(move |ev: Event| {
            let name = ev.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Some(p) = Preset::named(&name) {
                if under_way {
                    confirm.set(Some(p));
                } else {
                    on_load.emit(p.scenario());
                }
            }
        })
    };
    {
        // The question takes the focus, on "keep this run", so that Enter or Esc keep it.
        let keep_ref = keep_ref.clone();
        use_effect_with(confirm.is_some(), move |open| {
            if *open && let Some(b) = keep_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        });
    }
    let on_keep = {
        let (confirm, picker, current) = (confirm.setter(), picker.clone(), current.clone());
        Callback::from(move |()| {
            confirm.set(None);
            if let Some(sel) = picker.cast::<web_sys::HtmlSelectElement>() {
                sel.set_value(&current);
            }
        })
    };
    let on_switch = {
        let (confirm_now, confirm, on_load) = (*confirm, confirm.setter(), props.on_load.clone());
        Callback::from(move |_: MouseEvent| {
            confirm.set(None);
            if let Some(p) = confirm_now {
                on_load.emit(p.scenario());
            }
        })
    };
    let on_confirm_key = {
        let on_keep = on_keep.clone();
        Callback::from(move |ev: KeyboardEvent| {
            if ev.key() == "Escape" {
                ev.stop_propagation();
                on_keep.emit(());
            }
        })
    };
    let limit = SPEEDS[*speed].0;
    let note = if running { limit_note(limit, props.measured_mhz) } else { None };
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
    // The settings in force when they differ from the scenario's, the thresholds as typed, and
    // what is wrong with them.
    let numa_now = use_state(|| None::<NumaPolicy>);
    let drafts = use_state(|| None::<[String; 4]>);
    let numa_error = use_state(|| None::<String>);
    {
        let (numa_now, drafts, numa_error) = (numa_now.clone(), drafts.clone(), numa_error.clone());
        use_effect_with((props.run == RunState::Idle, current.clone()), move |(idle, _)| {
            if *idle {
                numa_now.set(None);
                drafts.set(None);
                numa_error.set(None);
            }
        });
    }
    let numa = (*numa_now).or(start_numa);
    let on_numa = {
        let (numa_now, send) = (numa_now.clone(), props.send.clone());
        Callback::from(move |ev: Event| {
            let v = ev.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let (Some(now), Some(mode)) = (numa, NumaMode::named(&v)) {
                let p = NumaPolicy { mode, ..now };
                numa_now.set(Some(p));
                send.emit(Command::SetPolicy { numa: p });
            }
        })
    };
    let shown: [String; 4] = (*drafts).clone().unwrap_or_else(|| {
        numa.map_or_else(Default::default, |p| threshold_values(&p).map(|v| v.to_string()))
    });
    let on_threshold = |i: usize| {
        let (numa_now, drafts, numa_error, send, shown) = (
            numa_now.clone(),
            drafts.clone(),
            numa_error.clone(),
            props.send.clone(),
            shown.clone(),
        );
        Callback::from(move |ev: Event| {
            let mut d = shown.clone();
            d[i] = ev.target_unchecked_into::<web_sys::HtmlInputElement>().value();
            let Some(now) = numa else { return };
            match with_thresholds(now, &d) {
                Ok(p) => {
                    numa_error.set(None);
                    if p != now {
                        numa_now.set(Some(p));
                        send.emit(Command::SetPolicy { numa: p });
                    }
                }
                Err(message) => numa_error.set(Some(message)),
            }
            drafts.set(Some(d));
        })
    };
    let numa_mode = numa.map(|n| n.mode);
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
                <select ref={picker} onchange={on_preset} data-testid="preset" disabled={!props.ready || confirm.is_some()}>
                    if preset.is_none() {
                        <option value="" selected=true>{ "custom scenario" }</option>
                    }
                    { for PRESETS.iter().map(|p| html! {
                        <option value={p.name} selected={p.name == current}>{ p.title }</option>
                    }) }
                </select>
            </label>
            if let Some(next) = *confirm {
                <div class="confirm" role="alertdialog" aria-labelledby="confirm-q" data-testid="confirm-switch" onkeydown={on_confirm_key}>
                    <p id="confirm-q">{ format!("Load “{}”? This run ({}) ends and is lost.", next.title,
                        if running { "running" } else { "paused" }) }</p>
                    <div class="buttons">
                        <button ref={keep_ref} onclick={on_keep.reform(|_: MouseEvent| ())} data-testid="confirm-keep">{ "Keep this run" }</button>
                        <button class="danger" onclick={on_switch} data-testid="confirm-load">{ "Load the preset" }</button>
                    </div>
                </div>
            }
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
                if let Some(n) = note {
                    <span class="speed-note" data-testid="speed-note" role="note">{ n }</span>
                }
            </label>
            if let Some(mode) = numa_mode {
                <label class="field numa">
                    <span>{ "NUMA policy (§4.2.3), while running" }</span>
                    <select onchange={on_numa} data-testid="numa-policy" disabled={!props.ready || !loaded}
                        title="What the monitor does with a hot page: move it to the node that uses it (migrate), copy it to the nodes that read it (replicate), both, or nothing. Takes effect at the next hot-page interrupt; Reset returns to the scenario's setting.">
                        { for NumaMode::ALL.iter().map(|(m, name)| html! {
                            <option value={*name} selected={*m == mode}>{ *name }</option>
                        }) }
                    </select>
                </label>
                <div class="field-row four numa-thresholds">
                    { for THRESHOLDS.iter().enumerate().map(|(i, (id, label, meaning))| html! {
                        <label class="field inline" title={format!("{}: {meaning}", capitalise(label))}>
                            <span>{ *label }</span>
                            <input type="number" min="0" value={shown[i].clone()} onchange={on_threshold(i)}
                                disabled={!props.ready || !loaded} data-testid={format!("numa-{id}")}
                                aria-invalid={numa_error.is_some().to_string()} />
                        </label>
                    }) }
                </div>
                if let Some(message) = (*numa_error).clone() {
                    <p class="form-error" role="alert" data-testid="numa-threshold-error">{ message }</p>
                } else {
                    <p class="hint tight">{ "Thresholds of the policy (misses and writes per 10 ms interval); a change applies from the next hot page." }</p>
                }
            }
            <p class="hint">{ "Space runs and pauses." }</p>
            if let Some(s) = props.scenario.clone() {
                <ScenarioForm loaded={s} on_load={props.on_load.clone()} disabled={!props.ready} />
            }
        </aside>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(v: [&str; 4]) -> [String; 4] {
        v.map(str::to_string)
    }

    #[test]
    fn a_limit_far_above_the_rate_says_so() {
        assert_eq!(
            limit_note(Some(50), Some(3.5)).as_deref(),
            Some("limit not reached: running at 3.5 MHz (this host is slower)")
        );
        assert_eq!(limit_note(Some(50), Some(48.0)), None, "close enough: the limit holds");
        assert_eq!(limit_note(None, Some(3.5)), None, "no limit");
        assert_eq!(limit_note(Some(10), None), None, "nothing measured yet");
    }

    #[test]
    fn thresholds_are_checked_and_refused_in_words() {
        let base = NumaPolicy { mode: NumaMode::Both, ..NumaPolicy::default() };
        let p = with_thresholds(base, &typed(["80", " 20 ", "0", "2"])).expect("valid");
        assert_eq!(
            (p.trigger, p.sharing, p.write, p.migrate, p.mode),
            (80, 20, 0, 2, NumaMode::Both)
        );
        let e = with_thresholds(base, &typed(["0", "16", "4", "4"])).expect_err("trigger 0");
        assert!(e.starts_with("The trigger threshold must be between 1 and 1000000"), "{e}");
        assert!(e.ends_with("0 is not."), "{e}");
        let e = with_thresholds(base, &typed(["64", "16", "4", "5000"])).expect_err("moves");
        assert!(e.starts_with("The moves threshold must be between 0 and 1000"), "{e}");
        let e = with_thresholds(base, &typed(["64", "lots", "4", "4"])).expect_err("not a number");
        assert!(e.starts_with("The sharing threshold must be a whole number"), "{e}");
        assert!(e.contains("“lots” is not"), "{e}");
        let e = with_thresholds(base, &typed(["64", "16", "-1", "4"])).expect_err("negative");
        assert!(e.starts_with("The writes threshold must be a whole number"), "{e}");
    }
}
