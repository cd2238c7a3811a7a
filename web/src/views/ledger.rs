//! The overhead ledger — the paper's Figure 5, live: for each VM and in total, where its CPUs'
//! time went (user, guest kernel, the monitor by kind of work, idle), and who served its TLB
//! misses (the monitor — kernel direct map, L2TLB, virtual TLB — or the guest's own handler).

use sim::frame::{Frame, GuestFrame, GuestInfo, Layout, TlbFrame};
use sim::workload::Workload;
use yew::prelude::*;

use crate::format;
use crate::palette;
use crate::state::Shared;
use crate::views::glossary::Term;

/// Properties of [`Ledger`].
#[derive(Properties, PartialEq)]
pub struct LedgerProps {
    /// The loaded scenario's shape.
    pub layout: Shared<Layout>,
    /// Latest frame.
    pub frame: Shared<Frame>,
}

/// A ledger line: time by category and TLB refills.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    /// Cycles in user mode.
    pub user: u64,
    /// Cycles in the guest kernel.
    pub kernel: u64,
    /// Monitor cycles by kind.
    pub monitor: Vec<u64>,
    /// Idle cycles.
    pub idle: u64,
    /// TLB refills.
    pub tlb: TlbFrame,
    /// Instructions.
    pub instructions: u64,
}

impl Line {
    /// The line of one guest.
    pub fn of(g: &GuestFrame) -> Line {
        Line {
            user: g.user,
            kernel: g.kernel,
            monitor: g.monitor.clone(),
            idle: g.idle,
            tlb: g.tlb.clone(),
            instructions: g.instructions,
        }
    }

    /// Adds `other` to this line.
    pub fn add(&mut self, other: &Line) {
        self.user += other.user;
        self.kernel += other.kernel;
        self.idle += other.idle;
        self.instructions += other.instructions;
        if self.monitor.len() < other.monitor.len() {
            self.monitor.resize(other.monitor.len(), 0);
        }
        for (a, b) in self.monitor.iter_mut().zip(&other.monitor) {
            *a += b;
        }
        self.tlb.direct += other.tlb.direct;
        self.tlb.l2tlb += other.tlb.l2tlb;
        self.tlb.vtlb += other.tlb.vtlb;
        self.tlb.forwarded += other.tlb.forwarded;
    }

    /// All monitor cycles.
    pub fn monitor_total(&self) -> u64 {
        self.monitor.iter().sum()
    }

    /// All cycles accounted for.
    pub fn total(&self) -> u64 {
        self.user + self.kernel + self.monitor_total() + self.idle
    }

    /// TLB refills served by the monitor, and all refills.
    pub fn refills(&self) -> (u64, u64) {
        let t = &self.tlb;
        let handled = t.direct + t.l2tlb + t.vtlb;
        (handled, handled + t.forwarded)
    }
}

fn bar(line: &Line, kinds: &[String], label: &str) -> Html {
    let total = line.total();
    let pct = |v: u64| if total == 0 { 0.0 } else { v as f64 * 100.0 / total as f64 };
    let seg = |v: u64, colour: palette::Rgb, name: String, class: &'static str| {
        (v > 0).then(|| {
            html! {
                <span class={classes!("seg", class)} data-part={name}
                    style={format!("width: {:.2}%; background: {}", pct(v), palette::css(colour))} />
            }
        })
    };
    let monitor = line.monitor.iter().enumerate().map(|(i, &v)| {
        let name = kinds.get(i).cloned().unwrap_or_else(|| format!("kind {i}"));
        seg(v, palette::monitor_kind(i, line.monitor.len()), format!("monitor, {name}"), "")
            .unwrap_or_default()
    });
    html! {
        <div class="stack" role="presentation" data-row={label.to_string()}>
            { seg(line.user, palette::USER, "user".into(), "") }
            { seg(line.kernel, palette::KERNEL, "guest kernel".into(), "") }
            { for monitor }
            { seg(line.idle, [0x99, 0x99, 0x99], "idle".into(), "idle") }
        </div>
    }
}

