//! The scheduling timeline: a row per physical CPU, simulated time running left to right, the
//! newest moment at the right edge. Each segment is a stretch of one CPU running one virtual CPU,
//! coloured by its VM and labelled by its VCPU (natively: by the guest's process). Drawn on a
//! canvas from the bounded history in [`SegmentLog`], plus each CPU's still-open segment.

use sim::frame::{Frame, Layout, Segment};
use yew::prelude::*;

use crate::format;
use crate::palette::{self, Neutrals};
use crate::state::Shared;
use crate::state::segments::SegmentLog;
use crate::theme::Theme;
use crate::views::canvas;
use crate::views::machine::{guest_name, running_label};

/// The windows the user can pick, in microseconds of simulated time.
pub const WINDOWS_US: [u64; 4] = [10_000, 50_000, 250_000, 1_000_000];
const DEFAULT_WINDOW: usize = 1;

const LABEL_W: f64 = 56.0;
const ROW_H: f64 = 20.0;
const ROW_GAP: f64 = 4.0;
const AXIS_H: f64 = 18.0;

/// The mapping between cycles and the canvas's x axis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Cycle at the left edge of the plot.
    pub t0: u64,
    /// Cycles across the plot.
    pub window: u64,
    /// Left edge of the plot (CSS pixels).
    pub x0: f64,
    /// Width of the plot.
    pub width: f64,
}

impl View {
    /// The view of `window` cycles ending at `now` (starting at 0 until the run is that long).
    pub fn new(now: u64, window: u64, x0: f64, width: f64) -> View {
        View { t0: now.saturating_sub(window), window: window.max(1), x0, width: width.max(1.0) }
    }

    /// The x of cycle `c` (clamped to the plot).
    pub fn x(&self, c: u64) -> f64 {
        let c = c.clamp(self.t0, self.t0 + self.window);
        self.x0 + (c - self.t0) as f64 / self.window as f64 * self.width
    }

    /// The cycle at `x`, if `x` is within the plot.
    pub fn cycle_at(&self, x: f64) -> Option<u64> {
        let f = (x - self.x0) / self.width;
        (0.0..=1.0).contains(&f).then(|| self.t0 + (f * self.window as f64) as u64)
    }
}

/// The segment CPU `cpu` ran at `cycle`: its open one (from the frame) or a closed one from the
/// history. The flag is true for the open one.
pub fn segment_at(
    log: &SegmentLog,
    frame: &Frame,
    cpu: usize,
    cycle: u64,
) -> Option<(Segment, bool)> {
    if let Some(c) = frame.cpus.get(cpu)
        && let Some(r) = c.running
        && c.since <= cycle
        && cycle <= frame.cycle
    {
        return Some((
            Segment { cpu: cpu as u16, start: c.since, end: frame.cycle, running: r },
            true,
        ));
    }
    log.iter()
        .filter(|s| usize::from(s.cpu) == cpu && s.start <= cycle && cycle < s.end)
        .last()
        .map(|s| (*s, false))
}

/// A step for axis ticks: 1, 2 or 5 times a power of ten, giving about `n` ticks over `span`.
pub fn tick_step(span: u64, n: u64) -> u64 {
    let raw = (span / n.max(1)).max(1);
    let mut p = 1u64;
    while p * 10 <= raw {
        p *= 10;
    }
    [1, 2, 5, 10].into_iter().map(|m| m * p).find(|s| *s >= raw).unwrap_or(p * 10)
}

fn colour(layout: &Layout, s: &Segment) -> palette::Rgb {
    let c = palette::vm(usize::from(s.running.guest));
    // Natively every process is the one guest's: alternate the shade so that neighbours differ.
    if !layout.disco && s.running.vcpu % 2 == 1 { palette::mix(c, [255, 255, 255], 0.4) } else { c }
}

/// Properties of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The loaded scenario's shape.
    pub layout: Shared<Layout>,
    /// Latest frame (the time now, and each CPU's open segment).
    pub frame: Shared<Frame>,
    /// The frame the legend's numbers come from (refreshed less often).
    pub counters: Shared<Frame>,
    /// The history of closed segments.
    pub segments: Shared<SegmentLog>,
    /// Colour theme.
    pub theme: Theme,
}

