//! Bad input is refused with an error, never a panic: images that are not bare-metal MIPS
//! executables (truncated, garbage, another architecture or class or byte order, segments
//! outside kseg0/kseg1 or beyond memory, headers pointing outside the file), and machine
//! configurations with a field out of range (the error names the field).

mod guest;

use machine::loader::LoadError;
use machine::{ConfigError, Machine, MachineConfig};

fn machine() -> Machine {
    Machine::new(MachineConfig::uniprocessor(), vec![]).unwrap_or_else(|e| panic!("{e}"))
}

fn u16_at(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// The file offset of the first PT_LOAD program header of `elf`.
fn first_load(elf: &[u8]) -> usize {
    let (phoff, phentsize, phnum) = (u32_at(elf, 28) as usize, u16_at(elf, 42), u16_at(elf, 44));
    (0..phnum)
        .map(|i| phoff + i * phentsize)
        .find(|&ph| u32_at(elf, ph) == 1)
        .expect("hello has a loadable segment")
}

/// `hello` with `f` applied.
fn hello_with(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let mut b = guest::image("hello");
    f(&mut b);
    b
}

#[test]
fn the_unmodified_image_boots() {
    let mut m = machine();
    let img = m.boot(&guest::image("hello")).unwrap_or_else(|e| panic!("{e}"));
    assert!((0x8000_0000..0xA000_0000).contains(&img.entry));
}

#[test]
fn malformed_images_are_errors() {
    let hello = guest::image("hello");
    let load = first_load(&hello);
    type Expect = fn(&LoadError) -> bool;
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("empty", vec![], |e| matches!(e, LoadError::Malformed(_))),
        ("10 bytes", hello[..10].to_vec(), |e| matches!(e, LoadError::Malformed(_))),
        ("header only", hello[..52].to_vec(), |e| matches!(e, LoadError::Malformed(_))),
        ("not ELF", b"#!/bin/sh\necho hello\n".repeat(10), |e| {
            matches!(e, LoadError::Malformed(_))
        }),
        ("ELF64", hello_with(|b| b[4] = 2), |e| matches!(e, LoadError::Malformed(_))),
        ("big-endian", hello_with(|b| b[5] = 2), |_| true),
        ("x86", hello_with(|b| b[18] = 3), |e| matches!(e, LoadError::WrongKind(_))),
        ("relocatable", hello_with(|b| b[16] = 1), |e| matches!(e, LoadError::WrongKind(_))),
        ("no segments", hello_with(|b| b[44..46].fill(0)), |e| {
            matches!(e, LoadError::WrongKind(_))
        }),
        ("program headers past the end", hello_with(|b| put_u32(b, 28, 0xFFFF_0000)), |e| {
            matches!(e, LoadError::Malformed(_))
        }),
        ("kuseg segment", hello_with(|b| put_u32(b, load + 8, 0x0040_0000)), |e| {
            matches!(e, LoadError::NotUnmapped(0x0040_0000))
        }),
        ("kseg2 segment", hello_with(|b| put_u32(b, load + 8, 0xC000_0000)), |e| {
            matches!(e, LoadError::NotUnmapped(0xC000_0000))
        }),
        ("segment beyond memory", hello_with(|b| put_u32(b, load + 8, 0x9000_0000)), |e| {
            matches!(e, LoadError::TooBig { .. })
        }),
        ("huge segment", hello_with(|b| put_u32(b, load + 20, 0xFFFF_FFF0)), |e| {
            matches!(e, LoadError::TooBig { .. })
        }),
        ("segment data outside the file", hello_with(|b| put_u32(b, load + 4, 0x7FFF_0000)), |e| {
            matches!(e, LoadError::Malformed(_))
        }),
        (
            "file size above memory size",
            hello_with(|b| {
                let filesz = u32_at(b, load + 16);
                put_u32(b, load + 20, filesz - 1);
            }),
            |e| matches!(e, LoadError::Malformed(_)),
        ),
    ];
    for (what, bytes, expected) in cases {
        match machine().boot(&bytes) {
            Ok(img) => panic!("{what}: booted (entry {:#x})", img.entry),
            Err(e) => assert!(expected(&e), "{what}: unexpected error {e:?}"),
        }
    }
}

#[test]
fn every_truncation_and_random_damage_is_handled() {
    let hello = guest::image("hello");
    let mut m = machine();
    // Every prefix up to the end of the headers and a sample beyond.
    for len in (0..hello.len().min(4096)).chain((4096..hello.len()).step_by(997)) {
        let _ = m.boot(&hello[..len]);
    }
    // Random garbage, and random bytes of the headers overwritten (deterministic generator).
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..200 {
        let garbage: Vec<u8> = (0..next() % 8192).map(|_| next() as u8).collect();
        assert!(m.boot(&garbage).is_err(), "garbage booted");
    }
    let headers = first_load(&hello) + 32;
    for _ in 0..2000 {
        let mut b = hello.clone();
        for _ in 0..1 + next() % 4 {
            let at = (next() as usize) % headers;
            b[at] = next() as u8;
        }
        let _ = m.boot(&b); // Ok or Err; it must not panic
    }
}

