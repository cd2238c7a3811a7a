//! `pmake [-jN] [-s] [makefile [target]]`: the Pmake workload's driver, a parallel make.
//!
//! Without `-j` it runs a job per CPU of the system (the kernel's count), at least two, and
//! says how many it chose. It reads the makefile (format: `workloads::make`), checks that every source exists, then
//! keeps up to N jobs running: each command is a child process (fork, then exec of the
//! program). Which target starts next is the plan's decision (`Plan::next_ready`), never the
//! order in which jobs happen to finish. Commands are echoed as they start, unless `-s`. On the
//! first failure it stops starting jobs, waits for the running ones and exits with status 1.
//! At the end it prints `pmake: N targets, checksum H` over the targets' contents in plan
//! order (`workloads::pmake::Checksum`), the same line for any N.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use ulib::{eprintln, fs, println, process};
use workloads::make::{Makefile, Plan, program_path};
use workloads::pmake::{self, Checksum};

ulib::entry!(main);

/// A running command: its process, its target's rule, which of the rule's commands.
struct Job {
    pid: u32,
    rule: usize,
    command: usize,
}

fn main(args: &[&str]) -> i32 {
    match run(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("pmake: {e}");
            1
        }
    }
}

/// Forks a child that executes `words`; the child's pid.
fn start(words: &[String], silent: bool) -> Result<u32, String> {
    if !silent {
        println!("{}", words.join(" "));
    }
    let argv: Vec<&str> = words.iter().map(String::as_str).collect();
    match process::fork() {
        Ok(0) => {
            let e = process::exec(&program_path(argv[0]), &argv);
            eprintln!("pmake: {}: {e}", argv[0]);
            process::exit(127)
        }
        Ok(pid) => Ok(pid),
        Err(e) => Err(alloc::format!("fork: {e}")),
    }
}

fn run(args: &[&str]) -> Result<(), String> {
    let opts = pmake::parse_args(&args[1..])?;
    let text = fs::read(&opts.makefile).map_err(|e| alloc::format!("{}: {e}", opts.makefile))?;
    let text =
        core::str::from_utf8(&text).map_err(|_| alloc::format!("{}: not UTF-8", opts.makefile))?;
    let mf = Makefile::parse(text).map_err(|e| alloc::format!("{}: {e}", opts.makefile))?;
    let mut plan = Plan::new(&mf, opts.goal.as_deref())?;
    for source in plan.sources() {
        if !fs::exists(source) {
            return Err(alloc::format!("no rule to make `{source}`"));
        }
    }
    let jobs = match opts.jobs {
        Some(n) => n,
        None => {
            let cpus = process::cpus();
            let jobs = cpus.max(2);
            println!("pmake: {jobs} jobs at a time ({cpus} CPUs)");
            jobs
        }
    };
    let mut running: Vec<Job> = Vec::new();
    let mut failed = false;
    loop {
        while !failed && running.len() < jobs {
            let Some(rule) = plan.next_ready() else { break };
            plan.start(rule);
            match mf.rules[rule].commands.first() {
                Some(words) => {
                    running.push(Job { pid: start(words, opts.silent)?, rule, command: 0 })
                }
                None => plan.finish(rule),
            }
        }
        if running.is_empty() {
            break;
        }
        let (pid, status) = process::wait().map_err(|e| alloc::format!("wait: {e}"))?;
        let Some(i) = running.iter().position(|j| j.pid == pid) else { continue };
        let (rule, command) = (running[i].rule, running[i].command + 1);
        let r = &mf.rules[rule];
        if status != 0 {
            eprintln!(
                "pmake: {}: `{}` failed with status {status}",
                r.target,
                r.commands[command - 1].join(" ")
            );
            failed = true;
            running.swap_remove(i);
        } else if let Some(words) = r.commands.get(command) {
            running[i] = Job { pid: start(words, opts.silent)?, rule, command };
        } else {
            plan.finish(rule);
            running.swap_remove(i);
        }
    }
    if failed {
        return Err("stopped after a failure".into());
    }
    let mut sum = Checksum::default();
    for &rule in plan.order() {
        let target = &mf.rules[rule].target;
        let data = fs::read(target).map_err(|e| alloc::format!("{target}: {e}"))?;
        sum.add(target, &data);
    }
    println!("{}", sum.line());
    Ok(())
}
