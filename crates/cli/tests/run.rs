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
