//! A/B compare mode without the browser: the pair of scenarios in the URL, the B a Compare
//! button picks for a scenario, the lockstep that keeps the two runs at the same simulated time,
//! and the figures that are diffed.
//!
//! The URL of a comparison is `?a=ENC&b=ENC`, each `ENC` a scenario exactly as the single view
//! puts it in its URL ([`Scenario::to_query`]), percent-encoded so that its own `&` and `=`
//! survive; a bare preset name (`a=tiny-2vms`) is accepted too. A bad side is reported in the
//! scenario form's words and replaced — by the preset it names, else by the default — as the
//! single view does, so a comparison never shows a blank page.
//!
//! The lockstep ([`Lockstep`]): both workers run to the same target cycle with
//! [`Command::RunUntil`]; when both have reported [`Event::Reached`] the target moves one slice
//! further. Neither side is ever more than a slice (plus the quantum the run rounds to) ahead.
//! A side that finishes drops out and the other continues alone. The slice adapts so that one
//! step takes about [`STEP_MS`] of wall time: the page handles a few events per step, so the
//! main thread's work stays small whatever the speed of the simulation.

use sim::frame::{Frame, Layout};
use sim::protocol::{Command, Event};
use sim::scenario::{Guests, NumaMode, Preset, Scenario, ScenarioError};

use super::url;
use crate::format;

/// Wall-clock milliseconds one lockstep step should take.
pub const STEP_MS: f64 = 150.0;
/// Simulated milliseconds of the first step, before the slice has adapted.
pub const FIRST_STEP_US: u64 = 2_000;
/// Least and most machine cycles a step may cover.
pub const SLICE_RANGE: (u64, u64) = (100_000, 400_000_000);

/// One side of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The first scenario (the one the comparison started from).
    A,
    /// The second.
    B,
}

impl Side {
    /// Both, A first.
    pub const BOTH: [Side; 2] = [Side::A, Side::B];

    /// 0 for A, 1 for B.
    pub fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }

    /// "A" or "B".
    pub fn label(self) -> &'static str {
        match self {
            Side::A => "A",
            Side::B => "B",
        }
    }

    /// Its URL parameter, "a" or "b".
    pub fn param(self) -> &'static str {
        match self {
            Side::A => "a",
            Side::B => "b",
        }
    }
}

/// The two scenarios compared.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    /// Side A.
    pub a: Scenario,
    /// Side B.
    pub b: Scenario,
}

impl Pair {
    /// The scenario of `side`.
    pub fn get(&self, side: Side) -> &Scenario {
        match side {
            Side::A => &self.a,
            Side::B => &self.b,
        }
    }

    /// `self` with `side` replaced by `scenario`.
    pub fn with(&self, side: Side, scenario: Scenario) -> Pair {
        let mut p = self.clone();
        match side {
            Side::A => p.a = scenario,
            Side::B => p.b = scenario,
        }
        p
    }

    /// The comparison's query string (without `?`).
    pub fn to_query(&self) -> String {
        format!("a={}&b={}", encode(&self.a.to_query()), encode(&self.b.to_query()))
    }
}

/// True if the query string asks for a comparison (it has an `a` or `b` parameter).
pub fn is_compare(query: &str) -> bool {
    params(query).any(|(k, _)| k == "a" || k == "b")
}

