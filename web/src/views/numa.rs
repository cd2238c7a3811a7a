//! The NUMA panel (paper §4.2.3): what the monitor's NUMA policy does and what it achieves.
//!
//! - Figures: the share of cache misses served by the missing CPU's own node, remote misses,
//!   and the policy's actions so far (migrations, replications, collapses, replicas reclaimed).
//! - A row per node: its local share in the latest interval and over the run, its remote
//!   misses, the replica pages it holds now.
//! - Two charts over simulated time: each node's local-miss share (and all nodes'), and the
//!   actions per simulated second.
//! - The latest actions, newest first, each saying why in words; a click on one marks its
//!   machine page in the page map.
//!
//! Everything here is read from [`Model::counters`](crate::state::Model::counters) and the
//! NUMA log, both refreshed at most four times a second while running.

use sim::frame::{Frame, Layout, NumaAction};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::format;
use crate::palette::{self, Neutrals, Rgb};
use crate::state::Shared;
use crate::state::numa::{Arrived, Interval, NumaLog};
use crate::theme::Theme;
use crate::views::canvas;
use crate::views::machine::guest_name;
use crate::views::timeline::tick_step;

/// Actions the list shows at most (the log keeps more for the page map).
pub const LIST_MAX: usize = 25;

/// While running, the list changes at most this often (milliseconds): at thousands of actions
/// a second no one reads it as it flows, and each change costs the browser a style and layout
/// pass over it. Paused, it shows the latest at once.
pub const LIST_MS: f64 = 1000.0;

const PAD_L: f64 = 38.0;
const PAD_R: f64 = 30.0;
const PLOT_H: f64 = 84.0;
const PAD_T: f64 = 6.0;
const AXIS_H: f64 = 16.0;
const CHART_H: f64 = PAD_T + PLOT_H + AXIS_H;
/// Points across a chart at most: shorter intervals are merged (see
/// [`NumaLog::intervals_of`]).
const POINTS: u64 = 120;
/// The shortest interval a chart shows, one interval of FLASH's counters: a frame's few
/// hundred thousand cycles hold too few misses per node for a steady share.
const MIN_US: u64 = 10_000;
/// What "now" means in the figures: the latest 10 ms of simulated time (one interval of
/// FLASH's counters).
const NOW_US: u64 = 10_000;

/// Dash patterns that tell the nodes' lines apart without colour.
const DASHES: [&[f64]; 4] = [&[], &[5.0, 3.0], &[1.5, 2.5], &[7.0, 2.0, 1.5, 2.0]];

/// Which count of an interval a series shows.
type Count = fn(&Interval) -> u64;

/// Properties of [`NumaPanel`].
#[derive(Properties, PartialEq)]
pub struct NumaProps {
    /// The loaded scenario's shape.
    pub layout: Shared<Layout>,
    /// The frame the numbers come from (refreshed at most four times a second).
    pub counters: Shared<Frame>,
    /// The policy's actions and the counters over time.
    pub log: Shared<NumaLog>,
    /// Colour theme.
    pub theme: Theme,
    /// The machine page marked in the page map.
    pub selected: Option<u32>,
    /// Marks a machine page (or none).
    pub on_select: Callback<Option<u32>>,
    /// True while the run goes on (the list then changes at most every [`LIST_MS`]).
    pub running: bool,
}

/// The machine page an action is about: where the page is now, else where it was.
pub fn page_of(a: &Arrived) -> Option<u32> {
    a.event.to.map(|p| p.page).or_else(|| a.event.from.first().map(|p| p.page))
}

/// A line on a canvas: colour, width, dash pattern.
#[derive(Clone, Copy)]
struct Pen {
    colour: Rgb,
    width: f64,
    dash: &'static [f64],
}

fn set_dash(ctx: &web_sys::CanvasRenderingContext2d, dash: &[f64]) {
    let a = js_sys::Array::new();
    for d in dash {
        a.push(&JsValue::from_f64(*d));
    }
    let _ = ctx.set_line_dash(&a);
}

/// The same as `tick_step` for a value axis: 1, 2 or 5 times a power of ten at or above `max`.
pub fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * p).find(|v| *v >= max).unwrap_or(10.0 * p)
}

/// One chart: series of (cycle, value) points from 0 to `t_end` cycles, values 0..=`y_max`,
/// labelled at the right end.
struct Chart<'a> {
    ctx: &'a web_sys::CanvasRenderingContext2d,
    width: f64,
    t_end: u64,
    y_max: f64,
    n: Neutrals,
}

