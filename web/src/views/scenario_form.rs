//! The scenario form: the machine (nodes, CPUs, memory, UMA), native OS or monitor, and for each
//! VM its workload, virtual CPUs and memory; the monitor's policies. The form edits a draft; the
//! draft is validated as it changes (the message names the field) and "Load" sends it.

use sim::scenario::{Guests, Scenario};
use sim::workload::WORKLOADS;
use yew::prelude::*;

use crate::scenario_edit::{self, CUSTOM};
use crate::views::glossary::Term;

/// Properties of [`ScenarioForm`].
#[derive(Properties, PartialEq)]
pub struct ScenarioFormProps {
    /// The scenario now loaded: the draft starts from it (again whenever it changes).
    pub loaded: Scenario,
    /// Loads the draft.
    pub on_load: Callback<Scenario>,
    /// True while the worker cannot take commands.
    #[prop_or_default]
    pub disabled: bool,
}

/// Properties of [`NumberField`].
#[derive(Properties, PartialEq)]
struct NumberProps {
    label: Html,
    /// The field's name in messages ("Nodes", "VM 1's VCPUs").
    words: AttrValue,
    value: u32,
    min: u32,
    max: u32,
    testid: AttrValue,
    on_change: Callback<u32>,
    /// Told the field's problem (`None` once its text is a number in range again).
    on_problem: Callback<(AttrValue, Option<String>)>,
}

#[function_component(NumberField)]
fn number_field(p: &NumberProps) -> Html {
    // The field shows what was typed, even text that is not a number: rendering the draft's
    // value instead would put the old number back under a message about the typed text.
    let text = use_state(|| p.value.to_string());
    {
        let text = text.clone();
        use_effect_with(p.value, move |v| text.set(v.to_string()));
    }
    let on_change = {
        let (cb, on_problem) = (p.on_change.clone(), p.on_problem.clone());
        let (words, testid, min, max) = (p.words.clone(), p.testid.clone(), p.min, p.max);
        let text = text.clone();
        Callback::from(move |ev: Event| {
            let v = ev.target_unchecked_into::<web_sys::HtmlInputElement>().value();
            text.set(v.clone());
            match scenario_edit::read_number(&words, &v, min, max) {
                Ok(n) => {
                    on_problem.emit((testid.clone(), None));
                    cb.emit(n);
                }
                Err(m) => on_problem.emit((testid.clone(), Some(m))),
            }
        })
    };
    html! {
        <label class="field inline">
            <span>{ p.label.clone() }</span>
            <input type="number" min={p.min.to_string()} max={p.max.to_string()} value={(*text).clone()}
                onchange={on_change} data-testid={p.testid.clone()} />
        </label>
    }
}

fn workload_select(value: &str, testid: String, on: Callback<String>) -> Html {
    let onchange = Callback::from(move |ev: Event| {
        on.emit(ev.target_unchecked_into::<web_sys::HtmlSelectElement>().value())
    });
    html! {
        <select onchange={onchange} data-testid={testid} aria-label="workload">
            { for WORKLOADS.iter().map(|w| html! {
                <option value={w.name} selected={w.name == value} title={format!("{} CPUs: {}.", w.description, w.parallelism)}>{ w.title }</option>
            }) }
        </select>
    }
}

/// How the scenario's workloads use the CPUs they are given, one line per workload chosen: every
/// workload runs on any number of CPUs or VCPUs, but only the parallel ones take them all, and a
/// student choosing 8 VCPUs for the database should know why 7 stay idle.
fn parallelism_note(guests: &Guests) -> Html {
    let names: Vec<&str> = match guests {
        Guests::Native { workload } => vec![workload.as_str()],
        Guests::Disco { vms, .. } => vms.iter().map(|v| v.workload.as_str()).collect(),
    };
    let mut shown: Vec<&'static sim::workload::Workload> = Vec::new();
    for w in names.into_iter().filter_map(sim::workload::Workload::named) {
        if !shown.iter().any(|s| s.name == w.name) {
            shown.push(w);
        }
    }
    html! {
        <ul class="field-note" data-testid="parallelism" aria-label="How the workloads use their CPUs">
            { for shown.iter().map(|w| html! { <li><b>{ w.title }</b>{ ": " }{ w.parallelism }</li> }) }
        </ul>
    }
}