fn params(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// The pair a query string asks for, and a message for each side that had to fall back (or for
/// a parameter that does not belong).
pub fn pair_for_query(query: &str) -> (Pair, Vec<String>) {
    let mut problems = Vec::new();
    let mut values: [Option<&str>; 2] = [None, None];
    for (k, v) in params(query) {
        match k {
            "a" => values[0] = Some(v),
            "b" => values[1] = Some(v),
            _ => problems.push(format!(
                "The comparison's URL has a parameter it does not know — {}; it takes a= and b= only.",
                quoted(k)
            )),
        }
    }
    let mut side = |s: Side, value: Option<&str>| -> Option<Scenario> {
        let value = value?;
        match scenario_of(value) {
            Ok(scenario) => Some(scenario),
            Err(bad) => {
                let (e, fallback) = *bad;
                problems.push(message(s, &e, &fallback));
                Some(fallback)
            }
        }
    };
    let a = side(Side::A, values[0]);
    let b = side(Side::B, values[1]);
    let a = a.unwrap_or_else(|| Preset::DEFAULT.scenario());
    let b = b.unwrap_or_else(|| counterpart(&a));
    (Pair { a, b }, problems)
}

/// One side's value: a bare preset name or an encoded scenario query. The error comes with the
/// scenario shown instead.
pub fn scenario_of(value: &str) -> Result<Scenario, Box<(ScenarioError, Scenario)>> {
    let bad = |message: String| ScenarioError { field: "scenario".into(), message };
    let Some(query) = decode(value) else {
        let e = bad(format!("{} is not a percent-encoded scenario", quoted(value)));
        return Err(Box::new((e, Preset::DEFAULT.scenario())));
    };
    if query.is_empty() {
        return Err(Box::new((bad("is empty".into()), Preset::DEFAULT.scenario())));
    }
    if !query.contains('=') {
        return match Preset::named(&query) {
            Some(p) => Ok(p.scenario()),
            None => {
                let e = ScenarioError {
                    field: "preset".into(),
                    message: format!("no preset called {}", quoted(&query)),
                };
                Err(Box::new((e, Preset::DEFAULT.scenario())))
            }
        };
    }
    Scenario::from_query(&query).map_err(|e| Box::new((e, url::fallback(&query))))
}

/// The message for a side of the URL that could not be used.
pub fn message(side: Side, e: &ScenarioError, fallback: &Scenario) -> String {
    let words = e.in_words();
    format!(
        "Scenario {} ({}=) in the URL is not valid — {}{} Showing the preset \u{201c}{}\u{201d} there instead.",
        side.label(),
        side.param(),
        words,
        if words.ends_with('.') { "" } else { "." },
        fallback.name
    )
}

/// A user's text cut short and quoted, for a message (as the scenario's own messages quote).
fn quoted(s: &str) -> String {
    format!("\"{}\"", sim::scenario::shortened(s))
}

/// Percent-encodes everything but letters, digits and `-._~:,`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:,".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undoes [`encode`] (and `+` for a space); `None` for a broken escape or bytes that are not
/// UTF-8.
pub fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Native presets and the same workload under the monitor.
const COUNTERPARTS: [(&str, &str); 6] = [
    ("pmake-native", "pmake-4vms"),
    ("db-native", "db-1vm"),
    ("db-native-1cpu", "db-1vm-1cpu"),
    ("engineering-native", "engineering-1vm"),
    ("raytrace-native", "raytrace-numa"),
    ("radix-native", "radix-splashos"),
];

/// The B that the Compare button puts beside `a`: under the monitor the same scenario with the
/// NUMA policy toggled (off ↔ migrate and replicate); a native preset beside its workload
/// under the monitor; any other native scenario beside itself in one VM if that is a valid
/// scenario, else beside itself.
pub fn counterpart(a: &Scenario) -> Scenario {
    let named = |n: &str| Preset::named(n).map(|p| p.scenario());
    if Preset::named(&a.name).is_some_and(|p| p.scenario() == *a)
        && let Some(b) = COUNTERPARTS.iter().find(|(n, _)| *n == a.name).and_then(|(_, d)| named(d))
    {
        return b;
    }
    match &a.guests {
        Guests::Disco { policies, .. } => {
            let mode = if policies.numa.mode == NumaMode::Off { "both" } else { "off" };
            Scenario::from_query(&format!("{}&numa={mode}", a.to_query()))
                .unwrap_or_else(|_| a.clone())
        }
        Guests::Native { workload } => {
            let m = &a.machine;
            let cpus = m.nodes * m.cpus_per_node;
            let mb = (m.nodes * m.memory_per_node_mb * 7 / 8) / 8 * 8;
            [(cpus, mb), (1, 32)]
                .into_iter()
                .find_map(|(vcpus, mb)| {
                    let q = format!("{}&os=disco&vms={workload}:{vcpus}:{mb}", a.to_query());
                    Scenario::from_query(&q).ok()
                })
                .unwrap_or_else(|| a.clone())
        }
    }
}

/// Where one side is in the lockstep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stage {
    /// Not asked to run (loaded, paused or reset).
    #[default]
    Idle,
    /// Running towards the target.
    Running,
    /// At the target, waiting for the other side.
    Arrived,
    /// Every guest powered off; out of the lockstep.
    Finished,
}

