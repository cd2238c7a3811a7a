//! A titled panel with its "what am I looking at" explanation.

use yew::prelude::*;

/// Properties of [`Panel`].
#[derive(Properties, PartialEq)]
pub struct PanelProps {
    /// Panel title.
    pub title: AttrValue,
    /// One paragraph saying what the panel shows, with the paper's terms.
    pub explain: AttrValue,
    /// Extra CSS class (places the panel in the grid).
    #[prop_or_default]
    pub class: Classes,
    /// The panel body; until a run feeds it, an empty-state message.
    pub children: Html,
}

/// A panel of the layout.
#[function_component(Panel)]
pub fn panel(props: &PanelProps) -> Html {
    html! {
        <section class={classes!("panel", props.class.clone())} aria-label={props.title.clone()}>
            <header class="panel-head">
                <h2>{ props.title.clone() }</h2>
                <details class="explain">
                    <summary aria-label="What am I looking at?">{ "?" }</summary>
                    <p>{ props.explain.clone() }</p>
                </details>
            </header>
            <div class="panel-body empty">{ props.children.clone() }</div>
        </section>
    }
}
