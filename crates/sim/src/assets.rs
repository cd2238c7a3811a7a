//! The files a scenario needs: the guest kernel (native or Disco build) and one disk image per
//! workload. The command line reads them from `target/guests/`; the web worker fetches them
//! from the server. Either way they arrive here as bytes, by name.

use std::collections::BTreeMap;
use std::path::Path;

use crate::scenario::{Guests, Scenario};
use crate::simulation::SimError;
use crate::workload::Workload;

/// The native kernel's file name.
pub const KERNEL: &str = "kernel";
/// The Disco build of the kernel.
pub const KERNEL_DISCO: &str = "kernel-disco";

/// Files by name (`kernel`, `images/pmake-tiny.img`).
#[derive(Debug, Clone, Default)]
pub struct Assets {
    files: BTreeMap<String, Vec<u8>>,
}

impl Assets {
    /// The names of the files `s` needs, each once.
    pub fn required(s: &Scenario) -> Vec<String> {
        let mut names = vec![match s.guests {
            Guests::Native { .. } => KERNEL.to_string(),
            Guests::Disco { .. } => KERNEL_DISCO.to_string(),
        }];
        for w in s.workloads() {
            let f = w.image_file();
            if !names.contains(&f) {
                names.push(f);
            }
        }
        names
    }

    /// Adds a file.
    pub fn insert(&mut self, name: &str, bytes: Vec<u8>) {
        self.files.insert(name.to_string(), bytes);
    }

    /// A file; an error naming it if it is missing.
    pub fn get(&self, name: &str) -> Result<&[u8], SimError> {
        self.files.get(name).map(Vec::as_slice).ok_or_else(|| SimError::MissingAsset(name.into()))
    }

    /// The disk image of a workload.
    pub fn image(&self, w: &Workload) -> Result<&[u8], SimError> {
        self.get(&w.image_file())
    }

    /// Reads the files `s` needs from `dir` (normally `target/guests`).
    pub fn from_dir(dir: &Path, s: &Scenario) -> Result<Assets, SimError> {
        let mut a = Assets::default();
        for name in Assets::required(s) {
            let path = dir.join(&name);
            let bytes = std::fs::read(&path).map_err(|e| SimError::BadAsset {
                name: name.clone(),
                message: format!("{}: {e} (run `cargo xtask guests`)", path.display()),
            })?;
            a.insert(&name, bytes);
        }
        Ok(a)
    }
}
