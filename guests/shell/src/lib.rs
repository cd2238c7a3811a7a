//! The dux shell: its little language and the logic that runs it, shared by `/bin/sh` and
//! `/init` (which runs `/etc/rc` with these rules).
//!
//! ## The language
//!
//! - One command per line; words are separated by spaces or tabs; there is no quoting.
//! - `#` starts a comment, to the end of the line.
//! - `< file` reads standard input from `file`; `> file` writes standard output to `file`
//!   (created or truncated); `>> file` appends to it. The file name may follow directly
//!   (`>out.txt`).
//! - A final `&` runs the command in the background; `wait` waits for every background job.
//! - A program name without `/` means `/bin/<name>`.
//! - Built in: `cd [dir]` (default `/`), `echo [words]`, `exit [N]`, `wait`.
//!
//! ## What it reports
//!
//! Every failure is reported on standard error, one line, prefixed with the shell's name and,
//! for a script, `file:line`: a command that exits with a status other than 0
//! (`init: /etc/rc:4: cat nosuch: exit status 1`), a background job that does
//! (`... : [2] cc1 x.c: exit status 1`, when it is reaped), a program that does not exist
//! (`...: frob: not found`), a syntax error, a failing `cd`. At the end of a script (or at
//! `exit`) the shell waits for its background jobs. A script's status is N after `exit N`,
//! otherwise 0 if nothing failed and 1 if anything did.
//!
//! ## Parts
//!
//! - [`parse`]: a line to a [`parse::Command`];
//! - [`run`]: the [`run::Shell`], which runs lines through a [`run::Sys`]: the system calls it
//!   needs (fork + exec with redirections, wait, chdir, output), so the host can test it with a
//!   fake one;
//! - `dux` (feature `dux`, for the guest programs): the [`run::Sys`] of the real system, over
//!   `ulib`.

#![cfg_attr(not(test), no_std)]

extern crate alloc;

#[cfg(feature = "dux")]
pub mod dux;
pub mod parse;
pub mod run;