fn draw(
    node: &NodeRef,
    width: f64,
    layout: &Layout,
    frame: &Frame,
    log: &SegmentLog,
    window: u64,
    theme: Theme,
) {
    let Some((canvas, ctx)) = canvas::context(node) else { return };
    if width < 1.0 {
        return;
    }
    let cpus = (layout.nodes * layout.cpus_per_node) as usize;
    let height = cpus as f64 * (ROW_H + ROW_GAP) + AXIS_H;
    if canvas::fit(&canvas, &ctx, width, height) {
        // Parsing a font is costly: only after a resize has reset the context.
        ctx.set_font("11px system-ui, sans-serif");
    }
    let n = Neutrals::of(theme);
    let view = View::new(frame.cycle, window, LABEL_W, width - LABEL_W - 4.0);
    ctx.set_fill_style_str(&palette::css(n.panel));
    ctx.fill_rect(0.0, 0.0, width, height);
    let row_y = |cpu: usize| cpu as f64 * (ROW_H + ROW_GAP);
    for cpu in 0..cpus {
        ctx.set_fill_style_str(&palette::css(n.free));
        ctx.fill_rect(view.x0, row_y(cpu), view.width, ROW_H);
        ctx.set_fill_style_str(&palette::css(n.muted));
        let node = cpu as u32 / layout.cpus_per_node.max(1);
        let _ = ctx.fill_text(&format!("CPU {cpu}·n{node}"), 2.0, row_y(cpu) + 14.0);
    }
    let t1 = view.t0 + view.window;
    let open = frame.cpus.iter().enumerate().filter_map(|(i, c)| {
        c.running.map(|r| Segment { cpu: i as u16, start: c.since, end: frame.cycle, running: r })
    });
    let mut current: Option<palette::Rgb> = None;
    for s in log.iter().copied().chain(open) {
        if s.end <= view.t0 || s.start >= t1 || usize::from(s.cpu) >= cpus {
            continue;
        }
        let (x0, x1) = (view.x(s.start), view.x(s.end));
        let w = x1 - x0;
        let c = colour(layout, &s);
        if current != Some(c) {
            ctx.set_fill_style_str(&palette::css(c));
            current = Some(c);
        }
        let y = row_y(usize::from(s.cpu));
        ctx.fill_rect(x0, y, if w > 3.0 { w - 1.0 } else { w.max(0.5) }, ROW_H);
        let label = running_label(layout, s.running);
        if w > label.len() as f64 * 6.5 + 6.0 {
            ctx.set_fill_style_str(palette::ink(c));
            let _ = ctx.fill_text(&label, x0 + 3.0, y + 14.0);
            current = None;
        }
    }
    // Time axis.
    let axis_y = cpus as f64 * (ROW_H + ROW_GAP);
    let mhz = u64::from(layout.clock_mhz.max(1));
    let step = tick_step(view.window, 6);
    ctx.set_fill_style_str(&palette::css(n.muted));
    let mut t = view.t0.div_ceil(step) * step;
    while t <= t1 {
        let x = view.x(t);
        ctx.fill_rect(x, axis_y - ROW_GAP, 1.0, 4.0);
        let label = format::sim_time(t, mhz as u32);
        if x + 2.0 + label.len() as f64 * 6.0 < width {
            let _ = ctx.fill_text(&label, x + 2.0, axis_y + 12.0);
        }
        t += step;
    }
}

