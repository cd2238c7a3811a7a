//! The Sharing panel (paper §4.2.5, Fig. 6): how much memory the VMs save by sharing the disk
//! blocks they all read.
//!
//! - Figures: V (the VMs' footprints together), M (the machine pages they take), the memory
//!   saved (V − M), the pages shared now, the copy-on-write breaks and the reads the global disk
//!   cache served, each the same number `disco run` prints on its `memory:` line.
//! - Two bars: V, one segment per VM in its colour, against M; the gap between them, hatched,
//!   is the saving.
//! - The saving over simulated time, from every frame.
//! - The most shared machine pages: which disk block each holds and which VMs map it.
//! - The latest copy-on-write breaks: which VM wrote which shared page, and the copy it got.
//!
//! Everything here is read from [`Model::counters`](crate::state::Model::counters) and the
//! sharing log, both refreshed at most four times a second while running.

use sim::frame::{Frame, Layout, SharingFrame};
use yew::prelude::*;

use crate::format;
use crate::palette;
use crate::state::Shared;
use crate::state::sharing::{Sample, SharingLog};
use crate::views::glossary::Term;
use crate::views::machine::guest_name;
use crate::views::numa::{axis_time, nice_max};
use crate::views::timeline::tick_step;

/// Breaks the list shows at most.
pub const LIST_MAX: usize = 12;

/// The width of both charts' coordinate systems (they scale to the panel).
const W: f64 = 320.0;
/// Left margin: the bars' names, the chart's value labels.
const LEFT: f64 = 34.0;
const RIGHT: f64 = 8.0;

/// `pages` in MB, to one decimal — as `disco run` prints them.
pub fn mb(pages: u32) -> String {
    format!("{:.1} MB", f64::from(pages) / 256.0)
}

/// Properties of [`SharingPanel`].
#[derive(Properties, PartialEq)]
pub struct SharingProps {
    /// The loaded scenario's shape.
    pub layout: Shared<Layout>,
    /// The frame the numbers come from (refreshed at most four times a second).
    pub counters: Shared<Frame>,
    /// V and M over time, and the latest breaks.
    pub log: Shared<SharingLog>,
}

fn figure(testid: &str, label: Html, value: u64, shown: String, title: String) -> Html {
    html! {
        <div class="figure" title={title}>
            <span class="figure-value" data-testid={testid.to_string()} data-value={value.to_string()}>{ shown }</span>
            <span class="figure-label">{ label }</span>
        </div>
    }
}

/// A VM's colour swatch and name, so that a colour never stands alone.
fn vm_tag(layout: &Layout, g: usize) -> Html {
    let c = palette::vm(g);
    html! {
        <span class="vm-tag"><i class="sw" style={format!("background: {}", palette::css(c))} />{ guest_name(layout, g) }</span>
    }
}

