//! Times `guest_pack::expand` on compressed guest files, natively:
//! `cargo run --release -p guest-pack --example expand -- dist/assets/images/db-full.img.zst`.

use std::time::Instant;

fn main() {
    for path in std::env::args().skip(1) {
        let packed = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
        // Best of five, so that a first run's page faults do not count.
        let mut best = f64::INFINITY;
        let mut size = 0;
        for _ in 0..5 {
            let start = Instant::now();
            match guest_pack::expand(&packed) {
                Ok(raw) => size = raw.len(),
                Err(e) => {
                    eprintln!("{path}: {e}");
                    std::process::exit(1);
                }
            }
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!(
            "{path}: {} -> {} bytes in {:.0} ms ({:.0} MB/s expanded)",
            packed.len(),
            size,
            best * 1e3,
            size as f64 / best / 1e6
        );
    }
}
