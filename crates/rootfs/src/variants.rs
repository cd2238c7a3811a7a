//! The variants: what each one's `/etc/rc` runs, which inputs it carries, and what its console
//! must show.

use std::collections::BTreeMap;

use workloads::files::MemFiles;
use workloads::inputs::{srctree, tables};
use workloads::{db, engineering, pmake, radix, raytrace};

/// The line init prints when `/etc/rc` succeeded (see guests/user/init).
pub const INIT_OK: &str = "init: /etc/rc finished with status 0";

/// A root file system to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variant {
    /// A few utilities and a file round trip: does the system work at all?
    Smoke,
    /// An interactive shell on the console: commands typed by the user, `exit` to end.
    Shell,
    /// Pmake on the tiny source tree (a few million instructions).
    PmakeTiny,
    /// Pmake on the full source tree (about a billion instructions).
    PmakeFull,
    /// The database on the tiny tables (a few hundred KB).
    DbTiny,
    /// The database on the full tables (tens of MB).
    DbFull,
    /// Engineering: four logic and four memory-system simulations at once, small.
    EngineeringTiny,
    /// Engineering: six and six, as in the paper's NUMA run (about two billion instructions).
    EngineeringFull,
    /// Raytrace with eight threads, a 128×128 image.
    RaytraceTiny,
    /// Raytrace with eight threads, 512×512 (about three billion instructions).
    RaytraceFull,
    /// Radix with eight threads, 64 Ki keys.
    RadixTiny,
    /// Radix with eight threads, 4 Mi keys (about a billion instructions).
    RadixFull,
    /// Fig. 7's share of eight pmake builds of the tiny tree: [`Variant::builds`] instances at
    /// once, each on its own copy of the tree (see [`Variant::split`]).
    PmakeTinyX1,
    /// Two of Fig. 7's eight tiny builds (four VMs of two VCPUs).
    PmakeTinyX2,
    /// Four of Fig. 7's eight tiny builds (two VMs of four VCPUs).
    PmakeTinyX4,
    /// All eight of Fig. 7's tiny builds (the native OS, or one VM of eight VCPUs).
    PmakeTinyX8,
    /// One of Fig. 7's eight builds of the mid-size tree ([`srctree::MID`]).
    PmakeMidX1,
    /// Two of Fig. 7's eight mid-size builds.
    PmakeMidX2,
    /// Four of Fig. 7's eight mid-size builds.
    PmakeMidX4,
    /// All eight of Fig. 7's mid-size builds.
    PmakeMidX8,
    /// Pmake (tiny) over the NFS-like service between VMs (paper §4.2.6): VM 0 serves its
    /// file system, every other VM builds from the files it reads from VM 0.
    PmakeTinyNfs,
    /// The same on the full source tree (Fig. 6's "8 VMs/NFS").
    PmakeFullNfs,
    /// One of Fig. 7's tiny builds over NFS (its "8 VMs/NFS" bar): VM 0 serves the `-x1`
    /// image's files, each other VM runs one build from them.
    PmakeTinyX1Nfs,
    /// The same with the mid-size tree (Fig. 7 at full size).
    PmakeMidX1Nfs,
}

impl Variant {
    /// Every variant.
    pub const ALL: [Variant; 24] = [
        Variant::Smoke,
        Variant::Shell,
        Variant::PmakeTiny,
        Variant::PmakeFull,
        Variant::DbTiny,
        Variant::DbFull,
        Variant::EngineeringTiny,
        Variant::EngineeringFull,
        Variant::RaytraceTiny,
        Variant::RaytraceFull,
        Variant::RadixTiny,
        Variant::RadixFull,
        Variant::PmakeTinyX1,
        Variant::PmakeTinyX2,
        Variant::PmakeTinyX4,
        Variant::PmakeTinyX8,
        Variant::PmakeMidX1,
        Variant::PmakeMidX2,
        Variant::PmakeMidX4,
        Variant::PmakeMidX8,
        Variant::PmakeTinyNfs,
        Variant::PmakeFullNfs,
        Variant::PmakeTinyX1Nfs,
        Variant::PmakeMidX1Nfs,
    ];

