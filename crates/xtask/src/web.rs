//! `cargo xtask web`: the release build of the app and its worker into `dist/`.
//!
//! The pipeline, in order (each step's output is the next one's input):
//!
//! 1. `cargo fetch`, then an offline `cargo build --release --target wasm32-unknown-unknown` of
//!    each entry ([`ENTRIES`]: `web`'s bin `app`, `worker`'s bin `worker`) into `target/web`,
//!    with the cross toolchain and build-std.
//! 2. `wasm-bindgen` on each `.wasm` into `target/web/bindgen/<bin>/`: the app as an ES module
//!    (`--target web`), the worker as a classic script (`--target no-modules`) because the page
//!    starts it as a classic worker.
//! 3. `dist/` is rebuilt from scratch: the generated JS and wasm, the page's static files (those
//!    `index.html` names), `worker_loader.js` (written here) and `index.html` (the template with
//!    its `{{...}}` placeholders replaced by file names).
//! 4. The guest kernels and disk images are compressed into `dist/assets/` as `<name>.zst`
//!    ([`pack_assets`]; the worker fetches and expands them with `guest-pack`). An image whose
//!    variant holds generated files (the database's tables) is compressed without their bytes,
//!    behind a manifest the worker regenerates them from.
//!
//! Cache busting: every file except the two entry points (`index.html`, and `worker_loader.js`
//! whose name the app hard-codes) gets a content hash in its name. The page's JS glue and its
//! wasm must come from the same build — wasm-bindgen's glue imports the wasm's functions by
//! generated names — and hashed names make each page load exactly the files built with it,
//! however a server or proxy caches, while unchanged files stay cacheable across builds. `cargo xtask serve` and the e2e harness serve
//! without long-lived caching, so the two fixed-name entry points are always fresh there.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::fail;
use crate::steps::{Result, exec, header, output};
use crate::toolchain::Toolchain;

/// How the page loads one wasm-bindgen output.
#[derive(Clone, Copy)]
enum Loader {
    /// An ES module imported by a `<script type="module">` in `index.html`.
    Module,
    /// A classic worker script: wasm-bindgen's `no-modules` output, pulled in by
    /// `worker_loader.js` with `importScripts` (module workers would need the page to pass
    /// `{ type: "module" }`; the classic form works in every browser that runs the app).
    ClassicWorker,
}

/// One wasm binary of the bundle.
struct Entry {
    /// Cargo package.
    package: &'static str,
    /// Binary of that package; also the base name of its files in `dist/`.
    bin: &'static str,
    /// How it is loaded.
    loader: Loader,
}

/// The app (main thread) and the simulator's worker.
const ENTRIES: &[Entry] = &[
    Entry { package: "web", bin: "app", loader: Loader::Module },
    Entry { package: "worker", bin: "worker", loader: Loader::ClassicWorker },
];

/// Where the app starts its worker (web/src/bridge.rs `WORKER_SCRIPT`): a fixed name.
const WORKER_LOADER: &str = "worker_loader.js";
/// The cross target.
const TARGET: &str = "wasm32-unknown-unknown";

