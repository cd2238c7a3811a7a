//! How the workloads reach files: a small trait, implemented over dux's system calls for the
//! guest programs (`DuxFiles`, with the `dux` feature) and over an in-memory map for the host
//! ([`MemFiles`]: expected results and tests).

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Reading and writing whole files by path.
pub trait Files {
    /// The contents of the file at `path`, or a message naming the problem.
    fn read(&mut self, path: &str) -> Result<Vec<u8>, String>;
    /// Creates or replaces the file at `path`.
    fn write(&mut self, path: &str, data: &[u8]) -> Result<(), String>;
}

/// A file system in memory: paths are plain keys (no directories, no `..`).
#[derive(Clone, Debug, Default)]
pub struct MemFiles {
    /// Path → contents.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl MemFiles {
    /// An empty file system.
    pub fn new() -> Self {
        MemFiles::default()
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, path: &str, data: impl Into<Vec<u8>>) {
        self.files.insert(path.to_string(), data.into());
    }
}

impl Files for MemFiles {
    fn read(&mut self, path: &str) -> Result<Vec<u8>, String> {
        self.files.get(path).cloned().ok_or_else(|| alloc::format!("{path}: no such file"))
    }

    fn write(&mut self, path: &str, data: &[u8]) -> Result<(), String> {
        self.files.insert(path.to_string(), data.to_vec());
        Ok(())
    }
}

/// The files of the dux file system, through `ulib`. Like a C program going through stdio, it
/// reads and writes in [`STDIO_BUFSIZ`] pieces, one system call each, so the workloads make
/// the system calls such programs make (the paper's Pmake is system-call heavy).
#[cfg(feature = "dux")]
pub struct DuxFiles;

/// The size of one `read` or `write` of `DuxFiles` (stdio's `BUFSIZ` on many systems).
pub const STDIO_BUFSIZ: usize = 8192;

#[cfg(feature = "dux")]
impl Files for DuxFiles {
    fn read(&mut self, path: &str) -> Result<Vec<u8>, String> {
        let fail = |e: ulib::Errno| alloc::format!("{path}: {e}");
        let file = ulib::fs::File::open(path).map_err(fail)?;
        let mut data = Vec::with_capacity(file.stat().map_or(0, |st| st.size as usize));
        let mut buf = alloc::vec![0u8; STDIO_BUFSIZ];
        loop {
            match file.read(&mut buf).map_err(fail)? {
                0 => return Ok(data),
                n => data.extend_from_slice(&buf[..n]),
            }
        }
    }

    fn write(&mut self, path: &str, data: &[u8]) -> Result<(), String> {
        let fail = |e: ulib::Errno| alloc::format!("{path}: {e}");
        let file = ulib::fs::File::create(path).map_err(fail)?;
        for chunk in data.chunks(STDIO_BUFSIZ) {
            file.write_all(chunk).map_err(fail)?;
        }
        Ok(())
    }
}

/// Joins a directory and a relative path (`dir` may be empty or `.`; `rel` starting with `/` is
/// returned as it is).
pub fn join(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') || dir.is_empty() || dir == "." {
        return rel.to_string();
    }
    let dir = dir.trim_end_matches('/');
    alloc::format!("{dir}/{rel}")
}

/// The directory part of a path (`""` if it has none).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_and_splits_paths() {
        assert_eq!(join("include", "a.h"), "include/a.h");
        assert_eq!(join("", "a.h"), "a.h");
        assert_eq!(join("x/", "/abs.h"), "/abs.h");
        assert_eq!(parent("include/a.h"), "include");
        assert_eq!(parent("/a.h"), "/");
        assert_eq!(parent("a.h"), "");
    }
}
