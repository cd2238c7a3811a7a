//! The compiled-program benchmark set: four computations of different shapes, each a function of
//! a size that returns a 32-bit checksum.
//!
//! The same source is compiled twice: for MIPS into the `bench-*` user programs
//! (guests/bench, run under `disco user` by `cargo xtask bench`), and for the host by the tests
//! and the bench itself, which compare the checksum a program prints with the one computed here.
//! So a change to the CPU that breaks a program cannot go unnoticed, and no expected value has
//! to be written down.
//!
//! | shape | function | what the loop does |
//! |---|---|---|
//! | byte loops | [`bytes`] | a sieve of Eratosthenes and a memchr-like scan over 16 KB |
//! | pointer chasing | [`chase`] | a linked list and a binary tree laid out over a shuffled arena |
//! | calls | [`calls`] | recursive Fibonacci and calls through a table of small functions |
//! | integer maths | [`maths`] | a 12 × 12 matrix product, hashing, division and remainders |
//!
//! Every operation that may overflow is written `wrapping_*` and every index is a `u32` (or a
//! `usize` below 2³²), so the host (64-bit, with overflow checks in tests) computes exactly what
//! the MIPS program computes.
//!
//! ```
//! assert_eq!(benchset::run("calls", 1), Some(benchset::calls(1)));
//! assert_eq!(benchset::run("nope", 1), None);
//! ```

#![no_std]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use core::hint::black_box;

/// The set's names, in the order the bench reports them; the programs are `bench-<name>`.
pub const NAMES: [&str; 4] = ["bytes", "chase", "calls", "maths"];

/// The size at which each program runs about a billion MIPS instructions (measured with
/// `disco user --stats`), as [`NAMES`]; the bench's default.
pub const BENCH_SIZES: [u32; 4] = [2_100, 4_100, 8_900, 80_000];

/// Runs the computation called `name` (one of [`NAMES`]) at `size`; `None` for another name.
pub fn run(name: &str, size: u32) -> Option<u32> {
    match name {
        "bytes" => Some(bytes(size)),
        "chase" => Some(chase(size)),
        "calls" => Some(calls(size)),
        "maths" => Some(maths(size)),
        _ => None,
    }
}

/// xorshift32: a deterministic pseudo-random sequence with no state beyond one word.
struct XorShift(u32);

