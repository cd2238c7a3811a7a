//! Edits the scenario form makes, kept out of the view so they can be tested: switching between
//! the native OS and the monitor, changing the number of VMs. Every edit leaves a scenario that
//! [`Scenario::validate`] then judges; the form shows its verdict next to the fields.

use sim::scenario::{Guests, Policies, Scenario, VmPlan};
use sim::workload::WORKLOADS;

/// The scenario's name once the user edited it.
pub const CUSTOM: &str = "custom";

/// Runs the OS natively (`disco` false) or under the monitor, keeping the first workload.
pub fn set_disco(s: &mut Scenario, disco: bool) {
    s.name = CUSTOM.into();
    s.guests = match (&s.guests, disco) {
        (Guests::Native { workload }, true) => Guests::Disco {
            vms: vec![VmPlan {
                workload: workload.clone(),
                vcpus: 1,
                memory_mb: default_memory(s),
            }],
            policies: Policies::default(),
        },
        (Guests::Disco { vms, .. }, false) => Guests::Native {
            workload: vms
                .first()
                .map_or_else(|| WORKLOADS[0].name.to_string(), |v| v.workload.clone()),
        },
        (g, _) => g.clone(),
    };
}

/// Memory for a new VM: a share of the machine, at most 64 MB, at least 8.
fn default_memory(s: &Scenario) -> u32 {
    (s.machine.memory_mb().saturating_sub(1) / 2).clamp(8, 64)
}

/// Sets the number of VMs: new ones copy the last; the count is kept within 1..=8.
pub fn set_vm_count(s: &mut Scenario, n: usize) {
    let n = n.clamp(1, 8);
    if let Guests::Disco { vms, .. } = &mut s.guests {
        s.name = CUSTOM.into();
        let template = vms.last().cloned().unwrap_or(VmPlan {
            workload: WORKLOADS[0].name.into(),
            vcpus: 1,
            memory_mb: 16,
        });
        vms.resize(n, template);
    }
}

/// Applies `edit` to VM `i` (if there is one).
pub fn edit_vm(s: &mut Scenario, i: usize, edit: impl FnOnce(&mut VmPlan)) {
    if let Guests::Disco { vms, .. } = &mut s.guests
        && let Some(vm) = vms.get_mut(i)
    {
        s.name = CUSTOM.into();
        edit(vm);
    }
}

/// Applies `edit` to the monitor's policies (under the monitor).
pub fn edit_policies(s: &mut Scenario, edit: impl FnOnce(&mut Policies)) {
    if let Guests::Disco { policies, .. } = &mut s.guests {
        s.name = CUSTOM.into();
        edit(policies);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::scenario::Preset;

    #[test]
    fn native_and_back_keeps_the_workload() {
        let mut s = Preset::named("tiny-2vms").expect("preset").scenario();
        set_disco(&mut s, false);
        assert_eq!(s.guests, Guests::Native { workload: "pmake-tiny".into() });
        assert_eq!(s.name, CUSTOM);
        assert_eq!(s.validate(), Ok(()));
        set_disco(&mut s, true);
        let Guests::Disco { vms, .. } = &s.guests else { panic!("disco") };
        assert_eq!(vms.len(), 1);
        assert_eq!(vms[0].workload, "pmake-tiny");
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn vm_count_copies_the_last_and_validation_catches_overcommit() {
        let mut s = Preset::named("tiny-2vms").expect("preset").scenario();
        set_vm_count(&mut s, 3);
        let Guests::Disco { vms, .. } = &s.guests else { panic!("disco") };
        assert_eq!(vms[2], vms[1]);
        // 3 x 24 MB + the monitor's reserve do not fit in 64 MB.
        assert_eq!(s.validate().map_err(|e| e.field), Err("vms".into()));
        set_vm_count(&mut s, 0);
        let Guests::Disco { vms, .. } = &s.guests else { panic!("disco") };
        assert_eq!(vms.len(), 1);
    }

    #[test]
    fn field_edits_are_validated() {
        let mut s = Preset::named("tiny-2vms").expect("preset").scenario();
        edit_vm(&mut s, 0, |v| v.vcpus = 9);
        assert_eq!(s.validate().map_err(|e| e.field), Err("vms[0].vcpus".into()));
        edit_vm(&mut s, 0, |v| v.vcpus = 1);
        edit_policies(&mut s, |p| p.slice_us = 1);
        assert_eq!(s.validate().map_err(|e| e.field), Err("policies.slice_us".into()));
        edit_vm(&mut s, 7, |v| v.vcpus = 99);
    }
}