/// The scenario form.
#[function_component(ScenarioForm)]
pub fn scenario_form(props: &ScenarioFormProps) -> Html {
    let draft = use_state(|| props.loaded.clone());
    // Fields whose text is not a usable number, by test id, with their messages: the draft
    // keeps the last good value, so its own verdict cannot tell.
    let problems = use_state(Vec::<(AttrValue, String)>::new);
    {
        let (draft, problems) = (draft.clone(), problems.clone());
        use_effect_with(props.loaded.clone(), move |loaded| {
            draft.set(loaded.clone());
            problems.set(Vec::new());
        });
    }
    let on_problem = {
        let problems = problems.clone();
        Callback::from(move |(id, m): (AttrValue, Option<String>)| {
            let mut p: Vec<(AttrValue, String)> =
                (*problems).iter().filter(|(k, _)| *k != id).cloned().collect();
            if let Some(m) = m {
                p.push((id, m));
            }
            problems.set(p);
        })
    };
    // Every edit goes through here: copy the draft, change it, store it.
    let edit = |f: fn(&mut Scenario, u32)| {
        let draft = draft.clone();
        Callback::from(move |v: u32| {
            let mut s = (*draft).clone();
            f(&mut s, v);
            draft.set(s);
        })
    };
    let machine = &draft.machine;
    // The latest typing problem first, else the draft's own verdict.
    let verdict = match problems.last() {
        Some((_, m)) => Err(m.clone()),
        None => draft.validate().map_err(|e| e.in_words()),
    };
    let changed = *draft != props.loaded;
    let on_apply = {
        let (draft, on_load) = (draft.clone(), props.on_load.clone());
        Callback::from(move |_: MouseEvent| on_load.emit((*draft).clone()))
    };
    let on_mode = |disco: bool| {
        let draft = draft.clone();
        Callback::from(move |_: Event| {
            let mut s = (*draft).clone();
            scenario_edit::set_disco(&mut s, disco);
            draft.set(s);
        })
    };
    let on_uma = {
        let draft = draft.clone();
        Callback::from(move |ev: Event| {
            let mut s = (*draft).clone();
            s.machine.uma = ev.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
            s.name = CUSTOM.into();
            draft.set(s);
        })
    };
    let disco = matches!(draft.guests, Guests::Disco { .. });
    let guests = match &draft.guests {
        Guests::Native { workload } => {
            let draft = draft.clone();
            let on = Callback::from(move |w: String| {
                let mut s = (*draft).clone();
                s.guests = Guests::Native { workload: w };
                s.name = CUSTOM.into();
                draft.set(s);
            });
            html! { <label class="field"><span>{ "Workload" }</span>{ workload_select(workload, "workload".into(), on) }</label> }
        }
        Guests::Disco { vms, policies } => {
            let rows = vms.iter().enumerate().map(|(i, vm)| {
                let set = |f: fn(&mut sim::scenario::VmPlan, u32)| {
                    let draft = draft.clone();
                    Callback::from(move |v: u32| {
                        let mut s = (*draft).clone();
                        scenario_edit::edit_vm(&mut s, i, |p| f(p, v));
                        draft.set(s);
                    })
                };
                let on_workload = {
                    let draft = draft.clone();
                    Callback::from(move |w: String| {
                        let mut s = (*draft).clone();
                        scenario_edit::edit_vm(&mut s, i, |p| p.workload = w);
                        draft.set(s);
                    })
                };
                html! {
                    <div class="vm-row" data-testid={format!("vm-row-{i}")}>
                        <span class="vm-name">{ format!("vm{i}") }</span>
                        { workload_select(&vm.workload, format!("vm{i}-workload"), on_workload) }
                        <NumberField label={html! { <Term k="vcpu">{ "VCPUs" }</Term> }} value={vm.vcpus} min={1} max={16}
                            testid={format!("vm{i}-vcpus")} words={format!("VM {i}'s VCPUs")} on_problem={on_problem.clone()} on_change={set(|p, v| p.vcpus = v)} />
                        <NumberField label={html! { "MB" }} value={vm.memory_mb} min={4} max={448}
                            testid={format!("vm{i}-memory")} words={format!("VM {i}'s MB")} on_problem={on_problem.clone()} on_change={set(|p, v| p.memory_mb = v)} />
                    </div>
                }
            });
            html! {
                <>
                    <NumberField label={html! { <Term k="vm">{ "VMs" }</Term> }} value={vms.len() as u32} min={1} max={8} testid="vms" words="VMs" on_problem={on_problem.clone()}
                        on_change={edit(|s, v| scenario_edit::set_vm_count(s, v as usize))} />
                    { for rows }
                    <div class="field-row">
                        <NumberField label={html! { <><Term k="l2tlb" />{ " entries" }</> }} value={policies.l2tlb_entries} min={0} max={65536}
                            testid="l2tlb" words="L2TLB entries" on_problem={on_problem.clone()} on_change={edit(|s, v| scenario_edit::edit_policies(s, |p| p.l2tlb_entries = v))} />
                        <NumberField label={html! { <><Term k="slice">{ "slice" }</Term>{ " µs" }</> }} value={policies.slice_us} min={100} max={1000000}
                            testid="slice" words="Slice µs" on_problem={on_problem.clone()} on_change={edit(|s, v| scenario_edit::edit_policies(s, |p| p.slice_us = v))} />
                    </div>
                </>
            }
        }
    };
    html! {
        <details class="scenario-form" open=true>
            <summary>{ "Scenario" }</summary>
            <fieldset disabled={props.disabled}>
                <div class="field-row">
                    <NumberField label={html! { <Term k="node">{ "nodes" }</Term> }} value={machine.nodes} min={1} max={8} testid="nodes" words="Nodes" on_problem={on_problem.clone()}
                        on_change={edit(|s, v| { s.machine.nodes = v; s.name = CUSTOM.into(); })} />
                    <NumberField label={html! { "CPUs/node" }} value={machine.cpus_per_node} min={1} max={4} testid="cpus" words="CPUs per node" on_problem={on_problem.clone()}
                        on_change={edit(|s, v| { s.machine.cpus_per_node = v; s.name = CUSTOM.into(); })} />
                    <NumberField label={html! { "MB/node" }} value={machine.memory_per_node_mb} min={4} max={256} testid="mem" words="MB per node" on_problem={on_problem.clone()}
                        on_change={edit(|s, v| { s.machine.memory_per_node_mb = v; s.name = CUSTOM.into(); })} />
                </div>
                <label class="check">
                    <input type="checkbox" checked={machine.uma} onchange={on_uma} data-testid="uma" />
                    <Term k="uma">{ "UMA" }</Term>{ " (every miss local)" }
                </label>
                <div class="mode" role="radiogroup" aria-label="What runs on the machine">
                    <label class="check"><input type="radio" name="mode" checked={!disco} onchange={on_mode(false)} data-testid="mode-native" />{ "native OS" }</label>
                    <label class="check"><input type="radio" name="mode" checked={disco} onchange={on_mode(true)} data-testid="mode-disco" />{ "Disco + VMs" }</label>
                </div>
                { guests }
                { parallelism_note(&draft.guests) }
                <div class="field-row" title="0: the disks always take the same time. Any other number jitters each disk request's latency (up to a quarter more), so the same work runs in another interleaving — the results stay the same.">
                    <NumberField label={html! { "seed" }} value={u32::try_from(draft.seed).unwrap_or(u32::MAX)} min={0} max={u32::MAX}
                        testid="seed" words="Seed" on_problem={on_problem.clone()} on_change={edit(|s, v| { s.seed = u64::from(v); s.name = CUSTOM.into(); })} />
                </div>
                <div class="form-foot">
                    if let Err(e) = &verdict {
                        <p class="form-error" role="alert" data-testid="form-error">{ e.clone() }</p>
                    }
                    <button class="primary" onclick={on_apply} disabled={verdict.is_err()} data-testid="apply"
                        title="Load this scenario (and put it in the address bar)">
                        { if changed { "Load scenario" } else { "Reload scenario" } }
                    </button>
                </div>
            </fieldset>
        </details>
    }
}
