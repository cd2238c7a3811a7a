//! The top-level component: the worker bridge, the model, the URL, and the layout of the panels.

use std::cell::RefCell;
use std::rc::Rc;

use sim::protocol::{Command, Event, RunState};
use sim::scenario::Scenario;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::bridge::Bridge;
use crate::state::compare::{self, Pair};
use crate::state::poll::PageMapPoller;
use crate::state::{Action, Link, Model, url};
use crate::theme::Theme;
use crate::views::compare::Compare;
use crate::views::consoles::Consoles;
use crate::views::controls::Controls;
use crate::views::glossary::{GlossaryPanel, Term};
use crate::views::header::Header;
use crate::views::ledger::Ledger;
use crate::views::machine::Machine;
use crate::views::numa::NumaPanel;
use crate::views::page_map::Layer;
use crate::views::panel::Panel;
use crate::views::paper::PaperView;
use crate::views::services::Services;
use crate::views::sharing::SharingPanel;
use crate::views::status_bar::StatusBar;
use crate::views::summary::RunSummary;
use crate::views::timeline::Timeline;

/// The page's clock in milliseconds.
fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn explain_machine() -> Html {
    html! {
        <>
            { "The " }<Term k="ccnuma">{ "ccNUMA" }</Term>{ " multiprocessor (§2, §5.1): one box per " }<Term k="node" />
            { ", with its CPUs and its slice of machine memory. A CPU is coloured by the " }<Term k="vm">{ "VM" }</Term>
            { " whose " }<Term k="vcpu" />{ " the monitor runs on it now (§4.2.1), or shown idle. Below, every 4 KB " }
            <Term k="machine-page" />{ " of the node is a square, coloured by the VM that holds it through its " }<Term k="pmap" />
            { " (the monitor's " }<Term k="memmap" />{ ", §4.2.2–3) and shaded by what the guest kernel uses it for: kernel (dark), " }
            <Term k="page-table">{ "page table" }</Term>{ " (dotted), user (plain), " }<Term k="buffer-cache">{ "buffer cache" }</Term>
            { " (light, striped). "}<b>{ "Heat" }</b>{ " colours pages by their cache misses instead — what FLASH counts per page to find a " }
            <Term k="hot-page" />{ " for " }<Term k="migration" />{ " and " }<Term k="replication" />{ " (§4.2.3). Under the monitor a " }
            <b>{ "cross" }</b>{ " marks a replica, and the NUMA policy's moves show as they happen: a ring grows where a page arrives and \
               closes in where one leaves, fading after about a second. Hover a page for its details, its copies and its latest moves." }
        </>
    }
}

fn explain_numa() -> Html {
    html! {
        <>
            { "How the monitor makes a " }<Term k="ccnuma">{ "ccNUMA" }</Term>{ " machine look uniform (§4.2.3): FLASH counts each node's cache \
               misses to each page and interrupts the monitor when a page gets " }<Term k="hot-page">{ "hot" }</Term>
            { ". Its NUMA policy then " }<Term k="migration">{ "migrates" }</Term>{ " a page one node uses to that node, " }
            <Term k="replication">{ "replicates" }</Term>{ " a page several nodes read onto the node that missed, or leaves it where it is \
               — written and shared (a write would " }<Term k="collapse" />{ " the copies), moved too often, no free page — and each line \
               below says which and why, from the counters. The figures: the share of " }<Term k="miss">{ "misses served locally" }</Term>
            { " (per node in the latest interval and over the run, and over time in the first chart), remote misses, and the actions per \
               simulated second. Start from " }<Term k="round-robin">{ "round-robin placement" }</Term>{ " (the engineering-numa preset) \
               and watch the local share climb; switch the policy off in the controls and it stops. Disco's own default is " }
            <Term k="first-touch">{ "first touch" }</Term>{ ", which leaves less to repair. In the paper (Fig. 8) engineering went from \
               16% to 78% local misses and ran a third faster." }
        </>
    }
}

