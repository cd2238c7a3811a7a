//! The page header: project name, what it is, the Compare and Paper view buttons and the theme
//! toggle.

use yew::prelude::*;

use crate::theme::Theme;

/// Properties of [`Header`].
#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    /// The theme now shown.
    pub theme: Theme,
    /// Called when the user asks for the other theme.
    pub on_theme: Callback<()>,
    /// Whether the Paper view is open.
    pub paper_open: bool,
    /// Opens or closes the Paper view.
    pub on_paper: Callback<()>,
    /// Whether A/B compare mode is open (then the Paper button is hidden: compare mode has its
    /// own way back).
    #[prop_or_default]
    pub compare_open: bool,
    /// Opens compare mode with the current scenario as A.
    #[prop_or_default]
    pub on_compare: Callback<()>,
}

/// The top bar.
#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let on_click = {
        let cb = props.on_theme.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let on_paper = {
        let cb = props.on_paper.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let on_compare = {
        let cb = props.on_compare.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let paper_label =
        if props.paper_open { "Back to the simulator" } else { "The paper's results" };
    let label = match props.theme {
        Theme::Light => "Dark theme",
        Theme::Dark => "Light theme",
    };
    html! {
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">{ "◈" }</span>
                <div>
                    <h1>{ "Disco in the browser" }</h1>
                    <p class="tagline">
                        { "A virtual machine monitor running commodity operating systems on a \
                           ccNUMA multiprocessor — after Bugnion, Devine & Rosenblum, SOSP 1997" }
                    </p>
                </div>
            </div>
            <div class="topbar-actions">
                if !props.compare_open {
                    <button class="ghost" onclick={on_compare} data-testid="compare-open"
                        title="Run this scenario and another side by side, in step, with the differences highlighted">{ "Compare" }</button>
                    <button class="ghost" onclick={on_paper} data-testid="paper-toggle" aria-pressed={props.paper_open.to_string()}
                        title="The paper's figures and tables beside ours, each with a button to run it live">{ paper_label }</button>
                }
                <button class="ghost" onclick={on_click} data-testid="theme-toggle">{ label }</button>
            </div>
        </header>
    }
}