/// Builds the web bundle offline with the cross toolchain.
pub fn build(tc: &Toolchain) -> Result<()> {
    let root = crate::root();
    // A separate target dir: the host build (another rustc) must not fight over locks, and
    // build-std artifacts must not mix with host ones.
    let target_dir = root.join("target/web");

    header("web: cargo fetch");
    // The builds below run offline, so fetch the crates first, including the standard
    // library's own dependencies that build-std needs. Also for the host: build scripts and
    // proc macros run there, and cargo wants their dependencies' host-only dependencies (tokio,
    // for one) on disk even though it does not compile them for this build.
    let host = output(Command::new(&tc.rustc).args(["--print", "host-tuple"]))
        .ok_or_else(|| fail!("`{} --print host-tuple` failed", tc.rustc.display()))?;
    let mut fetch = Command::new(&tc.cargo);
    tc.cross_env(&mut fetch);
    fetch.env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort").current_dir(&root).args([
        "fetch",
        "--target",
        TARGET,
        "--target",
        host.trim(),
    ]);
    exec(&mut fetch)?;

    // One cargo run per entry, not one for both: cargo would unify `sim`'s features across the
    // two packages, and the app must be built without the simulator engine (web/Cargo.toml).
    for e in ENTRIES {
        header(&format!("web: cargo build --release -p {} --bin {}", e.package, e.bin));
        let mut cmd = Command::new(&tc.cargo);
        tc.cross_env(&mut cmd);
        cmd.env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort").current_dir(&root).args([
            "build",
            "--offline",
            "--release",
            "--target",
            TARGET,
            "-p",
            e.package,
            "--bin",
            e.bin,
            "--target-dir",
        ]);
        cmd.arg(&target_dir);
        exec(&mut cmd)?;
    }

    let bindgen = target_dir.join("bindgen");
    for e in ENTRIES {
        header(&format!("web: wasm-bindgen {}", e.bin));
        let out = bindgen.join(e.bin);
        // Stale files of an earlier run (snippets of a removed dependency) must not reach dist.
        if out.exists() {
            std::fs::remove_dir_all(&out)?;
        }
        let wasm = target_dir.join(TARGET).join("release").join(format!("{}.wasm", e.bin));
        let target = match e.loader {
            Loader::Module => "web",
            Loader::ClassicWorker => "no-modules",
        };
        // wasm-bindgen-cli comes from `cargo xtask setup`, at Cargo.lock's version (the CLI and
        // the library must match exactly).
        let mut cmd = Command::new("wasm-bindgen");
        cmd.args(["--target", target, "--no-typescript", "--out-name", e.bin, "--out-dir"])
            .arg(&out)
            .arg(&wasm);
        exec(&mut cmd)?;
    }

    header("web: dist/");
    assemble(&root, &bindgen, &root.join("dist"))?;
    copy_results(&root, &root.join("dist"))?;
    pack_assets(&crate::guests::out_dir(), &root.join("dist/assets"), &target_dir.join("packed"))
}

/// Copies the experiments' results (`static/results/NAME.{json,csv,svg}`, written by `disco
/// experiment NAME --size full --out static/results`) into `dist/results/`, where the Paper
/// view fetches them, with `index.json`: the names of the experiments there, so that the view
/// asks only for files that exist. None is an error: the view says which are missing.
fn copy_results(root: &Path, dist: &Path) -> Result<()> {
    let from = root.join("static/results");
    let to = dist.join("results");
    std::fs::create_dir_all(&to)?;
    let mut names = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&from) {
        for entry in entries {
            let path = entry?.path();
            let Some(ext) = path.extension().and_then(|e| e.to_str()) else { continue };
            if !matches!(ext, "json" | "csv" | "svg") {
                continue;
            }
            let name = path.file_name().expect("a file name");
            std::fs::copy(&path, to.join(name))
                .map_err(|e| fail!("cannot copy {}: {e}", path.display()))?;
            if ext == "json" {
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                names.push(format!("\"{stem}\""));
            }
        }
    }
    names.sort();
    std::fs::write(to.join("index.json"), format!("[{}]\n", names.join(", ")))?;
    println!("  {} experiment results in {}", names.len(), to.display());
    Ok(())
}

/// Rebuilds `dist` from the wasm-bindgen outputs under `bindgen`, the static files and the
/// `index.html` template in `root`.
fn assemble(root: &Path, bindgen: &Path, dist: &Path) -> Result<()> {
    // From scratch, so that files of earlier builds (old hashes) do not pile up; the guest
    // assets are written again afterwards (from the compression cache).
    if dist.exists() {
        std::fs::remove_dir_all(dist)?;
    }
    std::fs::create_dir_all(dist)?;

    // Names the page refers to (`app.js`, `style.css`, ...) -> their hashed names in dist.
    let mut names = BTreeMap::new();
    for e in ENTRIES {
        let out = bindgen.join(e.bin);
        let (glue, wasm) = (format!("{}.js", e.bin), format!("{}_bg.wasm", e.bin));
        for file in [&glue, &wasm] {
            let name = publish(&out.join(file), dist)?;
            names.insert(file.clone(), name);
        }
        if let Loader::ClassicWorker = e.loader {
            std::fs::write(dist.join(WORKER_LOADER), worker_loader(&names[&glue], &names[&wasm]))?;
        }
        // Anything else wasm-bindgen wrote (a `snippets/` tree for `inline_js` or
        // `#[wasm_bindgen(module = ...)]`) is imported by relative path from the glue, so it keeps
        // its name and place.
        for item in std::fs::read_dir(&out)? {
            let item = item?;
            let file = item.file_name().to_string_lossy().into_owned();
            if !names.contains_key(&file) {
                copy_tree(&item.path(), &dist.join(&file))?;
            }
        }
    }

    let template = std::fs::read_to_string(root.join("index.html"))
        .map_err(|e| fail!("cannot read index.html: {e}"))?;
    let html = render(&template, |key| match names.get(key) {
        Some(name) => Ok(name.clone()),
        // Any other placeholder is a file of the repository (static/...) the page links to.
        None => publish(&root.join(key), dist),
    })?;
    std::fs::write(dist.join("index.html"), html)?;
    println!("  {} files in {}", std::fs::read_dir(dist)?.count(), dist.display());
    Ok(())
}

