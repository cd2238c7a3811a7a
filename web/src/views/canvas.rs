//! Small helpers for the views that draw on a `<canvas>`.

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{
    CanvasRenderingContext2d, Element, HtmlCanvasElement, ImageData, ResizeObserver,
    ResizeObserverEntry,
};
use yew::NodeRef;

/// Room a floating tooltip needs right of and below the pointer (CSS pixels, its maximum
/// width and a typical height); with less, it opens on the other side.
const TIP_ROOM: (f64, f64) = (360.0, 220.0);

/// The `style` of a floating tooltip (`position: fixed`) for a pointer at (`x`, `y`) in a
/// viewport of `w`×`h` CSS pixels: below right of the pointer, but flipped to its left near the
/// right edge and above it near the bottom, so that it is never squashed against an edge.
pub fn tooltip_style(x: i32, y: i32, w: f64, h: f64) -> String {
    let (x, y) = (f64::from(x), f64::from(y));
    let across = if x + 14.0 + TIP_ROOM.0 > w && x > w / 2.0 {
        format!("right: {}px", (w - x + 14.0).round())
    } else {
        format!("left: {}px", x + 14.0)
    };
    let down = if y + 14.0 + TIP_ROOM.1 > h && y > h / 2.0 {
        format!("bottom: {}px", (h - y + 14.0).round())
    } else {
        format!("top: {}px", y + 14.0)
    };
    format!("{across}; {down}")
}

/// [`tooltip_style`] in this window (its size without scroll bars, as `position: fixed` sees
/// it).
pub fn tooltip_at(x: i32, y: i32) -> String {
    let root = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element());
    let (w, h) = root.map_or((f64::MAX, f64::MAX), |r| {
        (f64::from(r.client_width()), f64::from(r.client_height()))
    });
    tooltip_style(x, y, w, h)
}

/// The canvas behind `node` and its 2-D context.
pub fn context(node: &NodeRef) -> Option<(HtmlCanvasElement, CanvasRenderingContext2d)> {
    let canvas = node.cast::<HtmlCanvasElement>()?;
    let ctx = canvas.get_context("2d").ok()??.dyn_into::<CanvasRenderingContext2d>().ok()?;
    Some((canvas, ctx))
}

/// Copies an RGBA buffer of `width`×`height` pixels onto the canvas (resizing it to match).
pub fn put_rgba(node: &NodeRef, rgba: &[u8], width: u32, height: u32) {
    let Some((canvas, ctx)) = context(node) else { return };
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    match ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height) {
        Ok(image) => {
            let _ = ctx.put_image_data(&image, 0.0, 0.0);
        }
        Err(e) => web_sys::console::warn_2(&"canvas: bad image".into(), &e),
    }
}

/// Sizes the canvas's backing store to `css_width`×`css_height` CSS pixels times the device pixel
/// ratio and scales the context so drawing is in CSS pixels. (The width comes from a
/// [`use_width`] observer: reading the layout while drawing would force a layout every frame.)
/// True if the canvas was resized, which resets the context's state (font, transform...).
pub fn fit(
    canvas: &HtmlCanvasElement,
    ctx: &CanvasRenderingContext2d,
    css_width: f64,
    css_height: f64,
) -> bool {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let (w, h) = ((css_width * ratio).round() as u32, (css_height * ratio).round() as u32);
    if canvas.width() == w && canvas.height() == h {
        return false;
    }
    canvas.set_width(w);
    canvas.set_height(h);
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    true
}

/// The width of the element behind `node` in CSS pixels, kept up to date by a
/// `ResizeObserver` (0 until it has been laid out).
#[yew::hook]
pub fn use_width(node: NodeRef) -> f64 {
    let width = yew::use_state(|| 0.0f64);
    {
        let setter = width.setter();
        yew::use_effect_with((), move |_| {
            let on_resize =
                Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
                    if let Ok(e) = entries.get(0).dyn_into::<ResizeObserverEntry>() {
                        setter.set(e.content_rect().width());
                    }
                });
            let observer = ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
            if let (Some(o), Some(el)) = (&observer, node.cast::<Element>()) {
                o.observe(&el);
            }
            move || {
                if let Some(o) = observer {
                    o.disconnect();
                }
                drop(on_resize);
            }
        });
    }
    *width
}

/// The point of a mouse event in the canvas's own pixels (which may differ from CSS pixels when
/// the canvas is scaled by the stylesheet).
pub fn point(ev: &web_sys::MouseEvent, canvas: &HtmlCanvasElement) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    let sx = f64::from(canvas.width()) / rect.width().max(1.0);
    let sy = f64::from(canvas.height()) / rect.height().max(1.0);
    ((f64::from(ev.client_x()) - rect.left()) * sx, (f64::from(ev.client_y()) - rect.top()) * sy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tooltips_flip_away_from_the_edges() {
        assert_eq!(tooltip_style(100, 100, 1280.0, 720.0), "left: 114px; top: 114px");
        // At the right edge of a 1280-pixel window it opens to the left of the pointer...
        assert_eq!(tooltip_style(1250, 100, 1280.0, 720.0), "right: 44px; top: 114px");
        // ... and near the bottom, above it.
        assert_eq!(tooltip_style(100, 650, 1280.0, 720.0), "left: 114px; bottom: 84px");
    }
}