impl Chart<'_> {
    fn x(&self, cycle: u64) -> f64 {
        PAD_L + cycle as f64 / self.t_end.max(1) as f64 * (self.width - PAD_L - PAD_R)
    }

    fn y(&self, v: f64) -> f64 {
        PAD_T + PLOT_H * (1.0 - (v / self.y_max).clamp(0.0, 1.0))
    }

    fn frame(&self, y_labels: &[(f64, String)], mhz: u32) {
        let ctx = self.ctx;
        ctx.set_fill_style_str(&palette::css(self.n.panel));
        ctx.fill_rect(0.0, 0.0, self.width, CHART_H);
        ctx.set_fill_style_str(&palette::css(self.n.grid));
        for (v, _) in y_labels {
            ctx.fill_rect(PAD_L, self.y(*v).round(), self.width - PAD_L - PAD_R, 1.0);
        }
        ctx.set_fill_style_str(&palette::css(self.n.muted));
        for (v, label) in y_labels {
            let _ = ctx.fill_text(label, 2.0, self.y(*v) + 4.0);
        }
        let step = tick_step(self.t_end, 5);
        let mut t = 0;
        while t <= self.t_end && self.t_end > 0 {
            let x = self.x(t);
            ctx.fill_rect(x, PAD_T + PLOT_H, 1.0, 3.0);
            let label = axis_time(t, step, mhz);
            if x + label.len() as f64 * 5.5 < self.width {
                let _ = ctx.fill_text(&label, x + 2.0, PAD_T + PLOT_H + 13.0);
            }
            t += step;
        }
    }

    /// Draws a series; `None` values break the line. Returns where its label goes (the y of
    /// its last point), for [`Chart::labels`].
    fn series(&self, points: &[(u64, Option<f64>)], pen: Pen) -> Option<f64> {
        let ctx = self.ctx;
        ctx.set_stroke_style_str(&palette::css(pen.colour));
        ctx.set_line_width(pen.width);
        set_dash(ctx, pen.dash);
        ctx.begin_path();
        let mut down = false;
        let mut end = None;
        for &(c, v) in points {
            match v {
                Some(v) => {
                    let (x, y) = (self.x(c), self.y(v));
                    if down {
                        ctx.line_to(x, y);
                    } else {
                        ctx.move_to(x, y);
                    }
                    down = true;
                    end = Some(y);
                }
                None => down = false,
            }
        }
        ctx.stroke();
        set_dash(ctx, &[]);
        end
    }

    /// Writes each series' label right of the plot at its last point's height, moved apart
    /// where they would overlap.
    fn labels(&self, labels: Vec<(f64, Rgb, String)>) {
        let ys: Vec<f64> = labels.iter().map(|l| l.0).collect();
        let placed = spread(&ys, 10.0, PAD_T + 4.0, PAD_T + PLOT_H - 2.0);
        for ((_, colour, text), y) in labels.iter().zip(placed) {
            self.ctx.set_fill_style_str(&palette::css(*colour));
            let _ = self.ctx.fill_text(text, self.width - PAD_R + 3.0, y + 4.0);
        }
    }
}

/// The positions `ys` moved apart so that no two are closer than `gap`: labels that would
/// overlap form a group, spaced `gap` apart and centred on the mean of their lines; then kept
/// between `lo` and `hi` (the result keeps the input's order).
pub fn spread(ys: &[f64], gap: f64, lo: f64, hi: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..ys.len()).collect();
    order.sort_by(|&a, &b| ys[a].total_cmp(&ys[b]));
    // Groups in order of height: (sum of their lines' heights, how many).
    let mut groups: Vec<(f64, usize)> = Vec::new();
    let top = |(sum, n): (f64, usize)| sum / n as f64 - (n - 1) as f64 * gap / 2.0;
    for &i in &order {
        groups.push((ys[i], 1));
        while let [.., a, b] = groups[..] {
            if top(b) - (top(a) + (a.1 - 1) as f64 * gap) >= gap {
                break;
            }
            groups.pop();
            let last = groups.len() - 1;
            groups[last] = (a.0 + b.0, a.1 + b.1);
        }
    }
    let mut placed = vec![0.0; ys.len()];
    let mut next = order.iter();
    for g in groups {
        for k in 0..g.1 {
            if let Some(&i) = next.next() {
                placed[i] = top(g) + k as f64 * gap;
            }
        }
    }
    // Down from the top edge, then up from the bottom one (which wins if both cannot hold).
    let mut prev = f64::NEG_INFINITY;
    for &i in &order {
        placed[i] = placed[i].max(lo).max(prev + gap);
        prev = placed[i];
    }
    let mut prev = f64::INFINITY;
    for &i in order.iter().rev() {
        placed[i] = placed[i].min(hi).min(prev - gap);
        prev = placed[i];
    }
    placed
}

