//! One node's machine memory drawn as a page map: a grid with a square per 4 KB machine page,
//! painted pixel by pixel in Rust into an `ImageData` (a node can hold tens of thousands of pages;
//! one DOM element per page would never keep up). The stylesheet scales the canvas to its box
//! with `image-rendering: pixelated`.
//!
//! A [`Layer`] decides the colouring: by owner VM and kind, or by heat. In both, replicas (the
//! NUMA policy's read-only copies, §4.2.3) carry a cross. In the owner layer a page shared
//! copy-on-write between VMs (§4.2.5) has a bar on top and, below it, stripes in the colours
//! of every VM that maps it.
//!
//! Over the map an overlay shows the NUMA policy's moves as they happen (see [`moves`]): a page
//! leaving one node, appearing on another, a replica made, copies collapsing — each fading out
//! about a second after it was shown — and the page picked in the NUMA panel's list. The map
//! itself is painted once per page map.

pub mod moves;

use sim::frame::{OWNER_FREE, PageMap};
use yew::prelude::*;

use crate::palette::{self, Neutrals};
use crate::state::Shared;
use crate::state::numa::NumaLog;
use crate::state::sharing::SharingLog;
use crate::theme::Theme;
use crate::views::canvas;

/// What the page map's colours say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// Owner VM (hue) and kind (lightness and pattern).
    Owner,
    /// Cache misses to the page from all nodes, on a log scale.
    Heat,
}

/// How one node's pages sit in its canvas: `cols` × `rows` cells of `cell` pixels, page 0 at
/// the top left, row by row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Cells per row.
    pub cols: u32,
    /// Rows.
    pub rows: u32,
    /// Cell size in canvas pixels.
    pub cell: u32,
}

impl Grid {
    /// The grid for a node of `pages` pages: wide rows, and cells big enough for the kinds'
    /// patterns while the canvas stays a few hundred pixels across.
    pub fn for_pages(pages: u32) -> Grid {
        let cols = match pages {
            0..=2048 => 64,
            2049..=16384 => 128,
            _ => 256,
        };
        let cell = match pages {
            0..=4096 => 4,
            4097..=16384 => 3,
            16385..=32768 => 2,
            _ => 1,
        };
        Grid { cols, rows: pages.div_ceil(cols).max(1), cell }
    }

    /// Canvas width in pixels.
    pub fn width(&self) -> u32 {
        self.cols * self.cell
    }

    /// Canvas height in pixels.
    pub fn height(&self) -> u32 {
        self.rows * self.cell
    }

    /// The page (counted from the node's first) under canvas pixel (`x`, `y`), if any of the
    /// node's `pages`.
    pub fn page_at(&self, x: f64, y: f64, pages: u32) -> Option<u32> {
        if x < 0.0 || y < 0.0 {
            return None;
        }
        let (c, r) = ((x as u32) / self.cell, (y as u32) / self.cell);
        let p = r.checked_mul(self.cols)?.checked_add(c)?;
        (c < self.cols && p < pages).then_some(p)
    }
}

/// The largest heat (misses to one page, summed over nodes) in `map`.
pub fn heat_max(map: &PageMap, nodes: usize) -> u32 {
    match &map.heat {
        Some(h) => h.chunks(nodes.max(1)).map(|row| row.iter().sum::<u32>()).max().unwrap_or(0),
        None => 0,
    }
}