    /// The directory name under `target/guests/rootfs/`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Smoke => "smoke",
            Variant::Shell => "shell",
            Variant::PmakeTiny => "pmake-tiny",
            Variant::PmakeFull => "pmake-full",
            Variant::DbTiny => "db-tiny",
            Variant::DbFull => "db-full",
            Variant::EngineeringTiny => "engineering-tiny",
            Variant::EngineeringFull => "engineering-full",
            Variant::RaytraceTiny => "raytrace-tiny",
            Variant::RaytraceFull => "raytrace-full",
            Variant::RadixTiny => "radix-tiny",
            Variant::RadixFull => "radix-full",
            Variant::PmakeTinyX1 => "pmake-tiny-x1",
            Variant::PmakeTinyX2 => "pmake-tiny-x2",
            Variant::PmakeTinyX4 => "pmake-tiny-x4",
            Variant::PmakeTinyX8 => "pmake-tiny-x8",
            Variant::PmakeMidX1 => "pmake-mid-x1",
            Variant::PmakeMidX2 => "pmake-mid-x2",
            Variant::PmakeMidX4 => "pmake-mid-x4",
            Variant::PmakeMidX8 => "pmake-mid-x8",
            Variant::PmakeTinyNfs => "pmake-tiny-nfs",
            Variant::PmakeFullNfs => "pmake-full-nfs",
            Variant::PmakeTinyX1Nfs => "pmake-tiny-x1-nfs",
            Variant::PmakeMidX1Nfs => "pmake-mid-x1-nfs",
        }
    }

    /// The variant's generated input files, if it has some that the worker can make again: the
    /// generator that makes them (a name of `guest_pack::generators`) and the directory of the
    /// tree where all its files go, under the generator's names. `cargo xtask web` ships such an
    /// image without their bytes, with a manifest the worker regenerates them from.
    pub fn generated(self) -> Option<(&'static str, &'static str)> {
        match self {
            Variant::DbTiny => Some(("db-tables/tiny", DATA_DIR)),
            Variant::DbFull => Some(("db-tables/full", DATA_DIR)),
            _ => None,
        }
    }

    /// True for the images of an NFS run (paper §4.2.6): they carry the server's `/export`,
    /// the directory clients write to over NFS.
    pub fn nfs(self) -> bool {
        matches!(
            self,
            Variant::PmakeTinyNfs
                | Variant::PmakeFullNfs
                | Variant::PmakeTinyX1Nfs
                | Variant::PmakeMidX1Nfs
        )
    }

    /// For Fig. 7's pmake variants, the tree each build compiles and how many builds run at
    /// once; `None` for every other variant.
    pub fn split(self) -> Option<(&'static srctree::TreeSize, usize)> {
        match self {
            Variant::PmakeTinyX1 => Some((&srctree::TINY, 1)),
            Variant::PmakeTinyX2 => Some((&srctree::TINY, 2)),
            Variant::PmakeTinyX4 => Some((&srctree::TINY, 4)),
            Variant::PmakeTinyX8 => Some((&srctree::TINY, 8)),
            Variant::PmakeMidX1 => Some((&srctree::MID, 1)),
            Variant::PmakeMidX2 => Some((&srctree::MID, 2)),
            Variant::PmakeMidX4 => Some((&srctree::MID, 4)),
            Variant::PmakeMidX8 => Some((&srctree::MID, 8)),
            Variant::PmakeTinyX1Nfs => Some((&srctree::TINY, 1)),
            Variant::PmakeMidX1Nfs => Some((&srctree::MID, 1)),
            _ => None,
        }
    }

    /// How many pmake builds the variant runs at once (Fig. 7's variants; 1 for the others).
    pub fn builds(self) -> usize {
        self.split().map_or(1, |(_, k)| k)
    }
}

/// What a variant adds to the common tree: extra files (absolute path → contents) and the
/// lines its console must show, in order.
pub struct Contents {
    /// `/etc/rc`.
    pub rc: String,
    /// Other files: generated inputs, helper scripts.
    pub files: BTreeMap<String, Vec<u8>>,
    /// `/expected.txt`: lines the console must contain, in this order (other lines — the
    /// kernel's, commands echoed — may come between them).
    pub expected: Vec<String>,
}

