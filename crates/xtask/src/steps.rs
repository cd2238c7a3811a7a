//! Small helpers for running commands and reporting steps.

use std::fmt;
use std::process::Command;
use std::time::{Duration, Instant};

/// An error of the build automation: a message for the user.
#[derive(Debug)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error> From<E> for Error {
    fn from(e: E) -> Self {
        Error(e.to_string())
    }
}

/// Result of the build automation.
pub type Result<T> = std::result::Result<T, Error>;

/// Builds an [`Error`] from a format string.
#[macro_export]
macro_rules! fail {
    ($($arg:tt)*) => { $crate::steps::Error(format!($($arg)*)) };
}

/// Runs a command with inherited output; an error if it cannot start or exits non-zero.
pub fn exec(cmd: &mut Command) -> Result<()> {
    let shown = show(cmd);
    let status = cmd.status().map_err(|e| fail!("cannot run `{shown}`: {e}"))?;
    if status.success() { Ok(()) } else { Err(fail!("`{shown}` failed ({status})")) }
}

/// Runs a command and returns its standard output, or `None` if it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The command as a user would type it.
pub fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Prints a step header.
pub fn header(title: &str) {
    println!("\n==> {title}");
}

/// A list of timed steps, printed as a summary at the end.
#[derive(Default)]
pub struct Report {
    rows: Vec<(String, Duration, bool)>,
}

impl Report {
    /// Runs `f` as a step named `name`, recording its time and outcome.
    pub fn step<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        header(name);
        let start = Instant::now();
        let r = f();
        self.rows.push((name.to_string(), start.elapsed(), r.is_ok()));
        r
    }

    /// Prints every step with its time and outcome.
    pub fn print(&self) {
        println!("\n==> summary");
        for (name, took, ok) in &self.rows {
            let mark = if *ok { "ok  " } else { "FAIL" };
            println!("  {mark} {name:<28} {:>8.1} s", took.as_secs_f64());
        }
    }
}
