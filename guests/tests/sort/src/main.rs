//! A sort + hash workload: pseudo-random data from xorshift32, sorted three ways (unstable,
//! stable by key, a hand-written merge sort), deduplicated, searched, counted in a BTreeMap, and
//! hashed with FNV-1a at every step.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::hint::black_box as bb;
use lrt::println;

lrt::entry!(main);

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
}

fn fnv1a(words: impl IntoIterator<Item = u32>) -> u32 {
    let mut h = 0x811c_9dc5u32;
    for w in words {
        for b in w.to_le_bytes() {
            h ^= b as u32;
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

fn merge_sort(v: &mut [u32], tmp: &mut Vec<u32>) {
    if v.len() <= 1 {
        return;
    }
    let mid = v.len() / 2;
    merge_sort(&mut v[..mid], tmp);
    merge_sort(&mut v[mid..], tmp);
    tmp.clear();
    let (mut i, mut j) = (0, mid);
    while i < mid && j < v.len() {
        if v[i] <= v[j] {
            tmp.push(v[i]);
            i += 1;
        } else {
            tmp.push(v[j]);
            j += 1;
        }
    }
    tmp.extend_from_slice(&v[i..mid]);
    tmp.extend_from_slice(&v[j..]);
    v.copy_from_slice(tmp);
}

fn main(_: lrt::Args) -> i32 {
    let mut rng = XorShift(bb(2_463_534_242));
    let data: Vec<u32> = (0..20_000).map(|_| rng.next() % 50_000).collect();
    println!("data: {} values, hash {:08x}", data.len(), fnv1a(data.iter().copied()));

    let mut a = data.clone();
    a.sort_unstable();
    println!(
        "sort_unstable: hash {:08x} min {} max {}",
        fnv1a(a.iter().copied()),
        a[0],
        a[a.len() - 1]
    );

    let mut pairs: Vec<(u32, u32)> =
        data.iter().enumerate().map(|(i, &v)| (v % 97, i as u32)).collect();
    pairs.sort_by_key(|&(k, _)| k);
    println!("stable sort by key: hash {:08x}", fnv1a(pairs.iter().flat_map(|&(k, i)| [k, i])));

    let mut m = data.clone();
    let mut tmp = Vec::with_capacity(m.len());
    merge_sort(&mut m, &mut tmp);
    println!("merge sort equal: {}", m == a);
    assert_eq!(m, a);

    let mut d = a.clone();
    d.dedup();
    println!("distinct: {} hash {:08x}", d.len(), fnv1a(d.iter().copied()));
    let found = (0..1000u32).filter(|&k| d.binary_search(&(k * 50)).is_ok()).count();
    println!("binary search hits: {found}");

    let mut counts: BTreeMap<u32, u32> = BTreeMap::new();
    for &v in &data {
        *counts.entry(v % 1000).or_insert(0) += 1;
    }
    let top =
        counts.iter().max_by_key(|&(k, c)| (*c, core::cmp::Reverse(*k))).map(|(k, c)| (*k, *c));
    println!("buckets: {} most common {:?}", counts.len(), top);
    println!("bucket hash {:08x}", fnv1a(counts.iter().flat_map(|(&k, &c)| [k, c])));
    0
}
