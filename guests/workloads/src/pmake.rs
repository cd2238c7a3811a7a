//! pmake's command line, its final checksum, and a whole pmake run in memory (for the host:
//! the expected output of a guest run).
//!
//! ```text
//! pmake [-jN] [-s] [makefile [target]]     (makefile defaults to `Makefile`)
//! ```
//!
//! Without `-j` the guest's pmake runs a job per CPU of the system it runs on, and at least two:
//! the paper ran pmake at -J2 on its uniprocessor (Table 1) and with more jobs on eight CPUs,
//! so one disk wait does not leave a CPU idle and the image works on a machine or VM of any
//! size.
//!
//! After a successful build pmake prints `pmake: N targets, checksum H` where H is FNV-1a 64
//! over, for each target in plan order ([`crate::make::Plan::order`]): its name, a 0 byte, its
//! length (u32 LE) and its contents. The order is fixed by the makefile, never by which job
//! finished first, so `-j1` and `-j8` print the same line.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::files::Files;
use crate::hash::Fnv64;
use crate::make::{Makefile, Plan};
use crate::{cc1, ld};

/// pmake's command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Jobs at a time (≥ 1), if `-j` said; `None`: the default, a job per CPU (at least two).
    pub jobs: Option<usize>,
    /// Do not echo commands.
    pub silent: bool,
    /// The makefile.
    pub makefile: String,
    /// The goal (default: the first rule's target).
    pub goal: Option<String>,
}

/// Parses `pmake [-jN] [-s] [makefile [target]]` (without the program name).
pub fn parse_args(args: &[&str]) -> Result<Options, String> {
    let mut opts = Options { jobs: None, silent: false, makefile: "Makefile".into(), goal: None };
    let mut positional = Vec::new();
    let mut it = args.iter();
    while let Some(&a) = it.next() {
        if let Some(n) = a.strip_prefix("-j") {
            let n = if n.is_empty() { *it.next().ok_or("-j needs a number")? } else { n };
            opts.jobs = Some(
                n.parse()
                    .ok()
                    .filter(|&j| j >= 1)
                    .ok_or_else(|| alloc::format!("bad job count `{n}`"))?,
            );
        } else if a == "-s" {
            opts.silent = true;
        } else if a.starts_with('-') {
            return Err(alloc::format!("unknown option `{a}`"));
        } else {
            positional.push(a.to_string());
        }
    }
    let mut positional = positional.into_iter();
    if let Some(m) = positional.next() {
        opts.makefile = m;
    }
    opts.goal = positional.next();
    if positional.next().is_some() {
        return Err("usage: pmake [-jN] [-s] [makefile [target]]".into());
    }
    Ok(opts)
}

/// Accumulates the final checksum, target by target in plan order.
#[derive(Default)]
pub struct Checksum {
    hash: Fnv64,
    targets: usize,
}

impl Checksum {
    /// Adds one target's file.
    pub fn add(&mut self, target: &str, contents: &[u8]) {
        self.hash.write(target.as_bytes());
        self.hash.write(&[0]);
        self.hash.write_u32(contents.len() as u32);
        self.hash.write(contents);
        self.targets += 1;
    }

    /// The line pmake prints at the end.
    pub fn line(&self) -> String {
        alloc::format!("pmake: {} targets, checksum {:016x}", self.targets, self.hash.finish())
    }
}

/// Runs one command of the workload's makefiles in memory: `cc1` or `ld`. Returns what the
/// tool prints on success.
pub fn run_tool(argv: &[String], fs: &mut dyn Files) -> Result<Option<String>, String> {
    let args: Vec<&str> = argv.iter().skip(1).map(String::as_str).collect();
    match argv.first().map(String::as_str) {
        Some("cc1") => cc1::run(&cc1::parse_args(&args)?, fs).map(|()| None),
        Some("ld") => ld::run(&ld::parse_args(&args)?, fs).map(Some),
        Some(other) => Err(alloc::format!("{other}: not a tool the host knows")),
        None => Err("empty command".into()),
    }
}

/// A whole pmake run in memory, one job at a time (any order gives the same files): the lines
/// the tools print, then pmake's final line.
pub fn run_in_memory(
    makefile: &str,
    goal: Option<&str>,
    fs: &mut dyn Files,
) -> Result<Vec<String>, String> {
    let text = fs.read(makefile)?;
    let text = core::str::from_utf8(&text).map_err(|_| "the makefile is not UTF-8")?;
    let mf = Makefile::parse(text).map_err(|e| alloc::format!("{makefile}: {e}"))?;
    let mut plan = Plan::new(&mf, goal)?;
    for s in plan.sources() {
        fs.read(s).map_err(|_| alloc::format!("no rule to make `{s}`"))?;
    }
    let mut printed = Vec::new();
    while let Some(r) = plan.next_ready() {
        plan.start(r);
        for cmd in &mf.rules[r].commands {
            if let Some(line) = run_tool(cmd, fs)? {
                printed.push(line);
            }
        }
        plan.finish(r);
    }
    let mut sum = Checksum::default();
    for &r in plan.order() {
        let t = &mf.rules[r].target;
        sum.add(t, &fs.read(t)?);
    }
    printed.push(sum.line());
    Ok(printed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_command_line() {
        let o = parse_args(&["-j4", "-s", "mk", "prog"]).unwrap();
        assert_eq!(
            (o.jobs, o.silent, o.makefile.as_str(), o.goal.as_deref()),
            (Some(4), true, "mk", Some("prog"))
        );
        let o = parse_args(&["-j", "2"]).unwrap();
        assert_eq!((o.jobs, o.makefile.as_str(), o.goal), (Some(2), "Makefile", None));
        assert_eq!(parse_args(&[]).unwrap().jobs, None);
        assert!(parse_args(&["-j0"]).is_err());
        assert!(parse_args(&["-jx"]).is_err());
        assert!(parse_args(&["-q"]).is_err());
        assert!(parse_args(&["a", "b", "c"]).is_err());
    }

    #[test]
    fn checksum_depends_on_names_and_contents() {
        let line = |files: &[(&str, &[u8])]| {
            let mut c = Checksum::default();
            for (n, d) in files {
                c.add(n, d);
            }
            c.line()
        };
        let a = line(&[("a", b"xy"), ("b", b"")]);
        assert!(a.starts_with("pmake: 2 targets, checksum "));
        assert_ne!(a, line(&[("a", b"x"), ("b", b"y")]));
        assert_ne!(a, line(&[("b", b""), ("a", b"xy")]));
    }
}
