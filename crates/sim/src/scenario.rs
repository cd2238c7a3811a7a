//! Scenarios: everything that decides a run — the machine, the operating system on it (natively,
//! or several virtual machines under the monitor), each guest's workload, the monitor's policies.
//!
//! A scenario is plain data: the page edits it, puts it in the URL, and sends it to the worker;
//! the command line reads it from a file or from flags. [`Scenario::validate`] checks it before
//! anything is built and names the offending field (`vms[2].memory_mb`), so a bad URL or file is
//! a message to the user, never a panic. The same scenario always gives the same run: nothing
//! here (or downstream) reads a clock or host randomness.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::workload::{WORKLOADS, Workload};

/// The machine, in the few numbers a user chooses (the rest of the machine's configuration is
/// the FLASH-like default of `machine::MachineConfig::flash`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineShape {
    /// NUMA nodes (1..=8).
    pub nodes: u32,
    /// CPUs per node (1..=4).
    pub cpus_per_node: u32,
    /// Memory per node in MB (4..=256).
    pub memory_per_node_mb: u32,
    /// Every miss costs the local latency (a UMA machine, for comparison).
    #[serde(default)]
    pub uma: bool,
    /// Each CPU's (board) cache in KB, a power of two in 16..=16384 (the paper's machine: 1 MB,
    /// 256 KB for its NUMA runs of raytrace; ours: 256 KB).
    #[serde(default = "default_cache_kb")]
    pub cache_kb: u32,
}

/// The machine's cache size unless a scenario says otherwise.
pub const DEFAULT_CACHE_KB: u32 = 256;

fn default_cache_kb() -> u32 {
    DEFAULT_CACHE_KB
}

impl MachineShape {
    /// All CPUs.
    pub fn cpus(&self) -> u32 {
        self.nodes * self.cpus_per_node
    }

    /// All memory in MB.
    pub fn memory_mb(&self) -> u32 {
        self.nodes * self.memory_per_node_mb
    }
}

/// One virtual machine under the monitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmPlan {
    /// Its workload (a name from [`WORKLOADS`]).
    pub workload: String,
    /// Virtual CPUs (1..=16, at most the machine's CPUs).
    pub vcpus: u32,
    /// Guest-physical memory in MB (at least the workload's minimum).
    pub memory_mb: u32,
}

/// The monitor's settings a user may change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policies {
    /// Entries of each virtual CPU's second-level software TLB (0 = off; paper §4.2.2).
    pub l2tlb_entries: u32,
    /// Time slice of a virtual CPU on a physical CPU, in microseconds of simulated time.
    pub slice_us: u32,
    /// Page placement and the NUMA policy (paper §4.2.3).
    #[serde(default)]
    pub numa: NumaPolicy,
    /// VMs whose workloads use the same disk image boot one copy-on-write copy of it, and
    /// share the blocks they read through the global disk-block cache (paper §4.2.5); off,
    /// each VM gets its own copy of the image. The same switch shares the read-only pages of
    /// a kernel several VMs boot (`MonitorConfig::share_kernel_text`). On by default (it
    /// changes nothing for VMs with images and kernels of their own).
    #[serde(default = "share_disk_default")]
    pub share_disk: bool,
}

fn share_disk_default() -> bool {
    true
}

impl Default for Policies {
    fn default() -> Self {
        // The monitor's default L2TLB (monitor::MonitorConfig says why 4 096).
        Policies {
            l2tlb_entries: 4096,
            slice_us: 2000,
            numa: NumaPolicy::default(),
            share_disk: true,
        }
    }
}

/// What the NUMA policy may do with a hot page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NumaMode {
    /// Nothing: pages stay where they were placed.
    #[default]
    Off,
    /// Move a page used by one node to that node.
    Migrate,
    /// Copy a page read by several nodes to each of them.
    Replicate,
    /// Both (the paper's Disco).
    Both,
}

/// Where the monitor puts a VM's page when it is first used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// On the node of the CPU that first touches it (Disco's).
    #[default]
    FirstTouch,
    /// On the nodes in turn, whoever touches it (what a NUMA-unaware allocator gives).
    RoundRobin,
}

impl NumaMode {
    /// Every mode, with its name in URLs and on the command line.
    pub const ALL: [(NumaMode, &'static str); 4] = [
        (NumaMode::Off, "off"),
        (NumaMode::Migrate, "migrate"),
        (NumaMode::Replicate, "replicate"),
        (NumaMode::Both, "both"),
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(m, _)| *m == self).map_or("off", |(_, n)| n)
    }

    /// The mode called `name`.
    pub fn named(name: &str) -> Option<NumaMode> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(m, _)| *m)
    }
}

impl Placement {
    /// Every placement, with its name in URLs and on the command line.
    pub const ALL: [(Placement, &'static str); 2] =
        [(Placement::FirstTouch, "first-touch"), (Placement::RoundRobin, "round-robin")];

    /// Its name.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(p, _)| *p == self).map_or("first-touch", |(_, n)| n)
    }

    /// The placement called `name`.
    pub fn named(name: &str) -> Option<Placement> {
        Self::ALL.iter().find(|(_, n)| *n == name).map(|(p, _)| *p)
    }
}

/// Page placement and the NUMA policy's settings (Verghese et al., ASPLOS'96: misses and
/// writes count within one 10 ms interval of FLASH's counters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumaPolicy {
    /// What the policy may do.
    pub mode: NumaMode,
    /// Where first use puts a page.
    pub placement: Placement,
    /// Misses from one node that make a page hot.
    pub trigger: u32,
    /// Misses from another node that make a hot page shared (replicate, not migrate).
    pub sharing: u32,
    /// Writes above which a shared page is not replicated.
    pub write: u32,
    /// Moves after which a page is not migrated again.
    pub migrate: u32,
    /// FLASH's counter reset interval, µs (the counts above are per interval).
    #[serde(default = "default_interval_us")]
    pub interval_us: u32,
    /// Count one miss in every `sample` (1: every miss; the policy study found sampling
    /// enough).
    #[serde(default = "default_sample")]
    pub sample: u32,
}

