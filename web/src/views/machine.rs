//! The machine: one box per ccNUMA node with its CPUs — each coloured by the VM whose virtual CPU
//! runs on it now — and its memory as a page map, with the NUMA policy's moves drawn over it as
//! they happen. Hovering a page shows what the worker knows about it (asked for with
//! `InspectPage`): its owner and use, its misses by node, and under the monitor its other
//! copies and the policy's latest actions on it, with their causes.

use sim::frame::{
    Frame, Layout, OWNER_FREE, OWNER_GUEST0, OWNER_MONITOR, PageInfo, PageKind, PageMap, Running,
};
use sim::protocol::Command;
use yew::prelude::*;

use crate::format;
use crate::palette::{self, Neutrals};
use crate::state::Shared;
use crate::state::numa::NumaLog;
use crate::state::sharing::SharingLog;
use crate::theme::Theme;
use crate::views::canvas;
use crate::views::glossary::Term;
use crate::views::page_map::{Hover, Layer, PageMapCanvas};

/// Properties of [`Machine`].
#[derive(Properties, PartialEq)]
pub struct MachineProps {
    /// The loaded scenario's shape.
    pub layout: Shared<Layout>,
    /// Latest frame (what each CPU runs).
    pub frame: Shared<Frame>,
    /// The frame the numbers come from (refreshed less often).
    pub counters: Shared<Frame>,
    /// Latest page map.
    pub map: Option<Shared<PageMap>>,
    /// Latest page details.
    pub info: Option<Shared<PageInfo>>,
    /// The colouring of the page maps.
    pub layer: Layer,
    /// Colour theme.
    pub theme: Theme,
    /// Sends a command to the worker.
    pub send: Callback<Command>,
    /// The NUMA policy's latest actions (their moves are drawn over the page maps).
    pub moves: Shared<NumaLog>,
    /// The latest copy-on-write breaks (drawn over the page maps as splits).
    pub breaks: Shared<SharingLog>,
    /// The machine page picked in the NUMA panel.
    pub selected: Option<u32>,
}

/// A guest's name for the views (`vm0`, `native`).
pub fn guest_name(layout: &Layout, g: usize) -> String {
    layout.guests.get(g).map_or_else(|| format!("vm{g}"), |i| i.name.clone())
}

/// The word for a page kind, the same in the legend and the page's details: the kernel does not
/// say what a page of `Unknown` kind is for, which "unknown" made sound like a fault.
pub fn kind_label(k: PageKind) -> &'static str {
    if k == PageKind::Unknown { "no stated use" } else { k.label() }
}

/// What a CPU runs, as a short label: `v1` (a VCPU) or `pid 7` natively.
pub fn running_label(layout: &Layout, r: Running) -> String {
    if layout.disco { format!("v{}", r.vcpu) } else { format!("pid {}", r.vcpu) }
}

fn owner_name(layout: &Layout, owner: u8) -> String {
    match owner {
        OWNER_FREE => "free".into(),
        OWNER_MONITOR => "monitor".into(),
        o => guest_name(layout, usize::from(o - OWNER_GUEST0)),
    }
}

/// Pages per owner code in `map`.
fn owner_counts(map: &PageMap) -> Vec<u32> {
    let mut counts = vec![0u32; 2];
    for &o in &map.owner {
        let o = usize::from(o);
        if counts.len() <= o {
            counts.resize(o + 1, 0);
        }
        counts[o] += 1;
    }
    counts
}

fn swatch(fill: palette::Rgb, marks: palette::Rgb, kind: PageKind) -> String {
    let (f, m) = (palette::css(fill), palette::css(marks));
    match kind {
        PageKind::BufferCache => {
            format!("background: repeating-linear-gradient(45deg, {m} 0 2px, {f} 2px 5px)")
        }
        PageKind::PageTable => format!("background: radial-gradient(circle, {m} 22%, {f} 28%)"),
        _ => format!("background: {f}"),
    }
}

/// The legend's swatch of a shared page: the text-coloured bar over the first VMs' stripes.
fn shared_swatch(layout: &Layout) -> String {
    let k = layout.guests.len().clamp(1, 3);
    let stops: Vec<String> = (0..k)
        .map(|g| {
            let c = palette::css(palette::vm(g));
            format!("{c} {}% {}%", g * 100 / k, (g + 1) * 100 / k)
        })
        .collect();
    format!(
        "background: linear-gradient(90deg, {}); border-top: 3px solid var(--text)",
        stops.join(", ")
    )
}