/// Builds a variant's contents (this runs the workload on the host to know its output).
pub fn contents(v: Variant) -> Result<Contents, String> {
    match v {
        Variant::Smoke => Ok(smoke()),
        Variant::Shell => Ok(shell()),
        Variant::PmakeTiny => pmake_variant(v, &srctree::TINY),
        Variant::PmakeFull => pmake_variant(v, &srctree::FULL),
        Variant::PmakeTinyNfs => built(v, &srctree::TINY, None).map(|b| over_nfs(v, b)),
        Variant::PmakeFullNfs => built(v, &srctree::FULL, None).map(|b| over_nfs(v, b)),
        Variant::PmakeTinyX1Nfs => built(v, &srctree::TINY, Some(1)).map(|b| over_nfs(v, b)),
        Variant::PmakeMidX1Nfs => built(v, &srctree::MID, Some(1)).map(|b| over_nfs(v, b)),
        Variant::DbTiny => db_variant(v, &tables::TINY),
        Variant::DbFull => db_variant(v, &tables::FULL),
        Variant::EngineeringTiny => Ok(engineering_variant(v, &engineering::TINY)),
        Variant::EngineeringFull => Ok(engineering_variant(v, &engineering::FULL)),
        Variant::RaytraceTiny => Ok(raytrace_variant(v, "tiny", raytrace::TINY)),
        Variant::RaytraceFull => Ok(raytrace_variant(v, "full", raytrace::FULL)),
        Variant::RadixTiny => Ok(radix_variant(v, radix::TINY_KEYS)),
        Variant::RadixFull => Ok(radix_variant(v, radix::FULL_KEYS)),
        Variant::PmakeTinyX1
        | Variant::PmakeTinyX2
        | Variant::PmakeTinyX4
        | Variant::PmakeTinyX8
        | Variant::PmakeMidX1
        | Variant::PmakeMidX2
        | Variant::PmakeMidX4
        | Variant::PmakeMidX8 => {
            let (size, builds) = v.split().ok_or("not a split pmake variant")?;
            pmake_split_variant(v, size, builds)
        }
    }
}

/// Where the pmake variants keep the source tree.
pub const SRC_DIR: &str = "/src/pmake";
/// Where the db variants keep the tables.
pub const DATA_DIR: &str = "/data";

fn pmake_variant(v: Variant, size: &srctree::TreeSize) -> Result<Contents, String> {
    pmake_build(v, size).map(|(c, _)| c)
}

/// What pmake builds: its linked program, in the source tree.
const PROGRAM: &str = "prog";

/// A pmake variant ([`pmake_variant`], or with `Some(builds)` [`pmake_split_variant`]), the
/// path of the program its (first) build links and the program's bytes.
fn built(
    v: Variant,
    size: &srctree::TreeSize,
    split: Option<usize>,
) -> Result<(Contents, String, Vec<u8>), String> {
    Ok(match split {
        None => {
            let (c, prog) = pmake_build(v, size)?;
            (c, format!("{SRC_DIR}/{PROGRAM}"), prog)
        }
        Some(builds) => {
            let (c, prog) = pmake_split_build(v, size, builds)?;
            (c, format!("{SRC_DIR}1/{PROGRAM}"), prog)
        }
    })
}

/// [`pmake_variant`] and the program its build links.
fn pmake_build(v: Variant, size: &srctree::TreeSize) -> Result<(Contents, Vec<u8>), String> {
    let tree = srctree::generate(size);
    let mut mem = MemFiles::new();
    let mut files = BTreeMap::new();
    for (path, data) in &tree {
        mem.insert(path, data.clone());
        files.insert(format!("{SRC_DIR}/{path}"), data.clone());
    }
    let mut expected = pmake::run_in_memory("Makefile", None, &mut mem)?;
    expected.push(INIT_OK.into());
    let prog = mem.files.get(PROGRAM).cloned().ok_or("pmake linked no program")?;
    // The paper measured pmake with its files cached (§5): read every input once, in one
    // sequential pass, so that the compile that follows finds them in the buffer cache.
    let inputs: Vec<&str> = tree.iter().map(|(path, _)| path.as_str()).collect();
    let rc = format!(
        "# {name}: the paper's Pmake workload, a parallel compile: {units} compiler processes\n\
         # (cc1), a job per CPU (at least two), then a link (ld). The checksum covers every\n\
         # output file. First the sources and the compiler are read once, so that the\n\
         # compile finds them in the file cache, as in the paper's runs.\n\
         cd {SRC_DIR}\n\
         wc /bin/pmake /bin/cc1 /bin/ld {inputs} > /tmp/warm\n\
         pmake Makefile\n",
        name = v.name(),
        units = size.units + 1,
        inputs = inputs.join(" "),
    );
    Ok((Contents { rc, files, expected }, prog))
}

