//! The Paper view: the paper's figures and tables that the project reproduces, the paper's
//! numbers beside ours, each with what it shows, where ours differs and why, and a button that
//! loads the scenario behind a bar ("run it live").
//!
//! The numbers are the files `disco experiment NAME --size full --out static/results` writes
//! (`NAME.json`: the paper's notes, the rows, metrics and bars, and every run with its
//! scenario); the web build copies them to `dist/results/`, and the view fetches them when it
//! first opens — a few tens of KB, so it opens at once, with no simulation run in the page. A
//! figure whose file is missing says so and how to make it.

use std::collections::BTreeMap;

use serde::Deserialize;
use sim::scenario::Scenario;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use yew::prelude::*;

/// The figures and tables the view offers, in the paper's order: the experiment's name (its
/// file) and the tab's label.
pub const FIGURES: [(&str, &str); 5] = [
    ("fig5", "Figure 5"),
    ("table2", "Table 2"),
    ("fig6", "Figure 6"),
    ("fig7", "Figure 7"),
    ("fig8", "Figure 8"),
];

/// One experiment's results as `disco experiment` writes them (`NAME.json`); fields the view
/// does not use are ignored.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Results {
    /// The paper's title of the figure.
    pub title: String,
    /// Where it is in the paper (`§5.3, Figure 5`).
    pub cite: String,
    /// What the figure shows, how ours was run, and where ours differs.
    pub notes: Vec<String>,
    /// The workloads' size (`full`).
    pub size: String,
    /// The table's rows, in order.
    #[serde(default)]
    pub rows: Vec<RowData>,
    /// The metrics, in order.
    #[serde(default)]
    pub metrics: Vec<MetricData>,
    /// Every bar: ours and the paper's.
    pub bars: Vec<BarData>,
    /// The runs behind the bars.
    pub runs: Vec<RunData>,
}

/// A row of a figure's table (a configuration, or in Table 2 a kernel service).
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RowData {
    /// The bars' `config` id.
    pub id: String,
    /// Its group (`pmake`).
    pub workload: String,
    /// What it is.
    pub description: String,
}

/// A metric of a figure.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct MetricData {
    /// Its id in the bars.
    pub id: String,
    /// Its column heading.
    pub column: String,
    /// Its chart's title.
    pub title: String,
    /// Decimals it is shown to.
    pub decimals: u8,
}

/// One bar: a row's value of a metric.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct BarData {
    /// The row's id.
    pub config: String,
    /// The metric's id.
    pub metric: String,
    /// Ours (none for a row the project cannot run).
    pub ours: Option<f64>,
    /// The paper's, if it printed one.
    pub paper: Option<f64>,
}

/// One run of the experiment.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct RunData {
    /// Its configuration's id.
    pub config: String,
    /// The scenario it ran: "run it live" loads it.
    pub scenario: Scenario,
    /// Simulated seconds it took.
    pub simulated_s: f64,
}

impl Results {
    fn bar(&self, row: &str, metric: &str) -> Option<&BarData> {
        self.bars.iter().find(|b| b.config == row && b.metric == metric)
    }

    /// The rows: as the file lists them, or (an older file) the bars' configurations in order.
    fn rows(&self) -> Vec<RowData> {
        if !self.rows.is_empty() {
            return self.rows.clone();
        }
        let mut ids: Vec<&str> = Vec::new();
        for b in &self.bars {
            if !ids.contains(&b.config.as_str()) {
                ids.push(&b.config);
            }
        }
        ids.into_iter()
            .map(|id| RowData {
                id: id.to_string(),
                workload: id.split('/').next().unwrap_or(id).to_string(),
                description: id.to_string(),
            })
            .collect()
    }

    /// The metrics: as the file lists them, or the bars' metrics in order.
    fn metrics(&self) -> Vec<MetricData> {
        if !self.metrics.is_empty() {
            return self.metrics.clone();
        }
        let mut ids: Vec<&str> = Vec::new();
        for b in &self.bars {
            if !ids.contains(&b.metric.as_str()) {
                ids.push(&b.metric);
            }
        }
        ids.into_iter()
            .map(|id| MetricData {
                id: id.to_string(),
                column: id.to_string(),
                title: id.to_string(),
                decimals: 1,
            })
            .collect()
    }
}

