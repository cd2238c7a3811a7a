//! `disco` — the native command line of Disco in the browser.
//!
//! Runs the same simulations as the web worker, for tests, benchmarks and reproducing the
//! paper's figures. Subcommands: `user` (a Linux o32 program in user mode, like qemu-mipsel), `bare` (a
//! bare-metal image on the machine), `run` (a scenario: native OS or VMs under the monitor),
//! `experiment` (one of the paper's figures: its runs, our numbers beside the paper's).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bare;
mod chart;
mod experiment;
mod paper;
mod profile;
mod run;
mod services;
use sim::protocol::SIM_VERSION;

/// Command-line interface.
#[derive(Parser)]
#[command(name = "disco", version = SIM_VERSION, about = "Disco in the browser, on the command line")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a bare-metal image on the simulated ccNUMA machine; prints its console and a
    /// summary, exits with the machine's exit code.
    Bare(bare::BareArgs),
    /// Run a static MIPS32 Linux (o32) program in user mode, like qemu-mipsel; exits with its
    /// exit code (128 + signal if a signal killed it).
    User {
        /// The ELF executable.
        elf: PathBuf,
        /// Arguments passed to the program.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
        /// Give up after this many instructions.
        #[arg(long, default_value_t = 10_000_000_000)]
        limit: u64,
        /// Print the instruction count, the host time and the speed to stderr at the end
        /// (`cargo xtask bench` reads them).
        #[arg(long)]
        stats: bool,
    },
    /// Run a scenario: the guest OS natively or several virtual machines under the monitor,
    /// consoles prefixed by guest, then the overhead ledger and memory statistics. Exits 0 if
    /// every guest's output was correct.
    Run(run::RunArgs),
    /// Reproduce one of the paper's figures: run its configurations to the end (in parallel),
    /// print our numbers beside the paper's, and write NAME.csv, NAME.json and NAME.svg.
    Experiment(experiment::ExperimentArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Cmd::User { elf, args, limit, stats } => user(&elf, args, limit, stats),
        Cmd::Bare(args) => bare::run(&args),
        Cmd::Run(args) => run::run(&args),
        Cmd::Experiment(args) => experiment::run(&args),
    }
}

fn user(elf: &std::path::Path, args: Vec<String>, limit: u64, stats: bool) -> ExitCode {
    let image = match std::fs::read(elf) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("disco: cannot read {}: {e}", elf.display());
            return ExitCode::from(2);
        }
    };
    let mut argv = vec![elf.display().to_string()];
    argv.extend(args);
    let started = std::time::Instant::now();
    let outcome = cli::user::run_elf(&image, &argv, limit);
    let host = started.elapsed().as_secs_f64();
    match outcome {
        Ok(out) => {
            let _ = std::io::stdout().write_all(&out.stdout);
            let _ = std::io::stderr().write_all(&out.stderr);
            if stats {
                eprintln!(
                    "disco: {} instructions, {host:.3} s host ({:.1} M instructions/s)",
                    out.instructions,
                    out.instructions as f64 / host.max(1e-9) / 1e6
                );
            }
            match out.status {
                cli::user::Status::Exited(code) => ExitCode::from(code as u8),
                cli::user::Status::Signaled(signal) => {
                    eprintln!("disco: program killed by signal {signal}");
                    ExitCode::from(128 + signal as u8)
                }
            }
        }
        Err(e) => {
            eprintln!("disco: {}: {e}", elf.display());
            ExitCode::from(2)
        }
    }
}