/// The line the NFS server prints when every client has stopped (then it powers off).
pub const NFS_DONE: &str = "nfsd: every client done";

/// A pmake image over the NFS-like service (paper §4.2.6, the kernel's `nfs.rs` and
/// `export.rs`): `/etc/rc` starts with `nfs start` — on VM 0 it serves the file system until
/// every other VM has stopped, then prints what the clients wrote to its `/export` and powers
/// off (printing [`NFS_DONE`] first); on the others it mounts VM 0's file system, so the
/// sources and programs they read come from VM 0's buffer cache — then runs the build of `c`
/// ([`pmake_variant`]'s one build, or one of Fig. 7's split builds), writes the program it
/// linked to the server over NFS (`nfs put`: `/export/vmN-prog`, read back and compared)
/// and ends with `nfs stop`. The expected lines are the build's and the `nfs put` line for
/// the clients, and [`NFS_DONE`] and VM 1's program as the server received it (its size and
/// FNV-1a 32, computed here) for the server (`sim`'s workloads say which are whose). The
/// clients do not read each other's programs (`nfs check` would): that would add sharing of
/// the server's pages at the end of the run that no build needs, and move Fig. 6's NFS bar.
fn over_nfs(v: Variant, (mut c, prog_path, prog): (Contents, String, Vec<u8>)) -> Contents {
    c.rc = format!(
        "# {name}: VM 0 serves its files over the virtual subnet; the others build from them
# and write the program they linked back to it (writes over NFS, under /export).
nfs start
{rc}nfs put {prog_path}
nfs stop
",
        name = v.name(),
        rc = c.rc,
    );
    let init_ok = c.expected.pop();
    c.expected.push(format!("nfs: wrote {PROGRAM} to the server and read it back intact"));
    c.expected.extend(init_ok);
    c.expected.push(NFS_DONE.into());
    c.expected.push(nfs_received(1, &prog));
    c
}

/// The line the NFS server prints, as it powers off, for the program VM `vm` wrote to it.
fn nfs_received(vm: u32, prog: &[u8]) -> String {
    format!(
        "nfsd: received vm{vm}-{PROGRAM}: {} bytes, fnv {:08x}",
        prog.len(),
        workloads::hash::fnv32(prog)
    )
}

/// Jobs per build in Fig. 7's variants: the paper's pmake ran at -J2 (Table 1), and a fixed
/// count keeps the work and the processes the same however the builds are split between VMs.
pub const SPLIT_JOBS: usize = 2;

/// The line Fig. 7's variants print as their builds start (after the file cache is warm): the
/// experiment measures from the first guest's to the last guest's [`SPLIT_BUILT`].
pub const SPLIT_BUILDING: &str = "pmake-split: building";

/// The line Fig. 7's variants print when all their builds have finished.
pub const SPLIT_BUILT: &str = "pmake-split: built";

