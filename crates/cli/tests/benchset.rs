//! The compiled-program benchmark set (`guests/bench`, run by `cargo xtask bench`) at a small
//! size: each `bench-*` program, run by the user-mode runner as `disco user` runs it, must exit
//! 0 and print the checksum the host computes from the same source (the `benchset` crate). So the
//! set cannot break silently: a CPU change that miscompiles nothing but mis-executes one of
//! these shapes fails here, and so does a program that stops building.

use cli::user::{Status, run_elf};

/// Small sizes: a few million instructions each, well under a second.
const SIZES: [u32; 4] = [3, 2, 5, 40];
/// More than any of them needs at these sizes.
const LIMIT: u64 = 100_000_000;

#[test]
fn every_program_prints_the_hosts_checksum() {
    for (name, size) in benchset::NAMES.into_iter().zip(SIZES) {
        let program = format!("bench-{name}");
        let image = guest_files::guest(&program);
        let args = [program.clone(), size.to_string()];
        let out = run_elf(&image, &args, LIMIT).unwrap_or_else(|e| panic!("{program}: {e}"));
        let want = benchset::run(name, size).expect("a name of the set");
        assert_eq!(
            out.status,
            Status::Exited(0),
            "{program}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{program} {size}: {want:08x}\n"),
            "{program} {size}"
        );
        assert!(out.instructions > 100_000, "{program} ran only {} instructions", out.instructions);
    }
}

#[test]
fn a_bad_size_is_refused_with_the_usage() {
    let image = guest_files::guest("bench-calls");
    for args in [vec!["bench-calls"], vec!["bench-calls", "ten"], vec!["bench-calls", "1", "2"]] {
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        let out = run_elf(&image, &args, LIMIT).expect("it runs");
        assert_eq!(out.status, Status::Exited(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("usage: bench-calls SIZE"));
    }
}

#[test]
fn the_bench_sizes_are_sizes_of_the_set() {
    // `cargo xtask bench` pairs NAMES with BENCH_SIZES; both must stay the same length and every
    // size must give a different checksum from the small one (the size is really read).
    assert_eq!(benchset::NAMES.len(), benchset::BENCH_SIZES.len());
    for (name, size) in benchset::NAMES.into_iter().zip(SIZES) {
        assert_ne!(benchset::run(name, size), benchset::run(name, size + 1), "{name}");
    }
}
