//! Small helpers for the views that draw on a `<canvas>`.

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{
    CanvasRenderingContext2d, Element, HtmlCanvasElement, ImageData, ResizeObserver,
    ResizeObserverEntry,
};
use yew::NodeRef;

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
