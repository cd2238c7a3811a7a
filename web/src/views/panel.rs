//! A titled panel with its "what am I looking at" explanation and its Export menu (what the
//! panel shows, as SVG, PNG or CSV files: `crate::export`).

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::export::{self, Exportable};

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
    let root = use_node_ref();
    // What the panel shows that can be exported: looked up when the menu opens, since charts
    // and tables come and go with the run.
    let items = use_state(Vec::<Exportable>::new);
    let problem = use_state(|| None::<String>);
    let on_toggle = {
        let (root, items, title) = (root.clone(), items.clone(), props.title.clone());
        Callback::from(move |ev: Event| {
            let open = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
                .is_some_and(|d| d.open());
            if let (true, Some(el)) = (open, root.cast::<web_sys::Element>()) {
                items.set(export::exportables(&el, &title));
            }
        })
    };
    let entries = items.iter().map(|item| {
        let (root, item2, problem) = (root.clone(), item.clone(), problem.clone());
        let on_click = Callback::from(move |_| {
            if let Some(el) = root.cast::<web_sys::Element>() {
                problem.set(export::export(&el, &item2).err());
            }
        });
        html! { <li><button class="linkish" onclick={on_click} data-testid="export-item">{ item.label.clone() }</button></li> }
    });
    let menu = html! {
        <details class="export" ontoggle={on_toggle}>
            <summary aria-label={format!("Export what the {} panel shows", props.title)} title="Export as SVG, PNG or CSV" data-testid="export">{ "⤓" }</summary>
            <div class="export-menu">
                if items.is_empty() {
                    <p class="empty">{ "Nothing to export yet." }</p>
                } else {
                    <ul>{ for entries }</ul>
                }
                if let Some(p) = (*problem).clone() {
                    <p class="form-error">{ format!("Could not export: {p}") }</p>
                }
            </div>
        </details>
    };
    html! {
        <section ref={root} id={props.id.clone()} class={classes!("panel", props.class.clone())} aria-label={props.title.clone()}>
            <header class="panel-head">
                <h2>{ props.title.clone() }</h2>
                <div class="panel-tools">
                    { props.tools.clone() }
                    { menu }
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
