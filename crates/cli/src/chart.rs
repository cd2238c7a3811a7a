//! A grouped bar chart as plain SVG text: ours beside the paper's, for `disco experiment`.
//!
//! One panel per metric, stacked; in each panel the configurations stand in groups (one per
//! workload), each configuration a pair of bars — ours, then the paper's (a dash where the
//! paper has no number). Every bar carries its value, so the chart reads without a ruler. The
//! text is built by hand: the layout is a few rectangles and labels, and the output must be
//! byte-for-byte the same for the same numbers (no floating-point noise, no ids from a
//! library), so that a regenerated figure shows in a diff only when a number moved.

use std::fmt::Write;

/// A chart: a title and its panels.
pub struct Chart {
    /// The heading (the paper's figure).
    pub title: String,
    /// Lines under the title: where in the paper, what was run.
    pub subtitle: Vec<String>,
    /// One panel per metric, drawn top to bottom.
    pub panels: Vec<Panel>,
}

/// One metric's bars.
pub struct Panel {
    /// What the bars measure (`run time, native = 100`).
    pub title: String,
    /// The configurations, in groups.
    pub groups: Vec<Group>,
}

/// The configurations of one workload.
pub struct Group {
    /// The workload's name, under its bars.
    pub name: String,
    /// Its configurations, left to right.
    pub pairs: Vec<Pair>,
}

/// One configuration: our value and the paper's.
pub struct Pair {
    /// A short label under the pair; `, ` breaks it into lines.
    pub label: String,
    /// Our value; `None` for a configuration the paper measured and we cannot run (a dash).
    pub ours: Option<f64>,
    /// The paper's, if it has one.
    pub paper: Option<f64>,
}

const OURS: &str = "#3b6ea8";
const PAPER: &str = "#b9b9b9";
const BAR: f64 = 18.0;
/// Horizontal room of one configuration (its two bars and the space around them).
const SLOT: f64 = 68.0;
const GROUP_GAP: f64 = 24.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
/// Height of the bars' area of a panel.
const PLOT: f64 = 170.0;
/// Room above a panel's plot (its title) and below it (labels and group names).
const ABOVE: f64 = 34.0;
const BELOW: f64 = 62.0;
/// Room for the chart's title and legend, without the subtitle's lines.
const HEADER: f64 = 58.0;
/// Height of a subtitle line.
const LINE: f64 = 15.0;

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The top of a panel's axis: a round number at or above `max`, and its grid step.
fn axis(max: f64) -> (f64, f64) {
    let max = max.max(1.0);
    // A step of 1, 2 or 5 times a power of ten that gives four to ten grid lines.
    let mut step = 10f64.powf((max / 5.0).log10().floor());
    for k in [1.0, 2.0, 5.0, 10.0] {
        if max / (step * k) <= 6.0 {
            step *= k;
            break;
        }
    }
    ((max / step).ceil() * step, step)
}

/// A number as a bar's label: whole when it is whole, else one decimal.
fn label(v: f64) -> String {
    if (v - v.round()).abs() < 0.05 { format!("{v:.0}") } else { format!("{v:.1}") }
}

