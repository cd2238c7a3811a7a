//! The end of a run, in one box at the top of the page: how long it ran in simulated time, how
//! much work it did, where the CPUs' time went (the paper's Fig. 5 categories), how many cache
//! misses were local (Fig. 8's figure), whether each guest passed, and a link that opens this
//! exact run again. Without it a run just stopped, with the Run button greyed.

use sim::frame::{Frame, Layout};
use yew::prelude::*;

use crate::format;
use crate::palette;
use crate::state::Shared;

/// Properties of [`RunSummary`].
#[derive(Properties, PartialEq)]
pub struct RunSummaryProps {
    /// The loaded scenario's shape.
    pub layout: Shared<Layout>,
    /// The last frame of the run.
    pub frame: Shared<Frame>,
}

/// How one guest ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The guest's name.
    pub name: String,
    /// Its workload.
    pub workload: String,
    /// True if it powered off with exit status 0 having printed every expected line.
    pub passed: bool,
    /// What happened, in words: `✓ exit 0`, `✗ exit 3`, `exit 0, output incomplete`.
    pub words: String,
}

/// The figures of a finished run.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Simulated cycles.
    pub cycles: u64,
    /// Instructions, all CPUs.
    pub instructions: u64,
    /// Shares of all CPUs' cycles in user, guest kernel, monitor and idle (each 0–1, summing to
    /// 1 when any cycle was counted).
    pub shares: [f64; 4],
    /// Share of cache misses served by the missing CPU's own node, if there were misses.
    pub local: Option<f64>,
    /// Per guest.
    pub guests: Vec<Verdict>,
}

impl Summary {
    /// The summary of `frame`, the last frame of a run of `layout`.
    pub fn of(layout: &Layout, frame: &Frame) -> Summary {
        let mut t = [0u64; 4];
        for c in &frame.cpus {
            t[0] += c.user;
            t[1] += c.kernel;
            t[2] += c.monitor;
            t[3] += c.idle;
        }
        let all: u64 = t.iter().sum();
        let shares = t.map(|x| if all == 0 { 0.0 } else { x as f64 / all as f64 });
        let misses = frame.local_misses + frame.remote_misses;
        let local = (misses > 0).then(|| frame.local_misses as f64 / misses as f64);
        let guests = layout
            .guests
            .iter()
            .enumerate()
            .map(|(g, info)| {
                let gf = frame.guests.get(g);
                let (passed, words) = match gf.map(|g| (g.exit, g.passed)) {
                    Some((Some(0), Some(true))) => (true, "✓ exit 0".to_string()),
                    Some((Some(0), _)) => (false, "✗ exit 0, output incomplete".to_string()),
                    Some((Some(c), _)) => (false, format!("✗ exit {c}")),
                    _ => (false, "✗ did not power off".to_string()),
                };
                Verdict { name: info.name.clone(), workload: info.workload.clone(), passed, words }
            })
            .collect();
        Summary { cycles: frame.cycle, instructions: frame.instructions, shares, local, guests }
    }
}

/// The end-of-run summary (shown once the run has finished).
#[function_component(RunSummary)]
pub fn run_summary(props: &RunSummaryProps) -> Html {
    let layout = &*props.layout;
    let s = Summary::of(layout, &props.frame);
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let passed = s.guests.iter().filter(|g| g.passed).count();
    // The scenario as the address bar has it (state::url): opening it loads the same run.
    let link = Some(format!("?{}", layout.scenario.to_query()));
    let names = ["user", "guest kernel", "monitor", "idle"];
    html! {
        <section class="run-summary" data-testid="run-summary" aria-label="Run summary" tabindex="-1"
            data-passed={passed.to_string()} data-guests={s.guests.len().to_string()}>
            <h2>{ format!("Run finished — {passed} of {} guests passed", s.guests.len()) }</h2>
            <dl class="summary-figures">
                <div><dt>{ "simulated time" }</dt><dd data-testid="summary-time">{ format::sim_time(s.cycles, layout.clock_mhz) }</dd></div>
                <div><dt>{ "instructions" }</dt><dd data-testid="summary-instructions" data-value={s.instructions.to_string()}>{ format::short(s.instructions) }</dd></div>
                { for names.iter().zip(s.shares).filter(|(n, _)| layout.disco || **n != "monitor").map(|(n, x)| html! {
                    <div><dt>{ *n }</dt><dd data-testid={format!("summary-{}", n.replace(' ', "-"))}>{ pct(x) }</dd></div>
                }) }
                <div><dt>{ "local misses" }</dt><dd data-testid="summary-local">{ s.local.map_or_else(|| "–".to_string(), pct) }</dd></div>
            </dl>
            <ul class="summary-guests">
                { for s.guests.iter().enumerate().map(|(g, v)| html! {
                    <li class={classes!(if v.passed { "ok" } else { "bad" })} data-testid={format!("summary-{}", v.name)}
                        data-passed={v.passed.to_string()}>
                        <i class="sw" style={format!("background: {}", palette::css(palette::vm(g)))} />
                        <b>{ v.name.clone() }</b>{ format!(" {} ", v.workload) }<span class="verdict">{ v.words.clone() }</span>
                    </li>
                }) }
            </ul>
            if let Some(href) = link {
                <p class="summary-link">
                    <a href={href} data-testid="summary-link">{ "Open this exact run again" }</a>
                    <span class="muted">{ " — the same scenario gives the same run, bit for bit" }</span>
                    if let Some(h) = props.frame.run_hash {
                        <span class="muted">{ format!(" (run hash {h:016x})") }</span>
                    }
                </p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::{CpuFrame, GuestFrame, GuestInfo};
    use sim::scenario::Preset;

    fn guest(name: &str, workload: &str) -> GuestInfo {
        GuestInfo { name: name.into(), workload: workload.into(), cpus: 1, memory_mb: 16 }
    }

    #[test]
    fn shares_verdicts_and_local_misses() {
        let layout = Layout {
            scenario: Preset::DEFAULT.scenario(),
            disco: true,
            nodes: 1,
            cpus_per_node: 2,
            pages: 1024,
            pages_per_node: 1024,
            clock_mhz: 200,
            guests: vec![guest("vm0", "pmake"), guest("vm1", "db")],
            monitor_kinds: Vec::new(),
        };
        let frame = Frame {
            cycle: 1000,
            instructions: 500,
            local_misses: 3,
            remote_misses: 1,
            cpus: vec![
                CpuFrame { user: 50, kernel: 20, monitor: 10, idle: 20, ..CpuFrame::default() },
                CpuFrame { idle: 100, ..CpuFrame::default() },
            ],
            guests: vec![
                GuestFrame { exit: Some(0), passed: Some(true), ..GuestFrame::default() },
                GuestFrame { exit: Some(2), passed: Some(false), ..GuestFrame::default() },
            ],
            ..Frame::default()
        };
        let s = Summary::of(&layout, &frame);
        assert_eq!(s.shares, [0.25, 0.1, 0.05, 0.6]);
        assert_eq!(s.local, Some(0.75));
        assert!(s.guests[0].passed && s.guests[0].words == "✓ exit 0");
        assert!(!s.guests[1].passed && s.guests[1].words == "✗ exit 2");
    }
}