/// The two runs in lockstep (see the module's documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct Lockstep {
    /// True while the comparison runs (between Run and Pause, or the end of both).
    pub running: bool,
    /// The cycle both sides run to now.
    pub target: u64,
    /// Where the step under way started (the previous target): a side still on its way is at
    /// least here, so the two are at most `target − from` (plus a quantum) apart.
    pub from: u64,
    /// Machine cycles of the next step.
    pub slice: u64,
    /// Each side's stage, A first.
    pub stage: [Stage; 2],
    /// Each side's clock as last reported (cycles).
    pub cycle: [u64; 2],
    /// When the step under way started (page clock, ms).
    step_ms: f64,
}

impl Default for Lockstep {
    fn default() -> Self {
        Lockstep::new(200)
    }
}

impl Lockstep {
    /// A lockstep for machines clocked at `clock_mhz`, nothing run yet.
    pub fn new(clock_mhz: u32) -> Self {
        Lockstep {
            running: false,
            target: 0,
            from: 0,
            slice: (u64::from(clock_mhz) * FIRST_STEP_US).clamp(SLICE_RANGE.0, SLICE_RANGE.1),
            stage: [Stage::Idle; 2],
            cycle: [0; 2],
            step_ms: 0.0,
        }
    }

    /// True once both sides have finished.
    pub fn all_finished(&self) -> bool {
        self.stage.iter().all(|s| *s == Stage::Finished)
    }

    /// Starts (or resumes) both runs: each side that has not finished runs to the current
    /// target (answering at once if it is there already), and the steps go on from there.
    pub fn start(&mut self, ms: f64) -> Vec<(Side, Command)> {
        if self.all_finished() {
            return Vec::new();
        }
        self.running = true;
        self.step_ms = ms;
        self.send_target()
    }

    /// Pauses both runs (the finished one stays finished).
    pub fn pause(&mut self) -> Vec<(Side, Command)> {
        self.running = false;
        let mut out = Vec::new();
        for side in Side::BOTH {
            let s = &mut self.stage[side.index()];
            if *s != Stage::Finished {
                *s = Stage::Idle;
                out.push((side, Command::Pause));
            }
        }
        out
    }

    /// Resets both runs to their start.
    pub fn reset(&mut self) -> Vec<(Side, Command)> {
        let slice = self.slice;
        *self = Lockstep { slice, ..Lockstep::default() };
        Side::BOTH.iter().map(|&s| (s, Command::Reset)).collect()
    }

    /// A scenario was (re)loaded on `side`: it starts over, and so does the lockstep.
    pub fn loaded(&mut self, clock_mhz: u32) {
        *self = Lockstep::new(clock_mhz);
    }

    /// Sees an event of `side` (received at `ms`); returns the commands it calls for.
    pub fn event(&mut self, side: Side, event: &Event, ms: f64) -> Vec<(Side, Command)> {
        let i = side.index();
        match event {
            Event::Frame(f) => self.cycle[i] = self.cycle[i].max(f.cycle),
            Event::Reached { cycle } => {
                self.cycle[i] = *cycle;
                if self.running && self.stage[i] == Stage::Running {
                    self.stage[i] = Stage::Arrived;
                }
            }
            Event::State { state: sim::protocol::RunState::Finished } => {
                self.stage[i] = Stage::Finished;
                if self.all_finished() {
                    self.running = false;
                }
            }
            _ => return Vec::new(),
        }
        if !self.running || self.stage.contains(&Stage::Running) {
            return Vec::new();
        }
        // Every side still running is at the target: the next step.
        self.adapt(ms - self.step_ms);
        self.step_ms = ms;
        self.from = self.target;
        self.target = self.target.max(self.cycle.iter().copied().min().unwrap_or(0)) + self.slice;
        self.send_target()
    }

    fn send_target(&mut self) -> Vec<(Side, Command)> {
        let mut out = Vec::new();
        for side in Side::BOTH {
            let s = &mut self.stage[side.index()];
            if *s != Stage::Finished {
                *s = Stage::Running;
                out.push((side, Command::RunUntil { cycle: self.target }));
            }
        }
        out
    }

    /// Makes the next step take about [`STEP_MS`], changing by at most a factor of two.
    fn adapt(&mut self, elapsed_ms: f64) {
        let ratio = if elapsed_ms > 0.0 { STEP_MS / elapsed_ms } else { 2.0 };
        let slice = (self.slice as f64 * ratio.clamp(0.5, 2.0)) as u64;
        // Round numbers of cycles read better in the page's data attributes.
        self.slice = (slice / 10_000 * 10_000).clamp(SLICE_RANGE.0, SLICE_RANGE.1);
    }
}

