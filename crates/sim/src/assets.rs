//! The files a scenario needs: the guest kernels (dux's native or Disco build, SPLASHOS for the
//! workloads that run on it) and one disk image per workload. The command line reads them from
//! `target/guests/`; the web worker fetches them from the server compressed (`<name>.zst`, see the
//! `guest-pack` crate) and expands them. Either way they arrive here as the same bytes, by name.
//!
//! Without the `engine` feature only the names are here ([`Assets::required`]): what the build
//! automation needs to tell what a preset downloads.

use std::collections::BTreeMap;
#[cfg(feature = "engine")]
use std::path::Path;

use crate::scenario::{Guests, Scenario};
#[cfg(feature = "engine")]
use crate::simulation::SimError;
use crate::workload::Workload;

/// The native kernel's file name.
pub const KERNEL: &str = "kernel";
/// The Disco build of the kernel.
pub const KERNEL_DISCO: &str = "kernel-disco";

/// Files by name (`kernel`, `splashos`, `images/pmake-tiny.img`).
#[derive(Debug, Clone, Default)]
pub struct Assets {
    files: BTreeMap<String, Vec<u8>>,
}

impl Assets {
    /// The kernel that boots guest `w` (natively when `native`): dux's native or Disco build,
    /// or the workload's own kernel (SPLASHOS).
    pub fn kernel_for(w: &Workload, native: bool) -> &'static str {
        match (w.kernel, native) {
            (Some(k), _) => k,
            (None, true) => KERNEL,
            (None, false) => KERNEL_DISCO,
        }
    }

    /// The names of the files `s` needs, each once: the kernels, then the disk images.
    pub fn required(s: &Scenario) -> Vec<String> {
        let native = matches!(s.guests, Guests::Native { .. });
        let workloads = s.workloads();
        let mut names: Vec<String> = Vec::new();
        let kernels = workloads.iter().map(|w| Assets::kernel_for(w, native).to_string());
        let images = workloads.iter().map(|w| w.image_file());
        for f in kernels.chain(images) {
            if !names.contains(&f) {
                names.push(f);
            }
        }
        if names.is_empty() {
            names.push(if native { KERNEL } else { KERNEL_DISCO }.to_string());
        }
        names
    }

    /// Adds a file.
    pub fn insert(&mut self, name: &str, bytes: Vec<u8>) {
        self.files.insert(name.to_string(), bytes);
    }

    /// A file; an error naming it if it is missing.
    #[cfg(feature = "engine")]
    pub fn get(&self, name: &str) -> Result<&[u8], SimError> {
        self.files.get(name).map(Vec::as_slice).ok_or_else(|| SimError::MissingAsset(name.into()))
    }

    /// The disk image of a workload.
    #[cfg(feature = "engine")]
    pub fn image(&self, w: &Workload) -> Result<&[u8], SimError> {
        self.get(&w.image_file())
    }

    /// Reads the files `s` needs from `dir` (normally `target/guests`).
    #[cfg(feature = "engine")]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    #[test]
    fn each_vm_needs_its_own_kernel_and_image_once() {
        let s = Scenario::from_query(
            "nodes=4&cpus=2&os=disco&vms=radix-tiny-splashos:8:16,radix-tiny:4:32,smoke:1:16",
        )
        .expect("valid");
        assert_eq!(
            Assets::required(&s),
            ["splashos", "kernel-disco", "images/radix-tiny.img", "images/smoke.img"]
        );
        let native = Scenario::from_query("os=native&workload=smoke").expect("valid");
        assert_eq!(Assets::required(&native), ["kernel", "images/smoke.img"]);
    }
}
