//! Radix: the SPLASH-2 parallel radix sort (Woo et al., ISCA 1995), the program the paper ran
//! on SPLASHOS to show Disco's scalability (Fig. 7), and here also under dux.
//!
//! `p` threads sort `n` 30-bit keys, [`DIGIT_BITS`] bits per pass ([`PASSES`] passes between
//! two shared arrays). Each pass: every thread counts the digits of its contiguous chunk of the
//! source (a private histogram, published in a shared `p × radix` matrix); a barrier; every
//! thread computes where its keys go — the exclusive prefix over (digit, thread) — from the
//! whole matrix; then it scatters its chunk into the shared destination array; a barrier. The
//! keys are made by the threads themselves, key `i` a hash of `i`, so they do not depend on how
//! many threads there are. At the end every thread checks that its chunk is sorted and folds it
//! into a checksum that does not depend on the partition either.
//!
//! Memory behaviour: two large shared arrays (8 bytes per key) with no locality across
//! threads. The histogram phase reads a thread's own chunk sequentially; the scatter writes
//! to [`RADIX`] streams spread over the whole destination, so every thread writes lines that
//! other threads read next pass (communication misses) and, under a NUMA-unaware OS, mostly
//! to memory on other nodes. The matrix is small and read by everyone at each pass.
//!
//! The algorithm needs nothing but `p` threads, a barrier and the shared arrays (plain
//! `AtomicU32`s used with relaxed loads and stores: ordinary loads and stores on MIPS, ordered
//! by the barrier), so the same code runs under dux (guests/user/radix), on SPLASHOS, and on the
//! host with std threads (the tests).
//!
//! ```text
//! radix [-p threads] [-n keys]
//! radix: 8 threads
//! radix: 4194304 keys, radix 1024, sorted, checksum 0123456789abcdef
//! ```
//!
//! Without `-p` it runs one thread per CPU of its OS (per VCPU in a VM), so the same `/etc/rc`
//! fits any machine; the result line leaves the thread count out, since the sort's result does
//! not depend on it, and one expected line holds however many CPUs run it.

use alloc::string::String;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// Bits of a key.
pub const KEY_BITS: u32 = 30;
/// Bits of a digit (SPLASH-2's default radix, 1024).
pub const DIGIT_BITS: u32 = 10;
/// Buckets per pass.
pub const RADIX: usize = 1 << DIGIT_BITS;
/// Passes over the keys.
pub const PASSES: u32 = KEY_BITS.div_ceil(DIGIT_BITS);
/// The keys' seed.
pub const SEED: u64 = 0x0051_A542;
/// Most threads.
pub const MAX_THREADS: usize = 64;
/// Most keys (two arrays of 4 bytes each must fit the guest's memory).
pub const MAX_KEYS: usize = 1 << 24;

/// Keys of the tiny variant (about 20 million instructions).
pub const TINY_KEYS: usize = 65_536;
/// Keys of the full variant (about a billion instructions, 32 MB of arrays).
pub const FULL_KEYS: usize = 4 << 20;

/// The usage line.
pub const USAGE: &str = "usage: radix [-p threads] [-n keys]";

/// radix's command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Threads (1..=[`MAX_THREADS`]).
    pub threads: usize,
    /// Keys (1..=[`MAX_KEYS`]).
    pub keys: usize,
}

/// Parses `[-p threads] [-n keys]` (without the program name); SPLASH-2 style, `-p8` or
/// `-p 8`. Defaults: a thread per CPU (`cpus`, as the OS reports them, at most
/// [`MAX_THREADS`]), [`TINY_KEYS`].
pub fn parse_args(args: &[&str], cpus: usize) -> Result<Options, String> {
    let mut opts = Options { threads: cpus.clamp(1, MAX_THREADS), keys: TINY_KEYS };
    let mut it = args.iter();
    while let Some(&a) = it.next() {
        let (field, rest) = if let Some(rest) = a.strip_prefix("-p") {
            (&mut opts.threads, rest)
        } else if let Some(rest) = a.strip_prefix("-n") {
            (&mut opts.keys, rest)
        } else {
            return Err(alloc::format!("unknown argument `{a}`"));
        };
        let v =
            if rest.is_empty() { *it.next().ok_or(alloc::format!("{a}: no value"))? } else { rest };
        *field = v.parse().map_err(|_| alloc::format!("bad number `{v}`"))?;
    }
    if !(1..=MAX_THREADS).contains(&opts.threads) {
        return Err(alloc::format!("threads must be in 1..={MAX_THREADS}"));
    }
    if !(1..=MAX_KEYS).contains(&opts.keys) {
        return Err(alloc::format!("keys must be in 1..={MAX_KEYS}"));
    }
    Ok(opts)
}

/// Key `i` of the input: a hash of its index (SplitMix64's finalizer), so any thread can make
/// any part of the input.
pub fn key(i: usize) -> u32 {
    let mut z = SEED ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((z ^ (z >> 31)) >> (64 - KEY_BITS)) as u32
}

