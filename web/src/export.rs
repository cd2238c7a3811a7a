//! Export: what a panel shows, as files — every chart as SVG (the drawings that are SVG) and
//! PNG, every table and time series as CSV, every canvas (the page map, the timeline, the NUMA
//! charts) as PNG.
//!
//! It works on the panel's DOM, so every panel gets it without code of its own: a panel lists
//! what it can export when its Export menu opens ([`exportables`]) — its `<svg role="img">`
//! charts, its `<canvas>` drawings, its `<table>`s and the elements that carry a time series as
//! a `data-csv` attribute — and [`export`] writes the chosen one. An SVG is written with the
//! colours and fonts the page's stylesheet gave it inlined, so that the file looks the same
//! outside the page.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlCanvasElement};

/// What a panel can export, found in its DOM.
#[derive(Clone, Debug, PartialEq)]
pub struct Exportable {
    /// The menu's words (`Page map, node 0 (PNG)`).
    pub label: String,
    /// What to write.
    pub kind: Kind,
    /// Which element of its kind in the panel (document order).
    pub index: u32,
    /// The file name without extension.
    pub stem: String,
}

/// A kind of export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An SVG chart as an SVG file.
    Svg,
    /// An SVG chart drawn into a PNG.
    SvgPng,
    /// A canvas as a PNG.
    CanvasPng,
    /// A table as CSV.
    TableCsv,
    /// A time series (an element's `data-csv`) as CSV.
    SeriesCsv,
}

impl Kind {
    fn selector(self) -> &'static str {
        match self {
            Kind::Svg | Kind::SvgPng => "svg[role=img]",
            Kind::CanvasPng => "canvas:not([aria-hidden=true])",
            Kind::TableCsv => "table",
            Kind::SeriesCsv => "[data-csv]",
        }
    }
}

/// A file name part from `s`: lower case, words joined by dashes.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// What an element is called: its `aria-label` up to the first colon or comma, else its
/// `data-testid`, else `what` and its number.
fn name_of(el: &Element, what: &str, i: u32) -> String {
    // An aria-label's first clause names the thing; the rest describes it for a screen reader.
    el.get_attribute("aria-label")
        .map(|l| l.split([':', ',']).next().unwrap_or_default().trim().to_string())
        .or_else(|| el.get_attribute("data-testid"))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| format!("{what} {}", i + 1))
}

fn all(root: &Element, kind: Kind) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(kind.selector()) else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

/// Everything the panel `root` (titled `title`) can export now.
pub fn exportables(root: &Element, title: &str) -> Vec<Exportable> {
    let panel = slug(title);
    let mut out = Vec::new();
    let mut add = |kind: Kind, what: &str, ext: &str| {
        for (i, el) in all(root, kind).iter().enumerate() {
            let i = i as u32;
            let name = name_of(el, what, i);
            out.push(Exportable {
                label: format!("{name} ({ext})"),
                kind,
                index: i,
                stem: format!("{panel}-{}", slug(&name)),
            });
        }
    };
    add(Kind::Svg, "chart", "SVG");
    add(Kind::SvgPng, "chart", "PNG");
    add(Kind::CanvasPng, "drawing", "PNG");
    add(Kind::TableCsv, "table", "CSV");
    add(Kind::SeriesCsv, "series", "CSV");
    out
}

/// Writes `what` from the panel `root`; an error in words.
pub fn export(root: &Element, what: &Exportable) -> Result<(), String> {
    let el =
        all(root, what.kind).into_iter().nth(what.index as usize).ok_or("it is no longer shown")?;
    match what.kind {
        Kind::Svg => {
            let svg = svg_text(&el)?;
            download_text(&format!("{}.svg", what.stem), "image/svg+xml", &svg)
        }
        Kind::SvgPng => svg_to_png(&el, format!("{}.png", what.stem)),
        Kind::CanvasPng => {
            let canvas: HtmlCanvasElement = el.dyn_into().map_err(|_| "not a drawing")?;
            let url = canvas.to_data_url().map_err(|_| "the drawing cannot be read")?;
            download_url(&format!("{}.png", what.stem), &url)
        }
        Kind::TableCsv => download_text(&format!("{}.csv", what.stem), "text/csv", &table_csv(&el)),
        Kind::SeriesCsv => {
            let csv = el.get_attribute("data-csv").unwrap_or_default();
            download_text(&format!("{}.csv", what.stem), "text/csv", &csv)
        }
    }
}