/// An axis label for cycle `t` on an axis whose ticks are `step` cycles apart, at `mhz`: as
/// short as the step allows ("50 ms", "1.5 s").
pub fn axis_time(t: u64, step: u64, mhz: u32) -> String {
    let us = t as f64 / f64::from(mhz.max(1));
    let step_us = step as f64 / f64::from(mhz.max(1));
    if step_us >= 1e6 || us >= 1e6 {
        let digits = if step_us >= 1e6 { 0 } else { 1 };
        format!("{:.*} s", digits, us / 1e6)
    } else if step_us >= 1e3 {
        format!("{:.0} ms", us / 1e3)
    } else {
        format!("{us:.0} µs")
    }
}

/// The log's intervals, merged to at most about [`POINTS`] across the run and to at least
/// [`MIN_US`] of simulated time each, at `mhz`.
fn smoothed(log: &NumaLog, mhz: u32) -> Vec<Interval> {
    let t_end = log.intervals_of(u64::MAX).last().map_or(0, |i| i.to);
    log.intervals_of((t_end / POINTS).max(MIN_US * u64::from(mhz)))
}

/// The chart's series as CSV (what the Export menu writes): per interval its start and end in
/// simulated ms, the local-miss share of all nodes and of each, remote misses and the actions.
fn series_csv(log: &NumaLog, mhz: u32) -> String {
    let intervals = smoothed(log, mhz);
    let nodes = intervals.first().map_or(0, |i| i.local_share.len());
    let ms = |c: u64| c as f64 / (f64::from(mhz) * 1e3);
    let pct = |v: Option<f64>| v.map(|v| format!("{:.2}", v * 100.0)).unwrap_or_default();
    let mut out = String::from("from_ms,to_ms,local_pct_all");
    for n in 0..nodes {
        out.push_str(&format!(",local_pct_n{n}"));
    }
    out.push_str(",remote_misses,migrations,replications,collapses\n");
    for i in &intervals {
        out.push_str(&format!("{:.3},{:.3},{}", ms(i.from), ms(i.to), pct(i.total_share)));
        for n in 0..nodes {
            out.push_str(&format!(",{}", pct(i.local_share.get(n).copied().flatten())));
        }
        out.push_str(&format!(
            ",{},{},{},{}\n",
            i.remote, i.migrations, i.replications, i.collapses
        ));
    }
    out
}

fn context(node: &NodeRef, width: f64) -> Option<web_sys::CanvasRenderingContext2d> {
    let (canvas, ctx) = canvas::context(node)?;
    if width < PAD_L + PAD_R + 10.0 {
        return None;
    }
    if canvas::fit(&canvas, &ctx, width, CHART_H) {
        // Parsing a font is costly: only after a resize has reset the context.
        ctx.set_font("10px system-ui, sans-serif");
    }
    Some(ctx)
}

/// The local-miss share chart: a line per node and a thicker one for all nodes.
fn draw_share(node: &NodeRef, width: f64, log: &NumaLog, mhz: u32, theme: Theme) {
    let Some(ctx) = context(node, width) else { return };
    let intervals = smoothed(log, mhz);
    let t_end = intervals.last().map_or(0, |i| i.to);
    let n = Neutrals::of(theme);
    let chart = Chart { ctx: &ctx, width, t_end, y_max: 1.0, n };
    let labels: Vec<(f64, String)> =
        [0.0, 0.5, 1.0].iter().map(|&v| (v, format!("{:.0}%", v * 100.0))).collect();
    chart.frame(&labels, mhz);
    let nodes = intervals.last().map_or(0, |i| i.local_share.len());
    let mut labels = Vec::new();
    for k in 0..nodes {
        let points: Vec<(u64, Option<f64>)> =
            intervals.iter().map(|i| (i.to, i.local_share.get(k).copied().flatten())).collect();
        let colour = palette::mix(n.muted, n.panel, 0.15);
        let pen = Pen { colour, width: 1.2, dash: DASHES[k % DASHES.len()] };
        if let Some(y) = chart.series(&points, pen) {
            labels.push((y, colour, format!("n{k}")));
        }
    }
    let total: Vec<(u64, Option<f64>)> = intervals.iter().map(|i| (i.to, i.total_share)).collect();
    let colour = palette::accent(theme);
    if let Some(y) = chart.series(&total, Pen { colour, width: 2.4, dash: &[] }) {
        labels.push((y, colour, "all".into()));
    }
    chart.labels(labels);
}

