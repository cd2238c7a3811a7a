//! `cargo xtask sizes`: what a first visit downloads, per preset, from the built `dist/`.
//!
//! The page is every file at the top of `dist/`: `index.html`, the app's and the worker's JS
//! glue and wasm, the stylesheet, the icon and the worker loader (the browser fetches them all
//! before the worker asks for anything). It is counted twice: as stored (what `cargo xtask
//! serve` sends) and gzip -9'd (what a static host that compresses text and wasm on the fly
//! sends). A preset's guest files are its kernels and disk images (`sim::assets::Assets::
//! required`) as the worker fetches them, `dist/assets/<name>.zst`, beside the raw files
//! in `target/guests/` that the page fetched before they were compressed.
//!
//! Columns: the preset's files raw (what the page fetched before they were compressed) and as
//! `.zst`; then the first load three ways: the page as stored with the raw files (as before,
//! up to the decoder's own bytes in the worker's wasm), the page as stored with the `.zst`
//! files, and the page gzipped with the `.zst` files (what `cargo xtask serve` sends to a
//! browser, which accepts gzip).
//!
//! docs/performance.md carries the table this prints. Run `cargo xtask web` first.

use std::io::Write;
use std::path::Path;

use sim::assets::Assets;
use sim::scenario::{PRESETS, Preset};

use crate::fail;
use crate::steps::Result;

/// Prints the first-load table (Markdown) for every preset.
pub fn run() -> Result<()> {
    let dist = crate::root().join("dist");
    let guests = crate::guests::out_dir();
    let (page, page_gz) = page_bytes(&dist)?;
    println!(
        "page: {} stored, {} gzip -9 (index.html, JS, wasm, CSS, icon)\n",
        mb(page),
        mb(page_gz)
    );
    println!(
        "| preset | files raw (before) | files .zst | first load, files raw | first load, page stored | first load, page gzip |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for p in PRESETS {
        let (mut raw, mut packed) = (0, 0);
        for name in Assets::required(&p.scenario()) {
            raw += size(&guests.join(&name))?;
            packed += size(&dist.join("assets").join(guest_pack::packed_name(&name)))?;
        }
        let star = if p == Preset::DEFAULT { " (default)" } else { "" };
        println!(
            "| {}{star} | {} | {} | {} | {} | {} |",
            p.name,
            mb(raw),
            mb(packed),
            mb(page + raw),
            mb(page + packed),
            mb(page_gz + packed)
        );
    }
    expand_times(&dist.join("assets"))
}

/// Times `guest_pack::expand` natively on the largest compressed guest file and on every file
/// whose generated files the worker makes again (a manifest first): the worker does the same in
/// wasm, where it is slower by a small factor.
fn expand_times(assets: &Path) -> Result<()> {
    let mut files = Vec::new();
    for dir in [assets.to_path_buf(), assets.join("images")] {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_file() {
                files.push((size(&path)?, path));
            }
        }
    }
    files.sort();
    let Some(largest) = files.last().map(|(_, path)| path.clone()) else { return Ok(()) };
    println!();
    for (_, path) in &files {
        let packed = std::fs::read(path)?;
        let regenerates = packed.starts_with(&guest_pack::manifest::FRAME_MAGIC);
        if !regenerates && *path != largest {
            continue;
        }
        let start = std::time::Instant::now();
        let raw = guest_pack::expand(&packed).map_err(|e| fail!("{}: {e}", path.display()))?;
        println!(
            "expanding {} ({} -> {}{}) natively: {} ms",
            path.display(),
            mb(packed.len() as u64),
            mb(raw.len() as u64),
            if regenerates { ", generated files made again" } else { "" },
            start.elapsed().as_millis()
        );
    }
    Ok(())
}

/// The page's bytes as stored and gzip -9'd: every file at the top of `dist` (`assets/`, which
/// the worker fetches on demand, is counted per preset).
fn page_bytes(dist: &Path) -> Result<(u64, u64)> {
    let entries = std::fs::read_dir(dist)
        .map_err(|e| fail!("{}: {e} (run `cargo xtask web` first)", dist.display()))?;
    let (mut stored, mut gz) = (0u64, 0u64);
    for entry in entries {
        let path = entry?.path();
        if path.is_file() {
            let bytes = std::fs::read(&path)?;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            enc.write_all(&bytes)?;
            stored += bytes.len() as u64;
            gz += enc.finish()?.len() as u64;
        }
    }
    Ok((stored, gz))
}

/// A file's size; an error naming it if it is missing.
fn size(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)
        .map_err(|e| fail!("{}: {e} (run `cargo xtask web` first)", path.display()))?
        .len())
}

/// Bytes in MB (10^6), two decimals.
fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}