/// The timeline panel's body.
#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let node = use_node_ref();
    let window_ix = use_state(|| DEFAULT_WINDOW);
    let hover = use_state(|| None::<(f64, f64, i32, i32)>);
    let width = canvas::use_width(node.clone());
    let layout = &*props.layout;
    let window = WINDOWS_US[*window_ix] * u64::from(layout.clock_mhz.max(1));
    {
        let node = node.clone();
        let deps = (
            props.layout.clone(),
            props.frame.clone(),
            props.segments.clone(),
            props.theme,
            window,
            width.to_bits(),
        );
        use_effect_with(deps, move |(layout, frame, log, theme, window, _)| {
            draw(&node, width, layout, frame, log, *window, *theme)
        });
    }
    let on_move = {
        let (node, hover) = (node.clone(), hover.setter());
        use_callback((), move |ev: MouseEvent, _| {
            let Some((canvas, _)) = canvas::context(&node) else { return };
            let rect = canvas.get_bounding_client_rect();
            let (x, y) =
                (f64::from(ev.client_x()) - rect.left(), f64::from(ev.client_y()) - rect.top());
            hover.set(Some((x, y, ev.client_x(), ev.client_y())));
        })
    };
    let on_leave = {
        let hover = hover.setter();
        use_callback((), move |_: MouseEvent, _| hover.set(None))
    };
    // The keyboard's cursor: a CPU's row and a point in time (x in CSS pixels). The timeline
    // takes the focus with Tab and starts at the present on the first CPU; Left/Right move in
    // time (a fiftieth of the window, a tenth with Shift), Up/Down between CPUs, and the
    // segment under the cursor shows its details as under the mouse.
    let cursor = use_mut_ref(|| None::<(f64, usize)>);
    let cpus = (layout.nodes * layout.cpus_per_node) as usize;
    // The present: the right edge once the run has filled the window, else further left.
    let present = View::new(props.frame.cycle, window, LABEL_W, width - LABEL_W - 4.0)
        .x(props.frame.cycle)
        - 1.0;
    let show_cursor = {
        let (node, hover) = (node.clone(), hover.setter());
        move |x: f64, row: usize| {
            let Some(canvas) = node.cast::<web_sys::HtmlCanvasElement>() else { return };
            let rect = canvas.get_bounding_client_rect();
            let y = row as f64 * (ROW_H + ROW_GAP) + ROW_H / 2.0;
            hover.set(Some((x, y, (rect.left() + x) as i32, (rect.top() + y) as i32)));
        }
    };
    let on_focus = {
        let (cursor, show) = (cursor.clone(), show_cursor.clone());
        Callback::from(move |_: FocusEvent| {
            let (x, row) = cursor.borrow().unwrap_or((present, 0));
            *cursor.borrow_mut() = Some((x, row));
            show(x, row);
        })
    };
    let on_blur = {
        let hover = hover.setter();
        Callback::from(move |_: FocusEvent| hover.set(None))
    };
    let on_key = {
        let cursor = cursor.clone();
        Callback::from(move |ev: KeyboardEvent| {
            let (x, row) = cursor.borrow().unwrap_or((present, 0));
            let step = (width - LABEL_W - 4.0) / if ev.shift_key() { 10.0 } else { 50.0 };
            let (x, row) = match ev.key().as_str() {
                "ArrowLeft" => (x - step, row),
                "ArrowRight" => (x + step, row),
                "ArrowUp" => (x, row.saturating_sub(1)),
                "ArrowDown" => (x, (row + 1).min(cpus.saturating_sub(1))),
                "End" => (present, row),
                _ => return,
            };
            ev.prevent_default();
            let x = x.clamp(LABEL_W + 1.0, present.max(LABEL_W + 1.0));
            *cursor.borrow_mut() = Some((x, row));
            show_cursor(x, row);
        })
    };
    let on_window = {
        let window_ix = window_ix.setter();
        use_callback((), move |ev: Event, _| {
            let v = ev.target_unchecked_into::<web_sys::HtmlSelectElement>().value();
            if let Ok(i) = v.parse::<usize>() {
                window_ix.set(i.min(WINDOWS_US.len() - 1));
            }
        })
    };

    let tooltip = hover.and_then(|(x, y, cx, cy)| {
        let view = View::new(props.frame.cycle, window, LABEL_W, width - LABEL_W - 4.0);
        let cpu = (y / (ROW_H + ROW_GAP)).floor();
        if cpu < 0.0 || y - cpu * (ROW_H + ROW_GAP) > ROW_H {
            return None;
        }
        let cycle = view.cycle_at(x)?;
        let mhz = layout.clock_mhz;
        let Some((s, open)) = segment_at(&props.segments, &props.frame, cpu as usize, cycle) else {
            // No segment there: the CPU was idle (or not yet drawn). Say so rather than show
            // nothing, so a keyboard user moving the cursor always hears where it is.
            if cpu as usize >= cpus {
                return None;
            }
            return Some(html! {
                <div class="tooltip" style={canvas::tooltip_at(cx, cy)} data-testid="timeline-tooltip" role="status" aria-live="polite">
                    <b>{ format!("CPU {} · idle", cpu as usize) }</b>
                    <div>{ format!("at {}: nothing ran here", format::sim_time(cycle, mhz)) }</div>
                </div>
            });
        };
        let who = if layout.disco { format!("VCPU {}", s.running.vcpu) } else { format!("process {}", s.running.vcpu) };
        Some(html! {
            <div class="tooltip" style={canvas::tooltip_at(cx, cy)} data-testid="timeline-tooltip" role="status" aria-live="polite">
                <b>{ format!("CPU {} · {} {}", s.cpu, guest_name(layout, usize::from(s.running.guest)), who) }</b>
                <div>{ format!("{} → {}{}", format::sim_time(s.start, mhz), format::sim_time(s.end, mhz), if open { " (running)" } else { "" }) }</div>
                <div>{ format!("{} ({} cycles)", format::sim_time(s.end - s.start, mhz), format::count(s.end - s.start)) }</div>
            </div>
        })
    });

    // The counts refresh with the other numbers, not at every frame.
    let seen = {
        let (log, guests) = (props.segments.clone(), layout.guests.len());
        use_memo(props.counters.clone(), move |_| {
            (0..guests).map(|g| log.seen(g)).collect::<Vec<_>>()
        })
    };
    let legend = layout.guests.iter().enumerate().map(|(g, info)| {
        let seen = seen.get(g).copied().unwrap_or(0);
        html! {
            <span class="legend-item" data-testid={format!("timeline-{}", info.name)} data-segments={seen.to_string()}>
                <i class="sw" style={format!("background: {}", palette::css(palette::vm(g)))} />
                { format!("{} · {} segments", info.name, format::count(seen)) }
            </span>
        }
    });
    html! {
        <div class="timeline-view">
            <div class="legend">
                { for legend }
                <label class="legend-item window">
                    { "window " }
                    <select onchange={on_window} data-testid="timeline-window" aria-label="Timeline window (simulated time)">
                        { for WINDOWS_US.iter().enumerate().map(|(i, us)| html! {
                            <option value={i.to_string()} selected={i == *window_ix}>{ format::sim_time(*us, 1) }</option>
                        }) }
                    </select>
                </label>
            </div>
            <canvas ref={node} class="timeline-canvas" data-testid="timeline-canvas"
                style={format!("height: {}px", (layout.nodes * layout.cpus_per_node) as f64 * (ROW_H + ROW_GAP) + AXIS_H)}
                onmousemove={on_move} onmouseleave={on_leave}
                tabindex="0" role="img" onkeydown={on_key} onfocus={on_focus} onblur={on_blur}
                aria-describedby="timeline-keys"
                aria-label="Scheduling timeline: physical CPUs over simulated time" />
            <p id="timeline-keys" class="visually-hidden">
                { "A row per physical CPU, the present at the right. With the keyboard, Tab here and use Left and Right to move \
                   back and forth in time (Shift for larger steps, End for the present), Up and Down to change CPU: what runs \
                   there, from when to when, is read out." }
            </p>
            { tooltip.unwrap_or_default() }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::{CpuFrame, Running};

    #[test]
    fn view_maps_cycles_to_x_and_back() {
        let v = View::new(1000, 100, 50.0, 200.0);
        assert_eq!(v.t0, 900);
        assert_eq!(v.x(900), 50.0);
        assert_eq!(v.x(950), 150.0);
        assert_eq!(v.x(2000), 250.0, "clamped");
        assert_eq!(v.cycle_at(150.0), Some(950));
        assert_eq!(v.cycle_at(10.0), None);
        // Early in a run the window starts at 0 and fills up from the left.
        assert_eq!(View::new(30, 100, 0.0, 100.0).x(30), 30.0);
    }

    #[test]
    fn finds_the_segment_under_the_mouse() {
        let r0 = Running { guest: 0, vcpu: 1 };
        let r1 = Running { guest: 1, vcpu: 0 };
        let mut log = SegmentLog::default();
        log.push(
            vec![
                Segment { cpu: 0, start: 0, end: 50, running: r0 },
                Segment { cpu: 1, start: 10, end: 40, running: r1 },
            ],
            60,
        );
        let frame = Frame {
            cycle: 100,
            cpus: vec![
                CpuFrame { running: Some(r1), since: 60, ..CpuFrame::default() },
                CpuFrame::default(),
            ],
            ..Frame::default()
        };
        assert_eq!(segment_at(&log, &frame, 0, 20).map(|s| (s.0.running, s.1)), Some((r0, false)));
        assert_eq!(segment_at(&log, &frame, 0, 55), None, "idle between");
        assert_eq!(
            segment_at(&log, &frame, 0, 70).map(|s| (s.0.running, s.0.end, s.1)),
            Some((r1, 100, true))
        );
        assert_eq!(segment_at(&log, &frame, 1, 39).map(|s| s.0.running), Some(r1));
        assert_eq!(segment_at(&log, &frame, 1, 40), None);
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(10_000_000, 6), 2_000_000);
        assert_eq!(tick_step(50_000_000, 6), 10_000_000);
        assert_eq!(tick_step(7, 6), 1);
        assert_eq!(tick_step(20, 6), 5);
        assert_eq!(tick_step(0, 6), 1);
    }
}