fn explain_sharing() -> Html {
    html! {
        <>
            { "Memory the virtual machines share (§4.2.5–4.2.6). VMs that boot the same image boot one " }
            <Term k="cow-disk">{ "copy-on-write disk" }</Term>{ ": the base stays untouched, each VM's writes go to a log of \
               its own. When a VM reads a whole disk block another VM has already read, the monitor's " }
            <Term k="disk-cache">{ "global disk cache" }</Term>{ " maps that " }<Term k="machine-page" />
            { " read-only into the reader instead of reading the disk again — one copy for all, no transfer. A VM that then \
               writes the page takes a " }<Term k="cow-break">{ "copy-on-write break" }</Term>{ " and gets a private copy; the \
               others never see its writes. The figures: each VM's footprint " }<Term k="v-footprint">{ "V" }</Term>
            { ", the machine memory " }<Term k="m-footprint">{ "M" }</Term>{ " they take, and the saving V − M — the paper's \
               Fig. 6, where eight VMs running pmake needed 77 MB of V in 38 MB of M. The paper also shared pages over a virtual \
               subnet and NFS (§4.2.6); that part is not built here. In the page map, a shared page has a dark bar on top and \
               stripes in the colours of every VM that maps it; hover it for its disk block and sharers; a break shows there as \
               the page splitting. The command line's disco run prints the same V, M and breaks on its memory line." }
        </>
    }
}

fn explain_timeline() -> Html {
    html! {
        <>
            { "Physical CPUs (rows) over simulated time (left to right, the present at the right edge). The monitor time-shares the " }
            <Term k="vcpu">{ "VCPUs" }</Term>{ " of all VMs on the physical CPUs with an " }<Term k="affinity">{ "affinity scheduler" }</Term>
            { " and a " }<Term k="slice">{ "time slice" }</Term>{ " (§4.2.1); a VCPU whose guest is " }<Term k="idle" />
            { " is descheduled (§4.3). Segments are coloured by VM and labelled by VCPU; gaps are idle CPUs. Natively the rows show \
               the guest's processes instead (sampled every 50 µs). Hover a segment for its times." }
        </>
    }
}

fn explain_ledger() -> Html {
    html! {
        <>
            { "Where the CPUs' time goes, per VM and in total — the paper's " }<Term k="fig5">{ "Figure 5" }</Term>
            { " (§5.3), live: user, guest kernel, the " }<Term k="monitor" />{ " by kind of work (emulating privileged instructions, \
               TLB misses, devices, memory, scheduling), and " }<Term k="idle" />{ ". Below, TLB refills: served by the monitor — \
               from the " }<Term k="direct">{ "kernel direct map" }</Term>{ ", its " }<Term k="l2tlb" />{ " (§4.2.2) or the " }
            <Term k="vtlb" />{ " — or " }<Term k="forwarded" />{ " to the guest's handler, the expensive path. Run a native preset to \
               see the same workload without the monitor." }
        </>
    }
}

fn explain_services() -> Html {
    html! {
        <>
            { "What each guest's kernel spends its time on — the paper's " }<Term k="table2">{ "Table 2" }</Term>
            { " (§5.3), live, from the kernel's own statistics: system calls, " }<Term k="demand-zero">{ "demand-zero" }</Term>
            { " and copy-on-write faults, interrupts; how often each ran and its mean CPU time. Load the same workload natively \
               and under the " }<Term k="monitor" />{ " to see what virtualization costs each service: in the paper every service \
               got slower (open 1.63×, a user TLB miss 1.35×); here the monitor even speeds up page zeroing." }
        </>
    }
}

fn explain_consoles() -> Html {
    html! {
        <>
            { "Each " }<Term k="vm">{ "virtual machine" }</Term>{ " has its own console device (§4.1); its guest OS writes to it \
               through a " }<Term k="monitor-call" />{ ". What you read is the guest's own output: boot messages, the workload's \
               results (with checksums computed on the host) and the kernel's shutdown line. A tab turns ✓ once its guest \
               powered off having printed every expected line." }
        </>
    }
}

/// Closes every open "?" explanation and Export menu except the one holding `keep` (the node a click landed
/// on); `None` closes them all (Esc).
fn close_explanations(keep: Option<&web_sys::Node>) {
    let Some(d) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(open) = d.query_selector_all("details.explain[open], details.export[open]") else {
        return;
    };
    for i in 0..open.length() {
        let Some(el) = open.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlDetailsElement>().ok())
        else {
            continue;
        };
        if keep.is_some_and(|k| el.contains(Some(k))) {
            continue;
        }
        el.set_open(false);
    }
}