/// Fig. 7's pmake: `builds` instances of the same build at once, each in its own copy of the
/// tree (`/src/pmake1` … `/src/pmakeK`, since a build writes its objects beside its sources),
/// each at `-j2` with its output in `/tmp/pmakeI.out`. The paper's scalability run was eight
/// pmake instances on eight CPUs (§5.4), split evenly between the VMs; the variant with K
/// builds is one VM's share when 8/K VMs run. The outputs are printed after the `wait`, in a
/// fixed order, so the expected lines (each build's `ld` and `pmake` lines, the same for every
/// copy) are checked in order even though the builds interleave. [`SPLIT_BUILDING`] and
/// [`SPLIT_BUILT`] bracket the builds: the reads that warm the cache and the shutdown's
/// write-back are outside (natively the eight copies are read from one disk one after the
/// other, where VMs sharing one image read one copy: not the work being compared).
fn pmake_split_variant(
    v: Variant,
    size: &srctree::TreeSize,
    builds: usize,
) -> Result<Contents, String> {
    pmake_split_build(v, size, builds).map(|(c, _)| c)
}

/// [`pmake_split_variant`] and the program each build links.
fn pmake_split_build(
    v: Variant,
    size: &srctree::TreeSize,
    builds: usize,
) -> Result<(Contents, Vec<u8>), String> {
    let tree = srctree::generate(size);
    let mut mem = MemFiles::new();
    let mut files = BTreeMap::new();
    for (path, data) in &tree {
        mem.insert(path, data.clone());
        for i in 1..=builds {
            files.insert(format!("{SRC_DIR}{i}/{path}"), data.clone());
        }
    }
    let once = pmake::run_in_memory("Makefile", None, &mut mem)?;
    let prog = mem.files.get(PROGRAM).cloned().ok_or("pmake linked no program")?;
    let inputs: Vec<&str> = tree.iter().map(|(path, _)| path.as_str()).collect();
    let mut rc = format!(
        "# {name}: {builds} of the paper's eight pmake instances (Fig. 7), at once: each a\n\
         # parallel compile of {units} files at -j{SPLIT_JOBS} in its own copy of the tree. The inputs\n\
         # are read once first, so that the builds find them in the file cache, as in the paper.\n\
         wc /bin/pmake /bin/cc1 /bin/ld > /tmp/warm\n",
        name = v.name(),
        units = size.units + 1,
    );
    for i in 1..=builds {
        rc.push_str(&format!("cd {SRC_DIR}{i}\nwc {} > /tmp/warm{i}\n", inputs.join(" ")));
    }
    rc.push_str(&format!("echo {SPLIT_BUILDING}\n"));
    let mut outputs = Vec::new();
    let mut expected = vec![SPLIT_BUILDING.to_string(), SPLIT_BUILT.to_string()];
    for i in 1..=builds {
        let out = format!("/tmp/pmake{i}.out");
        rc.push_str(&format!("cd {SRC_DIR}{i}\npmake -j{SPLIT_JOBS} Makefile > {out} &\n"));
        outputs.push(out);
        expected.extend(once.iter().cloned());
    }
    rc.push_str(&format!("wait\necho {SPLIT_BUILT}\ncat {}\n", outputs.join(" ")));
    expected.push(INIT_OK.into());
    Ok((Contents { rc, files, expected }, prog))
}

fn db_variant(v: Variant, size: &tables::DbSize) -> Result<Contents, String> {
    let mut mem = MemFiles::new();
    let mut files = BTreeMap::new();
    // The tables come from the generator the worker runs to make them again (Variant::generated),
    // so that what the image holds is by construction what the worker regenerates.
    let (name, dir) = v.generated().ok_or("a db variant without its generator")?;
    let generator = guest_pack::generators::find(name).ok_or("no such generator")?;
    for (name, data) in generator.generate() {
        mem.insert(&format!("data/{name}"), data.clone());
        files.insert(format!("{dir}/{name}"), data);
    }
    let mut expected = db::run_lines("data", &mut mem, false)?;
    expected.push(INIT_OK.into());
    let rc = format!(
        "# {name}: the paper's Database workload: one memory-intensive process answering\n\
         # decision-support queries over TPC-H-like tables ({orders} orders).\n\
         db {DATA_DIR}\n",
        name = v.name(),
        orders = size.orders,
    );
    Ok(Contents { rc, files, expected })
}

/// Threads of the parallel workloads (one per CPU of the paper's eight-CPU machine).
pub const THREADS: usize = 8;

/// Where the Engineering variants' processes leave their output lines.
const ENGINEERING_DIR: &str = "/tmp/engineering";