impl Chart {
    /// The chart as an SVG document.
    pub fn svg(&self) -> String {
        let slots = |p: &Panel| p.groups.iter().map(|g| g.pairs.len()).sum::<usize>() as f64;
        let widest = self
            .panels
            .iter()
            .map(|p| slots(p) * SLOT + p.groups.len().saturating_sub(1) as f64 * GROUP_GAP)
            .fold(0.0, f64::max);
        // Wide enough for the text too (an estimate: no font metrics here).
        let text = self.subtitle.iter().map(|l| 6.2 * l.chars().count() as f64);
        let text = text.fold(8.8 * self.title.chars().count() as f64, f64::max);
        let width = (LEFT + widest.max(text) + RIGHT).max(480.0).ceil();
        let header = HEADER + LINE * self.subtitle.len() as f64;
        let height = header + self.panels.len() as f64 * (ABOVE + PLOT + BELOW);
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif">"#
        );
        let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{}</text>"#,
            esc(&self.title)
        );
        for (k, line) in self.subtitle.iter().enumerate() {
            let _ = writeln!(
                s,
                r##"<text x="{LEFT}" y="{:.0}" font-size="11" fill="#444">{}</text>"##,
                40.0 + LINE * k as f64,
                esc(line)
            );
        }
        let legend = header - 24.0;
        for (k, (color, text)) in
            [(OURS, "ours (this simulator; – : not run)"), (PAPER, "the paper (– : no number)")]
                .iter()
                .enumerate()
        {
            let x = LEFT + k as f64 * 240.0;
            let _ = writeln!(
                s,
                r##"<rect x="{x}" y="{legend:.0}" width="12" height="12" fill="{color}" stroke="#555" stroke-width="0.5"/><text x="{}" y="{:.0}" font-size="11">{text}</text>"##,
                x + 17.0,
                legend + 10.0
            );
        }
        for (i, p) in self.panels.iter().enumerate() {
            let top = header + i as f64 * (ABOVE + PLOT + BELOW);
            self.panel(&mut s, p, top);
        }
        s.push_str("</svg>\n");
        s
    }

    /// Draws panel `p` with its title at `top`.
    fn panel(&self, s: &mut String, p: &Panel, top: f64) {
        let base = top + ABOVE + PLOT;
        let max = p
            .groups
            .iter()
            .flat_map(|g| &g.pairs)
            .flat_map(|b| [b.ours, b.paper])
            .flatten()
            .fold(0.0, f64::max);
        let (ymax, step) = axis(max);
        let y = |v: f64| base - PLOT * v.max(0.0) / ymax;
        let _ = writeln!(
            s,
            r#"<text x="{LEFT}" y="{:.1}" font-size="12" font-weight="bold">{}</text>"#,
            top + 18.0,
            esc(&p.title)
        );
        let right = LEFT
            + p.groups.iter().map(|g| g.pairs.len() as f64 * SLOT).sum::<f64>()
            + p.groups.len().saturating_sub(1) as f64 * GROUP_GAP;
        // Grid lines and their values.
        let mut v = 0.0;
        while v <= ymax + step / 2.0 {
            let _ = writeln!(
                s,
                r##"<line x1="{LEFT}" y1="{0:.1}" x2="{right:.1}" y2="{0:.1}" stroke="{1}" stroke-width="{2}"/><text x="{3}" y="{4:.1}" font-size="10" text-anchor="end" fill="#444">{5}</text>"##,
                y(v),
                if v == 0.0 { "#333" } else { "#e2e2e2" },
                if v == 0.0 { 1.0 } else { 0.6 },
                LEFT - 6.0,
                y(v) + 3.5,
                label(v)
            );
            v += step;
        }
        let mut x = LEFT;
        for g in &p.groups {
            let start = x;
            for b in &g.pairs {
                let left = x + SLOT / 2.0 - BAR - 1.0;
                for (value, colour, at) in
                    [(b.ours, OURS, left), (b.paper, PAPER, left + BAR + 2.0)]
                {
                    match value {
                        Some(v) => self.bar(s, at, v, colour, &y, base),
                        None => {
                            let _ = writeln!(
                                s,
                                r##"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="middle" fill="#777">–</text>"##,
                                at + BAR / 2.0,
                                base - 4.0
                            );
                        }
                    }
                }
                for (k, line) in b.label.split(", ").enumerate() {
                    let _ = writeln!(
                        s,
                        r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"#,
                        x + SLOT / 2.0,
                        base + 14.0 + 12.0 * k as f64,
                        esc(line)
                    );
                }
                x += SLOT;
            }
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{:.1}" font-size="12" font-weight="bold" text-anchor="middle">{}</text>"#,
                (start + x) / 2.0,
                base + 52.0,
                esc(&g.name)
            );
            x += GROUP_GAP;
        }
    }

    /// One bar from the base line up to `v`, its value above it.
    fn bar(
        &self,
        s: &mut String,
        left: f64,
        v: f64,
        color: &str,
        y: &dyn Fn(f64) -> f64,
        base: f64,
    ) {
        let top = y(v);
        let _ = writeln!(
            s,
            r##"<rect x="{left:.1}" y="{top:.1}" width="{BAR}" height="{:.1}" fill="{color}" stroke="#555" stroke-width="0.5"/><text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle">{}</text>"##,
            base - top,
            left + BAR / 2.0,
            top - 3.0,
            label(v)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> Chart {
        let pair = |label: &str, ours, paper| Pair { label: label.into(), ours, paper };
        Chart {
            title: "Fig. 8 <test> & more".into(),
            subtitle: vec!["tiny".into(), "a second line".into()],
            panels: vec![Panel {
                title: "run time".into(),
                groups: vec![
                    Group {
                        name: "engineering".into(),
                        pairs: vec![
                            pair("native", Some(100.0), Some(100.0)),
                            pair("VM, x", Some(81.5), None),
                        ],
                    },
                    Group {
                        name: "raytrace".into(),
                        pairs: vec![
                            pair("UMA", Some(49.0), Some(49.0)),
                            pair("NFS", None, Some(81.0)),
                        ],
                    },
                ],
            }],
        }
    }

    #[test]
    fn the_chart_is_well_formed_labelled_and_escaped() {
        let svg = chart().svg();
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
        assert!(svg.contains("Fig. 8 &lt;test&gt; &amp; more"));
        // Three of ours, three of the paper's, two legend squares, the background.
        assert_eq!(svg.matches("<rect").count(), 3 + 3 + 2 + 1);
        assert!(svg.contains(">81.5</text>") && svg.contains(">engineering</text>"));
        // The paper's missing bar and ours missing (a configuration we cannot run): dashes.
        assert_eq!(svg.matches(">–</text>").count(), 2, "{svg}");
        assert_eq!(svg, chart().svg(), "the same numbers give the same text");
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(axis(100.0), (100.0, 20.0));
        assert_eq!(axis(101.0), (120.0, 20.0));
        assert_eq!(axis(7.0), (8.0, 2.0));
        assert_eq!(axis(0.0), (1.0, 0.2));
    }
}
