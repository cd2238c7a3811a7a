//! The NUMA policy's moves drawn over one node's page map, as they happen:
//!
//! - A page **arriving** (the new page of a migration, a new replica, the copy a collapse
//!   keeps): a solid ring growing out of its square.
//! - A page **leaving** (the old page of a migration, the copies a collapse or a reclaim
//!   frees): a dashed ring closing in on its square, which is blanked.
//! - A **copy-on-write break** (§4.2.5): the shared page splits — two half rings moving apart
//!   from its square — and the writer's private copy appears, a dashed ring in the accent
//!   colour growing out of its square. A last sharer that took the page back shows nothing.
//!
//! Each mark fades out [`FADE_MS`] of wall time after the page received the action — wall time
//! is the page's business; the simulation never sees it. The page picked in the NUMA panel
//! keeps a ring in the accent colour until another is picked.
//!
//! The marks are drawn on a transparent canvas over the map, sized in CSS pixels (times the
//! device's pixel ratio) so that rings keep their size however small the map's squares are.
//! It is redrawn about [`REDRAW_MS`] apart, and only while a mark is fading. (Measured on a
//! 2-core host: redrawing at the display's rate cost the page's main thread a sixth of its
//! time; elements animated by the stylesheet cost far more where the browser composites in
//! software, as headless Chromium does.)

use std::cell::RefCell;
use std::rc::Rc;

use sim::frame::NumaAction;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use super::Grid;
use crate::palette::{self, Neutrals};
use crate::state::Shared;
use crate::state::numa::NumaLog;
use crate::state::sharing::SharingLog;
use crate::theme::Theme;
use crate::views::canvas;

/// How long a move stays visible, milliseconds of wall time.
pub const FADE_MS: f64 = 1200.0;

/// Milliseconds between two redraws while marks fade: ten a second are enough for a fade.
pub const REDRAW_MS: f64 = 100.0;

/// The rings' largest radius, CSS pixels: a page is drawn 1–3 pixels wide, so a mark has to
/// reach well beyond its square to be seen.
const RING: f64 = 14.0;

/// What a mark shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Motion {
    /// A page appeared here.
    Arrive,
    /// A page left here.
    Leave,
    /// A shared page here was written by one of its sharers, who got a copy.
    Split,
    /// A sharer's private copy of a shared page appeared here.
    Copy,
}

/// One mark on a node's map.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mark {
    /// The page, counted from the node's first.
    pub page: u32,
    /// Arriving or leaving.
    pub motion: Motion,
    /// What the NUMA policy did (`None`: a copy-on-write break).
    pub action: Option<NumaAction>,
    /// How far it has faded, 0 (new) to 1 (gone).
    pub age: f64,
}

/// Marks drawn on one node at most, the newest: in a storm of migrations more rings only blur
/// into each other.
pub const MAX_MARKS: usize = 30;

/// The marks on the node whose pages are `first .. first + count`, at page time `now_ms`,
/// newest first (about [`MAX_MARKS`] at most): the NUMA policy's moves, then the copy-on-write
/// breaks.
pub fn marks(log: &NumaLog, breaks: &SharingLog, first: u32, count: u32, now_ms: f64) -> Vec<Mark> {
    let mut out = Vec::new();
    let mine = |p: u32| p.checked_sub(first).filter(|&i| i < count);
    for r in breaks.breaks().rev() {
        let age = (now_ms - r.at_ms) / FADE_MS;
        if age >= 1.0 || out.len() >= MAX_MARKS / 2 {
            break;
        }
        let (age, b) = (age.max(0.0), &r.event);
        if b.private.page == b.shared.page {
            continue;
        }
        if let Some(page) = mine(b.shared.page) {
            out.push(Mark { page, motion: Motion::Split, action: None, age });
        }
        if let Some(page) = mine(b.private.page) {
            out.push(Mark { page, motion: Motion::Copy, action: None, age });
        }
    }
    for a in log.events().rev() {
        let age = (now_ms - a.at_ms) / FADE_MS;
        if age >= 1.0 || out.len() >= MAX_MARKS {
            break;
        }
        let age = age.max(0.0);
        let e = &a.event;
        if let Some(page) = e.to.and_then(|t| mine(t.page)) {
            out.push(Mark { page, motion: Motion::Arrive, action: Some(e.action), age });
        }
        // A page left in place did not move: only the list mentions it.
        if matches!(e.action, NumaAction::Migrate | NumaAction::Collapse | NumaAction::Reclaim) {
            for f in &e.from {
                if let Some(page) = mine(f.page) {
                    out.push(Mark { page, motion: Motion::Leave, action: Some(e.action), age });
                }
            }
        }
    }
    out
}