fn engineering_variant(v: Variant, size: &engineering::Size) -> Contents {
    let n = size.instances;
    let mut rc = format!(
        "# {name}: the paper's Engineering workload: {n} gate-level logic simulations and {n}\n\
         # memory-system simulations at once, each with a large private working set. They run\n\
         # in the background; each writes its line to a file, printed in a fixed order after.\n\
         mkdir {ENGINEERING_DIR}\n",
        name = v.name(),
    );
    let mut outputs = Vec::new();
    let mut expected = Vec::new();
    for i in 0..n {
        for program in ["logicsim", "memsim"] {
            let out = format!("{ENGINEERING_DIR}/{program}{i}");
            rc.push_str(&format!("{program} {} {i} > {out} &\n", size.name));
            outputs.push(out);
        }
        expected.push(engineering::logicsim::run(&size.logic, i));
        expected.push(engineering::memsim::run(&size.mem, i));
    }
    rc.push_str("wait\n");
    rc.push_str(&format!("cat {}\n", outputs.join(" ")));
    expected.push(INIT_OK.into());
    Contents { rc, files: BTreeMap::new(), expected }
}

fn raytrace_variant(v: Variant, size_name: &str, size: raytrace::Size) -> Contents {
    // No `-p`: a thread per CPU of whatever runs it, so the image works on a machine or VM of
    // any size; its result line does not depend on the thread count.
    let rc = format!(
        "# {name}: the paper's Raytrace workload: a thread per CPU renders a {w}x{h} image of\n\
         # {n} spheres, sharing the scene (read-only) and taking pixels in bundles as they go.\n\
         raytrace {size_name}\n",
        name = v.name(),
        w = size.width,
        h = size.height,
        n = size.spheres,
    );
    let expected = vec![raytrace::line(&size, raytrace::reference(size)), INIT_OK.to_string()];
    Contents { rc, files: BTreeMap::new(), expected }
}

fn radix_variant(v: Variant, keys: usize) -> Contents {
    // No `-p`: radix runs a thread per CPU of whatever runs it (dux's CPUs, SPLASHOS's
    // VCPUs), so the image works on a machine or VM of any size; its result line does not
    // depend on the thread count.
    let rc = format!(
        "# {name}: SPLASH-2's Radix (the paper's scalability run on SPLASHOS): a thread per\n\
         # CPU sorts {keys} keys.\n\
         radix -n {keys}\n",
        name = v.name(),
    );
    let expected = vec![radix::reference(keys, THREADS).line(), INIT_OK.to_string()];
    Contents { rc, files: BTreeMap::new(), expected }
}

/// `wc`'s line for `text` (guests/user/wc): lines, words, bytes in 7 columns, then the name.
fn wc_line(text: &str, name: &str) -> String {
    let lines = text.matches('\n').count();
    let words = text.split_ascii_whitespace().count();
    format!("{lines:>7} {words:>7} {:>7} {name}", text.len())
}

/// The first line of the interactive variant's greeting.
pub const SHELL_GREETING: &str = "dux: an interactive shell; type a command and press Enter.";

fn shell() -> Contents {
    let rc = "\
# shell: an interactive session on the console. `sh` without a script reads the commands typed
# at the console (the kernel echoes them); `exit` ends it, and init powers the machine off.
cat /etc/motd
sh
"
    .to_string();
    let motd = format!(
        "{SHELL_GREETING}\n\
         Try: ls /bin   cat /etc/rc   echo hello > /tmp/f   wc /tmp/f   sh /etc/demo.sh   exit\n"
    );
    let demo = "\
# A script to run from the interactive shell: `sh /etc/demo.sh`.
echo demo: making a directory and a file
mkdir /tmp/demo
echo one two three > /tmp/demo/words
ls -l /tmp/demo
wc /tmp/demo/words
";
    let files = BTreeMap::from([
        ("/etc/motd".to_string(), motd.into_bytes()),
        ("/etc/demo.sh".to_string(), demo.as_bytes().to_vec()),
    ]);
    Contents { rc, files, expected: vec![SHELL_GREETING.into(), INIT_OK.into()] }
}

