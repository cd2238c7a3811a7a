//! `cargo xtask web`: the trunk release build of the app and its worker into `dist/`.

use std::process::Command;

use crate::fail;
use crate::steps::{Result, exec, header};
use crate::toolchain::Toolchain;

/// Builds the web bundle offline with the cross toolchain.
pub fn build(tc: &Toolchain) -> Result<()> {
    header("web: trunk build --release");
    let root = crate::root();
    // trunk builds offline (it would otherwise try to download its own tools), so fetch the
    // crates first, including the standard library's own dependencies that build-std needs.
    let mut fetch = Command::new(&tc.cargo);
    tc.cross_env(&mut fetch);
    fetch.env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort").current_dir(&root).args([
        "fetch",
        "--target",
        "wasm32-unknown-unknown",
    ]);
    exec(&mut fetch)?;
    let mut cmd = Command::new("trunk");
    tc.cross_env(&mut cmd);
    // trunk runs `cargo` from PATH: put the cross toolchain's first, and keep ~/.cargo/bin for
    // wasm-bindgen.
    let cargo_dir = tc.cargo.parent().map(|p| p.to_path_buf()).unwrap_or_default();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![cargo_dir];
    dirs.extend(std::env::split_paths(&path));
    cmd.env("PATH", std::env::join_paths(dirs)?)
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        // A separate target dir: the host build (another rustc) must not fight over locks.
        .env("CARGO_TARGET_DIR", root.join("target/web"))
        .current_dir(&root)
        .args(["build", "--offline", "--release"]);
    exec(&mut cmd)?;
    copy_assets()
}

/// Copies the guest kernels (dux's two builds and SPLASHOS) and disk images into
/// `dist/assets/`, where the worker fetches them (`cargo xtask guests` must have built them).
fn copy_assets() -> Result<()> {
    let guests = crate::guests::out_dir();
    let assets = crate::root().join("dist/assets");
    std::fs::create_dir_all(assets.join("images"))?;
    let mut files = vec!["kernel".to_string(), "kernel-disco".to_string(), "splashos".to_string()];
    let images = std::fs::read_dir(guests.join("images")).map_err(|e| {
        fail!("{}: {e} (run `cargo xtask guests`)", guests.join("images").display())
    })?;
    for entry in images {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".img") {
            files.push(format!("images/{name}"));
        }
    }
    let mut bytes = 0;
    for f in &files {
        let (from, to) = (guests.join(f), assets.join(f));
        bytes += std::fs::copy(&from, &to)
            .map_err(|e| fail!("cannot copy {} to {}: {e}", from.display(), to.display()))?;
    }
    println!("  {} guest files ({} MB) in {}", files.len(), bytes >> 20, assets.display());
    Ok(())
}
