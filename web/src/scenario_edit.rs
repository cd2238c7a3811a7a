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

/// Reads what the user typed in the number field called `words` (its label, as the messages
/// name it): a whole number from `min` to `max`, or what is wrong with the text — said at once,
/// so the form never keeps showing an older message (or none) while the field holds text it
/// cannot use, and a count out of range is refused in words rather than quietly clamped.
pub fn read_number(words: &str, text: &str, min: u32, max: u32) -> Result<u32, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{words}: is empty."));
    }
    let shown = sim::scenario::shortened(text);
    let digits = text.strip_prefix('-').unwrap_or(text);
    let whole = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<i64>() {
        Ok(n) if (i64::from(min)..=i64::from(max)).contains(&n) => Ok(n as u32),
        // Too far out to parse is still a whole number: out of range, not "not a number".
        _ if whole => Err(format!("{words}: must be between {min} and {max}; {shown} is not.")),
        _ => Err(format!("{words}: must be a whole number; {shown} is not.")),
    }
}

/// Sets the number of VMs: new ones copy the last; the count is kept within 1..=8 (the form
/// refuses other counts with a message before it gets here).
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
    fn typed_numbers_get_their_own_message() {
        assert_eq!(read_number("Nodes", " 4 ", 1, 8), Ok(4));
        assert_eq!(
            read_number("Nodes", "2.5", 1, 8),
            Err("Nodes: must be a whole number; 2.5 is not.".into())
        );
        assert_eq!(read_number("Nodes", "", 1, 8), Err("Nodes: is empty.".into()));
        assert_eq!(
            read_number("VMs", "0", 1, 8),
            Err("VMs: must be between 1 and 8; 0 is not.".into())
        );
        assert_eq!(
            read_number("VMs", "20", 1, 8),
            Err("VMs: must be between 1 and 8; 20 is not.".into())
        );
        assert_eq!(
            read_number("seed", "-3", 0, u32::MAX).map_err(|e| e.contains("-3 is not")),
            Err(true)
        );
        let long = "9".repeat(5000);
        let m = read_number("Nodes", &long, 1, 8).expect_err("too big");
        assert!(m.len() < 120, "{m}");
        let m = read_number("Nodes", &"x".repeat(5000), 1, 8).expect_err("not a number");
        assert!(m.len() < 120, "{m}");
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