/// What the view knows of a figure: still coming, its results, or why there are none.
#[derive(Clone, Debug, PartialEq)]
pub enum Loaded {
    /// The fetch has not answered yet.
    Waiting,
    /// The results.
    Ready(Box<Results>),
    /// No results, and why, in words.
    Missing(String),
}

/// The text at `url` (relative to the page).
async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let fetched = JsFuture::from(window.fetch_with_str(url)).await;
    let response: web_sys::Response = fetched
        .ok()
        .and_then(|r| r.dyn_into().ok())
        .ok_or_else(|| format!("{url} could not be fetched"))?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = response.text().map_err(|_| format!("{url} could not be read"))?;
    let text = JsFuture::from(text).await.map_err(|_| format!("{url} could not be read"))?;
    Ok(text.as_string().unwrap_or_default())
}

/// Why a figure has no results in the build.
fn not_measured(name: &str) -> String {
    format!(
        "Not measured in this build: `disco experiment {name} --size full --out static/results` \
         writes its results, and the next `cargo xtask web` ships them."
    )
}

/// Fetches and parses `results/NAME.json`.
async fn fetch(name: &str) -> Result<Results, String> {
    let text = fetch_text(&format!("results/{name}.json")).await?;
    serde_json::from_str(&text).map_err(|e| format!("results/{name}.json is not readable: {e}"))
}

/// Properties of [`PaperView`].
#[derive(Properties, PartialEq)]
pub struct PaperProps {
    /// Loads a scenario (and closes the view).
    pub on_load: Callback<Scenario>,
    /// Closes the view.
    pub on_close: Callback<()>,
}

