//! The root file systems of the guest disk images, as directory trees.
//!
//! `cargo xtask guests` builds the guest programs and then calls [`stage_all`], which writes one
//! tree per [`Variant`] under `target/guests/rootfs/<variant>/`:
//!
//! ```text
//! /init                 process 1 (guests/user/init): runs /etc/rc
//! /bin/sh, cat, ...     every other user program
//! /etc/rc               what the variant runs
//! /expected.txt         lines the console must show, in order, for a correct run
//! /tmp/                 an empty directory for scratch files
//! /export/              NFS variants: the server's directory that clients write to
//! /src/pmake/...        pmake variants: the generated Mini-C tree and its Makefile
//! /data/*.tbl           db variants: the generated tables
//! ```
//!
//! The Engineering, Raytrace and Radix variants carry no input files: their programs generate
//! their inputs from fixed seeds, in memory.
//!
//! The inputs come from the generators of `guests/workloads` (fixed seeds, no clock), and the
//! expected output from running the same workload code on the host, so a guest run is checked
//! against an answer computed without the simulator. The trees are deterministic: same
//! sources, same bytes. Turning a tree into a disk image (mkfs) is another step's business.
//!
//! ```no_run
//! let bins = std::path::Path::new("target/guests");
//! for staged in rootfs::stage_all(bins, &bins.join("rootfs")).unwrap() {
//!     println!("{}: {} files, {} bytes", staged.variant.name(), staged.files, staged.bytes);
//! }
//! ```

mod variants;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use variants::{
    DATA_DIR, INIT_OK, NFS_DONE, SPLIT_BUILDING, SPLIT_BUILT, SPLIT_JOBS, SRC_DIR, Variant,
    contents,
};

/// The user programs, as cargo names them in `target/guests/`. `init` goes to `/init`, the
/// others to `/bin/`.
pub const PROGRAMS: [&str; 17] = [
    "init", "sh", "echo", "cat", "ls", "mkdir", "rm", "wc", "pmake", "cc1", "ld", "db", "logicsim",
    "memsim", "raytrace", "radix", "nfs",
];

/// A node of a tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A directory (its entries are the paths below it).
    Dir,
    /// A file and its contents.
    File(Vec<u8>),
}

/// A file-system tree: absolute path (`/bin/sh`) → node, sorted. Every parent directory of a
/// path is in the tree too.
pub type Tree = BTreeMap<String, Node>;

/// Why staging failed.
#[derive(Debug)]
pub enum Error {
    /// A program is missing from the binaries directory.
    MissingProgram(PathBuf),
    /// Running a workload on the host to know its output failed.
    Workload(String),
    /// Reading or writing a file failed.
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingProgram(p) => {
                write!(f, "{}: no such program (build the guests first)", p.display())
            }
            Error::Workload(e) => write!(f, "computing the expected output: {e}"),
            Error::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for Error {}

/// Adds a file and its parent directories.
fn add_file(tree: &mut Tree, path: &str, data: Vec<u8>) {
    let mut dir = path;
    while let Some(i) = dir.rfind('/') {
        dir = &dir[..i];
        if dir.is_empty() {
            break;
        }
        tree.insert(dir.to_string(), Node::Dir);
    }
    tree.insert(path.to_string(), Node::File(data));
}

/// Builds a variant's tree in memory; `programs` maps each name of [`PROGRAMS`] to its
/// executable.
pub fn tree(variant: Variant, programs: &BTreeMap<String, Vec<u8>>) -> Result<Tree, Error> {
    let c = contents(variant).map_err(Error::Workload)?;
    let mut t = Tree::new();
    t.insert("/tmp".into(), Node::Dir);
    if variant.nfs() {
        t.insert("/export".into(), Node::Dir);
    }
    for name in PROGRAMS {
        let exe = programs.get(name).ok_or_else(|| Error::MissingProgram(PathBuf::from(name)))?;
        let path = if name == "init" { "/init".to_string() } else { format!("/bin/{name}") };
        add_file(&mut t, &path, exe.clone());
    }
    add_file(&mut t, "/etc/rc", c.rc.into_bytes());
    for (path, data) in c.files {
        add_file(&mut t, &path, data);
    }
    let mut expected = c.expected.join("\n");
    expected.push('\n');
    add_file(&mut t, "/expected.txt", expected.into_bytes());
    Ok(t)
}

/// Writes a tree under `root`, replacing whatever was there.
pub fn write_tree(tree: &Tree, root: &Path) -> Result<(), Error> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| Error::Io(p, e)
    };
    if root.exists() {
        std::fs::remove_dir_all(root).map_err(io(root))?;
    }
    std::fs::create_dir_all(root).map_err(io(root))?;
    for (path, node) in tree {
        let at = root.join(path.trim_start_matches('/'));
        match node {
            Node::Dir => std::fs::create_dir_all(&at).map_err(io(&at))?,
            Node::File(data) => std::fs::write(&at, data).map_err(io(&at))?,
        }
    }
    Ok(())
}

/// What [`stage_all`] wrote for one variant.
#[derive(Clone, Debug)]
pub struct Staged {
    /// The variant.
    pub variant: Variant,
    /// Where its tree is.
    pub root: PathBuf,
    /// How many files.
    pub files: usize,
    /// Their total size.
    pub bytes: usize,
}

/// Reads the programs from `bin_dir` and writes every variant's tree to `out_dir/<variant>`.
pub fn stage_all(bin_dir: &Path, out_dir: &Path) -> Result<Vec<Staged>, Error> {
    let mut programs = BTreeMap::new();
    for name in PROGRAMS {
        let path = bin_dir.join(name);
        let exe = std::fs::read(&path).map_err(|_| Error::MissingProgram(path.clone()))?;
        programs.insert(name.to_string(), exe);
    }
    let mut staged = Vec::new();
    for variant in Variant::ALL {
        let t = tree(variant, &programs)?;
        let root = out_dir.join(variant.name());
        write_tree(&t, &root)?;
        let sizes = t.values().filter_map(|n| match n {
            Node::File(d) => Some(d.len()),
            Node::Dir => None,
        });
        let (files, bytes) = sizes.fold((0, 0), |(n, b), s| (n + 1, b + s));
        staged.push(Staged { variant, root, files, bytes });
    }
    Ok(staged)
}

#[cfg(test)]
mod tests;
