//! The consoles: a tab per guest with its own console output. New text is appended to the page
//! as it arrives (a text node per frame's delta) rather than re-rendering the whole console, and
//! the view follows the end of the output while it is scrolled to the bottom. Under the text, a
//! line to type on the guest's console: Enter sends the line (with its newline) as console
//! input; the guest OS echoes what it reads, so typed text shows in the output when the guest
//! takes it. A button sends Ctrl-D, the end of input. ArrowUp and ArrowDown walk back through
//! the lines sent (as a shell's history does). Lines typed before the run starts wait in the
//! guest's console device until the guest reads them; the view says how many are queued.

use sim::frame::{Frame, Layout};
use sim::protocol::{Command, RunState};
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
    /// The run state (a guest that has not started is not "running").
    pub run: RunState,
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

/// A guest's badge: its class and words, true to the run's state.
fn status(frame: &Frame, g: usize, run: RunState) -> (&'static str, String) {
    let Some(gf) = frame.guests.get(g) else {
        return ("", if run == RunState::Idle { "not started".into() } else { String::new() });
    };
    match (gf.exit, gf.passed) {
        (None, _) => match run {
            RunState::Empty => ("", "loading".into()),
            RunState::Idle => ("", "not started".into()),
            RunState::Paused => ("", "paused".into()),
            RunState::Running => ("running", "running".into()),
            RunState::Finished => ("bad", "stopped".into()),
        },
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
        let (class, text) = status(&props.frame, g, props.run);
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
    // The lines sent, per guest, oldest first, and where ArrowUp/ArrowDown stand in them
    // (`None`: at the new line being typed).
    let history = use_mut_ref(Vec::<Vec<String>>::new);
    let at = use_mut_ref(|| None::<usize>);
    // Lines typed per guest while the run was not running: they wait in the console device.
    let queued = use_state(Vec::<usize>::new);
    {
        let queued = queued.setter();
        use_effect_with(props.run, move |run| {
            if matches!(run, RunState::Running | RunState::Idle) {
                queued.set(Vec::new());
            }
        });
    }
    let on_submit = {
        let (input, type_text, history, at) =
            (input.clone(), type_text.clone(), history.clone(), at.clone());
        let (queued, run) = (queued.clone(), props.run);
        Callback::from(move |ev: SubmitEvent| {
            ev.prevent_default();
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let line = el.value();
                type_text(format!("{line}\n"));
                el.set_value("");
                let mut h = history.borrow_mut();
                if h.len() <= current {
                    h.resize_with(current + 1, Vec::new);
                }
                if !line.is_empty() && h[current].last() != Some(&line) {
                    h[current].push(line);
                }
                *at.borrow_mut() = None;
                if run != RunState::Running {
                    let mut q = (*queued).clone();
                    if q.len() <= current {
                        q.resize(current + 1, 0);
                    }
                    q[current] += 1;
                    queued.set(q);
                }
            }
        })
    };
    let on_key = {
        let (history, at) = (history.clone(), at.clone());
        Callback::from(move |ev: KeyboardEvent| {
            let up = match ev.key().as_str() {
                "ArrowUp" => true,
                "ArrowDown" => false,
                _ => return,
            };
            let h = history.borrow();
            let lines = h.get(current).map_or(&[][..], Vec::as_slice);
            let mut pos = at.borrow_mut();
            *pos = history_step(lines.len(), *pos, up);
            ev.prevent_default();
            let el: HtmlInputElement = ev.target_unchecked_into();
            el.set_value(pos.and_then(|i| lines.get(i)).map_or("", String::as_str));
        })
    };
    let waiting = queued.get(current).copied().unwrap_or(0);
    let on_eof = Callback::from(move |_: MouseEvent| type_text(EOF.to_string()));
    html! {
        <div class="consoles-view">
            <div class="tabs" role="tablist">{ for tabs }</div>
            <pre ref={pre} class="console" role="tabpanel" data-testid="console-text" aria-live="off" tabindex="0"></pre>
            <form class="console-input" onsubmit={on_submit}>
                <input ref={input} type="text" autocomplete="off" spellcheck="false" disabled={!running} onkeydown={on_key}
                    aria-label={format!("Type on {name}'s console")} data-testid="console-input"
                    placeholder={if !running { format!("{name} has stopped") }
                        else if props.run == RunState::Running { format!("type on {name}'s console; Enter sends the line, ↑ ↓ the earlier ones") }
                        else { format!("type on {name}'s console; lines wait until the run starts") }} />
                <button type="button" onclick={on_eof} disabled={!running} data-testid="console-eof"
                    title="Send Ctrl-D: the end of input (a shell at its prompt exits)">{ "Ctrl-D" }</button>
            </form>
            if waiting > 0 {
                <p class="queued hint tight" data-testid="console-queued" data-lines={waiting.to_string()}>
                    { format!("{waiting} line{} queued: {name} reads {} when the run starts (Run, or space outside a field).",
                        if waiting == 1 { "" } else { "s" }, if waiting == 1 { "it" } else { "them" }) }
                </p>
            }
        </div>
    }
}

/// Where ArrowUp (`up`) or ArrowDown moves from `at` in a history of `len` lines: up goes to
/// older lines and stops at the oldest; down goes to newer ones and past the newest back to
/// the new line (`None`).
pub fn history_step(len: usize, at: Option<usize>, up: bool) -> Option<usize> {
    match (at, up) {
        _ if len == 0 => None,
        (None, true) => Some(len - 1),
        (Some(i), true) => Some(i.saturating_sub(1)),
        (None, false) => None,
        (Some(i), false) => (i + 1 < len).then_some(i + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::GuestFrame;

    #[test]
    fn history_walks_back_and_returns_to_the_new_line() {
        assert_eq!(history_step(0, None, true), None);
        assert_eq!(history_step(3, None, true), Some(2));
        assert_eq!(history_step(3, Some(2), true), Some(1));
        assert_eq!(history_step(3, Some(0), true), Some(0));
        assert_eq!(history_step(3, Some(1), false), Some(2));
        assert_eq!(history_step(3, Some(2), false), None);
    }

    #[test]
    fn a_guest_that_has_not_started_is_not_running() {
        let f = Frame { guests: vec![GuestFrame::default()], ..Frame::default() };
        assert_eq!(status(&f, 0, RunState::Idle).1, "not started");
        assert_eq!(status(&f, 0, RunState::Running).1, "running");
        assert_eq!(status(&f, 0, RunState::Paused).1, "paused");
    }
}
