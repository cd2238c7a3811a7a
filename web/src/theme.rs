//! Dark and light themes. The default follows the operating system (`prefers-color-scheme`,
//! handled in CSS); a choice made with the toggle is stored in `localStorage` and applied as a
//! `data-theme` attribute on `<html>`, which the stylesheet gives priority.

/// A colour theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Light background.
    Light,
    /// Dark background.
    Dark,
}

const KEY: &str = "disco-theme";

impl Theme {
    fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The other theme.
    pub fn toggled(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }

    /// The stored choice, else what the system prefers.
    pub fn initial() -> Theme {
        let Some(window) = web_sys::window() else { return Theme::Light };
        let stored = window.local_storage().ok().flatten().and_then(|s| s.get_item(KEY).ok()?);
        match stored.as_deref() {
            Some("dark") => Theme::Dark,
            Some("light") => Theme::Light,
            _ => {
                let dark = window
                    .match_media("(prefers-color-scheme: dark)")
                    .ok()
                    .flatten()
                    .is_some_and(|m| m.matches());
                if dark { Theme::Dark } else { Theme::Light }
            }
        }
    }

    /// Applies the theme to the document and remembers it.
    pub fn apply(self) {
        let Some(window) = web_sys::window() else { return };
        if let Some(root) = window.document().and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", self.name());
        }
        if let Some(storage) = window.local_storage().ok().flatten() {
            let _ = storage.set_item(KEY, self.name());
        }
    }
}
