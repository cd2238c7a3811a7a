//! The hash index of the database: an open-addressing hash table from a `u32` key to a value,
//! in two flat arrays. Keys are scattered by Fibonacci hashing, so a scan that looks up
//! consecutive keys jumps all over the table: that is what a hash join does to the TLB.

use alloc::vec;
use alloc::vec::Vec;

use crate::hash::fib32;

/// Key 0 marks an empty slot; store `key + 1` for keys that may be 0.
pub const EMPTY: u32 = 0;

/// A hash table from non-zero `u32` keys to `V`.
#[derive(Clone, Debug)]
pub struct IntMap<V> {
    keys: Vec<u32>,
    values: Vec<V>,
    bits: u32,
    len: usize,
}

impl<V: Copy + Default> IntMap<V> {
    /// A table sized for about `expected` keys (it grows if needed).
    pub fn with_capacity(expected: usize) -> Self {
        let mut bits = 4;
        while (1usize << bits) < expected.saturating_mul(2) {
            bits += 1;
        }
        IntMap { keys: vec![EMPTY; 1 << bits], values: vec![V::default(); 1 << bits], bits, len: 0 }
    }

    /// How many keys it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds no key.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of memory its arrays take.
    pub fn footprint(&self) -> usize {
        self.keys.len() * (4 + core::mem::size_of::<V>())
    }

    /// The slot holding `key`, or the empty slot where it would go.
    fn slot(&self, key: u32) -> usize {
        debug_assert_ne!(key, EMPTY);
        let mask = self.keys.len() - 1;
        let mut i = fib32(key, self.bits) as usize;
        while self.keys[i] != key && self.keys[i] != EMPTY {
            i = (i + 1) & mask;
        }
        i
    }

    /// The value of `key`.
    pub fn get(&self, key: u32) -> Option<V> {
        let i = self.slot(key);
        if self.keys[i] == key { Some(self.values[i]) } else { None }
    }

    /// Whether `key` is present.
    pub fn contains(&self, key: u32) -> bool {
        self.keys[self.slot(key)] == key
    }

    /// Sets `key` to `value`.
    pub fn insert(&mut self, key: u32, value: V) {
        *self.entry(key) = value;
    }

    /// The value of `key`, inserting `V::default()` first if it is absent.
    pub fn entry(&mut self, key: u32) -> &mut V {
        let mut i = self.slot(key);
        if self.keys[i] == EMPTY {
            if (self.len + 1) * 2 > self.keys.len() {
                self.grow();
                i = self.slot(key);
            }
            self.keys[i] = key;
            self.values[i] = V::default();
            self.len += 1;
        }
        &mut self.values[i]
    }

    fn grow(&mut self) {
        let keys = core::mem::take(&mut self.keys);
        let values = core::mem::take(&mut self.values);
        self.bits += 1;
        self.keys = vec![EMPTY; 1 << self.bits];
        self.values = vec![V::default(); 1 << self.bits];
        for (k, v) in keys.into_iter().zip(values) {
            if k != EMPTY {
                let i = self.slot(k);
                self.keys[i] = k;
                self.values[i] = v;
            }
        }
    }

    /// Every (key, value), in table order (deterministic, but sort before showing).
    pub fn iter(&self) -> impl Iterator<Item = (u32, V)> + '_ {
        self.keys.iter().zip(&self.values).filter(|(k, _)| **k != EMPTY).map(|(k, v)| (*k, *v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_map() {
        let mut m: IntMap<u64> = IntMap::with_capacity(3);
        let mut oracle = std::collections::BTreeMap::new();
        let mut rng = crate::rng::Rng::new(5);
        for _ in 0..5000 {
            let k = rng.range(1, 3000);
            let v = rng.next_u64();
            if rng.chance(50) {
                m.insert(k, v);
                oracle.insert(k, v);
            } else {
                *m.entry(k) += 1;
                *oracle.entry(k).or_insert(0) += 1;
            }
        }
        assert_eq!(m.len(), oracle.len());
        for k in 1..3100 {
            assert_eq!(m.get(k), oracle.get(&k).copied());
            assert_eq!(m.contains(k), oracle.contains_key(&k));
        }
        let mut all: Vec<(u32, u64)> = m.iter().collect();
        all.sort();
        assert_eq!(all, oracle.into_iter().collect::<Vec<_>>());
        assert!(m.footprint() >= m.len() * 12);
    }
}
