//! The Yew UI of Disco in the browser.
//!
//! The page draws; the worker simulates. Everything here reaches the simulator only through
//! [`sim::protocol`] messages carried by [`bridge::Bridge`], so no simulation work ever runs on
//! the main thread.
//!
//! - [`app`]: the top-level component, its state (a reducer over worker events) and layout.
//! - [`bridge`]: starts the worker, holds commands back until the worker's ready handshake.
//! - [`theme`]: dark/light theme choice, remembered across visits.
//! - [`views`]: one file per panel.

mod app;
mod bridge;
mod theme;
mod views;

fn main() {
    console_error_panic_hook::set_once();
    yew::Renderer::<app::App>::new().render();
}