/// The view: a tab per figure, the chosen one's charts, table and notes.
#[function_component(PaperView)]
pub fn paper_view(props: &PaperProps) -> Html {
    let loaded = use_state(|| {
        FIGURES.iter().map(|(n, _)| (n.to_string(), Loaded::Waiting)).collect::<BTreeMap<_, _>>()
    });
    // The answers land in a shared map, then in the state, so that two answers arriving
    // between renders do not overwrite each other.
    let answers = use_mut_ref(BTreeMap::<String, Loaded>::new);
    {
        let (loaded, answers) = (loaded.clone(), answers.clone());
        use_effect_with((), move |_| {
            spawn_local(async move {
                // The build lists the results it shipped: only those are asked for.
                let shipped: Vec<String> = match fetch_text("results/index.json").await {
                    Ok(text) => serde_json::from_str(&text).unwrap_or_default(),
                    Err(_) => Vec::new(),
                };
                for (name, _) in FIGURES {
                    let got = if shipped.iter().any(|s| s == name) {
                        match fetch(name).await {
                            Ok(r) => Loaded::Ready(Box::new(r)),
                            Err(e) => Loaded::Missing(e),
                        }
                    } else {
                        Loaded::Missing(not_measured(name))
                    };
                    answers.borrow_mut().insert(name.to_string(), got);
                    let mut all: BTreeMap<String, Loaded> = (*loaded).clone();
                    for (k, v) in answers.borrow().iter() {
                        all.insert(k.clone(), v.clone());
                    }
                    loaded.set(all);
                }
            });
        });
    }
    let chosen = use_state(|| FIGURES[0].0.to_string());
    let tabs = FIGURES.iter().map(|(name, label)| {
        let on_click = {
            let chosen = chosen.clone();
            Callback::from(move |_| chosen.set(name.to_string()))
        };
        let selected = *chosen == *name;
        html! {
            <button role="tab" aria-selected={selected.to_string()} class={classes!("paper-tab", selected.then_some("selected"))}
                onclick={on_click} data-testid={format!("paper-tab-{name}")}>{ *label }</button>
        }
    });
    let on_close = {
        let cb = props.on_close.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let body = match loaded.get(chosen.as_str()) {
        Some(Loaded::Ready(r)) => figure(&chosen, r, &props.on_load),
        Some(Loaded::Missing(why)) => {
            html! { <p class="empty" data-testid="paper-missing">{ why.clone() }</p> }
        }
        _ => html! { <p class="empty">{ "Loading the results…" }</p> },
    };
    html! {
        <section class="paper-view" aria-label="The paper's results" data-testid="paper-view">
            <div class="paper-head">
                <h2>{ "The paper's results, re-run here" }</h2>
                <button class="ghost" onclick={on_close} data-testid="paper-close">{ "Back to the simulator" }</button>
            </div>
            <p class="paper-intro">
                { "Each figure and table of the paper that this project reproduces: the paper's numbers (grey) beside ours \
                   (coloured), measured with " }<code>{ "disco experiment" }</code>{ " on the full workloads. \
                   \"Run it live\" loads the scenario behind a bar into the simulator." }
            </p>
            <div role="tablist" class="paper-tabs">{ for tabs }</div>
            <div class="paper-figure" data-testid="paper-figure">{ body }</div>
        </section>
    }
}

/// One figure: its notes, a chart per metric the paper gives, the table and the runs.
fn figure(name: &str, r: &Results, on_load: &Callback<Scenario>) -> Html {
    let rows = r.rows();
    let metrics = r.metrics();
    let charted: Vec<&MetricData> = metrics
        .iter()
        .filter(|m| r.bars.iter().any(|b| b.metric == m.id && b.paper.is_some()))
        .collect();
    let runs = r.runs.iter().map(|run| {
        let description = rows
            .iter()
            .find(|row| row.id == run.config)
            .map_or(run.config.clone(), |row| format!("{} — {}", row.workload, row.description));
        let on_click = {
            let (cb, scenario) = (on_load.clone(), run.scenario.clone());
            Callback::from(move |_| cb.emit(scenario.clone()))
        };
        html! {
            <li>
                <button class="ghost small" onclick={on_click} data-testid="paper-run-live"
                    title={format!("Load {} into the simulator", run.scenario.name)}>{ "Run it live" }</button>
                { format!(" {description} ({:.3} simulated s)", run.simulated_s) }
            </li>
        }
    });
    html! {
        <>
            <h3>{ format!("{} ({})", r.title, r.cite) }</h3>
            { for r.notes.iter().map(|n| html! { <p class="paper-note">{ n.clone() }</p> }) }
            <div class="paper-legend">
                <span class="swatch ours" />{ " ours (size " }{ r.size.clone() }{ ")" }
                <span class="swatch paper" />{ " the paper" }
            </div>
            { for charted.iter().map(|m| chart(name, r, &rows, m)) }
            { table(r, &rows, &metrics) }
            <p class="paper-files">{ "Download: " }
                { for ["csv", "svg", "json"].iter().map(|ext| html! {
                    <a href={format!("results/{name}.{ext}")} download={format!("{name}.{ext}")} data-testid={format!("paper-download-{ext}")}>
                        { ext.to_uppercase() }</a>
                }) }
                { " — the files " }<code>{ format!("disco experiment {name}") }</code>{ " wrote." }
            </p>
            <h4>{ "The runs" }</h4>
            <ul class="paper-runs">{ for runs }</ul>
        </>
    }
}

/// A value to `decimals` decimals, or a dash.
fn shown(v: Option<f64>, decimals: u8) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.d$}", d = usize::from(decimals)))
}

