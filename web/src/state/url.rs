//! The scenario lives in the page's URL (its query string), so that a copied link opens the
//! same scenario elsewhere. A bad parameter is reported and the page falls back — to the preset
//! the URL names if that is valid, else to the default preset — and never shows a blank page.

use sim::scenario::{Preset, Scenario, ScenarioError};

/// The scenario a query string asks for, and what was wrong with it if it had to fall back.
pub fn scenario_for_query(query: &str) -> (Scenario, Option<ScenarioError>) {
    let query = query.trim_start_matches('?');
    if query.is_empty() {
        return (Preset::DEFAULT.scenario(), None);
    }
    match Scenario::from_query(query) {
        Ok(s) => (s, None),
        Err(e) => (fallback(query), Some(e)),
    }
}

/// What to show instead of the URL's scenario when it cannot be used: the preset it names if
/// there is one, else the default preset.
pub fn fallback(query: &str) -> Scenario {
    query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|p| p.strip_prefix("preset="))
        .find_map(Preset::named)
        .unwrap_or(Preset::DEFAULT)
        .scenario()
}

/// The message shown for a bad URL.
pub fn message(e: &ScenarioError, fallback: &Scenario) -> String {
    format!(
        "The scenario in the URL is not valid — {}{} Showing the preset \u{201c}{}\u{201d} instead.",
        e.in_words(),
        if e.in_words().ends_with('.') { "" } else { "." },
        fallback.name
    )
}

/// The message shown when the worker could not start the URL's (valid) scenario.
pub fn refused(message: &str, fallback: &Scenario) -> String {
    format!(
        "The scenario in the URL could not be started — {message}. Showing the preset \u{201c}{}\u{201d} instead.",
        fallback.name
    )
}

/// The page's current query string.
pub fn current_query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// Puts `scenario` in the address bar (without reloading, without a new history entry).
pub fn show(scenario: &Scenario) {
    let Some(window) = web_sys::window() else { return };
    let path = window.location().pathname().unwrap_or_default();
    let url = format!("{path}?{}", scenario.to_query());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_query_is_the_default_preset() {
        assert_eq!(scenario_for_query(""), (Preset::DEFAULT.scenario(), None));
        assert_eq!(scenario_for_query("?"), (Preset::DEFAULT.scenario(), None));
    }

    #[test]
    fn a_preset_in_the_url_is_loaded() {
        let (s, e) = scenario_for_query("?preset=tiny-2vms");
        assert_eq!(e, None);
        assert_eq!(s.name, "tiny-2vms");
    }

    #[test]
    fn a_bad_parameter_falls_back_to_the_named_preset() {
        let (s, e) = scenario_for_query("?preset=tiny-2vms&nodes=banana");
        assert_eq!(s.name, "tiny-2vms");
        let e = e.expect("an error");
        assert_eq!(e.field, "nodes");
        let m = message(&e, &s);
        assert!(m.contains("Nodes: \"banana\" is not a number"), "{m}");
        assert!(m.contains("Showing the preset"), "{m}");
    }

    #[test]
    fn a_bad_preset_falls_back_to_the_default() {
        let (s, e) = scenario_for_query("preset=nope");
        assert_eq!(s, Preset::DEFAULT.scenario());
        assert_eq!(e.map(|e| e.field), Some("preset".into()));
        let (s, e) = scenario_for_query("os=disco&vms=pmake-tiny:99:24");
        assert_eq!(s, Preset::DEFAULT.scenario());
        assert!(e.is_some());
    }

    #[test]
    fn the_banner_says_what_a_bad_count_or_number_means_and_stays_short() {
        let banner = |q: &str| {
            let (s, e) = scenario_for_query(q);
            message(&e.expect("an error"), &s)
        };
        for q in ["?vms=0", "?vms=20"] {
            let m = banner(q);
            assert!(m.contains("VMs: must be a list of VMs"), "{m}");
            assert!(m.contains("not a count"), "{m}");
        }
        let m = banner("?nodes=-3");
        assert!(m.contains("Nodes: must be between 1 and 8; -3 is not."), "{m}");
        // A pasted 5 000-character value is echoed cut short.
        let m = banner(&format!("?nodes={}", "7".repeat(5000)));
        assert!(m.chars().count() < 250, "{} characters", m.chars().count());
        let m = banner(&format!("?{}=1", "q".repeat(5000)));
        assert!(m.chars().count() < 250, "{} characters", m.chars().count());
        assert!(!m.contains("..="), "{m}");
    }

    #[test]
    fn the_fallback_is_the_named_preset() {
        assert_eq!(fallback("?nodes=8&preset=tiny-2vms").name, "tiny-2vms");
        assert_eq!(fallback("nodes=8"), Preset::DEFAULT.scenario());
        assert!(refused("machine: too big", &fallback("")).contains("too big"));
    }

    #[test]
    fn an_edited_scenario_round_trips() {
        let (s, _) = scenario_for_query("preset=tiny-2vms&nodes=4");
        assert_eq!(s.machine.nodes, 4);
        assert_eq!(scenario_for_query(&s.to_query()), (s, None));
    }
}
