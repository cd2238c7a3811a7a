//! Stable hashes: FNV-1a (64 and 32 bit) for checksums and names, and Fibonacci hashing for
//! integer keys. Never `DefaultHasher`: every checksum must be the same on the host and in the
//! guest, today and tomorrow.

/// FNV-1a, 64 bit: the checksum of every output the workloads print.
#[derive(Clone, Copy, Debug)]
pub struct Fnv64(u64);

impl Fnv64 {
    /// A fresh hash (the FNV offset basis).
    pub const fn new() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }

    /// Adds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Adds a 32-bit number (little-endian bytes).
    pub fn write_u32(&mut self, v: u32) {
        self.write(&v.to_le_bytes());
    }

    /// Adds a 64-bit number (little-endian bytes).
    pub fn write_u64(&mut self, v: u64) {
        self.write(&v.to_le_bytes());
    }

    /// The hash so far.
    pub const fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for Fnv64 {
    fn default() -> Self {
        Self::new()
    }
}

/// FNV-1a 64 of `bytes`.
pub fn fnv64(bytes: &[u8]) -> u64 {
    let mut h = Fnv64::new();
    h.write(bytes);
    h.finish()
}

/// FNV-1a 32 of `bytes`: cheap on a 32-bit CPU, used for the compiler's name table.
pub fn fnv32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Fibonacci hashing: the top `bits` bits of `key * 2^32/φ`. Consecutive keys land far apart,
/// which is what a hash index wants (and what makes the database's probes jump around memory).
pub fn fib32(key: u32, bits: u32) -> u32 {
    debug_assert!((1..=32).contains(&bits));
    key.wrapping_mul(0x9e37_79b9) >> (32 - bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_published_test_vectors() {
        assert_eq!(fnv64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv64(b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(fnv32(b"a"), 0xe40c_292c);
        assert_eq!(fnv32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn fibonacci_hashing_spreads_consecutive_keys() {
        let a = fib32(1, 16);
        let b = fib32(2, 16);
        assert!(a < 1 << 16 && b < 1 << 16);
        assert!(a.abs_diff(b) > 1000);
    }
}