fn smoke() -> Contents {
    let rc = "\
# smoke: a few utilities, redirections, background jobs, a script, and a file round trip.
echo smoke: start
mkdir /tmp/smoke
echo one two three > /tmp/smoke/a.txt
echo four five >> /tmp/smoke/a.txt
cat /tmp/smoke/a.txt
wc /tmp/smoke/a.txt
cat < /tmp/smoke/a.txt > /tmp/smoke/b.txt
ls /tmp/smoke
rm /tmp/smoke/a.txt
ls -l /tmp/smoke
echo job one > /tmp/smoke/c.txt &
wc /tmp/smoke/b.txt > /tmp/smoke/d.txt &
wait
cat /tmp/smoke/c.txt /tmp/smoke/d.txt
sh /etc/smoke.sh
echo smoke: done
"
    .to_string();
    let script = "\
# Run by `sh` from /etc/rc.
cd /tmp/smoke
echo smoke.sh: in /tmp/smoke
ls
";
    let a = "one two three\nfour five\n";
    let expected = vec![
        "smoke: start".to_string(),
        "one two three".into(),
        "four five".into(),
        wc_line(a, "/tmp/smoke/a.txt"),
        "a.txt".into(),
        "b.txt".into(),
        format!("- {:>9} b.txt", a.len()),
        "job one".into(),
        wc_line(a, "/tmp/smoke/b.txt"),
        "smoke.sh: in /tmp/smoke".into(),
        "b.txt".into(),
        "c.txt".into(),
        "d.txt".into(),
        "smoke: done".into(),
        INIT_OK.into(),
    ];
    let files = BTreeMap::from([("/etc/smoke.sh".to_string(), script.as_bytes().to_vec())]);
    Contents { rc, files, expected }
}

#[cfg(test)]
mod numa_tests {
    //! The Engineering, Raytrace and Radix variants: runnable scripts, answers from the host.

    use super::*;
    use crate::{Node, PROGRAMS, tree};

    const NEW: [Variant; 3] = [Variant::EngineeringTiny, Variant::RaytraceTiny, Variant::RadixTiny];

    fn programs() -> BTreeMap<String, Vec<u8>> {
        PROGRAMS.iter().map(|p| (p.to_string(), format!("ELF {p}").into_bytes())).collect()
    }

    #[test]
    fn scripts_parse_and_run_programs_of_the_tree() {
        for v in NEW {
            let t = tree(v, &programs()).expect("tree");
            let Node::File(rc) = &t["/etc/rc"] else { panic!("/etc/rc is a directory") };
            let rc = String::from_utf8(rc.clone()).expect("utf-8");
            let mut commands = 0;
            for line in rc.lines() {
                let Some(cmd) = shell::parse::parse_line(line).expect("parses") else { continue };
                commands += 1;
                let word = cmd.words[0].as_str();
                if word != "wait" {
                    let path = shell::parse::program_path(word);
                    assert!(t.contains_key(&path), "{}: {line}: no {path}", v.name());
                }
            }
            assert!(commands >= 1, "{}", v.name());
            assert_eq!(tree(v, &programs()).expect("tree"), t, "deterministic");
        }
    }

    #[test]
    fn the_answers_are_one_line_per_program_run() {
        let eng = contents(Variant::EngineeringTiny).expect("contents");
        let n = engineering::TINY.instances as usize;
        assert_eq!(eng.expected.len(), 2 * n + 1);
        assert!(eng.expected[0].starts_with("logicsim 0: 16384 gates, "));
        assert!(eng.expected[1].starts_with("memsim 0: 4 cpus, "));
        assert_eq!(eng.rc.matches(" &\n").count(), 2 * n, "every simulator in the background");
        let rt = contents(Variant::RaytraceTiny).expect("contents");
        assert!(rt.expected[0].starts_with("raytrace: 128x128, 4096 spheres, checksum "));
        let radix = contents(Variant::RadixTiny).expect("contents");
        assert!(radix.expected[0].starts_with("radix: 65536 keys, radix 1024, sorted, checksum "));
        for c in [eng, rt, radix] {
            assert_eq!(c.expected.last().map(String::as_str), Some(INIT_OK));
        }
    }
}