impl XorShift {
    fn next(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    /// A value below `n` (n > 0); the slight bias does not matter here.
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

/// Folds `v` into the running checksum `h` (FNV-1a over the word's bytes).
fn fold(h: u32, v: u32) -> u32 {
    v.to_le_bytes().iter().fold(h, |h, &b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// The FNV-1a offset basis: every checksum starts here.
const BASIS: u32 = 0x811c_9dc5;

/// Byte loops: `rounds` times, a sieve of Eratosthenes over 16 K bytes (clear, strike out,
/// count), then a scan of a 16 KB text for one byte value (count and positions), the value
/// changing every round and one byte of the text changing with it.
pub fn bytes(rounds: u32) -> u32 {
    const LEN: usize = 16 * 1024;
    let mut sieve = vec![0u8; LEN];
    let mut rng = XorShift(0x2545_f491);
    let mut text: Vec<u8> = (0..LEN).map(|_| (rng.next() >> 24) as u8 & 0x3f).collect();
    let mut h = BASIS;
    for r in 0..rounds {
        let sieve = black_box(&mut sieve[..]);
        for b in sieve.iter_mut() {
            *b = 1;
        }
        sieve[0] = 0;
        sieve[1] = 0;
        let mut i = 2;
        while i * i < LEN {
            if sieve[i] != 0 {
                let mut j = i * i;
                while j < LEN {
                    sieve[j] = 0;
                    j += i;
                }
            }
            i += 1;
        }
        let primes = sieve.iter().filter(|&&b| b != 0).count() as u32;

        let needle = (r & 0x3f) as u8;
        let (mut hits, mut where_) = (0u32, 0u32);
        for (k, &b) in black_box(&text[..]).iter().enumerate() {
            if b == needle {
                hits += 1;
                where_ = where_.rotate_left(5) ^ k as u32;
            }
        }
        let at = (r as usize).wrapping_mul(7919) % LEN;
        text[at] = text[at].wrapping_add(1) & 0x3f;
        h = fold(fold(fold(h, primes), hits), where_);
    }
    h
}

/// One arena node: the next node of the list, the tree's children (`NIL` when absent) and a key.
#[derive(Clone, Copy)]
struct Node {
    next: u32,
    left: u32,
    right: u32,
    key: u32,
}

/// No node.
const NIL: u32 = u32::MAX;

/// Pointer chasing: an arena of 16 K nodes (256 KB) threaded into one list in a shuffled order
/// (Sattolo's algorithm, so one cycle through every node) and into a binary search tree of
/// random keys; then `rounds` times a walk of 8 K list steps and 512 tree searches.
pub fn chase(rounds: u32) -> u32 {
    const NODES: u32 = 16 * 1024;
    let mut rng = XorShift(0x9e37_79b9);
    let mut arena: Vec<Node> =
        (0..NODES).map(|_| Node { next: NIL, left: NIL, right: NIL, key: rng.next() }).collect();
    // A random cyclic permutation: each node's successor.
    let mut order: Vec<u32> = (0..NODES).collect();
    for i in (1..NODES as usize).rev() {
        let j = rng.below(i as u32) as usize;
        order.swap(i, j);
    }
    for w in 0..NODES as usize {
        let from = order[w];
        arena[from as usize].next = order[(w + 1) % NODES as usize];
    }
    // The tree: nodes inserted in arena order, so its shape follows the random keys.
    for n in 1..NODES {
        let key = arena[n as usize].key;
        let mut at = 0u32;
        loop {
            let node = &mut arena[at as usize];
            let child = if key < node.key { &mut node.left } else { &mut node.right };
            if *child == NIL {
                *child = n;
                break;
            }
            at = *child;
        }
    }

    let arena = black_box(&arena[..]);
    let mut h = BASIS;
    let mut at = 0u32;
    for _ in 0..rounds {
        let mut sum = 0u32;
        for _ in 0..8 * 1024 {
            let node = &arena[at as usize];
            sum = sum.wrapping_add(node.key);
            at = node.next;
        }
        let mut depth = 0u32;
        for _ in 0..512 {
            // Half the searches look for a key that is there, half for a random one.
            let key = match rng.next() {
                k if k & 1 == 0 => arena[(k >> 1) as usize % NODES as usize].key,
                k => k,
            };
            let mut n = 0u32;
            while n != NIL {
                let node = &arena[n as usize];
                depth += 1;
                if key == node.key {
                    break;
                }
                n = if key < node.key { node.left } else { node.right };
            }
        }
        h = fold(fold(h, sum), depth);
    }
    h
}

/// Naive recursive Fibonacci: about 1.6ⁿ calls, each a few instructions around a call and a
/// return.
#[inline(never)]
fn fib(n: u32) -> u32 {
    if n < 2 { n } else { fib(n - 1).wrapping_add(fib(n - 2)) }
}

#[inline(never)]
fn step_add(x: u32, k: u32) -> u32 {
    x.wrapping_add(k)
}

#[inline(never)]
fn step_xor(x: u32, k: u32) -> u32 {
    x ^ k.rotate_left(7)
}

#[inline(never)]
fn step_mul(x: u32, k: u32) -> u32 {
    x.wrapping_mul(k | 1)
}

#[inline(never)]
fn step_shift(x: u32, k: u32) -> u32 {
    x.rotate_right(k & 31).wrapping_sub(k)
}

/// Small functions called through a table (indirect calls the compiler cannot inline).
const STEPS: [fn(u32, u32) -> u32; 4] = [step_add, step_xor, step_mul, step_shift];

/// Calls: `rounds` times, `fib(18)` (8 361 calls) and 2 048 indirect calls through a table of
/// four small functions chosen by the running value.
pub fn calls(rounds: u32) -> u32 {
    let steps = black_box(STEPS);
    let mut h = BASIS;
    let mut x = 1u32;
    for r in 0..rounds {
        let f = fib(black_box(18));
        for k in 0..2048u32 {
            x = steps[(x >> 3) as usize & 3](x, k ^ r);
        }
        h = fold(fold(h, f), x);
    }
    h
}

/// Integer maths: `rounds` times, a 12 × 12 matrix product of u32s, a multiplicative hash of its
/// result, and 64 greatest common divisors by remainders plus divisions of the hash.
pub fn maths(rounds: u32) -> u32 {
    const N: usize = 12;
    let mut rng = XorShift(0x6a09_e667);
    let mut a = [[0u32; N]; N];
    let mut b = [[0u32; N]; N];
    for row in a.iter_mut().chain(b.iter_mut()) {
        for v in row.iter_mut() {
            *v = rng.next() & 0xffff;
        }
    }
    let mut h = BASIS;
    for r in 0..rounds {
        let (a, b) = black_box((&a, &b));
        let mut c = [[0u32; N]; N];
        for i in 0..N {
            for j in 0..N {
                let mut s = 0u32;
                for (k, row) in b.iter().enumerate() {
                    s = s.wrapping_add(a[i][k].wrapping_mul(row[j]));
                }
                c[i][j] = s;
            }
        }
        // A multiplicative hash of the product (murmur3's finaliser per element).
        let mut m = r;
        for row in &c {
            for &v in row {
                let mut z = v ^ m;
                z ^= z >> 16;
                z = z.wrapping_mul(0x85eb_ca6b);
                z ^= z >> 13;
                z = z.wrapping_mul(0xc2b2_ae35);
                m = m.rotate_left(3) ^ z ^ (z >> 16);
            }
        }
        // Division: Euclid's algorithm on pairs drawn from the hash, and quotients.
        let mut g = 0u32;
        let mut q = 0u32;
        let mut s = m | 1;
        for _ in 0..64 {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let (mut x, mut y) = (s | 1, (s >> 7) | 1);
            while y != 0 {
                let t = x % y;
                x = y;
                y = t;
            }
            g = g.wrapping_add(x);
            q = q.wrapping_add(s / ((s >> 20) | 3));
        }
        h = fold(fold(fold(h, m), g), q);
    }
    h
}