fn row(
    name: &str,
    colour: Option<palette::Rgb>,
    line: &Line,
    kinds: &[String],
    disco: bool,
    testid: String,
) -> Html {
    let total = line.total();
    html! {
        <tr data-testid={testid} data-user={line.user.to_string()} data-total={total.to_string()}>
            <th scope="row">
                if let Some(c) = colour { <i class="sw" style={format!("background: {}", palette::css(c))} /> }
                { name.to_string() }
            </th>
            <td class="barcell">{ bar(line, kinds, name) }</td>
            <td>{ format::percent(line.user, total) }</td>
            <td>{ format::percent(line.kernel, total) }</td>
            if disco { <td>{ format::percent(line.monitor_total(), total) }</td> }
            <td>{ format::percent(line.idle, total) }</td>
        </tr>
    }
}

/// True if guest `info` runs SPLASHOS (or another library OS) rather than dux.
pub fn runs_library_os(info: &GuestInfo) -> bool {
    Workload::named(&info.workload).is_some_and(|w| !w.on_dux())
}

/// The notes under the ledger: why a SPLASHOS VM shows no user time. SPLASHOS runs the
/// program in the guest's privileged mode (there is no user/kernel split in a library OS,
/// paper §4.4), so the machine counts all of it as guest kernel; without a word the row reads
/// like a kernel-bound workload.
pub fn notes(layout: &Layout) -> Vec<String> {
    let splash: Vec<&str> =
        layout.guests.iter().filter(|g| runs_library_os(g)).map(|g| g.name.as_str()).collect();
    if splash.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "{} {} SPLASHOS, a library OS (paper §4.4): the program runs in the guest's own \
         privileged mode, with no user/kernel split, so all its work shows as guest kernel \
         and none as user.",
        splash.join(", "),
        if splash.len() == 1 { "runs" } else { "run" }
    )]
}