fn default_interval_us() -> u32 {
    NumaPolicy::default().interval_us
}

fn default_sample() -> u32 {
    NumaPolicy::default().sample
}

impl NumaPolicy {
    /// Checks the thresholds: a scenario's, and a setting changed mid-run (`SetPolicy`).
    pub fn validate(&self) -> Result<(), ScenarioError> {
        in_range("policies.numa.trigger", self.trigger, 1, 1_000_000)?;
        in_range("policies.numa.sharing", self.sharing, 1, 1_000_000)?;
        in_range("policies.numa.write", self.write, 0, 1_000_000)?;
        in_range("policies.numa.migrate", self.migrate, 0, 1_000)?;
        in_range("policies.numa.interval_us", self.interval_us, 100, 1_000_000)?;
        in_range("policies.numa.sample", self.sample, 1, 1024)
    }
}

impl Default for NumaPolicy {
    fn default() -> Self {
        NumaPolicy {
            mode: NumaMode::Off,
            placement: Placement::FirstTouch,
            // The monitor's defaults (`monitor::numa_policy::Thresholds`; a test keeps them equal).
            trigger: 8,
            sharing: 4,
            write: 4,
            migrate: 4,
            interval_us: 10_000,
            sample: 1,
        }
    }
}

/// What runs on the machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "os", rename_all = "lowercase", deny_unknown_fields)]
pub enum Guests {
    /// The guest OS directly on the machine, one workload.
    Native {
        /// The workload (a name from [`WORKLOADS`]).
        workload: String,
    },
    /// The Disco monitor with virtual machines, each running the guest OS and a workload.
    Disco {
        /// The virtual machines (1..=8).
        vms: Vec<VmPlan>,
        /// The monitor's policies.
        #[serde(default)]
        policies: Policies,
    },
}

/// A whole scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A name for the UI (the preset's, or "custom").
    pub name: String,
    /// The machine.
    pub machine: MachineShape,
    /// What runs on it.
    pub guests: Guests,
    /// Perturbs the disks' request latencies (0 = none): another seed, another interleaving of
    /// the same work — the guests' results stay the same, their timing does not.
    #[serde(default)]
    pub seed: u64,
}

/// A scenario field that is out of range or unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioError {
    /// The field, as a path (`machine.nodes`, `vms[1].workload`, or a URL parameter name).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ScenarioError {}

impl ScenarioError {
    /// The error as the form says it: the field by its label on the form (or the URL's own
    /// word), the range in words — "Nodes: must be between 1 and 8; 0 is not." — for people,
    /// where [`Display`](fmt::Display) keeps the field's path for files and logs.
    pub fn in_words(&self) -> String {
        let message = match self.message.split_once(" is not in ") {
            Some((v, range)) => match range.split_once("..=") {
                Some((lo, hi)) => format!("must be between {lo} and {hi}; {v} is not."),
                None => self.message.clone(),
            },
            None => self.message.clone(),
        };
        // A URL's unknown parameter is its own label: a pasted one can be any length.
        format!("{}: {message}", shortened(&field_label(&self.field)))
    }
}

/// Longest text of the user's echoed back in a message: a 5 000-character URL parameter would
/// otherwise make the message (and the banner showing it) one unbreakable line.
const ECHO_CHARS: usize = 40;

/// `text` cut to [`ECHO_CHARS`] characters, with an ellipsis if it was longer.
pub fn shortened(text: &str) -> String {
    match text.char_indices().nth(ECHO_CHARS) {
        Some((at, _)) => format!("{}\u{2026}", &text[..at]),
        None => text.to_string(),
    }
}

/// `text` quoted for a message, [`shortened`].
fn quoted(text: &str) -> String {
    format!("\"{}\"", shortened(text))
}

/// The range a URL's numeric parameter must be in, as validation checks it (a negative or
/// huge number then reads "must be between 1 and 8", not "is not a number"). Fields whose
/// range depends on the rest of the scenario (a VM's VCPUs and memory) give their widest.
fn query_range(field: &str) -> Option<(u32, u32)> {
    let range = match field {
        "nodes" => (1, 8),
        "cpus" => (1, 4),
        "mem" => (4, 256),
        "cache" => (16, 16384),
        "l2tlb" => (0, 65536),
        "slice" => (100, 1_000_000),
        "trigger" | "sharing" => (1, 1_000_000),
        "writes" => (0, 1_000_000),
        "moves" => (0, 1_000),
        "interval" => (100, 1_000_000),
        "sample" => (1, 1024),
        f if f.ends_with(".vcpus") => (1, 16),
        f if f.ends_with(".memory_mb") => (4, MAX_MACHINE_MEMORY_MB),
        _ => return None,
    };
    Some(range)
}

/// Reads a URL's whole-number parameter `field`: what is wrong with `v` if it is not one in
/// the field's range, in words [`ScenarioError::in_words`] turns into the form's.
fn query_number(field: &str, v: &str) -> Result<u32, ScenarioError> {
    if v.trim().is_empty() {
        return err(field, "is empty");
    }
    if let Ok(n) = v.parse::<u32>() {
        return Ok(n);
    }
    let digits = v.strip_prefix('-').unwrap_or(v);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // A whole number, but negative or past u32: say the range, not "not a number".
        let n = shortened(v);
        return match query_range(field) {
            Some((lo, hi)) => err(field, format!("{n} is not in {lo}..={hi}")),
            None => err(field, format!("must be a whole number of at least 0; {n} is not.")),
        };
    }
    if v.parse::<f64>().is_ok_and(f64::is_finite) {
        return err(field, format!("must be a whole number; {} is not.", shortened(v)));
    }
    err(field, format!("{} is not a number", quoted(v)))
}

