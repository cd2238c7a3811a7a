//! Disk DMA from a guest: `bm-disk` reads sectors 0..16 of unit 0 (polling) and checks them
//! against the pattern put on the image here, writes four of them back inverted to sectors
//! 32..36 (completion by interrupt), and makes a request past the end of the disk. The host
//! checks the written sectors in the disk image, and that each request took the modelled time:
//! the configured latency plus the transfer at the configured rate.

mod guest;

use machine::MachineConfig;

use guest::{DISK_SECTORS as SECTORS, disk_image, disk_pattern as pattern};

/// The cycles a request of `sectors` sectors takes, from the configuration alone: the latency,
/// then the bytes at disk_mb_per_s (MB = 10^6 bytes, as disk rates are quoted), at clock_mhz
/// cycles per microsecond, rounded up to whole cycles.
fn modelled(cfg: &MachineConfig, sectors: u32) -> u64 {
    let clock = u64::from(cfg.clock_mhz);
    let latency = u64::from(cfg.disk_latency_us) * clock;
    let bytes = u64::from(sectors) * 512;
    let transfer = (bytes * clock).div_ceil(u64::from(cfg.disk_mb_per_s));
    latency + transfer
}

/// Runs the disk program on `cfg` and checks its results and timings; returns the cycles the
/// read and the write took.
fn check(cfg: MachineConfig) -> Vec<u64> {
    let r = guest::run("bm-disk", cfg.clone(), vec![disk_image()], &[]);
    r.assert_ok();
    assert_eq!(r.line("disk read check "), "disk read check bad_words=0");
    assert_eq!(r.line("disk bad request "), "disk bad request status=0x6");

    // The written sectors are on the disk, inverted; the rest is untouched.
    let image = r.m.sys.devices.disks[0].image();
    let word = |k: u32, j: u32| {
        let at = (k * 512 + j * 4) as usize;
        u32::from_le_bytes(image[at..at + 4].try_into().expect("4 bytes"))
    };
    for k in 0..SECTORS {
        for j in 0..128 {
            let want = if (32..36).contains(&k) { !pattern(k - 32, j) } else { pattern(k, j) };
            assert_eq!(word(k, j), want, "sector {k} word {j}");
        }
    }
    let d = &r.m.sys.devices.disks[0];
    assert_eq!((d.requests, d.bytes), (3, 20 * 512), "three requests, two of them good");

    // Each request completed after the modelled time, and was seen soon after (the program's
    // own device accesses before and after the request cost a few hundred cycles each).
    // A seed may add up to a quarter of the latency.
    let jitter = if cfg.seed == 0 { 0 } else { modelled(&cfg, 0) / 4 };
    let mut took = Vec::new();
    for (prefix, sectors) in [("disk read ", 16), ("disk write ", 4)] {
        let line = r.line(prefix);
        let cycles: u64 = guest::field(line, "cycles");
        let want = modelled(&cfg, sectors);
        println!("{line}: modelled {want}");
        assert!(cycles >= want, "{line}: faster than the modelled {want} cycles");
        assert!(
            cycles <= want + jitter + 3000,
            "{line}: much slower than the modelled {want} cycles (+ jitter up to {jitter})"
        );
        took.push(cycles);
    }
    took
}

#[test]
fn dma_reads_and_writes_take_the_modelled_time() {
    check(MachineConfig::uniprocessor());
}

#[test]
fn a_faster_disk() {
    let cfg =
        MachineConfig { disk_latency_us: 100, disk_mb_per_s: 100, ..MachineConfig::flash(2, 1) };
    check(cfg);
}

#[test]
fn a_seed_jitters_each_request_within_a_quarter_of_the_latency() {
    let seeded = |seed| check(MachineConfig { seed, ..MachineConfig::uniprocessor() });
    let runs: Vec<Vec<u64>> = (1..=4).map(seeded).collect();
    assert_eq!(seeded(3), runs[2], "the same seed, the same timing");
    let plain = check(MachineConfig::uniprocessor());
    assert!(runs.iter().all(|r| r[0] >= plain[0]), "jitter only adds: {runs:?} vs {plain:?}");
    let mut reads: Vec<u64> = runs.iter().map(|r| r[0]).collect();
    reads.dedup();
    assert!(reads.len() > 1, "four seeds, one timing: {runs:?}");
}