/// Which view the page shows.
#[derive(Clone, Debug, PartialEq)]
enum Mode {
    /// One run (the scenario is in the URL).
    Single,
    /// A/B compare mode, with what was wrong with the URL's pair.
    Compare(Box<Pair>, Vec<String>),
}

/// The page: the single view, or compare mode when the URL holds a pair (`?a=…&b=…`).
#[function_component(Root)]
pub fn root() -> Html {
    let mode = use_state(|| {
        let query = url::current_query();
        if compare::is_compare(&query) {
            let (pair, problems) = compare::pair_for_query(&query);
            Mode::Compare(Box::new(pair), problems)
        } else {
            Mode::Single
        }
    });
    let on_compare = {
        let mode = mode.setter();
        Callback::from(move |a: Scenario| {
            let b = compare::counterpart(&a);
            mode.set(Mode::Compare(Box::new(Pair { a, b }), Vec::new()));
        })
    };
    let on_back = {
        let mode = mode.setter();
        Callback::from(move |a: Scenario| {
            url::show(&a);
            mode.set(Mode::Single);
        })
    };
    match &*mode {
        Mode::Single => html! { <App on_compare={on_compare} /> },
        Mode::Compare(pair, problems) => {
            html! { <Compare pair={(**pair).clone()} problems={problems.clone()} on_back={on_back} /> }
        }
    }
}

/// Properties of [`App`].
#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// Opens compare mode with this scenario as A.
    pub on_compare: Callback<Scenario>,
}

