//! What the monitor runs: the virtual machines (their CPUs, memory, kernel and disk) and the
//! monitor's own settings (second-level TLB size, scheduling, costs).

use serde::{Deserialize, Serialize};

use crate::cost::CostModel;

/// One virtual machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmSpec {
    /// Name (for consoles and the UI).
    pub name: String,
    /// Virtual CPUs (1..=16).
    pub vcpus: u32,
    /// Guest-physical memory in MB (1..=448).
    pub memory_mb: u32,
    /// The machine disk unit that is this VM's disk 0, if it has one.
    pub disk_unit: Option<u32>,
}

/// How the monitor runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorConfig {
    /// Entries of each virtual CPU's second-level software TLB (0 disables it).
    pub l2tlb_entries: u32,
    /// A virtual CPU runs this many cycles before another may take its physical CPU.
    pub slice_cycles: u64,
    /// Idle physical CPUs take ready virtual CPUs from other CPUs' queues.
    pub steal: bool,
    /// What each monitor action costs.
    pub cost: CostModel,
    /// Check the memory bookkeeping after every trap and quantum (debug builds; slow).
    #[serde(default)]
    pub check_invariants: bool,
    /// The NUMA policy (paper §4.2.3): off by default.
    #[serde(default)]
    pub numa: crate::numa_policy::NumaConfig,
    /// Read-only kernel pages (text, read-only data) that VMs booting the same kernel load
    /// byte for byte alike are one machine page, shared read-only and copied on a write, like
    /// the disk-block cache's pages (paper §4.2.5). On by default; off, every VM has its own.
    #[serde(default = "share_kernel_text_default")]
    pub share_kernel_text: bool,
}

fn share_kernel_text_default() -> bool {
    true
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            // 4 096 (the paper gives no size): a VM reading a few megabytes all over — the
            // raytrace scene — outgrows 1 024 direct-mapped entries, and every entry it drops
            // sends a refill to the guest's handler, whose TLB writes the monitor emulates
            // (raytrace on one CPU: 1.68× native with 1 024, 1.04× with 4 096).
            l2tlb_entries: 4096,
            slice_cycles: 400_000,
            steal: true,
            cost: CostModel::default(),
            check_invariants: false,
            numa: crate::numa_policy::NumaConfig::default(),
            share_kernel_text: true,
        }
    }
}

/// Why the monitor cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonitorError {
    /// A VM specification field is out of range.
    #[error("vm {vm}: {field}: {message}")]
    BadSpec {
        /// Index of the VM.
        vm: usize,
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The machine has not enough memory for all VMs.
    #[error("the VMs need {need} MB but the machine has {have} MB")]
    NoMemory {
        /// MB asked for.
        need: u32,
        /// MB there.
        have: u32,
    },
    /// A kernel image cannot be loaded.
    #[error("vm {vm}: kernel image: {message}")]
    BadKernel {
        /// Index of the VM.
        vm: usize,
        /// What is wrong.
        message: String,
    },
}

impl VmSpec {
    /// Checks the fields of VM number `vm`.
    pub fn validate(&self, vm: usize, disks: u32) -> Result<(), MonitorError> {
        let bad = |field, message: String| Err(MonitorError::BadSpec { vm, field, message });
        if !(1..=16).contains(&self.vcpus) {
            return bad("vcpus", format!("{} is not in 1..=16", self.vcpus));
        }
        if !(1..=448).contains(&self.memory_mb) {
            return bad("memory_mb", format!("{} is not in 1..=448", self.memory_mb));
        }
        if let Some(u) = self.disk_unit
            && u >= disks
        {
            return bad(
                "disk_unit",
                format!("unit {u} does not exist (the machine has {disks} disks)"),
            );
        }
        Ok(())
    }
}
