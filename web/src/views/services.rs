//! Kernel services — the paper's Table 2, live: for each guest, the kernel services its workload
//! used most (system calls, demand-zero and copy-on-write faults, interrupts), how often, and
//! their mean CPU time. Loading the same workload natively and under the monitor shows what
//! virtualization costs each service.

use sim::frame::{Frame, Layout, ServiceFrame};
use yew::prelude::*;

use crate::format;
use crate::palette;
use crate::state::Shared;
use crate::views::ledger;

/// Properties of [`Services`].
#[derive(Properties, PartialEq)]
pub struct ServicesProps {
    /// The loaded scenario's shape.
    pub layout: Shared<Layout>,
    /// Latest frame (its guests' services).
    pub frame: Shared<Frame>,
}

/// Rows the table shows.
const ROWS: usize = 10;

/// The services to show: the busiest over all guests (by cycles), at most [`ROWS`]. (Each is
/// its own time: [`sim::frame::SLOW_FAULT`] counts only faults that zeroed or copied nothing.)
pub fn rows(frame: &Frame) -> Vec<String> {
    let mut totals: Vec<(String, u64)> = Vec::new();
    for s in frame.guests.iter().flat_map(|g| &g.services) {
        match totals.iter_mut().find(|(n, _)| *n == s.name) {
            Some(t) => t.1 += s.cycles,
            None => totals.push((s.name.clone(), s.cycles)),
        }
    }
    totals.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    totals.into_iter().take(ROWS).map(|(n, _)| n).collect()
}

/// What the panel says before it has rows: waiting for dux to boot — unless no guest runs dux,
/// for SPLASHOS keeps no kernel statistics and the panel would wait forever.
pub fn empty_message(layout: &Layout) -> &'static str {
    if !layout.guests.is_empty() && layout.guests.iter().all(ledger::runs_library_os) {
        "SPLASHOS keeps no kernel statistics: it is a library OS with no system calls or \
         kernel services of its own (paper §4.4) — its program runs in the guest's privileged \
         mode and asks the monitor directly. Load a workload on dux to see this table."
    } else {
        "No kernel statistics yet: they appear once a guest kernel has booted (SPLASHOS keeps none)."
    }
}

/// Mean µs per call of `s` on a `mhz` clock.
fn mean_us(s: &ServiceFrame, mhz: u32) -> f64 {
    s.cycles as f64 / f64::from(mhz.max(1)) / s.count.max(1) as f64
}

/// `12.3` / `456` / `7 890` µs, as precise as it is useful.
fn micros(us: f64) -> String {
    if us < 100.0 { format!("{us:.1}") } else { format::count(us.round() as u64) }
}

/// The services table.
#[function_component(Services)]
pub fn services(props: &ServicesProps) -> Html {
    let frame = &props.frame;
    let mhz = props.layout.clock_mhz;
    let names = rows(frame);
    if names.is_empty() {
        return html! { <p class="muted small" data-testid="services-empty">{ empty_message(&props.layout) }</p> };
    }
    let guests = &props.layout.guests;
    let head = guests.iter().enumerate().map(|(g, info)| {
        html! {
            <th scope="col" title={format!("{}: {}", info.name, info.workload)}>
                <i class="sw" style={format!("background: {}", palette::css(palette::vm(g)))} />{ info.name.clone() }
            </th>
        }
    });
    let body = names.iter().map(|name| {
        let cells = (0..guests.len()).map(|g| {
            let s = frame.guests.get(g).and_then(|gf| gf.services.iter().find(|s| &s.name == name));
            match s {
                Some(s) => html! {
                    <td title={format!("{} calls, {} in all", format::count(s.count), format::sim_time(s.cycles, mhz))}
                        data-count={s.count.to_string()}>
                        { micros(mean_us(s, mhz)) }
                    </td>
                },
                None => html! { <td class="muted">{ "–" }</td> },
            }
        });
        html! {
            <tr data-service={name.clone()}>
                <th scope="row">{ name.clone() }</th>
                { for cells }
            </tr>
        }
    });
    html! {
        <div class="services-view">
            <table class="services-table" data-testid="services-table">
                <thead><tr><th scope="col">{ "service" }</th>{ for head }</tr></thead>
                <tbody>{ for body }</tbody>
            </table>
            <p class="muted small">{ "Mean CPU time per call in µs (time asleep not counted; hover a cell for the calls so far), \
                busiest first. Under the monitor a service's time includes the monitor's work for it." }</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::GuestFrame;

    fn service(name: &str, count: u64, cycles: u64) -> ServiceFrame {
        ServiceFrame { name: name.into(), count, cycles }
    }

    #[test]
    fn a_splashos_run_is_told_there_are_no_statistics_to_wait_for() {
        let mut layout = Layout {
            scenario: sim::scenario::Preset::named("radix-splashos").expect("preset").scenario(),
            disco: true,
            nodes: 1,
            cpus_per_node: 1,
            pages: 1024,
            pages_per_node: 1024,
            clock_mhz: 200,
            monitor_kinds: Vec::new(),
            guests: vec![sim::frame::GuestInfo {
                name: "vm0".into(),
                workload: "radix-tiny-splashos".into(),
                cpus: 1,
                memory_mb: 16,
            }],
        };
        assert!(empty_message(&layout).starts_with("SPLASHOS keeps no kernel statistics"));
        layout.guests[0].workload = "pmake-tiny".into();
        assert!(empty_message(&layout).starts_with("No kernel statistics yet"));
    }

    #[test]
    fn rows_are_the_busiest_over_all_guests() {
        let frame = Frame {
            guests: vec![
                GuestFrame {
                    services: vec![
                        service("SLOW_FAULT", 10, 900),
                        service("read", 5, 500),
                        service("DEMAND_ZERO", 8, 8_000),
                    ],
                    ..GuestFrame::default()
                },
                GuestFrame {
                    services: vec![service("read", 5, 600), service("open", 1, 1_000)],
                    ..GuestFrame::default()
                },
            ],
            ..Frame::default()
        };
        assert_eq!(rows(&frame), ["DEMAND_ZERO", "read", "open", "SLOW_FAULT"]);
        assert_eq!(mean_us(&service("read", 4, 800), 200), 1.0);
        assert_eq!(micros(12.34), "12.3");
        assert_eq!(micros(4567.4), "4\u{2009}567");
    }
}