/// Horizontal bars of one metric: a pair per row, ours above the paper's.
fn chart(name: &str, r: &Results, rows: &[RowData], m: &MetricData) -> Html {
    const W: f64 = 640.0;
    const LABEL: f64 = 250.0;
    const BAR: f64 = 11.0;
    const GAP: f64 = 9.0;
    let rows: Vec<&RowData> = rows.iter().filter(|row| r.bar(&row.id, &m.id).is_some()).collect();
    let max = rows
        .iter()
        .filter_map(|row| r.bar(&row.id, &m.id))
        .flat_map(|b| [b.ours, b.paper])
        .flatten()
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let span = W - LABEL - 60.0;
    let h = rows.len() as f64 * (2.0 * BAR + GAP) + 4.0;
    let items = rows.iter().enumerate().map(|(i, row)| {
        let y = 2.0 + i as f64 * (2.0 * BAR + GAP);
        let b = r.bar(&row.id, &m.id);
        let one = |v: Option<f64>, dy: f64, class: &'static str, testid: &'static str| match v {
            Some(v) => {
                let w = (v / max * span).max(1.0);
                html! {
                    <g>
                        <rect class={class} x={LABEL.to_string()} y={(y + dy).to_string()} width={format!("{w:.1}")}
                            height={(BAR - 1.0).to_string()} data-testid={testid} data-value={v.to_string()} />
                        <text class="paper-value" x={format!("{:.1}", LABEL + w + 4.0)} y={format!("{:.1}", y + dy + BAR - 2.5)}>
                            { shown(Some(v), m.decimals) }
                        </text>
                    </g>
                }
            }
            None => html! {},
        };
        let label = format!("{} — {}", row.workload, row.description);
        html! {
            <g>
                <text class="paper-label" x={(LABEL - 6.0).to_string()} y={format!("{:.1}", y + BAR + 3.0)} text-anchor="end">
                    <title>{ label.clone() }</title>{ clip(&label, 40) }
                </text>
                { one(b.and_then(|b| b.ours), 0.0, "bar-ours", "bar-ours") }
                { one(b.and_then(|b| b.paper), BAR, "bar-paper", "bar-paper") }
            </g>
        }
    });
    html! {
        <figure class="paper-chart" data-testid={format!("paper-chart-{name}-{}", m.id)}>
            <figcaption>{ m.title.clone() }</figcaption>
            <svg viewBox={format!("0 0 {W} {h:.0}")} role="img" aria-label={m.title.clone()}>
                { for items }
            </svg>
        </figure>
    }
}

/// `s` cut to `n` characters, with an ellipsis if cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// The table: a row per row, ours and the paper's per metric.
fn table(r: &Results, rows: &[RowData], metrics: &[MetricData]) -> Html {
    html! {
        <div class="paper-table-wrap">
            <table class="paper-table" data-testid="paper-table">
                <thead>
                    <tr>
                        <th>{ "workload" }</th><th>{ "configuration" }</th>
                        { for metrics.iter().map(|m| html! { <><th>{ m.column.clone() }</th><th class="paper-col">{ "paper" }</th></> }) }
                    </tr>
                </thead>
                <tbody>
                    { for rows.iter().map(|row| html! {
                        <tr>
                            <td>{ row.workload.clone() }</td><td>{ row.description.clone() }</td>
                            { for metrics.iter().map(|m| {
                                let b = r.bar(&row.id, &m.id);
                                html! { <>
                                    <td class="num">{ shown(b.and_then(|b| b.ours), m.decimals) }</td>
                                    <td class="num paper-col">{ b.and_then(|b| b.paper).map_or("–".to_string(), |v| v.to_string()) }</td>
                                </> }
                            }) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_parse_and_fall_back_to_the_bars_for_rows_and_metrics() {
        let json = r#"{"title":"T","cite":"§5","notes":["n"],"size":"full",
            "bars":[{"figure":"f","config":"a/x","metric":"time","ours":100.0,"paper":100.0},
                    {"figure":"f","config":"a/y","metric":"time","ours":90.5,"paper":null}],
            "runs":[]}"#;
        let r: Results = serde_json::from_str(json).expect("parses");
        let rows = r.rows();
        assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a/x", "a/y"]);
        assert_eq!(rows[0].workload, "a");
        assert_eq!(r.metrics()[0].id, "time");
        assert_eq!(r.bar("a/y", "time").and_then(|b| b.ours), Some(90.5));
        assert_eq!(shown(None, 1), "–");
        assert_eq!(shown(Some(2.25), 1), "2.2");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