/// V as one segment per VM against M; the hatched rest of V's length is the saving.
fn bars(layout: &Layout, s: &SharingFrame) -> Html {
    let v = s.v_total();
    let m = s.m_pages;
    let scale = (W - LEFT - RIGHT) / f64::from(v.max(m).max(1));
    let mut x = LEFT;
    let segments = s.v_pages.iter().enumerate().map(|(g, &pages)| {
        let w = f64::from(pages) * scale;
        let c = palette::vm(g);
        let label = format!("{} {:.1}", guest_name(layout, g), f64::from(pages) / 256.0);
        let seg = html! {
            <g>
                <title>{ format!("{}: V {} ({} pages)", guest_name(layout, g), mb(pages), pages) }</title>
                <rect x={format!("{x:.1}")} y="4" width={format!("{w:.1}")} height="20" fill={palette::css(c)} class="seg" />
                if w > label.len() as f64 * 5.6 + 4.0 {
                    <text x={format!("{:.1}", x + 3.0)} y="18" fill={palette::ink(c)} class="seg-label">{ label }</text>
                }
            </g>
        };
        x += w;
        seg
    });
    let m_w = f64::from(m) * scale;
    let saved = v.saturating_sub(m);
    let saved_w = f64::from(saved) * scale;
    html! {
        <svg class="sharing-bars" viewBox={format!("0 0 {W} 58")} role="img" data-testid="sharing-bars"
            aria-label={format!("V {} in all, per VM, against M {}: {} saved", mb(v), mb(m), mb(saved))}>
            <defs>
                <pattern id="saved-hatch" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                    <rect width="5" height="5" class="hatch-bg" />
                    <line x1="0" y1="0" x2="0" y2="5" class="hatch-line" stroke-width="2" />
                </pattern>
            </defs>
            <text x="2" y="18" class="axis-name">{ "V" }</text>
            { for segments }
            <text x="2" y="48" class="axis-name">{ "M" }</text>
            <g>
                <title>{ format!("M: {} ({} machine pages)", mb(m), m) }</title>
                <rect x={format!("{LEFT}")} y="34" width={format!("{m_w:.1}")} height="20" class="m-bar" />
                if m_w > 60.0 {
                    <text x={format!("{:.1}", LEFT + 3.0)} y="48" class="m-label">{ mb(m) }</text>
                }
            </g>
            if saved > 0 {
                <g>
                    <title>{ format!("saved: {} (V − M, {} pages)", mb(saved), saved) }</title>
                    <rect x={format!("{:.1}", LEFT + m_w)} y="34" width={format!("{saved_w:.1}")} height="20"
                        fill="url(#saved-hatch)" class="saved-bar" />
                </g>
            }
        </svg>
    }
}

/// The samples as CSV (what the Export menu writes): simulated ms, V, M and the saving in MB.
fn series_csv(samples: &[Sample], mhz: u32) -> String {
    let mb = |pages: u32| f64::from(pages) / 256.0;
    let mut out = String::from("simulated_ms,v_mb,m_mb,saved_mb\n");
    for s in samples {
        let ms = s.cycle as f64 / (f64::from(mhz) * 1e3);
        out.push_str(&format!("{ms:.3},{:.2},{:.2},{:.2}\n", mb(s.v), mb(s.m), mb(s.saved())));
    }
    out
}

/// The saving over simulated time: an area under its line, from the log's samples.
fn saved_chart(samples: &[Sample], mhz: u32) -> Html {
    const H: f64 = 78.0;
    const TOP: f64 = 6.0;
    const PLOT: f64 = 56.0;
    let t_end = samples.last().map_or(0, |s| s.cycle).max(1);
    let max_pages = samples.iter().map(Sample::saved).max().unwrap_or(0);
    let y_max = nice_max(f64::from(max_pages) / 256.0).max(0.1);
    let x = |c: u64| LEFT + c as f64 / t_end as f64 * (W - LEFT - RIGHT);
    let y = |pages: u32| TOP + PLOT * (1.0 - (f64::from(pages) / 256.0 / y_max).clamp(0.0, 1.0));
    let line: Vec<String> =
        samples.iter().map(|s| format!("{:.1},{:.1}", x(s.cycle), y(s.saved()))).collect();
    let area = match (samples.first(), samples.last()) {
        (Some(a), Some(b)) => format!(
            "{:.1},{:.1} {} {:.1},{:.1}",
            x(a.cycle),
            TOP + PLOT,
            line.join(" "),
            x(b.cycle),
            TOP + PLOT
        ),
        _ => String::new(),
    };
    let step = tick_step(t_end, 4);
    let ticks = (0..=4u64).map(|k| k * step).take_while(|&t| t <= t_end).map(|t| {
        html! {
            <text x={format!("{:.1}", x(t))} y={format!("{}", TOP + PLOT + 13.0)} class="tick">{ axis_time(t, step, mhz) }</text>
        }
    });
    let y_label = if y_max >= 1.0 { format!("{y_max:.0} MB") } else { format!("{y_max:.1} MB") };
    html! {
        <svg class="sharing-chart" viewBox={format!("0 0 {W} {H}")} role="img" data-testid="sharing-chart"
            aria-label={format!("memory saved over simulated time, at most {} so far", mb(max_pages))}
            data-csv={series_csv(samples, mhz)}>
            <line x1={format!("{LEFT}")} x2={format!("{}", W - RIGHT)} y1={format!("{}", TOP + PLOT)} y2={format!("{}", TOP + PLOT)} class="grid" />
            <line x1={format!("{LEFT}")} x2={format!("{}", W - RIGHT)} y1={format!("{TOP}")} y2={format!("{TOP}")} class="grid faint" />
            <text x="2" y={format!("{}", TOP + 4.0)} class="tick">{ y_label }</text>
            <text x="2" y={format!("{}", TOP + PLOT)} class="tick">{ "0" }</text>
            if samples.len() > 1 {
                <polygon points={area} class="saved-area" />
                <polyline points={line.join(" ")} class="saved-line" />
            }
            { for ticks }
        </svg>
    }
}