/// The actions chart: migrations, replications and collapses per simulated second.
fn draw_rates(node: &NodeRef, width: f64, log: &NumaLog, mhz: u32, theme: Theme) {
    let Some(ctx) = context(node, width) else { return };
    let intervals = smoothed(log, mhz);
    let t_end = intervals.last().map_or(0, |i| i.to);
    let n = Neutrals::of(theme);
    let rate = |i: &Interval, f: Count| i.per_second(f(i), mhz);
    let kinds: [(Count, Pen, &str); 3] = [
        (|i| i.migrations, Pen { colour: n.text, width: 1.6, dash: &[] }, "migr"),
        (
            |i| i.replications,
            Pen { colour: palette::accent(theme), width: 1.6, dash: &[5.0, 3.0] },
            "repl",
        ),
        (|i| i.collapses, Pen { colour: n.muted, width: 1.4, dash: &[1.5, 2.5] }, "coll"),
    ];
    let max =
        intervals.iter().flat_map(|i| kinds.iter().map(move |k| rate(i, k.0))).fold(0.0, f64::max);
    let y_max = nice_max(max);
    let chart = Chart { ctx: &ctx, width, t_end, y_max, n };
    let labels = vec![(0.0, "0".to_string()), (y_max, format::short(y_max as u64))];
    chart.frame(&labels, mhz);
    let mut labels = Vec::new();
    for (f, pen, label) in kinds {
        let points: Vec<(u64, Option<f64>)> =
            intervals.iter().map(|i| (i.to, Some(rate(i, f)))).collect();
        if let Some(y) = chart.series(&points, pen) {
            labels.push((y, pen.colour, label.to_string()));
        }
    }
    chart.labels(labels);
}

fn figure(testid: &str, label: Html, value: u64, shown: String, title: String) -> Html {
    html! {
        <div class="figure" title={title}>
            <span class="figure-value" data-testid={testid.to_string()} data-value={value.to_string()}>{ shown }</span>
            <span class="figure-label">{ label }</span>
        </div>
    }
}

fn share_text(s: Option<f64>) -> String {
    s.map_or_else(|| "–".to_string(), |s| format!("{:.1}%", s * 100.0))
}