/// The checksum's term for key `k` at sorted position `i`: a sum of these over all positions
/// does not depend on which thread adds which.
fn term(i: usize, k: u32) -> u64 {
    let z = (u64::from(k) << 32 | i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z ^ (z >> 29)
}

/// What one thread found in its part of the sorted array.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Partial {
    /// Its share of the checksum.
    pub checksum: u64,
    /// Positions `i` in its chunk where `key[i] > key[i+1]`.
    pub unsorted: u32,
}

/// The result of a sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Keys sorted.
    pub keys: usize,
    /// Threads.
    pub threads: usize,
    /// The checksum over the sorted array.
    pub checksum: u64,
    /// True if the output is in order.
    pub sorted: bool,
}

impl Outcome {
    /// Adds up the threads' partial results.
    pub fn from_partials(keys: usize, threads: usize, partials: &[Partial]) -> Outcome {
        let checksum = partials.iter().fold(0u64, |s, p| s.wrapping_add(p.checksum));
        let sorted = partials.iter().all(|p| p.unsorted == 0);
        Outcome { keys, threads, checksum, sorted }
    }

    /// The line radix prints with its result (the one a run's `/expected.txt` checks: without
    /// the thread count, which depends on the machine and not the result).
    pub fn line(&self) -> String {
        alloc::format!(
            "radix: {} keys, radix {RADIX}, {}, checksum {:016x}",
            self.keys,
            if self.sorted { "sorted" } else { "NOT SORTED" },
            self.checksum
        )
    }

    /// The line radix prints first: how many threads sort.
    pub fn threads_line(threads: usize) -> String {
        alloc::format!("radix: {threads} threads")
    }
}

/// The shared state of one sort: the two key arrays and the histogram matrix.
pub struct Sort {
    n: usize,
    threads: usize,
    arrays: [Vec<AtomicU32>; 2],
    /// `threads × RADIX` digit counts of the current pass, row per thread.
    hist: Vec<AtomicU32>,
}

/// `n` zeroed words, allocated zeroed (`alloc_zeroed`, like `calloc`) rather than written: a
/// system that hands out zero pages lazily then leaves them untouched, so the thread that first
/// uses a part of the array is the one that first touches its pages — where a NUMA-aware
/// system (the monitor under SPLASHOS) places them.
fn zeroed(n: usize) -> Vec<AtomicU32> {
    let words = core::mem::ManuallyDrop::new(alloc::vec![0u32; n]);
    let (ptr, len, cap) = (words.as_ptr() as *mut AtomicU32, words.len(), words.capacity());
    // SAFETY: `AtomicU32` has the size, alignment and bit validity of `u32`; the allocation is
    // handed over whole (same pointer, length, capacity and layout) and the `u32` vector is
    // never used again.
    unsafe { Vec::from_raw_parts(ptr, len, cap) }
}

impl Sort {
    /// Allocates the arrays for `n` keys and `threads` threads (both ≥ 1).
    pub fn new(n: usize, threads: usize) -> Sort {
        Sort { n, threads, arrays: [zeroed(n), zeroed(n)], hist: zeroed(threads * RADIX) }
    }

    /// Keys.
    pub fn keys(&self) -> usize {
        self.n
    }

    /// Threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Thread `id`'s chunk of the arrays.
    fn chunk(&self, id: usize) -> (usize, usize) {
        let at = |t: usize| (self.n as u64 * t as u64 / self.threads as u64) as usize;
        (at(id), at(id + 1))
    }

    /// The array holding the result once [`worker`](Sort::worker) has returned in every thread.
    pub fn sorted(&self) -> &[AtomicU32] {
        &self.arrays[PASSES as usize % 2]
    }

    /// Thread `id`'s whole part of the sort (`id` in `0..threads`); every thread must call it,
    /// each with its own id, and `barrier` must return once all of them have called it.
    pub fn worker(&self, id: usize, barrier: &dyn Fn()) -> Partial {
        let (lo, hi) = self.chunk(id);
        for (i, a) in self.arrays[0][lo..hi].iter().enumerate() {
            a.store(key(lo + i), Relaxed);
        }
        // Touch this thread's chunk of the other array too, before anyone scatters into it:
        // under first-touch placement both halves of the chunk it reads every pass are then
        // on its own node (SPLASH-2 codes initialise their data in parallel for this reason).
        for a in &self.arrays[1][lo..hi] {
            a.store(0, Relaxed);
        }
        let mut count = [0u32; RADIX];
        let mut offset = [0u32; RADIX];
        for pass in 0..PASSES {
            let shift = pass * DIGIT_BITS;
            let (src, dst) = (&self.arrays[pass as usize % 2], &self.arrays[1 - pass as usize % 2]);
            count.fill(0);
            for k in &src[lo..hi] {
                count[(k.load(Relaxed) >> shift) as usize % RADIX] += 1;
            }
            for (h, &c) in self.hist[id * RADIX..(id + 1) * RADIX].iter().zip(&count) {
                h.store(c, Relaxed);
            }
            barrier();
            // Where this thread's keys of digit d go: all keys of smaller digits, then those of
            // digit d in the chunks of threads before this one.
            let mut running = 0u32;
            for (d, off) in offset.iter_mut().enumerate() {
                for t in 0..self.threads {
                    if t == id {
                        *off = running;
                    }
                    running += self.hist[t * RADIX + d].load(Relaxed);
                }
            }
            for k in &src[lo..hi] {
                let k = k.load(Relaxed);
                let off = &mut offset[(k >> shift) as usize % RADIX];
                dst[*off as usize].store(k, Relaxed);
                *off += 1;
            }
            barrier();
        }
        verify(self.sorted(), lo, hi)
    }
}

