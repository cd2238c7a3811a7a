//! `cargo xtask test`: every check and test suite, in the order that fails fastest, with a
//! summary of steps and times at the end. This is README command 2 and what CI runs.

use std::process::Command;

use crate::steps::{Report, Result, exec};

/// Runs setup, guests, fmt, clippy, cargo test, the web build and (unless `e2e` is false) the
/// browser tests.
pub fn run(e2e: bool) -> Result<()> {
    let mut report = Report::default();
    let result = all(&mut report, e2e);
    report.print();
    result
}

fn all(report: &mut Report, e2e: bool) -> Result<()> {
    let root = crate::root();
    let tc = report.step("setup", crate::setup::run)?;
    report.step("guests", || crate::guests::build(&tc))?;
    report.step("fmt --check", || {
        exec(Command::new("cargo").args(["fmt", "--all", "--check"]).current_dir(&root))?;
        exec(
            Command::new("cargo")
                .args(["fmt", "--all", "--check"])
                .current_dir(root.join("guests")),
        )
    })?;
    report.step("clippy -D warnings", || {
        exec(
            Command::new("cargo")
                .args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])
                .current_dir(&root),
        )
    })?;
    report.step("cargo test", || {
        exec(Command::new("cargo").args(["test", "--workspace"]).current_dir(&root))
    })?;
    // The guests' portable parts (shell parser, workload generators and checksums, file
    // system format) are ordinary Rust and are tested on the host.
    report.step("guest host tests", || {
        exec(
            Command::new("cargo")
                .args(["test", "-p", "workloads", "-p", "shell", "-p", "fsformat", "-p", "abi"])
                .current_dir(root.join("guests")),
        )
    })?;
    if e2e {
        report.step("web build", || crate::web::build(&tc))?;
        report.step("e2e (headless Chromium)", || {
            exec(
                Command::new("node")
                    .args(["--test", "--test-reporter=spec", "tests/"])
                    .env("DIST_DIR", root.join("dist"))
                    .current_dir(root.join("e2e")),
            )
        })?;
    }
    Ok(())
}
