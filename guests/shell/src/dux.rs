//! The shell's [`Sys`] on dux, over `ulib`.
//!
//! Redirections are done in the child between fork and exec: open the file, then move it onto
//! descriptor 0 or 1 by closing that one and `dup`ing the file, which gives the lowest free
//! descriptor — the one just closed (POSIX semantics, which dux's `dup` promises).

use alloc::string::{String, ToString};

use ulib::abi::{KIND_FILE, O_APPEND, O_CREATE, O_RDONLY, O_TRUNC, O_WRONLY};
use ulib::fs::{self, File};
use ulib::{Errno, eprintln, io, process};

use crate::parse::Redirect;
use crate::run::Sys;

/// The real system.
pub struct Dux;

/// Opens `path` with `flags` and makes it descriptor `target`.
fn redirect(path: &str, flags: u32, target: u32) -> Result<(), String> {
    let file = File::open_with(path, flags).map_err(|e| alloc::format!("{path}: {e}"))?;
    if file.fd() == target {
        let _ = file.into_raw_fd();
        return Ok(());
    }
    let _ = process::close(target);
    match process::dup(file.fd()) {
        Ok(fd) if fd == target => Ok(()),
        Ok(fd) => Err(alloc::format!("{path}: dup gave descriptor {fd}, not {target}")),
        Err(e) => Err(alloc::format!("{path}: {e}")),
    }
}

/// In the child: redirect, exec; on failure report and exit.
fn child(path: &str, argv: &[&str], stdin: Option<&str>, stdout: Option<&Redirect>) -> ! {
    let redirected = stdin.map_or(Ok(()), |p| redirect(p, O_RDONLY, io::STDIN)).and_then(|()| {
        stdout.map_or(Ok(()), |r| {
            let mode = if r.append { O_APPEND } else { O_TRUNC };
            redirect(&r.path, O_WRONLY | O_CREATE | mode, io::STDOUT)
        })
    });
    if let Err(e) = redirected {
        eprintln!("{}: {e}", argv[0]);
        process::exit(1);
    }
    let e: Errno = process::exec(path, argv);
    eprintln!("{}: cannot execute: {e}", argv[0]);
    process::exit(126)
}

impl Sys for Dux {
    fn is_file(&mut self, path: &str) -> bool {
        fs::stat(path).is_ok_and(|st| st.kind == KIND_FILE)
    }

    fn spawn(
        &mut self,
        path: &str,
        argv: &[&str],
        stdin: Option<&str>,
        stdout: Option<&Redirect>,
    ) -> Result<u32, String> {
        match process::fork() {
            Ok(0) => child(path, argv, stdin, stdout),
            Ok(pid) => Ok(pid),
            Err(e) => Err(alloc::format!("fork: {e}")),
        }
    }

    fn wait(&mut self) -> Option<(u32, i32)> {
        process::wait().ok()
    }

    fn chdir(&mut self, dir: &str) -> Result<(), String> {
        fs::chdir(dir).map_err(|e| e.to_string())
    }

    fn output(&mut self, text: &str, to: Option<&Redirect>) -> Result<(), String> {
        let result = match to {
            None => io::write_all(io::STDOUT, text.as_bytes()),
            Some(r) => {
                let file = if r.append { File::append(&r.path) } else { File::create(&r.path) };
                file.and_then(|f| f.write_all(text.as_bytes()))
            }
        };
        result.map_err(|e| match to {
            Some(r) => alloc::format!("{}: {e}", r.path),
            None => e.to_string(),
        })
    }

    fn error(&mut self, line: &str) {
        eprintln!("{line}");
    }
}