/// A scenario field's label on the form (`vms[1].memory_mb` → "VM 1's MB"); URL parameters and
/// anything unknown keep their own name.
fn field_label(field: &str) -> String {
    if let Some(rest) = field.strip_prefix("vms[")
        && let Some(k) = rest.strip_suffix(']')
    {
        return format!("VM {k}");
    }
    if let Some(rest) = field.strip_prefix("vms[")
        && let Some((k, part)) = rest.split_once("].")
    {
        let what = match part {
            "workload" => "workload",
            "vcpus" => "VCPUs",
            "memory_mb" => "MB",
            other => other,
        };
        return format!("VM {k}'s {what}");
    }
    let label = match field {
        "machine.nodes" | "nodes" => "Nodes",
        "machine.cpus_per_node" | "cpus" => "CPUs per node",
        "machine.memory_per_node_mb" | "mem" => "MB per node",
        "machine.cache_kb" | "cache" => "Cache KB",
        "vms" => "VMs",
        "workload" => "Workload",
        "policies.l2tlb_entries" | "l2tlb" => "L2TLB entries",
        "policies.slice_us" | "slice" => "Slice µs",
        "policies.share_disk" | "share" => "Share disk",
        "policies.numa.trigger" | "trigger" => "NUMA trigger threshold",
        "policies.numa.sharing" | "sharing" => "NUMA sharing threshold",
        "policies.numa.write" | "writes" => "NUMA writes threshold",
        "policies.numa.migrate" | "moves" => "NUMA moves threshold",
        "policies.numa.interval_us" | "interval" => "NUMA counter interval µs",
        "policies.numa.sample" | "sample" => "NUMA miss sampling",
        other => other,
    };
    label.to_string()
}

fn err<T>(field: impl Into<String>, message: impl Into<String>) -> Result<T, ScenarioError> {
    Err(ScenarioError { field: field.into(), message: message.into() })
}

fn in_range(field: &str, v: u32, lo: u32, hi: u32) -> Result<(), ScenarioError> {
    if (lo..=hi).contains(&v) { Ok(()) } else { err(field, format!("{v} is not in {lo}..={hi}")) }
}

/// The most memory the machine's address map allows, MB (`machine::config::MAX_MEMORY_MB`; the
/// protocol types do not depend on the machine crate, and a test there keeps the two equal).
pub const MAX_MACHINE_MEMORY_MB: u32 = 448;

// A guest's direct map under the monitor (guest-physical p at `SSEG + p`) must end below dux's
// mapped kernel segment: a larger machine, and so a larger VM, would need K2 moved.
const _: () = assert!(
    abi::segments::SSEG as u64 + ((MAX_MACHINE_MEMORY_MB as u64) << 20)
        <= abi::segments::K2_BASE as u64
);

/// Memory the monitor keeps for itself on a machine, in MB (special pages and slack), so that
/// the VMs' memory plus this fits in the machine.
pub const MONITOR_RESERVE_MB: u32 = 1;