/// The centre of page `i`'s square, for squares of `c` CSS pixels.
fn centre(grid: Grid, i: u32, c: f64) -> (f64, f64) {
    (f64::from(i % grid.cols) * c + c / 2.0, f64::from(i / grid.cols) * c + c / 2.0)
}

fn dash(ctx: &web_sys::CanvasRenderingContext2d, on: bool) {
    let a = js_sys::Array::new();
    if on {
        a.push(&JsValue::from_f64(3.0));
        a.push(&JsValue::from_f64(2.0));
    }
    let _ = ctx.set_line_dash(&a);
}

/// Draws the marks and the selected page (counted from the node's first) on an overlay
/// `width` CSS pixels wide; clears first.
fn draw(
    ctx: &web_sys::CanvasRenderingContext2d,
    grid: Grid,
    width: f64,
    marks: &[Mark],
    selected: Option<u32>,
    theme: Theme,
) {
    let cell = width / f64::from(grid.cols.max(1));
    ctx.clear_rect(0.0, 0.0, width, cell * f64::from(grid.rows));
    let n = Neutrals::of(theme);
    let square = cell.max(3.0);
    for m in marks {
        let (x, y) = centre(grid, m.page, cell);
        ctx.set_global_alpha(1.0 - m.age);
        let colour = match (m.motion, m.action) {
            (Motion::Arrive, Some(NumaAction::Replicate)) | (Motion::Copy, _) => {
                palette::accent(theme)
            }
            (Motion::Arrive | Motion::Split, _) => n.text,
            (Motion::Leave, _) => n.muted,
        };
        let css = palette::css(colour);
        ctx.set_stroke_style_str(&css);
        if m.motion == Motion::Split {
            // The two halves of a ring, moving apart: the page splits in two.
            let (r, apart) = (5.0, 2.0 + 8.0 * m.age);
            ctx.set_line_width(2.0);
            dash(ctx, false);
            for (dx, from) in [(-apart, 0.5), (apart, 1.5)] {
                ctx.begin_path();
                let half = std::f64::consts::PI;
                let _ = ctx.arc(x + dx, y, r, from * half, from * half + half);
                ctx.stroke();
            }
            continue;
        }
        let r = match m.motion {
            Motion::Arrive | Motion::Copy => 2.0 + (RING - 2.0) * m.age,
            Motion::Leave | Motion::Split => RING - (RING - 2.0) * m.age,
        };
        ctx.set_line_width(if m.motion == Motion::Leave { 1.5 } else { 2.0 });
        dash(ctx, matches!(m.motion, Motion::Leave | Motion::Copy));
        ctx.begin_path();
        let _ = ctx.arc(x, y, r, 0.0, std::f64::consts::TAU);
        ctx.stroke();
        // The square itself: filled where a page arrived, blanked where one left.
        ctx.set_fill_style_str(&if m.motion == Motion::Leave {
            palette::css(n.panel)
        } else {
            css
        });
        ctx.fill_rect(x - square / 2.0, y - square / 2.0, square, square);
    }
    dash(ctx, false);
    ctx.set_global_alpha(1.0);
    if let Some(i) = selected {
        let (x, y) = centre(grid, i, cell);
        ctx.set_stroke_style_str(&palette::css(palette::accent(theme)));
        ctx.set_line_width(2.5);
        ctx.begin_path();
        let _ = ctx.arc(x, y, 9.0, 0.0, std::f64::consts::TAU);
        ctx.stroke();
        // Cross-hair ticks, so the ring is found on a busy map.
        for (dx, dy) in [(1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)] {
            let (a, b) = (11.0, 20.0);
            ctx.begin_path();
            ctx.move_to(x + dx * a, y + dy * a);
            ctx.line_to(x + dx * b, y + dy * b);
            ctx.stroke();
        }
    }
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// The animation loop's step, called by the browser once per display frame.
type Step = Closure<dyn FnMut()>;

/// Properties of [`MovesOverlay`].
#[derive(Properties, PartialEq)]
pub struct MovesProps {
    /// The node.
    pub node: u32,
    /// Its first machine page.
    pub first: u32,
    /// Its pages.
    pub count: u32,
    /// The map's grid.
    pub grid: Grid,
    /// The policy's latest actions.
    pub moves: Shared<NumaLog>,
    /// The latest copy-on-write breaks.
    pub breaks: Shared<SharingLog>,
    /// The machine page picked in the NUMA panel.
    pub selected: Option<u32>,
    /// Colour theme.
    pub theme: Theme,
}

/// The overlay of one node's page map.
#[function_component(MovesOverlay)]
pub fn moves_overlay(props: &MovesProps) -> Html {
    let node_ref = use_node_ref();
    let width = canvas::use_width(node_ref.clone());
    let grid = props.grid;
    let selected =
        props.selected.and_then(|p| p.checked_sub(props.first)).filter(|&i| i < props.count);
    {
        let node_ref = node_ref.clone();
        let (first, count) = (props.first, props.count);
        use_effect_with(
            (
                props.moves.clone(),
                props.breaks.clone(),
                selected,
                props.theme,
                grid,
                width.to_bits(),
            ),
            move |(log, breaks, selected, theme, grid, _)| {
                let (log, breaks, selected, theme, grid) =
                    (log.clone(), breaks.clone(), *selected, *theme, *grid);
                // The animation loop: one closure that draws and, while a mark is still
                // fading, asks for the next animation frame. Dropping it (a new log, or the
                // view going away) ends the loop.
                let frame: Rc<RefCell<Option<Step>>> = Rc::new(RefCell::new(None));
                let pending = Rc::new(RefCell::new(None::<i32>));
                let (frame2, pending2) = (Rc::clone(&frame), Rc::clone(&pending));
                let mut drawn_at = f64::NEG_INFINITY;
                let mut alive = true;
                let step = Step::new(move || {
                    *pending2.borrow_mut() = None;
                    let now = now_ms();
                    // Between redraws only ask for the next frame: an unchanged canvas costs
                    // the browser nothing, a redrawn one a raster and a composite.
                    if now - drawn_at >= REDRAW_MS {
                        let Some((canvas, ctx)) = canvas::context(&node_ref) else { return };
                        if width < 1.0 {
                            return;
                        }
                        let height = width * f64::from(grid.rows) / f64::from(grid.cols.max(1));
                        canvas::fit(&canvas, &ctx, width, height);
                        let marks = marks(&log, &breaks, first, count, now);
                        draw(&ctx, grid, width, &marks, selected, theme);
                        drawn_at = now;
                        alive = !marks.is_empty();
                    }
                    if alive
                        && let (Some(w), Some(f)) = (web_sys::window(), frame2.borrow().as_ref())
                    {
                        *pending2.borrow_mut() =
                            w.request_animation_frame(f.as_ref().unchecked_ref()).ok();
                    }
                });
                if let Some(w) = web_sys::window() {
                    *pending.borrow_mut() =
                        w.request_animation_frame(step.as_ref().unchecked_ref()).ok();
                }
                *frame.borrow_mut() = Some(step);
                move || {
                    if let (Some(w), Some(id)) = (web_sys::window(), pending.borrow_mut().take()) {
                        let _ = w.cancel_animation_frame(id);
                    }
                    // Breaks the closure's reference to itself.
                    frame.borrow_mut().take();
                }
            },
        );
    }
    html! {
        <canvas ref={node_ref} class="pagemap-moves" aria-hidden="true"
            data-testid={format!("pagemap-moves-node{}", props.node)}
            data-selected={selected.map(|i| (props.first + i).to_string())}
            data-marks={marks(&props.moves, &props.breaks, props.first, props.count, now_ms()).len().to_string()} />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::{NumaEvent, PageAt};
    use std::rc::Rc;

    fn event(action: NumaAction, from: &[u32], to: Option<u32>) -> Rc<NumaEvent> {
        let at = |page| PageAt { page, node: page / 100 };
        Rc::new(NumaEvent {
            cycle: 0,
            action,
            guest: Some(0),
            guest_page: Some(1),
            from: from.iter().map(|&p| at(p)).collect(),
            to: to.map(at),
            why: String::new(),
        })
    }

    #[test]
    fn a_move_shows_on_both_nodes_and_fades() {
        let mut log = NumaLog::default();
        log.push([event(NumaAction::Migrate, &[150], Some(220))], 0, 1000.0);
        assert_eq!(centre(Grid { cols: 10, rows: 4, cell: 3 }, 12, 4.0), (10.0, 6.0));
        let node1 = marks(&log, &SharingLog::default(), 100, 100, 1000.0);
        assert_eq!(node1.len(), 1);
        assert_eq!((node1[0].page, node1[0].motion, node1[0].age), (50, Motion::Leave, 0.0));
        let node2 = marks(&log, &SharingLog::default(), 200, 100, 1000.0 + FADE_MS / 2.0);
        assert_eq!((node2[0].page, node2[0].motion, node2[0].age), (20, Motion::Arrive, 0.5));
        assert!(
            marks(&log, &SharingLog::default(), 200, 100, 1000.0 + FADE_MS).is_empty(),
            "gone after the fade"
        );
        assert!(marks(&log, &SharingLog::default(), 0, 100, 1000.0).is_empty(), "not on node 0");
    }

    #[test]
    fn a_copy_on_write_break_splits_the_shared_page_and_shows_the_copy() {
        let mut breaks = SharingLog::default();
        let b = |shared, private| sim::frame::CowBreak {
            cycle: 0,
            guest: 1,
            guest_page: 2,
            shared: PageAt { page: shared, node: shared / 100 },
            private: PageAt { page: private, node: private / 100 },
            sharers_left: 1,
        };
        breaks.push(vec![b(150, 20), b(160, 160)], 0, 1000.0);
        let log = NumaLog::default();
        let on = |first, now| {
            marks(&log, &breaks, first, 100, now)
                .iter()
                .map(|m| (m.page, m.motion))
                .collect::<Vec<_>>()
        };
        assert_eq!(on(100, 1000.0), vec![(50, Motion::Split)], "the last sharer's take-back: none");
        assert_eq!(on(0, 1000.0), vec![(20, Motion::Copy)]);
        assert!(on(0, 1000.0 + FADE_MS).is_empty(), "gone after the fade");
    }

    #[test]
    fn replicas_and_collapses_mark_each_copy_and_pages_left_in_place_none() {
        let mut log = NumaLog::default();
        log.push(
            [
                event(NumaAction::Replicate, &[10], Some(110)),
                event(NumaAction::Collapse, &[120, 230], Some(20)),
                event(NumaAction::Left, &[30], None),
            ],
            0,
            0.0,
        );
        let on = |first| {
            marks(&log, &SharingLog::default(), first, 100, 10.0)
                .iter()
                .map(|m| (m.page, m.motion))
                .collect::<Vec<_>>()
        };
        // The master of a replica stays: only the new copy is marked.
        assert_eq!(on(0), vec![(20, Motion::Arrive)]);
        assert_eq!(on(100), vec![(20, Motion::Leave), (10, Motion::Arrive)]);
        assert_eq!(on(200), vec![(30, Motion::Leave)]);
    }
}
