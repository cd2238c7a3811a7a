//! `disco run`'s options reach the scenario: `--uma` makes the machine UMA (the paper's
//! comparison point in Fig. 8), from flags and on top of a preset.

use std::process::Command;

/// The scenario `disco run ARGS --print-scenario` would run, as JSON.
fn scenario(args: &[&str]) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_disco"))
        .arg("run")
        .args(args)
        .arg("--print-scenario")
        .output()
        .expect("cannot run disco");
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    serde_json::from_slice(&o.stdout).expect("the scenario as JSON")
}

#[test]
fn uma_reaches_the_machine() {
    let flags = ["--native", "--workload", "smoke", "--nodes", "2"];
    assert_eq!(scenario(&flags)["machine"]["uma"], false);
    assert_eq!(scenario(&[&flags[..], &["--uma"]].concat())["machine"]["uma"], true);
    let preset = scenario(&["--preset", "engineering-native", "--uma"]);
    assert_eq!(preset["machine"]["uma"], true);
    assert_eq!(preset["machine"]["nodes"], 4, "the rest of the preset stays");
}

/// The output of `disco run ARGS` (which must succeed).
fn run(args: &[&str]) -> String {
    let assets = guest_files::dir();
    let o = Command::new(env!("CARGO_BIN_EXE_disco"))
        .arg("run")
        .args(args)
        .arg("--assets")
        .arg(&assets)
        .output()
        .expect("cannot run disco");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    // The summary (on stderr) first: the profile ends the output.
    String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout)
}

/// The run hash a run's summary line reports.
fn run_hash(out: &str) -> &str {
    let at = out.find("run hash ").expect("a run hash") + "run hash ".len();
    &out[at..at + 16]
}

/// `--profile` names the guest kernel's functions, natively and under the monitor (two VMs
/// whose CPUs the monitor schedules), and changes nothing about the run.
#[test]
fn the_profile_names_kernel_functions_and_leaves_the_run_alone() {
    for flags in [&["--preset", "smoke-native"][..], &["--preset", "tiny-2vms"]] {
        let plain = run(flags);
        let profiled = run(&[flags, &["--profile"]].concat());
        assert_eq!(run_hash(&plain), run_hash(&profiled), "{flags:?}");
        let table = &profiled[profiled.find("-- profile: ").expect("a profile")..];
        let samples: u64 =
            table["-- profile: ".len()..].split(' ').next().unwrap().parse().unwrap();
        assert!(samples > 100, "{table}");
        assert!(table.contains("::fs::"), "kernel functions by name: {table}");
        // Every row's count is at most the total, and the rows are in decreasing order.
        let counts: Vec<u64> = table
            .lines()
            .skip(2)
            .filter_map(|l| l.split_whitespace().next()?.parse().ok())
            .collect();
        assert!(!counts.is_empty() && counts.windows(2).all(|w| w[0] >= w[1]), "{table}");
        assert!(counts.iter().sum::<u64>() <= samples, "{table}");
    }
}