/// Paints pages `first .. first + count` of `map` into an RGBA buffer of the grid's size.
pub fn paint(
    map: &PageMap,
    nodes: usize,
    first: u32,
    count: u32,
    grid: Grid,
    layer: Layer,
    n: &Neutrals,
) -> Vec<u8> {
    let (w, h) = (grid.width() as usize, grid.height() as usize);
    let mut out = vec![0u8; w * h * 4];
    let fill_bg = |out: &mut [u8]| {
        for px in out.chunks_exact_mut(4) {
            px.copy_from_slice(&[n.panel[0], n.panel[1], n.panel[2], 255]);
        }
    };
    fill_bg(&mut out);
    let max = heat_max(map, nodes);
    let scale = if max > 0 { 1.0 / (1.0 + max as f32).ln() } else { 0.0 };
    let cell = grid.cell as usize;
    // The node's replicas, by page within the node (the list is short and ascending).
    let mut replica = vec![false; count as usize];
    for &r in &map.replicas {
        if let Some(i) = r.checked_sub(first).filter(|&i| i < count) {
            replica[i as usize] = true;
        }
    }
    // The node's shared pages and their guests, likewise.
    let mut shared: Vec<Option<&[u16]>> = vec![None; count as usize];
    for s in &map.shared {
        if let Some(i) = s.page.checked_sub(first).filter(|&i| i < count) {
            shared[i as usize] = Some(s.guests.as_slice());
        }
    }
    for i in 0..count {
        let p = (first + i) as usize;
        let owner = map.owner.get(p).copied().unwrap_or(OWNER_FREE);
        let kind = map.kind.get(p).copied().unwrap_or(0);
        let (fill, marks, patterned) = match (layer, &map.heat) {
            (Layer::Heat, Some(heat)) => {
                let total: u32 = heat.iter().skip(p * nodes).take(nodes).sum();
                let c = if total == 0 {
                    n.free
                } else {
                    palette::heat((1.0 + total as f32).ln() * scale)
                };
                (c, c, false)
            }
            _ => {
                let (f, m) = palette::page(owner, kind, n);
                (f, m, f != m)
            }
        };
        let copy = replica[i as usize];
        // Too small for the cross, a replica is drawn half-way to the text colour.
        let fill = if copy && grid.cell < 3 { palette::mix(fill, n.text, 0.5) } else { fill };
        let sharers = shared[i as usize].filter(|_| layer == Layer::Owner || map.heat.is_none());
        // Too small for the bar and stripes, a shared page is drawn a third of the way to it.
        let fill = if sharers.is_some() && grid.cell < 3 {
            palette::mix(fill, n.text, 0.35)
        } else {
            fill
        };
        let (col, row) = ((i % grid.cols) as usize, (i / grid.cols) as usize);
        for y in 0..cell {
            let line = ((row * cell + y) * w + col * cell) * 4;
            for x in 0..cell {
                let (x32, y32) = (x as u32, y as u32);
                let stripe = sharers
                    .filter(|_| grid.cell >= 3)
                    .and_then(|g| palette::shared_stripe(g, grid.cell, x32));
                let c = if copy && palette::replica_mark(grid.cell, x32, y32) {
                    n.text
                } else if let Some(g) = stripe {
                    if palette::shared_mark(grid.cell, x32, y32) {
                        n.text
                    } else {
                        palette::vm(usize::from(g))
                    }
                } else if !copy && patterned && palette::mark(kind, grid.cell, x32, y32) {
                    marks
                } else {
                    fill
                };
                out[line + x * 4..line + x * 4 + 3].copy_from_slice(&c);
            }
        }
    }
    out
}

/// Where the keyboard's cursor goes from page `at` of a map of `pages` pages in rows of `cols`:
/// the arrow keys move by a page or a row (by 16 with Shift), Home and End to the ends; `None`
/// for another key.
pub fn cursor_step(at: u32, key: &str, shift: bool, cols: u32, pages: u32) -> Option<u32> {
    let last = pages.saturating_sub(1);
    let n = if shift { 16 } else { 1 };
    Some(match key {
        "ArrowRight" => at.saturating_add(n).min(last),
        "ArrowLeft" => at.saturating_sub(n),
        "ArrowDown" => at.saturating_add(n * cols).min(last),
        "ArrowUp" => at.saturating_sub(n * cols),
        "Home" => 0,
        "End" => last,
        _ => return None,
    })
}

/// Where the mouse is over a page map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hover {
    /// Machine page number.
    pub page: u32,
    /// Mouse position (client coordinates), for the tooltip.
    pub x: i32,
    /// See `x`.
    pub y: i32,
}

/// Properties of [`PageMapCanvas`].
#[derive(Properties, PartialEq)]
pub struct PageMapProps {
    /// The node drawn.
    pub node: u32,
    /// Its first machine page.
    pub first: u32,
    /// Its pages.
    pub count: u32,
    /// Nodes in the machine (the stride of the heat array).
    pub nodes: u32,
    /// The latest page map, once one has arrived.
    pub map: Option<Shared<PageMap>>,
    /// The colouring.
    pub layer: Layer,
    /// Colour theme.
    pub theme: Theme,
    /// The mouse moved over a page, or left the map.
    pub on_hover: Callback<Option<Hover>>,
    /// The NUMA policy's latest actions (their moves are drawn over the map).
    pub moves: Shared<NumaLog>,
    /// The latest copy-on-write breaks (their splits are drawn over the map).
    pub breaks: Shared<SharingLog>,
    /// The machine page picked in the NUMA panel, marked until another is picked.
    pub selected: Option<u32>,
}