/// Copies `from` into `dist` under a content-hashed name (`style.css` -> `style-<hash>.css`)
/// and returns that name.
fn publish(from: &Path, dist: &Path) -> Result<String> {
    let bytes = std::fs::read(from).map_err(|e| fail!("cannot read {}: {e}", from.display()))?;
    let file = from.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let name = hashed_name(&file, &bytes);
    std::fs::write(dist.join(&name), bytes)?;
    Ok(name)
}

/// `stem.ext` -> `stem-<16 hex digits of the content's hash>.ext`.
fn hashed_name(file: &str, bytes: &[u8]) -> String {
    let (stem, ext) = file.split_once('.').unwrap_or((file, ""));
    let dot = if ext.is_empty() { "" } else { "." };
    format!("{stem}-{:016x}{dot}{ext}", fnv1a(bytes))
}

/// 64-bit FNV-1a: a fixed, dependency-free hash (std's `DefaultHasher` may change between Rust
/// releases, which would rename files for nothing). Collisions only cost a stale cache entry.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// Replaces every `{{key}}` of `template` with `lookup(key)`; an unclosed `{{` is an error.
fn render(template: &str, mut lookup: impl FnMut(&str) -> Result<String>) -> Result<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| fail!("index.html: unclosed {{{{"))?;
        out.push_str(&lookup(after[..end].trim())?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The classic worker script the app starts: loads wasm-bindgen's `no-modules` glue, which
/// defines the global `wasm_bindgen`, then instantiates the wasm (whose `main` runs the worker).
fn worker_loader(glue: &str, wasm: &str) -> String {
    format!(
        "// Written by `cargo xtask web` (crates/xtask/src/web.rs).\n\
         importScripts(\"./{glue}\");\n\
         // A rejected promise in a worker never reaches the page; an uncaught exception fires the\n\
         // Worker's `error` event, which the page's bridge reports. So a failed load is rethrown.\n\
         wasm_bindgen({{ module_or_path: \"./{wasm}\" }}).catch((e) => setTimeout(() => {{ throw e; }}));\n"
    )
}

/// Copies a file, or a directory recursively.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for item in std::fs::read_dir(from)? {
            let item = item?;
            copy_tree(&item.path(), &to.join(item.file_name()))?;
        }
    } else {
        std::fs::copy(from, to)
            .map_err(|e| fail!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    }
    Ok(())
}

/// zstd's level for the shipped files: the highest of the normal levels (19). Levels 20–22
/// ("ultra") gain under 0.2% on these files and need a bigger window to decode; lower levels
/// cost 10% (level 15) to 40% (level 3) more bytes on the wire. Compressing takes about 20 s
/// for all files, once: the results are cached by content (see [`pack`]).
const LEVEL: i32 = 19;

/// The guest files the worker may fetch (relative to `guests`, the guest build's output): the
/// kernels (dux's two builds and SPLASHOS) and every disk image.
fn guest_files(guests: &Path) -> Result<Vec<String>> {
    let mut files = vec!["kernel".to_string(), "kernel-disco".to_string(), "splashos".to_string()];
    let dir = guests.join("images");
    let images = std::fs::read_dir(&dir)
        .map_err(|e| fail!("{}: {e} (run `cargo xtask guests`)", dir.display()))?;
    let mut names = Vec::new();
    for entry in images {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".img") {
            names.push(format!("images/{name}"));
        }
    }
    names.sort();
    files.extend(names);
    Ok(files)
}

