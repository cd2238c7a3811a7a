//! `disco` — the native command line of Disco in the browser.
//!
//! Runs the same simulations as the web worker, for tests, benchmarks and reproducing the
//! paper's figures. Subcommands arrive with the parts they drive (`user`, `bare`, `run`, ...).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sim::control::Controller;
use sim::protocol::{Command, SIM_VERSION};

/// Command-line interface.
#[derive(Parser)]
#[command(name = "disco", version = SIM_VERSION, about = "Disco in the browser, on the command line")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the stand-in demo workload for a number of work units and print its run hash.
    Demo {
        /// Work units to run.
        #[arg(long, default_value_t = 1_000_000)]
        units: u64,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Cmd::Demo { units } => {
            let mut c = Controller::new();
            c.handle(Command::Step { budget: units });
            let p = c.progress();
            println!("work {} run hash {:016x}", p.work, p.run_hash);
            ExitCode::SUCCESS
        }
    }
}