/// The ledger panel's body.
#[function_component(Ledger)]
pub fn ledger(props: &LedgerProps) -> Html {
    let layout = &*props.layout;
    let kinds = &layout.monitor_kinds;
    let lines: Vec<Line> = props.frame.guests.iter().map(Line::of).collect();
    let mut total = Line::default();
    lines.iter().for_each(|l| total.add(l));
    let rows = lines.iter().enumerate().map(|(g, line)| {
        let name = layout.guests.get(g).map_or_else(|| format!("vm{g}"), |i| i.name.clone());
        row(&name, Some(palette::vm(g)), line, kinds, layout.disco, format!("ledger-{name}"))
    });
    let tlb_rows = lines.iter().enumerate().chain(std::iter::once((usize::MAX, &total))).map(|(g, l)| {
        let name = if g == usize::MAX { "total".to_string() } else { layout.guests.get(g).map_or_else(|| format!("vm{g}"), |i| i.name.clone()) };
        let t = &l.tlb;
        let (handled, refills) = l.refills();
        html! {
            <tr class={classes!((g == usize::MAX).then_some("total"))}>
                <th scope="row">{ name }</th>
                <td>{ format::short(t.direct) }</td>
                <td>{ format::short(t.l2tlb) }</td>
                <td>{ format::short(t.vtlb) }</td>
                <td>{ format::short(t.forwarded) }</td>
                <td title={format!("{handled} of {refills} refills served by the monitor")}>{ format::percent(handled, refills) }</td>
            </tr>
        }
    });
    let monitor_legend = kinds.iter().enumerate().map(|(i, k)| {
        let share = format::percent(total.monitor.get(i).copied().unwrap_or(0), total.total());
        html! {
            <span class="legend-item"><i class="sw" style={format!("background: {}", palette::css(palette::monitor_kind(i, kinds.len())))} />{ format!("{k} {share}") }</span>
        }
    });
    let f = &props.frame;
    let misses = f.local_misses + f.remote_misses;
    html! {
        <div class="ledger-view">
            <div class="legend">
                <span class="legend-item"><i class="sw" style={format!("background: {}", palette::css(palette::USER))} />{ "user" }</span>
                <span class="legend-item"><i class="sw" style={format!("background: {}", palette::css(palette::KERNEL))} />{ "guest kernel" }</span>
                if layout.disco {
                    <span class="legend-item"><i class="sw" style={format!("background: {}", palette::css(palette::MONITOR))} /><Term k="monitor">{ "monitor" }</Term></span>
                }
                <span class="legend-item"><i class="sw idle" />{ "idle" }</span>
            </div>
            <table class="ledger-table">
                <thead>
                    <tr><th>{ "" }</th><th>{ "time" }</th><th>{ "user" }</th><th>{ "kernel" }</th>
                    if layout.disco { <th>{ "monitor" }</th> }
                    <th>{ "idle" }</th></tr>
                </thead>
                <tbody>
                    { for rows }
                    if lines.len() > 1 { { row("total", None, &total, kinds, layout.disco, "ledger-total".into()) } }
                </tbody>
            </table>
            if layout.disco {
                <div class="legend monitor-kinds"><span class="muted">{ "monitor work by kind (share of all time): " }</span>{ for monitor_legend }</div>
            }
            if layout.disco {
            <table class="tlb-table">
                <caption>
                    { "TLB refills — served by the monitor: " }<Term k="direct">{ "kernel segment" }</Term>{ ", " }
                    <Term k="l2tlb" />{ ", " }<Term k="vtlb">{ "virtual TLB" }</Term>{ "; or " }<Term k="forwarded">{ "forwarded" }</Term>{ " to the guest" }
                </caption>
                <thead><tr><th>{ "" }</th><th>{ "kernel seg." }</th><th>{ "L2TLB" }</th><th>{ "vTLB" }</th><th>{ "forwarded" }</th><th>{ "in monitor" }</th></tr></thead>
                <tbody>{ for tlb_rows }</tbody>
            </table>
            } else {
                <p class="small">
                    { format!("TLB refills: {} — natively the guest kernel's own refill handler serves every one (under the monitor most never reach it: ", format::short(total.tlb.forwarded)) }
                    <Term k="l2tlb" />{ ", §4.2.2)." }
                </p>
            }
            { for notes(layout).into_iter().map(|n| html! { <p class="small note" data-testid="ledger-note">{ n }</p> }) }
            <p class="muted small">
                <Term k="miss">{ "cache misses" }</Term>{ format!(": {} local, {} remote ({} local)", format::short(f.local_misses), format::short(f.remote_misses), format::percent(f.local_misses, misses)) }
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(workloads: &[&str]) -> Layout {
        Layout {
            scenario: sim::scenario::Preset::named("radix-splashos").expect("preset").scenario(),
            disco: true,
            nodes: 1,
            cpus_per_node: 1,
            pages: 1024,
            pages_per_node: 1024,
            clock_mhz: 200,
            monitor_kinds: Vec::new(),
            guests: workloads
                .iter()
                .enumerate()
                .map(|(g, w)| GuestInfo {
                    name: format!("vm{g}"),
                    workload: (*w).into(),
                    cpus: 1,
                    memory_mb: 16,
                })
                .collect(),
        }
    }

    #[test]
    fn a_splashos_vm_is_explained() {
        assert_eq!(notes(&layout(&["pmake-tiny"])), Vec::<String>::new());
        let n = notes(&layout(&["pmake-tiny", "radix-tiny-splashos"]));
        assert_eq!(n.len(), 1);
        assert!(n[0].starts_with("vm1 runs SPLASHOS"), "{n:?}");
        assert!(n[0].contains("no user/kernel split"), "{n:?}");
    }

    #[test]
    fn lines_add_up() {
        let a = GuestFrame {
            user: 10,
            kernel: 5,
            monitor: vec![1, 2],
            idle: 2,
            tlb: TlbFrame { direct: 1, l2tlb: 2, vtlb: 3, forwarded: 4 },
            ..GuestFrame::default()
        };
        let b = GuestFrame { user: 1, monitor: vec![0, 0, 7], ..GuestFrame::default() };
        let mut t = Line::default();
        t.add(&Line::of(&a));
        t.add(&Line::of(&b));
        assert_eq!(t.monitor, vec![1, 2, 7]);
        assert_eq!(t.total(), 11 + 5 + 10 + 2);
        assert_eq!(t.refills(), (6, 10));
    }
}