/// Writes every guest file the worker may fetch into `assets` as one zstd frame,
/// `<name>.zst` (`guest_pack::packed_name`), and checks that each expands to exactly the
/// original bytes with the worker's own decoder before going on. The raw files are not
/// shipped: 11–49 MB an image, they would be most of a first load.
///
/// An image whose variant has files a generator makes ([`manifest_of`]: the database's tables)
/// is compressed with those files' bytes zeroed, behind a manifest from which the worker makes
/// them again: the tables are random rows no compressor shrinks much (`db-full.img` was 11.8 MB
/// compressed whole, its tables 9.2 MB of that even with xz).
///
/// `cache` keeps compressed files by the content hash of their input, so an unchanged image
/// is not compressed again (level 19 takes some 18 s for the 49 MB database image).
fn pack_assets(guests: &Path, assets: &Path, cache: &Path) -> Result<()> {
    std::fs::create_dir_all(assets.join("images"))?;
    std::fs::create_dir_all(cache)?;
    let (mut raw_total, mut packed_total) = (0u64, 0u64);
    let files = guest_files(guests)?;
    for f in &files {
        let from = guests.join(f);
        let raw = std::fs::read(&from).map_err(|e| fail!("cannot read {}: {e}", from.display()))?;
        let manifest = manifest_of(f, &raw)?;
        let packed = match &manifest {
            None => pack(&raw, cache)?,
            Some(m) => {
                let mut holed = raw.clone();
                m.punch(&mut holed).map_err(|e| fail!("{f}: {e}"))?;
                guest_pack::with_manifest(m, &pack(&holed, cache)?)
            }
        };
        // The worker relies on this: what it expands is what the command line runs.
        match guest_pack::expand(&packed) {
            Ok(back) if back == raw => {}
            Ok(_) => return Err(fail!("{f}: the compressed file expands to other bytes")),
            Err(e) => return Err(fail!("{f}: the compressed file does not expand: {e}")),
        }
        let to = assets.join(guest_pack::packed_name(f));
        std::fs::write(&to, &packed).map_err(|e| fail!("cannot write {}: {e}", to.display()))?;
        let regenerated = match &manifest {
            Some(m) => format!(" ({} files left out, regenerated by the worker)", m.files.len()),
            None => String::new(),
        };
        println!(
            "  {:<28} {:>10} -> {:>9} bytes{regenerated}",
            guest_pack::packed_name(f),
            raw.len(),
            packed.len()
        );
        raw_total += raw.len() as u64;
        packed_total += packed.len() as u64;
    }
    println!(
        "  {} guest files in {}: {:.1} MB compressed from {:.1} MB",
        files.len(),
        assets.display(),
        packed_total as f64 / 1e6,
        raw_total as f64 / 1e6
    );
    Ok(())
}

/// The manifest of guest file `f` (bytes `raw`) if it is the image of a variant with generated
/// files (`rootfs::Variant::generated`), `None` for any other file.
fn manifest_of(f: &str, raw: &[u8]) -> Result<Option<guest_pack::Manifest>> {
    let Some(stem) = f.strip_prefix("images/").and_then(|n| n.strip_suffix(".img")) else {
        return Ok(None);
    };
    let variant = rootfs::Variant::ALL.into_iter().find(|v| v.name() == stem);
    let Some((generator, dir)) = variant.and_then(rootfs::Variant::generated) else {
        return Ok(None);
    };
    manifest(raw, generator, dir).map(Some).map_err(|e| fail!("{f}: {e}"))
}

/// The manifest of `image` that leaves out every file `generator` makes, each found under its
/// generator's name in directory `dir` of the image's file system. Each file in the image must
/// be exactly what the generator makes now (else the guests were built by another version of it:
/// rebuild them).
fn manifest(image: &[u8], generator: &str, dir: &str) -> Result<guest_pack::Manifest> {
    let g = guest_pack::generators::find(generator)
        .ok_or_else(|| fail!("no generator `{generator}` in guest_pack::generators"))?;
    let fs = mkfs::Image::open(image.to_vec()).map_err(|e| fail!("{e}"))?;
    let mut files = Vec::new();
    for (file, bytes) in g.generate() {
        let path = format!("{dir}/{file}");
        let on_disk = fs.read(&path).map_err(|e| fail!("{e}"))?;
        if on_disk != bytes {
            return Err(fail!(
                "{path} is not what `{generator}` makes now (run `cargo xtask guests`)"
            ));
        }
        let extents = fs.extents(&path).map_err(|e| fail!("{e}"))?;
        files.push(guest_pack::manifest::Regenerated {
            generator: generator.to_string(),
            file,
            length: bytes.len() as u64,
            extents,
        });
    }
    Ok(guest_pack::Manifest::new(image, files))
}

