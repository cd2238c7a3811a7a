//! `cargo xtask web`: the trunk release build of the app and its worker into `dist/`.

use std::process::Command;

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
    exec(&mut cmd)
}