/// The figures of one side that the comparison shows and diffs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// Simulated time so far (cycles) and the clock (MHz).
    pub cycle: u64,
    /// The clock.
    pub clock_mhz: u32,
    /// True once every guest powered off.
    pub finished: bool,
    /// Instructions so far.
    pub instructions: u64,
    /// Cache misses served locally and remotely.
    pub misses: (u64, u64),
    /// CPU cycles in the monitor, and all CPU cycles.
    pub monitor: (u64, u64),
    /// Machine pages the guests hold (M under the monitor).
    pub pages: u64,
    /// Under the monitor: V, M and pages saved (V − M).
    pub sharing: Option<(u32, u32, u32)>,
    /// Under the monitor: migrations and replications.
    pub numa: Option<(u64, u64)>,
}

impl Figures {
    /// The figures of `frame`.
    pub fn of(layout: &Layout, frame: &Frame, finished: bool) -> Figures {
        let monitor = frame.cpus.iter().map(|c| c.monitor).sum::<u64>();
        let all = frame.cpus.iter().map(|c| c.user + c.kernel + c.monitor + c.idle).sum::<u64>();
        let sharing = frame.sharing.as_deref().map(|s| {
            let v = s.v_total();
            (v, s.m_pages, v.saturating_sub(s.m_pages))
        });
        let pages = match sharing {
            Some((_, m, _)) => u64::from(m),
            None => frame.guests.iter().map(|g| u64::from(g.pages)).sum(),
        };
        Figures {
            cycle: frame.cycle,
            clock_mhz: layout.clock_mhz,
            finished,
            instructions: frame.instructions,
            misses: (frame.local_misses, frame.remote_misses),
            monitor: (monitor, all),
            pages,
            sharing,
            numa: frame.numa.as_deref().map(|n| (n.migrations, n.replications)),
        }
    }

    /// Share of cache misses served locally, in [0, 1] (`None` before the first miss).
    pub fn local_share(&self) -> Option<f64> {
        let (l, r) = self.misses;
        (l + r > 0).then(|| l as f64 / (l + r) as f64)
    }

    /// Share of CPU time in the monitor, in [0, 1] (`None` before any time passed).
    pub fn monitor_share(&self) -> Option<f64> {
        let (m, all) = self.monitor;
        (all > 0).then(|| m as f64 / all as f64)
    }
}

/// Whether B's value is better than A's, worse, the same, or neither applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// B does better.
    Better,
    /// B does worse.
    Worse,
    /// No difference.
    Same,
    /// Not comparable yet, or no better or worse (a count of actions).
    Neutral,
}

impl Tone {
    /// Its CSS class (and `data-tone`).
    pub fn name(self) -> &'static str {
        match self {
            Tone::Better => "better",
            Tone::Worse => "worse",
            Tone::Same => "same",
            Tone::Neutral => "neutral",
        }
    }
}

/// One row of the diff: a figure for A and B, B − A with its sign, and what it means in words.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffRow {
    /// A stable key (`data-key`).
    pub key: &'static str,
    /// The figure's name.
    pub label: &'static str,
    /// A's value, formatted.
    pub a: String,
    /// B's value, formatted.
    pub b: String,
    /// B − A, formatted with its sign ("+12.3 pts", "−1.2 ms"), or "—".
    pub diff: String,
    /// What the difference means, in words ("B 12% faster").
    pub words: String,
    /// Better, worse, same or neutral for B.
    pub tone: Tone,
}

/// The minus sign, not a hyphen.
const MINUS: char = '\u{2212}';

fn signed(v: f64, decimals: usize, unit: &str) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let zero = s.chars().all(|c| c == '0' || c == '.');
    let sign = if zero {
        "±".to_string()
    } else if v > 0.0 {
        "+".to_string()
    } else {
        MINUS.to_string()
    };
    format!("{sign}{s}{unit}")
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.1}%", v * 100.0))
}

