//! The paper's published numbers, which `disco experiment` sets beside ours.
//!
//! They live in one data file, `crates/cli/data/paper.json`, compiled into the binary: one
//! entry per figure or table, cited by section, holding the value of each (configuration,
//! metric) the paper prints. A configuration the paper did not measure simply has no value, so
//! the experiment leaves its `paper` column empty rather than inventing one.

use serde::Deserialize;

/// The data file's text.
const PAPER_JSON: &str = include_str!("../data/paper.json");

/// The paper's numbers, figure by figure.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paper {
    /// The paper, as a reference.
    pub source: String,
    /// Its figures and tables that experiments reproduce.
    pub figures: Vec<Figure>,
}

/// One figure (or table) of the paper.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figure {
    /// Its id, the experiment's name (`fig8`).
    pub id: String,
    /// Its caption, shortened.
    pub title: String,
    /// Where in the paper (`§5.5, Figure 8`).
    pub cite: String,
    /// How to read it and how our runs differ from the paper's.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Every number it prints.
    pub values: Vec<Value>,
}

/// One number of a figure: a configuration's value of one metric.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Value {
    /// The configuration, as the experiment names it (`engineering/native`).
    pub config: String,
    /// The metric (`time`, `local_misses_pct`).
    pub metric: String,
    /// The number.
    pub value: f64,
}

impl Paper {
    /// The numbers compiled into the binary. An error only if the data file is malformed,
    /// which the unit test below catches before any release.
    pub fn load() -> Result<Paper, String> {
        serde_json::from_str(PAPER_JSON).map_err(|e| format!("crates/cli/data/paper.json: {e}"))
    }

    /// The figure with this id.
    pub fn figure(&self, id: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.id == id)
    }
}

impl Figure {
    /// The paper's value of `metric` for `config`, if it printed one.
    pub fn value(&self, config: &str, metric: &str) -> Option<f64> {
        self.values.iter().find(|v| v.config == config && v.metric == metric).map(|v| v.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_parses_and_holds_figure_8() {
        let paper = Paper::load().expect("paper.json");
        let f = paper.figure("fig8").expect("fig8");
        assert!(f.cite.contains("§5.5"), "{}", f.cite);
        assert_eq!(f.value("engineering/vm-migrate-replicate", "time"), Some(67.0));
        assert_eq!(f.value("raytrace/native", "local_misses_pct"), Some(6.0));
        assert_eq!(f.value("raytrace/uma", "time"), Some(49.0));
        // Not in the paper: left empty, never guessed.
        assert_eq!(f.value("engineering/vm-first-touch", "time"), None);
        assert_eq!(f.value("raytrace/uma", "local_misses_pct"), None);
    }

    #[test]
    fn each_value_appears_once() {
        let paper = Paper::load().expect("paper.json");
        for f in &paper.figures {
            for (i, v) in f.values.iter().enumerate() {
                let again =
                    f.values[i + 1..].iter().any(|w| w.config == v.config && w.metric == v.metric);
                assert!(!again, "{}: {} {} twice", f.id, v.config, v.metric);
            }
        }
    }
}
