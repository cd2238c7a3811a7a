//! The variants: what each one's `/etc/rc` runs, which inputs it carries, and what its console
//! must show.

use std::collections::BTreeMap;

use workloads::files::MemFiles;
use workloads::inputs::{srctree, tables};
use workloads::{db, pmake};

/// The line init prints when `/etc/rc` succeeded (see guests/user/init).
pub const INIT_OK: &str = "init: /etc/rc finished with status 0";

/// A root file system to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variant {
    /// A few utilities and a file round trip: does the system work at all?
    Smoke,
    /// Pmake on the tiny source tree (a few million instructions).
    PmakeTiny,
    /// Pmake on the full source tree (about a billion instructions).
    PmakeFull,
    /// The database on the tiny tables (a few hundred KB).
    DbTiny,
    /// The database on the full tables (tens of MB).
    DbFull,
}

impl Variant {
    /// Every variant.
    pub const ALL: [Variant; 5] =
        [Variant::Smoke, Variant::PmakeTiny, Variant::PmakeFull, Variant::DbTiny, Variant::DbFull];

    /// The directory name under `target/guests/rootfs/`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Smoke => "smoke",
            Variant::PmakeTiny => "pmake-tiny",
            Variant::PmakeFull => "pmake-full",
            Variant::DbTiny => "db-tiny",
            Variant::DbFull => "db-full",
        }
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
        Variant::PmakeTiny => pmake_variant(v, &srctree::TINY),
        Variant::PmakeFull => pmake_variant(v, &srctree::FULL),
        Variant::DbTiny => db_variant(v, &tables::TINY),
        Variant::DbFull => db_variant(v, &tables::FULL),
    }
}

/// Where the pmake variants keep the source tree.
pub const SRC_DIR: &str = "/src/pmake";
/// Where the db variants keep the tables.
pub const DATA_DIR: &str = "/data";

fn pmake_variant(v: Variant, size: &srctree::TreeSize) -> Result<Contents, String> {
    let tree = srctree::generate(size);
    let mut mem = MemFiles::new();
    let mut files = BTreeMap::new();
    for (path, data) in &tree {
        mem.insert(path, data.clone());
        files.insert(format!("{SRC_DIR}/{path}"), data.clone());
    }
    let mut expected = pmake::run_in_memory("Makefile", None, &mut mem)?;
    expected.push(INIT_OK.into());
    let rc = format!(
        "# {name}: the paper's Pmake workload, a parallel compile: {units} compiler processes\n\
         # (cc1) two at a time, then a link (ld). The checksum covers every output file.\n\
         cd {SRC_DIR}\n\
         pmake -j2 Makefile\n",
        name = v.name(),
        units = size.units + 1,
    );
    Ok(Contents { rc, files, expected })
}

fn db_variant(v: Variant, size: &tables::DbSize) -> Result<Contents, String> {
    let mut mem = MemFiles::new();
    let mut files = BTreeMap::new();
    for (name, data) in tables::generate(size) {
        mem.insert(&format!("data/{name}"), data.clone());
        files.insert(format!("{DATA_DIR}/{name}"), data);
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

/// `wc`'s line for `text` (guests/user/wc): lines, words, bytes in 7 columns, then the name.
fn wc_line(text: &str, name: &str) -> String {
    let lines = text.matches('\n').count();
    let words = text.split_ascii_whitespace().count();
    format!("{lines:>7} {words:>7} {:>7} {name}", text.len())
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
