//! `disco bare`, end to end: the command runs bare-metal guests from target/guests (built by
//! `cargo xtask guests`; the test fails, never skips, without them), prints their console,
//! exits with their exit code, and refuses bad images with a message.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn guest(name: &str) -> PathBuf {
    let path = guest_files::dir().join(name);
    assert!(path.exists(), "{} is missing: run `cargo xtask guests` first", path.display());
    path
}

fn disco(args: &[&str], image: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_disco"))
        .arg("bare")
        .args(args)
        .arg(image)
        .output()
        .expect("cannot run disco")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn hello_prints_and_exits_zero() {
    let o = disco(&[], &guest("hello"));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(stdout(&o), "Hello from the simulated MIPS machine!\n");
    let summary = String::from_utf8_lossy(&o.stderr);
    assert!(summary.contains("1 nodes x 1 CPUs"), "{summary}");
    assert!(summary.contains("run hash"), "{summary}");
}

#[test]
fn node_options_reach_the_machine() {
    let o = disco(&["--nodes", "2"], &guest("bm-numa-walk"));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = stdout(&o);
    assert!(out.contains("cpu0 node0 ") && out.contains("cpu1 node1 "), "{out}");
    assert!(out.contains("local=60.00 remote=180.00"), "{out}");
    let o = disco(&["--nodes", "2", "--uma"], &guest("bm-numa-walk"));
    assert!(stdout(&o).contains("local=60.00 remote=60.00"), "{o:?}");
}

#[test]
fn disk_images_are_attached() {
    let dir = std::env::temp_dir().join(format!("disco-bare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let disk = dir.join("disk.img");
    let image: Vec<u8> = (0u32..64)
        .flat_map(|k| (0u32..128).flat_map(move |j| (0xDA7A_0000 | k << 8 | j).to_le_bytes()))
        .collect();
    std::fs::write(&disk, image).expect("write the disk image");
    let o = disco(&["--disk", disk.to_str().expect("utf-8 path")], &guest("bm-disk"));
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(stdout(&o).contains("disk ok"), "{o:?}");
}

#[test]
fn a_bad_image_is_an_error_message() {
    let dir = std::env::temp_dir().join(format!("disco-bare-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let bad = dir.join("bad.elf");
    std::fs::write(&bad, b"not an ELF file").expect("write");
    let o = disco(&[], &bad);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a valid ELF file"), "{err}");
}
