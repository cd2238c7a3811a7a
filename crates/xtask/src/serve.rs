//! `cargo xtask serve`: set up, build guests and the web bundle, then serve `dist/`.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::fail;
use crate::steps::Result;

/// Threads answering requests (the bundle is a handful of files).
const THREADS: usize = 4;

/// Builds everything and serves the app until interrupted.
pub fn run(host: &str, port: u16) -> Result<()> {
    let tc = crate::setup::run()?;
    crate::guests::build(&tc)?;
    crate::web::build(&tc)?;
    let dist = crate::root().join("dist");
    let server = tiny_http::Server::http((host, port))
        .map_err(|e| fail!("cannot listen on {host}:{port}: {e} (try --port)"))?;
    let server = Arc::new(server);
    println!("\nDisco in the browser is served at http://{host}:{port}/  (Ctrl-C stops it)");
    let mut handles = Vec::new();
    for _ in 0..THREADS {
        let server = Arc::clone(&server);
        let dist = dist.clone();
        handles.push(std::thread::spawn(move || {
            for request in server.incoming_requests() {
                respond(&dist, request);
            }
        }));
    }
    for h in handles {
        let _ = h.join();
    }
    Ok(())
}

fn respond(dist: &Path, request: tiny_http::Request) {
    let response = match resolve(dist, request.url()) {
        Some(path) => match std::fs::read(&path) {
            Ok(bytes) => {
                let gzip = compressible(&path) && accepts_gzip(&request);
                let bytes = if gzip { gzipped(&bytes) } else { bytes };
                // With a Content-Length, never chunked (tiny_http's default above 32 KB): the
                // worker sizes its downloads from HEAD requests, and shows bytes of that total.
                let mut r =
                    tiny_http::Response::from_data(bytes).with_chunked_threshold(usize::MAX);
                if let Ok(h) = tiny_http::Header::from_bytes("Content-Type", content_type(&path)) {
                    r.add_header(h);
                }
                if gzip && let Ok(h) = tiny_http::Header::from_bytes("Content-Encoding", "gzip") {
                    r.add_header(h);
                }
                if let Ok(h) = tiny_http::Header::from_bytes("Vary", "Accept-Encoding") {
                    r.add_header(h);
                }
                if let Ok(h) = tiny_http::Header::from_bytes("Cache-Control", "no-cache") {
                    r.add_header(h);
                }
                r
            }
            Err(_) => tiny_http::Response::from_string("not found").with_status_code(404),
        },
        None => tiny_http::Response::from_string("not found").with_status_code(404),
    };
    let _ = request.respond(response);
}

/// True for the page's own files, which are sent gzipped to a browser that accepts it, as most
/// static hosts do: about 3.4 MB stored (the two wasm binaries, mostly), 0.8 MB gzipped. Never
/// the guest files (`.zst`): they are compressed already, and the worker must receive their
/// bytes as stored to count its download against their size and expand them itself.
fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("html" | "js" | "wasm" | "css" | "svg" | "json")
    )
}

/// True if the request's `Accept-Encoding` lists gzip.
fn accepts_gzip(request: &tiny_http::Request) -> bool {
    request
        .headers()
        .iter()
        .any(|h| h.field.equiv("Accept-Encoding") && lists_gzip(h.value.as_str()))
}

/// True if an `Accept-Encoding` value lists gzip (with any weight but zero).
fn lists_gzip(value: &str) -> bool {
    value.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        parts.next() == Some("gzip") && !parts.any(|p| p.replace(' ', "") == "q=0")
    })
}

/// `bytes` gzipped at the default level (6): a 2 MB wasm takes some tens of milliseconds, so
/// every request is compressed afresh and nothing is cached.
fn gzipped(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// Maps a URL to a file under `dist`, refusing anything that would leave it.
fn resolve(dist: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let rel = Path::new(path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = dist.join(rel);
    if full.is_dir() { Some(full.join("index.html")) } else { Some(full) }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        // The compressed guest files: opaque bytes that the worker expands itself. Deliberately
        // not `Content-Encoding: zstd`, which would make the browser expand them and report
        // expanded bytes against the compressed Content-Length (guest-pack's crate docs).
        Some("zst") => "application/octet-stream",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_stay_inside_dist() {
        let d = Path::new("/nonexistent/dist");
        assert_eq!(resolve(d, "/app.js?x=1"), Some(d.join("app.js")));
        assert_eq!(resolve(d, "/../etc/passwd"), None);
        assert_eq!(resolve(d, "/a/../../b"), None);
        assert_eq!(content_type(Path::new("x.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("images/x.img.zst")), "application/octet-stream");
    }

    #[test]
    fn the_page_is_gzipped_for_browsers_that_accept_it_the_guest_files_never() {
        assert!(compressible(Path::new("app_bg-0123.wasm")) && compressible(Path::new("a.js")));
        assert!(!compressible(Path::new("assets/images/x.img.zst")));
        assert!(!compressible(Path::new("assets/kernel.zst")));
        assert!(lists_gzip("gzip, deflate, br, zstd") && lists_gzip("br;q=1.0, gzip;q=0.8"));
        assert!(!lists_gzip("br, zstd") && !lists_gzip("gzip;q=0") && !lists_gzip("x-gzip"));
        let page = b"<html>".repeat(1000);
        let mut back = Vec::new();
        use std::io::Read;
        flate2::read::GzDecoder::new(gzipped(&page).as_slice()).read_to_end(&mut back).unwrap();
        assert_eq!(back, page);
    }
}
