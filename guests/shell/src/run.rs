//! Running commands: the [`Shell`] and the [`Sys`] it runs them through.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::parse::{Command, Redirect, parse_line, program_path};

/// What the shell needs from the system.
pub trait Sys {
    /// Whether `path` is a file that could be run.
    fn is_file(&mut self, path: &str) -> bool;
    /// Starts the program at `path` with `argv` (fork + redirections + exec); the child's pid.
    /// (If exec itself fails, the child reports it and exits with status 126.)
    fn spawn(
        &mut self,
        path: &str,
        argv: &[&str],
        stdin: Option<&str>,
        stdout: Option<&Redirect>,
    ) -> Result<u32, String>;
    /// Waits for any child to exit: (pid, status); `None` if there are no children.
    fn wait(&mut self) -> Option<(u32, i32)>;
    /// Changes the current directory.
    fn chdir(&mut self, dir: &str) -> Result<(), String>;
    /// Writes text to standard output, or to the file of `to`.
    fn output(&mut self, text: &str, to: Option<&Redirect>) -> Result<(), String>;
    /// Writes a line to standard error.
    fn error(&mut self, line: &str);
}

/// A background job.
struct Job {
    number: u32,
    pid: u32,
    /// Where it was started (message prefix) and what it runs.
    origin: String,
    text: String,
}

/// Whether to go on after a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Next line.
    Continue,
    /// `exit N` was run.
    Exit(i32),
}

/// A shell: its system, its background jobs, and whether anything failed.
pub struct Shell<S: Sys> {
    /// The system it runs on.
    pub sys: S,
    name: String,
    jobs: Vec<Job>,
    next_job: u32,
    /// Background jobs reaped while waiting for something else, not reported yet.
    reaped: Vec<(u32, i32)>,
    /// How many things failed.
    pub failures: u32,
}

impl<S: Sys> Shell<S> {
    /// A shell called `name` (the prefix of its messages: `sh`, `init`).
    pub fn new(sys: S, name: &str) -> Self {
        Shell {
            sys,
            name: name.to_string(),
            jobs: Vec::new(),
            next_job: 1,
            reaped: Vec::new(),
            failures: 0,
        }
    }

    fn report(&mut self, origin: &str, msg: &str) {
        self.failures += 1;
        let line = if origin.is_empty() {
            alloc::format!("{}: {msg}", self.name)
        } else {
            alloc::format!("{}: {origin}: {msg}", self.name)
        };
        self.sys.error(&line);
    }

    /// Runs a whole script; `file` names it in messages. Returns its status (see the crate
    /// documentation).
    pub fn run_script(&mut self, text: &str, file: &str) -> i32 {
        for (i, line) in text.lines().enumerate() {
            let origin = alloc::format!("{file}:{}", i + 1);
            if let Flow::Exit(code) = self.run_line(line, &origin) {
                self.wait_all();
                return code;
            }
        }
        self.finish()
    }

    /// Waits for the background jobs; the status so far (0 if nothing failed, else 1).
    pub fn finish(&mut self) -> i32 {
        self.wait_all();
        i32::from(self.failures > 0)
    }

    /// Forgets earlier failures. At an interactive prompt a failed command was reported when it
    /// failed, and the session's status is what `exit N` says (else 0), not its history.
    pub fn forget_failures(&mut self) {
        self.failures = 0;
    }

    /// Runs one line; `origin` (`file:line`, or empty when interactive) prefixes messages.
    pub fn run_line(&mut self, line: &str, origin: &str) -> Flow {
        let cmd = match parse_line(line) {
            Ok(Some(cmd)) => cmd,
            Ok(None) => return Flow::Continue,
            Err(e) => {
                self.report(origin, &alloc::format!("syntax error: {e}"));
                return Flow::Continue;
            }
        };
        let flow = self.run_command(&cmd, origin);
        self.report_reaped();
        flow
    }

