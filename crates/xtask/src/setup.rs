//! `cargo xtask setup`: make sure every tool the project needs is here, installing what is
//! missing. Each tool is checked by a cheap probe (a file, a `--version`), so a machine that has
//! everything finishes in a second or two; only missing tools cost time.
//!
//! | tool                         | probe                                 | install route               |
//! |------------------------------|---------------------------------------|-----------------------------|
//! | cross rustc + std sources + lld | [`Toolchain::find`]                | apt: rustc-web cargo-web rust-web-src lld-22 |
//! | qemu-mipsel (reference CPU)  | `qemu-mipsel` on PATH                 | apt: qemu-user              |
//! | Chromium (browser tests)     | /usr/bin/chromium                     | apt: chromium               |
//! | Node.js + npm (browser tests)| `node`, `npm` on PATH                 | apt: nodejs npm             |
//! | wasm-bindgen-cli = Cargo.lock| `wasm-bindgen --version`              | cargo install               |
//! | e2e npm packages             | e2e/node_modules matches the lock     | npm ci                      |

use std::path::Path;
use std::process::Command;

use crate::fail;
use crate::steps::{Result, exec, header, output};
use crate::toolchain::Toolchain;

/// Debian packages of the cross toolchain.
const CROSS_PACKAGES: &[&str] = &["rustc-web", "cargo-web", "rust-web-src", "lld-22"];

/// Checks and installs everything; returns the cross toolchain to build with.
pub fn run() -> Result<Toolchain> {
    header("setup: checking tools");
    let mut apt: Vec<&str> = Vec::new();
    if Toolchain::find().is_none() {
        apt.extend(CROSS_PACKAGES);
    }
    if !on_path("qemu-mipsel") {
        apt.push("qemu-user");
    }
    if !Path::new("/usr/bin/chromium").exists() {
        apt.push("chromium");
    }
    if !on_path("node") || !on_path("npm") {
        apt.extend(["nodejs", "npm"]);
    }
    if !apt.is_empty() {
        apt_install(&apt)?;
    }
    let toolchain = Toolchain::find().ok_or_else(|| {
        fail!(
            "no cross toolchain for wasm32 and mipsel: install Debian's {} (apt), or a rustup \
             toolchain with the rust-src component (`rustup component add rust-src`)",
            CROSS_PACKAGES.join(" ")
        )
    })?;
    println!("  cross toolchain: {} ({})", toolchain.route, toolchain.rustc.display());

    let wanted = wasm_bindgen_version()?;
    let have = output(Command::new("wasm-bindgen").arg("--version"));
    if have.as_deref().and_then(|v| v.split_whitespace().nth(1)) == Some(wanted.as_str()) {
        println!("  wasm-bindgen-cli {wanted}: present");
    } else {
        header(&format!("setup: installing wasm-bindgen-cli {wanted} (takes about 3 minutes)"));
        // `--locked` does not build for this crate here; the version pin is what matters.
        exec(Command::new("cargo").args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &wanted,
            "--force",
        ]))?;
    }

    e2e_packages()?;
    Ok(toolchain)
}

fn on_path(tool: &str) -> bool {
    output(Command::new("sh").args(["-c", &format!("command -v {tool}")])).is_some()
}

/// Installs Debian packages, as root or through passwordless sudo.
fn apt_install(packages: &[&str]) -> Result<()> {
    header(&format!("setup: installing Debian packages: {}", packages.join(" ")));
    let is_root = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    let prefix: Vec<&str> = if is_root { vec![] } else { vec!["sudo", "-n"] };
    let apt = |args: &[&str]| {
        let mut all = prefix.clone();
        all.extend(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        all.extend(args);
        let mut cmd = Command::new(all[0]);
        cmd.args(&all[1..]);
        cmd
    };
    let hint = || {
        format!(
            "could not install {} with apt-get. Install them by hand (as root: `apt-get install \
             {}`), then run `cargo xtask setup` again",
            packages.join(" "),
            packages.join(" ")
        )
    };
    exec(&mut apt(&["update", "-q"])).map_err(|e| fail!("{e}\n  {}", hint()))?;
    let mut install = vec!["install", "-y", "-q", "--no-install-recommends"];
    install.extend(packages);
    exec(&mut apt(&install)).map_err(|e| fail!("{e}\n  {}", hint()))
}

/// The wasm-bindgen version recorded in Cargo.lock.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(crate::root().join("Cargo.lock"))
        .map_err(|e| fail!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err(fail!("Cargo.lock has no wasm-bindgen package"))
}

/// Installs e2e's npm packages unless node_modules already matches package-lock.json.
fn e2e_packages() -> Result<()> {
    let e2e = crate::root().join("e2e");
    let lock = e2e.join("package-lock.json");
    let stamp = e2e.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&stamp)) {
        (Ok(l), Ok(s)) => match (l.modified(), s.modified()) {
            (Ok(l), Ok(s)) => s >= l,
            _ => false,
        },
        _ => false,
    };
    if fresh {
        println!("  e2e npm packages: present");
        return Ok(());
    }
    header("setup: installing e2e npm packages (npm ci)");
    exec(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&e2e))
}
