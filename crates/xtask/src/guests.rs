//! `cargo xtask guests`: build everything under guests/ for `mipsel-unknown-none` and copy the
//! executables to `target/guests/<name>`, where the simulator's tests and the CLI find them;
//! then stage the root file-system trees of the disk images in `target/guests/rootfs/` and build
//! the images themselves in `target/guests/images/<variant>.img`.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::fail;
use crate::steps::{Result, header, show};
use crate::toolchain::Toolchain;

/// The guests' target: MIPS32r2, little-endian, soft-float, no OS.
pub const TARGET: &str = "mipsel-unknown-none";

/// Where the built guest executables are collected.
pub fn out_dir() -> PathBuf {
    crate::root().join("target/guests")
}

/// Builds all guests; returns the paths of the collected executables.
pub fn build(tc: &Toolchain) -> Result<Vec<PathBuf>> {
    header(&format!("guests: building for {TARGET}"));
    let guests = crate::root().join("guests");
    let mut cmd = Command::new(&tc.cargo);
    tc.cross_env(&mut cmd);
    cmd.current_dir(&guests)
        .args(["build", "--release", "--workspace", "--target", TARGET])
        .args(["-Zbuild-std=core,alloc", "-Zbuild-std-features=compiler-builtins-mem"])
        .args(["--message-format=json-render-diagnostics"])
        .stdout(Stdio::piped());
    let shown = show(&cmd);
    let out = cmd.output().map_err(|e| fail!("cannot run `{shown}`: {e}"))?;
    if !out.status.success() {
        return Err(fail!("guest build failed: `{shown}` ({})", out.status));
    }
    let dir = out_dir();
    std::fs::create_dir_all(&dir)?;
    let mut built = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(exe) = executable_of(line) {
            let src = PathBuf::from(exe);
            let Some(name) = src.file_name() else { continue };
            let dst = dir.join(name);
            std::fs::copy(&src, &dst)
                .map_err(|e| fail!("cannot copy {} to {}: {e}", src.display(), dst.display()))?;
            built.push(dst);
        }
    }
    built.sort();
    for b in &built {
        println!("  {}", b.display());
    }
    if built.is_empty() {
        return Err(fail!("the guest build produced no executables"));
    }
    stage_rootfs(&dir)?;
    Ok(built)
}

/// Writes the root file-system trees of the disk images (the `rootfs` crate): the user programs
/// just built, and each variant's `/etc/rc`, generated inputs and expected output.
fn stage_rootfs(dir: &std::path::Path) -> Result<()> {
    header("guests: root file-system trees");
    let staged = rootfs::stage_all(dir, &dir.join("rootfs")).map_err(|e| fail!("rootfs: {e}"))?;
    let images = dir.join("images");
    std::fs::create_dir_all(&images)?;
    for s in staged {
        println!("  {} ({} files, {} bytes)", s.root.display(), s.files, s.bytes);
        let tree = mkfs::Tree::from_dir(&s.root).map_err(|e| fail!("{}: {e}", s.root.display()))?;
        // Room for what the workload writes (objects, scratch files) as much again as its
        // inputs, and at least 4 MB.
        let blocks = (2 * s.bytes / 4096 + 2 * s.files + 1024) as u32;
        let inodes = (3 * s.files + 256) as u32;
        let image = mkfs::Image::build(&tree, blocks, inodes)
            .map_err(|e| fail!("{}: {e}", s.root.display()))?;
        let path = images.join(format!("{}.img", s.variant.name()));
        std::fs::write(&path, image.bytes())?;
        println!("    -> {} ({} MB)", path.display(), image.bytes().len() >> 20);
    }
    Ok(())
}

/// The `"executable":"..."` path of a cargo JSON artifact message, if it has one (also how the
/// bench finds the release CLI).
pub fn executable_of(line: &str) -> Option<&str> {
    if !line.contains("\"reason\":\"compiler-artifact\"") {
        return None;
    }
    let rest = &line[line.find("\"executable\":\"")? + "\"executable\":\"".len()..];
    // Paths here are plain ASCII under the repository; a quote ends the string.
    Some(&rest[..rest.find('"')?])
}

#[cfg(test)]
mod tests {
    use super::executable_of;

    #[test]
    fn finds_the_executable_of_an_artifact() {
        let line = r#"{"reason":"compiler-artifact","executable":"/r/guests/target/x/hello","fresh":true}"#;
        assert_eq!(executable_of(line), Some("/r/guests/target/x/hello"));
        assert_eq!(executable_of(r#"{"reason":"compiler-artifact","executable":null}"#), None);
        assert_eq!(executable_of(r#"{"reason":"build-finished"}"#), None);
    }
}