/// The Sharing panel's body.
#[function_component(SharingPanel)]
pub fn sharing_panel(props: &SharingProps) -> Html {
    let layout = &*props.layout;
    let mhz = layout.clock_mhz;
    let Some(s) = props.counters.sharing.as_deref().filter(|_| layout.disco) else {
        return html! {
            <p class="empty" data-testid="sharing-native">
                { "Sharing memory between virtual machines is the monitor's: load several VMs that boot the same image (the pmake-4vms preset) to see it." }
            </p>
        };
    };
    let v = s.v_total();
    let saved = s.saved_pages();
    let figures = html! {
        <div class="figures">
            { figure("sharing-v", html! { <Term k="v-footprint">{ "V, all VMs" }</Term> }, u64::from(v), mb(v),
                format!("{} guest pages backed by machine memory, all VMs together", format::count(u64::from(v)))) }
            { figure("sharing-m", html! { <Term k="m-footprint">{ "M, machine" }</Term> }, u64::from(s.m_pages), mb(s.m_pages),
                format!("{} machine pages the VMs use, a shared page once", format::count(u64::from(s.m_pages)))) }
            { figure("sharing-saved", html! { <>{ "saved (V − M)" }</> }, u64::from(saved), mb(saved),
                format!("{} pages the VMs would need more without sharing", format::count(u64::from(saved)))) }
            { figure("sharing-shared", html! { <>{ "shared pages" }</> }, u64::from(s.shared_pages), format::count(u64::from(s.shared_pages)),
                "machine pages mapped copy-on-write by several guest pages now".to_string()) }
            { figure("sharing-cow", html! { <Term k="cow-break">{ "COW breaks" }</Term> }, s.cow_breaks, format::count(s.cow_breaks),
                "writes to a shared page that gave the writer a private copy, so far".to_string()) }
            { figure("sharing-hits", html! { <Term k="disk-cache">{ "disk-cache hits" }</Term> }, s.cache_hits, format::count(s.cache_hits),
                "disk reads served by mapping a page another VM had read, so far".to_string()) }
            { figure("sharing-remapped", html! { <>{ "pages remapped" }</> }, s.net.pages_remapped, format::count(s.net.pages_remapped),
                format!("pages of frames on the virtual subnet (§4.2.6) mapped into the receiver instead of copied, so far ({} frames, {} bytes copied)",
                    format::count(s.net.frames), format::count(s.net.bytes_copied))) }
        </div>
    };
    let legend = (0..s.v_pages.len()).map(|g| {
        let pages = s.v_pages[g];
        html! {
            <span class="legend-item" data-testid={format!("sharing-v-{}", guest_name(layout, g))} data-value={pages.to_string()}>
                <i class="sw" style={format!("background: {}", palette::css(palette::vm(g)))} />
                { format!("{} {}", guest_name(layout, g), mb(pages)) }
            </span>
        }
    });
    // One image for every listed page (the usual case: the VMs boot one): its name goes in the
    // heading, and each row says only the sector.
    let images: Vec<&str> =
        s.top.iter().filter_map(|p| p.block.as_ref()).map(|b| b.image.as_str()).collect();
    let one_image = images.first().filter(|&&first| images.iter().all(|&i| i == first)).copied();
    let top = s.top.iter().map(|p| {
        let block = match (&p.block, one_image) {
            (Some(b), Some(_)) => format!("sector {}", b.sector),
            (Some(b), None) => format!("{} sector {}", b.image, b.sector),
            (None, _) if p.kernel_text => "guest kernel text".to_string(),
            // Neither a cached block nor kernel text: a page the virtual subnet remapped
            // (the monitor's invariants allow nothing else).
            (None, _) => "sent over the subnet".to_string(),
        };
        let title = match &p.block {
            Some(b) => format!("disk {} ({}), sectors {}–{}: 4 KB", b.disk, b.image, b.sector, b.sector + 7),
            None => String::new(),
        };
        html! {
            <tr data-testid="shared-page" data-page={p.page.to_string()} data-guests={p.guests.len().to_string()}>
                <td class="mono">{ p.page }</td>
                <td title={title}>{ block }</td>
                <td class="tags">
                    { for p.guests.iter().map(|&g| vm_tag(layout, usize::from(g))) }
                    if p.mappings as usize > p.guests.len() {
                        <span class="muted">{ format!(" ({} mappings)", p.mappings) }</span>
                    }
                </td>
            </tr>
        }
    });
    let breaks: Vec<_> = props.log.breaks().rev().take(LIST_MAX).collect();
    let break_items = breaks.iter().map(|r| {
        let b = &r.event;
        let copied = b.private.page != b.shared.page;
        let what = if copied {
            format!("page {} → private copy {} (node {})", b.shared.page, b.private.page, b.private.node)
        } else {
            format!("page {} kept: it was the last sharer", b.shared.page)
        };
        html! {
            <li key={r.n.to_string()} data-testid="cow-break" data-guest={b.guest.to_string()}>
                <span class="when">{ format::sim_time(b.cycle, mhz) }</span>
                { vm_tag(layout, usize::from(b.guest)) }
                <span>{ format!(" wrote its page {}: {what}; {} left sharing", b.guest_page, b.sharers_left) }</span>
            </li>
        }
    });
    let not_listed = props.log.received().saturating_sub(breaks.len() as u64) + props.log.skipped;
    let most = props.log.most_saved();
    html! {
        <div class="sharing-view" data-testid="sharing-view">
            { figures }
            <div class="legend chart-title"><span>{ "V per VM against M — the hatched rest is what sharing saves" }</span></div>
            { bars(layout, s) }
            <div class="legend">{ for legend }</div>
            <div class="legend chart-title">
                <span>{ match most {
                    Some((pages, at)) if pages > 0 => format!("memory saved over simulated time — most so far {} at {}", mb(pages), format::sim_time(at, mhz)),
                    _ => "memory saved over simulated time".to_string(),
                } }</span>
            </div>
            { saved_chart(props.log.samples(), mhz) }
            <div class="legend chart-title"><span>{ "most shared machine pages now: the disk block each holds, the VMs mapping it" }</span></div>
            if s.top.is_empty() {
                <p class="muted small" data-testid="sharing-no-pages">{ "No page is shared yet: VMs share a block once a second VM reads it." }</p>
            } else {
                <table class="sharing-table">
                    <thead><tr>
                        <th scope="col">{ "page" }</th>
                        <th scope="col" data-testid="shared-image">{ match one_image {
                            Some(image) => format!("block of {image}"),
                            None => "disk block".to_string(),
                        } }</th>
                        <th scope="col">{ "mapped by" }</th>
                    </tr></thead>
                    <tbody>{ for top }</tbody>
                </table>
            }
            <div class="legend chart-title"><span>{ "latest copy-on-write breaks, newest first" }</span></div>
            if breaks.is_empty() {
                <p class="muted small" data-testid="sharing-no-breaks">{ "No break yet: a VM writing a page it shares gets a private copy here." }</p>
            } else {
                <ol class="sharing-breaks" data-testid="sharing-breaks">{ for break_items }</ol>
            }
            if not_listed > 0 {
                <p class="muted small">{ format!("{} earlier breaks not listed.", format::count(not_listed)) }</p>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn megabytes_read_as_the_command_line_prints_them() {
        assert_eq!(mb(0), "0.0 MB");
        assert_eq!(mb(896), "3.5 MB");
        assert_eq!(mb(7091), "27.7 MB");
    }
}