/// The NUMA panel's body.
#[function_component(NumaPanel)]
pub fn numa_panel(props: &NumaProps) -> Html {
    let share_ref = use_node_ref();
    let rate_ref = use_node_ref();
    let width = canvas::use_width(share_ref.clone());
    let show_left = use_state(|| false);
    // The list as last shown: when, with which filter, and its actions.
    let shown = use_mut_ref(|| (f64::NEG_INFINITY, false, Vec::<Arrived>::new()));
    let layout = &*props.layout;
    let mhz = layout.clock_mhz;
    {
        let (share_ref, rate_ref) = (share_ref.clone(), rate_ref.clone());
        use_effect_with(
            (props.log.clone(), props.theme, width.to_bits()),
            move |(log, theme, _)| {
                draw_share(&share_ref, width, log, mhz, *theme);
                draw_rates(&rate_ref, width, log, mhz, *theme);
            },
        );
    }
    if !layout.disco {
        return html! {
            <p class="empty" data-testid="numa-native">
                { "The NUMA policy is the monitor's: load a scenario with virtual machines (the engineering-numa preset shows it at work)." }
            </p>
        };
    }
    let f = &*props.counters;
    let numa = f.numa.as_deref().cloned().unwrap_or_default();
    let latest = props.log.recent(NOW_US * u64::from(mhz));
    let per = layout.cpus_per_node.max(1) as usize;
    let held: u64 = numa.replica_pages.iter().map(|&n| u64::from(n)).sum();
    let figures = html! {
        <div class="figures">
            { figure("numa-local-share", html! { <>{ "local misses" }</> }, f.local_misses,
                format::percent(f.local_misses, f.local_misses + f.remote_misses),
                format!("{} of {} cache misses so far were served by the missing CPU's own node", format::count(f.local_misses), format::count(f.local_misses + f.remote_misses))) }
            { figure("numa-remote", html! { <>{ "remote misses" }</> }, f.remote_misses, format::short(f.remote_misses),
                format!("{} cache misses so far went to another node's memory (3× the latency)", format::count(f.remote_misses))) }
            { figure("numa-migrations", html! { <>{ "migrations" }</> }, numa.migrations, format::count(numa.migrations),
                "pages the policy moved to the node that missed on them".to_string()) }
            { figure("numa-replications", html! { <>{ "replications" }</> }, numa.replications, format::count(numa.replications),
                "read-only copies the policy made on nodes that read a shared page".to_string()) }
            { figure("numa-collapses", html! { <>{ "collapses" }</> }, numa.collapses, format::count(numa.collapses),
                "replicated pages that went back to one writable copy (a write, a disk transfer, a migration)".to_string()) }
            { figure("numa-reclaimed", html! { <>{ "reclaimed" }</> }, numa.reclaimed, format::count(numa.reclaimed),
                "replicas freed because their node ran short of free pages".to_string()) }
            { figure("numa-replica-pages", html! { <>{ "replica pages" }</> }, held, format::count(held),
                "replica pages held now, all nodes".to_string()) }
        </div>
    };
    let rows = (0..layout.nodes as usize).map(|k| {
        let cpus = f.cpus.iter().skip(k * per).take(per);
        let (local, remote) =
            cpus.fold((0, 0), |(l, r), c| (l + c.local_misses, r + c.remote_misses));
        let now = latest.as_ref().and_then(|i| i.local_share.get(k).copied().flatten());
        let replicas = numa.replica_pages.get(k).copied().unwrap_or(0);
        let [moved_in, copied_in] = numa.arrivals.get(k).copied().unwrap_or_default();
        html! {
            <tr data-testid={format!("numa-node-{k}")} data-replicas={replicas.to_string()}
                data-moved-in={moved_in.to_string()}>
                <th scope="row">{ format!("node {k}") }</th>
                <td>{ share_text(now) }</td>
                <td>{ format::percent(local, local + remote) }</td>
                <td>{ format::short(remote) }</td>
                <td>{ format::count(moved_in) }</td>
                <td title={format!("{} replicas made here so far", format::count(copied_in))}>
                    { format::count(u64::from(replicas)) }
                </td>
            </tr>
        }
    });
    let rate = |count: Count| {
        latest
            .as_ref()
            .map_or_else(|| "–".to_string(), |i| format!("{:.0}", i.per_second(count(i), mhz)))
    };
    let on_left = {
        let show_left = show_left.clone();
        Callback::from(move |ev: Event| {
            show_left.set(ev.target_unchecked_into::<web_sys::HtmlInputElement>().checked())
        })
    };
    {
        let mut shown = shown.borrow_mut();
        let now = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
        if !props.running || now - shown.0 >= LIST_MS || shown.1 != *show_left {
            let list = props.log.events().rev();
            let list = list.filter(|a| *show_left || a.event.action != NumaAction::Left);
            *shown = (now, *show_left, list.take(LIST_MAX).cloned().collect());
        }
    }
    let shown = shown.borrow();
    let listed: Vec<&Arrived> = shown.2.iter().collect();
    let items = listed.iter().map(|a| {
        let e = &a.event;
        let page = page_of(a);
        let selected = page.is_some() && page == props.selected;
        let onclick = {
            let (cb, selected) = (props.on_select.clone(), selected);
            Callback::from(move |_: MouseEvent| cb.emit(if selected { None } else { page }))
        };
        let whose = match (e.guest, e.guest_page) {
            (Some(g), Some(gp)) => format!("{} page {gp}", guest_name(layout, usize::from(g))),
            _ => String::new(),
        };
        let pages = match (e.from.as_slice(), e.to) {
            ([f, ..], Some(t)) => format!("{} → {}", f.page, t.page),
            ([f, ..], None) => f.page.to_string(),
            ([], Some(t)) => t.page.to_string(),
            ([], None) => String::new(),
        };
        let label = e.action.label();
        html! {
            <li key={a.n.to_string()}>
                <button class={classes!("numa-event", selected.then_some("selected"))} onclick={onclick}
                    disabled={page.is_none()} data-testid="numa-event" data-action={label} data-page={page.map(|p| p.to_string())}
                    title={if page.is_some() { "Mark this machine page in the page map" } else { "" }}>
                    <span class="when">{ format::sim_time(e.cycle, mhz) }</span>
                    <span class={classes!("act", format!("act-{label}"))}>{ label }</span>
                    <span class="whose">{ whose }</span>
                    <span class="pages" title="machine pages">{ pages }</span>
                    <span class="why" data-testid="numa-why">{ e.why.clone() }</span>
                </button>
            </li>
        }
    });
    let not_listed =
        props.log.skipped + props.log.received().saturating_sub(props.log.events().count() as u64);
    html! {
        <div class="numa-view">
            { figures }
            <table class="numa-table">
                <thead><tr>
                    <th scope="col">{ "node" }</th>
                    <th scope="col" title="share of the node's CPUs' cache misses served by the node's own memory, in the latest interval">{ "local now" }</th>
                    <th scope="col" title="the same since the start of the run">{ "local, run" }</th>
                    <th scope="col" title="the node's CPUs' misses served by another node, since the start">{ "remote" }</th>
                    <th scope="col" title="pages the policy migrated to the node, since the start">{ "moved in" }</th>
                    <th scope="col" title="replica pages the node holds now (hover a number: replicas made there so far)">{ "replicas" }</th>
                </tr></thead>
                <tbody>{ for rows }</tbody>
            </table>
            <div class="legend chart-title">
                <span>{ "local-miss share per node (n0, n1, … dashed differently) and all nodes (thick)" }</span>
            </div>
            <canvas ref={share_ref} class="numa-chart" data-testid="numa-share-chart" style={format!("height: {CHART_H}px")}
                aria-label="local-miss share of each node over simulated time" data-csv={series_csv(&props.log, mhz)} />
            <div class="legend chart-title">
                <span>{ format!("actions per simulated second — now: migrations {} · replications {} · collapses {}", rate(|i| i.migrations), rate(|i| i.replications), rate(|i| i.collapses)) }</span>
            </div>
            <canvas ref={rate_ref} class="numa-chart" data-testid="numa-rate-chart" style={format!("height: {CHART_H}px")}
                aria-label="migrations (solid), replications (dashed) and collapses (dotted) per simulated second" />
            <div class="legend numa-list-head">
                <span>{ "latest actions, newest first — click one to mark its page in the page map" }</span>
                <label class="toggle" title="Also list hot pages the policy left where they were, and why">
                    <input type="checkbox" checked={*show_left} onchange={on_left} data-testid="numa-show-left" />{ "pages left in place" }
                </label>
            </div>
            if listed.is_empty() {
                <p class="muted small" data-testid="numa-no-events">{ "No action yet: the policy acts when FLASH's counters report a hot page." }</p>
            } else {
                <ol class="numa-events" data-testid="numa-events">{ for items }</ol>
            }
            if not_listed > 0 {
                <p class="muted small">{ format!("{} earlier actions not listed.", format::count(not_listed)) }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_move_apart_only_as_needed() {
        let free = |ys: &[f64]| spread(ys, 10.0, -100.0, 100.0);
        assert_eq!(free(&[50.0, 10.0]), vec![50.0, 10.0]);
        assert_eq!(free(&[20.0, 22.0, 60.0]), vec![16.0, 26.0, 60.0], "centred, the far one stays");
        // A group that grows into the next one merges with it.
        assert_eq!(free(&[0.0, 0.0, 12.0]), vec![-6.0, 4.0, 14.0]);
        // Labels at the bottom edge stack upwards.
        assert_eq!(spread(&[90.0, 90.0, 90.0], 10.0, 0.0, 90.0), vec![70.0, 80.0, 90.0]);
        let s = free(&[30.0, 30.0, 30.0, 30.0]);
        let mut sorted = s.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(sorted.windows(2).all(|w| w[1] - w[0] >= 10.0 - 1e-9), "{s:?}");
        assert!(free(&[]).is_empty());
    }

    #[test]
    fn axis_labels_are_short() {
        assert_eq!(axis_time(10_000_000, 10_000_000, 200), "50 ms");
        assert_eq!(axis_time(300_000_000, 100_000_000, 200), "1.5 s");
        assert_eq!(axis_time(400_000_000, 200_000_000, 200), "2 s");
        assert_eq!(axis_time(2_000, 1_000, 200), "10 µs");
    }

    #[test]
    fn value_axes_end_on_round_numbers() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(430.0), 500.0);
        assert_eq!(nice_max(1000.0), 1000.0);
        assert_eq!(nice_max(1001.0), 2000.0);
    }
}