impl Scenario {
    /// Checks every field; the first bad one is named in the error.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        let m = &self.machine;
        in_range("machine.nodes", m.nodes, 1, 8)?;
        in_range("machine.cpus_per_node", m.cpus_per_node, 1, 4)?;
        in_range("machine.memory_per_node_mb", m.memory_per_node_mb, 4, 256)?;
        in_range("machine.cache_kb", m.cache_kb, 16, 16384)?;
        if !m.cache_kb.is_power_of_two() {
            return err("machine.cache_kb", format!("{} KB is not a power of two", m.cache_kb));
        }
        if m.memory_mb() > MAX_MACHINE_MEMORY_MB {
            return err(
                "machine.memory_per_node_mb",
                format!(
                    "{} MB x {} nodes is {} MB; the machine holds at most {MAX_MACHINE_MEMORY_MB} MB",
                    m.memory_per_node_mb,
                    m.nodes,
                    m.memory_mb()
                ),
            );
        }
        match &self.guests {
            Guests::Native { workload } => {
                let w = workload_named("workload", workload)?;
                if !w.on_dux() {
                    return err(
                        "workload",
                        format!("{}: SPLASHOS runs only on the monitor (choose os=disco)", w.name),
                    );
                }
                if w.is_nfs_server() {
                    return err(
                        "workload",
                        format!("{}: an NFS server serves other VMs (choose os=disco)", w.name),
                    );
                }
                if m.memory_mb() < w.min_memory_mb {
                    return err(
                        "machine.memory_per_node_mb",
                        format!(
                            "{} needs {} MB; the machine has {} MB",
                            w.name,
                            w.min_memory_mb,
                            m.memory_mb()
                        ),
                    );
                }
            }
            Guests::Disco { vms, policies } => {
                in_range("vms", vms.len() as u32, 1, 8)?;
                let mut total = MONITOR_RESERVE_MB;
                for (i, vm) in vms.iter().enumerate() {
                    let w = workload_named(&format!("vms[{i}].workload"), &vm.workload)?;
                    if w.is_nfs_server() && i != 0 {
                        return err(
                            format!("vms[{i}].workload"),
                            format!("{}: the NFS server must be VM 0", w.name),
                        );
                    }
                    in_range(&format!("vms[{i}].vcpus"), vm.vcpus, 1, m.cpus().min(16))?;
                    in_range(&format!("vms[{i}].memory_mb"), vm.memory_mb, w.min_memory_mb, 448)?;
                    total += vm.memory_mb;
                }
                if total > m.memory_mb() {
                    return err(
                        "vms",
                        format!(
                            "the VMs need {} MB (with {} MB for the monitor); the machine has {} MB",
                            total,
                            MONITOR_RESERVE_MB,
                            m.memory_mb()
                        ),
                    );
                }
                in_range("policies.l2tlb_entries", policies.l2tlb_entries, 0, 65536)?;
                in_range("policies.slice_us", policies.slice_us, 100, 1_000_000)?;
                policies.numa.validate()?;
            }
        }
        Ok(())
    }

    /// The workloads of the guests, VM by VM (one for the native OS).
    pub fn workloads(&self) -> Vec<&'static Workload> {
        let names: Vec<&str> = match &self.guests {
            Guests::Native { workload } => vec![workload],
            Guests::Disco { vms, .. } => vms.iter().map(|v| v.workload.as_str()).collect(),
        };
        names.into_iter().filter_map(Workload::named).collect()
    }

    /// The scenario as a URL query string (without `?`); [`Scenario::from_query`] reads it back.
    pub fn to_query(&self) -> String {
        let m = &self.machine;
        let mut q = format!(
            "nodes={}&cpus={}&mem={}&uma={}",
            m.nodes,
            m.cpus_per_node,
            m.memory_per_node_mb,
            u8::from(m.uma)
        );
        if m.cache_kb != DEFAULT_CACHE_KB {
            q += &format!("&cache={}", m.cache_kb);
        }
        match &self.guests {
            Guests::Native { workload } => q += &format!("&os=native&workload={workload}"),
            Guests::Disco { vms, policies } => {
                let list: Vec<String> = vms
                    .iter()
                    .map(|v| format!("{}:{}:{}", v.workload, v.vcpus, v.memory_mb))
                    .collect();
                q += &format!(
                    "&os=disco&vms={}&l2tlb={}&slice={}",
                    list.join(","),
                    policies.l2tlb_entries,
                    policies.slice_us
                );
                if !policies.share_disk {
                    q += "&share=off";
                }
                // The NUMA settings only when changed, so earlier links stay as they were.
                let (n, d) = (&policies.numa, NumaPolicy::default());
                if n.mode != d.mode {
                    q += &format!("&numa={}", n.mode.name());
                }
                if n.placement != d.placement {
                    q += &format!("&placement={}", n.placement.name());
                }
                for (key, v, dv) in [
                    ("trigger", n.trigger, d.trigger),
                    ("sharing", n.sharing, d.sharing),
                    ("writes", n.write, d.write),
                    ("moves", n.migrate, d.migrate),
                    ("interval", n.interval_us, d.interval_us),
                    ("sample", n.sample, d.sample),
                ] {
                    if v != dv {
                        q += &format!("&{key}={v}");
                    }
                }
            }
        }
        if self.seed != 0 {
            q += &format!("&seed={}", self.seed);
        }
        if Preset::named(&self.name).is_some_and(|p| p.scenario() == *self) {
            return format!("preset={}", self.name);
        }
        q
    }

    /// Reads a URL query string (with or without `?`): `preset=NAME` alone, or the fields of
    /// [`Scenario::to_query`] (on top of a preset if one is named, else of the default preset).
    /// Unknown parameters and bad values are errors naming the parameter; the result is
    /// validated.
    pub fn from_query(query: &str) -> Result<Scenario, ScenarioError> {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut pairs = Vec::new();
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            pairs.push((k, v));
        }
        let base = match pairs.iter().find(|(k, _)| *k == "preset") {
            Some((_, name)) => match Preset::named(name) {
                Some(p) => p.scenario(),
                None => return err("preset", format!("no preset called {}", quoted(name))),
            },
            None => Preset::DEFAULT.scenario(),
        };
        let mut s = base;
        let edited = pairs.iter().any(|(k, _)| *k != "preset");
        let num = query_number;
        let mut os: Option<&str> = None;
        let mut workload: Option<String> = None;
        let mut vms: Option<Vec<VmPlan>> = None;
        let mut policies = match &s.guests {
            Guests::Disco { policies, .. } => policies.clone(),
            Guests::Native { .. } => Policies::default(),
        };
        for (k, v) in &pairs {
            match *k {
                "preset" => {}
                "nodes" => s.machine.nodes = num(k, v)?,
                "cpus" => s.machine.cpus_per_node = num(k, v)?,
                "mem" => s.machine.memory_per_node_mb = num(k, v)?,
                "cache" => s.machine.cache_kb = num(k, v)?,
                "uma" => {
                    s.machine.uma = match *v {
                        "1" | "true" => true,
                        "0" | "false" => false,
                        _ => return err(*k, format!("{} is not 0 or 1", quoted(v))),
                    }
                }
                "os" => {
                    if *v != "native" && *v != "disco" {
                        return err(*k, format!("{} is neither native nor disco", quoted(v)));
                    }
                    os = Some(v)
                }
                "workload" => workload = Some(v.to_string()),
                "vms" => {
                    let mut list = Vec::new();
                    for (i, item) in v.split(',').enumerate() {
                        let f: Vec<&str> = item.split(':').collect();
                        if f.len() != 3 {
                            // `vms=0` or `vms=20` reads like a count; say what the list is.
                            let count = item.parse::<i64>().is_ok() && !v.contains(',');
                            let what = "a list of VMs, each workload:VCPUs:MB (as in \
                                        vms=pmake-tiny:1:24,pmake-tiny:1:24)";
                            return if count {
                                err(
                                    "vms",
                                    format!("must be {what}, not a count like {}", quoted(v)),
                                )
                            } else {
                                err(
                                    format!("vms[{i}]"),
                                    format!("{} is not workload:VCPUs:MB", quoted(item)),
                                )
                            };
                        }
                        list.push(VmPlan {
                            workload: f[0].to_string(),
                            vcpus: num(&format!("vms[{i}].vcpus"), f[1])?,
                            memory_mb: num(&format!("vms[{i}].memory_mb"), f[2])?,
                        });
                    }
                    vms = Some(list);
                }
                "l2tlb" => policies.l2tlb_entries = num(k, v)?,
                "slice" => policies.slice_us = num(k, v)?,
                "numa" => {
                    policies.numa.mode = NumaMode::named(v).map_or_else(
                        || err(*k, format!("{} is not off, migrate, replicate or both", quoted(v))),
                        Ok,
                    )?
                }
                "placement" => {
                    policies.numa.placement = Placement::named(v).map_or_else(
                        || err(*k, format!("{} is not first-touch or round-robin", quoted(v))),
                        Ok,
                    )?
                }
                "share" => {
                    policies.share_disk = match *v {
                        "on" | "1" | "true" => true,
                        "off" | "0" | "false" => false,
                        _ => return err(*k, format!("{v:?} is not on or off")),
                    }
                }
                "trigger" => policies.numa.trigger = num(k, v)?,
                "sharing" => policies.numa.sharing = num(k, v)?,
                "writes" => policies.numa.write = num(k, v)?,
                "moves" => policies.numa.migrate = num(k, v)?,
                "interval" => policies.numa.interval_us = num(k, v)?,
                "sample" => policies.numa.sample = num(k, v)?,
                "seed" => {
                    s.seed = v.parse().or_else(|_| {
                        err(*k, format!("must be a whole number; {} is not.", quoted(v)))
                    })?
                }
                _ => return err(*k, "unknown parameter"),
            }
        }
        let os = os.unwrap_or(match s.guests {
            Guests::Native { .. } => "native",
            Guests::Disco { .. } => "disco",
        });
        s.guests = if os == "native" {
            let w = workload.unwrap_or_else(|| match &s.guests {
                Guests::Native { workload } => workload.clone(),
                Guests::Disco { vms, .. } => vms[0].workload.clone(),
            });
            Guests::Native { workload: w }
        } else {
            let vms = match (vms, &s.guests) {
                (Some(v), _) => v,
                (None, Guests::Disco { vms, .. }) => vms.clone(),
                (None, Guests::Native { workload }) => {
                    vec![VmPlan { workload: workload.clone(), vcpus: 1, memory_mb: 32 }]
                }
            };
            Guests::Disco { vms, policies }
        };
        if edited {
            s.name = "custom".into();
        }
        s.validate()?;
        Ok(s)
    }
}

