//! A/B compare mode: two scenarios in two workers, run in lockstep of simulated time
//! (`crate::state::compare`), side by side — each side's status, overhead ledger, NUMA and
//! sharing panels, timeline and machine with its page map, the single view's own components fed
//! with that side's model — and above them the diff, B − A, in colour, sign and words.

use std::cell::RefCell;
use std::rc::Rc;

use sim::protocol::{Command, Event, RunState};
use sim::scenario::{PRESETS, Preset, Scenario};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::bridge::Bridge;
use crate::format;
use crate::state::compare::{self, Figures, Lockstep, Pair, Side, Stage};
use crate::state::poll::PageMapPoller;
use crate::state::{Action, Link, Model};
use crate::theme::Theme;
use crate::views::header::Header;
use crate::views::ledger::Ledger;
use crate::views::machine::Machine;
use crate::views::numa::NumaPanel;
use crate::views::page_map::Layer;
use crate::views::panel::Panel;
use crate::views::sharing::SharingPanel;
use crate::views::timeline::Timeline;

/// The page's clock in milliseconds.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Puts the pair in the address bar (without reloading, without a new history entry).
fn show_pair(pair: &Pair) {
    let Some(window) = web_sys::window() else { return };
    let path = window.location().pathname().unwrap_or_default();
    let url = format!("{path}?{}", pair.to_query());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Sends commands to the sides' workers.
type Dispatch = Rc<dyn Fn(Vec<(Side, Command)>)>;

/// Properties of [`Compare`].
#[derive(Properties, PartialEq)]
pub struct CompareProps {
    /// The scenarios to compare first.
    pub pair: Pair,
    /// What was wrong with the URL's pair, if anything (shown once).
    #[prop_or_default]
    pub problems: Vec<String>,
    /// Back to the single view, with this scenario.
    pub on_back: Callback<Scenario>,
}

/// The lockstep and what the page shows of it.
#[derive(Clone, Debug, PartialEq)]
struct LockView {
    running: bool,
    target: u64,
    from: u64,
    slice: u64,
    stage: [Stage; 2],
}

impl LockView {
    fn of(l: &Lockstep) -> LockView {
        LockView {
            running: l.running,
            target: l.target,
            from: l.from,
            slice: l.slice,
            stage: l.stage,
        }
    }
}

/// Compare mode's whole page.
#[function_component(Compare)]
pub fn compare(props: &CompareProps) -> Html {
    let pair = use_state(|| props.pair.clone());
    let model_a = use_reducer(Model::default);
    let model_b = use_reducer(Model::default);
    let bridges = use_mut_ref(|| [None::<Bridge>, None::<Bridge>]);
    let lock = use_mut_ref(Lockstep::default);
    let lock_view = use_state(|| LockView::of(&Lockstep::default()));
    let theme = use_state(Theme::initial);
    let problems = use_state(|| props.problems.clone());
    let selected_a = use_state(|| None::<u32>);
    let selected_b = use_state(|| None::<u32>);
    // The sides' callbacks are made once, so a side whose model did not change is not drawn
    // again when the other side's frame arrives.
    let on_selects = {
        let setters = [selected_a.setter(), selected_b.setter()];
        use_memo((), move |_| {
            setters.map(|set| Callback::from(move |page: Option<u32>| set.set(page)))
        })
    };
    let sends = {
        let bridges = bridges.clone();
        use_memo((), move |_| {
            Side::BOTH.map(|side| {
                let bridges = bridges.clone();
                Callback::from(move |c: Command| {
                    if let Some(b) = &bridges.borrow()[side.index()] {
                        b.send(c);
                    }
                })
            })
        })
    };

    {
        let theme = *theme;
        use_effect_with(theme, move |_| theme.apply());
    }

    // Sends commands to the sides' workers.
    let dispatch: Dispatch = {
        let bridges = bridges.clone();
        Rc::new(move |commands: Vec<(Side, Command)>| {
            let b = bridges.borrow();
            for (side, command) in commands {
                if let Some(bridge) = &b[side.index()] {
                    bridge.send(command);
                }
            }
        })
    };

    // The workers: started once, fed the pair's scenarios, their events routed through the
    // lockstep and into each side's model.
    {
        let (bridges, lock, lock_view) = (bridges.clone(), lock.clone(), lock_view.setter());
        let dispatchers = [model_a.dispatcher(), model_b.dispatcher()];
        let first = props.pair.clone();
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let pollers = Rc::new(RefCell::new([PageMapPoller::slower(), PageMapPoller::slower()]));
            for side in Side::BOTH {
                let (lock, lock_view, dispatch) =
                    (lock.clone(), lock_view.clone(), dispatch.clone());
                let dispatcher = dispatchers[side.index()].clone();
                let pollers = pollers.clone();
                let on_event = Callback::from(move |e: Event| {
                    let now = now_ms();
                    // Between steps a side pauses at its target: the run goes on, so its model
                    // and its page-map poller keep seeing it running (its figures refresh at the
                    // running pace, its page map is asked for at most every 250 ms).
                    let step_pause =
                        lock.borrow().running && e == (Event::State { state: RunState::Paused });
                    let ask = if step_pause {
                        None
                    } else {
                        pollers.borrow_mut()[side.index()].event(&e, now)
                    };
                    let (commands, view) = {
                        let mut l = lock.borrow_mut();
                        if let Event::Loaded(layout) = &e {
                            l.loaded(layout.clock_mhz);
                        }
                        let before = LockView::of(&l);
                        let commands = l.event(side, &e, now);
                        let view = LockView::of(&l);
                        (commands, (view != before).then_some(view))
                    };
                    if !step_pause && !matches!(e, Event::Reached { .. }) {
                        dispatcher.dispatch(Action::Worker(e, now));
                    }
                    if let Some(view) = view {
                        lock_view.set(view);
                    }
                    let mut all = commands;
                    if let Some(ask) = ask {
                        all.push((side, ask));
                    }
                    dispatch(all);
                });
                match Bridge::start(on_event.clone()) {
                    Ok(b) => {
                        b.send(Command::Load { scenario: first.get(side).clone() });
                        bridges.borrow_mut()[side.index()] = Some(b);
                    }
                    Err(message) => on_event.emit(Event::Error { message }),
                }
            }
            show_pair(&first);
            move || {
                let mut b = bridges.borrow_mut();
                b[0] = None;
                b[1] = None;
            }
        });
    }

    let sync = {
        let (lock, lock_view) = (lock.clone(), lock_view.setter());
        move || lock_view.set(LockView::of(&lock.borrow()))
    };
    let on_run = {
        let (lock, dispatch, sync) = (lock.clone(), dispatch.clone(), sync.clone());
        Callback::from(move |_: MouseEvent| {
            let commands = lock.borrow_mut().start(now_ms());
            dispatch(commands);
            sync();
        })
    };
    let on_pause = {
        let (lock, dispatch, sync) = (lock.clone(), dispatch.clone(), sync.clone());
        Callback::from(move |_: MouseEvent| {
            let commands = lock.borrow_mut().pause();
            dispatch(commands);
            sync();
        })
    };
    let on_reset = {
        let (lock, dispatch, sync) = (lock.clone(), dispatch.clone(), sync.clone());
        Callback::from(move |_: MouseEvent| {
            let commands = lock.borrow_mut().reset();
            dispatch(commands);
            sync();
        })
    };
    // A preset picked for one side: that side loads it, the other starts over too.
    let on_pick = |side: Side| {
        let (pair, lock, dispatch, sync) =
            (pair.clone(), lock.clone(), dispatch.clone(), sync.clone());
        Callback::from(move |ev: web_sys::Event| {
            let Some(select) =
                ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
            else {
                return;
            };
            let Some(preset) = Preset::named(&select.value()) else { return };
            let next = pair.with(side, preset.scenario());
            show_pair(&next);
            let mut commands = lock.borrow_mut().reset();
            commands.retain(|(s, _)| *s != side);
            commands.push((side, Command::Load { scenario: preset.scenario() }));
            dispatch(commands);
            pair.set(next);
            sync();
        })
    };
    let on_swap = {
        let (pair, lock, dispatch, sync) =
            (pair.clone(), lock.clone(), dispatch.clone(), sync.clone());
        Callback::from(move |_: MouseEvent| {
            let next = Pair { a: pair.b.clone(), b: pair.a.clone() };
            show_pair(&next);
            lock.borrow_mut().reset();
            dispatch(vec![
                (Side::A, Command::Load { scenario: next.a.clone() }),
                (Side::B, Command::Load { scenario: next.b.clone() }),
            ]);
            pair.set(next);
            sync();
        })
    };
    let on_back = {
        let (cb, pair) = (props.on_back.clone(), pair.clone());
        Callback::from(move |_: MouseEvent| cb.emit(pair.a.clone()))
    };
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |_| theme.set(theme.toggled()))
    };
    let on_dismiss = {
        let problems = problems.clone();
        let dispatchers = [model_a.dispatcher(), model_b.dispatcher()];
        Callback::from(move |_: MouseEvent| {
            problems.set(Vec::new());
            for d in &dispatchers {
                d.dispatch(Action::DismissError);
            }
        })
    };

    let models = [&*model_a, &*model_b];
    let figures: Vec<Option<Figures>> = models
        .iter()
        .map(|m| {
            m.layout.as_ref().map(|l| Figures::of(l, &m.counters, m.run == RunState::Finished))
        })
        .collect();
    let rows = compare::diff_rows(figures[0].as_ref(), figures[1].as_ref());
    let ready = models.iter().all(|m| matches!(m.link, Link::Ready { .. }) && m.layout.is_some());
    let lv = &*lock_view;
    let all_finished = lv.stage.iter().all(|s| *s == Stage::Finished);
    let errors: Vec<String> =
        problems
            .iter()
            .cloned()
            .chain(Side::BOTH.iter().zip(models).filter_map(|(s, m)| {
                m.error.as_ref().map(|e| format!("Scenario {}: {e}", s.label()))
            }))
            .collect();
    let state_words = if all_finished {
        "both finished"
    } else if lv.running {
        "running in lockstep"
    } else {
        "paused"
    };

    let picker = |side: Side| {
        let current = pair.get(side).name.clone();
        let custom = Preset::named(&current).is_none_or(|p| p.scenario() != *pair.get(side));
        html! {
            <label class="compare-pick">
                <span>{ format!("Scenario {}", side.label()) }</span>
                <select onchange={on_pick(side)} data-testid={format!("compare-preset-{}", side.param())} disabled={!ready}>
                    if custom {
                        <option value="" selected=true>{ format!("{} (custom)", describe(pair.get(side))) }</option>
                    }
                    { for PRESETS.iter().map(|p| html! {
                        <option value={p.name} selected={!custom && p.name == current}>{ p.title }</option>
                    }) }
                </select>
            </label>
        }
    };

    html! {
        <div class="app compare-app">
            <Header theme={*theme} on_theme={on_theme} paper_open={false} on_paper={Callback::noop()}
                compare_open={true} on_compare={Callback::noop()} />
            { for errors.iter().map(|m| html! {
                <div class="banner error" role="alert" data-testid="error-banner">
                    <span>{ m.clone() }</span>
                    <button class="ghost" onclick={on_dismiss.clone()} aria-label="Dismiss">{ "×" }</button>
                </div>
            }) }
            <main class="compare">
                <section class="panel compare-head" data-testid="compare"
                    data-running={lv.running.to_string()} data-target={lv.target.to_string()} data-from={lv.from.to_string()} data-slice={lv.slice.to_string()}>
                    <div class="compare-bar">
                        <h2>{ "A/B comparison" }</h2>
                        { picker(Side::A) }
                        { picker(Side::B) }
                        <div class="compare-buttons">
                            if lv.running {
                                <button class="primary" onclick={on_pause} data-testid="compare-pause">{ "Pause both" }</button>
                            } else {
                                <button class="primary" onclick={on_run} data-testid="compare-run" disabled={!ready || all_finished}>{ "Run both" }</button>
                            }
                            <button onclick={on_reset} data-testid="compare-reset" disabled={!ready}>{ "Reset both" }</button>
                            <button class="ghost" onclick={on_swap} data-testid="compare-swap" disabled={!ready} title="Swap A and B">{ "Swap" }</button>
                            <button class="ghost" onclick={on_back} data-testid="compare-back" title="Back to the single view with scenario A">{ "Single view" }</button>
                        </div>
                    </div>
                    <p class="muted small compare-lock" data-testid="compare-state" data-state={state_words}>
                        { format!("{state_words} · both run to the same simulated time, {} at a time (now up to {})",
                            format::sim_time(lv.slice, clock(models[0])), format::sim_time(lv.target, clock(models[0]))) }
                    </p>
                    { diff_table(&rows) }
                </section>
                <div class="compare-sides">
                    <SideView side={Side::A} model={model_a.clone()} stage={lv.stage[0]} stepping={lv.running}
                        figures={figures[0].clone()} theme={*theme} selected={*selected_a}
                        on_select={on_selects[0].clone()} send={sends[0].clone()} />
                    <SideView side={Side::B} model={model_b.clone()} stage={lv.stage[1]} stepping={lv.running}
                        figures={figures[1].clone()} theme={*theme} selected={*selected_b}
                        on_select={on_selects[1].clone()} send={sends[1].clone()} />
                </div>
            </main>
        </div>
    }
}