    fn run_command(&mut self, cmd: &Command, origin: &str) -> Flow {
        let args: Vec<&str> = cmd.words.iter().map(String::as_str).collect();
        match args[0] {
            "cd" => {
                let dir = args.get(1).copied().unwrap_or("/");
                if let Err(e) = self.sys.chdir(dir) {
                    self.report(origin, &alloc::format!("cd: {dir}: {e}"));
                }
            }
            "echo" => {
                let mut text = args[1..].join(" ");
                text.push('\n');
                if let Err(e) = self.sys.output(&text, cmd.stdout.as_ref()) {
                    self.report(origin, &alloc::format!("echo: {e}"));
                }
            }
            "exit" => match args.get(1).map(|a| a.parse::<i32>()) {
                None => return Flow::Exit(i32::from(self.failures > 0)),
                Some(Ok(code)) => return Flow::Exit(code),
                Some(Err(_)) => {
                    self.report(origin, &alloc::format!("exit: bad status `{}`", args[1]))
                }
            },
            "wait" => self.wait_all(),
            word => {
                let path = program_path(word);
                if !self.sys.is_file(&path) {
                    self.report(origin, &alloc::format!("{word}: not found"));
                    return Flow::Continue;
                }
                match self.sys.spawn(&path, &args, cmd.stdin.as_deref(), cmd.stdout.as_ref()) {
                    Err(e) => self.report(origin, &alloc::format!("{word}: {e}")),
                    Ok(pid) if cmd.background => {
                        let number = self.next_job;
                        self.next_job += 1;
                        self.jobs.push(Job {
                            number,
                            pid,
                            origin: origin.to_string(),
                            text: cmd.text(),
                        });
                    }
                    Ok(pid) => {
                        if let Some(status) = self.wait_for(pid)
                            && status != 0
                        {
                            let msg = alloc::format!("{}: exit status {status}", cmd.text());
                            self.report(origin, &msg);
                        }
                    }
                }
            }
        }
        Flow::Continue
    }

    /// Waits for `pid`, keeping the statuses of background jobs that end meanwhile.
    fn wait_for(&mut self, pid: u32) -> Option<i32> {
        while let Some((done, status)) = self.sys.wait() {
            if done == pid {
                return Some(status);
            }
            self.reaped.push((done, status));
        }
        None
    }

    /// Waits for every background job.
    fn wait_all(&mut self) {
        while !self.jobs.iter().all(|j| self.reaped.iter().any(|r| r.0 == j.pid)) {
            match self.sys.wait() {
                Some(r) => self.reaped.push(r),
                None => break,
            }
        }
        self.report_reaped();
    }