/// Checks `out[lo..hi]` (and its boundary with `out[lo - 1]`) and adds up its checksum terms.
fn verify(out: &[AtomicU32], lo: usize, hi: usize) -> Partial {
    let mut partial = Partial::default();
    let mut prev = if lo > 0 { out[lo - 1].load(Relaxed) } else { 0 };
    for (i, k) in out[lo..hi].iter().enumerate() {
        let k = k.load(Relaxed);
        partial.unsorted += u32::from(k < prev);
        partial.checksum = partial.checksum.wrapping_add(term(lo + i, k));
        prev = k;
    }
    partial
}

/// The expected result for `n` keys, computed directly (sort the keys, add up the terms):
/// what a guest run must print, whatever its thread count.
pub fn reference(n: usize, threads: usize) -> Outcome {
    let mut keys: Vec<u32> = (0..n).map(key).collect();
    keys.sort_unstable();
    let checksum = keys.iter().enumerate().fold(0u64, |s, (i, &k)| s.wrapping_add(term(i, k)));
    Outcome { keys: n, threads, checksum, sorted: true }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_threads(n: usize, threads: usize) -> (Outcome, Vec<u32>) {
        let sort = Sort::new(n, threads);
        let barrier = std::sync::Barrier::new(threads);
        let partials: Vec<Partial> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|id| {
                    let (sort, barrier) = (&sort, &barrier);
                    s.spawn(move || {
                        sort.worker(id, &|| {
                            barrier.wait();
                        })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("worker")).collect()
        });
        let out = sort.sorted().iter().map(|k| k.load(Relaxed)).collect();
        (Outcome::from_partials(n, threads, &partials), out)
    }

    #[test]
    fn sorts_with_any_thread_count_and_matches_the_reference() {
        for n in [1, 2, 1000, 4099] {
            let want = reference(n, 1);
            let mut keys: Vec<u32> = (0..n).map(key).collect();
            keys.sort_unstable();
            for threads in [1, 2, 3, 8] {
                let (got, out) = run_threads(n, threads);
                assert_eq!(out, keys, "{n} keys, {threads} threads");
                assert!(got.sorted);
                assert_eq!(got.checksum, want.checksum, "{n} keys, {threads} threads");
            }
        }
    }

    #[test]
    fn keys_fill_their_bits_and_the_checksum_sees_order() {
        assert!((0..10_000).map(key).all(|k| k < 1 << KEY_BITS));
        assert!((0..10_000).map(key).any(|k| k >= 1 << (KEY_BITS - 1)));
        assert_ne!(term(0, 1).wrapping_add(term(1, 2)), term(0, 2).wrapping_add(term(1, 1)));
    }

    #[test]
    fn an_unsorted_array_is_noticed() {
        let out: Vec<AtomicU32> = [1, 5, 3, 7, 2].into_iter().map(AtomicU32::new).collect();
        assert_eq!(verify(&out, 0, 2).unsorted, 0);
        assert_eq!(verify(&out, 2, 3).unsorted, 1, "the boundary with the previous chunk");
        assert_eq!(verify(&out, 0, 5).unsorted, 2);
        let whole = verify(&out, 0, 5).checksum;
        let parts = [(0, 1), (1, 4), (4, 5)].map(|(lo, hi)| verify(&out, lo, hi).checksum);
        assert_eq!(parts.iter().fold(0u64, |s, &c| s.wrapping_add(c)), whole);
    }

    #[test]
    fn parses_splash_style_arguments() {
        assert_eq!(parse_args(&[], 1), Ok(Options { threads: 1, keys: TINY_KEYS }));
        // Without -p, a thread per CPU.
        assert_eq!(parse_args(&[], 3), Ok(Options { threads: 3, keys: TINY_KEYS }));
        assert_eq!(parse_args(&["-n", "9"], 0), Ok(Options { threads: 1, keys: 9 }));
        assert_eq!(parse_args(&["-p8", "-n", "1024"], 2), Ok(Options { threads: 8, keys: 1024 }));
        assert_eq!(parse_args(&["-p", "2", "-n4096"], 8), Ok(Options { threads: 2, keys: 4096 }));
        for bad in [&["-p"][..], &["-p", "0"], &["-n", "x"], &["-q"], &["8"], &["-p", "65"]] {
            assert!(parse_args(bad, 1).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_tiny_line_is_stable() {
        let o = reference(TINY_KEYS, 8);
        assert!(o.line().starts_with("radix: 65536 keys, radix 1024, sorted, checksum "));
        assert_eq!(o.line(), reference(TINY_KEYS, 3).line(), "the line is the same for any p");
    }
}