/// The machine's clock of a side (200 MHz until loaded).
fn clock(m: &Model) -> u32 {
    m.layout.as_ref().map_or(200, |l| l.clock_mhz)
}

/// A scenario in a few words, for the picker of a custom one.
fn describe(s: &Scenario) -> String {
    match &s.guests {
        sim::scenario::Guests::Native { workload } => format!("{workload}, native"),
        sim::scenario::Guests::Disco { vms, policies } => format!(
            "{} VM{}, NUMA {}",
            vms.len(),
            if vms.len() == 1 { "" } else { "s" },
            policies.numa.mode.name()
        ),
    }
}

/// The diff: a row per figure, with A, B, B − A and its meaning in words.
fn diff_table(rows: &[compare::DiffRow]) -> Html {
    if rows.is_empty() {
        return html! { <p class="empty" data-testid="empty">{ "The difference appears once both scenarios have loaded…" }</p> };
    }
    html! {
        <table class="diff" data-testid="diff">
            <thead><tr><th>{ "" }</th><th>{ "A" }</th><th>{ "B" }</th><th>{ "B − A" }</th><th>{ "meaning" }</th></tr></thead>
            <tbody>
                { for rows.iter().map(|r| {
                    let mark = match r.tone {
                        compare::Tone::Better => "▲ ",
                        compare::Tone::Worse => "▼ ",
                        compare::Tone::Same => "= ",
                        compare::Tone::Neutral => "",
                    };
                    html! {
                        <tr data-testid="diff-row" data-key={r.key} data-tone={r.tone.name()}>
                            <th scope="row">{ r.label }</th>
                            <td>{ r.a.clone() }</td>
                            <td>{ r.b.clone() }</td>
                            <td class={classes!("delta", r.tone.name())} data-testid="diff-value">{ r.diff.clone() }</td>
                            <td class={classes!("words", r.tone.name())}>{ mark }{ r.words.clone() }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

/// The run state a side shows: while the lockstep runs a side between steps is running.
fn shown_state(m: &Model, stage: Stage, running: bool) -> RunState {
    match (stage, m.run) {
        (Stage::Finished, _) | (_, RunState::Finished) => RunState::Finished,
        (_, RunState::Empty) => RunState::Empty,
        _ if running => RunState::Running,
        (_, state) => state,
    }
}

fn state_name(s: RunState) -> &'static str {
    match s {
        RunState::Empty => "loading",
        RunState::Idle => "idle",
        RunState::Running => "running",
        RunState::Paused => "paused",
        RunState::Finished => "finished",
    }
}

/// Properties of [`SideView`].
#[derive(Properties, PartialEq)]
struct SideProps {
    side: Side,
    model: UseReducerHandle<Model>,
    /// The side's stage in the lockstep.
    stage: Stage,
    /// The lockstep is running.
    stepping: bool,
    figures: Option<Figures>,
    theme: Theme,
    selected: Option<u32>,
    on_select: Callback<Option<u32>>,
    send: Callback<Command>,
}

/// One side: its status and counters, then the single view's panels fed with its model.
#[function_component(SideView)]
fn side_view(props: &SideProps) -> Html {
    let SideProps { side, stage, stepping, theme, selected, .. } = *props;
    let m: &Model = &props.model;
    let f = props.figures.as_ref();
    let (on_select, send) = (props.on_select.clone(), props.send.clone());
    let state = shown_state(m, stage, stepping);
    let name = state_name(state);
    let scenario_name = m.layout.as_ref().map_or_else(
        || "loading…".to_string(),
        |l| {
            let s = &l.scenario;
            if s.name == "custom" { describe(s) } else { format!("{} — {}", s.name, describe(s)) }
        },
    );
    let waiting = |what: &str| html! { <p class="empty">{ format!("{what} appears once scenario {} has loaded…", side.label()) }</p> };
    let loading = m.loading.map(|(d, t)| format!(" · fetching files {d}/{t}")).unwrap_or_default();
    let status = html! {
        <div class="side-status">
            <div class="side-title">
                <span class={classes!("side-badge", side.param())}>{ side.label() }</span>
                <b data-testid="side-scenario">{ scenario_name }</b>
            </div>
            <dl class="side-figures">
                <div><dt>{ "state" }</dt><dd data-testid="side-state" data-state={name}>{ format!("{name}{loading}") }</dd></div>
                <div><dt>{ "simulated time" }</dt><dd data-testid="side-cycle" data-value={m.counters.cycle.to_string()}>
                    { format::sim_time(m.counters.cycle, clock(m)) }</dd></div>
                <div><dt>{ "finished" }</dt><dd data-testid="side-finished">{ if state == RunState::Finished { "yes" } else { "no" } }</dd></div>
                <div><dt>{ "run hash" }</dt>
                    if let (RunState::Finished, Some(h)) = (state, m.counters.run_hash) {
                        <dd class="hash" data-testid="side-hash" data-value={format!("{h:016x}")}>{ format!("{h:016x}") }</dd>
                    } else {
                        <dd class="muted">{ "when it finishes" }</dd>
                    }
                </div>
                if let Some(f) = f {
                    <div><dt>{ "local misses" }</dt><dd data-testid="side-local">{ f.local_share().map_or("—".to_string(), |s| format!("{:.1}%", s * 100.0)) }</dd></div>
                    if let Some((mig, rep)) = f.numa {
                        <div><dt>{ "migrations · replications" }</dt><dd data-testid="side-numa">{ format!("{} · {}", format::count(mig), format::count(rep)) }</dd></div>
                    }
                    if let Some((v, mm, saved)) = f.sharing {
                        <div class="wide"><dt>{ "V · M · saved" }</dt><dd data-testid="side-sharing">{ format!("{} · {} · {} pages", format::count(u64::from(v)), format::count(u64::from(mm)), format::count(u64::from(saved))) }</dd></div>
                    }
                }
            </dl>
        </div>
    };
    // Each piece sits in its own row of the two-column grid, so that A's ledger is beside B's
    // ledger however tall the pieces above them are.
    let cell = |row: u8, body: Html| {
        html! { <div class={classes!("cell", side.param(), format!("row-{row}"))}>{ body }</div> }
    };
    let Some(layout) = m.layout.clone() else {
        return html! {
            <section class="compare-side" data-testid={format!("compare-{}", side.param())} data-side={side.param()}>
                { cell(1, status) }
                { cell(2, waiting("This side")) }
            </section>
        };
    };
    let running = state == RunState::Running;
    let (numa, sharing) = if layout.disco {
        (
            html! {
                <Panel class="numa" title={format!("{} · NUMA policy", side.label())} explain={html!{ { "The monitor's page migrations and replications in this scenario (§4.2.3)." } }}>
                    <NumaPanel layout={layout.clone()} counters={m.counters.clone()} log={m.numa.clone()} theme={theme}
                        selected={selected} on_select={on_select} running={running} />
                </Panel>
            },
            html! {
                <Panel class="sharing" title={format!("{} · Memory sharing", side.label())} explain={html!{ { "V, M and the pages the VMs share in this scenario (§4.2.5, Fig. 6)." } }}>
                    <SharingPanel layout={layout.clone()} counters={m.counters.clone()} log={m.sharing.clone()} />
                </Panel>
            },
        )
    } else {
        (
            html! { <p class="empty small">{ "Natively there is no monitor: no NUMA policy, no sharing between VMs." }</p> },
            html! {},
        )
    };
    html! {
        <section class="compare-side" data-testid={format!("compare-{}", side.param())} data-side={side.param()}>
            { cell(1, status) }
            { cell(2, html! {
                <Panel class="ledger" title={format!("{} · Overhead ledger", side.label())} explain={html!{ { "Where the CPUs' time goes in this scenario — the single view's ledger (the paper's Figure 5)." } }}>
                    <Ledger layout={layout.clone()} frame={m.counters.clone()} />
                </Panel>
            }) }
            { cell(3, numa) }
            { cell(4, sharing) }
            { cell(5, html! {
                <Panel class="timeline" title={format!("{} · Scheduling timeline", side.label())} explain={html!{ { "Physical CPUs over simulated time, coloured by VM (natively by process)." } }}>
                    <Timeline layout={layout.clone()} frame={m.frame.clone()} counters={m.counters.clone()} segments={m.segments.clone()} theme={theme} />
                </Panel>
            }) }
            { cell(6, html! {
                <Panel class="machine" title={format!("{} · Machine and page map", side.label())} explain={html!{ { "The nodes, their CPUs and every machine page, coloured by the VM that holds it." } }}>
                    <Machine layout={layout} frame={m.frame.clone()} counters={m.counters.clone()} map={m.page_map.clone()}
                        info={m.page_info.clone()} layer={Layer::Owner} theme={theme} send={send}
                        moves={m.numa.clone()} breaks={m.sharing.clone()} selected={selected} />
                </Panel>
            }) }
        </section>
    }
}