/// The single view: one run.
#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let model = use_reducer(Model::default);
    let bridge = use_mut_ref(|| None::<Bridge>);
    let poller = use_mut_ref(PageMapPoller::default);
    let theme = use_state(Theme::initial);
    let layer = use_state(|| Layer::Owner);
    // The machine page picked in the NUMA panel's list, marked in the page map.
    let selected = use_state(|| None::<u32>);
    let requested = use_state(|| None::<Scenario>);
    // The Paper view replaces the panels while open; `#paper` in the address opens it.
    let paper_open = use_state(|| {
        web_sys::window().and_then(|w| w.location().hash().ok()).is_some_and(|h| h == "#paper")
    });

    {
        let theme = *theme;
        use_effect_with(theme, move |_| theme.apply());
    }

    // Callbacks handed to the views are made once (`use_callback` with no dependencies): a new
    // callback each render would make every view's properties differ at every frame.
    let send = {
        let bridge = bridge.clone();
        use_callback((), move |command: Command, _| {
            if let Some(b) = bridge.borrow().as_ref() {
                b.send(command);
            }
        })
    };

    let on_load = {
        let (send, dispatcher, requested) = (send.clone(), model.dispatcher(), requested.setter());
        use_callback((), move |scenario: Scenario, _| match scenario.validate() {
            Ok(()) => {
                url::show(&scenario);
                dispatcher.dispatch(Action::DismissError);
                requested.set(Some(scenario.clone()));
                send.emit(Command::Load { scenario });
            }
            Err(e) => {
                dispatcher.dispatch(Action::Error(format!("The scenario is not valid — {e}")))
            }
        })
    };

    {
        let (dispatcher, bridge, poller, requested) =
            (model.dispatcher(), bridge.clone(), poller.clone(), requested.setter());
        let requested_now = requested.clone();
        use_effect_with((), move |_| {
            let query = url::current_query();
            let (scenario, problem) = url::scenario_for_query(&query);
            // If the worker cannot start the URL's scenario (it validates, but, say, the machine
            // refuses it), the page falls back to a preset once rather than stay empty.
            let fallback = url::fallback(&query);
            let pending = Rc::new(RefCell::new(
                (problem.is_none() && fallback != scenario).then_some(fallback),
            ));
            let b2 = bridge.clone();
            let on_event = Callback::from(move |e: Event| {
                let now = now_ms();
                let ask = poller.borrow_mut().event(&e, now);
                if let (Some(command), Some(b)) = (ask, b2.borrow().as_ref()) {
                    b.send(command);
                }
                let refusal = match &e {
                    Event::Error { message } => Some(message.clone()),
                    Event::BadScenario(err) => Some(err.to_string()),
                    Event::Loaded(_) => {
                        pending.borrow_mut().take();
                        None
                    }
                    _ => None,
                };
                let fallback = refusal.and_then(|m| pending.borrow_mut().take().map(|f| (m, f)));
                dispatcher.dispatch(Action::Worker(e, now));
                if let (Some((message, scenario)), Some(b)) = (fallback, b2.borrow().as_ref()) {
                    dispatcher.dispatch(Action::Error(url::refused(&message, &scenario)));
                    requested.set(Some(scenario.clone()));
                    b.send(Command::Load { scenario });
                }
            });
            if let Some(e) = problem {
                on_event.emit(Event::Error { message: url::message(&e, &scenario) });
            }
            match Bridge::start(on_event.clone()) {
                Ok(b) => {
                    requested_now.set(Some(scenario.clone()));
                    b.send(Command::Load { scenario });
                    *bridge.borrow_mut() = Some(b);
                }
                Err(message) => on_event.emit(Event::Error { message }),
            }
            move || drop(bridge.borrow_mut().take())
        });
    }

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
                        matches!(
                            el.tag_name().as_str(),
                            "BUTTON" | "INPUT" | "SELECT" | "TEXTAREA" | "SUMMARY"
                        )
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

    // The panels' "?" explanations: one open at a time; Esc or a click outside closes it.
    use_effect_with((), move |_| {
        let closer = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            let escape = ev.dyn_ref::<KeyboardEvent>().map(|k| k.key() == "Escape");
            if escape == Some(false) {
                return;
            }
            close_explanations(if escape.is_some() { None } else { target.as_ref() });
        });
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &document {
            for kind in ["click", "keydown"] {
                let _ = d.add_event_listener_with_callback(kind, closer.as_ref().unchecked_ref());
            }
        }
        move || {
            if let Some(d) = document {
                for kind in ["click", "keydown"] {
                    let _ = d
                        .remove_event_listener_with_callback(kind, closer.as_ref().unchecked_ref());
                }
            }
        }
    });

    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |_| theme.set(theme.toggled()))
    };
    let set_paper = {
        let paper_open = paper_open.setter();
        Callback::from(move |open: bool| {
            paper_open.set(open);
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_hash(if open { "paper" } else { "" });
            }
        })
    };
    let on_paper = {
        let (set_paper, open) = (set_paper.clone(), *paper_open);
        Callback::from(move |_| set_paper.emit(!open))
    };
    let on_paper_load = {
        let (set_paper, on_load) = (set_paper.clone(), on_load.clone());
        Callback::from(move |scenario: Scenario| {
            set_paper.emit(false);
            on_load.emit(scenario);
        })
    };
    let on_paper_close = {
        let set_paper = set_paper.clone();
        Callback::from(move |_| set_paper.emit(false))
    };
    let on_dismiss = {
        let dispatcher = model.dispatcher();
        use_callback((), move |_: MouseEvent, _| dispatcher.dispatch(Action::DismissError))
    };
    {
        // A new scenario has other pages: forget the one picked.
        let selected = selected.setter();
        use_effect_with(model.layout.clone(), move |_| selected.set(None));
    }
    let on_select = {
        let selected = selected.setter();
        use_callback((), move |page: Option<u32>, _| selected.set(page))
    };
    let on_heat = {
        let (layer, poller, bridge) = (layer.setter(), poller.clone(), bridge.clone());
        use_callback((), move |ev: yew::Event, _| {
            let on = ev.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
            layer.set(if on { Layer::Heat } else { Layer::Owner });
            let ask = poller.borrow_mut().set_heat(on, now_ms());
            if let (Some(command), Some(b)) = (ask, bridge.borrow().as_ref()) {
                b.send(command);
            }
        })
    };

    let ready = matches!(model.link, Link::Ready { .. });
    let scenario =
        model.layout.as_ref().map(|l| l.scenario.clone()).or_else(|| (*requested).clone());
    let waiting = |what: &str| html! { <p class="empty" data-testid="empty">{ format!("{what} appears once the scenario has loaded…") }</p> };
    let heat_toggle = html! {
        <label class="toggle" title="Colour pages by cache misses (FLASH's per-page counters)">
            <input type="checkbox" checked={*layer == Layer::Heat} onchange={on_heat} data-testid="heat-toggle" />{ "heat" }
        </label>
    };
    let clock = model.layout.as_ref().map_or(200, |l| l.clock_mhz);
    let on_compare = {
        let (cb, scenario) = (props.on_compare.clone(), scenario.clone());
        Callback::from(move |_| {
            cb.emit(
                scenario
                    .clone()
                    .unwrap_or_else(|| url::scenario_for_query(&url::current_query()).0),
            )
        })
    };

    html! {
        <div class="app">
            <Header theme={*theme} on_theme={on_theme} paper_open={*paper_open} on_paper={on_paper} on_compare={on_compare} />
            if let Some(message) = model.error.clone() {
                <div class="banner error" role="alert" data-testid="error-banner">
                    <span>{ message }</span>
                    <button class="ghost" onclick={on_dismiss} aria-label="Dismiss">{ "×" }</button>
                </div>
            }
            if let (RunState::Finished, Some(layout)) = (model.run, model.layout.clone()) {
                <RunSummary layout={layout} frame={model.counters.clone()} />
            }
            if *paper_open {
                <PaperView on_load={on_paper_load} on_close={on_paper_close} />
            }
            <main class="layout" hidden={*paper_open}>
                <Controls run={model.run} ready={ready} scenario={scenario} send={send.clone()} on_load={on_load}
                    measured_mhz={model.speed_shown.mhz} />
                <Panel class="machine" title="Machine" explain={explain_machine()} tools={heat_toggle}>
                    if let Some(layout) = model.layout.clone() {
                        <Machine layout={layout} frame={model.frame.clone()} counters={model.counters.clone()} map={model.page_map.clone()}
                            info={model.page_info.clone()} layer={*layer} theme={*theme} send={send.clone()}
                            moves={model.numa.clone()} breaks={model.sharing.clone()} selected={*selected} />
                    } else { { waiting("The machine") } }
                </Panel>
                <Panel class="ledger" title="Overhead ledger" explain={explain_ledger()}>
                    if let Some(layout) = model.layout.clone() {
                        <Ledger layout={layout} frame={model.counters.clone()} />
                    } else { { waiting("The ledger") } }
                </Panel>
                <Panel class="numa" title="NUMA policy" explain={explain_numa()}>
                    if let Some(layout) = model.layout.clone() {
                        <NumaPanel layout={layout} counters={model.counters.clone()} log={model.numa.clone()} theme={*theme}
                            selected={*selected} on_select={on_select} running={model.run == RunState::Running} />
                    } else { { waiting("The NUMA policy's work") } }
                </Panel>
                <Panel class="sharing" title="Memory sharing" explain={explain_sharing()}>
                    if let Some(layout) = model.layout.clone() {
                        <SharingPanel layout={layout} counters={model.counters.clone()} log={model.sharing.clone()} />
                    } else { { waiting("Memory shared between the VMs") } }
                </Panel>
                <Panel class="timeline" title="Scheduling timeline" explain={explain_timeline()}>
                    if let Some(layout) = model.layout.clone() {
                        <Timeline layout={layout} frame={model.frame.clone()} counters={model.counters.clone()} segments={model.segments.clone()} theme={*theme} />
                    } else { { waiting("The timeline") } }
                </Panel>
                <Panel id="consoles" class="consoles" title="Consoles" explain={explain_consoles()}>
                    if let Some(layout) = model.layout.clone() {
                        <Consoles layout={layout} frame={model.counters.clone()} consoles={model.consoles.clone()} send={send.clone()} run={model.run} />
                    } else { { waiting("Each guest's console") } }
                </Panel>
                <Panel class="services" title="Kernel services" explain={explain_services()}>
                    if let Some(layout) = model.layout.clone() {
                        <Services layout={layout} frame={model.counters.clone()} />
                    } else { { waiting("The kernel services") } }
                </Panel>
                <GlossaryPanel />
            </main>
            <StatusBar link={model.link.clone()} run={model.run} loading={model.loading} frame={model.counters.clone()}
                clock_mhz={clock} speed={model.speed_shown} layout={model.layout.clone()} consoles={model.consoles.clone()}
                bytes={model.bytes} />
        </div>
    }
}
