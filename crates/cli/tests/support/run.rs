//! Running a program on both sides — qemu-mipsel (the reference) and our user-mode runner — and
//! explaining how their results differ.

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cli::user::{self, Outcome, Status};

/// The qemu-mipsel executable: `$QEMU_MIPSEL`, or `qemu-mipsel` on the PATH.
pub fn qemu_program() -> PathBuf {
    std::env::var_os("QEMU_MIPSEL").map_or_else(|| PathBuf::from("qemu-mipsel"), PathBuf::from)
}

/// Panics with a clear message unless qemu-mipsel runs.
pub fn require_qemu() {
    let qemu = qemu_program();
    let ok = Command::new(&qemu)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "cannot run `{}` (the reference MIPS CPU for differential tests): run `cargo xtask setup` \
         (Debian package qemu-user), or point $QEMU_MIPSEL at it",
        qemu.display()
    );
}

/// What qemu-mipsel did: stdout, stderr and the status. On a fatal guest signal qemu kills
/// itself with the host's equivalent signal, so `Signaled` carries the *host's* number (SIGBUS is
/// 7 here, 10 on MIPS), which is also how our runner reports signals. SIGILL, SIGTRAP, SIGFPE and
/// SIGSEGV have the same numbers on both.
pub struct Reference {
    /// Bytes written to fd 1.
    pub stdout: Vec<u8>,
    /// Bytes written to fd 2 (qemu's own "uncaught target signal" message lands here too).
    pub stderr: Vec<u8>,
    /// How it ended.
    pub status: Status,
}

/// Runs `exe` under qemu-mipsel with `args` (args[0] becomes the guest's argv[0]), an empty
/// environment, in `cwd` (where qemu would drop a core file on a fatal signal), for at most
/// `timeout`.
pub fn qemu(
    exe: &Path,
    args: &[String],
    cwd: &Path,
    timeout: Duration,
) -> Result<Reference, String> {
    let mut cmd = Command::new(qemu_program());
    if let Some(argv0) = args.first() {
        cmd.arg("-0").arg(argv0);
    }
    cmd.arg(exe)
        .args(args.iter().skip(1))
        .env_clear()
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot start qemu-mipsel: {e}"))?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("qemu-mipsel ran longer than {timeout:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(format!("waiting for qemu-mipsel: {e}")),
        }
    };
    let stdout = out.join().map_err(|_| "stdout reader panicked".to_string())?;
    let stderr = err.join().map_err(|_| "stderr reader panicked".to_string())?;
    use std::os::unix::process::ExitStatusExt as _;
    let status = match (status.code(), status.signal()) {
        (Some(code), _) => Status::Exited(code),
        (None, Some(sig)) => Status::Signaled(sig),
        (None, None) => return Err(format!("qemu-mipsel ended oddly: {status:?}")),
    };
    Ok(Reference { stdout, stderr, status })
}

/// Runs `image` on our user-mode runner.
pub fn ours(image: &[u8], args: &[String], limit: u64) -> Result<Outcome, String> {
    user::run_elf(image, args, limit).map_err(|e| format!("our runner could not run it: {e:?}"))
}

/// Why the two runs differ, or `None` if they agree on stdout and status.
pub fn difference(reference: &Reference, ours: &Outcome) -> Option<String> {
    let mut why = String::new();
    if reference.status != ours.status {
        let _ = writeln!(why, "status: qemu {:?}, ours {:?}", reference.status, ours.status);
    }
    if reference.stdout != ours.stdout {
        let _ = write!(why, "{}", stdout_diff(&reference.stdout, &ours.stdout));
    }
    if why.is_empty() {
        return None;
    }
    if !ours.stderr.is_empty() {
        let _ = writeln!(why, "our stderr: {}", String::from_utf8_lossy(&ours.stderr).trim_end());
    }
    if !reference.stderr.is_empty() {
        let _ =
            writeln!(why, "qemu stderr: {}", String::from_utf8_lossy(&reference.stderr).trim_end());
    }
    Some(why)
}

/// Where two outputs first differ, with the lines (or bytes) around it from both.
pub fn stdout_diff(want: &[u8], got: &[u8]) -> String {
    let at = want.iter().zip(got).position(|(a, b)| a != b).unwrap_or(want.len().min(got.len()));
    let mut s = format!(
        "stdout differs at byte {at} (qemu wrote {} bytes, ours {})\n",
        want.len(),
        got.len()
    );
    let text = |b: &[u8]| b.iter().all(|&c| c == b'\n' || c == b'\t' || (0x20..0x7f).contains(&c));
    if text(want) && text(got) {
        let line_start = want[..at].iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
        let line_no = want[..at].iter().filter(|&&c| c == b'\n').count() + 1;
        let line = |b: &[u8]| {
            let rest = b.get(line_start..).unwrap_or_default();
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            String::from_utf8_lossy(&rest[..end]).into_owned()
        };
        let _ = writeln!(s, "line {line_no}:\n  qemu: {}\n  ours: {}", line(want), line(got));
    } else {
        let from = at & !15;
        let hex = |b: &[u8]| {
            let end = (from + 32).min(b.len());
            b.get(from..end)
                .unwrap_or_default()
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = writeln!(s, "bytes from {from}:\n  qemu: {}\n  ours: {}", hex(want), hex(got));
    }
    s
}