    /// Reports background jobs that have ended, in the order they ended.
    fn report_reaped(&mut self) {
        for (pid, status) in core::mem::take(&mut self.reaped) {
            let Some(i) = self.jobs.iter().position(|j| j.pid == pid) else { continue };
            let job = self.jobs.remove(i);
            if status != 0 {
                let msg = alloc::format!("[{}] {}: exit status {status}", job.number, job.text);
                self.report(&job.origin, &msg);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, VecDeque};

    /// A pretend system: programs are paths with an exit status; children finish in the order
    /// the test says (`finish_order`), or in start order.
    #[derive(Default)]
    struct Fake {
        programs: BTreeMap<String, i32>,
        running: VecDeque<(u32, i32)>,
        next_pid: u32,
        log: Vec<String>,
        errors: Vec<String>,
        files: BTreeMap<String, String>,
        /// If set, children end last-started first.
        reverse: bool,
    }

    impl Sys for Fake {
        fn is_file(&mut self, path: &str) -> bool {
            self.programs.contains_key(path)
        }
        fn spawn(
            &mut self,
            path: &str,
            argv: &[&str],
            stdin: Option<&str>,
            stdout: Option<&Redirect>,
        ) -> Result<u32, String> {
            self.next_pid += 1;
            let mut entry = argv.join(" ");
            if let Some(i) = stdin {
                entry += &format!(" <{i}");
            }
            if let Some(o) = stdout {
                entry += &format!(" >{}{}", if o.append { ">" } else { "" }, o.path);
            }
            self.log.push(entry);
            self.running.push_back((self.next_pid, self.programs[path]));
            Ok(self.next_pid)
        }
        fn wait(&mut self) -> Option<(u32, i32)> {
            if self.reverse { self.running.pop_back() } else { self.running.pop_front() }
        }
        fn chdir(&mut self, dir: &str) -> Result<(), String> {
            if dir == "/nope" { Err("no such file or directory".into()) } else { Ok(()) }
        }
        fn output(&mut self, text: &str, to: Option<&Redirect>) -> Result<(), String> {
            let key = to.map_or("stdout".to_string(), |r| r.path.clone());
            let f = self.files.entry(key).or_default();
            if to.is_some_and(|r| !r.append) {
                f.clear();
            }
            f.push_str(text);
            Ok(())
        }
        fn error(&mut self, line: &str) {
            self.errors.push(line.to_string());
        }
    }

    fn shell() -> Shell<Fake> {
        let mut fake = Fake::default();
        for (p, status) in [("/bin/true", 0), ("/bin/false", 1), ("/bin/cc1", 0), ("/bin/bad", 3)] {
            fake.programs.insert(p.into(), status);
        }
        Shell::new(fake, "init")
    }

    #[test]
    fn runs_a_script_and_reports_failures() {
        let mut sh = shell();
        let script = "# rc\ntrue\nfalse a b > out\nfrob x\ncd /nope\necho hi > f\necho more >> f\necho plain\ncat >\n";
        assert_eq!(sh.run_script(script, "/etc/rc"), 1);
        assert_eq!(sh.sys.log, ["true", "false a b >out"]);
        assert_eq!(
            sh.sys.errors,
            [
                "init: /etc/rc:3: false a b > out: exit status 1",
                "init: /etc/rc:4: frob: not found",
                "init: /etc/rc:5: cd: /nope: no such file or directory",
                "init: /etc/rc:9: syntax error: missing file name after `>`",
            ]
        );
        assert_eq!(sh.sys.files["f"], "hi\nmore\n");
        assert_eq!(sh.sys.files["stdout"], "plain\n");
        assert_eq!(sh.failures, 4);
    }

    #[test]
    fn a_clean_script_exits_zero_and_exit_sets_the_status() {
        let mut sh = shell();
        assert_eq!(sh.run_script("true\n\ntrue < in\n", "s"), 0);
        assert_eq!(sh.sys.log, ["true", "true <in"]);
        let mut sh = shell();
        assert_eq!(sh.run_script("true\nexit 7\nfalse\n", "s"), 7);
        assert_eq!(sh.sys.log, ["true"]);
        let mut sh = shell();
        assert_eq!(sh.run_script("exit x\n", "s"), 1);
        assert_eq!(sh.sys.errors, ["init: s:1: exit: bad status `x`"]);
    }

    #[test]
    fn background_jobs_are_waited_for_and_reported() {
        for reverse in [false, true] {
            let mut sh = shell();
            sh.sys.reverse = reverse;
            let script = "cc1 a &\nbad b &\nwait\ntrue\nbad c &\nfalse\n";
            assert_eq!(sh.run_script(script, "rc"), 1);
            assert_eq!(sh.sys.log, ["cc1 a", "bad b", "true", "bad c", "false"]);
            // Job 3 ends while the shell waits for `false`, or after it, at the end: either way
            // it is reported after the line that was running.
            let expected_end = ["rc:6: false: exit status 1", "rc:5: [3] bad c &: exit status 3"];
            let errors: Vec<String> =
                sh.sys.errors.iter().map(|e| e.trim_start_matches("init: ").to_string()).collect();
            assert_eq!(errors[0], "rc:2: [2] bad b &: exit status 3");
            assert_eq!(errors[1..], expected_end);
            assert!(sh.sys.running.is_empty());
        }
    }

    #[test]
    fn interactive_messages_have_no_origin() {
        let mut sh = shell();
        sh.name = "sh".into();
        assert_eq!(sh.run_line("frob", ""), Flow::Continue);
        assert_eq!(sh.run_line("exit", ""), Flow::Exit(1));
        assert_eq!(sh.sys.errors, ["sh: frob: not found"]);
        // At a prompt, the failure was reported; the session's status is the exit's.
        assert_eq!(sh.run_line("frob", ""), Flow::Continue);
        sh.forget_failures();
        assert_eq!(sh.run_line("exit", ""), Flow::Exit(0));
        assert_eq!(sh.run_line("exit 3", ""), Flow::Exit(3));
    }
}
