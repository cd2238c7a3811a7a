//! Recursion: a deep linear recursion (tens of thousands of frames, about 1 MB of stack), tree
//! recursion (Fibonacci), Ackermann, and mutual recursion, all kept from being turned into loops.

#![no_std]
#![no_main]

use core::hint::black_box as bb;
use lrt::println;

lrt::entry!(main);

/// Sums 1..=n with one stack frame per step; the array keeps each frame honest.
#[inline(never)]
fn deep(n: u32) -> u64 {
    let frame = bb([n, n ^ 0x5555, n.wrapping_mul(3), 7]);
    if n == 0 {
        return 0;
    }
    let below = deep(bb(n - 1));
    below + frame[0] as u64 + (frame[1] ^ frame[2] ^ frame[3]) as u64 % 3
}

#[inline(never)]
fn fib(n: u32) -> u32 {
    if n < 2 { n } else { fib(bb(n - 1)) + fib(bb(n - 2)) }
}

#[inline(never)]
fn ackermann(m: u32, n: u32) -> u32 {
    match (m, n) {
        (0, n) => n + 1,
        (m, 0) => ackermann(bb(m - 1), 1),
        (m, n) => ackermann(bb(m - 1), ackermann(m, bb(n - 1))),
    }
}

#[inline(never)]
fn is_even(n: u32) -> bool {
    if n == 0 { true } else { bb(is_odd(bb(n - 1))) }
}

#[inline(never)]
fn is_odd(n: u32) -> bool {
    if n == 0 { false } else { bb(is_even(bb(n - 1))) }
}

fn main(_: lrt::Args) -> i32 {
    println!("deep(20000) = {}", deep(bb(20_000)));
    println!("fib(24) = {}", fib(bb(24)));
    for m in 0..3 {
        for n in 0..6 {
            println!("ackermann({m}, {n}) = {}", ackermann(bb(m), bb(n)));
        }
    }
    println!("ackermann(3, 5) = {}", ackermann(bb(3), bb(5)));
    println!("is_even(10001) = {} is_odd(7777) = {}", is_even(bb(10_001)), is_odd(bb(7_777)));
    assert_eq!(fib(bb(20)), 6765);
    0
}
