//! A titled panel with its "what am I looking at" explanation.

use yew::prelude::*;

/// Properties of [`Panel`].
#[derive(Properties, PartialEq)]
pub struct PanelProps {
    /// Panel title.
    pub title: AttrValue,
    /// One paragraph saying what the panel shows, with the paper's terms and sections.
    pub explain: Html,
    /// The element's id (a link target: the status strip links to the consoles).
    #[prop_or_default]
    pub id: Option<AttrValue>,
    /// Extra CSS class (places the panel in the grid).
    #[prop_or_default]
    pub class: Classes,
    /// Controls shown in the panel's header, left of the explanation button.
    #[prop_or_default]
    pub tools: Html,
    /// The panel body.
    pub children: Html,
}

/// A panel of the layout.
#[function_component(Panel)]
pub fn panel(props: &PanelProps) -> Html {
    html! {
        <section id={props.id.clone()} class={classes!("panel", props.class.clone())} aria-label={props.title.clone()}>
            <header class="panel-head">
                <h2>{ props.title.clone() }</h2>
                <div class="panel-tools">
                    { props.tools.clone() }
                    <details class="explain">
                        <summary aria-label="What am I looking at?" title="What am I looking at?">{ "?" }</summary>
                        <div class="explain-text" data-testid="explain">{ props.explain.clone() }</div>
                    </details>
                </div>
            </header>
            <div class="panel-body">{ props.children.clone() }</div>
        </section>
    }
}
