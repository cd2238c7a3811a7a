//! The consoles: a tab per guest with its own console output. New text is appended to the page
//! as it arrives (a text node per frame's delta) rather than re-rendering the whole console, and
//! the view follows the end of the output while it is scrolled to the bottom. Under the text, a
//! line to type on the guest's console: Enter sends the line (with its newline) as console
//! input; the guest OS echoes what it reads, so typed text shows in the output when the guest
//! takes it. A button sends Ctrl-D, the end of input.

use sim::frame::{Frame, Layout};
use sim::protocol::Command;
use web_sys::{HtmlElement, HtmlInputElement};
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
    /// Sends a command to the worker (console input).
    pub send: Callback<Command>,
}

/// End of input at a console (Ctrl-D), as the guest OS reads it.
const EOF: &str = "\u{4}";

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
    let running = props.frame.guests.get(current).is_some_and(|g| g.exit.is_none());
    let name = props.layout.guests.get(current).map(|g| g.name.clone()).unwrap_or_default();
    let input = use_node_ref();
    let type_text = {
        let send = props.send.clone();
        move |text: String| send.emit(Command::ConsoleInput { guest: current as u16, text })
    };
    let on_submit = {
        let (input, type_text) = (input.clone(), type_text.clone());
        Callback::from(move |ev: SubmitEvent| {
            ev.prevent_default();
            if let Some(el) = input.cast::<HtmlInputElement>() {
                type_text(format!("{}\n", el.value()));
                el.set_value("");
            }
        })
    };
    let on_eof = Callback::from(move |_: MouseEvent| type_text(EOF.to_string()));
    html! {
        <div class="consoles-view">
            <div class="tabs" role="tablist">{ for tabs }</div>
            <pre ref={pre} class="console" role="tabpanel" data-testid="console-text" aria-live="off" tabindex="0"></pre>
            <form class="console-input" onsubmit={on_submit}>
                <input ref={input} type="text" autocomplete="off" spellcheck="false" disabled={!running}
                    aria-label={format!("Type on {name}'s console")} data-testid="console-input"
                    placeholder={if running { format!("type on {name}'s console; Enter sends the line") } else { format!("{name} has stopped") }} />
                <button type="button" onclick={on_eof} disabled={!running} data-testid="console-eof"
                    title="Send Ctrl-D: the end of input (a shell at its prompt exits)">{ "Ctrl-D" }</button>
            </form>
        </div>
    }
}