fn workload_named(field: &str, name: &str) -> Result<&'static Workload, ScenarioError> {
    Workload::named(name).map_or_else(
        || {
            let known: Vec<&str> = WORKLOADS.iter().map(|w| w.name).collect();
            err(field, format!("no workload called {} (known: {})", quoted(name), known.join(", ")))
        },
        Ok,
    )
}

/// A named, ready-made scenario: a row of [`PRESETS`], which builds its own scenario.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Its name (in URLs: `?preset=NAME`).
    pub name: &'static str,
    /// One line for the picker.
    pub title: &'static str,
    /// What to look for when it runs.
    pub description: &'static str,
    /// Its machine and guests.
    build: fn() -> (MachineShape, Guests),
}

impl PartialEq for Preset {
    fn eq(&self, other: &Preset) -> bool {
        self.name == other.name
    }
}

impl Eq for Preset {}

/// A NUMA machine of `nodes` nodes of `cpus_per_node` CPUs and `memory_per_node_mb` MB each.
fn shape(nodes: u32, cpus_per_node: u32, memory_per_node_mb: u32) -> MachineShape {
    MachineShape {
        nodes,
        cpus_per_node,
        memory_per_node_mb,
        uma: false,
        cache_kb: DEFAULT_CACHE_KB,
    }
}

/// A VM running `workload` with `vcpus` VCPUs and `memory_mb` MB.
fn vm(workload: &str, vcpus: u32, memory_mb: u32) -> VmPlan {
    VmPlan { workload: workload.into(), vcpus, memory_mb }
}

/// The guest OS alone on the machine, running `workload`.
fn native(workload: &str) -> Guests {
    Guests::Native { workload: workload.into() }
}

/// The monitor with these VMs and the default policies.
fn disco(vms: Vec<VmPlan>) -> Guests {
    Guests::Disco { vms, policies: Policies::default() }
}

impl Preset {
    /// The scenario the page opens with.
    pub const DEFAULT: Preset = PMAKE_4VMS;

    /// The preset called `name`.
    pub fn named(name: &str) -> Option<Preset> {
        PRESETS.iter().copied().find(|p| p.name == name)
    }

    /// Its scenario.
    pub fn scenario(&self) -> Scenario {
        let (machine, guests) = (self.build)();
        Scenario { name: self.name.into(), machine, guests, seed: 0 }
    }
}

const PMAKE_4VMS: Preset = Preset {
    name: "pmake-4vms",
    title: "pmake in 4 VMs on 8 CPUs",
    description: "Four virtual machines, each its own copy of the OS building with pmake, time-shared by Disco on a 4-node machine: watch the scheduling timeline and where each VM's pages land.",
    build: || (shape(4, 2, 32), disco((0..4).map(|_| vm("pmake-full", 2, 28)).collect())),
};

