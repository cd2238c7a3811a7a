//! The Yew UI of Disco in the browser.
//!
//! The page draws; the worker simulates. Everything here reaches the simulator only through
//! [`sim::protocol`] messages carried by [`bridge::Bridge`], so no simulation work ever runs on
//! the main thread.
//!
//! - [`app`]: the top-level component, the single view's layout of the panels, and the switch
//!   to A/B compare mode ([`views::compare`]).
//! - [`state`]: the model — a reducer over worker events that accumulates frames' deltas in
//!   bounded histories — the page-map polling, the speed meter, the scenario in the URL.
//! - [`bridge`]: starts the worker, holds commands back until the worker's ready handshake.
//! - [`views`]: one file per panel (controls, machine and page map, timeline, ledger, consoles,
//!   glossary, status bar).
//! - [`palette`], [`theme`], [`format`], [`scenario_edit`]: colours, themes, number formats, and
//!   the scenario form's edits.
//! - [`export`]: a panel's charts, drawings and tables as SVG, PNG and CSV files.

mod app;
mod bridge;
mod export;
mod format;
mod palette;
mod scenario_edit;
mod state;
mod theme;
mod views;

fn main() {
    console_error_panic_hook::set_once();
    yew::Renderer::<app::Root>::new().render();
}
