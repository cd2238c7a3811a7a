//! Formatting-heavy output with the heap: integers of every width in every radix and padding,
//! 64- and 128-bit arithmetic (the compiler's division helpers), soft-float formatting, Debug of
//! nested structures, and String/Vec manipulation.

#![no_std]
#![no_main]

extern crate alloc;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::hint::black_box as bb;
use lrt::println;

lrt::entry!(main);

#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Circle { r: f64 },
    Rect(u32, u32),
    Empty,
}

#[derive(Debug)]
struct Scene {
    name: String,
    shapes: Vec<Shape>,
    tags: [Option<&'static str>; 3],
}

fn main(_: lrt::Args) -> i32 {
    for v in [0i32, 1, -1, 42, -42, i32::MAX, i32::MIN] {
        let v = bb(v);
        println!("[{v}] [{v:>12}] [{v:<12}] [{v:^12}] [{v:+}] [{v:012}] [{v:#x}] [{v:#o}] [{v:b}]");
    }
    for v in [0u64, 1, 9_999_999_999, u64::MAX, 0x0123_4567_89ab_cdef] {
        let v = bb(v);
        println!("{v} {v:x} {v:X} {v:o} {:?}", v as i64);
    }
    for v in [0u128, 1, u128::MAX, 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210] {
        let v = bb(v);
        println!("{v} {v:x} {}", v as i128);
    }
    for v in [0.0f64, 1.0, -1.5, 3.141_592_653_589_793, 1e-10, 6.02e23, f64::MAX, f64::MIN_POSITIVE]
    {
        let v = bb(v);
        println!("{v} {v:.3} {v:e} {v:10.2} {:?} {}", v * 3.0, (v / 7.0) as f32);
    }
    let mut x = bb(1.0f64);
    for _ in 0..20 {
        x = x * 1.1 + 0.5 / x;
    }
    println!("iterated: {x:.12} sqrt-ish {:.6}", newton_sqrt(bb(2.0)));

    let scene = Scene {
        name: "demo".to_string(),
        shapes: alloc::vec![Shape::Circle { r: 1.25 }, Shape::Rect(3, 4), Shape::Empty],
        tags: [Some("a"), None, Some("ünïcödé")],
    };
    println!("{scene:?}");
    println!("{scene:#?}");

    let words: Vec<String> = (0..40).map(|i| format!("w{}", i * i)).collect();
    let joined = words.join(",");
    println!("{} bytes: {joined}", joined.len());
    let mut s = String::new();
    for (i, w) in words.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        s.push_str(w);
        s.insert(0, char::from(b'a' + (i % 26) as u8));
    }
    println!("{s}");
    let replaced = s.replace("w", "<>").to_uppercase();
    println!("{replaced}");
    let split: Vec<&str> = joined.split(',').rev().take(5).collect();
    println!("{split:?}");
    let chars: String = "héllo wörld ✓".chars().rev().collect();
    println!("{chars} ({} chars, {} bytes)", chars.chars().count(), chars.len());
    let table: Vec<String> =
        (1..=12).map(|i| format!("{:>4}", (1..=12).map(|j| i * j).sum::<u32>())).collect();
    println!("{}", table.concat());
    0
}

fn newton_sqrt(v: f64) -> f64 {
    let mut g = v;
    for _ in 0..30 {
        g = 0.5 * (g + v / g);
    }
    g
}