/// A CSV field: quoted when it holds a comma, a quote or a line break (RFC 4180).
pub fn csv_field(s: &str) -> String {
    let s = s.trim();
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A table's rows as CSV, a line per row, the header cells too.
fn table_csv(table: &Element) -> String {
    let mut out = String::new();
    let Ok(rows) = table.query_selector_all("tr") else { return out };
    for i in 0..rows.length() {
        let Some(row) = rows.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else { continue };
        let Ok(cells) = row.query_selector_all("th, td") else { continue };
        let fields: Vec<String> = (0..cells.length())
            .filter_map(|j| cells.item(j)?.text_content())
            .map(|t| csv_field(&t))
            .collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// The styles the page's stylesheet gives an SVG's parts that the file needs to look the same.
const STYLES: [&str; 9] = [
    "fill",
    "stroke",
    "stroke-width",
    "stroke-dasharray",
    "opacity",
    "fill-opacity",
    "font-size",
    "font-family",
    "font-weight",
];

/// A standalone SVG document of `svg`: its size fixed, the stylesheet's styles inlined.
fn svg_text(svg: &Element) -> Result<String, String> {
    let copy: Element =
        svg.clone_node_with_deep(true).map_err(|_| "cannot copy")?.dyn_into().map_err(|_| "?")?;
    let window = web_sys::window().ok_or("no window")?;
    let originals = svg.query_selector_all("*").map_err(|_| "?")?;
    let copies = copy.query_selector_all("*").map_err(|_| "?")?;
    let mut pairs = vec![(svg.clone(), copy.clone())];
    for i in 0..originals.length().min(copies.length()) {
        let (Some(a), Some(b)) = (originals.item(i), copies.item(i)) else { continue };
        if let (Ok(a), Ok(b)) = (a.dyn_into::<Element>(), b.dyn_into::<Element>()) {
            pairs.push((a, b));
        }
    }
    for (original, copy) in &pairs {
        let Ok(Some(style)) = window.get_computed_style(original) else { continue };
        let mut inline = String::new();
        for p in STYLES {
            if let Ok(v) = style.get_property_value(p)
                && !v.is_empty()
            {
                inline.push_str(&format!("{p}:{v};"));
            }
        }
        let _ = copy.set_attribute("style", &inline);
    }
    let rect = svg.get_bounding_client_rect();
    let _ = copy.set_attribute("xmlns", "http://www.w3.org/2000/svg");
    let _ = copy.set_attribute("width", &format!("{:.0}", rect.width()));
    let _ = copy.set_attribute("height", &format!("{:.0}", rect.height()));
    let serializer = web_sys::XmlSerializer::new().map_err(|_| "cannot write SVG")?;
    serializer.serialize_to_string(&copy).map_err(|_| "cannot write SVG".to_string())
}

/// Draws `svg` at twice its size on the page's background into a PNG and downloads it.
fn svg_to_png(svg: &Element, name: String) -> Result<(), String> {
    let text = svg_text(svg)?;
    let rect = svg.get_bounding_client_rect();
    let (w, h) = ((rect.width() * 2.0).max(1.0) as u32, (rect.height() * 2.0).max(1.0) as u32);
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let background = web_sys::window()
        .and_then(|w| {
            let body: Element = document.body()?.into();
            w.get_computed_style(&body).ok().flatten()
        })
        .and_then(|s| s.get_property_value("background-color").ok())
        .unwrap_or_else(|| "white".into());
    let image = web_sys::HtmlImageElement::new().map_err(|_| "cannot draw")?;
    let source =
        format!("data:image/svg+xml;charset=utf-8,{}", js_sys::encode_uri_component(&text));
    let img = image.clone();
    let onload = Closure::once_into_js(move || {
        let drawn = (|| -> Option<String> {
            let canvas: HtmlCanvasElement =
                document.create_element("canvas").ok()?.dyn_into().ok()?;
            canvas.set_width(w);
            canvas.set_height(h);
            let ctx: web_sys::CanvasRenderingContext2d =
                canvas.get_context("2d").ok()??.dyn_into().ok()?;
            ctx.set_fill_style_str(&background);
            ctx.fill_rect(0.0, 0.0, f64::from(w), f64::from(h));
            ctx.draw_image_with_html_image_element_and_dw_and_dh(
                &img,
                0.0,
                0.0,
                f64::from(w),
                f64::from(h),
            )
            .ok()?;
            canvas.to_data_url().ok()
        })();
        if let Some(url) = drawn {
            let _ = download_url(&name, &url);
        }
    });
    image.set_onload(Some(onload.unchecked_ref()));
    image.set_src(&source);
    Ok(())
}

/// Downloads `text` as the file `name`.
fn download_text(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot make the file")?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot make the file")?;
    let done = download_url(name, &url);
    let _ = web_sys::Url::revoke_object_url(&url);
    done
}

/// Downloads what `url` holds as the file `name` (a link with `download`, clicked).
fn download_url(name: &str, url: &str) -> Result<(), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "cannot make a link")?
        .dyn_into()
        .map_err(|_| "cannot make a link")?;
    a.set_href(url);
    a.set_download(name);
    a.click();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_fields() {
        assert_eq!(slug("Memory sharing"), "memory-sharing");
        assert_eq!(slug("pagemap-node0 (x)"), "pagemap-node0-x");
        assert_eq!(csv_field(" 12.5 "), "12.5");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
