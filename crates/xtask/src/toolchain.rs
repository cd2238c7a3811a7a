//! Finding a cross toolchain for the two targets the project builds besides the host:
//! `wasm32-unknown-unknown` (the web app and worker) and `mipsel-unknown-none` (the guests).
//!
//! Neither target's standard library can be downloaded here (`rustup target add` cannot reach
//! its server), so both are built from source with `build-std`, which needs a rustc that ships
//! the library sources, plus LLVM's linkers. Two routes, tried in order (see TOOLCHAIN.md):
//!
//! 1. **Debian**: `/usr/bin/rustc` (package rustc-web) with rust-web-src, and `ld.lld` /
//!    `wasm-ld` from an `lld-N` package under /usr/lib/llvm-N/bin.
//! 2. **rustup**: the active rustup toolchain if it has the `rust-src` component; its own
//!    `rust-lld` (through the `gcc-ld/ld.lld` and `gcc-ld/wasm-ld` wrappers) links.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::steps::output;

/// A toolchain able to build the cross targets.
#[derive(Debug, Clone)]
pub struct Toolchain {
    /// Which route found it (shown to the user).
    pub route: &'static str,
    /// The rustc to use.
    pub rustc: PathBuf,
    /// The cargo that goes with it.
    pub cargo: PathBuf,
    /// Linker for mipsel-unknown-none (ld.lld flavour).
    pub ld_lld: PathBuf,
    /// Linker for wasm32-unknown-unknown.
    pub wasm_ld: PathBuf,
}

impl Toolchain {
    /// Finds a working route, or `None`.
    pub fn find() -> Option<Toolchain> {
        Self::debian().or_else(Self::rustup)
    }

    fn debian() -> Option<Toolchain> {
        let rustc = PathBuf::from("/usr/bin/rustc");
        let cargo = PathBuf::from("/usr/bin/cargo");
        if !rustc.exists() || !cargo.exists() || !has_std_sources(&rustc) {
            return None;
        }
        let llvm = newest_llvm_with_lld()?;
        Some(Toolchain {
            route: "Debian rustc-web + rust-web-src + lld",
            rustc,
            cargo,
            ld_lld: llvm.join("ld.lld"),
            wasm_ld: llvm.join("wasm-ld"),
        })
    }

    fn rustup() -> Option<Toolchain> {
        let rustc = PathBuf::from(output(Command::new("rustup").args(["which", "rustc"]))?.trim());
        let cargo = PathBuf::from(output(Command::new("rustup").args(["which", "cargo"]))?.trim());
        if !has_std_sources(&rustc) {
            return None;
        }
        let host = output(Command::new(&rustc).args(["--print", "host-tuple"]))?;
        let sysroot = sysroot(&rustc)?;
        let gcc_ld = sysroot.join("lib/rustlib").join(host.trim()).join("bin/gcc-ld");
        let (ld_lld, wasm_ld) = (gcc_ld.join("ld.lld"), gcc_ld.join("wasm-ld"));
        (ld_lld.exists() && wasm_ld.exists()).then_some(Toolchain {
            route: "rustup toolchain with rust-src + rust-lld",
            rustc,
            cargo,
            ld_lld,
            wasm_ld,
        })
    }

    /// Environment for a `cargo build --target <cross>` with build-std.
    pub fn cross_env(&self, cmd: &mut Command) {
        cmd.env("RUSTC", &self.rustc)
            .env("CARGO", &self.cargo)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", &self.wasm_ld)
            .env("CARGO_TARGET_MIPSEL_UNKNOWN_NONE_LINKER", &self.ld_lld)
            // rustup's shims would otherwise redirect a plain `rustc` back to rustup.
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("RUSTFLAGS");
    }
}

fn sysroot(rustc: &Path) -> Option<PathBuf> {
    output(Command::new(rustc).args(["--print", "sysroot"])).map(|s| PathBuf::from(s.trim()))
}

fn has_std_sources(rustc: &Path) -> bool {
    sysroot(rustc).is_some_and(|s| s.join("lib/rustlib/src/rust/library/core/Cargo.toml").exists())
}

/// The newest /usr/lib/llvm-N/bin that has both ld.lld and wasm-ld.
fn newest_llvm_with_lld() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let version: u32 = name.strip_prefix("llvm-")?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("ld.lld").exists() && bin.join("wasm-ld").exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}
