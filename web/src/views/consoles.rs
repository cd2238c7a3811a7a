//! The consoles: a tab per guest with its own console output. New text is appended to the page
//! as it arrives (a text node per frame's delta) rather than re-rendering the whole console, and
//! the view follows the end of the output while it is scrolled to the bottom.

use sim::frame::{Frame, Layout};
use web_sys::HtmlElement;
use yew::prelude::*;

use crate::palette;
use crate::state::Shared;
use crate::state::console_log::ConsoleLog;

/// Properties of [`Consoles`].
#[derive(Properties, PartialEq)]
pub struct ConsolesProps {
    /// The loaded scenario's shape.
    pub layout: Shared<Layout>,
    /// Latest frame (each guest's exit status).
    pub frame: Shared<Frame>,
    /// The consoles' text.
    pub consoles: Shared<ConsoleLog>,
}

/// What the `<pre>` shows: whose console, up to which chunk, after how many trims.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Shown {
    guest: usize,
    next: u64,
    trims: u64,
}

fn status(frame: &Frame, g: usize) -> (&'static str, String) {
    let Some(gf) = frame.guests.get(g) else { return ("", String::new()) };
    match (gf.exit, gf.passed) {
        (None, _) => ("running", "running".into()),
        (Some(0), Some(true)) => ("ok", "✓ exit 0".into()),
        (Some(0), _) => ("bad", "exit 0, output incomplete".into()),
        (Some(c), _) => ("bad", format!("✗ exit {c}")),
    }
}

/// The consoles panel's body.
#[function_component(Consoles)]
pub fn consoles(props: &ConsolesProps) -> Html {
    let active = use_state(|| 0usize);
    let pre = use_node_ref();
    let shown = use_mut_ref(|| None::<Shown>);
    let guests = props.layout.guests.len();
    let current = (*active).min(guests.saturating_sub(1));
    {
        let (pre, shown) = (pre.clone(), shown.clone());
        use_effect_with((props.consoles.clone(), current), move |(log, g)| {
            let Some(el) = pre.cast::<HtmlElement>() else { return };
            let c = log.guest(*g);
            let mut s = shown.borrow_mut();
            if s.is_some_and(|old| old.guest == *g && old.trims == c.trims() && old.next == c.end())
            {
                return;
            }
            // Reading the scroll position costs a layout: only when there is text to add.
            let at_bottom = el.scroll_height() - el.scroll_top() - el.client_height() < 40;
            match *s {
                Some(old) if old.guest == *g && old.trims == c.trims() && old.next <= c.end() => {
                    let doc = web_sys::window().and_then(|w| w.document());
                    let (_, chunks) = c.since(old.next);
                    if let Some(doc) = doc {
                        for chunk in chunks {
                            let _ = el.append_child(&doc.create_text_node(chunk));
                        }
                    }
                }
                _ => el.set_text_content(Some(&c.text())),
            }
            *s = Some(Shown { guest: *g, next: c.end(), trims: c.trims() });
            if at_bottom {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let tabs = props.layout.guests.iter().enumerate().map(|(g, info)| {
        let select = {
            let active = active.clone();
            Callback::from(move |_: MouseEvent| active.set(g))
        };
        let (class, text) = status(&props.frame, g);
        let bytes = props.consoles.get(g).map_or(0, |c| c.len());
        html! {
            <button role="tab" aria-selected={(g == current).to_string()} class={classes!("tab", (g == current).then_some("active"))}
                onclick={select} data-testid={format!("console-tab-{}", info.name)} data-bytes={bytes.to_string()}
                title={format!("{}: {} on {} CPU(s), {} MB", info.name, info.workload, info.cpus, info.memory_mb)}>
                <i class="sw" style={format!("background: {}", palette::css(palette::vm(g)))} />
                { info.name.clone() }
                <span class={classes!("badge", class)}>{ text }</span>
            </button>
        }
    });
    html! {
        <div class="consoles-view">
            <div class="tabs" role="tablist">{ for tabs }</div>
            <pre ref={pre} class="console" role="tabpanel" data-testid="console-text" aria-live="off" tabindex="0"></pre>
        </div>
    }
}