/// Compares a share (in [0, 1]) in percentage points; `higher_better` says which way is good.
fn share_row(
    key: &'static str,
    label: &'static str,
    what: (&str, &str),
    a: Option<f64>,
    b: Option<f64>,
    higher_better: bool,
) -> DiffRow {
    let (diff, words, tone) = match (a, b) {
        (Some(x), Some(y)) => {
            let d = (y - x) * 100.0;
            if d.abs() < 0.05 {
                ("±0.0 pts".into(), "the same".into(), Tone::Same)
            } else {
                let up = d > 0.0;
                let tone = if up == higher_better { Tone::Better } else { Tone::Worse };
                let word = if up { what.0 } else { what.1 };
                (signed(d, 1, " pts"), format!("B {word}"), tone)
            }
        }
        _ => ("—".into(), "not measured yet".into(), Tone::Neutral),
    };
    DiffRow { key, label, a: pct(a), b: pct(b), diff, words, tone }
}

/// The rows of the diff, for the sides loaded so far (`None`: not loaded).
pub fn diff_rows(a: Option<&Figures>, b: Option<&Figures>) -> Vec<DiffRow> {
    let (Some(a), Some(b)) = (a, b) else { return Vec::new() };
    let mut rows = Vec::new();

    // Run time: only final once both finished; before that, who is ahead.
    let time = |f: &Figures| {
        let t = format::sim_time(f.cycle, f.clock_mhz);
        if f.finished { t } else { format!("{t} so far") }
    };
    let (diff, words, tone) = if a.finished && b.finished {
        let (x, y) = (a.cycle as f64, b.cycle as f64);
        let d_us = (y - x) / f64::from(a.clock_mhz.max(1));
        let rel = if x > 0.0 { (y - x) / x * 100.0 } else { 0.0 };
        if rel.abs() < 0.05 {
            (signed(d_us / 1000.0, 2, " ms"), "the same".into(), Tone::Same)
        } else if rel < 0.0 {
            (signed(d_us / 1000.0, 2, " ms"), format!("B {:.1}% faster", -rel), Tone::Better)
        } else {
            (signed(d_us / 1000.0, 2, " ms"), format!("B {rel:.1}% slower"), Tone::Worse)
        }
    } else if a.finished {
        ("—".into(), "A finished first; B still running".into(), Tone::Worse)
    } else if b.finished {
        ("—".into(), "B finished first; A still running".into(), Tone::Better)
    } else {
        ("—".into(), "both still running".into(), Tone::Neutral)
    };
    rows.push(DiffRow {
        key: "run-time",
        label: "Run time",
        a: time(a),
        b: time(b),
        diff,
        words,
        tone,
    });

    rows.push(share_row(
        "local-share",
        "Local-miss share",
        ("more misses local", "fewer misses local"),
        a.local_share(),
        b.local_share(),
        true,
    ));
    rows.push(share_row(
        "monitor-time",
        "Monitor time (share of CPU time)",
        ("spends more in the monitor", "spends less in the monitor"),
        a.monitor_share(),
        b.monitor_share(),
        false,
    ));

    let mb = |p: u64| format!("{:.1} MB", p as f64 * 4.0 / 1024.0);
    let d = b.pages as f64 - a.pages as f64;
    let (words, tone) = if a.pages == b.pages {
        ("the same".to_string(), Tone::Same)
    } else if d < 0.0 {
        ("B uses less memory".to_string(), Tone::Better)
    } else {
        ("B uses more memory".to_string(), Tone::Worse)
    };
    rows.push(DiffRow {
        key: "memory",
        label: "Machine memory in use",
        a: mb(a.pages),
        b: mb(b.pages),
        diff: signed(d * 4.0 / 1024.0, 1, " MB"),
        words,
        tone,
    });

    let count = |key, label, x: Option<u64>, y: Option<u64>, what: &str| {
        let show = |v: Option<u64>| v.map_or("— (native)".to_string(), format::count);
        let (diff, words) = match (x, y) {
            (Some(x), Some(y)) if x == y => ("±0".to_string(), "the same".to_string()),
            (Some(x), Some(y)) => {
                let d = y as i128 - x as i128;
                let s = if d > 0 { "+" } else { "\u{2212}" };
                (
                    format!("{s}{}", format::count(d.unsigned_abs() as u64)),
                    format!("B {} {what}", if d > 0 { "more" } else { "fewer" }),
                )
            }
            _ => ("—".to_string(), "only under the monitor".to_string()),
        };
        DiffRow { key, label, a: show(x), b: show(y), diff, words, tone: Tone::Neutral }
    };
    rows.push(count(
        "migrations",
        "Pages migrated",
        a.numa.map(|n| n.0),
        b.numa.map(|n| n.0),
        "migrations",
    ));
    rows.push(count(
        "replications",
        "Pages replicated",
        a.numa.map(|n| n.1),
        b.numa.map(|n| n.1),
        "replicas",
    ));
    rows.push(count(
        "saved",
        "Pages saved by sharing (V − M)",
        a.sharing.map(|s| u64::from(s.2)),
        b.sharing.map(|s| u64::from(s.2)),
        "pages saved",
    ));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::protocol::RunState;

    fn q(pair: &Pair) -> String {
        format!("?{}", pair.to_query())
    }

    #[test]
    fn a_pair_round_trips_through_the_url() {
        let a = Preset::named("tiny-2vms").expect("preset").scenario();
        let b = counterpart(&a);
        assert_ne!(a, b);
        let pair = Pair { a, b };
        let query = q(&pair);
        assert!(is_compare(&query));
        assert!(!is_compare("?preset=tiny-2vms"));
        assert_eq!(pair_for_query(&query), (pair.clone(), vec![]));
        // An edited scenario on either side survives too.
        let (edited, _) = url::scenario_for_query("preset=engineering-numa&nodes=2&seed=7");
        let pair = pair.with(Side::A, edited);
        assert_eq!(pair_for_query(&q(&pair)), (pair, vec![]));
    }

    #[test]
    fn a_bare_preset_name_is_accepted_and_a_missing_b_is_the_counterpart() {
        let (p, problems) = pair_for_query("?a=tiny-2vms&b=preset%3Dtiny-2vms%26numa%3Dboth");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(p.a.name, "tiny-2vms");
        assert_eq!(p.b, counterpart(&p.a));
        let (p, problems) = pair_for_query("?a=pmake-native");
        assert!(problems.is_empty());
        assert_eq!(p.b.name, "pmake-4vms");
    }

    #[test]
    fn a_bad_side_is_reported_in_the_forms_words_and_replaced() {
        let (p, problems) = pair_for_query("?a=tiny-2vms&b=preset%3Dtiny-2vms%26nodes%3Dbanana");
        assert_eq!(p.a.name, "tiny-2vms");
        assert_eq!(p.b.name, "tiny-2vms", "falls back to the preset the side names");
        assert_eq!(problems.len(), 1);
        let m = &problems[0];
        assert!(m.starts_with("Scenario B (b=) in the URL is not valid"), "{m}");
        assert!(m.contains("Nodes: \"banana\" is not a number"), "{m}");
        let (p, problems) = pair_for_query("?a=tiny-2vms&b=nope");
        assert_eq!(p.b, Preset::DEFAULT.scenario());
        assert!(problems[0].contains("nope"), "{problems:?}");
        let (_, problems) = pair_for_query("?a=%ZZ&b=tiny-2vms&c=1");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|m| m.contains("percent-encoded")), "{problems:?}");
        assert!(problems.iter().any(|m| m.contains("a= and b= only")), "{problems:?}");
        let long = format!("?a=tiny-2vms&b={}", "x".repeat(5000));
        let (_, problems) = pair_for_query(&long);
        assert!(problems[0].chars().count() < 300, "{}", problems[0]);
    }

    #[test]
    fn encoding_round_trips() {
        for s in ["preset=tiny-2vms", "a b&c=d%e+f", "vms=pmake-tiny:1:24,db-tiny:1:24", "ü"] {
            assert_eq!(decode(&encode(s)).as_deref(), Some(s));
        }
        assert_eq!(decode("%4"), None);
        assert_eq!(decode("%FF"), None);
    }

    #[test]
    fn the_counterpart_toggles_the_numa_policy_or_virtualizes() {
        let numa = Preset::named("engineering-numa").expect("preset").scenario();
        let Guests::Disco { policies, .. } = &counterpart(&numa).guests else { panic!() };
        assert_eq!(policies.numa.mode, NumaMode::Off);
        let tiny = Preset::named("tiny-2vms").expect("preset").scenario();
        let Guests::Disco { policies, .. } = &counterpart(&tiny).guests else { panic!() };
        assert_eq!(policies.numa.mode, NumaMode::Both);
        let smoke = Preset::named("smoke-native").expect("preset").scenario();
        assert!(matches!(counterpart(&smoke).guests, Guests::Disco { .. }));
        for p in sim::scenario::PRESETS {
            assert!(counterpart(&p.scenario()).validate().is_ok(), "{}", p.name);
        }
    }

    fn reached(cycle: u64) -> Event {
        Event::Reached { cycle }
    }

    #[test]
    fn the_lockstep_waits_for_both_sides_and_lets_the_survivor_go_on() {
        let mut l = Lockstep::new(200);
        let slice = l.slice;
        let go = l.start(0.0);
        assert_eq!(
            go,
            vec![
                (Side::A, Command::RunUntil { cycle: 0 }),
                (Side::B, Command::RunUntil { cycle: 0 })
            ]
        );
        assert!(l.event(Side::A, &reached(0), 1.0).is_empty(), "B is not there yet");
        let next = l.event(Side::B, &reached(0), 150.0);
        assert_eq!(
            next,
            vec![
                (Side::A, Command::RunUntil { cycle: slice }),
                (Side::B, Command::RunUntil { cycle: slice })
            ]
        );
        // A overshoots to its quantum; B lags; the next target starts from the slower side.
        assert!(l.event(Side::A, &reached(slice + 5), 200.0).is_empty());
        let next = l.event(Side::B, &reached(slice), 300.0);
        let t = l.target;
        assert_eq!(t, 2 * slice);
        assert_eq!(next.len(), 2);
        // A finishes: B goes on alone.
        assert!(l.event(Side::A, &Event::State { state: RunState::Finished }, 310.0).is_empty());
        let next = l.event(Side::B, &reached(t), 400.0);
        assert_eq!(next, vec![(Side::B, Command::RunUntil { cycle: l.target })]);
        assert_eq!(l.pause(), vec![(Side::B, Command::Pause)]);
        assert!(!l.running);
        assert!(l.event(Side::B, &reached(l.target), 450.0).is_empty(), "paused: no step");
        assert_eq!(l.start(500.0), vec![(Side::B, Command::RunUntil { cycle: l.target })]);
        l.event(Side::B, &Event::State { state: RunState::Finished }, 600.0);
        assert!(l.all_finished() && !l.running);
        assert!(l.start(700.0).is_empty());
        assert_eq!(l.reset().len(), 2);
        assert_eq!((l.target, l.stage), (0, [Stage::Idle; 2]));
    }

    #[test]
    fn the_slice_adapts_to_the_wall_time_of_a_step() {
        let mut l = Lockstep::new(200);
        let first = l.slice;
        l.start(0.0);
        l.event(Side::A, &reached(0), 10.0);
        l.event(Side::B, &reached(0), 10.0);
        assert_eq!(l.slice, 2 * first, "a quick step: a longer one");
        l.event(Side::A, &reached(l.target), 2000.0);
        l.event(Side::B, &reached(l.target), 2000.0);
        assert_eq!(l.slice, first, "a slow step: a shorter one");
    }

    #[test]
    fn the_diff_says_which_side_does_better_in_signs_and_words() {
        let a = Figures {
            cycle: 200_000_000,
            clock_mhz: 200,
            finished: true,
            misses: (16, 84),
            monitor: (10, 100),
            pages: 1024,
            numa: Some((0, 0)),
            sharing: Some((1024, 1024, 0)),
            ..Figures::default()
        };
        let b = Figures {
            cycle: 150_000_000,
            misses: (78, 22),
            monitor: (15, 100),
            pages: 2048,
            numa: Some((12, 3)),
            ..a.clone()
        };
        let rows = diff_rows(Some(&a), Some(&b));
        let row = |k: &str| rows.iter().find(|r| r.key == k).expect(k).clone();
        let t = row("run-time");
        assert_eq!(
            (t.diff.as_str(), t.words.as_str(), t.tone),
            ("\u{2212}250.00 ms", "B 25.0% faster", Tone::Better)
        );
        let l = row("local-share");
        assert_eq!((l.a.as_str(), l.b.as_str(), l.diff.as_str()), ("16.0%", "78.0%", "+62.0 pts"));
        assert_eq!((l.words.as_str(), l.tone), ("B more misses local", Tone::Better));
        let m = row("monitor-time");
        assert_eq!((m.diff.as_str(), m.tone), ("+5.0 pts", Tone::Worse));
        let mem = row("memory");
        assert_eq!((mem.diff.as_str(), mem.tone), ("+4.0 MB", Tone::Worse));
        assert_eq!(row("migrations").diff, "+12");
        assert!(diff_rows(Some(&a), None).is_empty());
        let running = Figures { finished: false, ..b };
        assert_eq!(
            diff_rows(Some(&a), Some(&running))[0].words,
            "A finished first; B still running"
        );
    }
}
