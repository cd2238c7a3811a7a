//! Build automation for Disco in the browser, run as `cargo xtask <command>`.
//!
//! - `setup`  — install what is missing (cross compiler, linkers, wasm-bindgen-cli, Chromium,
//!   qemu-user, the e2e npm packages); fast when all is present.
//! - `guests` — build guests/ for mipsel-unknown-none into `target/guests/`.
//! - `web`    — the release build of the app and its worker, through wasm-bindgen, into `dist/`.
//! - `sizes`  — the bytes a first visit downloads, per preset (the page and the preset's
//!   compressed guest files), from a built `dist/`.
//! - `serve`  — setup + guests + web, then serve `dist/` on localhost (README command 1).
//! - `bench`  — the benchmark set: every preset natively and in the web worker, and the
//!   compiled-program set under `disco user`; one table, optionally into docs/performance.md.
//! - `test`   — setup + guests + fmt + clippy + cargo test + web + browser tests (README
//!   command 2, and what CI runs).
//!
//! The cross toolchain routes are those of TOOLCHAIN.md; [`toolchain`] finds one.

mod bench;
mod guests;
mod serve;
mod setup;
mod sizes;
mod steps;
mod test;
mod toolchain;
mod web;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Command-line interface of the xtask.
#[derive(Parser)]
#[command(name = "cargo xtask", about = "Build automation for Disco in the browser")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install every tool the project needs that is missing (idempotent).
    Setup,
    /// Build the guest programs (MIPS) into target/guests/.
    Guests,
    /// Build the web app and its worker into dist/ (release).
    Web,
    /// Print what a first visit downloads per preset, from dist/ (after `web`).
    Sizes,
    /// Set up, build, and serve the web app on localhost.
    Serve {
        /// Port to listen on.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
    },
    /// Measure the benchmark set: every preset for N machine cycles natively and in the web
    /// worker under headless Chromium, and the compiled-program set under `disco user`.
    Bench {
        /// Machine cycles each preset runs after its boot.
        #[arg(long, default_value_t = 100_000_000)]
        cycles: u64,
        /// Runs of each preset and program; the fastest counts.
        #[arg(long, default_value_t = 1)]
        rounds: u32,
        /// Run only this preset (repeatable; default: all of them).
        #[arg(long = "preset", value_name = "NAME")]
        presets: Vec<String>,
        /// Leave out the browser column (no web build, no Chromium).
        #[arg(long)]
        no_wasm: bool,
        /// Leave out the compiled-program set.
        #[arg(long)]
        no_programs: bool,
        /// Write the table into docs/performance.md, replacing the previous one.
        #[arg(long)]
        write_docs: bool,
    },
    /// Set up, build, and run every check and test suite.
    Test {
        /// Skip the browser (e2e) suite.
        #[arg(long)]
        no_e2e: bool,
    },
}

/// The repository root (the xtask crate lives in crates/xtask).
pub fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().nth(2).map(PathBuf::from).unwrap_or(here)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Setup => setup::run().map(|_| ()),
        Cmd::Guests => setup::run().and_then(|tc| guests::build(&tc)).map(|_| ()),
        Cmd::Web => setup::run().and_then(|tc| guests::build(&tc).and_then(|_| web::build(&tc))),
        Cmd::Sizes => sizes::run(),
        Cmd::Serve { port, host } => serve::run(&host, port),
        Cmd::Bench { cycles, rounds, presets, no_wasm, no_programs, write_docs } => {
            bench::run(&bench::Options {
                cycles,
                rounds,
                presets,
                no_wasm,
                no_programs,
                write_docs,
            })
        }
        Cmd::Test { no_e2e } => test::run(!no_e2e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