/// `raw` as one zstd frame at [`LEVEL`] that records its size and a checksum of its contents
/// (`guest_pack::expand` requires both), from `cache` when the same bytes were compressed
/// before.
fn pack(raw: &[u8], cache: &Path) -> Result<Vec<u8>> {
    let cached = cache.join(format!("{:016x}-{}-{LEVEL}.zst", fnv1a(raw), raw.len()));
    if let Ok(packed) = std::fs::read(&cached) {
        return Ok(packed);
    }
    let mut c = zstd::bulk::Compressor::new(LEVEL)?;
    c.include_checksum(true)?;
    c.include_contentsize(true)?;
    let packed = c.compress(raw)?;
    // Written under another name and renamed, so that an interrupted build leaves no half file
    // in the cache.
    let part = cached.with_extension("part");
    std::fs::write(&part, &packed)?;
    std::fs::rename(&part, &cached)?;
    Ok(packed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_replaced() {
        let html = render("<a href=\"{{ x.css }}\">{{y}}</a>", |k| Ok(format!("<{k}>"))).unwrap();
        assert_eq!(html, "<a href=\"<x.css>\"><y></a>");
        assert!(render("{{x", |k| Ok(k.to_string())).is_err());
        assert!(render("{{x}}", |_| Err(fail!("no"))).is_err());
    }

    #[test]
    fn dist_is_assembled_from_the_template() {
        let tmp = std::env::temp_dir().join(format!("xtask-web-test-{}", std::process::id()));
        let (root, bindgen, dist) = (tmp.join("root"), tmp.join("bindgen"), tmp.join("dist"));
        for e in ENTRIES {
            std::fs::create_dir_all(bindgen.join(e.bin)).unwrap();
            std::fs::write(bindgen.join(e.bin).join(format!("{}.js", e.bin)), e.bin).unwrap();
            std::fs::write(bindgen.join(e.bin).join(format!("{}_bg.wasm", e.bin)), "w").unwrap();
        }
        std::fs::create_dir_all(bindgen.join("app/snippets/x")).unwrap();
        std::fs::write(bindgen.join("app/snippets/x/inline0.js"), "s").unwrap();
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("static/a.css"), "css").unwrap();
        std::fs::write(root.join("index.html"), "{{static/a.css}} {{app.js}} {{app_bg.wasm}}")
            .unwrap();
        std::fs::create_dir_all(dist.join("stale")).unwrap();

        assemble(&root, &bindgen, &dist).unwrap();
        let html = std::fs::read_to_string(dist.join("index.html")).unwrap();
        let files: Vec<&str> = html.split(' ').collect();
        assert!(files[0].starts_with("a-") && files[0].ends_with(".css"), "{html}");
        assert!(files[1].starts_with("app-") && files[2].starts_with("app_bg-"), "{html}");
        for f in files {
            assert!(dist.join(f).is_file(), "{f} is in dist");
        }
        let loader = std::fs::read_to_string(dist.join(WORKER_LOADER)).unwrap();
        assert!(loader.contains("importScripts(\"./worker-"), "{loader}");
        assert!(loader.contains("module_or_path: \"./worker_bg-"), "{loader}");
        assert!(dist.join("snippets/x/inline0.js").is_file());
        assert!(!dist.join("stale").exists());
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn every_packed_asset_expands_to_its_guest_file() {
        let tmp = std::env::temp_dir().join(format!("xtask-pack-test-{}", std::process::id()));
        let (guests, assets, cache) = (tmp.join("guests"), tmp.join("assets"), tmp.join("cache"));
        std::fs::create_dir_all(guests.join("images")).unwrap();
        let mut files = BTreeMap::new();
        for (i, name) in ["kernel", "kernel-disco", "splashos", "images/a.img", "images/b.img"]
            .into_iter()
            .enumerate()
        {
            // A disk-like file: mostly zeros, some structure, a little noise.
            let mut bytes = vec![0u8; 300_000 + i * 4096];
            for (j, b) in bytes.iter_mut().enumerate().step_by(7) {
                *b = (j as u32).wrapping_mul(2_654_435_761).rotate_left(i as u32) as u8;
            }
            std::fs::write(guests.join(name), &bytes).unwrap();
            files.insert(name, bytes);
        }
        std::fs::write(guests.join("images/notes.txt"), "not an image").unwrap();

        pack_assets(&guests, &assets, &cache).unwrap();
        for (name, bytes) in &files {
            let packed = std::fs::read(assets.join(format!("{name}.zst"))).unwrap();
            assert!(packed.len() * 4 < bytes.len(), "{name} is compressed");
            assert!(guest_pack::expand(&packed).unwrap() == *bytes, "{name} expands to its bytes");
        }
        assert!(!assets.join("images/notes.txt.zst").exists(), "only kernels and images");
        assert_eq!(std::fs::read_dir(&cache).unwrap().count(), files.len());
        // A second build finds them all in the cache, and writes the same files.
        let before = std::fs::read(assets.join("images/a.img.zst")).unwrap();
        std::fs::remove_dir_all(&assets).unwrap();
        pack_assets(&guests, &assets, &cache).unwrap();
        assert_eq!(std::fs::read(assets.join("images/a.img.zst")).unwrap(), before);
        assert_eq!(std::fs::read_dir(&cache).unwrap().count(), files.len());
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn an_image_with_generated_files_ships_without_them() {
        let tmp = std::env::temp_dir().join(format!("xtask-regen-test-{}", std::process::id()));
        let (guests, assets, cache) = (tmp.join("guests"), tmp.join("assets"), tmp.join("cache"));
        std::fs::create_dir_all(guests.join("images")).unwrap();
        for k in ["kernel", "kernel-disco", "splashos"] {
            std::fs::write(guests.join(k), vec![1u8; 1000]).unwrap();
        }
        // db-tiny's tables where the variant puts them, among other files.
        let (generator, dir) = rootfs::Variant::DbTiny.generated().expect("db-tiny has tables");
        let mut tree = mkfs::Tree::default();
        tree.file("/etc/rc", b"db /data\n".to_vec());
        let tables = guest_pack::generators::find(generator).expect("registered").generate();
        for (name, bytes) in &tables {
            tree.file(&format!("{dir}/{name}"), bytes.clone());
        }
        tree.file(
            "/bin/noise",
            (0..50_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect(),
        );
        let image = mkfs::Image::build(&tree, 1024, 64).unwrap().into_bytes();
        std::fs::write(guests.join("images/db-tiny.img"), &image).unwrap();
        // The same bytes under a name without generated files are shipped whole.
        std::fs::write(guests.join("images/other.img"), &image).unwrap();

        pack_assets(&guests, &assets, &cache).unwrap();
        let holed = std::fs::read(assets.join("images/db-tiny.img.zst")).unwrap();
        let whole = std::fs::read(assets.join("images/other.img.zst")).unwrap();
        assert_eq!(holed[..4], guest_pack::manifest::FRAME_MAGIC, "a manifest first");
        assert_eq!(whole[..4], [0x28, 0xb5, 0x2f, 0xfd], "one plain frame");
        assert!(guest_pack::expand(&holed).unwrap() == image, "regenerated to the same bytes");
        let tables_bytes: usize = tables.iter().map(|(_, b)| b.len()).sum();
        assert!(
            holed.len() * 2 < whole.len() && tables_bytes > whole.len(),
            "the tables are left out: {} against {} bytes",
            holed.len(),
            whole.len()
        );

        // A file that differs from what the generator makes stops the build, by name.
        let mut tree2 = tree.clone();
        tree2.file(&format!("{dir}/lineitem.tbl"), vec![9; 100]);
        let other = mkfs::Image::build(&tree2, 1024, 64).unwrap().into_bytes();
        let err = manifest(&other, generator, dir).unwrap_err().to_string();
        assert!(err.contains("lineitem.tbl") && err.contains("cargo xtask guests"), "{err}");
        assert!(manifest(&image, "no-such", dir).is_err());
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn names_carry_the_content_hash() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let a = hashed_name("app_bg.wasm", b"one");
        assert!(a.starts_with("app_bg-") && a.ends_with(".wasm"), "{a}");
        assert_ne!(a, hashed_name("app_bg.wasm", b"two"));
        assert_eq!(hashed_name("x", b"").len(), "x-".len() + 16);
    }
}