/// The machine panel's body.
#[function_component(Machine)]
pub fn machine(props: &MachineProps) -> Html {
    let hover = use_state(|| None::<Hover>);
    let asked = use_mut_ref(|| None::<u32>);
    let layout = &*props.layout;
    let n = Neutrals::of(props.theme);
    let counts = {
        let map = props.map.clone();
        use_memo(map, |map| map.as_ref().map(|m| owner_counts(m)).unwrap_or_default())
    };

    // While the run goes on, the hovered page's details are asked for again with each new map.
    {
        let (asked, send) = (asked.clone(), props.send.clone());
        use_effect_with(props.map.clone(), move |_| {
            if let Some(page) = *asked.borrow() {
                send.emit(Command::InspectPage { page });
            }
        });
    }
    let on_hover = {
        let (hover, send) = (hover.setter(), props.send.clone());
        use_callback((), move |h: Option<Hover>, _| {
            let page = h.map(|h| h.page);
            if let Some(p) = page
                && *asked.borrow() != page
            {
                send.emit(Command::InspectPage { page: p });
            }
            *asked.borrow_mut() = page;
            hover.set(h);
        })
    };

    let cpu = |i: usize| {
        let mut f = props.frame.cpus.get(i).cloned().unwrap_or_default();
        // A guest that powered off runs nothing: natively the kernel's last current process
        // (init, pid 1) would otherwise stay on the CPU's label after the end of the run.
        if f.running.is_some_and(|r| {
            props.frame.guests.get(usize::from(r.guest)).is_some_and(|g| g.exit.is_some())
        }) {
            f.running = None;
        }
        let (style, label, who, state) = match f.running {
            Some(r) => {
                let g = usize::from(r.guest);
                let c = palette::vm(g);
                (
                    format!("background: {}; color: {}", palette::css(c), palette::ink(c)),
                    running_label(layout, r),
                    guest_name(layout, g),
                    "running",
                )
            }
            None => (String::new(), "idle".to_string(), String::new(), "idle"),
        };
        let title = match f.running {
            Some(r) => format!(
                "CPU {i}: {} {} since {}",
                guest_name(layout, usize::from(r.guest)),
                if layout.disco {
                    format!("VCPU {}", r.vcpu)
                } else {
                    format!("process {}", r.vcpu)
                },
                format::sim_time(f.since, layout.clock_mhz)
            ),
            None => format!("CPU {i}: idle"),
        };
        html! {
            <div class={classes!("cpu", state)} style={style} title={title}
                data-testid={format!("cpu-{i}")} data-running={if who.is_empty() { "idle".to_string() } else { who.clone() }}>
                <span class="cpu-id">{ format!("CPU {i}") }</span>
                <span class="cpu-who">{ if who.is_empty() || !layout.disco { label } else { format!("{who}·{label}") } }</span>
            </div>
        }
    };

    let nodes = (0..layout.nodes).map(|node| {
        let first = node * layout.pages_per_node;
        let mem = props.counters.memory.get(node as usize);
        let used = mem.map_or(0, |m| layout.pages_per_node.saturating_sub(m.free));
        let cpus = (0..layout.cpus_per_node).map(|c| cpu((node * layout.cpus_per_node + c) as usize));
        html! {
            <div class="node" data-testid={format!("node-{node}")}>
                <div class="node-head">
                    <b>{ format!("node {node}") }</b>
                    <span class="muted" title={format!("{} of the node's {} machine pages in use", used, layout.pages_per_node)}>
                        { format!("{} MB · {}", layout.pages_per_node / 256, format::percent(u64::from(used), u64::from(layout.pages_per_node))) }
                    </span>
                </div>
                <div class="cpus">{ for cpus }</div>
                <PageMapCanvas node={node} first={first} count={layout.pages_per_node} nodes={layout.nodes}
                    map={props.map.clone()} layer={props.layer} theme={props.theme} on_hover={on_hover.clone()}
                    moves={props.moves.clone()} breaks={props.breaks.clone()} selected={props.selected} />
            </div>
        }
    });

    let legend_vms = layout.guests.iter().enumerate().map(|(g, info)| {
        let pages = counts.get(usize::from(OWNER_GUEST0) + g).copied().unwrap_or(0);
        html! {
            <span class="legend-item" data-testid={format!("owner-{}", info.name)} data-pages={pages.to_string()}
                title={format!("{}: {} workload, {} machine pages ({} MB) in the latest page map", info.name, info.workload, pages, pages / 256)}>
                <i class="sw" style={format!("background: {}", palette::css(palette::vm(g)))} />
                { format!("{} {}", info.name, format::short(u64::from(pages))) }
            </span>
        }
    });
    let kinds = [
        PageKind::Kernel,
        PageKind::PageTable,
        PageKind::User,
        PageKind::BufferCache,
        PageKind::Unknown,
    ];
    let legend_kinds = kinds.iter().map(|&k| {
        let (f, m) = palette::guest_page(0, k, &n);
        let label = kind_label(k);
        html! { <span class="legend-item"><i class="sw" style={swatch(f, m, k)} />{ label }</span> }
    });
    // The kinds are drawn in the first guest's colour: under the monitor that is vm0; natively
    // there is no VM, only the one OS.
    let kinds_caption = if layout.disco {
        format!("kinds (shown in {}'s colour): ", guest_name(layout, 0))
    } else {
        "kinds (shown in the OS's colour): ".to_string()
    };
    let monitor_pages = counts.get(usize::from(OWNER_MONITOR)).copied().unwrap_or(0);
    let free_pages = counts.first().copied().unwrap_or(0);

    let tooltip = hover.as_ref().map(|h| {
        let p = h.page as usize;
        let map = props.map.as_deref();
        let owner = map.and_then(|m| m.owner.get(p)).copied().unwrap_or(OWNER_FREE);
        let kind = map.and_then(|m| m.kind.get(p)).map_or(PageKind::Free, |&k| PageKind::from_code(k));
        let info = props.info.as_deref().filter(|i| i.page == h.page);
        let shared = map.and_then(|m| m.shared.binary_search_by_key(&h.page, |s| s.page).ok().map(|k| &m.shared[k]));
        let node = h.page / layout.pages_per_node.max(1);
        html! {
            <div class="tooltip" style={canvas::tooltip_at(h.x, h.y)} data-testid="page-tooltip" role="status" aria-live="polite">
                <b>{ format!("machine page {} ", h.page) }</b>
                <span class="muted">{ format!("(0x{:08x})", u64::from(h.page) * 4096) }</span>
                if let Some(s) = shared {
                    <div>{ format!("node {node} · shared by {} · {}",
                        s.guests.iter().map(|&g| guest_name(layout, usize::from(g))).collect::<Vec<_>>().join(", "), kind_label(kind)) }</div>
                } else {
                    <div>{ format!("node {node} · owner {} · {}", owner_name(layout, owner), kind_label(kind)) }</div>
                }
                if let Some(i) = info {
                    if let Some(gp) = i.guest_page {
                        <div>{ format!("guest-physical page {gp} (0x{:08x})", u64::from(gp) * 4096) }</div>
                    }
                    <div>{ "cache misses by node: " }
                        { i.heat.iter().enumerate().map(|(n, m)| {
                            let local = if n as u32 == i.node { " (local)" } else { "" };
                            format!("n{n} {}{local}", format::short(u64::from(*m)))
                        }).collect::<Vec<_>>().join(" · ") }
                    </div>
                    if let Some(s) = &i.shared {
                        <div data-testid="page-shared">
                            { format!("shared copy-on-write, read-only, by {}{}",
                                s.guests.iter().map(|&g| guest_name(layout, usize::from(g))).collect::<Vec<_>>().join(", "),
                                if s.mappings as usize > s.guests.len() { format!(" ({} guest pages)", s.mappings) } else { String::new() }) }
                        </div>
                        <div data-testid="page-block">{ match &s.block {
                            Some(b) => format!("holds disk {} ({}), sector {} (4 KB: sectors {}–{})", b.disk, b.image, b.sector, b.sector, b.sector + 7),
                            None if s.kernel_text => "holds the guest kernel's text, loaded alike in each VM".to_string(),
                            None => "its disk block is no longer recorded".to_string(),
                        } }</div>
                    }
                    if i.replica {
                        <div data-testid="page-replica">{ "a replica: a read-only copy the NUMA policy made" }</div>
                    }
                    if !i.copies.is_empty() {
                        <div data-testid="page-copies">{ if i.replica { "the master and other copies: " } else { "its replicas: " } }
                            { i.copies.iter().map(|c| format!("page {} (node {})", c.page, c.node)).collect::<Vec<_>>().join(" · ") }
                        </div>
                    }
                    if !i.moves.is_empty() {
                        <div class="tip-moves" data-testid="page-moves">{ "its latest moves:" }
                            <ul>
                                { for i.moves.iter().map(|m| html! {
                                    <li>{ format!("{} {}: {}", format::sim_time(m.cycle, layout.clock_mhz), m.action.label(), m.why) }</li>
                                }) }
                            </ul>
                        </div>
                    }
                } else {
                    <div class="muted">{ "asking the worker…" }</div>
                }
            </div>
        }
    });

    html! {
        <div class="machine-view">
            <div class="legend" data-testid="machine-legend">
                { for legend_vms }
                if layout.disco {
                    <span class="legend-item" title="the monitor's own pages"><i class="sw" style={format!("background: {}", palette::css(n.monitor))} />{ format!("monitor {}", format::short(u64::from(monitor_pages))) }</span>
                }
                <span class="legend-item"><i class="sw" style={format!("background: {}", palette::css(n.free))} />{ format!("free {}", format::short(u64::from(free_pages))) }</span>
            </div>
            if props.layer == Layer::Heat {
                <div class="legend">
                    <span class="legend-item"><span><Term k="hot-page">{ "heat" }</Term>{ ": cache misses per page, log scale — cold" }</span></span>
                    <i class="ramp" />
                    <span class="legend-item">{ " hot" }</span>
                </div>
            } else {
                <div class="legend kinds" data-testid="kinds-legend">{ kinds_caption }{ for legend_kinds }</div>
            }
            if layout.disco {
                <div class="legend moves-legend">
                    <span class="legend-item" title="a read-only copy the NUMA policy made of a page another node holds (§4.2.3)">
                        <i class="sw replica" />{ "replica" }</span>
                    <span class="legend-item" data-testid="shared-legend" data-pages={props.map.as_ref().map_or(0, |m| m.shared.len()).to_string()}
                        title="a machine page shared copy-on-write by several VMs (§4.2.5): a dark bar on top, stripes in the colour of each VM that maps it; hover it for its disk block">
                        <i class="sw shared" style={shared_swatch(layout)} />{ "shared" }</span>
                    <span class="legend-item" title="the NUMA policy's moves, fading after about a second: a ring grows where a page arrives (migrated, replicated, kept by a collapse) and closes in, dashed, where one leaves">
                        <i class="ring arrive" />{ "page arrived" }<i class="ring leave" />{ "page left" }</span>
                    <span class="legend-item" title="a copy-on-write break (§4.2.5), fading after about a second: the shared page splits (two half rings moving apart) and the writer's private copy appears (a dashed ring in the accent colour)">
                        <i class="ring split" />{ "COW break" }</span>
                </div>
            }
            <p id="pagemap-keys" class="visually-hidden">
                { "Each node's memory is a map of its machine pages. With the keyboard, Tab to a map and move over its pages with \
                   the arrow keys (Shift for 16 at a time, Home and End to the ends): the page's owner, use, misses by node and \
                   moves are read out as they show." }
            </p>
            <div class={classes!("nodes", format!("n{}", layout.nodes.min(8)))}>{ for nodes }</div>
            { tooltip.unwrap_or_default() }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pages_by_owner() {
        let map = PageMap {
            owner: vec![0, 0, 1, 2, 3, 3, 3],
            kind: vec![0; 7],
            heat: None,
            replicas: Vec::new(),
            shared: Vec::new(),
        };
        assert_eq!(owner_counts(&map), vec![2, 1, 1, 3]);
        assert_eq!(owner_counts(&PageMap::default()), vec![0, 0]);
    }
}