#[test]
fn out_of_range_config_fields_are_named() {
    type Edit = fn(&mut MachineConfig);
    let cases: &[(&str, Edit)] = &[
        ("nodes", |c| c.nodes = 0),
        ("nodes", |c| c.nodes = 17),
        ("cpus_per_node", |c| c.cpus_per_node = 0),
        ("cpus_per_node", |c| c.cpus_per_node = 5),
        ("memory_per_node_mb", |c| c.memory_per_node_mb = 0),
        ("memory_per_node_mb", |c| c.memory_per_node_mb = 449),
        ("clock_mhz", |c| c.clock_mhz = 0),
        ("clock_mhz", |c| c.clock_mhz = 5001),
        ("cache.size_kb", |c| c.cache.size_kb = 3),
        ("cache.size_kb", |c| c.cache.size_kb = 96),
        ("cache.size_kb", |c| c.cache.size_kb = 32768),
        ("cache.assoc", |c| c.cache.assoc = 0),
        ("cache.assoc", |c| c.cache.assoc = 17),
        ("cache.assoc", |c| c.cache.assoc = 3),
        ("cache.line_bytes", |c| c.cache.line_bytes = 8),
        ("cache.line_bytes", |c| c.cache.line_bytes = 100),
        ("cache.line_bytes", |c| c.cache.line_bytes = 1024),
        ("latency.local_ns", |c| c.latency.local_ns = 0),
        ("latency.remote_ns", |c| c.latency.remote_ns = 0),
        ("latency.remote_ns", |c| c.latency.remote_ns = 1_000_001),
        ("latency.device_ns", |c| c.latency.device_ns = 0),
        ("tlb_entries", |c| c.tlb_entries = 0),
        ("tlb_entries", |c| c.tlb_entries = 65),
        ("hot_page.threshold", |c| c.hot_page.threshold = 0),
        ("hot_page.interval_cycles", |c| c.hot_page.interval_cycles = 999),
        ("hot_page.sample", |c| c.hot_page.sample = 0),
        ("quantum_cycles", |c| c.quantum_cycles = 99),
        ("quantum_cycles", |c| c.quantum_cycles = 1_000_001),
        ("disk_mb_per_s", |c| c.disk_mb_per_s = 0),
    ];
    for (field, edit) in cases {
        let mut cfg = MachineConfig::flash(2, 2);
        edit(&mut cfg);
        match Machine::new(cfg, vec![]) {
            Ok(_) => panic!("{field}: accepted"),
            Err(ConfigError { field: f, message }) => {
                assert_eq!(f, *field, "{message}");
                let shown = ConfigError { field: f, message }.to_string();
                assert!(shown.starts_with(&format!("machine.{field}: ")), "{shown}");
            }
        }
    }
    // The largest valid machine is accepted.
    let big = MachineConfig { memory_per_node_mb: 28, ..MachineConfig::flash(16, 4) };
    assert!(Machine::new(big, vec![]).is_ok());
}

/// The console's transmit DMA prints the bytes at TX_ADDR, at most TX_DMA_MAX per request, and
/// nothing for bytes outside memory (never a panic).
#[test]
fn the_console_prints_a_buffer_by_dma() {
    use machine::address_map::{CONSOLE, console};
    let mut m = Machine::new(MachineConfig::uniprocessor(), vec![]).expect("a machine");
    assert!(m.sys.mem.ram.write_bytes(0x2000, b"hello, dma\n"));
    let reg = |r: u32| CONSOLE + r;
    m.device_write(0, reg(console::TX), u32::from(b'>')).unwrap();
    m.device_write(0, reg(console::TX_ADDR), 0x2000).unwrap();
    assert_eq!(m.device_read(0, reg(console::TX_ADDR)), Some(0x2000));
    m.device_write(0, reg(console::TX_DMA), 11).unwrap();
    assert_eq!(m.console(), b">hello, dma\n");
    // A long request takes TX_DMA_MAX bytes; one past the end of memory prints nothing.
    m.device_write(0, reg(console::TX_ADDR), 0).unwrap();
    m.device_write(0, reg(console::TX_DMA), u32::MAX).unwrap();
    assert_eq!(m.console().len(), 12 + console::TX_DMA_MAX as usize);
    let end = m.config().memory_bytes();
    m.device_write(0, reg(console::TX_ADDR), end - 4).unwrap();
    m.device_write(0, reg(console::TX_DMA), 8).unwrap();
    assert_eq!(m.console().len(), 12 + console::TX_DMA_MAX as usize);
}