/// Every preset, in the order the picker shows them.
pub const PRESETS: [Preset; 18] = [
    Preset {
        name: "pmake-native",
        title: "pmake, native OS, 4 CPUs",
        description: "The guest OS alone on a 2-node machine building a program with a parallel make: the baseline for the monitor's overhead.",
        build: || (shape(2, 2, 32), native("pmake-full")),
    },
    PMAKE_4VMS,
    Preset {
        name: "pmake-8vms-nfs",
        title: "pmake in 8 VMs over NFS",
        description: "Eight VMs of one VCPU on 8 CPUs (paper Fig. 6, \"8 VMs/NFS\"): VM 0 serves the pmake image's files over the monitor's virtual subnet (§4.2.6), the other seven build from them and write the program they linked back to VM 0's /export (its console lists what it received). The server answers from its buffer cache and the monitor maps the answering page into the client's buffer instead of copying it, so one machine page holds a block for every VM that read it: watch the Sharing panel (pages remapped, V against M).",
        build: || {
            let mut vms = vec![vm("pmake-full-nfsd", 1, 28)];
            vms.extend((1..8).map(|_| vm("pmake-full-nfs", 1, 28)));
            (shape(4, 2, 64), disco(vms))
        },
    },
    Preset {
        name: "db-1vm",
        title: "database in 1 VM, 4 VCPUs",
        description: "A memory-hungry decision-support database in one virtual machine: TLB misses absorbed by the second-level TLB (paper §4.2.2). On this 2-node machine it finishes sooner than db-native, the opposite of the paper's Fig. 5: the monitor places the VM's pages on the node that first touches them (about 98 % of cache misses local), while the native OS, which knows nothing of NUMA, spreads its pages (about half the misses remote, each 3× dearer) — placement wins more than virtualization costs. db-1vm-1cpu and db-native-1cpu, on one CPU, show Fig. 5's overhead alone.",
        build: || (shape(2, 2, 64), disco(vec![vm("db-full", 4, 96)])),
    },
    Preset {
        name: "db-native",
        title: "database, native OS, 4 CPUs",
        description: "The same database without the monitor, to compare run time and TLB behaviour with db-1vm. It finishes later than db-1vm: the native OS is NUMA-unaware, so about half its cache misses go to the other node, where the monitor keeps the VM's pages local (see db-native-1cpu for the comparison Fig. 5 makes).",
        build: || (shape(2, 2, 64), native("db-full")),
    },
    Preset {
        name: "db-native-1cpu",
        title: "database, native OS, 1 CPU",
        description: "The database on one CPU of one node, natively: the baseline of the paper's Fig. 5 (IRIX = 100). With one node every miss is local, so beside db-1vm-1cpu only virtualization differs.",
        build: || (shape(1, 1, 128), native("db-full")),
    },
    Preset {
        name: "db-1vm-1cpu",
        title: "database in 1 VM, 1 VCPU",
        description: "The database in one VM on one CPU: Fig. 5's overhead of virtualization, without NUMA effects — compare the run time with db-native-1cpu (about 4 % longer: the monitor's TLB-miss handling and emulation, partly paid back by less guest-kernel time).",
        build: || (shape(1, 1, 128), disco(vec![vm("db-full", 1, 96)])),
    },
    Preset {
        name: "mixed-4vms",
        title: "mixed: pmake, database, pmake, smoke in 4 VMs",
        description: "Different operating-system instances with different workloads side by side on one 8-CPU machine.",
        build: || {
            let vms = vec![
                vm("pmake-full", 2, 40),
                vm("db-full", 2, 80),
                vm("pmake-full", 2, 40),
                vm("smoke", 2, 16),
            ];
            (shape(4, 2, 48), disco(vms))
        },
    },
    Preset {
        name: "engineering-native",
        title: "engineering, native OS, 8 CPUs",
        description: "Twelve long-running simulator processes on a 4-node machine under the NUMA-unaware OS: watch the remote misses (paper Fig. 8, the IRIX baseline).",
        build: || (shape(4, 2, 32), native("engineering-full")),
    },
    Preset {
        name: "engineering-1vm",
        title: "engineering in 1 VM, 8 VCPUs",
        description: "The same engineering workload in one virtual machine: the monitor places each page on the node that first touches it.",
        build: || (shape(4, 2, 32), disco(vec![vm("engineering-full", 8, 112)])),
    },
    Preset {
        name: "engineering-numa",
        title: "engineering in 1 VM: pages migrate to their users",
        description: "The engineering workload in one 8-VCPU VM whose pages start spread round robin over the nodes, as a NUMA-unaware allocator leaves them; the monitor's NUMA policy (paper §4.2.3) migrates a hot page used by one node to that node, and gives a page that several nodes read a read-only copy on each of them (replication), collapsed back to one page when someone writes it. Switch the NUMA policy off mid-run to watch the local-miss share stop improving.",
        build: || {
            let numa = NumaPolicy {
                mode: NumaMode::Both,
                placement: Placement::RoundRobin,
                ..NumaPolicy::default()
            };
            let policies = Policies { numa, ..Policies::default() };
            let vms = vec![vm("engineering-full", 8, 112)];
            (shape(4, 2, 32), Guests::Disco { vms, policies })
        },
    },
    Preset {
        name: "raytrace-native",
        title: "raytrace, native OS, 8 CPUs",
        description: "Eight threads rendering from one shared scene: the scene's pages are read by every node.",
        build: || (shape(4, 2, 32), native("raytrace-full")),
    },
    Preset {
        name: "raytrace-numa",
        title: "raytrace in 1 VM: the scene replicated on every node",
        description: "The ray tracer's eight threads in one 8-VCPU VM: the monitor puts each page on the node that first touches it, so the scene lands where it was built and the other nodes read it remotely; the NUMA policy (paper §4.2.3) gives each node that keeps missing on a read-shared page its own read-only copy (replication; a write collapses the copies) and migrates pages one node uses. Switch the NUMA policy off to compare the local-miss share with raytrace-native.",
        build: || {
            let numa = NumaPolicy { mode: NumaMode::Both, ..NumaPolicy::default() };
            let policies = Policies { numa, ..Policies::default() };
            let vms = vec![vm("raytrace-full", 8, 96)];
            (shape(4, 2, 32), Guests::Disco { vms, policies })
        },
    },
    Preset {
        name: "radix-native",
        title: "radix sort, native OS, 8 CPUs",
        description: "A SPLASH-2 radix sort of 4 M keys with eight threads on the NUMA-unaware OS (paper Fig. 7).",
        build: || (shape(4, 2, 32), native("radix-full")),
    },
    Preset {
        name: "radix-splashos",
        title: "radix sort on SPLASHOS, 1 VM, 8 VCPUs",
        description: "The same sort on SPLASHOS, a library OS with no virtual memory of its own, in one VM: the monitor places every page on the node that first touches it (paper §4.4, Fig. 7) — compare its local misses and time with radix-native.",
        build: || (shape(4, 2, 32), disco(vec![vm("radix-full-splashos", 8, 48)])),
    },
    Preset {
        name: "tiny-2vms",
        title: "tiny: two VMs, a few seconds",
        description: "Small pmake and database runs in two VMs on two CPUs: the quickest way to see everything move.",
        build: || (shape(2, 1, 32), disco(vec![vm("pmake-tiny", 1, 24), vm("db-tiny", 1, 24)])),
    },
    Preset {
        name: "shell-2vms",
        title: "shells in two VMs: type commands",
        description: "Two virtual machines, each waiting at its own shell prompt: type into a VM's console (try ls /bin, echo hi > /tmp/f, cat /tmp/f) and see that the other VM's file system is its own. An idle VM costs nothing: the monitor deschedules a VCPU that waits.",
        build: || (shape(2, 1, 32), disco(vec![vm("shell", 1, 24), vm("shell", 1, 24)])),
    },
    Preset {
        name: "smoke-native",
        title: "smoke test, native OS, 1 CPU",
        description: "Boots the OS and runs a few utilities: does the system work at all?",
        build: || (shape(1, 1, 32), native("smoke")),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_in_words_name_the_forms_fields_and_ranges() {
        let mut s = Preset::DEFAULT.scenario();
        s.machine.nodes = 0;
        let e = s.validate().expect_err("0 nodes");
        assert_eq!(e.to_string(), "machine.nodes: 0 is not in 1..=8");
        assert_eq!(e.in_words(), "Nodes: must be between 1 and 8; 0 is not.");
        let e = ScenarioError {
            field: "vms[2].memory_mb".into(),
            message: "1 is not in 8..=448".into(),
        };
        assert_eq!(e.in_words(), "VM 2's MB: must be between 8 and 448; 1 is not.");
        let e = ScenarioError { field: "vms".into(), message: "the VMs need 9 MB".into() };
        assert_eq!(e.in_words(), "VMs: the VMs need 9 MB");
    }

    #[test]
    fn url_messages_say_what_is_wrong_in_the_forms_words() {
        let words = |q: &str| Scenario::from_query(q).expect_err(q).in_words();
        assert_eq!(words("nodes=-3"), "Nodes: must be between 1 and 8; -3 is not.");
        assert_eq!(words("nodes=2.5"), "Nodes: must be a whole number; 2.5 is not.");
        assert_eq!(words("nodes="), "Nodes: is empty");
        assert_eq!(words("nodes=banana"), "Nodes: \"banana\" is not a number");
        for q in ["vms=0", "vms=20"] {
            let m = words(q);
            assert!(m.starts_with("VMs: must be a list of VMs"), "{m}");
            assert!(m.contains("not a count"), "{m}");
        }
        assert_eq!(
            words("os=disco&vms=pmake-tiny:-1:24"),
            "VM 0's VCPUs: must be between 1 and 16; -1 is not."
        );
        assert!(words("os=disco&vms=pmake-tiny:1:24,x").starts_with("VM 1: \"x\""));
        // A 5 000-character value or name is cut short: the banner must stay on the screen.
        let long = "x".repeat(5000);
        for q in [
            format!("nodes={long}"),
            format!("{long}=1"),
            format!("preset={long}"),
            format!("nodes=-{}", "9".repeat(5000)),
            format!("os=disco&vms={long}"),
        ] {
            let m = words(&q);
            assert!(m.chars().count() < 200, "{} characters: {m}", m.len());
        }
        // No message shows Rust's range syntax or a field's path.
        for q in [
            "nodes=0",
            "nodes=-3",
            "cpus=9",
            "mem=1",
            "cache=3",
            "l2tlb=-1",
            "slice=5",
            "trigger=0",
            "sample=0",
            "os=disco&vms=pmake-tiny:0:24",
            "os=disco&vms=pmake-tiny:1:1",
            "os=disco&vms=nope:1:24",
            "vms=0",
            "seed=x",
            "uma=2",
            "numa=x",
        ] {
            let m = words(q);
            assert!(!m.contains("..="), "{q}: {m}");
            for path in ["machine.", "policies.", "vms[", "].", "_mb", "_us", "_kb"] {
                assert!(!m.contains(path), "{q}: {m}");
            }
        }
    }

    #[test]
    fn preset_names_are_unique_and_the_default_is_one_of_them() {
        let mut names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PRESETS.len());
        assert_eq!(Preset::named(Preset::DEFAULT.name), Some(Preset::DEFAULT));
        assert_eq!(Preset::named("nope"), None);
    }

    #[test]
    fn every_preset_is_valid_and_round_trips_through_the_url() {
        for p in PRESETS {
            let s = p.scenario();
            assert_eq!(s.validate(), Ok(()), "{}", p.name);
            assert_eq!(s.to_query(), format!("preset={}", p.name));
            assert_eq!(Scenario::from_query(&s.to_query()), Ok(s.clone()), "{}", p.name);
        }
    }

    #[test]
    fn an_edited_scenario_round_trips_field_by_field() {
        let q = "?nodes=2&cpus=2&mem=48&uma=1&os=disco&vms=pmake-tiny:2:24,db-tiny:1:40&l2tlb=0&slice=500&seed=77";
        let s = Scenario::from_query(q).expect("valid");
        assert_eq!(s.name, "custom");
        assert!(s.machine.uma);
        let Guests::Disco { vms, policies } = &s.guests else { panic!("disco") };
        assert_eq!(vms[1], VmPlan { workload: "db-tiny".into(), vcpus: 1, memory_mb: 40 });
        assert_eq!(policies.l2tlb_entries, 0);
        assert_eq!(s.seed, 77);
        assert_eq!(Scenario::from_query(&s.to_query()), Ok(s));
        // A preset with a seed is no longer the preset.
        let seeded = Scenario::from_query("preset=tiny-2vms&seed=3").expect("valid");
        assert_eq!((seeded.name.as_str(), seeded.seed), ("custom", 3));
        assert!(seeded.to_query().ends_with("&seed=3"), "{}", seeded.to_query());
    }

    #[test]
    fn numa_settings_round_trip_through_the_url_and_stay_out_of_it_by_default() {
        let q = "preset=engineering-1vm&numa=both&placement=round-robin&trigger=32&moves=2&interval=5000&sample=4&cache=64";
        let s = Scenario::from_query(q).expect("valid");
        let Guests::Disco { policies, .. } = &s.guests else { panic!("disco") };
        assert_eq!(policies.numa.mode, NumaMode::Both);
        assert_eq!(policies.numa.placement, Placement::RoundRobin);
        assert_eq!((policies.numa.trigger, policies.numa.migrate), (32, 2));
        assert_eq!((policies.numa.interval_us, policies.numa.sample), (5000, 4));
        assert_eq!(s.machine.cache_kb, 64);
        assert_eq!(Scenario::from_query(&s.to_query()), Ok(s.clone()));
        for bad in ["interval=50", "sample=0", "cache=100", "cache=8"] {
            let q = format!("preset=engineering-1vm&numa=both&{bad}");
            assert!(Scenario::from_query(&q).and_then(|s| s.validate()).is_err(), "{bad}");
        }
        assert!(
            !Scenario::from_query("preset=tiny-2vms&slice=500")
                .expect("ok")
                .to_query()
                .contains("numa")
        );
        assert_eq!(
            Scenario::from_query("preset=tiny-2vms&numa=sideways").expect_err("bad").field,
            "numa"
        );
    }

    #[test]
    fn a_preset_can_be_edited_in_the_url() {
        let s = Scenario::from_query("preset=pmake-native&nodes=4").expect("valid");
        assert_eq!(s.machine.nodes, 4);
        assert_eq!(s.name, "custom");
        assert_eq!(s.guests, Guests::Native { workload: "pmake-full".into() });
    }

    #[test]
    fn bad_parameters_name_the_field() {
        let field = |q: &str| Scenario::from_query(q).expect_err(q).field;
        assert_eq!(field("nodes=x"), "nodes");
        assert_eq!(field("nodes=0"), "machine.nodes");
        assert_eq!(field("nodes=9"), "machine.nodes");
        assert_eq!(field("cpus=5"), "machine.cpus_per_node");
        assert_eq!(field("nodes=8&mem=64"), "machine.memory_per_node_mb");
        assert_eq!(field("preset=nope"), "preset");
        assert_eq!(field("color=red"), "color");
        assert_eq!(field("os=windows"), "os");
        assert_eq!(field("uma=maybe"), "uma");
        assert_eq!(field("seed=-1"), "seed");
        assert_eq!(field("os=native&workload=doom"), "workload");
        assert_eq!(field("os=disco&vms=pmake-tiny:2"), "vms[0]");
        assert_eq!(field("os=disco&vms=pmake-tiny:2:24,nope:1:24"), "vms[1].workload");
        assert_eq!(field("os=disco&nodes=1&cpus=1&vms=pmake-tiny:2:24"), "vms[0].vcpus");
        assert_eq!(field("os=disco&vms=pmake-tiny:1:2"), "vms[0].memory_mb");
        assert_eq!(field("os=disco&nodes=1&mem=32&vms=smoke:1:20,smoke:1:20"), "vms");
        assert_eq!(field("os=disco&vms=smoke:1:16&slice=5"), "policies.slice_us");
        assert_eq!(field("os=native&workload=radix-tiny-splashos"), "workload");
    }

    #[test]
    fn splashos_workloads_run_only_under_the_monitor() {
        let e = Scenario::from_query("os=native&workload=radix-tiny-splashos").expect_err("native");
        assert!(e.message.contains("SPLASHOS runs only on the monitor"), "{e}");
        let s = Scenario::from_query(
            "nodes=4&cpus=2&os=disco&vms=radix-tiny-splashos:8:16,radix-tiny:8:32",
        )
        .expect("valid under the monitor");
        let w = s.workloads();
        assert_eq!((w[0].image, w[0].kernel), ("radix-tiny", Some(crate::workload::SPLASHOS)));
        assert_eq!(w[0].image_file(), w[1].image_file(), "the same disk image as dux's radix");
        assert!(w[1].on_dux());
    }

    #[test]
    fn scenario_files_refuse_unknown_fields() {
        let json = serde_json::to_string(&PRESETS[1].scenario()).expect("json");
        let back: Scenario = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, PRESETS[1].scenario());
        let bad = json.replacen("\"nodes\"", "\"nodez\"", 1);
        assert!(serde_json::from_str::<Scenario>(&bad).is_err());
    }
}