/// One node's page map.
#[function_component(PageMapCanvas)]
pub fn page_map_canvas(props: &PageMapProps) -> Html {
    let node_ref = use_node_ref();
    let grid = Grid::for_pages(props.count);
    {
        let node_ref = node_ref.clone();
        let (nodes, first, count, layer) =
            (props.nodes as usize, props.first, props.count, props.layer);
        use_effect_with(
            (props.map.clone(), props.layer, props.theme, props.count),
            move |(map, _, theme, _)| {
                let empty = PageMap::default();
                let map: &PageMap = map.as_deref().unwrap_or(&empty);
                let rgba = paint(map, nodes, first, count, grid, layer, &Neutrals::of(*theme));
                canvas::put_rgba(&node_ref, &rgba, grid.width(), grid.height());
            },
        );
    }
    let on_move = {
        let (node_ref, cb, first, count) =
            (node_ref.clone(), props.on_hover.clone(), props.first, props.count);
        Callback::from(move |ev: MouseEvent| {
            let Some((canvas, _)) = canvas::context(&node_ref) else { return };
            let (x, y) = canvas::point(&ev, &canvas);
            cb.emit(grid.page_at(x, y, count).map(|p| Hover {
                page: first + p,
                x: ev.client_x(),
                y: ev.client_y(),
            }));
        })
    };
    let on_leave = {
        let cb = props.on_hover.clone();
        Callback::from(move |_: MouseEvent| cb.emit(None))
    };
    // The keyboard's cursor (a page of this node): the map takes the focus with Tab, the arrow
    // keys move the cursor, and the page under it shows its details as under the mouse.
    let cursor = use_mut_ref(|| 0u32);
    let show_cursor = {
        let (node_ref, cb, first) = (node_ref.clone(), props.on_hover.clone(), props.first);
        move |p: u32| {
            let Some(canvas) = node_ref.cast::<web_sys::HtmlCanvasElement>() else { return };
            let rect = canvas.get_bounding_client_rect();
            let scale = rect.width() / f64::from(grid.width().max(1));
            let (c, r) = (p % grid.cols, p / grid.cols);
            let at = |i: u32, o: f64| {
                o + (f64::from(i * grid.cell) + f64::from(grid.cell) / 2.0) * scale
            };
            cb.emit(Some(Hover {
                page: first + p,
                x: at(c, rect.left()) as i32,
                y: at(r, rect.top()) as i32,
            }));
        }
    };
    let on_focus = {
        let (cursor, show) = (cursor.clone(), show_cursor.clone());
        Callback::from(move |_: FocusEvent| show(*cursor.borrow()))
    };
    let on_blur = {
        let cb = props.on_hover.clone();
        Callback::from(move |_: FocusEvent| cb.emit(None))
    };
    let on_key = {
        let (cursor, count) = (cursor.clone(), props.count);
        Callback::from(move |ev: KeyboardEvent| {
            let now = *cursor.borrow();
            let Some(next) = cursor_step(now, &ev.key(), ev.shift_key(), grid.cols, count) else {
                return;
            };
            ev.prevent_default();
            *cursor.borrow_mut() = next;
            show_cursor(next);
        })
    };
    html! {
        <div class="pagemap-wrap">
            <canvas ref={node_ref} class="pagemap" data-testid={format!("pagemap-node{}", props.node)}
                width={grid.width().to_string()} height={grid.height().to_string()}
                style={format!("aspect-ratio: {} / {}", grid.width(), grid.height())}
                onmousemove={on_move} onmouseleave={on_leave}
                tabindex="0" role="img" onkeydown={on_key} onfocus={on_focus} onblur={on_blur}
                aria-describedby="pagemap-keys"
                aria-label={format!("memory of node {}: {} machine pages, a square each, coloured by owner", props.node, props.count)} />
            <moves::MovesOverlay node={props.node} first={props.first} count={props.count} grid={grid}
                moves={props.moves.clone()} breaks={props.breaks.clone()} selected={props.selected} theme={props.theme} />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::frame::{OWNER_GUEST0, OWNER_MONITOR, PageKind};

    #[test]
    fn grids_fit_every_node_size() {
        for pages in [1, 1024, 4096, 8192, 16384, 65536, 114_688] {
            let g = Grid::for_pages(pages);
            assert!(g.cols * g.rows >= pages, "{pages}");
            assert!(g.width() <= 512 && g.height() <= 512, "{pages}: {g:?}");
        }
        assert!(Grid::for_pages(8192).cell >= 3, "room for the kinds' patterns");
    }

    #[test]
    fn the_keyboard_cursor_moves_by_page_and_row_within_the_map() {
        assert_eq!(cursor_step(0, "ArrowRight", false, 64, 1000), Some(1));
        assert_eq!(cursor_step(0, "ArrowLeft", false, 64, 1000), Some(0));
        assert_eq!(cursor_step(5, "ArrowDown", false, 64, 1000), Some(69));
        assert_eq!(cursor_step(990, "ArrowDown", false, 64, 1000), Some(999));
        assert_eq!(cursor_step(69, "ArrowUp", true, 4, 1000), Some(5));
        assert_eq!(cursor_step(3, "End", false, 64, 1000), Some(999));
        assert_eq!(cursor_step(3, "x", false, 64, 1000), None);
    }

    #[test]
    fn hit_testing_inverts_the_layout() {
        let g = Grid::for_pages(8192);
        assert_eq!(g.page_at(0.0, 0.0, 8192), Some(0));
        assert_eq!(
            g.page_at(f64::from(g.cell) * 5.5, f64::from(g.cell) * 2.1, 8192),
            Some(2 * g.cols + 5)
        );
        assert_eq!(g.page_at(f64::from(g.width()) + 1.0, 0.0, 8192), None);
        assert_eq!(g.page_at(0.0, f64::from(g.height()), 8192), None);
        assert_eq!(g.page_at(-1.0, 0.0, 8192), None);
        let g = Grid::for_pages(100);
        assert_eq!(
            g.page_at(f64::from(g.cell) * 40.0, f64::from(g.cell) * 1.0, 100),
            None,
            "past the last page"
        );
    }

    fn pixel(buf: &[u8], grid: Grid, page: u32, x: u32, y: u32) -> [u8; 3] {
        let (c, r) = (page % grid.cols, page / grid.cols);
        let i = (((r * grid.cell + y) * grid.width() + c * grid.cell + x) * 4) as usize;
        [buf[i], buf[i + 1], buf[i + 2]]
    }

    #[test]
    fn paints_owner_and_kind() {
        let n = Neutrals::of(Theme::Light);
        let map = PageMap {
            owner: vec![OWNER_FREE, OWNER_MONITOR, OWNER_GUEST0, OWNER_GUEST0 + 1, OWNER_GUEST0],
            kind: vec![
                0,
                PageKind::Monitor as u8,
                PageKind::User as u8,
                PageKind::Kernel as u8,
                PageKind::BufferCache as u8,
            ],
            heat: None,
            replicas: Vec::new(),
            shared: Vec::new(),
        };
        let g = Grid::for_pages(5);
        let buf = paint(&map, 1, 0, 5, g, Layer::Owner, &n);
        assert_eq!(buf.len() as u32, g.width() * g.height() * 4);
        assert_eq!(pixel(&buf, g, 0, 1, 1), n.free);
        assert_eq!(pixel(&buf, g, 2, 1, 1), palette::vm(0));
        assert_eq!(pixel(&buf, g, 3, 1, 1), palette::guest_page(1, PageKind::Kernel, &n).0);
        let (fill, marks) = palette::guest_page(0, PageKind::BufferCache, &n);
        assert_eq!(pixel(&buf, g, 4, 0, 0), marks, "stripes");
        assert_eq!(pixel(&buf, g, 4, 1, 0), fill);
        // A node further on paints its own pages from its first.
        let buf = paint(&map, 1, 2, 3, Grid::for_pages(3), Layer::Owner, &n);
        assert_eq!(pixel(&buf, Grid::for_pages(3), 0, 1, 1), palette::vm(0));
    }

    #[test]
    fn replicas_carry_a_cross_in_every_layer() {
        let n = Neutrals::of(Theme::Light);
        let map = PageMap {
            owner: vec![OWNER_GUEST0; 4],
            kind: vec![PageKind::BufferCache as u8; 4],
            heat: Some(vec![1; 4]),
            replicas: vec![1, 3],
            shared: Vec::new(),
        };
        let g = Grid::for_pages(4);
        for layer in [Layer::Owner, Layer::Heat] {
            let buf = paint(&map, 1, 0, 4, g, layer, &n);
            assert_eq!(pixel(&buf, g, 1, 0, 0), n.text, "{layer:?}: a diagonal");
            assert_eq!(pixel(&buf, g, 1, g.cell - 1, 0), n.text, "{layer:?}: the other");
            assert_ne!(pixel(&buf, g, 1, 1, 0), n.text, "{layer:?}: fill between");
            assert_ne!(pixel(&buf, g, 0, 0, 0), n.text, "{layer:?}: not a replica");
        }
        // A node further on finds its own replicas.
        let buf = paint(&map, 1, 2, 2, Grid::for_pages(2), Layer::Owner, &n);
        assert_eq!(pixel(&buf, Grid::for_pages(2), 1, 0, 0), n.text);
        assert_ne!(pixel(&buf, Grid::for_pages(2), 0, 0, 0), n.text);
    }

    #[test]
    fn shared_pages_carry_a_bar_over_their_sharers_stripes() {
        let n = Neutrals::of(Theme::Light);
        let map = PageMap {
            owner: vec![OWNER_GUEST0; 3],
            kind: vec![PageKind::BufferCache as u8; 3],
            heat: None,
            replicas: Vec::new(),
            shared: vec![sim::frame::SharedMark { page: 1, guests: vec![0, 2] }],
        };
        let g = Grid::for_pages(3);
        assert!(g.cell >= 4);
        let buf = paint(&map, 1, 0, 3, g, Layer::Owner, &n);
        assert_eq!(pixel(&buf, g, 1, 0, 0), n.text, "the bar on top");
        assert_eq!(pixel(&buf, g, 1, g.cell - 1, 0), n.text);
        assert_eq!(pixel(&buf, g, 1, 0, 1), palette::vm(0), "the first sharer's stripe");
        assert_eq!(pixel(&buf, g, 1, g.cell - 1, 1), palette::vm(2), "the second's");
        assert_ne!(pixel(&buf, g, 0, 1, 0), n.text, "a page not shared has no bar");
    }

    #[test]
    fn stripes_split_the_columns_between_the_sharers() {
        assert_eq!(palette::shared_stripe(&[4, 7], 4, 0), Some(4));
        assert_eq!(palette::shared_stripe(&[4, 7], 4, 3), Some(7));
        let many = [0, 1, 2, 3, 4, 5];
        let seen: Vec<_> = (0..3).filter_map(|x| palette::shared_stripe(&many, 3, x)).collect();
        assert_eq!(seen, vec![0, 1, 2], "with more sharers than columns, one each");
        assert_eq!(palette::shared_stripe(&[], 3, 1), None);
    }

    #[test]
    fn paints_heat_on_a_log_scale() {
        let n = Neutrals::of(Theme::Dark);
        let map = PageMap {
            owner: vec![OWNER_GUEST0; 3],
            kind: vec![PageKind::User as u8; 3],
            heat: Some(vec![0, 0, 5, 5, 600, 400]),
            replicas: Vec::new(),
            shared: Vec::new(),
        };
        assert_eq!(heat_max(&map, 2), 1000);
        let g = Grid::for_pages(3);
        let buf = paint(&map, 2, 0, 3, g, Layer::Heat, &n);
        assert_eq!(pixel(&buf, g, 0, 0, 0), n.free, "no misses");
        assert_eq!(pixel(&buf, g, 2, 0, 0), palette::heat(1.0), "the hottest page");
        // Without heat data the owner colours stay.
        let cold = PageMap { heat: None, ..map };
        assert_eq!(pixel(&paint(&cold, 2, 0, 3, g, Layer::Heat, &n), g, 0, 0, 0), palette::vm(0));
    }
}
